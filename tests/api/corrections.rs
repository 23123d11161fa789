//! A person fixes the emoji of one face of a finished task.

use std::time::Duration;

use reqwest::Response;
use serde_json::{Value, json};

use crate::helpers::{
    EXPRESSIONS, TestApp, damaged_png, error_of, expression_colour, fixture, spawn_app,
    spawn_app_with,
};

const HOPPER: &str = "matplotlib_grace_hopper.jpg";
/// Three people side by side.
const GROUP: &str = "faceapi_sample3.jpg";

impl TestApp {
    async fn correct_face(
        &self,
        task_id: &str,
        index: &str,
        body: Value,
        token: Option<&str>,
    ) -> Response {
        let mut request = self
            .client
            .patch(self.url(&format!("/api/v1/faces/tasks/{task_id}/faces/{index}")))
            .json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }

    /// A finished task of `photo` covered by a template of one colour per
    /// expression, owned by `token`'s user.
    async fn finished_task(&self, token: Option<&str>, owner: &str, photo: &str) -> Value {
        let emoji = self.create_test_emoji(owner, "Colours", "public").await;
        let emoji_id = emoji["id"].as_i64().unwrap();
        let response = self
            .upload_photo(token, emoji_id, fixture(photo), photo)
            .await;
        assert_eq!(response.status(), 202);
        let created: Value = response.json().await.unwrap();
        let task = self
            .wait_for_task(created["task_id"].as_str().unwrap(), token)
            .await;
        assert_eq!(task["status"], "done", "{task}");
        task
    }

    /// The colour at the centre of face `index` in the task's result.
    async fn colour_on_face(&self, task: &Value, index: usize) -> [u8; 3] {
        let bytes = self
            .fetch_media(task["result_url"].as_str().unwrap())
            .await
            .bytes()
            .await
            .unwrap();
        let image = image::load_from_memory(&bytes).unwrap().into_rgb8();
        let face = &task["faces"][index]["box"];
        let centre = |start: &str, length: &str| {
            (face[start].as_f64().unwrap() + face[length].as_f64().unwrap() / 2.0) as u32
        };
        image
            .get_pixel(centre("x", "width"), centre("y", "height"))
            .0
    }
}

fn near(actual: [u8; 3], expected: [u8; 3]) -> bool {
    actual
        .iter()
        .zip(expected)
        .all(|(a, e)| (i32::from(*a) - i32::from(e)).abs() <= 30)
}

fn task_id(task: &Value) -> &str {
    task["task_id"].as_str().unwrap()
}

#[tokio::test]
async fn a_corrected_face_gets_the_chosen_emoji_and_keeps_what_the_model_read() {
    let app = spawn_app().await;
    let token = app.token_for_new_user("carol").await;
    let task = app.finished_task(Some(&token), &token, HOPPER).await;
    let predicted = task["faces"][0]["expression"].as_str().unwrap().to_owned();
    assert_eq!(task["faces"][0]["corrected"], false);
    let chosen = if predicted == "angry" { "sad" } else { "angry" };

    let response = app
        .correct_face(
            task_id(&task),
            "0",
            json!({ "expression": chosen }),
            Some(&token),
        )
        .await;
    assert_eq!(response.status(), 200);
    let corrected: Value = response.json().await.unwrap();

    let face = &corrected["faces"][0];
    assert_eq!(face["expression"], chosen, "{corrected}");
    assert_eq!(face["predicted"], predicted.as_str());
    assert_eq!(face["corrected"], true);
    assert_eq!(face["hidden"], false);
    assert_eq!(face["box"], task["faces"][0]["box"], "no new face search");
    assert!(face["emoji_url"].as_str().unwrap() != task["faces"][0]["emoji_url"]);
    assert!(near(
        app.colour_on_face(&corrected, 0).await,
        expression_colour(chosen)
    ));
    // New pictures; the old ones are gone from the store.
    for url in ["result_url", "thumbnail_url"] {
        assert_ne!(corrected[url], task[url]);
        let old = app.fetch_media(task[url].as_str().unwrap()).await;
        assert_eq!(old.status(), 404, "{url}");
    }
    assert_eq!(
        app.stored_keys(&format!("results/{}", task_id(&task)))
            .await
            .len(),
        2
    );
    // GET shows the same.
    let (_, read) = app
        .get_json(
            &format!("/api/v1/faces/tasks/{}", task_id(&task)),
            Some(&token),
        )
        .await;
    assert_eq!(read["faces"], corrected["faces"]);
}

#[tokio::test]
async fn a_hidden_face_shows_the_photo_and_comes_back_when_unhidden() {
    let app = spawn_app().await;
    let owner = app.token_for_new_user("dave").await;
    // An anonymous task: whoever holds its id may fix it.
    let task = app.finished_task(None, &owner, HOPPER).await;
    let expression = task["faces"][0]["expression"].as_str().unwrap().to_owned();

    let hidden: Value = app
        .correct_face(task_id(&task), "0", json!({ "hidden": true }), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(hidden["faces"][0]["hidden"], true, "{hidden}");
    assert_eq!(hidden["faces"][0]["corrected"], true);
    let bare = app.colour_on_face(&hidden, 0).await;
    for other in EXPRESSIONS {
        assert!(
            !near(bare, expression_colour(other)),
            "{other} emoji still on the face"
        );
    }

    let shown: Value = app
        .correct_face(task_id(&task), "0", json!({ "hidden": false }), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["faces"][0]["hidden"], false);
    assert_eq!(shown["faces"][0]["expression"], expression.as_str());
    assert!(near(
        app.colour_on_face(&shown, 0).await,
        expression_colour(&expression)
    ));
}

#[tokio::test]
async fn bad_corrections_are_refused_with_the_field_at_fault() {
    let app = spawn_app().await;
    let token = app.token_for_new_user("erin").await;
    let task = app.finished_task(Some(&token), &token, HOPPER).await;
    let id = task_id(&task);

    let cases = [
        ("1", json!({ "expression": "happy" }), "index"),
        ("-1", json!({ "expression": "happy" }), "index"),
        ("first", json!({ "expression": "happy" }), "index"),
        ("0", json!({ "expression": "smug" }), "expression"),
        ("0", json!({}), "expression"),
    ];
    for (index, body, field) in cases {
        let response = app
            .correct_face(id, index, body.clone(), Some(&token))
            .await;
        assert_eq!(response.status(), 422, "{index} {body}");
        let error = error_of(response).await;
        assert!(
            error["fields"][field].is_string(),
            "{index} {body}: {error}"
        );
    }
    let response = app
        .correct_face(id, "0", json!({ "hidden": "yes" }), Some(&token))
        .await;
    assert_eq!(response.status(), 422);
    let response = app
        .correct_face(id, "0", json!({ "colour": "red" }), Some(&token))
        .await;
    assert_eq!(response.status(), 422);

    // Someone else's task does not exist for them, nor for the anonymous.
    let stranger = app.token_for_new_user("frank").await;
    for viewer in [Some(stranger.as_str()), None] {
        let response = app
            .correct_face(id, "0", json!({ "expression": "sad" }), viewer)
            .await;
        assert_eq!(response.status(), 404);
        assert_eq!(error_of(response).await["code"], "task_not_found");
    }
    let response = app
        .correct_face(
            "00000000-0000-4000-8000-000000000000",
            "0",
            json!({ "expression": "sad" }),
            Some(&token),
        )
        .await;
    assert_eq!(response.status(), 404);

    // Nothing changed.
    let (_, read) = app
        .get_json(&format!("/api/v1/faces/tasks/{id}"), Some(&token))
        .await;
    assert_eq!(read["result_url"], task["result_url"]);
    assert_eq!(read["faces"][0]["corrected"], false);
}

#[tokio::test]
async fn a_failed_task_cannot_be_corrected() {
    let app = spawn_app().await;
    let twemoji = app.builtin_emoji_id("Twemoji").await;
    let png = damaged_png();
    let created: Value = app
        .upload_photo(None, twemoji, png, "damaged.png")
        .await
        .json()
        .await
        .unwrap();
    let task = app.wait_for_task(task_id(&created), None).await;
    assert_eq!(task["status"], "failed");

    let response = app
        .correct_face(task_id(&task), "0", json!({ "expression": "sad" }), None)
        .await;
    assert_eq!(response.status(), 409);
    assert_eq!(error_of(response).await["code"], "task_not_done");
}

#[tokio::test]
async fn once_the_original_is_removed_a_correction_is_gone_with_a_reason() {
    let app = spawn_app_with(|settings| {
        settings.tasks.original_retention = Duration::ZERO;
        settings.tasks.cleanup_interval = Duration::from_millis(100);
    })
    .await;
    let owner = app.token_for_new_user("gina").await;
    let task = app.finished_task(None, &owner, HOPPER).await;
    for _ in 0..50 {
        if app.stored_keys("uploads").await.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let response = app
        .correct_face(task_id(&task), "0", json!({ "expression": "sad" }), None)
        .await;
    assert_eq!(response.status(), 410);
    let error = error_of(response).await;
    assert_eq!(error["code"], "original_expired");
    assert!(error["message"].as_str().unwrap().contains("retention"));
}

#[tokio::test]
async fn two_corrections_of_one_task_at_once_both_land() {
    let app = spawn_app().await;
    let token = app.token_for_new_user("hank").await;
    let task = app.finished_task(Some(&token), &token, GROUP).await;
    assert!(task["faces"].as_array().unwrap().len() >= 2, "{task}");
    let id = task_id(&task);

    let (first, second) = tokio::join!(
        app.correct_face(id, "0", json!({ "expression": "fear" }), Some(&token)),
        app.correct_face(id, "1", json!({ "hidden": true }), Some(&token)),
    );
    assert_eq!(first.status(), 200);
    assert_eq!(second.status(), 200);

    let (_, read) = app
        .get_json(&format!("/api/v1/faces/tasks/{id}"), Some(&token))
        .await;
    assert_eq!(read["faces"][0]["expression"], "fear", "{read}");
    assert_eq!(read["faces"][0]["hidden"], false);
    assert_eq!(read["faces"][1]["hidden"], true);
    assert_eq!(read["faces"][1]["corrected"], true);
    assert!(near(
        app.colour_on_face(&read, 0).await,
        expression_colour("fear")
    ));
    // One result and its thumbnail are left, the last one.
    assert_eq!(app.stored_keys(&format!("results/{id}")).await.len(), 2);
}
