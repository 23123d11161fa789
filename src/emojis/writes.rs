//! Changing templates: creating one (images first, then the row, undone
//! together on failure) and deleting one.

use bytes::Bytes;
use chrono::Utc;
use rand::RngCore;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

use super::domain::{Description, EmojiName, Visibility};
use super::reads::{find_visible, image_keys};
use super::{EmojiError, EmojisState, entity};
use crate::analysis::Expression;
use crate::storage::MediaKey;

pub struct NewEmoji {
    pub name: EmojiName,
    pub description: Description,
    pub visibility: Visibility,
    /// Normalised PNGs, in [`Expression::ALL`] order.
    pub images: Vec<(Expression, Vec<u8>)>,
}

/// Stores the seven images, then the row. If anything fails, whatever was
/// stored is removed again: no orphaned objects, no half rows.
#[tracing::instrument(skip(state, new_emoji))]
pub async fn create(
    state: &EmojisState,
    owner_id: i64,
    new_emoji: NewEmoji,
) -> Result<entity::Model, EmojiError> {
    let prefix = format!("emojis/{}", uuid::Uuid::new_v4());
    let share_token = (new_emoji.visibility == Visibility::Private).then(new_share_token);
    let row = entity::ActiveModel {
        owner_id: Set(Some(owner_id)),
        name: Set(new_emoji.name.into_inner()),
        description: Set(new_emoji.description.into_inner()),
        visibility: Set(new_emoji.visibility.as_str().to_owned()),
        share_token: Set(share_token),
        builtin_slug: Set(None),
        attribution: Set(None),
        image_prefix: Set(prefix.clone()),
        use_count: Set(0),
        last_used_at: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    let created = store_images_then_insert(state, &prefix, new_emoji.images, row).await?;
    state.listings.invalidate();
    Ok(created)
}

pub(super) async fn store_images_then_insert(
    state: &EmojisState,
    prefix: &str,
    images: Vec<(Expression, Vec<u8>)>,
    row: entity::ActiveModel,
) -> Result<entity::Model, EmojiError> {
    let mut stored = Vec::with_capacity(images.len());
    let mut outcome: Result<(), EmojiError> = Ok(());
    for (expression, png) in images {
        let key = MediaKey::parse(&format!("{prefix}/{}.png", expression.as_str())).map_err(
            |message| EmojiError::CorruptRow(format!("a generated key is invalid: {message}")),
        )?;
        match state.store.put(&key, Bytes::from(png)).await {
            Ok(()) => stored.push(key),
            Err(error) => {
                outcome = Err(error.into());
                break;
            }
        }
    }
    let inserted = match outcome {
        Ok(()) => row.insert(&state.db).await.map_err(EmojiError::from),
        Err(error) => Err(error),
    };
    if inserted.is_err() {
        let _ = state.store.delete_all(&stored).await;
    }
    inserted
}

fn new_share_token() -> String {
    let mut bytes = [0u8; 18];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[tracing::instrument(skip(state))]
pub async fn delete(state: &EmojisState, id: i64, user_id: i64) -> Result<(), EmojiError> {
    let emoji = find_visible(&state.db, id, Some(user_id), None).await?;
    if emoji.builtin_slug.is_some() {
        return Err(EmojiError::BuiltinCannotBeDeleted);
    }
    if emoji.owner_id != Some(user_id) {
        return Err(EmojiError::NotOwner);
    }
    let keys = image_keys(&emoji)?;
    entity::Entity::delete_by_id(emoji.id)
        .exec(&state.db)
        .await?;
    state.listings.invalidate();
    // The row is gone, so nothing links to the images any more; a failure
    // here leaves unreachable files, which is logged.
    if let Err(error) = state.store.delete_all(&keys).await {
        tracing::error!(emoji = id, error = %error, "template images were not all deleted");
    }
    Ok(())
}
