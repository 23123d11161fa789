//! Accounts: sign-up, login with throttling, access tokens, deletion.

mod accounts;
mod auth;
mod domain;
mod entity;
mod password;
mod routes;
mod service;

pub use accounts::AccountCache;
pub use auth::{AuthError, CurrentUser, OptionalUser, TokenKeys};
pub use domain::{Nickname, Password, Username};
pub use entity::{Column as UserColumn, Entity as UserEntity, Model as UserModel};
pub use password::PasswordHasher;
pub use routes::{UsersApi, configure};

use sea_orm::DatabaseConnection;

use crate::throttle::Throttle;

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("this username is already taken")]
    UsernameTaken,
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("no such user")]
    NotFound,
}

/// What the users module needs at request time, shared by all workers.
pub struct UsersState {
    pub db: DatabaseConnection,
    pub hasher: PasswordHasher,
    pub tokens: TokenKeys,
    pub login_throttle: Throttle,
    pub accounts: AccountCache,
}
