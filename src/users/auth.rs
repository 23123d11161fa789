//! Access tokens: HS256 JWTs that carry the user id and the account's token
//! stamp, decoded once per request into a `CurrentUser`.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::UsersState;
use super::entity;
use crate::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("this request needs an `Authorization: Bearer <token>` header")]
    MissingToken,
    #[error("the access token is invalid")]
    InvalidToken,
    #[error("the access token has expired; log in again")]
    ExpiredToken,
    #[error("the access token is invalid")]
    UnknownUser,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    /// The account's token stamp; see `entity::Model::token_stamp`.
    stm: String,
    iat: u64,
    exp: u64,
}

pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: u64,
}

/// Who a valid token belongs to.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    pub user_id: i64,
    pub token_stamp: String,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl TokenKeys {
    pub fn new(secret: &SecretString, ttl: Duration) -> anyhow::Result<Self> {
        let bytes = secret.expose_secret().as_bytes();
        // Only HS256 is accepted: `alg: none` and every other algorithm fail.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Ok(TokenKeys {
            encoding: EncodingKey::from_secret(bytes)?,
            decoding: DecodingKey::from_secret(bytes)?,
            validation,
            ttl,
        })
    }

    pub fn issue(&self, user: &entity::Model) -> anyhow::Result<IssuedToken> {
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            sub: user.id.to_string(),
            stm: user.token_stamp.clone(),
            iat: now,
            exp: now + self.ttl.as_secs(),
        };
        let access_token =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok(IssuedToken {
            access_token,
            expires_in: self.ttl.as_secs(),
        })
    }

    pub fn verify(&self, token: &str) -> Result<VerifiedToken, AuthError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|error| match error.kind() {
                ErrorKind::ExpiredSignature => AuthError::ExpiredToken,
                _ => AuthError::InvalidToken,
            })?;
        let user_id = data
            .claims
            .sub
            .parse()
            .map_err(|_| AuthError::InvalidToken)?;
        Ok(VerifiedToken {
            user_id,
            token_stamp: data.claims.stm,
        })
    }
}

/// The logged-in user of this request. Asking for it makes a handler
/// require a valid token (401 otherwise).
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub nickname: String,
}

impl From<entity::Model> for CurrentUser {
    fn from(user: entity::Model) -> Self {
        CurrentUser {
            id: user.id,
            username: user.username,
            nickname: user.nickname,
        }
    }
}

fn bearer_token(req: &HttpRequest) -> Result<String, AuthError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(AuthError::MissingToken)?
        .to_str()
        .map_err(|_| AuthError::InvalidToken)?;
    let (scheme, token) = value.split_once(' ').ok_or(AuthError::InvalidToken)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(AuthError::InvalidToken);
    }
    Ok(token.trim().to_owned())
}

impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer_token(req);
        let state = req.app_data::<web::Data<UsersState>>().cloned();
        Box::pin(async move {
            let state = state.ok_or_else(|| anyhow::anyhow!("UsersState is not registered"))?;
            Ok(super::service::user_for_token(&state, &token?).await?)
        })
    }
}

/// The logged-in user if the request carries a token, `None` if it carries
/// none. A token that is present but invalid or expired is still a 401: a
/// person whose session ran out should hear so, not silently act anonymously.
#[derive(Debug, Clone)]
pub struct OptionalUser(pub Option<CurrentUser>);

impl FromRequest for OptionalUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if req.headers().get(header::AUTHORIZATION).is_none() {
            return Box::pin(async { Ok(OptionalUser(None)) });
        }
        let user = CurrentUser::from_request(req, payload);
        Box::pin(async move { Ok(OptionalUser(Some(user.await?))) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn keys(secret: &str) -> TokenKeys {
        TokenKeys::new(
            &SecretString::from(secret.to_owned()),
            Duration::from_secs(3600),
        )
        .unwrap()
    }

    fn user() -> entity::Model {
        entity::Model {
            id: 7,
            username: "alice".into(),
            nickname: "Alice".into(),
            password_hash: String::new(),
            token_stamp: "stamp".into(),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn issued_tokens_verify() {
        let keys = keys("0123456789abcdef0123456789abcdef");
        let token = keys.issue(&user()).unwrap().access_token;
        let verified = keys.verify(&token).unwrap();
        assert_eq!(verified.user_id, 7);
        assert_eq!(verified.token_stamp, "stamp");
    }

    #[test]
    fn tokens_signed_with_another_secret_fail() {
        let token = keys("another secret that is long enough!!")
            .issue(&user())
            .unwrap()
            .access_token;
        let error = keys("0123456789abcdef0123456789abcdef")
            .verify(&token)
            .unwrap_err();
        assert!(matches!(error, AuthError::InvalidToken));
    }
}
