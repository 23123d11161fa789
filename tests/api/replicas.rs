//! Two processes of the real binary on one database and one media store
//! behave as one service: either answers for the other's tasks, each task is
//! done once, and when one is killed the other finishes its work.
//! The database and store are the test run's (SQLite and local disk, or
//! PostgreSQL/MariaDB and S3 in the other legs of scripts/test.sh).

use std::path::Path;
use std::process::Child;
use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use igemoji::config::StorageSettings;

use crate::helpers::{PASSWORD, fixture, image_part, metric_value_in, test_database, test_storage};
use crate::recovery::start_binary_with_storage;

struct Replica {
    process: Child,
    base: String,
    admin_base: String,
    client: Client,
}

impl Replica {
    fn start(dir: &Path, database_url: &str, storage: &StorageSettings) -> Replica {
        std::fs::create_dir_all(dir).unwrap();
        let started = start_binary_with_storage(dir, database_url, storage, &[]);
        Replica {
            process: started.process,
            base: format!("http://127.0.0.1:{}", started.port),
            admin_base: format!("http://127.0.0.1:{}", started.admin_port),
            client: Client::new(),
        }
    }

    async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn post_json(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn log_in(&self, username: &str, password: &str) -> (StatusCode, Value) {
        self.post_json(
            "/api/v1/users/auth",
            json!({"username": username, "password": password}),
        )
        .await
    }

    async fn upload(&self, token: &str, emoji_id: i64, photo: &str) -> String {
        let form = reqwest::multipart::Form::new()
            .text("emoji_id", emoji_id.to_string())
            .part("image", image_part(fixture(photo), photo));
        let response = self
            .client
            .post(format!("{}/api/v1/faces/", self.base))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 202);
        let task: Value = response.json().await.unwrap();
        task["task_id"].as_str().unwrap().to_owned()
    }

    async fn wait_until_finished(&self, task_id: &str, token: &str) -> Value {
        // The task may be another process's: the wait ends at a re-read.
        let path = format!("/api/v1/faces/tasks/{task_id}?wait=10");
        for _ in 0..6 {
            let (status, task) = self.get(&path, Some(token)).await;
            assert_eq!(status, 200, "{task}");
            if task["status"] == "done" || task["status"] == "failed" {
                return task;
            }
        }
        panic!("task {task_id} did not finish");
    }

    /// Tasks this process finished, from its own metrics.
    async fn tasks_done(&self) -> u64 {
        let metrics = self
            .client
            .get(format!("{}/metrics", self.admin_base))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        metric_value_in(&metrics, "tasks_total{status=\"done\"}") as u64
    }

    fn kill(&mut self) {
        self.process.kill().unwrap();
        self.process.wait().unwrap();
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Polls `path` on both replicas until they give the same answer: listings
/// are cached per process for a moment (`emojis` listing cache).
async fn same_on_both(a: &Replica, b: &Replica, path: &str, token: Option<&str>) -> Value {
    let mut answers = (Value::Null, Value::Null);
    for _ in 0..50 {
        let (status_a, on_a) = a.get(path, token).await;
        let (status_b, on_b) = b.get(path, token).await;
        assert_eq!((status_a, status_b), (StatusCode::OK, StatusCode::OK));
        if on_a == on_b {
            return on_a;
        }
        answers = (on_a, on_b);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!(
        "{path} differs between replicas:\n{}\n{}",
        answers.0, answers.1
    );
}

#[tokio::test]
async fn two_replicas_on_one_database_and_store_act_as_one_service() {
    let dir = tempfile::tempdir().unwrap();
    let (database_url, _database) = test_database(dir.path()).await;
    let storage = test_storage(dir.path());
    let mut a = Replica::start(&dir.path().join("a"), &database_url, &storage);
    let b = Replica::start(&dir.path().join("b"), &database_url, &storage);

    // An account made on A logs in on B, and B's token works on A.
    let (status, _) = a
        .post_json(
            "/api/v1/users/",
            json!({"username": "shared", "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, login) = b.log_in("shared", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    let token = login["access_token"].as_str().unwrap().to_owned();
    let (status, me) = a.get("/api/v1/users/auth", Some(&token)).await;
    assert_eq!(
        (status, me["username"].as_str()),
        (StatusCode::OK, Some("shared"))
    );

    // Tasks uploaded to either are readable on both, and each is done once.
    let (_, gallery) = a.get("/api/v1/emojis/", None).await;
    let emoji_id = gallery["items"][0]["id"].as_i64().unwrap();
    let photos = [
        "faceapi_sample1.jpg",
        "faceapi_sample3.jpg",
        "faceapi_sample4.jpg",
        "faceapi_sample5.jpg",
    ];
    let mut task_ids = Vec::new();
    for (index, photo) in photos.iter().enumerate() {
        let uploader = if index % 2 == 0 { &a } else { &b };
        task_ids.push(uploader.upload(&token, emoji_id, photo).await);
    }
    for (index, task_id) in task_ids.iter().enumerate() {
        let poller = if index % 2 == 0 { &b } else { &a };
        let task = poller.wait_until_finished(task_id, &token).await;
        assert_eq!(task["status"], "done", "{task}");
    }
    assert_eq!(
        a.tasks_done().await + b.tasks_done().await,
        task_ids.len() as u64,
        "every task was done by exactly one replica"
    );
    let top3 = same_on_both(&a, &b, "/api/v1/emojis/top3", None).await;
    assert_eq!(top3["items"][0]["use_count"], task_ids.len(), "{top3}");
    let used = "/api/v1/users/mypage?case=used&size=100";
    let my_page = same_on_both(&a, &b, used, Some(&token)).await;
    assert_eq!(my_page["total"], task_ids.len());

    // Login throttling counts failures on both together.
    let limit = igemoji::config::Settings::default()
        .limits
        .login_max_failures;
    for attempt in 0..limit {
        let replica = if attempt % 2 == 0 { &a } else { &b };
        let (status, _) = replica.log_in("shared", "wrong password!").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    for replica in [&a, &b] {
        let (status, _) = replica.log_in("shared", "wrong password!").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    }

    // A is killed with work queued and running: B finishes all of it.
    let mut orphaned = Vec::new();
    for photo in [
        "faceapi_sample2.jpg",
        "deface_city.jpg",
        "faceapi_sample6.jpg",
        "faceapi_sample3.jpg",
    ] {
        orphaned.push(a.upload(&token, emoji_id, photo).await);
    }
    a.kill();
    for task_id in &orphaned {
        let task = b.wait_until_finished(task_id, &token).await;
        assert_eq!(task["status"], "done", "{task}");
    }
    let all_tasks = task_ids.len() + orphaned.len();
    let mut top3 = Value::Null;
    for _ in 0..50 {
        top3 = b.get("/api/v1/emojis/top3", None).await.1;
        if top3["items"][0]["use_count"] == all_tasks {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("each task is counted once: {top3}");
}
