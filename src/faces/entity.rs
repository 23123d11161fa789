use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

/// A photo waiting for, going through or done with analysis.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "face_tasks")]
pub struct Model {
    /// A random UUID: whoever holds an anonymous task's id may read it.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: Option<i64>,
    /// `None` once the template has been deleted.
    pub emoji_id: Option<i64>,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// The upload; removed after `tasks.original_retention`.
    pub original_key: Option<String>,
    pub result_key: Option<String>,
    pub thumbnail_key: Option<String>,
    pub image_width: Option<i32>,
    pub image_height: Option<i32>,
    /// JSON list of [`super::TaskFace`].
    pub faces: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub attempts: i32,
    /// A token per claim: only the claim holder may finish the task.
    pub claimed_by: Option<String>,
    /// A running task whose lease ran out is claimable again.
    pub lease_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
