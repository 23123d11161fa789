use std::io::Read;

use crate::helpers::{error_of, spawn_app, spawn_app_with};

#[tokio::test]
async fn the_web_app_is_served_at_the_root_without_caching_index() {
    let app = spawn_app().await;
    let response = app.get("/").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-cache");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("<div id=\"root\""), "{html}");
}

#[tokio::test]
async fn deep_links_fall_back_to_the_app() {
    let app = spawn_app().await;
    let index = app.get("/").send().await.unwrap().text().await.unwrap();
    for path in ["/emojis/12", "/me", "/ranking?days=7"] {
        let response = app.get(path).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.text().await.unwrap(), index, "{path}");
    }
}

#[tokio::test]
async fn hashed_assets_are_cached_for_good() {
    let app = spawn_app().await;
    let index = app.get("/").send().await.unwrap().text().await.unwrap();
    let start = index.find("/assets/").expect("index links an asset");
    let end = start + index[start..].find('"').unwrap();
    let response = app.get(&index[start..end]).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let missing = app.get("/assets/missing-0000.js").send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn unknown_api_and_media_paths_stay_json_404s() {
    let app = spawn_app().await;
    for path in ["/api/v2/anything", "/api/", "/media/nope.png"] {
        let response = app.get(path).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(error_of(response).await["code"], "not_found");
    }
}

#[tokio::test]
async fn paths_cannot_escape_the_static_directory() {
    let app = spawn_app().await;
    let response = app.get("/%2e%2e/Cargo.toml").send().await.unwrap();
    let body = response.text().await.unwrap();
    assert!(!body.contains("[package]"));
}

#[tokio::test]
async fn the_api_viewer_is_served_at_docs_with_its_files() {
    let app = spawn_app().await;
    for path in ["/docs", "/docs/"] {
        let response = app.get(path).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let page = response.text().await.unwrap();
        assert!(
            page.contains("<title>IGE-MOJI API</title>"),
            "{path}: {page}"
        );
    }
    let bundle = app.get("/docs/swagger-ui-bundle.js").send().await.unwrap();
    assert_eq!(bundle.status(), 200);
    assert!(
        bundle.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    let missing = app.get("/docs/nothing.css.map").send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn built_in_files_come_gzipped_when_accepted_and_revalidate_by_etag() {
    let app = spawn_app().await;
    let plain = app.get("/").send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let etag = plain.headers()["etag"].clone();
    let html = plain.text().await.unwrap();

    let compressed = app
        .get("/")
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.headers()["content-encoding"], "gzip");
    assert_eq!(compressed.headers()["vary"], "Accept-Encoding");
    let bytes = compressed.bytes().await.unwrap();
    let mut unpacked = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut unpacked)
        .unwrap();
    assert_eq!(unpacked, html);
    assert!(bytes.len() < html.len());

    let unchanged = app
        .get("/")
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), 304);
}

#[tokio::test]
async fn static_dir_serves_that_folder_instead_of_the_built_in_app() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("index.html"),
        "<div id=\"root\">another build</div>",
    )
    .unwrap();
    let path = folder.path().to_path_buf();
    let app = spawn_app_with(move |settings| settings.server.static_dir = Some(path)).await;
    for deep_link in ["/", "/emojis/3"] {
        let page = app
            .get(deep_link)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("another build"), "{deep_link}: {page}");
    }
}
