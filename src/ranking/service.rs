//! The ranking's queries: the most used public templates, and counting a use.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter,
    QueryOrder, QuerySelect, RelationTrait, Set,
};

use super::entity as uses;
use crate::emojis::{EmojiColumn, EmojiEntity, EmojiModel, Visibility};

/// The three most used public templates; ties go to the most recent use.
/// With `since`, only uses from then on count, and `use_count` is that count.
pub async fn top3(
    db: &impl ConnectionTrait,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<EmojiModel>, DbErr> {
    let public = EmojiColumn::Visibility.eq(Visibility::Public.as_str());
    let Some(since) = since else {
        return EmojiEntity::find()
            .filter(public)
            .filter(EmojiColumn::UseCount.gt(0))
            .order_by_desc(EmojiColumn::UseCount)
            .order_by_desc(EmojiColumn::LastUsedAt)
            .order_by_desc(EmojiColumn::Id)
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
    let mut emojis: HashMap<i64, EmojiModel> = EmojiEntity::find()
        .filter(EmojiColumn::Id.is_in(counts.iter().map(|(id, _)| *id)))
        .all(db)
        .await?
        .into_iter()
        .map(|emoji| (emoji.id, emoji))
        .collect();
    Ok(counts
        .into_iter()
        .filter_map(|(id, uses)| {
            emojis.remove(&id).map(|emoji| EmojiModel {
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
    let updated = EmojiEntity::update_many()
        .col_expr(
            EmojiColumn::UseCount,
            Expr::col(EmojiColumn::UseCount).add(1),
        )
        .col_expr(EmojiColumn::LastUsedAt, Expr::value(at))
        .filter(EmojiColumn::Id.eq(emoji_id))
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
