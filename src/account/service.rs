//! Deleting an account with everything it made.

use crate::emojis::{EmojiError, EmojisState};
use crate::faces::FacesState;
use crate::users::{UserError, UsersState};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Users(#[from] UserError),
    #[error(transparent)]
    Emojis(#[from] EmojiError),
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
}

/// Deletes the user's row, which the foreign keys' cascades extend to their
/// templates, those templates' uses and their tasks; then the files of all
/// of those. A file that cannot be deleted is logged and left: the account
/// is gone either way.
pub async fn delete_account(
    users: &UsersState,
    emojis: &EmojisState,
    faces: &FacesState,
    user_id: i64,
) -> Result<(), AccountError> {
    let mut files = crate::faces::files_of_user(&faces.db, user_id).await?;
    files.extend(crate::emojis::files_of_owner(&emojis.db, user_id).await?);
    crate::users::delete_user(users, user_id).await?;
    emojis.listings.invalidate();
    if let Err(error) = faces.store.delete_all(&files).await {
        tracing::error!(user = user_id, files = files.len(), error = %error,
            "the deleted account's files were not all deleted");
    }
    Ok(())
}
