//! Emoji templates: one image per expression, public or private, built in
//! or made by users; the gallery and the top-3 ranking.

mod builtin;
mod cache;
mod domain;
mod entity;
mod images;
mod routes;
mod service;

pub use builtin::seed_builtin_templates;
pub use cache::ListingCache;
pub use domain::{Description, EmojiName, Visibility};
pub use entity::Model as EmojiModel;
pub use images::{TemplateImageError, TemplateImageLimits, encode_png};
pub use routes::{EmojisApi, configure};
pub use service::{
    EmojiView, delete_all_of_owner, find_many, find_visible, image_key, owned_by, record_use, views,
};

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::analysis::AnalysisPool;
use crate::storage::MediaStore;

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
