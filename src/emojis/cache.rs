use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;

/// Rendered gallery and ranking responses. Any change this process makes to
/// templates or uses drops every entry at once; changes made by other
/// replicas show after at most `ttl`.
pub struct ListingCache {
    ttl: Duration,
    generation: AtomicU64,
    entries: Mutex<HashMap<String, Entry>>,
    /// One build at a time per stripe of keys, so when an entry expires
    /// under load one request queries the database and the rest wait for
    /// its answer instead of all running the same query.
    builds: [tokio::sync::Mutex<()>; BUILD_STRIPES],
}

const BUILD_STRIPES: usize = 16;

struct Entry {
    generation: u64,
    stored_at: Instant,
    body: Bytes,
}

const MAX_ENTRIES: usize = 512;

impl ListingCache {
    pub fn new(ttl: Duration) -> ListingCache {
        ListingCache {
            ttl,
            generation: AtomicU64::new(0),
            entries: Mutex::new(HashMap::new()),
            builds: std::array::from_fn(|_| tokio::sync::Mutex::new(())),
        }
    }

    /// The cached body for `key`, or the one `build` makes (then cached).
    pub async fn get_or_build<E, Fut>(
        &self,
        key: String,
        build: impl FnOnce() -> Fut,
    ) -> Result<Bytes, E>
    where
        Fut: Future<Output = Result<Bytes, E>>,
    {
        if let Some(body) = self.get(&key) {
            return Ok(body);
        }
        let mut hasher = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(&key, &mut hasher);
        let stripe = std::hash::Hasher::finish(&hasher) as usize % BUILD_STRIPES;
        let _turn = self.builds[stripe].lock().await;
        // Whoever held the turn may have just built it.
        if let Some(body) = self.get(&key) {
            return Ok(body);
        }
        let generation = self.generation();
        let body = build().await?;
        self.put(key, generation, body.clone());
        Ok(body)
    }

    pub fn get(&self, key: &str) -> Option<Bytes> {
        let generation = self.generation.load(Ordering::Acquire);
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries
            .get(key)
            .filter(|entry| entry.generation == generation && entry.stored_at.elapsed() < self.ttl)
            .map(|entry| entry.body.clone())
    }

    /// `generation` is the value of [`ListingCache::generation`] read before
    /// the data was queried, so a change racing with the query is not cached.
    pub fn put(&self, key: String, generation: u64, body: Bytes) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            key,
            Entry {
                generation,
                stored_at: Instant::now(),
                body,
            },
        );
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_dropped_by_a_change() {
        let cache = ListingCache::new(Duration::from_secs(60));
        let generation = cache.generation();
        cache.put("page-1".into(), generation, Bytes::from_static(b"old"));
        assert_eq!(cache.get("page-1").as_deref(), Some(&b"old"[..]));
        cache.invalidate();
        assert!(cache.get("page-1").is_none());
    }

    #[test]
    fn a_result_read_before_a_change_is_not_served_after_it() {
        let cache = ListingCache::new(Duration::from_secs(60));
        let generation = cache.generation();
        cache.invalidate();
        cache.put("page-1".into(), generation, Bytes::from_static(b"stale"));
        assert!(cache.get("page-1").is_none());
    }

    #[tokio::test]
    async fn concurrent_misses_build_once() {
        let cache = std::sync::Arc::new(ListingCache::new(Duration::from_secs(60)));
        let builds = std::sync::Arc::new(AtomicU64::new(0));
        let requests = (0..8).map(|_| {
            let (cache, builds) = (cache.clone(), builds.clone());
            tokio::spawn(async move {
                cache
                    .get_or_build("top3".into(), || async {
                        builds.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok::<_, ()>(Bytes::from_static(b"ranking"))
                    })
                    .await
            })
        });
        for request in futures_util::future::join_all(requests).await {
            assert_eq!(request.unwrap().unwrap(), Bytes::from_static(b"ranking"));
        }
        assert_eq!(builds.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn entries_expire() {
        let cache = ListingCache::new(Duration::ZERO);
        cache.put("k".into(), cache.generation(), Bytes::from_static(b"x"));
        assert!(cache.get("k").is_none());
    }
}
