use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use igemoji::analysis::Analyzer;
use igemoji::config::{Settings, StorageSettings};
use igemoji::startup::Application;
use igemoji::storage::MediaStore;
use reqwest::multipart::{Form, Part};
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
    /// The app's media store, for looking at what it left behind.
    pub store: MediaStore,
    /// Held so the temporary data and database live as long as the test.
    _data_dir: TempDir,
    _database: Option<ServerDatabase>,
}

/// A throw-away database on the PostgreSQL or MariaDB server named by
/// IGEMOJI_TEST_DATABASE_URL, dropped with the test.
pub struct ServerDatabase {
    server_url: String,
    name: String,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(customise: impl FnOnce(&mut Settings)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temporary directory");
    let (database_url, database) = test_database(data_dir.path()).await;

    let mut settings = Settings::default();
    settings.server.bind = ([127, 0, 0, 1], 0).into();
    settings.admin.bind = ([127, 0, 0, 1], 0).into();
    settings.server.workers = 2;
    settings.database.url = database_url.clone();
    settings.database.acquire_timeout = Duration::from_secs(30);
    settings.storage = test_storage(data_dir.path());
    settings.tasks.poll_interval = Duration::from_millis(200);
    settings.analysis.workers = 2;
    // Tests queue several photos at once; the burst test sets its own limit.
    settings.tasks.max_queued = 64;
    settings.auth.jwt_secret = Some(TEST_JWT_SECRET.to_owned().into());
    settings.auth.dev_secret_file = data_dir.path().join("jwt-secret");
    settings.tasks.instance_dir = data_dir.path().join("instances");
    settings.log.level = "warn".into();
    customise(&mut settings);

    let store = MediaStore::from_settings(&settings.storage).expect("the test media store");
    let analyzer = shared_analyzer(&settings);
    let application = Application::build_with(settings, analyzer)
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
            // Under the server's 5 s keep-alive, so a pooled connection is
            // never reused just as the server closes it.
            .pool_idle_timeout(Duration::from_secs(2))
            .build()
            .expect("http client"),
        database_url,
        store,
        _data_dir: data_dir,
        _database: database,
    }
}

/// Loading and optimising the models takes a while: the tests' apps share
/// one analyser per distinct analysis setting.
fn shared_analyzer(settings: &Settings) -> Arc<Analyzer> {
    static ANALYZERS: LazyLock<Mutex<HashMap<String, Arc<Analyzer>>>> =
        LazyLock::new(Default::default);
    let analysis = &settings.analysis;
    let key = format!(
        "{:?} {:?} {:?} {:?}",
        analysis.models_dir,
        analysis.limits(),
        analysis.detection(),
        analysis.expression_model
    );
    let mut analyzers = ANALYZERS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Arc::clone(analyzers.entry(key).or_insert_with(|| {
        Arc::new(igemoji::startup::load_analyzer(settings).expect("the models load"))
    }))
}

/// The URL of a fresh database: on the server named by
/// IGEMOJI_TEST_DATABASE_URL when set (dropped with the returned guard),
/// otherwise a SQLite file in `data_dir`.
pub async fn test_database(data_dir: &std::path::Path) -> (String, Option<ServerDatabase>) {
    match std::env::var("IGEMOJI_TEST_DATABASE_URL") {
        Ok(server_url) if !server_url.is_empty() => {
            let database = ServerDatabase::create(&server_url).await;
            (database.url(), Some(database))
        }
        _ => (
            format!("sqlite://{}/igemoji.db?mode=rwc", data_dir.display()),
            None,
        ),
    }
}

/// Local disk under `data_dir`, or a fresh prefix of the S3 bucket named by
/// IGEMOJI_TEST_S3_URL (with IGEMOJI_TEST_S3_ENDPOINT), so runs never collide.
pub fn test_storage(data_dir: &std::path::Path) -> StorageSettings {
    let mut storage = Settings::default().storage;
    match std::env::var("IGEMOJI_TEST_S3_URL") {
        Ok(bucket_url) if !bucket_url.is_empty() => {
            let prefix = Uuid::new_v4().simple();
            storage.url = format!("{}/test-{prefix}", bucket_url.trim_end_matches('/'));
            storage.s3.endpoint =
                Some(std::env::var("IGEMOJI_TEST_S3_ENDPOINT").expect("IGEMOJI_TEST_S3_ENDPOINT"));
            storage.s3.allow_http = true;
            storage.s3.region = Some("us-east-1".into());
        }
        _ => storage.url = format!("file://{}/media", data_dir.display()),
    }
    storage
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
        let name = self.name.clone();
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
                    // The app still runs on the (now blocked) test runtime; its
                    // task worker may sit in an open transaction that would make
                    // MariaDB's DROP wait forever. PostgreSQL's FORCE does this.
                    if admin.get_database_backend() == DbBackend::MySql {
                        let sessions = admin
                            .query_all_raw(Statement::from_string(
                                DbBackend::MySql,
                                format!(
                                    "SELECT CAST(id AS SIGNED) FROM information_schema.processlist WHERE db = '{name}'"
                                ),
                            ))
                            .await
                            .unwrap_or_default();
                        for session in sessions {
                            if let Ok(id) = session.try_get_by_index::<i64>(0) {
                                let _ = admin.execute_unprepared(&format!("KILL {id}")).await;
                            }
                        }
                    }
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

    /// The value of one series, e.g. `tasks_total{status="done"}`; 0 when absent.
    pub async fn metric_value(&self, series: &str) -> f64 {
        metric_value_in(&self.metrics().await, series)
    }

    pub async fn create_emoji(&self, token: Option<&str>, form: Form) -> Response {
        let mut request = self.post("/api/v1/emojis/").multipart(form);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }

    /// Creates a solid-colour template and returns its JSON.
    pub async fn create_test_emoji(&self, token: &str, name: &str, visibility: &str) -> Value {
        let response = self
            .create_emoji(Some(token), template_form(name, visibility))
            .await;
        assert_eq!(response.status(), 201, "template {name} is created");
        response.json().await.expect("json")
    }

    pub async fn get_json(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = self.get(path);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// The id of the built-in template named `name`.
    pub async fn builtin_emoji_id(&self, name: &str) -> i64 {
        let (_, gallery) = self.get_json("/api/v1/emojis/?size=100", None).await;
        gallery["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|item| item["builtin"] == true && item["name"] == name)
            .and_then(|item| item["id"].as_i64())
            .unwrap_or_else(|| panic!("built-in template {name}: {gallery}"))
    }

    pub async fn upload_photo(
        &self,
        token: Option<&str>,
        emoji_id: i64,
        photo: Vec<u8>,
        file_name: &str,
    ) -> Response {
        let form = Form::new()
            .text("emoji_id", emoji_id.to_string())
            .part("image", image_part(photo, file_name));
        self.upload_form(token, form).await
    }

    pub async fn upload_form(&self, token: Option<&str>, form: Form) -> Response {
        let mut request = self.post("/api/v1/faces/").multipart(form);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }

    /// The task once it is done or failed: asks with `?wait=10`, which
    /// answers as soon as the task settles.
    pub async fn wait_for_task(&self, task_id: &str, token: Option<&str>) -> Value {
        let path = format!("/api/v1/faces/tasks/{task_id}?wait=10");
        for _ in 0..6 {
            let (status, task) = self.get_json(&path, token).await;
            assert_eq!(status, 200, "task {task_id} is readable: {task}");
            if task["status"] == "done" || task["status"] == "failed" {
                return task;
            }
        }
        panic!("task {task_id} did not finish within a minute");
    }

    /// Fetches a media URL given by the API.
    pub async fn fetch_media(&self, url: &str) -> Response {
        self.get(url).send().await.expect("request")
    }

    /// Every stored object under `folder` of the media store, as keys.
    pub async fn stored_keys(&self, folder: &str) -> Vec<String> {
        let mut keys = self
            .store
            .list(&format!("{folder}/"))
            .await
            .expect("list the media store");
        keys.sort();
        keys
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

/// The seven expressions, in the API's order.
pub const EXPRESSIONS: [&str; 7] = [
    "angry", "disgust", "fear", "happy", "sad", "surprise", "neutral",
];

/// A distinct opaque colour per expression, so a result image shows which
/// expression's emoji was pasted where.
pub fn expression_colour(expression: &str) -> [u8; 3] {
    match expression {
        "angry" => [220, 20, 20],
        "disgust" => [20, 160, 20],
        "fear" => [120, 20, 200],
        "happy" => [250, 200, 0],
        "sad" => [20, 60, 220],
        "surprise" => [250, 120, 200],
        _ => [0, 200, 200],
    }
}

pub fn solid_png(width: u32, height: u32, colour: [u8; 3]) -> Vec<u8> {
    let image = image::RgbaImage::from_pixel(
        width,
        height,
        image::Rgba([colour[0], colour[1], colour[2], 255]),
    );
    encoded(image, image::ImageFormat::Png)
}

/// An image's file in `format`.
pub fn encoded(image: impl Into<image::DynamicImage>, format: image::ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .into()
        .write_to(&mut std::io::Cursor::new(&mut bytes), format)
        .expect("encode");
    bytes
}

/// A PNG whose header is sound, so an upload of it is queued, but whose
/// pixel data is not.
pub fn damaged_png() -> Vec<u8> {
    let mut png = encoded(
        image::RgbaImage::from_fn(64, 64, |x, y| {
            image::Rgba([x as u8 * 4, y as u8 * 4, 90, 255])
        }),
        image::ImageFormat::Png,
    );
    let data = png.windows(4).position(|w| w == b"IDAT").unwrap() + 4;
    for byte in &mut png[data..data + 8] {
        *byte ^= 0x5a;
    }
    png
}

pub fn image_part(bytes: Vec<u8>, file_name: &str) -> Part {
    Part::bytes(bytes).file_name(file_name.to_owned())
}

/// A template form with one solid-colour PNG per expression.
pub fn template_form(name: &str, visibility: &str) -> Form {
    let mut form = Form::new()
        .text("name", name.to_owned())
        .text("description", format!("{name} for tests"))
        .text("visibility", visibility.to_owned());
    for expression in EXPRESSIONS {
        form = form.part(
            expression,
            image_part(solid_png(64, 64, expression_colour(expression)), "face.png"),
        );
    }
    form
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/photos")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|_| panic!("fixture {}", path.display()))
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

/// The value of one series in a Prometheus text page; 0 when absent.
pub fn metric_value_in(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |value| value.trim().parse().expect("a metric value"))
}
