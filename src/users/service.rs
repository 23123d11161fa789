use chrono::Utc;
use rand::RngCore;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, SqlErr};

use super::auth::{AuthError, CurrentUser, IssuedToken};
use super::domain::{Nickname, Password, Username};
use super::entity::{self, Entity as User};
use super::{UserError, UsersState};

pub struct NewUser {
    pub username: Username,
    pub password: Password,
    pub nickname: Nickname,
}

#[tracing::instrument(skip(state))]
pub async fn is_username_available(
    state: &UsersState,
    username: &Username,
) -> Result<bool, UserError> {
    let existing = User::find()
        .filter(entity::Column::Username.eq(username.as_str()))
        .one(&state.db)
        .await?;
    Ok(existing.is_none())
}

#[tracing::instrument(skip(state, new_user), fields(username = %new_user.username))]
pub async fn sign_up(state: &UsersState, new_user: NewUser) -> Result<entity::Model, UserError> {
    let password_hash = state.hasher.hash(new_user.password).await?;
    let user = entity::ActiveModel {
        username: Set(new_user.username.as_str().to_owned()),
        nickname: Set(new_user.nickname.as_str().to_owned()),
        password_hash: Set(password_hash),
        token_stamp: Set(new_token_stamp()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    // The unique index decides races between two sign-ups of one name.
    match User::insert(user).exec_with_returning(&state.db).await {
        Ok(user) => Ok(user),
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(UserError::UsernameTaken)
        }
        Err(error) => Err(error.into()),
    }
}

#[tracing::instrument(skip(state, password))]
pub async fn log_in(
    state: &UsersState,
    username: &str,
    password: String,
    client_address: &str,
) -> Result<IssuedToken, UserError> {
    let lowered = username.to_ascii_lowercase();
    let user_bucket = format!("login-user:{}", truncate(&lowered, 64));
    let address_bucket = format!("login-address:{}", truncate(client_address, 64));
    let buckets = [user_bucket.clone(), address_bucket];
    state.login_throttle.check(&buckets).await??;

    let user = match Username::parse(username) {
        Ok(username) => {
            User::find()
                .filter(entity::Column::Username.eq(username.as_str()))
                .one(&state.db)
                .await?
        }
        Err(_) => None,
    };
    let stored_hash = user.as_ref().map(|user| user.password_hash.clone());
    let verified = state.hasher.verify(password, stored_hash).await?;
    match user {
        Some(user) if verified => {
            state.login_throttle.clear(&user_bucket).await?;
            Ok(state.tokens.issue(&user)?)
        }
        _ => {
            state.login_throttle.record(&buckets).await?;
            Err(UserError::InvalidCredentials)
        }
    }
}

/// The account a bearer token belongs to; 401 when the token is bad or the
/// account is gone.
pub async fn user_for_token(state: &UsersState, token: &str) -> Result<CurrentUser, UserError> {
    let verified = state.tokens.verify(token)?;
    if let Some(user) = state.accounts.get(verified.user_id, &verified.token_stamp) {
        return Ok(user);
    }
    let user = User::find_by_id(verified.user_id).one(&state.db).await?;
    match user {
        Some(user) if user.token_stamp == verified.token_stamp => {
            let stamp = user.token_stamp.clone();
            let user = CurrentUser::from(user);
            state.accounts.put(user.clone(), stamp);
            Ok(user)
        }
        _ => Err(AuthError::UnknownUser.into()),
    }
}

/// Deletes the user's row; the foreign keys' cascades delete their
/// templates (with those templates' uses) and their tasks.
#[tracing::instrument(skip(state))]
pub async fn delete_user(state: &UsersState, user_id: i64) -> Result<(), UserError> {
    let result = User::delete_by_id(user_id).exec(&state.db).await?;
    state.accounts.forget(user_id);
    if result.rows_affected == 0 {
        return Err(UserError::NotFound);
    }
    Ok(())
}

fn new_token_stamp() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn truncate(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((index, _)) => &text[..index],
        None => text,
    }
}
