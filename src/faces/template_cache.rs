//! The template images tasks paste, kept in memory so a task does not read
//! seven objects from the store (seven requests on S3) before it starts.
//! Their keys hold a fresh UUID and are never written twice, so a cached
//! copy is never stale; a deleted template is caught by its database row.

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;

/// Least recently used images go first once `budget` bytes are held.
pub struct TemplateImageCache {
    budget: usize,
    held: Mutex<Held>,
}

#[derive(Default)]
struct Held {
    images: HashMap<String, (Bytes, u64)>,
    bytes: usize,
    clock: u64,
}

impl TemplateImageCache {
    pub fn new(budget: usize) -> TemplateImageCache {
        TemplateImageCache {
            budget,
            held: Mutex::default(),
        }
    }

    pub fn get(&self, key: &str) -> Option<Bytes> {
        let mut held = self.lock();
        held.clock += 1;
        let now = held.clock;
        held.images.get_mut(key).map(|(image, last_used)| {
            *last_used = now;
            image.clone()
        })
    }

    pub fn insert(&self, key: String, image: Bytes) {
        if image.len() > self.budget {
            return;
        }
        let mut held = self.lock();
        held.clock += 1;
        let now = held.clock;
        held.bytes += image.len();
        if let Some((replaced, _)) = held.images.insert(key, (image, now)) {
            held.bytes -= replaced.len();
        }
        while held.bytes > self.budget {
            let oldest = held
                .images
                .iter()
                .min_by_key(|(_, (_, last_used))| *last_used)
                .map(|(key, _)| key.clone())
                .expect("bytes are held, so an image is");
            if let Some((evicted, _)) = held.images.remove(&oldest) {
                held.bytes -= evicted.len();
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Held> {
        self.held
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(len: usize) -> Bytes {
        Bytes::from(vec![7u8; len])
    }

    #[test]
    fn the_least_recently_used_image_goes_first_when_over_budget() {
        let cache = TemplateImageCache::new(100);
        cache.insert("a".into(), image(40));
        cache.insert("b".into(), image(40));
        assert!(cache.get("a").is_some());
        cache.insert("c".into(), image(40));
        assert!(cache.get("b").is_none(), "b was used least recently");
        assert_eq!(cache.get("a").unwrap().len(), 40);
        assert!(cache.get("c").is_some());
    }

    #[test]
    fn an_image_over_the_whole_budget_is_not_kept() {
        let cache = TemplateImageCache::new(100);
        cache.insert("a".into(), image(60));
        cache.insert("huge".into(), image(101));
        assert!(cache.get("huge").is_none());
        assert!(cache.get("a").is_some(), "and pushes nothing out");
    }

    #[test]
    fn the_same_key_again_is_counted_once() {
        let cache = TemplateImageCache::new(100);
        cache.insert("a".into(), image(60));
        cache.insert("a".into(), image(60));
        cache.insert("b".into(), image(40));
        assert!(cache.get("a").is_some() && cache.get("b").is_some());
    }
}
