use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn liveness_and_readiness_answer_200() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").send().await.unwrap().status(), 200);
    assert_eq!(app.get("/readyz").send().await.unwrap().status(), 200);
}

/// What is counted, exactly, is checked in tests/metrics/ (a process of its
/// own, since the recorder is global); here, that the admin port serves it.
#[tokio::test]
async fn metrics_are_served_on_the_admin_port() {
    let app = spawn_app().await;
    app.check_username("someone").await;
    let metrics = app.metrics().await;
    assert!(metrics.contains("http_request_duration_seconds_bucket"));
    assert!(metrics.contains("process_resident_memory_bytes"));
    assert!(metrics.contains("process_open_fds"));
    assert!(metrics.contains("process_uptime_seconds"));
    assert!(
        !metrics.contains("someone"),
        "raw paths or queries never become labels"
    );
}

#[tokio::test]
async fn metrics_are_not_on_the_public_port() {
    let app = spawn_app().await;
    app.get("/healthz").send().await.unwrap();
    // The public port answers /metrics with the web app's page, never the metrics.
    let body = app
        .get("/metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!body.contains("http_requests_total"));
}

#[tokio::test]
async fn the_config_tells_the_upload_limits_the_server_enforces() {
    let app = spawn_app_with(|settings| {
        settings.analysis.max_bytes = 50_000;
        settings.emojis.max_image_bytes = 40_000;
        settings.emojis.max_image_side = 300;
    })
    .await;
    let (status, config) = app.get_json("/api/v1/config", None).await;
    assert_eq!(status, 200, "{config}");
    assert_eq!(config["photo"]["max_bytes"], 50_000);
    assert_eq!(config["template_image"]["max_bytes"], 40_000);
    assert_eq!(config["template_image"]["max_side"], 300);
    let photo_types = config["photo"]["media_types"].as_array().unwrap();
    assert!(photo_types.contains(&"image/jpeg".into()));
    assert!(!photo_types.contains(&"image/bmp".into()), "{config}");

    // What it says is what uploads meet.
    let emoji_id = app.builtin_emoji_id("Twemoji").await;
    let too_big = vec![0xFF; 50_001];
    let response = app.upload_photo(None, emoji_id, too_big, "big.jpg").await;
    assert_eq!(response.status(), 413);
    let mut bmp = b"BM".to_vec();
    bmp.resize(1_000, 0);
    let response = app.upload_photo(None, emoji_id, bmp, "photo.bmp").await;
    assert_eq!(response.status(), 415);
}
