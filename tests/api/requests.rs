//! How the API answers malformed requests: always JSON, always the right status.

use serde_json::json;

use crate::helpers::{error_of, spawn_app, spawn_app_with};

#[tokio::test]
async fn malformed_json_gets_400() {
    let app = spawn_app().await;
    let response = app
        .post("/api/v1/users/")
        .header("content-type", "application/json")
        .body(r#"{"username": "x", "#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(error_of(response).await["code"], "malformed_json");
}

#[tokio::test]
async fn an_empty_body_gets_400() {
    let app = spawn_app().await;
    let response = app
        .post("/api/v1/users/")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    error_of(response).await;
}

#[tokio::test]
async fn a_wrong_content_type_gets_400() {
    let app = spawn_app().await;
    let response = app
        .post("/api/v1/users/")
        .header("content-type", "text/plain")
        .body(r#"{"username":"abc","password":"12345678"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(error_of(response).await["code"], "wrong_content_type");
}

#[tokio::test]
async fn a_body_over_the_limit_gets_413() {
    let app = spawn_app_with(|settings| settings.limits.json_body_bytes = 4096).await;
    let response = app
        .post("/api/v1/users/")
        .json(&json!({ "username": "big", "password": "p".repeat(10_000) }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(error_of(response).await["code"], "body_too_large");
}

#[tokio::test]
async fn an_unknown_api_path_gets_a_json_404() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/nothing-here").send().await.unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(error_of(response).await["code"], "not_found");
}

#[tokio::test]
async fn a_wrong_method_gets_a_json_405() {
    let app = spawn_app().await;
    let response = app.delete("/api/v1/users/").send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET, POST");
    assert_eq!(error_of(response).await["code"], "method_not_allowed");

    let probe = app.post("/healthz").send().await.unwrap();
    assert_eq!(probe.status(), 405);
    assert_eq!(probe.headers()["allow"], "GET");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let first = app.get("/healthz").send().await.unwrap();
    let second = app.get("/api/v1/nope").send().await.unwrap();
    let id = |r: &reqwest::Response| r.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id(&first).len(), 36);
    assert_ne!(id(&first), id(&second));
}
