//! The task queue lives in the `face_tasks` table, so every replica sees
//! the same queue and no upload is lost when a process dies.
//!
//! A claim sets `status = running`, a fresh claim token and a lease. A
//! running task whose lease ran out is claimable again: its process died.
//! The token starts with the claiming server's id (see `instance.rs`), so a
//! server restarted after a crash can give its own claims back at once.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use super::entity::{self, Column, Entity as FaceTask};

pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

fn claimable(now: DateTime<Utc>) -> Condition {
    Condition::any().add(Column::Status.eq(QUEUED)).add(
        Condition::all()
            .add(Column::Status.eq(RUNNING))
            .add(Column::LeaseUntil.lt(now)),
    )
}

/// Claims the oldest claimable task for this process, if there is one.
///
/// PostgreSQL and MariaDB lock the candidate row with `FOR UPDATE SKIP
/// LOCKED`, so concurrent claimers pass over each other's rows. SQLite has
/// one writer at a time; there the claim is one conditional `UPDATE`, which
/// only succeeds if the row is still claimable.
pub async fn claim_next(
    db: &DatabaseConnection,
    server_id: &str,
    lease: Duration,
) -> Result<Option<entity::Model>, DbErr> {
    let token = format!("{server_id}/{}", uuid::Uuid::new_v4());
    let now = Utc::now();
    let candidate_query = FaceTask::find()
        .filter(claimable(now))
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id);
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            // Another process may win the row between the read and the
            // update; then try the next candidate.
            for _ in 0..5 {
                let Some(candidate) = candidate_query.clone().one(db).await? else {
                    return Ok(None);
                };
                if mark_claimed(db, &candidate.id, &token, now, lease).await? {
                    return FaceTask::find_by_id(candidate.id).one(db).await;
                }
            }
            Ok(None)
        }
        _ => {
            let txn = db.begin().await?;
            let candidate = candidate_query
                .limit(1)
                .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
                .one(&txn)
                .await?;
            let Some(candidate) = candidate else {
                txn.commit().await?;
                return Ok(None);
            };
            let claimed = mark_claimed(&txn, &candidate.id, &token, now, lease).await?;
            let task = if claimed {
                FaceTask::find_by_id(candidate.id).one(&txn).await?
            } else {
                None
            };
            txn.commit().await?;
            Ok(task)
        }
    }
}

async fn mark_claimed(
    db: &impl ConnectionTrait,
    id: &str,
    token: &str,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<bool, DbErr> {
    let updated = FaceTask::update_many()
        .col_expr(Column::Status, Expr::value(RUNNING))
        .col_expr(Column::ClaimedBy, Expr::value(token))
        .col_expr(Column::LeaseUntil, Expr::value(now + lease))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .col_expr(Column::StartedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(claimable(now))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Makes the tasks an earlier run of this server had claimed claimable
/// again, now: that run is gone, or this server could not hold its id.
/// Returns how many there were.
pub async fn release_claims_of(db: &DatabaseConnection, server_id: &str) -> Result<u64, DbErr> {
    let expired = Utc::now() - chrono::Duration::seconds(1);
    let released = FaceTask::update_many()
        .col_expr(Column::LeaseUntil, Expr::value(expired))
        .col_expr(Column::ClaimedBy, Expr::value(Option::<String>::None))
        .filter(Column::Status.eq(RUNNING))
        .filter(Column::ClaimedBy.starts_with(format!("{server_id}/")))
        .exec(db)
        .await?;
    Ok(released.rows_affected)
}

/// Only the current claim holder's writes count.
fn held_by(task: &entity::Model) -> Condition {
    Condition::all()
        .add(Column::Id.eq(task.id.clone()))
        .add(Column::Status.eq(RUNNING))
        .add(Column::ClaimedBy.eq(task.claimed_by.clone()))
}

/// Extends the lease while the work goes on; `false` if the claim was lost.
pub async fn renew_lease(
    db: &DatabaseConnection,
    task: &entity::Model,
    lease: Duration,
) -> Result<bool, DbErr> {
    let updated = FaceTask::update_many()
        .col_expr(Column::LeaseUntil, Expr::value(Utc::now() + lease))
        .filter(held_by(task))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

pub struct Finished {
    pub result_key: String,
    pub thumbnail_key: String,
    pub width: u32,
    pub height: u32,
    pub faces_json: String,
}

/// Marks the task done and counts the template's use, in one transaction.
/// `false` if the claim was lost meanwhile (nothing is changed then).
pub async fn finish(
    db: &DatabaseConnection,
    task: &entity::Model,
    finished: Finished,
) -> Result<bool, DbErr> {
    let now = Utc::now();
    let txn = db.begin().await?;
    let updated = FaceTask::update_many()
        .col_expr(Column::Status, Expr::value(DONE))
        .col_expr(Column::ResultKey, Expr::value(finished.result_key))
        .col_expr(Column::ThumbnailKey, Expr::value(finished.thumbnail_key))
        .col_expr(Column::ImageWidth, Expr::value(finished.width as i32))
        .col_expr(Column::ImageHeight, Expr::value(finished.height as i32))
        .col_expr(Column::Faces, Expr::value(finished.faces_json))
        .col_expr(
            Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(Column::FinishedAt, Expr::value(now))
        .filter(held_by(task))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        txn.rollback().await?;
        return Ok(false);
    }
    if let Some(emoji_id) = task.emoji_id {
        crate::ranking::record_use(&txn, emoji_id, now).await?;
    }
    txn.commit().await?;
    Ok(true)
}

/// Ends the task as failed, with a code and a message for the client.
pub async fn fail(
    db: &DatabaseConnection,
    task: &entity::Model,
    code: &str,
    message: &str,
) -> Result<bool, DbErr> {
    let message: String = message.chars().take(300).collect();
    let updated = FaceTask::update_many()
        .col_expr(Column::Status, Expr::value(FAILED))
        .col_expr(Column::ErrorCode, Expr::value(code))
        .col_expr(Column::ErrorMessage, Expr::value(message))
        .col_expr(
            Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(Column::FinishedAt, Expr::value(Utc::now()))
        .filter(held_by(task))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Gives the task back after a failure that may pass (the store was down):
/// it stays `running` without an owner until `delay` has passed, then any
/// process may claim it again.
pub async fn retry_later(
    db: &DatabaseConnection,
    task: &entity::Model,
    delay: Duration,
) -> Result<bool, DbErr> {
    let updated = FaceTask::update_many()
        .col_expr(Column::ClaimedBy, Expr::value(Option::<String>::None))
        .col_expr(Column::LeaseUntil, Expr::value(Utc::now() + delay))
        .filter(held_by(task))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Tasks waiting to be claimed, across all replicas.
pub async fn queued_count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    FaceTask::find()
        .filter(Column::Status.eq(QUEUED))
        .count(db)
        .await
}
