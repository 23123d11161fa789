//! Users: sign-up, login with throttling, access tokens.

mod accounts;
mod auth;
mod domain;
mod entity;
mod password;
mod routes;
mod service;

pub use accounts::AccountCache;
pub use auth::{AuthError, CurrentUser, OptionalUser, TokenKeys};
pub use entity::{Column as UserColumn, Entity as UserEntity, Model as UserModel};
pub use password::PasswordHasher;
pub use routes::{UsersApi, configure};
pub use service::delete_user;

use sea_orm::DatabaseConnection;

use crate::throttle::{Throttle, Throttled};

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("this username is already taken")]
    UsernameTaken,
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("no such user")]
    NotFound,
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Throttled(#[from] Throttled),
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
    /// Hashing or signing failed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// What the users module needs at request time, shared by all workers.
pub struct UsersState {
    pub db: DatabaseConnection,
    pub hasher: PasswordHasher,
    pub tokens: TokenKeys,
    pub login_throttle: Throttle,
    pub accounts: AccountCache,
}
