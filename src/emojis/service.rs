use std::collections::HashMap;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, RelationTrait, Set,
};
use serde::Serialize;

use super::domain::{Description, EmojiName, Visibility};
use super::entity::{self, uses};
use super::{EmojiError, EmojisState};
use crate::analysis::Expression;
use crate::error::ApiError;
use crate::pagination::Page;
use crate::storage::{MediaKey, MediaStore};
use crate::users::{UserEntity, UserModel};

/// A template as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EmojiView {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub visibility: String,
    pub builtin: bool,
    pub owner: Option<OwnerView>,
    pub use_count: i64,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub preview_url: String,
    /// One image URL per expression, keyed by its name.
    #[schema(value_type = HashMap<String, String>)]
    pub images: HashMap<&'static str, String>,
    /// Only shown to the owner of a private template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_token: Option<String>,
    pub attribution: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnerView {
    pub id: i64,
    pub username: String,
    pub nickname: String,
}

/// The image shown on cards.
const PREVIEW_EXPRESSION: Expression = Expression::Happy;

pub fn image_key(emoji: &entity::Model, expression: Expression) -> Result<MediaKey, ApiError> {
    MediaKey::parse(&format!(
        "{}/{}.png",
        emoji.image_prefix,
        expression.as_str()
    ))
    .map_err(|message| anyhow::anyhow!("stored image prefix is invalid: {message}").into())
}

fn image_keys(emoji: &entity::Model) -> Result<Vec<MediaKey>, ApiError> {
    Expression::ALL
        .into_iter()
        .map(|expression| image_key(emoji, expression))
        .collect()
}

/// Builds the API views of `emojis`, fetching their owners in one query.
pub async fn views(
    db: &impl ConnectionTrait,
    store: &MediaStore,
    emojis: Vec<entity::Model>,
    viewer: Option<i64>,
) -> Result<Vec<EmojiView>, ApiError> {
    let owner_ids: Vec<i64> = emojis.iter().filter_map(|emoji| emoji.owner_id).collect();
    let owners: HashMap<i64, UserModel> = if owner_ids.is_empty() {
        HashMap::new()
    } else {
        UserEntity::find()
            .filter(crate::users::UserColumn::Id.is_in(owner_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|user| (user.id, user))
            .collect()
    };
    emojis
        .into_iter()
        .map(|emoji| {
            let owner = emoji
                .owner_id
                .and_then(|id| owners.get(&id))
                .map(|user| OwnerView {
                    id: user.id,
                    username: user.username.clone(),
                    nickname: user.nickname.clone(),
                });
            view(store, emoji, owner, viewer)
        })
        .collect()
}

fn view(
    store: &MediaStore,
    emoji: entity::Model,
    owner: Option<OwnerView>,
    viewer: Option<i64>,
) -> Result<EmojiView, ApiError> {
    let mut images = HashMap::new();
    for expression in Expression::ALL {
        images.insert(
            expression.as_str(),
            store.url(&image_key(&emoji, expression)?),
        );
    }
    let is_owner = viewer.is_some() && viewer == emoji.owner_id;
    Ok(EmojiView {
        preview_url: store.url(&image_key(&emoji, PREVIEW_EXPRESSION)?),
        images,
        id: emoji.id,
        name: emoji.name,
        description: emoji.description,
        visibility: emoji.visibility,
        builtin: emoji.builtin_slug.is_some(),
        owner,
        use_count: emoji.use_count,
        created_at: emoji.created_at,
        last_used_at: emoji.last_used_at,
        share_token: emoji.share_token.filter(|_| is_owner),
        attribution: emoji.attribution,
    })
}

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
) -> Result<entity::Model, ApiError> {
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
) -> Result<entity::Model, ApiError> {
    let mut stored = Vec::with_capacity(images.len());
    let mut outcome: Result<(), ApiError> = Ok(());
    for (expression, png) in images {
        let key = MediaKey::parse(&format!("{prefix}/{}.png", expression.as_str()))
            .map_err(|message| anyhow::anyhow!("generated key is invalid: {message}"))?;
        match state.store.put(&key, Bytes::from(png)).await {
            Ok(()) => stored.push(key),
            Err(error) => {
                outcome = Err(error.into());
                break;
            }
        }
    }
    let inserted = match outcome {
        Ok(()) => row.insert(&state.db).await.map_err(ApiError::from),
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

/// One template, if `viewer` may see it: public ones to everyone, private
/// ones to their owner or with the share token. Otherwise "not found", so
/// a private template's existence does not leak.
pub async fn find_visible(
    db: &impl ConnectionTrait,
    id: i64,
    viewer: Option<i64>,
    share_token: Option<&str>,
) -> Result<entity::Model, ApiError> {
    let emoji = entity::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(EmojiError::NotFound)?;
    let visible = emoji.visibility == Visibility::Public.as_str()
        || (viewer.is_some() && viewer == emoji.owner_id)
        || matches!((share_token, &emoji.share_token), (Some(given), Some(token)) if constant_time_eq(given, token));
    if visible {
        Ok(emoji)
    } else {
        Err(EmojiError::NotFound.into())
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |difference, (x, y)| difference | (x ^ y))
            == 0
}

#[tracing::instrument(skip(state))]
pub async fn delete(state: &EmojisState, id: i64, user_id: i64) -> Result<(), ApiError> {
    let emoji = find_visible(&state.db, id, Some(user_id), None).await?;
    if emoji.builtin_slug.is_some() {
        return Err(EmojiError::BuiltinCannotBeDeleted.into());
    }
    if emoji.owner_id != Some(user_id) {
        return Err(EmojiError::NotOwner.into());
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

/// Removes every template of `owner_id` with its images (account deletion).
pub async fn delete_all_of_owner(state: &EmojisState, owner_id: i64) -> Result<(), ApiError> {
    let emojis = entity::Entity::find()
        .filter(entity::Column::OwnerId.eq(owner_id))
        .all(&state.db)
        .await?;
    let mut keys = Vec::new();
    for emoji in &emojis {
        keys.extend(image_keys(emoji)?);
    }
    entity::Entity::delete_many()
        .filter(entity::Column::OwnerId.eq(owner_id))
        .exec(&state.db)
        .await?;
    state.listings.invalidate();
    state.store.delete_all(&keys).await?;
    Ok(())
}

/// Public templates, most used first, then newest.
pub async fn gallery(
    db: &impl ConnectionTrait,
    page: &Page,
    name_contains: Option<&str>,
) -> Result<(Vec<entity::Model>, u64), DbErr> {
    let mut query =
        entity::Entity::find().filter(entity::Column::Visibility.eq(Visibility::Public.as_str()));
    if let Some(text) = name_contains {
        let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
        query = query.filter(
            Expr::expr(Func::lower(Expr::col((
                entity::Entity,
                entity::Column::Name,
            ))))
            .like(LikeExpr::new(pattern).escape('\\')),
        );
    }
    let total = query.clone().count(db).await?;
    let items = query
        .order_by_desc(entity::Column::UseCount)
        .order_by_desc(entity::Column::CreatedAt)
        .order_by_desc(entity::Column::Id)
        .offset(page.offset())
        .limit(page.size)
        .all(db)
        .await?;
    Ok((items, total))
}

fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// A user's own templates, newest first.
pub async fn owned_by(
    db: &impl ConnectionTrait,
    owner_id: i64,
    page: &Page,
) -> Result<(Vec<entity::Model>, u64), DbErr> {
    let query = entity::Entity::find().filter(entity::Column::OwnerId.eq(owner_id));
    let total = query.clone().count(db).await?;
    let items = query
        .order_by_desc(entity::Column::CreatedAt)
        .order_by_desc(entity::Column::Id)
        .offset(page.offset())
        .limit(page.size)
        .all(db)
        .await?;
    Ok((items, total))
}

/// The three most used public templates; ties go to the most recent use.
/// With `since`, only uses from then on count, and `use_count` is that count.
pub async fn top3(
    db: &impl ConnectionTrait,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<entity::Model>, DbErr> {
    let public = entity::Column::Visibility.eq(Visibility::Public.as_str());
    let Some(since) = since else {
        return entity::Entity::find()
            .filter(public)
            .filter(entity::Column::UseCount.gt(0))
            .order_by_desc(entity::Column::UseCount)
            .order_by_desc(entity::Column::LastUsedAt)
            .order_by_desc(entity::Column::Id)
            .limit(3)
            .all(db)
            .await;
    };
    let counts: Vec<(i64, i64)> = uses::Entity::find()
        .select_only()
        .column(uses::Column::EmojiId)
        .column_as(uses::Column::Id.count(), "uses")
        .join(JoinType::InnerJoin, uses::Relation::Emoji.def())
        .filter(public)
        .filter(uses::Column::UsedAt.gte(since))
        .group_by(uses::Column::EmojiId)
        .order_by_desc(uses::Column::Id.count())
        .order_by_desc(uses::Column::UsedAt.max())
        .order_by_desc(uses::Column::EmojiId)
        .limit(3)
        .into_tuple()
        .all(db)
        .await?;
    let mut emojis: HashMap<i64, entity::Model> = entity::Entity::find()
        .filter(entity::Column::Id.is_in(counts.iter().map(|(id, _)| *id)))
        .all(db)
        .await?
        .into_iter()
        .map(|emoji| (emoji.id, emoji))
        .collect();
    Ok(counts
        .into_iter()
        .filter_map(|(id, uses)| {
            emojis.remove(&id).map(|emoji| entity::Model {
                use_count: uses,
                ..emoji
            })
        })
        .collect())
}

/// Counts one use of a template; call inside the transaction that
/// finishes the task, so a use is counted exactly once.
pub async fn record_use(
    txn: &impl ConnectionTrait,
    emoji_id: i64,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let updated = entity::Entity::update_many()
        .col_expr(
            entity::Column::UseCount,
            Expr::col(entity::Column::UseCount).add(1),
        )
        .col_expr(entity::Column::LastUsedAt, Expr::value(at))
        .filter(entity::Column::Id.eq(emoji_id))
        .exec(txn)
        .await?;
    if updated.rows_affected == 1 {
        uses::ActiveModel {
            emoji_id: Set(emoji_id),
            used_at: Set(at),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// Templates by id, for listings that show which one was used.
pub async fn find_many(
    db: &impl ConnectionTrait,
    ids: Vec<i64>,
) -> Result<HashMap<i64, entity::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(entity::Entity::find()
        .filter(entity::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|emoji| (emoji.id, emoji))
        .collect())
}
