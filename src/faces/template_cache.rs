//! The template images tasks paste, kept in memory so a task does not read
//! seven objects from the store (seven requests on S3) before it starts.
//! Their keys hold a fresh UUID and are never written twice, so a cached
//! copy is never stale; a deleted template is caught by its database row.

use std::sync::Arc;

use bytes::Bytes;
use moka::future::Cache;

use crate::storage::{MediaKey, MediaStore, StorageError};

/// Images weighted by their size, up to a byte budget; concurrent tasks that
/// miss the same image fetch it once.
pub struct TemplateImageCache {
    images: Cache<String, Bytes>,
}

impl TemplateImageCache {
    pub fn new(budget_bytes: u64) -> TemplateImageCache {
        TemplateImageCache {
            images: Cache::builder()
                .max_capacity(budget_bytes)
                .weigher(|key: &String, image: &Bytes| {
                    u32::try_from(key.len() + image.len()).unwrap_or(u32::MAX)
                })
                .build(),
        }
    }

    /// The image at `key`, from memory or else from `store`.
    pub async fn get_or_fetch(
        &self,
        store: &MediaStore,
        key: &MediaKey,
    ) -> Result<Bytes, Arc<StorageError>> {
        self.images
            .try_get_with(key.as_str().to_owned(), async {
                store.get(key).await.map(|object| object.bytes)
            })
            .await
    }

    #[cfg(test)]
    fn weighted_size(&self) -> u64 {
        self.images.weighted_size()
    }

    #[cfg(test)]
    async fn settle(&self) {
        self.images.run_pending_tasks().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store_with(images: &[(&str, usize)]) -> (tempfile::TempDir, MediaStore) {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = crate::config::Settings::default().storage;
        settings.url = format!("file://{}", dir.path().display());
        let store = MediaStore::from_settings(&settings).unwrap();
        for (key, len) in images {
            let key = MediaKey::parse(key).unwrap();
            store.put(&key, Bytes::from(vec![7u8; *len])).await.unwrap();
        }
        (dir, store)
    }

    #[tokio::test]
    async fn an_image_is_fetched_once_then_served_from_memory() {
        let (dir, store) = store_with(&[("emojis/t/happy.png", 40)]).await;
        let cache = TemplateImageCache::new(1_000);
        let key = MediaKey::parse("emojis/t/happy.png").unwrap();
        assert_eq!(cache.get_or_fetch(&store, &key).await.unwrap().len(), 40);
        // Gone from the store, still in memory.
        std::fs::remove_dir_all(dir.path().join("emojis")).unwrap();
        assert_eq!(cache.get_or_fetch(&store, &key).await.unwrap().len(), 40);
    }

    #[tokio::test]
    async fn the_images_held_stay_within_the_budget() {
        let keys: Vec<String> = (0..10).map(|n| format!("emojis/t/{n}.png")).collect();
        let images: Vec<(&str, usize)> = keys.iter().map(|key| (key.as_str(), 100)).collect();
        let (_dir, store) = store_with(&images).await;
        let cache = TemplateImageCache::new(500);
        for key in &keys {
            let key = MediaKey::parse(key).unwrap();
            cache.get_or_fetch(&store, &key).await.unwrap();
        }
        cache.settle().await;
        assert!(cache.weighted_size() <= 500, "{}", cache.weighted_size());
    }

    #[tokio::test]
    async fn a_missing_image_is_an_error_and_not_remembered() {
        let (_dir, store) = store_with(&[]).await;
        let cache = TemplateImageCache::new(1_000);
        let key = MediaKey::parse("emojis/t/sad.png").unwrap();
        let error = cache.get_or_fetch(&store, &key).await.unwrap_err();
        assert!(matches!(*error, StorageError::NotFound));
        store.put(&key, Bytes::from_static(b"late")).await.unwrap();
        assert_eq!(cache.get_or_fetch(&store, &key).await.unwrap(), "late");
    }
}
