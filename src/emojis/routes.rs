use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::domain::{Description, EmojiName, Visibility};
use super::images::normalise_template_image;
use super::reads::{self, EmojiView};
use super::writes::{self, NewEmoji};
use super::{EmojiError, EmojisState};
use crate::analysis::Expression;
use crate::error::{ApiError, ErrorBody, FieldErrors};
use crate::multipart::{FormFields, FormLimits, read_form};
use crate::pagination::{Page, PageBody};
use crate::users::{CurrentUser, OptionalUser};

const GALLERY_PAGE_SIZE: u64 = 20;

/// The templates part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(gallery, create, gallery_page, get_one, delete))]
pub struct EmojisApi;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/emojis/")
            .route(web::get().to(gallery))
            .route(web::post().to(create)),
    )
    .service(web::resource("/api/v1/emojis/pages/{page}").route(web::get().to(gallery_page)))
    .service(
        web::resource("/api/v1/emojis/{id}")
            .route(web::get().to(get_one))
            .route(web::delete().to(delete)),
    );
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct GalleryQuery {
    #[param(minimum = 1, maximum = 100000)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    size: Option<i64>,
    /// Only templates whose name contains this (any case).
    #[param(max_length = 60)]
    q: Option<String>,
}

type GalleryPage = PageBody<EmojiView>;

/// The gallery: public templates, most used first, then newest.
#[utoipa::path(get, path = "/api/v1/emojis/", tag = "emojis", params(GalleryQuery),
    responses(
        (status = 200, description = "One page of the gallery", body = GalleryPage),
        (status = 422, description = "A bad page, size or q", body = ErrorBody),
    ))]
async fn gallery(
    state: web::Data<EmojisState>,
    query: web::Query<GalleryQuery>,
) -> Result<HttpResponse, ApiError> {
    let GalleryQuery { page, size, q } = query.into_inner();
    list_gallery(&state, Page::parse(page, size, GALLERY_PAGE_SIZE)?, q).await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SizeQuery {
    #[param(minimum = 1, maximum = 100)]
    size: Option<i64>,
}

/// The original design's `GET /api/v1/emojis/pages/{N}`.
#[utoipa::path(get, path = "/api/v1/emojis/pages/{page}", tag = "emojis",
    params(("page" = i64, Path, minimum = 1, maximum = 100000), SizeQuery),
    responses(
        (status = 200, description = "One page of the gallery", body = GalleryPage),
        (status = 422, description = "A bad page or size", body = ErrorBody),
    ))]
async fn gallery_page(
    state: web::Data<EmojisState>,
    path: web::Path<String>,
    query: web::Query<SizeQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = path.into_inner().parse::<i64>().ok();
    let mut errors = FieldErrors::default();
    if page.is_none() {
        errors.add("page", "must be a whole number");
    }
    errors.into_result()?;
    list_gallery(
        &state,
        Page::parse(page, query.size, GALLERY_PAGE_SIZE)?,
        None,
    )
    .await
}

async fn list_gallery(
    state: &EmojisState,
    page: Page,
    q: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let q = q
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty());
    if q.as_ref().is_some_and(|text| text.chars().count() > 60) {
        let mut errors = FieldErrors::default();
        errors.add("q", "must be at most 60 characters");
        return Err(errors.into());
    }
    let cache_key = format!(
        "gallery:{}:{}:{}",
        page.number,
        page.size,
        q.as_deref().unwrap_or("")
    );
    state
        .listings
        .json(cache_key, || async {
            let (emojis, total) = reads::gallery(&state.db, &page, q.as_deref()).await?;
            Ok(PageBody {
                items: reads::views(&state.db, &state.store, emojis, None).await?,
                page: page.number,
                size: page.size,
                total,
            })
        })
        .await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ShareQuery {
    /// The share token of a private template.
    share: Option<String>,
}

fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| EmojiError::NotFound.into())
}

/// One template. A private one only for its owner or with its share token.
#[utoipa::path(get, path = "/api/v1/emojis/{id}", tag = "emojis",
    params(("id" = i64, Path), ShareQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The template", body = EmojiView),
        (status = 401, description = "An expired or forged token", body = ErrorBody),
        (status = 404, description = "No such template, or private and not yours", body = ErrorBody),
    ))]
async fn get_one(
    state: web::Data<EmojisState>,
    user: OptionalUser,
    path: web::Path<String>,
    query: web::Query<ShareQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path.into_inner())?;
    let viewer = user.0.map(|user| user.id);
    let emoji = reads::find_visible(&state.db, id, viewer, query.share.as_deref()).await?;
    let mut views = reads::views(&state.db, &state.store, vec![emoji], viewer).await?;
    Ok(HttpResponse::Ok().json(views.remove(0)))
}

/// Deletes my template and its images; results made with it stay.
#[utoipa::path(delete, path = "/api/v1/emojis/{id}", tag = "emojis",
    params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "A missing, expired or forged token", body = ErrorBody),
        (status = 403, description = "Someone else's or a built-in template", body = ErrorBody),
        (status = 404, description = "No such template, or private and not yours", body = ErrorBody),
    ))]
async fn delete(
    state: web::Data<EmojisState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path.into_inner())?;
    writes::delete(&state, id, user.id).await?;
    Ok(HttpResponse::NoContent().finish())
}

const EXPRESSION_FIELDS: [&str; 7] = [
    "angry", "disgust", "fear", "happy", "sad", "surprise", "neutral",
];

/// The form that creates a template: its fields and one image per expression.
// Deserialize only lends its `deny_unknown_fields` to the document.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Describes the form for the OpenAPI document only.
struct TemplateForm {
    /// Not only spaces, and no control characters (trimmed first).
    #[schema(
        min_length = 1,
        max_length = 60,
        pattern = r"^\s*[^\s\u0000-\u001F\u007F-\u009F](?:[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F])?\s*$"
    )]
    name: String,
    #[schema(value_type = String, required = false, max_length = 500)]
    description: Option<String>,
    /// `public` (the default) or `private`.
    #[schema(value_type = String, required = false, pattern = "^(public|private)$")]
    visibility: Option<String>,
    #[schema(value_type = String, format = Binary, min_length = 1)]
    angry: Vec<u8>,
    #[schema(value_type = String, format = Binary, min_length = 1)]
    disgust: Vec<u8>,
    #[schema(value_type = String, format = Binary, min_length = 1)]
    fear: Vec<u8>,
    #[schema(value_type = String, format = Binary, min_length = 1)]
    happy: Vec<u8>,
    #[schema(value_type = String, format = Binary, min_length = 1)]
    sad: Vec<u8>,
    #[schema(value_type = String, format = Binary, min_length = 1)]
    surprise: Vec<u8>,
    #[schema(value_type = String, format = Binary, min_length = 1)]
    neutral: Vec<u8>,
}

/// Creates a template; all seven images (PNG, JPEG, WebP or GIF) are required.
#[utoipa::path(post, path = "/api/v1/emojis/", tag = "emojis",
    request_body(content = TemplateForm, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new template", body = EmojiView),
        (status = 400, description = "Not a multipart form", body = ErrorBody),
        (status = 401, description = "A missing, expired or forged token", body = ErrorBody),
        (status = 413, description = "An image is too large; the field is named", body = ErrorBody),
        (status = 415, description = "An image of an unsupported type", body = ErrorBody),
        (status = 422, description = "Invalid or missing fields, each named", body = ErrorBody),
    ))]
async fn create(
    state: web::Data<EmojisState>,
    user: CurrentUser,
    multipart: Multipart,
) -> Result<HttpResponse, ApiError> {
    let limits = FormLimits {
        max_file_bytes: state.image_limits.max_bytes,
        max_text_bytes: 4096,
        max_parts: 16,
    };
    let fields = FormFields {
        files: &EXPRESSION_FIELDS,
        texts: &["name", "description", "visibility"],
    };
    let mut form = read_form(multipart, fields, limits).await?;

    let mut errors = FieldErrors::default();
    let name = match form.text("name") {
        None => {
            errors.add("name", "is required");
            None
        }
        Some(raw) => EmojiName::parse(raw)
            .map_err(|e| errors.add("name", e))
            .ok(),
    };
    let description = Description::parse(form.text("description").unwrap_or_default())
        .map_err(|e| errors.add("description", e))
        .ok();
    let visibility = Visibility::parse(form.text("visibility").unwrap_or("public"))
        .map_err(|e| errors.add("visibility", e))
        .ok();
    let mut files = Vec::with_capacity(Expression::ALL.len());
    for (expression, field) in Expression::ALL.into_iter().zip(EXPRESSION_FIELDS) {
        match form.take_file(field) {
            Some(bytes) => files.push((expression, field, bytes)),
            None => errors.add(field, "an image for this expression is required"),
        }
    }
    errors.into_result()?;
    let (Some(name), Some(description), Some(visibility)) = (name, description, visibility) else {
        return Err(anyhow::anyhow!("validated fields went missing").into());
    };

    let image_limits = state.image_limits;
    let images = state
        .pool
        .run(move |_| {
            Ok(files
                .into_iter()
                .map(|(expression, field, bytes)| {
                    normalise_template_image(&bytes, image_limits)
                        .map(|png| (expression, png))
                        .map_err(|source| EmojiError::BadImage { field, source })
                })
                .collect::<Result<Vec<_>, EmojiError>>())
        })
        .await
        .map_err(|error| anyhow::anyhow!("template images could not be processed: {error}"))??;

    let emoji = writes::create(
        &state,
        user.id,
        NewEmoji {
            name,
            description,
            visibility,
            images,
        },
    )
    .await?;
    let mut views = reads::views(&state.db, &state.store, vec![emoji], Some(user.id)).await?;
    Ok(HttpResponse::Created().json(views.remove(0)))
}
