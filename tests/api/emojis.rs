use reqwest::multipart::Form;
use serde_json::Value;

use crate::helpers::{
    EXPRESSIONS, encoded, error_of, expression_colour, image_part, solid_png, spawn_app,
    spawn_app_with, template_form,
};

#[tokio::test]
async fn two_built_in_templates_are_seeded_with_their_attribution() {
    let app = spawn_app().await;
    let (status, gallery) = app.get_json("/api/v1/emojis/", None).await;
    assert_eq!(status, 200);
    let builtins: Vec<&Value> = gallery["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["builtin"] == true)
        .collect();
    assert_eq!(builtins.len(), 2, "{gallery}");
    for builtin in builtins {
        assert!(builtin["owner"].is_null());
        assert!(builtin["attribution"].as_str().unwrap().contains("CC"));
        for expression in EXPRESSIONS {
            let url = builtin["images"][expression].as_str().unwrap();
            let response = app.fetch_media(url).await;
            assert_eq!(response.status(), 200, "{url}");
            assert_eq!(response.headers()["content-type"], "image/png");
            let png = response.bytes().await.unwrap();
            let image = image::load_from_memory(&png).unwrap().to_rgba8();
            assert_eq!(image.dimensions(), (512, 512), "rendered from SVG at 512");
            // Scaled to the art, not its page: the drawing spans the square.
            let visible: Vec<(u32, u32)> = image
                .enumerate_pixels()
                .filter(|(_, _, pixel)| pixel[3] > 0)
                .map(|(x, y, _)| (x, y))
                .collect();
            let span = |axis: fn(&(u32, u32)) -> u32| {
                visible.iter().map(axis).max().unwrap() - visible.iter().map(axis).min().unwrap()
            };
            assert!(
                span(|p| p.0).max(span(|p| p.1)) >= 500,
                "{expression} fills its square"
            );
        }
    }
}

#[tokio::test]
async fn media_is_served_immutable_with_an_etag() {
    let app = spawn_app().await;
    let (_, gallery) = app.get_json("/api/v1/emojis/", None).await;
    let url = gallery["items"][0]["preview_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = app.fetch_media(&url).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let e_tag = response.headers()["etag"].to_str().unwrap().to_owned();
    let again = app
        .get(&url)
        .header("if-none-match", &e_tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let any = app
        .get(&url)
        .header("if-none-match", "*")
        .send()
        .await
        .unwrap();
    assert_eq!(any.status(), 304, "* matches any stored object");
    let other = app
        .get(&url)
        .header("if-none-match", "\"something-else\"")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
}

#[tokio::test]
async fn media_keys_cannot_leave_the_storage_root() {
    let app = spawn_app().await;
    for path in [
        "/media/",
        "/media/nope.png",
        "/media/..%2F..%2Fetc%2Fpasswd",
        "/media/emojis/%2Fetc%2Fpasswd",
        "/media/a%5C..%5Cb",
    ] {
        let response = app.get(path).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        error_of(response).await;
    }
    // actix resolves dot segments first: this one leaves /media/ entirely
    // and gets the web app's page, never a file from outside the store.
    let response = app
        .get("/media/%2e%2e/%2e%2e/etc/passwd")
        .send()
        .await
        .unwrap();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = response.text().await.unwrap();
    assert!(!body.contains("root:"), "{content_type}: {body}");
}

#[tokio::test]
async fn a_user_creates_a_template_and_finds_it_in_the_gallery() {
    let app = spawn_app().await;
    let token = app.token_for_new_user("maker").await;
    let created = app
        .create_test_emoji(&token, "Colour faces", "public")
        .await;
    assert_eq!(created["name"], "Colour faces");
    assert_eq!(created["visibility"], "public");
    assert_eq!(created["builtin"], false);
    assert_eq!(created["owner"]["username"], "maker");
    assert_eq!(created["use_count"], 0);
    for expression in EXPRESSIONS {
        let url = created["images"][expression].as_str().unwrap();
        let png = app.fetch_media(url).await.bytes().await.unwrap();
        let image = image::load_from_memory(&png).unwrap().to_rgba8();
        let [r, g, b] = expression_colour(expression);
        assert_eq!(image.get_pixel(32, 32).0, [r, g, b, 255], "{expression}");
    }

    let (_, gallery) = app.get_json("/api/v1/emojis/?page=1&size=10", None).await;
    assert_eq!(gallery["total"], 3);
    assert_eq!(gallery["page"], 1);
    assert_eq!(gallery["size"], 10);
    let names: Vec<&str> = gallery["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Colour faces"));

    let (_, alias) = app.get_json("/api/v1/emojis/pages/1?size=10", None).await;
    assert_eq!(alias["items"], gallery["items"]);
    let (_, found) = app.get_json("/api/v1/emojis/?q=COLOUR", None).await;
    assert_eq!(found["total"], 1);
    let (_, none) = app.get_json("/api/v1/emojis/?q=%25", None).await;
    assert_eq!(none["total"], 0, "LIKE wildcards are literal");
    let (status, one) = app
        .get_json(&format!("/api/v1/emojis/{}", created["id"]), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(one["name"], "Colour faces");
}

#[tokio::test]
async fn big_template_images_are_stored_at_most_512_pixels() {
    let app = spawn_app().await;
    let token = app.token_for_new_user("maker").await;
    let mut form = Form::new().text("name", "Big");
    for expression in EXPRESSIONS {
        form = form.part(
            expression,
            image_part(solid_png(2048, 1024, [1, 2, 3]), "big.png"),
        );
    }
    let response = app.create_emoji(Some(&token), form).await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let png = app
        .fetch_media(created["images"]["sad"].as_str().unwrap())
        .await
        .bytes()
        .await
        .unwrap();
    let image = image::load_from_memory(&png).unwrap();
    assert_eq!((image.width(), image.height()), (512, 256));
}

#[tokio::test]
async fn template_images_may_be_jpeg_webp_or_gif_and_are_kept_as_png() {
    let app = spawn_app().await;
    let token = app.token_for_new_user("formats").await;
    let formats = [
        ("angry", image::ImageFormat::Jpeg, "angry.jpg"),
        ("disgust", image::ImageFormat::WebP, "disgust.webp"),
        ("fear", image::ImageFormat::Gif, "fear.gif"),
    ];
    let mut form = Form::new().text("name", "Formats");
    for expression in EXPRESSIONS {
        let colour = expression_colour(expression);
        let part = match formats.iter().find(|(name, ..)| *name == expression) {
            Some((_, format, file_name)) => image_part(
                encoded(
                    image::RgbImage::from_pixel(64, 64, image::Rgb(colour)),
                    *format,
                ),
                file_name,
            ),
            None => image_part(solid_png(64, 64, colour), "face.png"),
        };
        form = form.part(expression, part);
    }
    let response = app.create_emoji(Some(&token), form).await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();

    for (expression, ..) in formats {
        let response = app
            .fetch_media(created["images"][expression].as_str().unwrap())
            .await;
        assert_eq!(response.headers()["content-type"], "image/png");
        let bytes = response.bytes().await.unwrap();
        let image = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
            .unwrap()
            .to_rgba8();
        let [r, g, b, a] = image.get_pixel(32, 32).0;
        let colour = expression_colour(expression);
        // JPEG and GIF may shift a colour a little (GIF to its palette).
        let near = |x: u8, y: u8| (i16::from(x) - i16::from(y)).abs() <= 12;
        assert!(
            near(r, colour[0]) && near(g, colour[1]) && near(b, colour[2]) && a == 255,
            "{expression}: {:?} against {colour:?}",
            [r, g, b, a]
        );
    }
}

async fn refused_template(app: &crate::helpers::TestApp, token: &str, form: Form) -> (u16, Value) {
    let response = app.create_emoji(Some(token), form).await;
    let status = response.status().as_u16();
    (status, error_of(response).await)
}

fn form_with(expression_bytes: Vec<u8>, at: &str) -> Form {
    let mut form = Form::new().text("name", "Bad").text("visibility", "public");
    for expression in EXPRESSIONS {
        let bytes = if expression == at {
            expression_bytes.clone()
        } else {
            solid_png(32, 32, expression_colour(expression))
        };
        form = form.part(expression, image_part(bytes, "x.png"));
    }
    form
}

#[tokio::test]
async fn bad_template_uploads_name_the_field_and_store_nothing() {
    let app = spawn_app().await;
    let token = app.token_for_new_user("maker").await;
    let stored_before = app.stored_keys("emojis").await;

    let (status, error) = refused_template(
        &app,
        &token,
        form_with(b"\x89PNG\r\n\x1a\n-not-really".to_vec(), "sad"),
    )
    .await;
    assert_eq!(
        (status, error["fields"]["sad"].is_string()),
        (422, true),
        "{error}"
    );

    let (status, error) =
        refused_template(&app, &token, form_with(b"%PDF-1.7".to_vec(), "fear")).await;
    assert_eq!(status, 415, "{error}");
    assert!(error["fields"]["fear"].is_string());

    let png = solid_png(64, 64, [1, 2, 3]);
    let (status, error) = refused_template(
        &app,
        &token,
        form_with(png[..png.len() - 20].to_vec(), "happy"),
    )
    .await;
    assert_eq!(status, 422, "{error}");
    assert!(error["fields"]["happy"].is_string());

    let (status, error) = refused_template(
        &app,
        &token,
        form_with(solid_png(2049, 8, [1, 2, 3]), "angry"),
    )
    .await;
    assert_eq!(status, 413, "{error}");
    assert!(error["fields"]["angry"].is_string());

    let mut huge = solid_png(8, 8, [1, 2, 3]);
    huge.resize(2 * 1024 * 1024 + 1, 0);
    let (status, error) = refused_template(&app, &token, form_with(huge, "neutral")).await;
    assert_eq!(status, 413, "{error}");
    assert!(error["fields"]["neutral"].is_string());

    let mut missing = Form::new().text("name", "Missing");
    for expression in &EXPRESSIONS[..6] {
        missing = missing.part(*expression, image_part(solid_png(8, 8, [1, 2, 3]), "x.png"));
    }
    let (status, error) = refused_template(&app, &token, missing).await;
    assert_eq!(status, 422);
    assert!(error["fields"]["neutral"].is_string(), "{error}");

    let unnamed = template_form("", "public");
    let (status, error) = refused_template(&app, &token, unnamed).await;
    assert_eq!(status, 422);
    assert!(error["fields"]["name"].is_string(), "{error}");

    let typo = template_form("Typo", "public").text("visibilty", "private");
    let (status, error) = refused_template(&app, &token, typo).await;
    assert_eq!(status, 422);
    assert!(error["fields"]["visibilty"].is_string(), "{error}");

    let (status, error) =
        refused_template(&app, &token, template_form(&"x".repeat(61), "public")).await;
    assert_eq!(status, 422);
    assert!(error["fields"]["name"].is_string(), "{error}");

    let (status, error) = refused_template(&app, &token, template_form("Ok", "secret")).await;
    assert_eq!(status, 422);
    assert!(error["fields"]["visibility"].is_string(), "{error}");

    let json = app
        .post("/api/v1/emojis/")
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), 415);
    assert_eq!(error_of(json).await["code"], "not_multipart");

    let anonymous = app
        .create_emoji(None, template_form("Anon", "public"))
        .await;
    assert_eq!(anonymous.status(), 401);

    assert_eq!(
        app.stored_keys("emojis").await,
        stored_before,
        "no orphaned images"
    );
    let (_, mine) = app
        .get_json("/api/v1/users/mypage?case=created", Some(&token))
        .await;
    assert_eq!(mine["total"], 0, "no half rows");
}

#[tokio::test]
async fn private_templates_are_seen_by_their_owner_or_with_the_share_token() {
    let app = spawn_app().await;
    let owner = app.token_for_new_user("owner").await;
    let other = app.token_for_new_user("other").await;
    let created = app
        .create_test_emoji(&owner, "Secret faces", "private")
        .await;
    let token = created["share_token"]
        .as_str()
        .expect("owner sees the share token");
    let path = format!("/api/v1/emojis/{}", created["id"]);

    let (status, _) = app.get_json(&path, Some(&other)).await;
    assert_eq!(status, 404);
    let (status, _) = app.get_json(&path, None).await;
    assert_eq!(status, 404);
    let (status, _) = app.get_json(&format!("{path}?share=wrong"), None).await;
    assert_eq!(status, 404);
    let (status, shared) = app.get_json(&format!("{path}?share={token}"), None).await;
    assert_eq!(status, 200);
    assert!(
        shared.get("share_token").is_none(),
        "only the owner sees the token"
    );
    let (status, mine) = app.get_json(&path, Some(&owner)).await;
    assert_eq!((status, mine["share_token"].as_str()), (200, Some(token)));

    let (_, gallery) = app.get_json("/api/v1/emojis/?size=100", None).await;
    assert!(
        !gallery["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|item| item["id"] == created["id"]),
        "private templates stay out of the gallery"
    );
}

#[tokio::test]
async fn only_the_owner_deletes_a_template_and_its_images_go_with_it() {
    let app = spawn_app().await;
    let owner = app.token_for_new_user("owner").await;
    let other = app.token_for_new_user("other").await;
    let public = app.create_test_emoji(&owner, "Public", "public").await;
    let private = app.create_test_emoji(&owner, "Private", "private").await;
    let public_path = format!("/api/v1/emojis/{}", public["id"]);
    let private_path = format!("/api/v1/emojis/{}", private["id"]);

    let response = app
        .delete(&public_path)
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(error_of(response).await["code"], "not_owner");
    let response = app
        .delete(&private_path)
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let response = app.delete(&public_path).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let builtin = app.builtin_emoji_id("Twemoji").await;
    let response = app
        .delete(&format!("/api/v1/emojis/{builtin}"))
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(error_of(response).await["code"], "builtin_template");

    let image_url = public["images"]["happy"].as_str().unwrap().to_owned();
    let response = app
        .delete(&public_path)
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(app.get_json(&public_path, None).await.0, 404);
    assert_eq!(app.fetch_media(&image_url).await.status(), 404);
    let prefix = public["images"]["happy"]
        .as_str()
        .unwrap()
        .trim_start_matches("/media/")
        .rsplit_once('/')
        .unwrap()
        .0
        .to_owned();
    assert!(
        app.stored_keys("emojis")
            .await
            .iter()
            .all(|key| !key.starts_with(&prefix)),
        "the images are deleted"
    );
    let response = app
        .delete(&public_path)
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let response = app
        .delete("/api/v1/emojis/abc")
        .bearer_auth(&owner)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn gallery_paging_is_checked() {
    let app = spawn_app().await;
    for query in ["size=101", "size=0", "page=0", "page=-3"] {
        let response = app
            .get(&format!("/api/v1/emojis/?{query}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{query}");
        assert_eq!(error_of(response).await["code"], "validation_failed");
    }
    let response = app.get("/api/v1/emojis/?page=abc").send().await.unwrap();
    assert_eq!(response.status(), 422);
    let response = app.get("/api/v1/emojis/pages/zero").send().await.unwrap();
    assert_eq!(response.status(), 422);
    let response = app.get("/api/v1/emojis/top3?days=0").send().await.unwrap();
    assert_eq!(response.status(), 422);
    let (status, page) = app.get_json("/api/v1/emojis/?page=50", None).await;
    assert_eq!(status, 200);
    assert_eq!(page["items"], serde_json::json!([]));
    assert_eq!(page["total"], 2);
}

#[tokio::test]
async fn media_links_point_at_the_public_base_url_when_one_is_set() {
    let app = spawn_app_with(|settings| {
        settings.storage.public_base_url = Some("https://cdn.example.test/igemoji/".into());
    })
    .await;
    let (status, gallery) = app.get_json("/api/v1/emojis/", None).await;
    assert_eq!(status, 200);
    let item = &gallery["items"][0];
    let preview = item["preview_url"].as_str().unwrap();
    assert!(
        preview.starts_with("https://cdn.example.test/igemoji/emojis/"),
        "{preview}"
    );
    for url in item["images"].as_object().unwrap().values() {
        assert!(
            url.as_str()
                .unwrap()
                .starts_with("https://cdn.example.test/igemoji/")
        );
    }
}
