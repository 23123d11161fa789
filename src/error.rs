//! The one place where module errors become HTTP responses.
//!
//! Every error body has the shape
//! `{"error": {"code": "snake_case", "message": "...", "fields": {...}?}}`.
//! Codes are stable API; messages are for people. Internal details are
//! logged (with the request id, through the request span), never sent.

use std::collections::BTreeMap;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::account::AccountError;
use crate::analysis::AnalysisError;
use crate::emojis::{EmojiError, TemplateImageError};
use crate::faces::FaceError;
use crate::live::LiveError;
use crate::multipart::FormError;
use crate::storage::StorageError;
use crate::throttle::Throttled;
use crate::users::{AuthError, UserError};

/// Per-field validation messages, keyed by the request field name.
/// What is wrong with each field, by field name.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }

    pub fn one(field: impl Into<String>, message: impl Into<String>) -> FieldErrors {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        errors
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// `Ok(())` when nothing was added, so callers can end with `errors.into_result()?`.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// Problems with the request itself, found before any module sees it.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("the request body has the wrong shape: {0}")]
    InvalidBody(String),
    #[error("expected Content-Type: application/json")]
    WrongContentType,
    #[error("the request body is larger than {limit} bytes")]
    BodyTooLarge { limit: usize },
    #[error("invalid query string: {0}")]
    InvalidQuery(String),
    #[error("some fields are invalid")]
    Validation(FieldErrors),
    #[error("no such resource")]
    NotFound,
    #[error("this method is not allowed on this resource")]
    MethodNotAllowed,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Users(#[from] UserError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Throttled(#[from] Throttled),
    #[error(transparent)]
    Form(#[from] FormError),
    /// An uploaded photo refused by the analysis engine's checks.
    #[error(transparent)]
    Photo(AnalysisError),
    #[error(transparent)]
    Emojis(#[from] EmojiError),
    #[error(transparent)]
    Faces(#[from] FaceError),
    #[error(transparent)]
    Live(#[from] LiveError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("database error")]
    Database(#[from] sea_orm::DbErr),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
    /// One error answered to every request that waited on the same work
    /// (a cached listing's build).
    #[error(transparent)]
    Shared(std::sync::Arc<ApiError>),
}

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Users(error) => ApiError::Users(error),
            AccountError::Emojis(error) => ApiError::Emojis(error),
            AccountError::Database(error) => ApiError::Database(error),
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(fields: FieldErrors) -> Self {
        ApiError::Request(RequestError::Validation(fields))
    }
}

/// What a client is told about an error.
struct Described {
    status: StatusCode,
    code: &'static str,
    message: String,
    fields: Option<FieldErrors>,
    retry_after: Option<Duration>,
    /// A 5xx that is part of normal operation (backpressure), so not logged
    /// as a failure.
    expected: bool,
}

impl Described {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Described {
            status,
            code,
            message: message.into(),
            fields: None,
            retry_after: None,
            expected: false,
        }
    }

    fn about_field(self, field: &str) -> Self {
        let fields = FieldErrors::one(field, self.message.clone());
        Described {
            fields: Some(fields),
            ..self
        }
    }

    fn retry_after(self, seconds: u64) -> Self {
        self.retry_after_duration(Duration::from_secs(seconds))
    }

    fn retry_after_duration(self, wait: Duration) -> Self {
        Described {
            retry_after: Some(wait),
            ..self
        }
    }

    fn expected(self) -> Self {
        Described {
            expected: true,
            ..self
        }
    }
}

impl ApiError {
    fn describe(&self) -> Described {
        use StatusCode as S;
        match self {
            ApiError::Request(error) => {
                let message = error.to_string();
                match error {
                    RequestError::MalformedJson(_) => {
                        Described::new(S::BAD_REQUEST, "malformed_json", message)
                    }
                    RequestError::WrongContentType => {
                        Described::new(S::BAD_REQUEST, "wrong_content_type", message)
                    }
                    RequestError::InvalidBody(_) => {
                        Described::new(S::UNPROCESSABLE_ENTITY, "invalid_body", message)
                    }
                    RequestError::BodyTooLarge { .. } => {
                        Described::new(S::PAYLOAD_TOO_LARGE, "body_too_large", message)
                    }
                    RequestError::InvalidQuery(_) => {
                        Described::new(S::UNPROCESSABLE_ENTITY, "invalid_query", message)
                    }
                    RequestError::Validation(fields) => Described {
                        fields: Some(fields.clone()),
                        ..Described::new(S::UNPROCESSABLE_ENTITY, "validation_failed", message)
                    },
                    RequestError::NotFound => Described::new(S::NOT_FOUND, "not_found", message),
                    RequestError::MethodNotAllowed => {
                        Described::new(S::METHOD_NOT_ALLOWED, "method_not_allowed", message)
                    }
                }
            }
            ApiError::Users(error) => {
                let message = error.to_string();
                match error {
                    UserError::UsernameTaken => {
                        Described::new(S::CONFLICT, "username_taken", message)
                    }
                    UserError::InvalidCredentials => {
                        Described::new(S::UNAUTHORIZED, "invalid_credentials", message)
                    }
                    UserError::NotFound => Described::new(S::NOT_FOUND, "user_not_found", message),
                    UserError::Auth(error) => auth_error(error),
                    UserError::Throttled(throttled) => throttled_error(throttled),
                    UserError::Database(error) => database_error(error),
                    UserError::Internal(_) => internal_error(),
                }
            }
            ApiError::Auth(error) => auth_error(error),
            ApiError::Throttled(throttled) => throttled_error(throttled),
            ApiError::Form(error) => {
                let message = error.to_string();
                let described = match error {
                    FormError::NotMultipart => {
                        Described::new(S::UNSUPPORTED_MEDIA_TYPE, "not_multipart", message)
                    }
                    FormError::Malformed(_) => {
                        Described::new(S::BAD_REQUEST, "malformed_form", message)
                    }
                    FormError::FileTooLarge { .. } => {
                        Described::new(S::PAYLOAD_TOO_LARGE, "file_too_large", message)
                    }
                    FormError::TooManyParts { .. } => {
                        Described::new(S::PAYLOAD_TOO_LARGE, "too_many_parts", message)
                    }
                    FormError::TextTooLong { .. }
                    | FormError::Duplicate(_)
                    | FormError::NotText(_)
                    | FormError::Unknown(_) => {
                        Described::new(S::UNPROCESSABLE_ENTITY, "validation_failed", message)
                    }
                };
                match error.field() {
                    Some(field) => described.about_field(field),
                    None => described,
                }
            }
            ApiError::Photo(error) => {
                let message = error.to_string();
                let described = match error {
                    AnalysisError::TooLarge { .. } => {
                        Described::new(S::PAYLOAD_TOO_LARGE, "file_too_large", message)
                    }
                    AnalysisError::TooManyPixels { .. } => {
                        Described::new(S::PAYLOAD_TOO_LARGE, "too_many_pixels", message)
                    }
                    AnalysisError::UnsupportedFormat => {
                        Described::new(S::UNSUPPORTED_MEDIA_TYPE, "unsupported_format", message)
                    }
                    AnalysisError::Empty | AnalysisError::Corrupt(_) => {
                        Described::new(S::UNPROCESSABLE_ENTITY, error.code(), message)
                    }
                    AnalysisError::ModelLoad { .. }
                    | AnalysisError::Inference(_)
                    | AnalysisError::Crashed(_) => {
                        return internal_error();
                    }
                };
                described.about_field("image")
            }
            ApiError::Emojis(error) => emoji_error(error),
            ApiError::Live(error) => match error {
                // Backpressure, like a full queue: expected, not logged.
                LiveError::Busy => {
                    Described::new(S::SERVICE_UNAVAILABLE, "live_busy", error.to_string())
                        .retry_after(5)
                        .expected()
                }
                LiveError::NotWebSocket(_) => {
                    Described::new(S::BAD_REQUEST, "websocket_required", error.to_string())
                }
            },
            ApiError::Faces(error) => {
                let message = error.to_string();
                match error {
                    FaceError::TaskNotFound => {
                        Described::new(S::NOT_FOUND, "task_not_found", message)
                    }
                    // Backpressure, not a fault: counted in
                    // uploads_rejected_total, not logged. The queue moves
                    // several photos a second, so a second is long enough.
                    FaceError::QueueFull => {
                        Described::new(S::SERVICE_UNAVAILABLE, "queue_full", message)
                            .retry_after(1)
                            .expected()
                    }
                    FaceError::TaskNotDone { .. } => {
                        Described::new(S::CONFLICT, "task_not_done", message)
                    }
                    FaceError::CorrectionConflict => {
                        Described::new(S::CONFLICT, "correction_conflict", message)
                    }
                    FaceError::OriginalExpired => {
                        Described::new(S::GONE, "original_expired", message)
                    }
                    FaceError::TemplateDeleted => {
                        Described::new(S::GONE, "template_deleted", message)
                    }
                    FaceError::NoSuchFace(_) => Described {
                        fields: Some(FieldErrors::one("index", message)),
                        ..Described::new(
                            S::UNPROCESSABLE_ENTITY,
                            "validation_failed",
                            RequestError::Validation(FieldErrors::default()).to_string(),
                        )
                    },
                    FaceError::Template(error) => emoji_error(error),
                    FaceError::Database(error) => database_error(error),
                    FaceError::Storage(error) => storage_error(error),
                    FaceError::Internal(_) => internal_error(),
                }
            }
            ApiError::Storage(error) => storage_error(error),
            ApiError::Database(error) => database_error(error),
            ApiError::Internal(_) => internal_error(),
            ApiError::Shared(error) => error.describe(),
        }
    }
}

fn emoji_error(error: &EmojiError) -> Described {
    use StatusCode as S;
    let message = error.to_string();
    match error {
        EmojiError::NotFound => Described::new(S::NOT_FOUND, "emoji_not_found", message),
        EmojiError::NotOwner => Described::new(S::FORBIDDEN, "not_owner", message),
        EmojiError::BuiltinCannotBeDeleted => {
            Described::new(S::FORBIDDEN, "builtin_template", message)
        }
        EmojiError::BadImage {
            source: TemplateImageError::Encode(_),
            ..
        } => internal_error(),
        EmojiError::BadImage { field, source } => {
            let (status, code) = match source {
                TemplateImageError::TooLarge { .. } | TemplateImageError::TooManyPixels { .. } => {
                    (S::PAYLOAD_TOO_LARGE, "image_too_large")
                }
                TemplateImageError::Unsupported => {
                    (S::UNSUPPORTED_MEDIA_TYPE, "unsupported_format")
                }
                TemplateImageError::Empty
                | TemplateImageError::Corrupt
                | TemplateImageError::Encode(_) => (S::UNPROCESSABLE_ENTITY, "invalid_image"),
            };
            Described::new(status, code, source.to_string()).about_field(field)
        }
        EmojiError::CorruptRow(_) => internal_error(),
        EmojiError::Database(error) => database_error(error),
        EmojiError::Storage(error) => storage_error(error),
    }
}

fn auth_error(error: &AuthError) -> Described {
    let code = match error {
        AuthError::MissingToken => "missing_token",
        AuthError::ExpiredToken => "token_expired",
        AuthError::InvalidToken | AuthError::UnknownUser => "invalid_token",
    };
    Described::new(StatusCode::UNAUTHORIZED, code, error.to_string())
}

fn throttled_error(throttled: &Throttled) -> Described {
    Described::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_requests",
        throttled.to_string(),
    )
    .retry_after_duration(throttled.retry_after)
}

fn storage_error(error: &StorageError) -> Described {
    match error {
        StorageError::NotFound => {
            Described::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
        }
        StorageError::Unavailable(_) => Described::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_unavailable",
            "the media store is not answering; try again shortly",
        )
        .retry_after(5),
        StorageError::Config(_) => internal_error(),
    }
}

fn database_error(error: &sea_orm::DbErr) -> Described {
    if is_unavailable(error) {
        Described::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "the database is not answering; try again shortly",
        )
        .retry_after(5)
    } else {
        internal_error()
    }
}

fn internal_error() -> Described {
    Described::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
        "something went wrong on our side; it has been logged",
    )
}

fn is_unavailable(error: &sea_orm::DbErr) -> bool {
    matches!(
        error,
        sea_orm::DbErr::ConnectionAcquire(_) | sea_orm::DbErr::Conn(_)
    )
}

/// Every error answer: `{"error": {code, message, fields?}}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ErrorDetail<'a> {
    /// A stable snake_case code, e.g. `queue_full`.
    code: &'a str,
    /// A sentence for people.
    message: &'a str,
    /// Only on validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<FieldErrors>)]
    fields: Option<&'a FieldErrors>,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.describe().status
    }

    fn error_response(&self) -> HttpResponse {
        let described = self.describe();
        if described.status.is_server_error() && !described.expected {
            tracing::error!(error = %error_chain(self), status = described.status.as_u16(), "request failed");
        }
        let mut response = HttpResponse::build(described.status);
        if let Some(retry_after) = described.retry_after {
            let seconds = retry_after.as_secs().max(1);
            response.insert_header((header::RETRY_AFTER, HeaderValue::from(seconds)));
        }
        response.json(ErrorBody {
            error: ErrorDetail {
                code: described.code,
                message: &described.message,
                fields: described.fields.as_ref(),
            },
        })
    }
}

/// `outer: inner: innermost`, for logs.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_keep_the_first_message_per_field() {
        let mut errors = FieldErrors::default();
        errors.add("username", "too short");
        errors.add("username", "bad characters");
        assert_eq!(errors.get("username"), Some("too short"));
        assert!(errors.into_result().is_err());
    }

    #[test]
    fn internal_errors_do_not_leak_details() {
        let error = ApiError::Internal(anyhow::anyhow!("secret path /etc/shadow"));
        let response = error.error_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = actix_web::body::to_bytes(response.into_body());
        let body = futures_util::FutureExt::now_or_never(body)
            .unwrap()
            .unwrap();
        assert!(!String::from_utf8_lossy(&body).contains("shadow"));
    }
}
