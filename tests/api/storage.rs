//! The S3 store slow, failing and gone, then back: uploads get a quick, clear
//! 503 meanwhile, and tasks caught by the outage are retried, not lost. Runs only
//! in the S3 leg of the test command (IGEMOJI_TEST_S3_URL set), against a
//! private SeaweedFS server this test freezes, stops and starts again.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::helpers::{error_of, fixture, spawn_app_with};

/// A SeaweedFS S3 server of this test's own, started by `scripts/s3-server.sh`.
struct PrivateS3 {
    dir: PathBuf,
    port: u16,
}

impl PrivateS3 {
    fn start(dir: &Path) -> PrivateS3 {
        let port = free_port();
        let server = PrivateS3 {
            dir: dir.to_owned(),
            port,
        };
        server.run(&[
            "start",
            &dir.display().to_string(),
            &port.to_string(),
            "igemoji",
        ]);
        server
    }

    /// A graceful stop: SeaweedFS answers 500 for about 15 s, then is gone.
    fn stop_in_background(&self) -> std::process::Child {
        Command::new("bash")
            .arg(Self::script())
            .args(["stop", &self.dir.display().to_string()])
            .spawn()
            .expect("scripts/s3-server.sh runs")
    }

    /// Frozen (SIGSTOP) or thawed (SIGCONT): a store that accepts
    /// connections and never answers.
    fn signal(&self, signal: &str) {
        let pid = std::fs::read_to_string(self.dir.join("weed.pid")).expect("weed.pid");
        let status = Command::new("kill")
            .args([signal, pid.trim()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    fn script() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/s3-server.sh")
    }

    fn restart(&self) {
        self.run(&[
            "start",
            &self.dir.display().to_string(),
            &self.port.to_string(),
        ]);
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn run(&self, args: &[&str]) {
        let status = Command::new("bash")
            .arg(Self::script())
            .args(args)
            .status()
            .expect("scripts/s3-server.sh runs");
        assert!(status.success(), "s3-server.sh {args:?} failed");
    }
}

impl Drop for PrivateS3 {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(Self::script())
            .args(["kill", &self.dir.display().to_string()])
            .status();
    }
}

/// The first of eight free ports (SeaweedFS takes the seven above it too),
/// below the kernel's ephemeral range: a port from that range can be taken
/// between this check and weed's bind, or between a stop and the restart, by
/// any outgoing connection of the tests running beside this one.
fn free_port() -> u16 {
    let ephemeral_start = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32_768);
    // Above scripts/test.sh's shared server (18333..18340).
    let candidates = 20_000..ephemeral_start.saturating_sub(8);
    let span = u64::from(candidates.end.saturating_sub(candidates.start)).max(1);
    let seed = {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u32(std::process::id());
        hasher.finish()
    };
    (0..span)
        .step_by(8)
        .map(|offset| candidates.start + ((seed + offset) % span) as u16)
        .find(|&port| {
            (port..port + 8).all(|p| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok())
        })
        .expect("eight free ports below the ephemeral range")
}

#[tokio::test]
async fn an_s3_outage_gives_503s_and_the_tasks_it_caught_finish_after_it() {
    if std::env::var("IGEMOJI_TEST_S3_URL")
        .unwrap_or_default()
        .is_empty()
    {
        eprintln!(
            "skipped: IGEMOJI_TEST_S3_URL is not set (the S3 leg of scripts/test.sh sets it)"
        );
        return;
    }
    let s3_dir = tempfile::tempdir().unwrap();
    let s3 = PrivateS3::start(s3_dir.path());
    let app = spawn_app_with(|settings| {
        settings.storage.url = "s3://igemoji/outage".into();
        settings.storage.s3.endpoint = Some(s3.endpoint());
        settings.storage.s3.connect_timeout = Duration::from_millis(500);
        settings.storage.s3.request_timeout = Duration::from_secs(1);
        settings.storage.s3.retry_timeout = Duration::from_secs(1);
        settings.analysis.workers = 1;
    })
    .await;
    let token = app.token_for_new_user("outage").await;
    let twemoji = app.builtin_emoji_id("Twemoji").await;
    // Only an outage retries a task, and this is the only test that makes
    // one, so the difference is this test's own.
    let retried_before = app.metric_value("tasks_total{status=\"retried\"}").await;

    // Enough queued work for one analysis thread that the outage catches
    // tasks both waiting and running.
    let mut task_ids = Vec::new();
    for photo in ["deface_city.jpg", "faceapi_sample2.jpg"].repeat(4) {
        let response = app
            .upload_photo(Some(&token), twemoji, fixture(photo), photo)
            .await;
        assert_eq!(response.status(), 202);
        let task: Value = response.json().await.unwrap();
        task_ids.push(task["task_id"].as_str().unwrap().to_owned());
    }

    // Slow (frozen), answering 500s (stopping), then gone: each upload gets
    // a quick 503 and stores nothing.
    let refused_upload = || async {
        let started = std::time::Instant::now();
        let refused = app
            .upload_photo(
                Some(&token),
                twemoji,
                fixture("faceapi_sample1.jpg"),
                "a.jpg",
            )
            .await;
        assert_eq!(refused.status(), 503);
        assert!(refused.headers().contains_key("retry-after"));
        assert_eq!(error_of(refused).await["code"], "storage_unavailable");
        started.elapsed()
    };
    s3.signal("-STOP");
    let waited = refused_upload().await;
    assert!(
        waited < Duration::from_secs(10),
        "a frozen store: 503 after {waited:?}"
    );
    s3.signal("-CONT");
    let mut stopping = s3.stop_in_background();
    tokio::time::sleep(Duration::from_secs(2)).await;
    refused_upload().await;
    assert!(stopping.wait().expect("stop finishes").success());
    refused_upload().await;
    let (status, mypage) = app
        .get_json("/api/v1/users/mypage?case=used&size=100", Some(&token))
        .await;
    assert_eq!(status, 200, "the rest of the service keeps answering");
    assert_eq!(
        mypage["total"],
        task_ids.len(),
        "the refused upload left no task behind"
    );

    s3.restart();
    for task_id in &task_ids {
        let task = app.wait_for_task(task_id, Some(&token)).await;
        assert_eq!(task["status"], "done", "{task}");
        let result = app
            .get(task["result_url"].as_str().expect("result_url"))
            .send()
            .await
            .unwrap();
        assert_eq!(result.status(), 200);
    }
    assert!(
        app.metric_value("tasks_total{status=\"retried\"}").await - retried_before >= 1.0,
        "the outage made some task retry"
    );
}
