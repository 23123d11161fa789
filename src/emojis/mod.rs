//! Emoji templates: one image per expression, public or private, built in
//! or made by users; the gallery.

mod builtin;
mod cache;
mod domain;
mod entity;
mod images;
mod reads;
mod routes;
mod writes;

pub use builtin::seed_builtin_templates;
pub use cache::ListingCache;
pub use domain::Visibility;
pub use entity::{Column as EmojiColumn, Entity as EmojiEntity, Model as EmojiModel};
pub use images::{TemplateImageError, TemplateImageLimits};
pub use reads::{EmojiView, files_of_owner, find_many, find_visible, image_key, owned_by, views};
pub use routes::{EmojisApi, configure};

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::analysis::AnalysisPool;
use crate::storage::{MediaStore, StorageError};

#[derive(Debug, thiserror::Error)]
pub enum EmojiError {
    #[error("no such emoji template")]
    NotFound,
    #[error("only the owner can delete this template")]
    NotOwner,
    #[error("built-in templates cannot be deleted")]
    BuiltinCannotBeDeleted,
    #[error("{field}: {source}")]
    BadImage {
        field: &'static str,
        source: TemplateImageError,
    },
    /// A stored row that cannot be what it claims (a bug or a hand edit).
    #[error("a template row is corrupt: {0}")]
    CorruptRow(String),
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// What the emojis module needs at request time.
pub struct EmojisState {
    pub db: DatabaseConnection,
    pub store: MediaStore,
    /// Image work is CPU-bound; it shares the analysis threads.
    pub pool: AnalysisPool,
    pub image_limits: TemplateImageLimits,
    pub listings: Arc<ListingCache>,
}
