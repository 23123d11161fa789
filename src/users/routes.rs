use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::auth::CurrentUser;
use super::domain::{Nickname, Password, Username};
use super::service::{self, NewUser};
use super::{UsersState, entity};
use crate::error::{ApiError, ErrorBody, FieldErrors, RequestError};
use crate::http::ClientAddress;

/// The users part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(check_username, sign_up, log_in, who_am_i))]
pub struct UsersApi;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/api/v1/users/")
            .route(web::get().to(check_username))
            .route(web::post().to(sign_up)),
    )
    .service(
        web::resource("/api/v1/users/auth")
            .route(web::get().to(who_am_i))
            .route(web::post().to(log_in)),
    );
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct UsernameQuery {
    /// The name to check: 3–30 of `a-z 0-9 _ . -`, any case.
    #[param(required = true, pattern = r"^[A-Za-z0-9_.-]{3,30}$")]
    username: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct UsernameAvailability {
    username: String,
    available: bool,
}

/// Whether a username is still free.
#[utoipa::path(get, path = "/api/v1/users/", tag = "users", params(UsernameQuery),
    responses(
        (status = 200, description = "Whether the name is free", body = UsernameAvailability),
        (status = 422, description = "A malformed username", body = ErrorBody),
    ))]
async fn check_username(
    state: web::Data<UsersState>,
    query: web::Query<UsernameQuery>,
) -> Result<HttpResponse, ApiError> {
    let raw = query.into_inner().username.unwrap_or_default();
    let username = Username::parse(&raw).map_err(|message| {
        let mut fields = FieldErrors::default();
        fields.add("username", message);
        RequestError::Validation(fields)
    })?;
    let available = service::is_username_available(&state, &username).await?;
    Ok(HttpResponse::Ok().json(UsernameAvailability {
        username: username.to_string(),
        available,
    }))
}

// Fields are optional here so that a missing one gets a per-field 422
// instead of a generic deserialisation error.
#[derive(Deserialize, ToSchema)]
struct SignUpRequest {
    #[schema(required = true, value_type = String, pattern = r"^[A-Za-z0-9_.-]{3,30}$")]
    username: Option<String>,
    #[schema(required = true, value_type = String, min_length = 8, max_length = 128)]
    password: Option<String>,
    /// Shown instead of the username; defaults to it. Not only spaces, and
    /// no control characters (trimmed first).
    #[schema(value_type = Option<String>, required = false, min_length = 1, max_length = 40,
        pattern = r"^\s*[^\s\u0000-\u001F\u007F-\u009F](?:[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F])?\s*$")]
    nickname: Option<String>,
}

impl SignUpRequest {
    fn parse(self) -> Result<NewUser, FieldErrors> {
        let mut errors = FieldErrors::default();
        let username = required(&mut errors, "username", self.username).and_then(|raw| {
            Username::parse(&raw)
                .map_err(|e| errors.add("username", e))
                .ok()
        });
        let password = required(&mut errors, "password", self.password).and_then(|raw| {
            Password::parse(raw)
                .map_err(|e| errors.add("password", e))
                .ok()
        });
        let nickname = match (self.nickname, &username) {
            (Some(raw), _) => Nickname::parse(&raw)
                .map_err(|e| errors.add("nickname", e))
                .ok(),
            (None, Some(username)) => Nickname::parse(username.as_str()).ok(),
            (None, None) => None,
        };
        match (username, password, nickname) {
            (Some(username), Some(password), Some(nickname)) if errors.is_empty() => Ok(NewUser {
                username,
                password,
                nickname,
            }),
            _ => Err(errors),
        }
    }
}

fn required(
    errors: &mut FieldErrors,
    field: &'static str,
    value: Option<String>,
) -> Option<String> {
    if value.is_none() {
        errors.add(field, "is required");
    }
    value
}

#[derive(Serialize, ToSchema)]
struct UserCreated {
    id: i64,
    username: String,
    nickname: String,
    created_at: DateTime<Utc>,
}

/// Creates an account.
#[utoipa::path(post, path = "/api/v1/users/", tag = "users", request_body = SignUpRequest,
    responses(
        (status = 201, description = "The new account", body = UserCreated),
        (status = 400, description = "Malformed JSON or not JSON", body = ErrorBody),
        (status = 409, description = "The username is taken", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 422, description = "Invalid fields, each named", body = ErrorBody),
    ))]
async fn sign_up(
    state: web::Data<UsersState>,
    body: web::Json<SignUpRequest>,
) -> Result<HttpResponse, ApiError> {
    let new_user = body.into_inner().parse()?;
    let user: entity::Model = service::sign_up(&state, new_user).await?;
    Ok(HttpResponse::Created().json(UserCreated {
        id: user.id,
        username: user.username,
        nickname: user.nickname,
        created_at: user.created_at,
    }))
}

#[derive(Deserialize, ToSchema)]
struct LoginRequest {
    #[schema(required = true, value_type = String)]
    username: Option<String>,
    #[schema(required = true, value_type = String)]
    password: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct LoginResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
}

/// Logs in: a bearer token for the other calls.
#[utoipa::path(post, path = "/api/v1/users/auth", tag = "users", request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = LoginResponse),
        (status = 400, description = "Malformed JSON or not JSON", body = ErrorBody),
        (status = 401, description = "Wrong username or password", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 422, description = "A missing field", body = ErrorBody),
        (status = 429, description = "Too many failures; see Retry-After", body = ErrorBody),
    ))]
async fn log_in(
    state: web::Data<UsersState>,
    client: ClientAddress,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { username, password } = body.into_inner();
    let mut errors = FieldErrors::default();
    let username = required(&mut errors, "username", username);
    let password = required(&mut errors, "password", password);
    let (Some(username), Some(password)) = (username, password) else {
        return Err(errors.into());
    };
    let token = service::log_in(&state, &username, password, client.as_str()).await?;
    Ok(HttpResponse::Ok().json(LoginResponse {
        access_token: token.access_token,
        token_type: "Bearer",
        expires_in: token.expires_in,
    }))
}

#[derive(Serialize, ToSchema)]
struct Me {
    id: i64,
    username: String,
    nickname: String,
}

/// The user the token belongs to.
#[utoipa::path(get, path = "/api/v1/users/auth", tag = "users", security(("bearer" = [])),
    responses(
        (status = 200, description = "The token's user", body = Me),
        (status = 401, description = "A missing, expired or forged token", body = ErrorBody),
    ))]
async fn who_am_i(user: CurrentUser) -> HttpResponse {
    HttpResponse::Ok().json(Me {
        id: user.id,
        username: user.username,
        nickname: user.nickname,
    })
}
