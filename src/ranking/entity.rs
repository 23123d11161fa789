//! One row per finished task that used a template, for rankings over a
//! period; `emojis.use_count` keeps the all-time total.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "emoji_uses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub emoji_id: i64,
    pub used_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "crate::emojis::EmojiEntity",
        from = "Column::EmojiId",
        to = "crate::emojis::EmojiColumn::Id"
    )]
    Emoji,
}

impl Related<crate::emojis::EmojiEntity> for Entity {
    fn to() -> RelationDef {
        Relation::Emoji.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
