//! Tasks survive the process: kill -9 mid-task, start again, and every
//! upload still finishes, each counted once.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use igemoji::config::{Settings, StorageSettings};
use serde_json::Value;

use crate::helpers::{TEST_JWT_SECRET, fixture, image_part};

/// Starts the real binary on a free port, with its data in `dir`.
pub fn start_binary(dir: &Path, database_url: &str) -> (Child, u16) {
    let storage = StorageSettings {
        url: format!("file://{}/media", dir.display()),
        ..Settings::default().storage
    };
    let started = start_binary_with_storage(dir, database_url, &storage);
    (started.process, started.port)
}

/// A running binary and its public and admin ports.
pub struct StartedBinary {
    pub process: Child,
    pub port: u16,
    pub admin_port: u16,
}

/// Starts the real binary on a free port, with its working directory in
/// `dir` and its media in `storage` (S3 credentials come from AWS_*).
pub fn start_binary_with_storage(
    dir: &Path,
    database_url: &str,
    storage: &StorageSettings,
) -> StartedBinary {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_igemoji"));
    if let Some(endpoint) = &storage.s3.endpoint {
        command.env("IGEMOJI__STORAGE__S3__ENDPOINT", endpoint).env(
            "IGEMOJI__STORAGE__S3__ALLOW_HTTP",
            storage.s3.allow_http.to_string(),
        );
    }
    if let Some(region) = &storage.s3.region {
        command.env("IGEMOJI__STORAGE__S3__REGION", region);
    }
    let mut child = command
        .current_dir(dir)
        .env_remove("IGEMOJI_ENV")
        .env("IGEMOJI__SERVER__BIND", "127.0.0.1:0")
        .env("IGEMOJI__ADMIN__BIND", "127.0.0.1:0")
        .env("IGEMOJI__SERVER__STATIC_DIR", repo.join("static"))
        .env("IGEMOJI__ANALYSIS__MODELS_DIR", repo.join("models"))
        .env("IGEMOJI__ANALYSIS__WORKERS", "1")
        .env("IGEMOJI__EMOJIS__BUILTIN_DIR", repo.join("assets/emoji"))
        .env("IGEMOJI__DATABASE__URL", database_url)
        .env("IGEMOJI__STORAGE__URL", &storage.url)
        .env("IGEMOJI__AUTH__JWT_SECRET", TEST_JWT_SECRET)
        .env("IGEMOJI__TASKS__LEASE", "2s")
        .env("IGEMOJI__TASKS__POLL_INTERVAL", "200ms")
        // Several photos are queued at once, as in spawn_app.
        .env("IGEMOJI__TASKS__MAX_QUEUED", "64")
        .env("IGEMOJI__LOG__FORMAT", "json")
        .env("IGEMOJI__LOG__LEVEL", "info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    let mut ports = None;
    while ports.is_none() && stderr.read_line(&mut line).unwrap_or(0) > 0 {
        if let Ok(event) = serde_json::from_str::<Value>(&line) {
            ports = event["port"].as_u64().zip(event["admin_port"].as_u64());
        }
        line.clear();
    }
    // Keep draining the log so the child never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while stderr.read_line(&mut sink).unwrap_or(0) > 0 {
            sink.clear();
        }
    });
    let (port, admin_port) = ports.expect("the server logs its ports");
    StartedBinary {
        process: child,
        port: port as u16,
        admin_port: admin_port as u16,
    }
}

#[tokio::test]
async fn tasks_queued_or_running_when_the_process_is_killed_finish_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}/igemoji.db?mode=rwc", dir.path().display());
    let client = reqwest::Client::new();

    let (mut first, port) = start_binary(dir.path(), &database_url);
    let base = format!("http://127.0.0.1:{port}");
    let (_, gallery): (u16, Value) = {
        let response = client
            .get(format!("{base}/api/v1/emojis/"))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    };
    let emoji_id = gallery["items"][0]["id"].as_i64().unwrap();
    let mut task_ids = Vec::new();
    for photo in [
        "faceapi_sample3.jpg",
        "faceapi_sample1.jpg",
        "faceapi_sample2.jpg",
        "faceapi_sample4.jpg",
    ] {
        let form = reqwest::multipart::Form::new()
            .text("emoji_id", emoji_id.to_string())
            .part("image", image_part(fixture(photo), photo));
        let response = client
            .post(format!("{base}/api/v1/faces/"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202);
        let created: Value = response.json().await.unwrap();
        task_ids.push(created["task_id"].as_str().unwrap().to_owned());
    }
    let last = client
        .get(format!("{base}/api/v1/faces/tasks/{}", task_ids[3]))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    first.kill().unwrap();
    first.wait().unwrap();
    assert_ne!(last["status"], "done", "the kill came while work was left");

    let (mut second, port) = start_binary(dir.path(), &database_url);
    let base = format!("http://127.0.0.1:{port}");
    for task_id in &task_ids {
        let mut task = Value::Null;
        for _ in 0..300 {
            task = client
                .get(format!("{base}/api/v1/faces/tasks/{task_id}"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if task["status"] == "done" || task["status"] == "failed" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(task["status"], "done", "{task}");
    }
    let top3: Value = client
        .get(format!("{base}/api/v1/emojis/top3"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        top3["items"][0]["use_count"], 4,
        "each task is counted once: {top3}"
    );
    second.kill().unwrap();
    second.wait().unwrap();
}
