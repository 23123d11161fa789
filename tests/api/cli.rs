//! The binary's start-up refusals: one clear line, no panic, no backtrace.

use std::process::Command;

fn igemoji() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_igemoji"));
    command.env_remove("IGEMOJI_ENV").env("RUST_BACKTRACE", "1");
    command
}

fn assert_refused(output: std::process::Output, expected: &str) {
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.to_lowercase().contains(&expected.to_lowercase()),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("backtrace"), "{stderr}");
}

#[test]
fn production_without_a_jwt_secret_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let output = igemoji()
        .current_dir(dir.path())
        .env("IGEMOJI_ENV", "production")
        .env("IGEMOJI__SERVER__BIND", "127.0.0.1:0")
        .env("IGEMOJI__ADMIN__BIND", "127.0.0.1:0")
        .output()
        .unwrap();
    assert_refused(output, "auth.jwt_secret is not set");
    assert!(!dir.path().join("data/jwt-secret").exists());
}

#[test]
fn a_bad_config_value_names_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "[limits]\nlogin_window = \"soon\"\n").unwrap();
    let output = igemoji()
        .current_dir(dir.path())
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_refused(output, "limits.login_window");
}

#[test]
fn an_environment_override_is_checked_too() {
    let dir = tempfile::tempdir().unwrap();
    let output = igemoji()
        .current_dir(dir.path())
        .env("IGEMOJI__SERVER__BIND", "nowhere")
        .output()
        .unwrap();
    assert_refused(output, "server.bind");
}

#[test]
fn a_missing_config_file_is_named() {
    let output = igemoji()
        .args(["--config", "/nonexistent/igemoji.toml"])
        .output()
        .unwrap();
    assert_refused(output, "/nonexistent/igemoji.toml");
}

#[test]
fn migrate_creates_the_schema_and_exits() {
    let dir = tempfile::tempdir().unwrap();
    let output = igemoji()
        .current_dir(dir.path())
        .arg("migrate")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(dir.path().join("data/igemoji.db").exists());
}

#[test]
fn analyze_prints_each_face_as_json_and_draws_them() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let annotated = out.path().join("annotated.png");
    let output = igemoji()
        .current_dir(root)
        .args([
            "analyze",
            "--json",
            "tests/fixtures/photos/skimage_astronaut.png",
            "--annotate",
        ])
        .arg(&annotated)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let reports: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let face = &reports[0]["faces"][0];
    assert_eq!(reports[0]["width"], 512);
    assert_eq!(face["expression"], "happy");
    assert!(face["box"]["width"].as_f64().unwrap() > 50.0);
    assert!(face["scores"]["neutral"].is_number());
    let drawn = image::open(&annotated).unwrap();
    assert_eq!(drawn.width(), 512);
}

#[test]
fn analyze_reports_a_bad_file_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("photo.jpg");
    std::fs::write(&fake, "not really a photo").unwrap();
    let output = igemoji()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["analyze", "--json"])
        .arg(&fake)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let reports: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(reports[0]["error"]["code"], "unsupported_format");
}

#[test]
fn sigterm_stops_the_server_gracefully() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut child = igemoji()
        .current_dir(dir.path())
        .env("IGEMOJI__SERVER__BIND", "127.0.0.1:0")
        .env("IGEMOJI__ADMIN__BIND", "127.0.0.1:0")
        .env("IGEMOJI__LOG__FORMAT", "json")
        .env("IGEMOJI__LOG__LEVEL", "info")
        .env("IGEMOJI__SERVER__STATIC_DIR", repo.join("static"))
        .env("IGEMOJI__ANALYSIS__MODELS_DIR", repo.join("models"))
        .env("IGEMOJI__EMOJIS__BUILTIN_DIR", repo.join("assets/emoji"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut port = None;
    let mut line = String::new();
    while port.is_none() && stderr.read_line(&mut line).unwrap() > 0 {
        if let Ok(event) = serde_json::from_str::<serde_json::Value>(&line) {
            port = event["port"].as_u64();
        }
        line.clear();
    }
    let port = port.expect("the server logs its port");

    let mut connection = std::net::TcpStream::connect(("127.0.0.1", port as u16)).unwrap();
    connection
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    connection.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(status.success(), "{status:?}: {rest}");
    assert!(rest.contains("igemoji stopped"), "{rest}");
}
