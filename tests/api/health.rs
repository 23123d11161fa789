use crate::helpers::spawn_app;

#[tokio::test]
async fn liveness_and_readiness_answer_200() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").send().await.unwrap().status(), 200);
    assert_eq!(app.get("/readyz").send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn metrics_are_served_on_the_admin_port_by_route_template() {
    let app = spawn_app().await;
    app.check_username("someone").await;
    app.get("/api/v1/users/auth").send().await.unwrap();
    let metrics = app.metrics().await;
    assert!(
        metrics
            .contains(r#"http_requests_total{method="GET",route="/api/v1/users/",status="200"}"#),
        "{metrics}"
    );
    assert!(metrics.contains(r#"route="/api/v1/users/auth",status="401""#));
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
