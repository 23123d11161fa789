use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "emojis")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `None` for built-in templates.
    pub owner_id: Option<i64>,
    pub name: String,
    pub description: String,
    /// `public` or `private`.
    pub visibility: String,
    /// Lets anyone holding it see a private template.
    pub share_token: Option<String>,
    /// Names the built-in set a row was seeded from.
    pub builtin_slug: Option<String>,
    pub attribution: Option<String>,
    /// The images are `{image_prefix}/{expression}.png`.
    pub image_prefix: String,
    pub use_count: i64,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
