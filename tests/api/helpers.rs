use std::path::PathBuf;
use std::time::Duration;

use igemoji::config::Settings;
use igemoji::startup::Application;
use reqwest::{Client, RequestBuilder, Response};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use serde_json::{Value, json};
use tempfile::TempDir;
use uuid::Uuid;

pub const TEST_JWT_SECRET: &str = "test-secret-0123456789abcdef-0123456789";
pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub address: String,
    pub admin_address: String,
    pub client: Client,
    pub database_url: String,
    /// Held so the temporary data and database live as long as the test.
    _data_dir: TempDir,
    _database: Option<ServerDatabase>,
}

/// A throw-away database on the PostgreSQL or MariaDB server named by
/// IGEMOJI_TEST_DATABASE_URL, dropped with the test.
struct ServerDatabase {
    server_url: String,
    name: String,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(customise: impl FnOnce(&mut Settings)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temporary directory");
    let (database_url, database) = match std::env::var("IGEMOJI_TEST_DATABASE_URL") {
        Ok(server_url) if !server_url.is_empty() => {
            let database = ServerDatabase::create(&server_url).await;
            (database.url(), Some(database))
        }
        _ => (
            format!("sqlite://{}/igemoji.db?mode=rwc", data_dir.path().display()),
            None,
        ),
    };

    let mut settings = Settings::default();
    settings.server.bind = ([127, 0, 0, 1], 0).into();
    settings.admin.bind = ([127, 0, 0, 1], 0).into();
    settings.server.workers = 2;
    settings.database.url = database_url.clone();
    settings.database.acquire_timeout = Duration::from_secs(30);
    settings.storage.url = format!("file://{}/media", data_dir.path().display());
    settings.auth.jwt_secret = Some(TEST_JWT_SECRET.to_owned().into());
    settings.auth.dev_secret_file = data_dir.path().join("jwt-secret");
    settings.log.level = "warn".into();
    settings.server.static_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("static");
    customise(&mut settings);

    let application = Application::build(settings)
        .await
        .expect("application builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    let admin_address = format!("http://127.0.0.1:{}", application.admin_port());
    tokio::spawn(application.run_until_stopped());

    TestApp {
        address,
        admin_address,
        client: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client"),
        database_url,
        _data_dir: data_dir,
        _database: database,
    }
}

impl ServerDatabase {
    async fn create(server_url: &str) -> ServerDatabase {
        let name = format!("igemoji_test_{}", Uuid::new_v4().simple());
        let admin = Database::connect(server_url)
            .await
            .expect("connect to IGEMOJI_TEST_DATABASE_URL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create a test database");
        ServerDatabase {
            server_url: server_url.to_owned(),
            name,
        }
    }

    fn url(&self) -> String {
        let (base, _) = self
            .server_url
            .rsplit_once('/')
            .expect("URL with a database");
        format!("{base}/{}", self.name)
    }
}

impl Drop for ServerDatabase {
    fn drop(&mut self) {
        let server_url = self.server_url.clone();
        let drop_sql = if server_url.starts_with("postgres") {
            format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)
        } else {
            format!("DROP DATABASE IF EXISTS {}", self.name)
        };
        // Drop runs outside async context: use a private runtime on its own thread.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                if let Ok(admin) = Database::connect(&server_url).await {
                    let _ = admin.execute_unprepared(&drop_sql).await;
                }
            });
        })
        .join();
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client.get(self.url(path))
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.client.post(self.url(path))
    }

    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.client.delete(self.url(path))
    }

    pub async fn check_username(&self, username: &str) -> Response {
        self.get("/api/v1/users/")
            .query(&[("username", username)])
            .send()
            .await
            .expect("request")
    }

    pub async fn sign_up(&self, body: Value) -> Response {
        self.post("/api/v1/users/")
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn sign_up_user(&self, username: &str) -> Value {
        let response = self
            .sign_up(json!({ "username": username, "password": PASSWORD }))
            .await;
        assert_eq!(response.status(), 201, "sign-up of {username}");
        response.json().await.expect("json")
    }

    pub async fn log_in(&self, username: &str, password: &str) -> Response {
        self.post("/api/v1/users/auth")
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await
            .expect("request")
    }

    /// Signs up `username` and returns a valid access token for it.
    pub async fn token_for_new_user(&self, username: &str) -> String {
        self.sign_up_user(username).await;
        let response = self.log_in(username, PASSWORD).await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.expect("json");
        body["access_token"].as_str().expect("token").to_owned()
    }

    pub async fn who_am_i(&self, token: &str) -> Response {
        self.get("/api/v1/users/auth")
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn delete_me(&self, token: &str) -> Response {
        self.delete("/api/v1/users/me")
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn metrics(&self) -> String {
        self.client
            .get(format!("{}/metrics", self.admin_address))
            .send()
            .await
            .expect("request")
            .text()
            .await
            .expect("text")
    }

    /// One column of one row, read straight from the database.
    pub async fn query_string(&self, sql: &str) -> Option<String> {
        let db = Database::connect(&self.database_url)
            .await
            .expect("connect");
        let backend: DbBackend = db.get_database_backend();
        let row = db
            .query_one_raw(Statement::from_string(backend, sql.to_owned()))
            .await
            .expect("query")?;
        row.try_get_by_index::<String>(0).ok()
    }
}

/// The error object of an API error response, checking its shape.
pub async fn error_of(response: Response) -> Value {
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json"),
        "errors are JSON"
    );
    let body: Value = response.json().await.expect("json error body");
    let error = body["error"].clone();
    assert!(error["code"].is_string(), "error has a code: {body}");
    assert!(error["message"].is_string(), "error has a message: {body}");
    error
}
