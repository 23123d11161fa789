use actix_web::http::header::{self, CacheControl, CacheDirective, EntityTag, IfNoneMatch};
use actix_web::{HttpRequest, HttpResponse, web};

use utoipa::OpenApi;

use super::{MediaKey, MediaStore};
use crate::error::{ApiError, ErrorBody, RequestError};

/// The media part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(serve_media))]
pub struct MediaApi;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/media/{key:.+}").route(web::get().to(serve_media)));
}

/// Streams a stored image. Keys never change content (new content gets a new
/// key), so browsers may cache them for good.
#[utoipa::path(get, path = "/media/{key}", tag = "media",
    params(("key" = String, Path, description = "An object key from a URL the API gave")),
    responses(
        (status = 200, description = "The image, cacheable for good", content(
            (String = "image/png"),
            (String = "image/jpeg"),
            (String = "image/webp"),
            (String = "image/gif"),
        )),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such object", body = ErrorBody),
        (status = 503, description = "The media store is down", body = ErrorBody),
    ))]
async fn serve_media(
    store: web::Data<MediaStore>,
    request: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    // Anything that is not a well-formed key cannot name an object, and
    // originals are never served.
    let key = MediaKey::parse(&path.into_inner())
        .ok()
        .filter(MediaKey::is_public)
        .ok_or(RequestError::NotFound)?;
    let object = store.get(&key).await?;
    let e_tag = object
        .e_tag
        .as_deref()
        .map(|tag| EntityTag::new_strong(tag.trim_matches('"').replace('"', "")));
    // `*` matches any current representation (RFC 9110, 13.1.2).
    let not_modified = match request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .and_then(parse_if_none_match)
    {
        Some(IfNoneMatch::Any) => true,
        Some(IfNoneMatch::Items(wanted)) => e_tag
            .as_ref()
            .is_some_and(|e_tag| wanted.iter().any(|tag| tag.weak_eq(e_tag))),
        None => false,
    };
    if not_modified {
        let mut response = HttpResponse::NotModified();
        if let Some(e_tag) = e_tag {
            response.insert_header(header::ETag(e_tag));
        }
        return Ok(response.finish());
    }
    let mut response = HttpResponse::Ok();
    response
        .content_type(key.content_type())
        .insert_header(CacheControl(vec![
            CacheDirective::Public,
            CacheDirective::MaxAge(31_536_000),
            CacheDirective::Extension("immutable".into(), None),
        ]))
        .insert_header(header::LastModified(
            std::time::SystemTime::from(object.last_modified).into(),
        ))
        .insert_header(("x-content-type-options", "nosniff"));
    if let Some(e_tag) = e_tag {
        response.insert_header(header::ETag(e_tag));
    }
    Ok(response.body(object.bytes))
}

fn parse_if_none_match(value: &str) -> Option<IfNoneMatch> {
    if value.trim() == "*" {
        return Some(IfNoneMatch::Any);
    }
    let tags: Vec<EntityTag> = value
        .split(',')
        .filter_map(|tag| tag.trim().parse().ok())
        .collect();
    (!tags.is_empty()).then_some(IfNoneMatch::Items(tags))
}
