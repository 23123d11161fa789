//! Face tasks: a photo is uploaded with a template, queued in the database,
//! analysed by a worker on the analysis pool, and the result (the photo with
//! each face covered by its emoji) is stored for the client to fetch.

mod corrections;
mod entity;
mod inputs;
mod instance;
mod queue;
mod render;
mod retention;
mod routes;
mod service;
mod template_cache;
mod worker;

pub use instance::ServerIdentity;
pub use routes::{FacesApi, configure};
pub use service::{files_of_user, used_by};
pub use template_cache::TemplateImageCache;
pub use worker::TaskWorkers;

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::sync::Notify;

use crate::analysis::AnalysisPool;
use crate::config::TaskSettings;
use crate::emojis::{EmojiError, ListingCache};
use crate::storage::{MediaStore, StorageError};
use crate::throttle::Throttle;

#[derive(Debug, thiserror::Error)]
pub enum FaceError {
    #[error("no such task")]
    TaskNotFound,
    #[error("too many photos are waiting; try again in a few seconds")]
    QueueFull,
    #[error("the task is {status}; faces can be changed once it is done")]
    TaskNotDone { status: String },
    #[error(
        "the uploaded photo was deleted after its retention period, so this result can no longer be changed"
    )]
    OriginalExpired,
    #[error("the emoji template was deleted, so this result can no longer be changed")]
    TemplateDeleted,
    #[error("the faces of this task are being changed by another request; try again")]
    CorrectionConflict,
    /// A face index the task does not have; says which it has.
    #[error("{0}")]
    NoSuchFace(String),
    #[error(transparent)]
    Template(#[from] EmojiError),
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("{0}")]
    Internal(String),
}

/// What the faces module needs at request time and in its workers.
pub struct FacesState {
    pub db: DatabaseConnection,
    pub store: MediaStore,
    pub pool: AnalysisPool,
    pub settings: TaskSettings,
    pub anonymous_throttle: Throttle,
    /// Wakes an idle worker when this process queues a task.
    /// Held for the process's life; prefixes this server's claims.
    pub identity: ServerIdentity,
    pub wakeup: Arc<Notify>,
    /// The id of each task a worker of this process has finished with
    /// (done, failed or put back): wakes the requests waiting on it.
    pub settled: tokio::sync::broadcast::Sender<String>,
    pub template_images: TemplateImageCache,
    pub admission: service::QueueAdmission,
    /// The gallery and ranking, which a finished task's use changes.
    pub listings: Arc<ListingCache>,
}

/// Why an upload was refused before it was queued: the `reason` label of
/// `uploads_rejected_total`.
#[derive(Debug, Clone, Copy)]
pub enum UploadRejection {
    RateLimited,
    BadForm,
    TooLarge,
    UnsupportedFormat,
    CorruptImage,
    UnknownTemplate,
    QueueFull,
}

impl UploadRejection {
    const ALL: [UploadRejection; 7] = [
        UploadRejection::RateLimited,
        UploadRejection::BadForm,
        UploadRejection::TooLarge,
        UploadRejection::UnsupportedFormat,
        UploadRejection::CorruptImage,
        UploadRejection::UnknownTemplate,
        UploadRejection::QueueFull,
    ];

    fn label(self) -> &'static str {
        match self {
            UploadRejection::RateLimited => "rate_limited",
            UploadRejection::BadForm => "bad_form",
            UploadRejection::TooLarge => "too_large",
            UploadRejection::UnsupportedFormat => "unsupported_format",
            UploadRejection::CorruptImage => "corrupt_image",
            UploadRejection::UnknownTemplate => "unknown_template",
            UploadRejection::QueueFull => "queue_full",
        }
    }

    /// Counts one refused upload.
    fn record(self) {
        metrics::counter!(crate::telemetry::UPLOADS_REJECTED_TOTAL, "reason" => self.label())
            .increment(1);
    }
}

/// Exports every task and upload counter at 0 from the start, so dashboards
/// and alerts have a series to read before the first event of each kind.
pub fn export_counters_at_zero() {
    use crate::telemetry::{TASKS_TOTAL, UPLOADS_REJECTED_TOTAL};
    for status in [queue::QUEUED, queue::DONE, queue::FAILED, worker::RETRIED] {
        metrics::counter!(TASKS_TOTAL, "status" => status).increment(0);
    }
    for rejection in UploadRejection::ALL {
        metrics::counter!(UPLOADS_REJECTED_TOTAL, "reason" => rejection.label()).increment(0);
    }
}

/// Gives back, for claiming at once, the tasks an earlier run of this
/// server was running when it died, rather than leaving them to wait out
/// their leases.
pub async fn take_back_unfinished(
    db: &DatabaseConnection,
    identity: &ServerIdentity,
) -> Result<u64, sea_orm::DbErr> {
    let released = queue::release_claims_of(db, identity.id()).await?;
    if released > 0 {
        tracing::info!(
            tasks = released,
            server = identity.id(),
            "took back the tasks this server was running when it stopped"
        );
    }
    Ok(released)
}
