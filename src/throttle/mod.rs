//! Sliding-window counters of failures (login attempts, anonymous uploads),
//! kept in the database so every replica sees the same counts.

mod entity;

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QuerySelect,
};

use entity::{Column, Entity as ThrottleEvent};

#[derive(Debug, thiserror::Error)]
#[error("too many attempts; try again in {} seconds", retry_after.as_secs().max(1))]
pub struct Throttled {
    pub retry_after: Duration,
}

/// Refuses a bucket once it holds `max_events` events inside `window`.
#[derive(Debug, Clone)]
pub struct Throttle {
    db: DatabaseConnection,
    max_events: u32,
    window: Duration,
}

#[derive(Debug, FromQueryResult)]
struct BucketState {
    events: i64,
    oldest: Option<DateTime<Utc>>,
}

impl Throttle {
    pub fn new(db: DatabaseConnection, max_events: u32, window: Duration) -> Self {
        Throttle {
            db,
            max_events,
            window,
        }
    }

    fn window_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::MAX)
    }

    /// `Err(Throttled)` when any of `buckets` is full; the longest wait wins.
    #[tracing::instrument(skip(self))]
    pub async fn check(&self, buckets: &[String]) -> Result<Result<(), Throttled>, DbErr> {
        let now = Utc::now();
        let mut longest_wait: Option<Duration> = None;
        for bucket in buckets {
            let state = ThrottleEvent::find()
                .select_only()
                .column_as(Expr::from(Func::count(Expr::col(Column::Id))), "events")
                .column_as(
                    Expr::from(Func::min(Expr::col(Column::OccurredAt))),
                    "oldest",
                )
                .filter(Column::Bucket.eq(bucket.as_str()))
                .filter(Column::OccurredAt.gt(self.window_start(now)))
                .into_model::<BucketState>()
                .one(&self.db)
                .await?;
            let Some(BucketState {
                events,
                oldest: Some(oldest),
            }) = state
            else {
                continue;
            };
            if events >= i64::from(self.max_events) {
                let frees_at = oldest
                    + chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::MAX);
                let wait = (frees_at - now).to_std().unwrap_or(Duration::from_secs(1));
                longest_wait = Some(longest_wait.map_or(wait, |longest| longest.max(wait)));
            }
        }
        Ok(match longest_wait {
            Some(retry_after) => Err(Throttled { retry_after }),
            None => Ok(()),
        })
    }

    /// Counts one event in each bucket, and forgets events past the window.
    #[tracing::instrument(skip(self))]
    pub async fn record(&self, buckets: &[String]) -> Result<(), DbErr> {
        let now = Utc::now();
        ThrottleEvent::delete_many()
            .filter(Column::OccurredAt.lte(self.window_start(now)))
            .exec(&self.db)
            .await?;
        let events = buckets.iter().map(|bucket| entity::ActiveModel {
            bucket: Set(bucket.clone()),
            occurred_at: Set(now),
            ..Default::default()
        });
        ThrottleEvent::insert_many(events).exec(&self.db).await?;
        Ok(())
    }

    /// Empties a bucket, e.g. after a successful login.
    #[tracing::instrument(skip(self))]
    pub async fn clear(&self, bucket: &str) -> Result<(), DbErr> {
        ThrottleEvent::delete_many()
            .filter(Column::Bucket.eq(bucket))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
