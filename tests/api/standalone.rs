//! A copy of the binary alone, in an empty folder, with no config file and
//! no repository around it, is the whole service: the site, the built-in
//! templates, the analysis, and `igemoji analyze` from any folder. It runs
//! as an unprivileged user (uid 10001, as in the container) that may write
//! only its data folder.
//!
//! Only on the embedded defaults (SQLite, local disk): the test command's
//! PostgreSQL, MariaDB and S3 legs skip it.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use reqwest::Client;
use serde_json::Value;

use crate::helpers::fixture;
use crate::recovery::{upload, wait_until_finished};

const SERVICE_UID: u32 = 10001;

fn on_embedded_defaults() -> bool {
    ["IGEMOJI_TEST_DATABASE_URL", "IGEMOJI_TEST_S3_URL"]
        .iter()
        .all(|name| std::env::var(name).unwrap_or_default().is_empty())
}

/// `root/run/igemoji` (root's, read-only to others), `root/run/data` (the
/// service user's) and `root/photos/face.jpg`; everything else is
/// read-only to the service user.
fn lay_out(root: &Path) -> PathBuf {
    let run = root.join("run");
    std::fs::create_dir_all(run.join("data")).unwrap();
    std::fs::create_dir_all(root.join("photos")).unwrap();
    let binary = run.join("igemoji");
    std::fs::copy(env!("CARGO_BIN_EXE_igemoji"), &binary).unwrap();
    std::fs::write(root.join("photos/face.jpg"), fixture("faceapi_sample3.jpg")).unwrap();
    for (path, mode) in [
        (root.to_path_buf(), 0o755),
        (run.clone(), 0o755),
        (root.join("photos"), 0o755),
        (root.join("photos/face.jpg"), 0o644),
        (binary.clone(), 0o755),
    ] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    if running_as_root() {
        std::os::unix::fs::chown(run.join("data"), Some(SERVICE_UID), Some(SERVICE_UID)).unwrap();
    }
    binary
}

fn running_as_root() -> bool {
    // SAFETY: getuid has no preconditions.
    unsafe { libc::getuid() == 0 }
}

/// The copied binary, as the service user when the test runs as root, with
/// nothing of the test's environment but PATH.
fn service_command(binary: &Path, working_dir: &Path) -> Command {
    let mut command = Command::new(binary);
    command
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .current_dir(working_dir);
    if running_as_root() {
        command.uid(SERVICE_UID).gid(SERVICE_UID);
    }
    command
}

struct Service {
    process: Child,
    base: String,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn start(binary: &Path) -> Service {
    let mut process = service_command(binary, binary.parent().unwrap())
        .env("IGEMOJI__SERVER__BIND", "127.0.0.1:0")
        .env("IGEMOJI__ADMIN__BIND", "127.0.0.1:0")
        .env("IGEMOJI__LOG__FORMAT", "json")
        .stderr(Stdio::piped())
        .spawn()
        .expect("the copied binary starts");
    let mut stderr = BufReader::new(process.stderr.take().unwrap());
    let mut line = String::new();
    let mut log = String::new();
    let mut port = None;
    while port.is_none() && stderr.read_line(&mut line).unwrap_or(0) > 0 {
        if let Ok(event) = serde_json::from_str::<Value>(&line) {
            port = event["port"].as_u64();
        }
        log.push_str(&line);
        line.clear();
    }
    std::thread::spawn(move || {
        let mut sink = String::new();
        while stderr.read_line(&mut sink).unwrap_or(0) > 0 {
            sink.clear();
        }
    });
    let port = port.unwrap_or_else(|| panic!("the server did not start:\n{log}"));
    Service {
        process,
        base: format!("http://127.0.0.1:{port}"),
    }
}

async fn get(client: &Client, url: &str) -> reqwest::Response {
    client.get(url).send().await.unwrap()
}

#[tokio::test]
async fn the_binary_alone_in_an_empty_folder_serves_the_whole_site_and_analyses() {
    if !on_embedded_defaults() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let binary = lay_out(root.path());
    let service = start(&binary);
    let client = Client::new();
    let base = &service.base;

    // The web app, its assets and the API viewer.
    let index = get(&client, &format!("{base}/")).await;
    assert_eq!(index.status(), 200);
    let html = index.text().await.unwrap();
    assert!(html.contains("<div id=\"root\""), "{html}");
    let asset_start = html.find("/assets/").expect("index links an asset");
    let asset_end = asset_start + html[asset_start..].find('"').unwrap();
    let asset = get(&client, &format!("{base}{}", &html[asset_start..asset_end])).await;
    assert_eq!(asset.status(), 200);
    assert_eq!(get(&client, &format!("{base}/docs/")).await.status(), 200);

    // The built-in templates, with their images.
    let gallery: Value = get(&client, &format!("{base}/api/v1/emojis/"))
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<_> = gallery["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|item| item["name"].as_str())
        .collect();
    assert!(
        names.contains(&"Twemoji") && names.contains(&"OpenMoji"),
        "{gallery}"
    );
    let template = &gallery["items"][0];
    let happy = template["images"]["happy"].as_str().expect("an image URL");
    let image = get(&client, &format!("{base}{happy}")).await;
    assert_eq!(image.status(), 200);
    assert!(image.bytes().await.unwrap().starts_with(b"\x89PNG"));

    // A photo analysed through the API.
    let emoji_id = template["id"].as_i64().unwrap();
    let task_id = upload(&client, base, emoji_id, "faceapi_sample3.jpg").await;
    let task = wait_until_finished(&client, base, &task_id).await;
    assert_eq!(task["status"], "done", "{task}");
    assert!(!task["faces"].as_array().unwrap().is_empty(), "{task}");

    // The container's health check asks the same server.
    let port = base.rsplit(':').next().unwrap();
    let health = |port: &str| {
        service_command(&binary, Path::new("/"))
            .arg("health")
            .env("IGEMOJI__SERVER__BIND", format!("0.0.0.0:{port}"))
            .output()
            .unwrap()
    };
    assert!(health(port).status.success());
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port().to_string();
    drop(closed);
    assert!(!health(&closed_port).status.success());

    // It wrote nothing beside itself but its data folder.
    let mut beside: Vec<_> = std::fs::read_dir(binary.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    beside.sort();
    assert_eq!(beside, ["data", "igemoji"]);
}

#[test]
fn analyze_runs_from_any_folder_on_a_photo_given_by_absolute_path() {
    if !on_embedded_defaults() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let binary = lay_out(root.path());
    let photo = root.path().join("photos/face.jpg");
    // A folder with no models, no config and nothing to write into.
    let output = service_command(&binary, Path::new("/"))
        .arg("analyze")
        .arg("--json")
        .arg(&photo)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let reports: Value = serde_json::from_str(stdout.trim()).expect("a JSON report");
    let faces = reports[0]["faces"].as_array().map_or(0, Vec::len);
    assert!(faces >= 1, "{reports}");
}
