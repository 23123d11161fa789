//! Reading templates: the API's view of them, the gallery, finding one a
//! viewer may see, and the files they own.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;

use super::domain::Visibility;
use super::{EmojiError, entity};
use crate::analysis::Expression;
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

pub fn image_key(emoji: &entity::Model, expression: Expression) -> Result<MediaKey, EmojiError> {
    MediaKey::parse(&format!(
        "{}/{}.png",
        emoji.image_prefix,
        expression.as_str()
    ))
    .map_err(|message| EmojiError::CorruptRow(format!("its image prefix is invalid: {message}")))
}

pub(super) fn image_keys(emoji: &entity::Model) -> Result<Vec<MediaKey>, EmojiError> {
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
) -> Result<Vec<EmojiView>, EmojiError> {
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
) -> Result<EmojiView, EmojiError> {
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

/// One template, if `viewer` may see it: public ones to everyone, private
/// ones to their owner or with the share token. Otherwise "not found", so
/// a private template's existence does not leak.
pub async fn find_visible(
    db: &impl ConnectionTrait,
    id: i64,
    viewer: Option<i64>,
    share_token: Option<&str>,
) -> Result<entity::Model, EmojiError> {
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
        Err(EmojiError::NotFound)
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |difference, (x, y)| difference | (x ^ y))
            == 0
}

/// The image files of every template of `owner_id`, for deleting them once
/// the account's rows are gone.
pub async fn files_of_owner(
    db: &impl ConnectionTrait,
    owner_id: i64,
) -> Result<Vec<MediaKey>, EmojiError> {
    let emojis = entity::Entity::find()
        .filter(entity::Column::OwnerId.eq(owner_id))
        .all(db)
        .await?;
    let mut keys = Vec::new();
    for emoji in &emojis {
        keys.extend(image_keys(emoji)?);
    }
    Ok(keys)
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
