use std::time::Duration;

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use super::corrections::{self, FaceChange};
use super::service::{self, MAX_WAIT_SECONDS};
use super::{FaceError, FacesState, UploadRejection};
use crate::analysis::{AnalysisError, Expression, probe_photo};
use crate::error::{ApiError, ErrorBody, FieldErrors};
use crate::http::ClientAddress;
use crate::multipart::{FormError, FormFields, FormLimits, read_form};
use crate::users::OptionalUser;

/// The faces part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(upload, get_task, correct_face), modifiers(&TasksAlias))]
pub struct FacesApi;

/// Documents the original design's `POST /api/v1/faces/tasks/`, which is
/// the same upload under another path.
struct TasksAlias;

impl utoipa::Modify for TasksAlias {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::HttpMethod;
        if let Some(upload) = openapi
            .paths
            .get_path_operation("/api/v1/faces/", HttpMethod::Post)
        {
            let mut alias = upload.clone();
            alias.operation_id = Some("upload_alias".into());
            alias.summary = Some("The original design's path for the same upload.".into());
            openapi
                .paths
                .add_path_operation("/api/v1/faces/tasks/", vec![HttpMethod::Post], alias);
        }
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/faces/").route(web::post().to(upload)))
        .service(web::resource("/api/v1/faces/tasks/").route(web::post().to(upload)))
        .service(web::resource("/api/v1/faces/tasks/{task_id}").route(web::get().to(get_task)))
        .service(
            web::resource("/api/v1/faces/tasks/{task_id}/faces/{index}")
                .route(web::patch().to(correct_face)),
        );
}

#[derive(Serialize, ToSchema)]
struct TaskCreated {
    task_id: String,
    status: &'static str,
    status_url: String,
}

/// The upload form of a face task.
// Deserialize only lends its `deny_unknown_fields` to the document.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Describes the form for the OpenAPI document only.
struct UploadForm {
    /// A JPEG, PNG, WebP or GIF photo.
    #[schema(value_type = String, format = Binary, min_length = 1)]
    image: Vec<u8>,
    /// The template whose emojis cover the faces.
    #[schema(minimum = 1)]
    emoji_id: i64,
    /// The share token of someone else's private template.
    #[schema(value_type = String, required = false, max_length = 1024)]
    share: Option<String>,
}

/// Takes a photo and a template, checks both, and queues the work: 202 at
/// once, the result comes from polling `status_url`.
#[utoipa::path(post, path = "/api/v1/faces/", tag = "faces",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    security((), ("bearer" = [])),
    responses(
        (status = 202, description = "Queued; poll `status_url`", body = TaskCreated),
        (status = 400, description = "Not a well-formed multipart form", body = ErrorBody),
        (status = 401, description = "An expired or forged token", body = ErrorBody),
        (status = 413, description = "The photo is too large or has too many pixels", body = ErrorBody),
        (status = 415, description = "Not a JPEG, PNG, WebP or GIF", body = ErrorBody),
        (status = 422, description = "A corrupt photo, or a missing or unknown field", body = ErrorBody),
        (status = 429, description = "Too many anonymous uploads; see Retry-After", body = ErrorBody),
        (status = 503, description = "The queue is full or the store is down; see Retry-After", body = ErrorBody),
    ))]
async fn upload(
    state: web::Data<FacesState>,
    emojis: web::Data<crate::emojis::EmojisState>,
    user: OptionalUser,
    client: ClientAddress,
    multipart: Multipart,
) -> Result<HttpResponse, ApiError> {
    let user_id = user.0.map(|user| user.id);
    if user_id.is_none() {
        let bucket = [format!("upload:{}", client.as_str())];
        if let Err(throttled) = state.anonymous_throttle.check(&bucket).await? {
            UploadRejection::RateLimited.record();
            return Err(throttled.into());
        }
        state.anonymous_throttle.record(&bucket).await?;
    }

    let limits = state.pool.analyzer().limits();
    let form_limits = FormLimits {
        max_file_bytes: limits.max_bytes,
        max_text_bytes: 1024,
        max_parts: 8,
    };
    let fields = FormFields {
        files: &["image"],
        texts: &["emoji_id", "share"],
    };
    let mut form = read_form(multipart, fields, form_limits)
        .await
        .inspect_err(|error| {
            match error {
                FormError::FileTooLarge { .. } => UploadRejection::TooLarge,
                _ => UploadRejection::BadForm,
            }
            .record()
        })?;

    let mut errors = FieldErrors::default();
    let emoji_id = match form.text("emoji_id").map(str::trim) {
        None | Some("") => {
            errors.add("emoji_id", "is required");
            None
        }
        Some(raw) => raw
            .parse::<i64>()
            .map_err(|_| errors.add("emoji_id", "must be a template id"))
            .ok(),
    };
    let image = form.take_file("image");
    if image.is_none() {
        errors.add("image", "a photo is required");
    }
    if !errors.is_empty() {
        UploadRejection::BadForm.record();
    }
    errors.into_result()?;
    let (Some(emoji_id), Some(image)) = (emoji_id, image) else {
        return Err(anyhow::anyhow!("validated fields went missing").into());
    };

    let header = probe_photo(&image, &limits).map_err(|error| {
        match error {
            AnalysisError::TooLarge { .. } | AnalysisError::TooManyPixels { .. } => {
                UploadRejection::TooLarge
            }
            AnalysisError::UnsupportedFormat => UploadRejection::UnsupportedFormat,
            _ => UploadRejection::CorruptImage,
        }
        .record();
        ApiError::Photo(error)
    })?;
    let emoji = crate::emojis::find_visible(&emojis.db, emoji_id, user_id, form.text("share"))
        .await
        .map_err(|error| match error {
            crate::emojis::EmojiError::NotFound => {
                UploadRejection::UnknownTemplate.record();
                ApiError::from(FieldErrors::one("emoji_id", "no such template"))
            }
            other => other.into(),
        })?;

    let task = service::enqueue(&state, user_id, &emoji, image, header).await?;
    let status_url = format!("/api/v1/faces/tasks/{}", task.id);
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, status_url.clone()))
        .json(TaskCreated {
            task_id: task.id,
            status: "queued",
            status_url,
        }))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct TaskQuery {
    /// Seconds (0 to 10) to hold the answer while the task is queued or
    /// running: it comes as soon as the task is done or failed, so a client
    /// need not poll.
    wait: Option<i64>,
}

/// A task's state, and its faces and result once done. Anonymous tasks are
/// readable by their id; a user's only by that user.
#[utoipa::path(get, path = "/api/v1/faces/tasks/{task_id}", tag = "faces",
    params(("task_id" = String, Path, description = "The id from the upload"), TaskQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The task", body = crate::faces::service::TaskView),
        (status = 401, description = "An expired or forged token", body = ErrorBody),
        (status = 404, description = "No such task, or not yours", body = ErrorBody),
        (status = 422, description = "A bad `wait`", body = ErrorBody),
    ))]
async fn get_task(
    state: web::Data<FacesState>,
    user: OptionalUser,
    path: web::Path<String>,
    query: web::Query<TaskQuery>,
) -> Result<HttpResponse, ApiError> {
    let wait = match query.wait {
        None => Duration::ZERO,
        Some(seconds) if (0..=MAX_WAIT_SECONDS as i64).contains(&seconds) => {
            Duration::from_secs(seconds as u64)
        }
        Some(_) => {
            let mut errors = FieldErrors::default();
            errors.add(
                "wait",
                format!("must be between 0 and {MAX_WAIT_SECONDS} seconds"),
            );
            return Err(errors.into());
        }
    };
    let task_id = path.into_inner();
    if uuid::Uuid::parse_str(&task_id).is_err() {
        return Err(FaceError::TaskNotFound.into());
    }
    let viewer = user.0.map(|user| user.id);
    let until = tokio::time::Instant::now() + wait;
    let task = service::wait_until_settled(&state, &task_id, viewer, until).await?;
    let pending = service::is_pending(&task);
    let view = service::view(&state.store, task);
    let mut response = HttpResponse::Ok();
    if pending {
        response.insert_header((header::CACHE_CONTROL, "no-store"));
    }
    Ok(response.json(view))
}

/// A person's fix of one face.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct FaceCorrection {
    /// The emoji of this expression covers the face from now on.
    #[schema(value_type = Option<Expression>)]
    expression: Option<String>,
    /// `true`: no emoji on this face; `false`: its emoji again.
    hidden: Option<bool>,
}

/// Changes the emoji of one face of a finished task, or takes it off, and
/// paints the result again from the stored photo (no new face search). The
/// face then has `corrected: true` and keeps the model's reading in
/// `predicted`; `result_url` and `thumbnail_url` are new.
#[utoipa::path(patch, path = "/api/v1/faces/tasks/{task_id}/faces/{index}", tag = "faces",
    params(
        ("task_id" = String, Path, description = "The id from the upload"),
        ("index" = usize, Path, description = "The face's place in `faces`, from 0"),
    ),
    request_body = FaceCorrection,
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The updated task", body = crate::faces::service::TaskView),
        (status = 401, description = "An expired or forged token", body = ErrorBody),
        (status = 404, description = "No such task, or not yours", body = ErrorBody),
        (status = 409, description = "The task is not done yet", body = ErrorBody),
        (status = 410, description = "The uploaded photo or the template is gone", body = ErrorBody),
        (status = 422, description = "No such face, an unknown expression, or nothing to change", body = ErrorBody),
    ))]
async fn correct_face(
    state: web::Data<FacesState>,
    user: OptionalUser,
    path: web::Path<(String, String)>,
    body: web::Json<FaceCorrection>,
) -> Result<HttpResponse, ApiError> {
    let (task_id, index) = path.into_inner();
    if uuid::Uuid::parse_str(&task_id).is_err() {
        return Err(FaceError::TaskNotFound.into());
    }
    let mut errors = FieldErrors::default();
    let index = index
        .parse::<usize>()
        .map_err(|_| errors.add("index", "must be a face number from 0"))
        .ok();
    let expression = match body.expression.as_deref() {
        None => None,
        Some(text) => text
            .parse::<Expression>()
            .map_err(|_| {
                errors.add(
                    "expression",
                    "must be one of angry, disgust, fear, happy, sad, surprise, neutral",
                )
            })
            .ok(),
    };
    if body.expression.is_none() && body.hidden.is_none() {
        errors.add("expression", "give an expression, or hidden: true or false");
    }
    errors.into_result()?;
    let Some(index) = index else {
        return Err(anyhow::anyhow!("validated fields went missing").into());
    };
    let change = FaceChange {
        expression,
        hidden: body.hidden,
    };
    let viewer = user.0.map(|user| user.id);
    let task = corrections::correct_face(&state, &task_id, viewer, index, change).await?;
    Ok(HttpResponse::Ok().json(service::view(&state.store, task)))
}
