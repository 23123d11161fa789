//! A person fixes a face of a finished task: another emoji, or none. The
//! result is painted again from the stored upload and the stored faces,
//! without looking for faces again.

use bytes::Bytes;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::entity::{self, Column, Entity as FaceTask};
use super::inputs::{InputsError, TaskInputs, load_inputs};
use super::queue::DONE;
use super::render::{Cover, repaint};
use super::service::{TaskFace, find_readable};
use super::{FaceError, FacesState};
use crate::analysis::Expression;
use crate::storage::MediaKey;
use crate::telemetry::EXPRESSION_CORRECTIONS_TOTAL;

/// What a person changes on one face; at least one part is set.
#[derive(Debug, Clone, Copy)]
pub struct FaceChange {
    pub expression: Option<Expression>,
    pub hidden: Option<bool>,
}

/// Two people (or tabs) fixing faces of one task at once: each attempt
/// re-reads the task, so both changes land; this many tries, then 409.
const ATTEMPTS: usize = 5;

/// Applies `change` to face `index` of the task and stores the new
/// pictures; answers the updated task.
#[tracing::instrument(skip(state, change))]
pub async fn correct_face(
    state: &FacesState,
    task_id: &str,
    viewer: Option<i64>,
    index: usize,
    change: FaceChange,
) -> Result<entity::Model, FaceError> {
    for _ in 0..ATTEMPTS {
        let task = find_readable(&state.db, task_id, viewer).await?;
        if task.status != DONE {
            return Err(FaceError::TaskNotDone {
                status: task.status,
            });
        }
        let mut faces: Vec<TaskFace> = task
            .faces
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default();
        let Some(face) = faces.get_mut(index) else {
            let message = match faces.len() {
                0 => "this photo has no faces".to_owned(),
                count => format!("no face {index}: faces are numbered 0 to {}", count - 1),
            };
            return Err(FaceError::NoSuchFace(message));
        };
        let predicted = *face.predicted.get_or_insert(face.expression);
        if let Some(expression) = change.expression {
            face.expression = expression;
        }
        if let Some(hidden) = change.hidden {
            face.hidden = hidden;
        }
        face.corrected = true;
        let chosen = if face.hidden {
            "none"
        } else {
            face.expression.as_str()
        };

        let TaskInputs {
            original,
            emoji,
            templates,
        } = load_inputs(state, &task)
            .await
            .map_err(|error| match error {
                InputsError::TemplateGone => FaceError::TemplateDeleted,
                InputsError::UploadGone => FaceError::OriginalExpired,
                InputsError::Database(error) => error.into(),
                InputsError::Store(error) => error.into(),
                InputsError::BadKey(message) => FaceError::Internal(message),
            })?;
        for face in &mut faces {
            face.emoji_url = state
                .store
                .url(&crate::emojis::image_key(&emoji, face.expression)?);
        }
        let covers: Vec<Cover> = faces
            .iter()
            .map(|face| Cover {
                bounding_box: face.bounding_box,
                roll_degrees: face.roll_degrees,
                expression: (!face.hidden).then_some(face.expression),
            })
            .collect();
        let images = state
            .pool
            .run(move |analyzer| Ok(repaint(&analyzer.limits(), &original, &covers, &templates)))
            .await
            .map_err(|error| FaceError::Internal(format!("repainting a task failed: {error}")))?
            .map_err(|error| FaceError::Internal(format!("repainting a task failed: {error}")))?;

        let version = uuid::Uuid::new_v4();
        let key = |name: &str| {
            MediaKey::parse(&format!(
                "results/{}/{version}-{name}.{}",
                task.id, images.extension
            ))
            .map_err(|message| {
                FaceError::Internal(format!("a generated key is invalid: {message}"))
            })
        };
        let (result_key, thumbnail_key) = (key("result")?, key("thumb")?);
        let stored = async {
            state
                .store
                .put(&result_key, Bytes::from(images.result))
                .await?;
            state
                .store
                .put(&thumbnail_key, Bytes::from(images.thumbnail))
                .await
        }
        .await;
        let new_files = [result_key.clone(), thumbnail_key.clone()];
        if let Err(error) = stored {
            let _ = state.store.delete_all(&new_files).await;
            return Err(error.into());
        }

        // Only if nobody changed the task since it was read: its result key
        // is new with every change.
        let faces_json = serde_json::to_string(&faces)
            .map_err(|error| FaceError::Internal(format!("faces do not serialise: {error}")))?;
        let updated = FaceTask::update_many()
            .col_expr(Column::Faces, Expr::value(Some(faces_json)))
            .col_expr(Column::ResultKey, Expr::value(Some(result_key.to_string())))
            .col_expr(
                Column::ThumbnailKey,
                Expr::value(Some(thumbnail_key.to_string())),
            )
            .filter(Column::Id.eq(task.id.clone()))
            .filter(Column::Status.eq(DONE))
            .filter(match &task.result_key {
                Some(old) => Column::ResultKey.eq(old.clone()),
                None => Column::ResultKey.is_null(),
            })
            .exec(&state.db)
            .await;
        match updated {
            Ok(outcome) if outcome.rows_affected == 1 => {
                let old_files: Vec<MediaKey> = [&task.result_key, &task.thumbnail_key]
                    .into_iter()
                    .filter_map(|key| key.as_deref().and_then(|key| MediaKey::parse(key).ok()))
                    .collect();
                if let Err(error) = state.store.delete_all(&old_files).await {
                    tracing::warn!(task = %task.id, error = %error, "an old result stays in the store");
                }
                metrics::counter!(
                    EXPRESSION_CORRECTIONS_TOTAL,
                    "predicted" => predicted.as_str(),
                    "chosen" => chosen,
                )
                .increment(1);
                return find_readable(&state.db, task_id, viewer).await;
            }
            Ok(_) => {
                let _ = state.store.delete_all(&new_files).await;
            }
            Err(error) => {
                let _ = state.store.delete_all(&new_files).await;
                return Err(error.into());
            }
        }
    }
    Err(FaceError::CorrectionConflict)
}
