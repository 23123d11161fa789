//! The OpenAPI document of the whole public API, assembled from the parts
//! each module declares next to its routes, and served at
//! `/api/v1/openapi.json` (the viewer at `/docs` reads it).

use std::sync::OnceLock;

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::error::ErrorBody;
use crate::{account, emojis, faces, health, live, ranking, site, storage, users};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "IGE-MOJI",
        description = "Face to emoji: upload a photo, every face is covered by the chosen \
                       template's emoji for its expression. Errors are always \
                       `{\"error\": {code, message, fields?}}`."
    ),
    paths(openapi_document),
    tags(
        (name = "users", description = "Accounts, log-in and my page"),
        (name = "emojis", description = "Templates: one image per expression, and their ranking"),
        (name = "faces", description = "Photo tasks: upload, then poll"),
        (name = "media", description = "Stored images"),
        (name = "operations", description = "Probes and this document"),
    )
)]
struct ApiDoc;

/// The whole document; built once.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut document = ApiDoc::openapi();
        for part in [
            health::HealthApi::openapi(),
            site::SiteApi::openapi(),
            users::UsersApi::openapi(),
            account::AccountApi::openapi(),
            ranking::RankingApi::openapi(),
            emojis::EmojisApi::openapi(),
            faces::FacesApi::openapi(),
            live::LiveApi::openapi(),
            storage::MediaApi::openapi(),
        ] {
            document.merge(part);
        }
        document.info.version = env!("CARGO_PKG_VERSION").into();
        if let Some(components) = document.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("JWT")
                        .description(Some("The access_token from POST /api/v1/users/auth"))
                        .build(),
                ),
            );
        }
        document
    })
}

/// The document as indented JSON, for `igemoji openapi`.
pub fn pretty_document() -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(document())?)
}

/// The methods the document lists for a route pattern (`/media/{key:.+}` or
/// `/media/{key}`), as an `Allow` header value.
pub fn allowed_methods(route_pattern: &str) -> Option<String> {
    let path = without_regexes(route_pattern);
    let item = document().paths.paths.get(&path)?;
    let methods: Vec<&str> = [
        ("GET", item.get.is_some()),
        ("POST", item.post.is_some()),
        ("PUT", item.put.is_some()),
        ("PATCH", item.patch.is_some()),
        ("DELETE", item.delete.is_some()),
    ]
    .into_iter()
    .filter_map(|(method, present)| present.then_some(method))
    .collect();
    (!methods.is_empty()).then(|| methods.join(", "))
}

/// actix's `{name:regex}` segments written as OpenAPI's `{name}`.
pub fn without_regexes(route_pattern: &str) -> String {
    let mut path = String::with_capacity(route_pattern.len());
    let mut in_regex = false;
    let mut in_braces = false;
    for character in route_pattern.chars() {
        match character {
            '{' => {
                in_braces = true;
                path.push('{');
            }
            ':' if in_braces => in_regex = true,
            '}' => {
                in_braces = false;
                in_regex = false;
                path.push('}');
            }
            _ if in_regex => {}
            other => path.push(other),
        }
    }
    path
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/openapi.json").route(web::get().to(openapi_document)));
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json"),
        (status = 405, description = "Another method than GET", body = ErrorBody)))]
async fn openapi_document() -> HttpResponse {
    static BODY: OnceLock<String> = OnceLock::new();
    let body = BODY.get_or_init(|| {
        serde_json::to_string(document()).unwrap_or_else(|error| {
            tracing::error!(error = %error, "the OpenAPI document does not serialise");
            String::from("{}")
        })
    });
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(body.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_methods_come_from_the_document() {
        assert_eq!(
            allowed_methods("/api/v1/emojis/{id}").as_deref(),
            Some("GET, DELETE")
        );
        assert_eq!(allowed_methods("/media/{key:.+}").as_deref(), Some("GET"));
        assert_eq!(allowed_methods("/nowhere"), None);
    }
}
