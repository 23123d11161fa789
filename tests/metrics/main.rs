//! Metrics, counted exactly. The Prometheus recorder is global to a process,
//! so these tests live in a binary of their own and run one at a time (each
//! holds `ONE_AT_A_TIME`): every counter moves only by what the test did, and
//! each asserts the difference before and after on the series it touches.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

#[allow(dead_code)] // the API tests' helpers; these tests use a few
#[path = "../api/helpers.rs"]
mod helpers;

use std::collections::HashMap;

use serde_json::{Value, json};
use tokio::sync::{Mutex, MutexGuard};

use helpers::{
    TestApp, damaged_png, fixture, image_part, metric_value_in, spawn_app, spawn_app_with,
};

const HOPPER: &str = "matplotlib_grace_hopper.jpg";

static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

async fn exclusive() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().await
}

/// The values of `series` now, to compare with later.
struct Snapshot(HashMap<String, f64>);

impl Snapshot {
    async fn of(app: &TestApp, series: &[&str]) -> Snapshot {
        let page = app.metrics().await;
        Snapshot(
            series
                .iter()
                .map(|name| (name.to_string(), metric_value_in(&page, name)))
                .collect(),
        )
    }

    /// How much each series moved since the snapshot.
    async fn changes(&self, app: &TestApp) -> HashMap<String, f64> {
        let page = app.metrics().await;
        self.0
            .iter()
            .map(|(name, before)| (name.clone(), metric_value_in(&page, name) - before))
            .collect()
    }
}

async fn upload(app: &TestApp, photo: Vec<u8>, name: &str) -> Value {
    let emoji_id = app.builtin_emoji_id("Twemoji").await;
    let response = app.upload_photo(None, emoji_id, photo, name).await;
    assert_eq!(response.status(), 202, "{name} is accepted");
    let created: Value = response.json().await.unwrap();
    app.wait_for_task(created["task_id"].as_str().unwrap(), None)
        .await
}

#[tokio::test]
async fn a_finished_task_counts_once_in_each_task_series() {
    let _turn = exclusive().await;
    let app = spawn_app().await;
    let series = [
        "tasks_total{status=\"queued\"}",
        "tasks_total{status=\"done\"}",
        "tasks_total{status=\"failed\"}",
        "faces_detected_total",
        "faces_per_photo_count",
        "analysis_duration_seconds_count{stage=\"decode\"}",
        "analysis_duration_seconds_count{stage=\"detect\"}",
        "analysis_duration_seconds_count{stage=\"classify\"}",
        "analysis_duration_seconds_count{stage=\"compose\"}",
    ];
    let before = Snapshot::of(&app, &series).await;
    let expressions: Vec<String> = [
        "angry", "disgust", "fear", "happy", "sad", "surprise", "neutral",
    ]
    .iter()
    .map(|expression| format!("expressions_total{{expression=\"{expression}\"}}"))
    .collect();
    let expression_series: Vec<&str> = expressions.iter().map(String::as_str).collect();
    let expressions_before = Snapshot::of(&app, &expression_series).await;

    let task = upload(&app, fixture(HOPPER), "hopper.jpg").await;
    assert_eq!(task["status"], "done", "{task}");
    let faces = task["faces"].as_array().unwrap();
    assert_eq!(faces.len(), 1);

    let changes = before.changes(&app).await;
    for (name, expected) in [
        ("tasks_total{status=\"queued\"}", 1.0),
        ("tasks_total{status=\"done\"}", 1.0),
        ("tasks_total{status=\"failed\"}", 0.0),
        ("faces_detected_total", 1.0),
        ("faces_per_photo_count", 1.0),
        ("analysis_duration_seconds_count{stage=\"decode\"}", 1.0),
        ("analysis_duration_seconds_count{stage=\"detect\"}", 1.0),
        ("analysis_duration_seconds_count{stage=\"classify\"}", 1.0),
        ("analysis_duration_seconds_count{stage=\"compose\"}", 1.0),
    ] {
        assert_eq!(changes[name], expected, "{name}: {changes:?}");
    }
    let read = faces[0]["expression"].as_str().unwrap();
    let expression_changes = expressions_before.changes(&app).await;
    for (name, change) in &expression_changes {
        let expected = if name.contains(&format!("\"{read}\"")) {
            1.0
        } else {
            0.0
        };
        assert_eq!(*change, expected, "{name}: {expression_changes:?}");
    }
}

#[tokio::test]
async fn a_damaged_photo_counts_as_one_failed_task() {
    let _turn = exclusive().await;
    let app = spawn_app().await;
    let series = [
        "tasks_total{status=\"failed\"}",
        "tasks_total{status=\"done\"}",
    ];
    let before = Snapshot::of(&app, &series).await;
    let task = upload(&app, damaged_png(), "damaged.png").await;
    assert_eq!(task["status"], "failed", "{task}");
    let changes = before.changes(&app).await;
    assert_eq!(
        changes["tasks_total{status=\"failed\"}"], 1.0,
        "{changes:?}"
    );
    assert_eq!(changes["tasks_total{status=\"done\"}"], 0.0, "{changes:?}");
}

#[tokio::test]
async fn refused_uploads_are_counted_by_reason() {
    let _turn = exclusive().await;
    let app = spawn_app_with(|settings| {
        settings.tasks.max_queued = 2;
        settings.analysis.workers = 1;
    })
    .await;
    let series = [
        "uploads_rejected_total{reason=\"unsupported_format\"}",
        "uploads_rejected_total{reason=\"queue_full\"}",
    ];
    let before = Snapshot::of(&app, &series).await;
    let emoji_id = app.builtin_emoji_id("Twemoji").await;
    let refused = app
        .upload_photo(None, emoji_id, b"plain text".to_vec(), "notes.txt")
        .await;
    assert_eq!(refused.status(), 415);

    let token = app.token_for_new_user("burst").await;
    let photo = fixture("faceapi_sample1.jpg");
    let uploads = (0..10).map(|_| app.upload_photo(Some(&token), emoji_id, photo.clone(), "a.jpg"));
    let mut queue_full = 0.0;
    let mut accepted = Vec::new();
    for response in futures_util::future::join_all(uploads).await {
        match response.status().as_u16() {
            202 => accepted.push(response.json::<Value>().await.unwrap()),
            503 => queue_full += 1.0,
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(
        queue_full >= 1.0,
        "the queue of 2 refused some of 10 uploads"
    );
    for created in accepted {
        app.wait_for_task(created["task_id"].as_str().unwrap(), Some(&token))
            .await;
    }
    let changes = before.changes(&app).await;
    assert_eq!(
        changes["uploads_rejected_total{reason=\"unsupported_format\"}"], 1.0,
        "{changes:?}"
    );
    assert_eq!(
        changes["uploads_rejected_total{reason=\"queue_full\"}"], queue_full,
        "{changes:?}"
    );
}

#[tokio::test]
async fn requests_are_counted_by_route_template_and_status() {
    let _turn = exclusive().await;
    let app = spawn_app().await;
    let series = [
        "http_requests_total{method=\"GET\",route=\"/api/v1/users/\",status=\"200\"}",
        "http_requests_total{method=\"GET\",route=\"/api/v1/users/auth\",status=\"401\"}",
        "http_requests_total{method=\"GET\",route=\"/api/v1/emojis/{id}\",status=\"404\"}",
    ];
    let before = Snapshot::of(&app, &series).await;
    app.check_username("someone").await;
    app.check_username("someone-else").await;
    app.get("/api/v1/users/auth").send().await.unwrap();
    app.get("/api/v1/emojis/987654").send().await.unwrap();
    let changes = before.changes(&app).await;
    assert_eq!(changes[series[0]], 2.0, "{changes:?}");
    assert_eq!(changes[series[1]], 1.0, "{changes:?}");
    assert_eq!(changes[series[2]], 1.0, "{changes:?}");
    let page = app.metrics().await;
    assert!(
        !page.contains("someone"),
        "raw paths or queries never become labels"
    );
    assert!(!page.contains("987654"));
}

#[tokio::test]
async fn a_correction_counts_what_the_model_read_and_what_the_person_chose() {
    let _turn = exclusive().await;
    let app = spawn_app().await;
    let task = upload(&app, fixture(HOPPER), "hopper.jpg").await;
    let predicted = task["faces"][0]["expression"].as_str().unwrap().to_owned();
    let chosen = if predicted == "angry" { "sad" } else { "angry" };
    let series =
        format!("expression_corrections_total{{predicted=\"{predicted}\",chosen=\"{chosen}\"}}");
    let hidden =
        format!("expression_corrections_total{{predicted=\"{predicted}\",chosen=\"none\"}}");
    let before = Snapshot::of(&app, &[&series, &hidden]).await;
    let path = format!(
        "/api/v1/faces/tasks/{}/faces/0",
        task["task_id"].as_str().unwrap()
    );
    for body in [json!({ "expression": chosen }), json!({ "hidden": true })] {
        let response = app
            .client
            .patch(app.url(&path))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let refused = app
        .client
        .patch(app.url(&path))
        .json(&json!({ "expression": "bored" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let changes = before.changes(&app).await;
    assert_eq!(changes[&series], 1.0, "{changes:?}");
    assert_eq!(changes[&hidden], 1.0, "{changes:?}");
}

#[tokio::test]
async fn an_image_part_is_counted_nowhere_until_it_is_a_task() {
    // A form that never becomes a task moves no task series.
    let _turn = exclusive().await;
    let app = spawn_app().await;
    let series = ["tasks_total{status=\"queued\"}"];
    let before = Snapshot::of(&app, &series).await;
    let form = reqwest::multipart::Form::new()
        .text("emoji_id", "987654")
        .part("image", image_part(fixture(HOPPER), "a.jpg"));
    assert_eq!(app.upload_form(None, form).await.status(), 422);
    assert_eq!(before.changes(&app).await[series[0]], 0.0);
}
