//! Tasks survive the process: kill -9 mid-task, start again, and every
//! upload still finishes, each counted once, without waiting for the lease
//! of the task the dead process was running. A live server's claims are
//! never taken early, even by a server started in the same folder.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use igemoji::config::StorageSettings;
use sea_orm::ConnectionTrait;
use serde_json::Value;

use crate::helpers::{TEST_JWT_SECRET, fixture, image_part, test_database, test_storage};

/// A running binary and its public and admin ports.
pub struct StartedBinary {
    pub process: Child,
    pub port: u16,
    pub admin_port: u16,
}

/// Starts the real binary on a free port, with its working directory in
/// `dir` and its media in `storage` (S3 credentials come from AWS_*).
/// `settings` are more `IGEMOJI__...` variables, which win over the ones
/// set here.
pub fn start_binary_with_storage(
    dir: &Path,
    database_url: &str,
    storage: &StorageSettings,
    settings: &[(&str, &str)],
) -> StartedBinary {
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
        .env("IGEMOJI__ANALYSIS__WORKERS", "1")
        .env("IGEMOJI__DATABASE__URL", database_url)
        .env("IGEMOJI__STORAGE__URL", &storage.url)
        .env("IGEMOJI__AUTH__JWT_SECRET", TEST_JWT_SECRET)
        .env("IGEMOJI__TASKS__LEASE", "2s")
        .env("IGEMOJI__TASKS__POLL_INTERVAL", "200ms")
        // Several photos are queued at once, as in spawn_app.
        .env("IGEMOJI__TASKS__MAX_QUEUED", "64")
        .env("IGEMOJI__LOG__FORMAT", "json")
        .env("IGEMOJI__LOG__LEVEL", "info")
        .envs(settings.iter().copied())
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
async fn a_server_killed_mid_burst_finishes_every_task_within_seconds_of_its_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (database_url, _database) = test_database(dir.path()).await;
    let storage = test_storage(dir.path());
    let client = reqwest::Client::new();
    // The default lease: the running task must not wait it out.
    let settings = [
        ("IGEMOJI__TASKS__LEASE", "60s"),
        ("IGEMOJI__ANALYSIS__WORKERS", "2"),
    ];

    let first = start_binary_with_storage(dir.path(), &database_url, &storage, &settings);
    let mut first_process = first.process;
    let base = format!("http://127.0.0.1:{}", first.port);
    let emoji_id = first_template(&client, &base).await;
    let photos = [
        "faceapi_sample3.jpg",
        "faceapi_sample1.jpg",
        "faceapi_sample2.jpg",
        "faceapi_sample4.jpg",
    ];
    let mut task_ids = Vec::new();
    for photo in photos.iter().cycle().take(12) {
        task_ids.push(upload(&client, &base, emoji_id, photo).await);
    }
    // Kill it while it holds a claim.
    let mut running = false;
    for _ in 0..200 {
        running = false;
        for task_id in &task_ids {
            running |= task(&client, &base, task_id).await["status"] == "running";
        }
        if running {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(running, "a task was running when the server was killed");
    first_process.kill().unwrap();
    first_process.wait().unwrap();

    let second = start_binary_with_storage(dir.path(), &database_url, &storage, &settings);
    // From when it serves again (the tests' debug build takes a moment to
    // load its models, more so beside the other tests).
    let restarted_at = Instant::now();
    let mut second_process = second.process;
    let base = format!("http://127.0.0.1:{}", second.port);
    for task_id in &task_ids {
        let task = wait_until_finished(&client, &base, task_id).await;
        assert_eq!(task["status"], "done", "{task}");
    }
    let took = restarted_at.elapsed();
    assert!(
        took < Duration::from_secs(10),
        "every task was done {took:?} after the restart"
    );
    let top3 = get_json(&client, &format!("{base}/api/v1/emojis/top3")).await;
    assert_eq!(
        top3["items"][0]["use_count"], 12,
        "each task is counted once: {top3}"
    );
    second_process.kill().unwrap();
    second_process.wait().unwrap();
}

#[tokio::test]
async fn a_second_server_in_the_same_folder_leaves_the_first_ones_claims_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (database_url, _database) = test_database(dir.path()).await;
    let storage = test_storage(dir.path());
    let client = reqwest::Client::new();
    let settings = [("IGEMOJI__TASKS__LEASE", "60s")];

    let first = start_binary_with_storage(dir.path(), &database_url, &storage, &settings);
    let mut first_process = first.process;
    let base = format!("http://127.0.0.1:{}", first.port);
    let emoji_id = first_template(&client, &base).await;
    let mut task_ids = Vec::new();
    for _ in 0..6 {
        task_ids.push(upload(&client, &base, emoji_id, "faceapi_sample5.jpg").await);
    }
    let database = sea_orm::Database::connect(&database_url).await.unwrap();
    let claims = || async {
        let rows = database
            .query_all_raw(sea_orm::Statement::from_string(
                database.get_database_backend(),
                "SELECT claimed_by FROM face_tasks WHERE status = 'running' \
                 AND claimed_by IS NOT NULL",
            ))
            .await
            .unwrap();
        rows.iter()
            .map(|row| row.try_get::<String>("", "claimed_by").unwrap())
            .collect::<Vec<_>>()
    };
    let mut held = Vec::new();
    for _ in 0..200 {
        held = claims().await;
        if !held.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let first_server = held
        .first()
        .expect("the first server claimed a task")
        .clone();
    let first_server = first_server.split('/').next().unwrap().to_owned();

    // The second server takes another identity and gives back nothing of
    // the first's; both go on working the queue.
    let second = start_binary_with_storage(dir.path(), &database_url, &storage, &settings);
    let mut second_process = second.process;
    let still_held = claims().await;
    for task_id in &task_ids {
        let task = wait_until_finished(&client, &base, task_id).await;
        assert_eq!(task["status"], "done", "{task}");
    }
    assert!(
        still_held.is_empty()
            || still_held
                .iter()
                .any(|claim| claim.starts_with(&first_server)),
        "the first server's claims were released: {held:?} then {still_held:?}"
    );
    let identities = std::fs::read_dir(dir.path().join("data/instances"))
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect::<std::collections::BTreeSet<_>>();
    assert_eq!(identities.len(), 2, "two servers, two identities");
    assert!(identities.contains(&first_server));
    for process in [&mut first_process, &mut second_process] {
        process.kill().unwrap();
        process.wait().unwrap();
    }
}

async fn get_json(client: &reqwest::Client, url: &str) -> Value {
    client.get(url).send().await.unwrap().json().await.unwrap()
}

pub async fn first_template(client: &reqwest::Client, base: &str) -> i64 {
    let gallery = get_json(client, &format!("{base}/api/v1/emojis/")).await;
    gallery["items"][0]["id"].as_i64().unwrap()
}

/// Uploads a fixture photo anonymously; the task id.
pub async fn upload(client: &reqwest::Client, base: &str, emoji_id: i64, photo: &str) -> String {
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
    created["task_id"].as_str().unwrap().to_owned()
}

async fn task(client: &reqwest::Client, base: &str, task_id: &str) -> Value {
    get_json(client, &format!("{base}/api/v1/faces/tasks/{task_id}")).await
}

/// Waits with the API's long poll (`?wait=`) until the task is finished.
pub async fn wait_until_finished(client: &reqwest::Client, base: &str, task_id: &str) -> Value {
    let mut task = Value::Null;
    for _ in 0..12 {
        task = get_json(
            client,
            &format!("{base}/api/v1/faces/tasks/{task_id}?wait=5"),
        )
        .await;
        if task["status"] == "done" || task["status"] == "failed" {
            break;
        }
    }
    task
}
