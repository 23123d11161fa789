use std::time::Duration;

use reqwest::multipart::Form;
use serde_json::Value;

use crate::helpers::{
    TestApp, damaged_png, encoded, error_of, expression_colour, fixture, image_part, spawn_app,
    spawn_app_with,
};

const HOPPER: &str = "matplotlib_grace_hopper.jpg";

fn close(actual: &Value, expected: f64, tolerance: f64) -> bool {
    (actual.as_f64().unwrap() - expected).abs() <= tolerance
}

async fn upload_and_wait(app: &TestApp, token: Option<&str>, emoji_id: i64, photo: &str) -> Value {
    let response = app
        .upload_photo(token, emoji_id, fixture(photo), photo)
        .await;
    assert_eq!(response.status(), 202, "{photo} is accepted");
    let created: Value = response.json().await.unwrap();
    app.wait_for_task(created["task_id"].as_str().unwrap(), token)
        .await
}

#[tokio::test]
async fn a_photo_comes_back_with_each_face_covered_by_its_expressions_emoji() {
    let app = spawn_app().await;
    let token = app.token_for_new_user("alice").await;
    let emoji = app.create_test_emoji(&token, "Colours", "public").await;
    let emoji_id = emoji["id"].as_i64().unwrap();

    let response = app
        .upload_photo(Some(&token), emoji_id, fixture(HOPPER), "hopper.jpg")
        .await;
    assert_eq!(response.status(), 202);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["status"], "queued");
    assert_eq!(created["status_url"], location);
    let task = app
        .wait_for_task(created["task_id"].as_str().unwrap(), Some(&token))
        .await;

    assert_eq!(task["status"], "done", "{task}");
    assert_eq!(task["emoji_id"], emoji_id);
    assert!(task["error"].is_null());
    assert!(task["finished_at"].is_string());
    assert_eq!(
        (task["image_width"].as_u64(), task["image_height"].as_u64()),
        (Some(512), Some(600))
    );
    let faces = task["faces"].as_array().unwrap();
    assert_eq!(faces.len(), 1, "{task}");
    let face = &faces[0];
    assert_eq!(face["expression"], "neutral");
    let face_box = &face["box"];
    assert!(
        close(&face_box["x"], 158.0, 25.0) && close(&face_box["y"], 119.0, 25.0),
        "{face_box}"
    );
    assert!(close(&face_box["width"], 208.0, 30.0), "{face_box}");
    let total: f64 = face["scores"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_f64().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-3);
    assert_eq!(face["emoji_url"], emoji["images"]["neutral"]);

    let response = app.fetch_media(task["result_url"].as_str().unwrap()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    let jpeg = response.bytes().await.unwrap();
    assert!(
        !jpeg.windows(4).any(|w| w == b"Exif"),
        "no metadata is kept"
    );
    let result = image::load_from_memory(&jpeg).unwrap().to_rgb8();
    assert_eq!(result.dimensions(), (512, 600));
    let original = image::load_from_memory(&fixture(HOPPER)).unwrap().to_rgb8();
    let centre_x =
        (face_box["x"].as_f64().unwrap() + face_box["width"].as_f64().unwrap() / 2.0) as u32;
    let centre_y =
        (face_box["y"].as_f64().unwrap() + face_box["height"].as_f64().unwrap() / 2.0) as u32;
    let neutral = expression_colour("neutral");
    let near = |pixel: &image::Rgb<u8>, colour: [u8; 3]| {
        pixel
            .0
            .iter()
            .zip(colour)
            .all(|(a, b)| (i16::from(*a) - i16::from(b)).abs() < 30)
    };
    for (dx, dy) in [(0i32, 0i32), (-90, -90), (90, 90), (-90, 90), (90, -90)] {
        let (x, y) = ((centre_x as i32 + dx) as u32, (centre_y as i32 + dy) as u32);
        assert!(
            near(result.get_pixel(x, y), neutral),
            "the emoji covers ({x},{y})"
        );
        assert!(
            !near(original.get_pixel(x, y), neutral),
            "the photo differed at ({x},{y})"
        );
    }
    assert!(
        near(result.get_pixel(5, 5), original.get_pixel(5, 5).0),
        "the rest is the photo"
    );
    let thumbnail = app
        .fetch_media(task["thumbnail_url"].as_str().unwrap())
        .await;
    let thumbnail = image::load_from_memory(&thumbnail.bytes().await.unwrap()).unwrap();
    assert!(thumbnail.width().max(thumbnail.height()) <= 320);

    let (_, top3) = app.get_json("/api/v1/emojis/top3", None).await;
    assert_eq!(top3["items"].as_array().unwrap().len(), 1, "{top3}");
    assert_eq!(top3["items"][0]["id"], emoji_id);
    assert_eq!(top3["items"][0]["use_count"], 1);
    let (_, week) = app.get_json("/api/v1/emojis/top3?days=7", None).await;
    assert_eq!(week["days"], 7);
    assert_eq!(week["items"][0]["use_count"], 1);
    let (_, gallery) = app.get_json("/api/v1/emojis/", None).await;
    assert_eq!(gallery["items"][0]["id"], emoji_id, "most used first");

    let (status, used) = app
        .get_json("/api/v1/users/mypage?case=used", Some(&token))
        .await;
    assert_eq!(status, 200);
    assert_eq!(used["total"], 1);
    assert_eq!(used["items"][0]["task_id"], task["task_id"]);
    assert_eq!(used["items"][0]["status"], "done");
    assert_eq!(used["items"][0]["emoji"]["id"], emoji_id);
    assert_eq!(used["items"][0]["result_url"], task["result_url"]);
    let (_, created) = app
        .get_json("/api/v1/users/mypage?case=2", Some(&token))
        .await;
    assert_eq!(created["total"], 1);
    assert_eq!(created["items"][0]["use_count"], 1);
    let (status, _) = app
        .get_json("/api/v1/users/mypage?case=3", Some(&token))
        .await;
    assert_eq!(status, 422);
    let (status, _) = app.get_json("/api/v1/users/mypage?case=used", None).await;
    assert_eq!(status, 401);

    // Deleting the template keeps results made with it.
    let response = app
        .delete(&format!("/api/v1/emojis/{emoji_id}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(
        app.fetch_media(task["result_url"].as_str().unwrap())
            .await
            .status(),
        200
    );
    let (_, used) = app
        .get_json("/api/v1/users/mypage?case=used", Some(&token))
        .await;
    assert!(used["items"][0]["emoji"].is_null());

    // Deleting the account removes the tasks and every file they made.
    assert!(!app.stored_keys("results").await.is_empty());
    assert_eq!(app.delete_me(&token).await.status(), 204);
    assert_eq!(app.stored_keys("results").await, Vec::<String>::new());
    assert_eq!(app.stored_keys("uploads").await, Vec::<String>::new());
    let (status, _) = app
        .get_json(
            &format!("/api/v1/faces/tasks/{}", task["task_id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_built_in_template_turns_a_smile_into_the_happy_emoji() {
    let app = spawn_app().await;
    let twemoji = app.builtin_emoji_id("Twemoji").await;
    let task = upload_and_wait(&app, None, twemoji, "skimage_astronaut.png").await;
    assert_eq!(task["status"], "done", "{task}");
    assert_eq!(task["faces"][0]["expression"], "happy");
    let result = app.fetch_media(task["result_url"].as_str().unwrap()).await;
    // The astronaut PNG has no alpha channel, so the result is a JPEG.
    assert_eq!(result.headers()["content-type"], "image/jpeg");
}

#[tokio::test]
async fn only_a_photo_with_see_through_pixels_comes_back_as_png() {
    let app = spawn_app().await;
    let twemoji = app.builtin_emoji_id("Twemoji").await;
    let opaque = image::load_from_memory(&fixture("skimage_astronaut.png"))
        .unwrap()
        .to_rgba8();
    let mut cut_out = opaque.clone();
    for (x, y, pixel) in cut_out.enumerate_pixels_mut() {
        if x < 40 && y < 40 {
            pixel.0[3] = 0;
        }
    }

    for (photo, content_type) in [(&cut_out, "image/png"), (&opaque, "image/jpeg")] {
        let response = app
            .upload_photo(
                None,
                twemoji,
                encoded(photo.clone(), image::ImageFormat::Png),
                "astronaut.png",
            )
            .await;
        let created: Value = response.json().await.unwrap();
        let task = app
            .wait_for_task(created["task_id"].as_str().unwrap(), None)
            .await;
        assert_eq!(task["faces"][0]["expression"], "happy", "{task}");
        let result = app.fetch_media(task["result_url"].as_str().unwrap()).await;
        assert_eq!(result.headers()["content-type"], content_type);
        let result = image::load_from_memory(&result.bytes().await.unwrap()).unwrap();
        if content_type == "image/png" {
            let result = result.to_rgba8();
            assert_eq!(
                result.get_pixel(5, 5).0[3],
                0,
                "the see-through corner stays so"
            );
            assert_eq!(result.get_pixel(100, 5).0[3], 255);
        }
    }
}

#[tokio::test]
async fn a_phone_photo_comes_back_upright_and_bare_and_its_original_is_never_served() {
    let app = spawn_app().await;
    let token = app.token_for_new_user("carol").await;
    let twemoji = app.builtin_emoji_id("Twemoji").await;
    // Stored 900x1280 with EXIF orientation 6; upright it is 1280x900.
    let photo = "faceapi_sample3_rot90_exif6.jpg";
    let form = Form::new()
        .text("emoji_id", twemoji.to_string())
        .part("image", image_part(fixture(photo), photo));
    let response = app
        .post("/api/v1/faces/tasks/")
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        202,
        "the original path takes uploads too"
    );
    let created: Value = response.json().await.unwrap();
    let task_id = created["task_id"].as_str().unwrap();
    let task = app.wait_for_task(task_id, Some(&token)).await;
    assert_eq!(task["status"], "done", "{task}");
    assert_eq!(
        (task["image_width"].as_u64(), task["image_height"].as_u64()),
        (Some(1280), Some(900))
    );
    assert!(!task["faces"].as_array().unwrap().is_empty(), "{task}");

    let result = app.fetch_media(task["result_url"].as_str().unwrap()).await;
    let jpeg = result.bytes().await.unwrap();
    assert!(
        !jpeg.windows(4).any(|w| w == b"Exif"),
        "the camera's metadata is gone"
    );
    let result = image::load_from_memory(&jpeg).unwrap();
    assert_eq!((result.width(), result.height()), (1280, 900));

    // The original, EXIF and all, is kept for its retention but not served.
    let original = format!("uploads/{task_id}.jpg");
    assert_eq!(app.stored_keys("uploads").await, vec![original.clone()]);
    let response = app.fetch_media(&format!("/media/{original}")).await;
    assert_eq!(response.status(), 404);
    assert_eq!(error_of(response).await["code"], "not_found");

    let (_, used) = app
        .get_json("/api/v1/users/mypage?case=1", Some(&token))
        .await;
    assert_eq!(
        used["items"][0]["task_id"], task_id,
        "case=1 is the used list"
    );
}

#[tokio::test]
async fn the_ranking_breaks_ties_by_the_latest_use_and_leaves_private_templates_out() {
    let app = spawn_app().await;
    let token = app.token_for_new_user("dave").await;
    let mut ids = Vec::new();
    for (name, visibility) in [
        ("First", "public"),
        ("Second", "public"),
        ("Hidden", "private"),
    ] {
        let emoji = app.create_test_emoji(&token, name, visibility).await;
        ids.push(emoji["id"].as_i64().unwrap());
    }
    let (first, second, hidden) = (ids[0], ids[1], ids[2]);
    let top3_ids = || async {
        let (_, top3) = app.get_json("/api/v1/emojis/top3", None).await;
        top3["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| {
                (
                    item["id"].as_i64().unwrap(),
                    item["use_count"].as_i64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };

    for emoji_id in [second, hidden, hidden] {
        let task = upload_and_wait(&app, Some(&token), emoji_id, HOPPER).await;
        assert_eq!(task["status"], "done", "{task}");
    }
    upload_and_wait(&app, Some(&token), first, HOPPER).await;
    // The later use wins the tie, though `second` is the newer template and
    // both uses may fall in one second; and each use shows at once, though
    // the ranking is cached.
    assert_eq!(top3_ids().await, vec![(first, 1), (second, 1)]);
    upload_and_wait(&app, Some(&token), second, HOPPER).await;
    assert_eq!(top3_ids().await, vec![(second, 2), (first, 1)]);
}

#[tokio::test]
async fn deleting_an_account_removes_its_templates_and_their_images() {
    let app = spawn_app().await;
    let token = app.token_for_new_user("erin").await;
    let emoji = app.create_test_emoji(&token, "Mine", "public").await;
    let emoji_id = emoji["id"].as_i64().unwrap();
    let image_url = emoji["images"]["happy"].as_str().unwrap().to_owned();
    let folder = image_url
        .trim_start_matches("/media/")
        .rsplit_once('/')
        .unwrap()
        .0
        .to_owned();
    let stored = |keys: Vec<String>| keys.iter().filter(|key| key.starts_with(&folder)).count();
    assert_eq!(stored(app.stored_keys("emojis").await), 7);
    upload_and_wait(&app, Some(&token), emoji_id, HOPPER).await;

    assert_eq!(app.delete_me(&token).await.status(), 204);
    assert_eq!(stored(app.stored_keys("emojis").await), 0);
    assert_eq!(app.fetch_media(&image_url).await.status(), 404);
    let (status, _) = app
        .get_json(&format!("/api/v1/emojis/{emoji_id}"), None)
        .await;
    assert_eq!(status, 404);
    let (_, top3) = app.get_json("/api/v1/emojis/top3", None).await;
    assert_eq!(top3["items"], serde_json::json!([]));
}

#[tokio::test]
async fn a_photo_whose_pixels_are_damaged_fails_with_a_clear_error() {
    let app = spawn_app().await;
    let twemoji = app.builtin_emoji_id("Twemoji").await;
    let png = damaged_png();
    let response = app.upload_photo(None, twemoji, png, "damaged.png").await;
    assert_eq!(response.status(), 202);
    let created: Value = response.json().await.unwrap();
    let task = app
        .wait_for_task(created["task_id"].as_str().unwrap(), None)
        .await;

    assert_eq!(task["status"], "failed", "{task}");
    assert_eq!(task["error"]["code"], "corrupt_image", "{task}");
    assert!(!task["error"]["message"].as_str().unwrap().is_empty());
    assert!(task["result_url"].is_null());
    assert!(task["finished_at"].is_string());
}

#[tokio::test]
async fn a_photo_without_faces_is_done_with_no_faces() {
    let app = spawn_app().await;
    let twemoji = app.builtin_emoji_id("Twemoji").await;
    let landscape = encoded(
        image::RgbImage::from_fn(640, 480, |x, y| {
            image::Rgb([(x / 3) as u8, (y / 2) as u8, 90])
        }),
        image::ImageFormat::Png,
    );
    let response = app.upload_photo(None, twemoji, landscape, "sky.png").await;
    let created: Value = response.json().await.unwrap();
    let task = app
        .wait_for_task(created["task_id"].as_str().unwrap(), None)
        .await;
    assert_eq!(task["status"], "done");
    assert_eq!(task["faces"], serde_json::json!([]));
    assert!(task["result_url"].is_string());
}

#[tokio::test]
async fn a_waiting_request_answers_as_soon_as_its_task_is_done() {
    // Idle workers and waiting requests re-read the database only every
    // 30 s here, so a prompt answer comes from this process's worker waking it.
    let app =
        spawn_app_with(|settings| settings.tasks.poll_interval = Duration::from_secs(30)).await;
    let twemoji = app.builtin_emoji_id("Twemoji").await;
    let response = app
        .upload_photo(None, twemoji, fixture(HOPPER), HOPPER)
        .await;
    assert_eq!(response.status(), 202);
    let created: Value = response.json().await.unwrap();
    let status_url = created["status_url"].as_str().unwrap();

    let (status, task) = app.get_json(&format!("{status_url}?wait=10"), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        task["status"], "done",
        "one request saw the task through: {task}"
    );
    assert_eq!(task["faces"].as_array().unwrap().len(), 1);
    let (status, again) = app.get_json(&format!("{status_url}?wait=0"), None).await;
    assert_eq!((status, &again["status"]), (200, &task["status"]));

    for bad in ["11", "-1", "soon"] {
        let response = app
            .get(&format!("{status_url}?wait={bad}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "wait={bad}");
    }
    let unknown = format!("/api/v1/faces/tasks/{}?wait=10", uuid::Uuid::new_v4());
    let (status, _) = app.get_json(&unknown, None).await;
    assert_eq!(status, 404, "an unknown task is not waited for");
}

/// A PNG whose header claims `width`×`height` pixels; no pixel data follows.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut chunk = b"IHDR".to_vec();
    chunk.extend(width.to_be_bytes());
    chunk.extend(height.to_be_bytes());
    chunk.extend([8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [
        (&b"IHDR"[..], &chunk[4..]),
        (b"IDAT", &[0u8; 16][..]),
        (b"IEND", &[][..]),
    ] {
        let mut typed = kind.to_vec();
        typed.extend(data);
        png.extend((data.len() as u32).to_be_bytes());
        png.extend(&typed);
        png.extend(crc32(&typed).to_be_bytes());
    }
    png
}

#[tokio::test]
async fn bad_photos_and_forms_are_refused_before_anything_is_queued() {
    let app = spawn_app_with(|settings| settings.analysis.max_bytes = 200_000).await;
    let owner = app.token_for_new_user("owner").await;
    let private = app.create_test_emoji(&owner, "Mine", "private").await;
    let twemoji = app.builtin_emoji_id("Twemoji").await;

    let cases: Vec<(&str, u16, &str, Form)> = vec![
        (
            "text file",
            415,
            "image",
            Form::new()
                .text("emoji_id", twemoji.to_string())
                .part("image", image_part(b"hello, I am text".to_vec(), "a.jpg")),
        ),
        (
            "empty file",
            422,
            "image",
            Form::new()
                .text("emoji_id", twemoji.to_string())
                .part("image", image_part(Vec::new(), "a.jpg")),
        ),
        (
            "truncated JPEG",
            422,
            "image",
            Form::new()
                .text("emoji_id", twemoji.to_string())
                .part("image", image_part(fixture(HOPPER)[..60].to_vec(), "a.jpg")),
        ),
        (
            "decompression bomb",
            413,
            "image",
            Form::new()
                .text("emoji_id", twemoji.to_string())
                .part("image", image_part(png_claiming(100_000, 100_000), "a.png")),
        ),
        (
            "too many bytes",
            413,
            "image",
            Form::new()
                .text("emoji_id", twemoji.to_string())
                .part("image", image_part(fixture("faceapi_sample3.jpg"), "a.jpg")),
        ),
        (
            "no image",
            422,
            "image",
            Form::new().text("emoji_id", twemoji.to_string()),
        ),
        (
            "no template",
            422,
            "emoji_id",
            Form::new().part("image", image_part(fixture(HOPPER), "a.jpg")),
        ),
        (
            "template id not a number",
            422,
            "emoji_id",
            Form::new()
                .text("emoji_id", "abc")
                .part("image", image_part(fixture(HOPPER), "a.jpg")),
        ),
        (
            "unknown template",
            422,
            "emoji_id",
            Form::new()
                .text("emoji_id", "999999")
                .part("image", image_part(fixture(HOPPER), "a.jpg")),
        ),
        (
            "someone's private template",
            422,
            "emoji_id",
            Form::new()
                .text("emoji_id", private["id"].to_string())
                .part("image", image_part(fixture(HOPPER), "a.jpg")),
        ),
    ];
    for (case, status, field, form) in cases {
        let response = app.upload_form(None, form).await;
        assert_eq!(response.status().as_u16(), status, "{case}");
        let error = error_of(response).await;
        assert!(error["fields"][field].is_string(), "{case}: {error}");
    }
    let response = app
        .post("/api/v1/faces/")
        .json(&serde_json::json!({"emoji_id": twemoji}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    assert_eq!(
        app.stored_keys("uploads").await,
        Vec::<String>::new(),
        "nothing stored"
    );

    // The share token opens a private template to others, for uploads too.
    let form = Form::new()
        .text("emoji_id", private["id"].to_string())
        .text("share", private["share_token"].as_str().unwrap().to_owned())
        .part("image", image_part(fixture(HOPPER), "a.jpg"));
    assert_eq!(app.upload_form(None, form).await.status(), 202);
}

#[tokio::test]
async fn a_users_tasks_are_theirs_alone_and_anonymous_ones_open_to_their_id() {
    let app = spawn_app().await;
    let alice = app.token_for_new_user("alice").await;
    let bob = app.token_for_new_user("bob").await;
    let twemoji = app.builtin_emoji_id("Twemoji").await;

    let response = app
        .upload_photo(Some(&alice), twemoji, fixture(HOPPER), "a.jpg")
        .await;
    let alices: Value = response.json().await.unwrap();
    let path = format!(
        "/api/v1/faces/tasks/{}",
        alices["task_id"].as_str().unwrap()
    );
    assert_eq!(app.get_json(&path, Some(&bob)).await.0, 404);
    assert_eq!(app.get_json(&path, None).await.0, 404);
    assert_eq!(app.get_json(&path, Some(&alice)).await.0, 200);
    let forged = app
        .get(&path)
        .bearer_auth("not.a.token")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);

    let response = app
        .upload_photo(None, twemoji, fixture(HOPPER), "a.jpg")
        .await;
    let anonymous: Value = response.json().await.unwrap();
    let path = format!(
        "/api/v1/faces/tasks/{}",
        anonymous["task_id"].as_str().unwrap()
    );
    assert_eq!(app.get_json(&path, Some(&bob)).await.0, 200);
    assert_eq!(app.get_json(&path, None).await.0, 200);

    for path in [
        format!("/api/v1/faces/tasks/{}", uuid::Uuid::new_v4()),
        "/api/v1/faces/tasks/not-a-uuid".to_owned(),
    ] {
        let response = app.get(&path).send().await.unwrap();
        assert_eq!(response.status(), 404);
        assert_eq!(error_of(response).await["code"], "task_not_found");
    }
}

#[tokio::test]
async fn anonymous_uploads_are_rate_limited_per_address() {
    let app = spawn_app_with(|settings| settings.tasks.anonymous_uploads = 2).await;
    let twemoji = app.builtin_emoji_id("Twemoji").await;
    for _ in 0..2 {
        let response = app
            .upload_photo(None, twemoji, fixture(HOPPER), "a.jpg")
            .await;
        assert_eq!(response.status(), 202);
    }
    let response = app
        .upload_photo(None, twemoji, fixture(HOPPER), "a.jpg")
        .await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(error_of(response).await["code"], "too_many_requests");

    let token = app.token_for_new_user("carol").await;
    let response = app
        .upload_photo(Some(&token), twemoji, fixture(HOPPER), "a.jpg")
        .await;
    assert_eq!(
        response.status(),
        202,
        "logged-in users are not limited this way"
    );
}

#[tokio::test]
async fn a_burst_of_uploads_meets_a_bounded_queue_without_errors() {
    let app = spawn_app_with(|settings| {
        settings.tasks.max_queued = 2;
        settings.analysis.workers = 1;
    })
    .await;
    let token = app.token_for_new_user("burst").await;
    let twemoji = app.builtin_emoji_id("Twemoji").await;
    let photo = fixture("faceapi_sample1.jpg");
    let uploads = (0..10).map(|_| app.upload_photo(Some(&token), twemoji, photo.clone(), "a.jpg"));
    let responses = futures_util::future::join_all(uploads).await;
    let mut accepted = Vec::new();
    let mut refused = 0;
    for response in responses {
        match response.status().as_u16() {
            202 => accepted.push(
                response.json::<Value>().await.unwrap()["task_id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            ),
            503 => {
                assert!(response.headers().contains_key("retry-after"));
                assert_eq!(error_of(response).await["code"], "queue_full");
                refused += 1;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(refused >= 1, "the queue of 2 refused some of 10 uploads");
    assert!(accepted.len() >= 2);
    for task_id in accepted {
        let task = app.wait_for_task(&task_id, Some(&token)).await;
        assert_eq!(task["status"], "done", "{task}");
    }
}

#[tokio::test]
async fn uploaded_originals_are_removed_after_the_retention_but_results_stay() {
    let app = spawn_app_with(|settings| {
        settings.tasks.original_retention = Duration::ZERO;
        settings.tasks.cleanup_interval = Duration::from_millis(200);
    })
    .await;
    let twemoji = app.builtin_emoji_id("Twemoji").await;
    let task = upload_and_wait(&app, None, twemoji, HOPPER).await;
    for _ in 0..50 {
        if app.stored_keys("uploads").await.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.stored_keys("uploads").await, Vec::<String>::new());
    assert_eq!(
        app.fetch_media(task["result_url"].as_str().unwrap())
            .await
            .status(),
        200
    );
}
