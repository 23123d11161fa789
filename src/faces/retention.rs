//! Uploaded photos are kept `tasks.original_retention` after their task
//! ends (for corrections and re-renders), then deleted by a loop that runs
//! beside the task workers.

use std::sync::Arc;

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use tokio::sync::watch;

use super::FacesState;
use super::entity::{Column, Entity as FaceTask};
use super::queue::{DONE, FAILED};
use crate::error::error_chain;
use crate::storage::MediaKey;

pub(super) async fn run_cleanup(state: Arc<FacesState>, mut stopped: watch::Receiver<bool>) {
    while !*stopped.borrow() {
        if let Err(error) = remove_expired_originals(&state).await {
            tracing::warn!(error = %error_chain(&*error), "removing expired uploads failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(state.settings.cleanup_interval) => {}
            _ = stopped.changed() => {}
        }
    }
}

/// Deletes uploaded photos older than `tasks.original_retention` of tasks
/// that are done or failed; returns how many were removed.
pub async fn remove_expired_originals(state: &FacesState) -> anyhow::Result<usize> {
    let cutoff = Utc::now() - state.settings.original_retention;
    let expired = FaceTask::find()
        .filter(Column::OriginalKey.is_not_null())
        .filter(Column::Status.is_in([DONE, FAILED]))
        .filter(Column::CreatedAt.lt(cutoff))
        .limit(500)
        .all(&state.db)
        .await?;
    let mut removed = 0;
    for task in expired {
        if let Some(key) = task
            .original_key
            .as_deref()
            .and_then(|key| MediaKey::parse(key).ok())
        {
            state.store.delete(&key).await?;
        }
        FaceTask::update_many()
            .col_expr(
                Column::OriginalKey,
                sea_orm::sea_query::Expr::value(Option::<String>::None),
            )
            .filter(Column::Id.eq(task.id))
            .exec(&state.db)
            .await?;
        removed += 1;
    }
    Ok(removed)
}
