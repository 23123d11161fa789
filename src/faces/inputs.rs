//! What painting a task needs, for the worker's first paint and for a
//! person's corrections alike: the upload, the template and its images.

use std::collections::HashMap;

use bytes::Bytes;

use super::FacesState;
use super::entity;
use crate::analysis::Expression;
use crate::emojis::EmojiModel;
use crate::error::error_chain;
use crate::storage::{MediaKey, StorageError};

pub struct TaskInputs {
    pub original: Bytes,
    pub emoji: EmojiModel,
    /// The PNG of each expression of the template.
    pub templates: HashMap<Expression, Bytes>,
}

#[derive(Debug)]
pub enum InputsError {
    /// The template, or one of its images, was deleted.
    TemplateGone,
    /// The upload was removed after `tasks.original_retention`.
    UploadGone,
    Database(sea_orm::DbErr),
    Store(StorageError),
    /// A stored key of the template is not a valid key.
    BadKey(String),
}

impl std::fmt::Display for InputsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputsError::TemplateGone => f.write_str("the template was deleted"),
            InputsError::UploadGone => f.write_str("the upload was removed"),
            InputsError::Database(error) => write!(f, "{error}"),
            InputsError::Store(error) => write!(f, "{error}"),
            InputsError::BadKey(message) => f.write_str(message),
        }
    }
}

pub async fn load_inputs(
    state: &FacesState,
    task: &entity::Model,
) -> Result<TaskInputs, InputsError> {
    let emoji_id = task.emoji_id.ok_or(InputsError::TemplateGone)?;
    let emoji = crate::emojis::find_many(&state.db, vec![emoji_id])
        .await
        .map_err(InputsError::Database)?
        .remove(&emoji_id)
        .ok_or(InputsError::TemplateGone)?;
    let original_key = task
        .original_key
        .as_deref()
        .and_then(|key| MediaKey::parse(key).ok())
        .ok_or(InputsError::UploadGone)?;
    let original = match state.store.get(&original_key).await {
        Ok(object) => object.bytes,
        Err(StorageError::NotFound) => return Err(InputsError::UploadGone),
        Err(error) => return Err(InputsError::Store(error)),
    };
    let templates = template_images(state, &emoji).await?;
    Ok(TaskInputs {
        original,
        emoji,
        templates,
    })
}

/// The template's seven images, from memory where possible.
async fn template_images(
    state: &FacesState,
    emoji: &EmojiModel,
) -> Result<HashMap<Expression, Bytes>, InputsError> {
    let mut templates = HashMap::new();
    for expression in Expression::ALL {
        let key = crate::emojis::image_key(emoji, expression)
            .map_err(|error| InputsError::BadKey(error_chain(&error)))?;
        match state.template_images.get_or_fetch(&state.store, &key).await {
            Ok(image) => templates.insert(expression, image),
            Err(error) => {
                return Err(match StorageError::from_shared(error) {
                    StorageError::NotFound => InputsError::TemplateGone,
                    error => InputsError::Store(error),
                });
            }
        };
    }
    Ok(templates)
}
