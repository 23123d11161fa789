//! The OpenAPI document lists exactly the routes the app serves.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::helpers::spawn_app;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// (method, path) of every route registered in `src/`, read from the
/// `web::resource(..).route(web::METHOD()..)` and `.route(PATH, web::METHOD())`
/// calls, with actix's `{name:regex}` written as OpenAPI's `{name}`.
fn registered_routes() -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    let mut sources = Vec::new();
    collect_sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut sources,
    );
    for source in sources {
        let mut rest = source.as_str();
        while let Some(start) = rest.find("web::resource(\"") {
            rest = &rest[start + "web::resource(\"".len()..];
            let path = &rest[..rest.find('"').expect("closing quote")];
            let registration_end = rest.find(".service(").unwrap_or(rest.len());
            let registration =
                &rest[..registration_end.min(rest.find("\n}").unwrap_or(rest.len()))];
            for method in METHODS {
                if registration.contains(&format!("web::{method}()")) {
                    routes.insert((method.to_owned(), igemoji::openapi::without_regexes(path)));
                }
            }
        }
        let mut rest = source.as_str();
        while let Some(start) = rest.find(".route(\"") {
            rest = &rest[start + ".route(\"".len()..];
            let path = &rest[..rest.find('"').expect("closing quote")];
            let method = METHODS
                .into_iter()
                .find(|method| {
                    rest[path.len()..]
                        .trim_start_matches(['"', ',', ' ', '\n'])
                        .starts_with(&format!("web::{method}()"))
                })
                .unwrap_or_else(|| panic!("the method of route {path}"));
            routes.insert((method.to_owned(), igemoji::openapi::without_regexes(path)));
        }
    }
    // Served on the admin port only, never to the public API.
    routes.remove(&("get".to_owned(), "/metrics".to_owned()));
    routes
}

fn collect_sources(dir: &Path, sources: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_sources(&path, sources);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            sources.push(std::fs::read_to_string(&path).expect("a source file"));
        }
    }
}

fn documented_routes(document: &Value) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(method).is_some() {
                routes.insert((method.to_owned(), path.clone()));
            }
        }
    }
    routes
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_and_no_other() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/openapi.json").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let document: Value = response.json().await.unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));

    let registered = registered_routes();
    let documented = documented_routes(&document);
    assert!(
        registered.len() >= 15,
        "routes found in src/: {registered:?}"
    );
    let undocumented: Vec<_> = registered.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&registered).collect();
    assert!(
        undocumented.is_empty(),
        "served but not documented: {undocumented:?}"
    );
    assert!(
        unserved.is_empty(),
        "documented but not served: {unserved:?}"
    );

    // And the running app answers each documented method (405 would mean the
    // path exists with other methods only).
    for (method, path) in &documented {
        let concrete = path
            .replace("{id}", "1")
            .replace("{page}", "1")
            .replace("{task_id}", "00000000-0000-0000-0000-000000000000")
            .replace("{index}", "0")
            .replace("{key}", "emojis/none.png");
        let request = match method.as_str() {
            "get" => app.get(&concrete),
            "post" => app.post(&concrete),
            "delete" => app.delete(&concrete),
            "patch" => app.client.patch(app.url(&concrete)),
            other => panic!("no probe for {other}"),
        };
        let status = request.send().await.unwrap().status();
        assert_ne!(status, 405, "{method} {path} is documented but not routed");
    }
}

#[tokio::test]
async fn every_operation_has_its_error_shape_and_the_bearer_scheme_exists() {
    let app = spawn_app().await;
    let document: Value = app
        .get("/api/v1/openapi.json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let error = &document["components"]["schemas"]["ErrorBody"];
    assert!(error.is_object(), "ErrorBody schema: {document}");
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            assert!(
                // 101: a WebSocket's handshake succeeded.
                responses
                    .keys()
                    .any(|status| status.starts_with('2') || status == "101"),
                "{method} {path} documents its success"
            );
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    assert_eq!(
                        response["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
}
