use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use image::ImageFormat;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use super::entity::{self, Column, Entity as FaceTask};
use super::queue::{self, QUEUED};
use super::{FaceError, FacesState, UploadRejection};
use crate::analysis::{BoundingBox, Expression, ExpressionScores, PhotoHeader};
use crate::emojis::EmojiModel;
use crate::pagination::Page;
use crate::storage::{MediaKey, MediaStore};
use crate::telemetry::{ANALYSIS_QUEUE_DEPTH, TASKS_TOTAL};

/// A face of a finished task, as stored and as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaskFace {
    #[serde(rename = "box")]
    pub bounding_box: BoundingBox,
    pub score: f32,
    pub expression: Expression,
    pub scores: ExpressionScores,
    pub roll_degrees: f32,
    /// The emoji of `expression`.
    pub emoji_url: String,
    /// A person chose this face's emoji, or hid it.
    #[serde(default)]
    pub corrected: bool,
    /// What the model read; `expression` differs once a person changed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicted: Option<Expression>,
    /// No emoji covers this face.
    #[serde(default)]
    pub hidden: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaskError {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    pub task_id: String,
    /// queued, running, done or failed.
    pub status: String,
    pub emoji_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub image_width: Option<i32>,
    pub image_height: Option<i32>,
    pub faces: Vec<TaskFace>,
    pub result_url: Option<String>,
    pub thumbnail_url: Option<String>,
    pub error: Option<TaskError>,
}

pub fn media_url(store: &MediaStore, key: Option<&str>) -> Option<String> {
    key.and_then(|key| MediaKey::parse(key).ok())
        .map(|key| store.url(&key))
}

pub fn view(store: &MediaStore, task: entity::Model) -> TaskView {
    let faces = task
        .faces
        .as_deref()
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default();
    let error = match (task.error_code, task.error_message) {
        (Some(code), Some(message)) => Some(TaskError { code, message }),
        _ => None,
    };
    TaskView {
        result_url: media_url(store, task.result_key.as_deref()),
        thumbnail_url: media_url(store, task.thumbnail_key.as_deref()),
        task_id: task.id,
        status: task.status,
        emoji_id: task.emoji_id,
        created_at: task.created_at,
        finished_at: task.finished_at,
        image_width: task.image_width,
        image_height: task.image_height,
        faces,
        error,
    }
}

/// Stores the upload and queues its task; refuses with 503 while the queue
/// is full, before storing anything.
#[tracing::instrument(skip(state, upload, header, emoji))]
pub async fn enqueue(
    state: &FacesState,
    user_id: Option<i64>,
    emoji: &EmojiModel,
    upload: Bytes,
    header: PhotoHeader,
) -> Result<entity::Model, FaceError> {
    let admitted = state
        .admission
        .admit(&state.db, state.settings.max_queued)
        .await?;
    let task_id = uuid::Uuid::new_v4().to_string();
    let extension = match header.format {
        ImageFormat::Png => "png",
        ImageFormat::WebP => "webp",
        ImageFormat::Gif => "gif",
        _ => "jpg",
    };
    let original_key = MediaKey::upload(&format!("{task_id}.{extension}"))
        .map_err(|message| FaceError::Internal(format!("a generated key is invalid: {message}")))?;
    state.store.put(&original_key, upload).await?;
    let row = entity::ActiveModel {
        id: Set(task_id),
        user_id: Set(user_id),
        emoji_id: Set(Some(emoji.id)),
        status: Set(QUEUED.into()),
        original_key: Set(Some(original_key.to_string())),
        result_key: Set(None),
        thumbnail_key: Set(None),
        image_width: Set(None),
        image_height: Set(None),
        faces: Set(None),
        error_code: Set(None),
        error_message: Set(None),
        attempts: Set(0),
        claimed_by: Set(None),
        lease_until: Set(None),
        created_at: Set(Utc::now()),
        started_at: Set(None),
        finished_at: Set(None),
    };
    let inserted = admitted.insert(row.insert(&state.db)).await;
    match inserted {
        Ok(task) => {
            metrics::counter!(TASKS_TOTAL, "status" => QUEUED).increment(1);
            metrics::gauge!(ANALYSIS_QUEUE_DEPTH).increment(1.0);
            state.wakeup.notify_one();
            Ok(task)
        }
        Err(error) => {
            let _ = state.store.delete(&original_key).await;
            Err(error.into())
        }
    }
}

/// Admits uploads into the bounded queue of one process. An upload counts
/// from its size check until its row is inserted, so a burst cannot slip past
/// a full queue; checks and inserts take turns, so a task is never counted
/// both as in flight and as queued.
#[derive(Default)]
pub struct QueueAdmission {
    turn: tokio::sync::Mutex<()>,
    in_flight: AtomicU64,
}

impl QueueAdmission {
    async fn admit(
        &self,
        db: &impl ConnectionTrait,
        max_queued: u64,
    ) -> Result<AdmittedUpload<'_>, FaceError> {
        let _turn = self.turn.lock().await;
        let waiting = queue::queued_count(db).await?;
        metrics::gauge!(ANALYSIS_QUEUE_DEPTH).set(waiting as f64);
        if waiting + self.in_flight.load(Ordering::Acquire) >= max_queued {
            UploadRejection::QueueFull.record();
            return Err(FaceError::QueueFull);
        }
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        Ok(AdmittedUpload { admission: self })
    }
}

/// An upload between its admission and its insert; dropping it (on success
/// or failure) stops counting it as in flight.
struct AdmittedUpload<'a> {
    admission: &'a QueueAdmission,
}

impl AdmittedUpload<'_> {
    async fn insert<T>(self, insert: impl std::future::Future<Output = T>) -> T {
        let _turn = self.admission.turn.lock().await;
        let inserted = insert.await;
        drop(self);
        inserted
    }
}

impl Drop for AdmittedUpload<'_> {
    fn drop(&mut self) {
        self.admission.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A task, if `viewer` may read it: anonymous tasks by anyone holding the
/// id, a user's tasks by that user only.
pub async fn find_readable(
    db: &impl ConnectionTrait,
    task_id: &str,
    viewer: Option<i64>,
) -> Result<entity::Model, FaceError> {
    let task = FaceTask::find_by_id(task_id.to_owned())
        .one(db)
        .await?
        .ok_or(FaceError::TaskNotFound)?;
    match task.user_id {
        Some(owner) if viewer != Some(owner) => Err(FaceError::TaskNotFound),
        _ => Ok(task),
    }
}

/// The longest `?wait=` on a task, well inside `server.shutdown_timeout`'s
/// default so a waiting request never holds up a stop for long.
pub const MAX_WAIT_SECONDS: u64 = 10;

/// The task once it is done or failed, or as it is when `until` comes. A
/// worker of this process wakes the wait at once; a task finished by another
/// process is seen at the next re-read, every `tasks.poll_interval`.
pub async fn wait_until_settled(
    state: &FacesState,
    task_id: &str,
    viewer: Option<i64>,
    until: tokio::time::Instant,
) -> Result<entity::Model, FaceError> {
    // Subscribed before the first read, so a finish in between is not missed.
    let mut settled = state.settled.subscribe();
    loop {
        let task = find_readable(&state.db, task_id, viewer).await?;
        let now = tokio::time::Instant::now();
        if !is_pending(&task) || now >= until {
            return Ok(task);
        }
        tokio::select! {
            _ = next_settled(&mut settled, task_id) => {}
            _ = tokio::time::sleep_until(until.min(now + state.settings.poll_interval)) => {}
        }
    }
}

pub fn is_pending(task: &entity::Model) -> bool {
    matches!(task.status.as_str(), queue::QUEUED | queue::RUNNING)
}

/// Returns when this task settled, or when the channel fell behind and the
/// task must be read again to know.
async fn next_settled(settled: &mut broadcast::Receiver<String>, task_id: &str) {
    loop {
        match settled.recv().await {
            Ok(id) if id == task_id => return,
            Ok(_) => {}
            Err(broadcast::error::RecvError::Lagged(_)) => return,
            // Not while `state` holds the sender; the re-read still ends the wait.
            Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
        }
    }
}

/// What "my page" lists under "emojis I used".
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UsedItem {
    pub task_id: String,
    pub status: String,
    pub emoji: Option<UsedEmoji>,
    pub created_at: DateTime<Utc>,
    pub thumbnail_url: Option<String>,
    pub result_url: Option<String>,
    pub faces: usize,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UsedEmoji {
    pub id: i64,
    pub name: String,
    pub preview_url: String,
}

/// A user's tasks, newest first, with the template each used.
pub async fn used_by(
    db: &impl ConnectionTrait,
    store: &MediaStore,
    user_id: i64,
    page: &Page,
) -> Result<(Vec<UsedItem>, u64), FaceError> {
    let query = FaceTask::find().filter(Column::UserId.eq(user_id));
    let total = query.clone().count(db).await?;
    let tasks = query
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .offset(page.offset())
        .limit(page.size)
        .all(db)
        .await?;
    let emoji_ids: Vec<i64> = tasks.iter().filter_map(|task| task.emoji_id).collect();
    let emojis: std::collections::HashMap<i64, EmojiModel> =
        crate::emojis::find_many(db, emoji_ids).await?;
    let mut items = Vec::with_capacity(tasks.len());
    for task in tasks {
        let emoji = match task.emoji_id.and_then(|id| emojis.get(&id)) {
            Some(emoji) => Some(UsedEmoji {
                id: emoji.id,
                name: emoji.name.clone(),
                preview_url: store.url(&crate::emojis::image_key(emoji, Expression::Happy)?),
            }),
            None => None,
        };
        let faces = task
            .faces
            .as_deref()
            .and_then(|json| serde_json::from_str::<Vec<TaskFace>>(json).ok())
            .map_or(0, |faces| faces.len());
        items.push(UsedItem {
            thumbnail_url: media_url(store, task.thumbnail_key.as_deref()),
            result_url: media_url(store, task.result_key.as_deref()),
            task_id: task.id,
            status: task.status,
            emoji,
            created_at: task.created_at,
            faces,
        });
    }
    Ok((items, total))
}

/// Every file of a user's tasks, for deleting them once the account's rows
/// are gone.
pub async fn files_of_user(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Vec<MediaKey>, DbErr> {
    let tasks = FaceTask::find()
        .filter(Column::UserId.eq(user_id))
        .all(db)
        .await?;
    Ok(tasks
        .iter()
        .flat_map(|task| [&task.original_key, &task.result_key, &task.thumbnail_key])
        .filter_map(|key| key.as_deref().and_then(|key| MediaKey::parse(key).ok()))
        .collect())
}
