//! Rendered gallery and ranking responses. Any change this process makes to
//! templates or uses starts a new generation, which is part of every key, so
//! older bodies are never served again (they age out); changes made by other
//! replicas show after at most the TTL.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actix_web::HttpResponse;
use actix_web::http::header::ContentType;
use bytes::Bytes;
use moka::future::Cache;
use serde::Serialize;

use crate::error::ApiError;

/// What the cached bodies may weigh together.
const LISTING_CACHE_BYTES: u64 = 32 << 20;

pub struct ListingCache {
    generation: AtomicU64,
    /// Keyed by (generation, listing); moka runs one build per key, so when
    /// an entry expires under load one request queries the database and the
    /// rest wait for its answer.
    bodies: Cache<(u64, String), Bytes>,
}

impl ListingCache {
    pub fn new(ttl: Duration) -> ListingCache {
        ListingCache {
            generation: AtomicU64::new(0),
            bodies: Cache::builder()
                .time_to_live(ttl)
                .max_capacity(LISTING_CACHE_BYTES)
                .weigher(|(_, key): &(u64, String), body: &Bytes| {
                    u32::try_from(key.len() + body.len()).unwrap_or(u32::MAX)
                })
                .build(),
        }
    }

    /// A JSON response from the cache, or from the listing `build` makes
    /// (then cached).
    pub async fn json<T, F, Fut>(&self, key: String, build: F) -> Result<HttpResponse, ApiError>
    where
        T: Serialize,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        let body = self
            .get_or_build(key, || async {
                let listing = build().await?;
                Ok::<_, ApiError>(Bytes::from(
                    serde_json::to_vec(&listing).map_err(anyhow::Error::from)?,
                ))
            })
            .await
            .map_err(ApiError::Shared)?;
        Ok(HttpResponse::Ok()
            .content_type(ContentType::json())
            .body(body))
    }

    /// The cached body for `key`, or the one `build` makes (then cached).
    /// The generation is read before `build` queries anything, so a change
    /// racing with the query files the result under the old generation.
    /// A failed build is shared by everyone who waited for it.
    pub async fn get_or_build<E, Fut>(
        &self,
        key: String,
        build: impl FnOnce() -> Fut,
    ) -> Result<Bytes, Arc<E>>
    where
        E: Send + Sync + 'static,
        Fut: Future<Output = Result<Bytes, E>>,
    {
        let generation = self.generation.load(Ordering::Acquire);
        self.bodies.try_get_with((generation, key), build()).await
    }

    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    async fn body(cache: &ListingCache, builds: &AtomicUsize, text: &'static str) -> Bytes {
        cache
            .get_or_build("page-1".into(), || async {
                builds.fetch_add(1, Ordering::SeqCst);
                Ok::<_, ()>(Bytes::from_static(text.as_bytes()))
            })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn entries_are_dropped_by_a_change() {
        let cache = ListingCache::new(Duration::from_secs(60));
        let builds = AtomicUsize::new(0);
        assert_eq!(body(&cache, &builds, "old").await, "old");
        assert_eq!(body(&cache, &builds, "unused").await, "old");
        cache.invalidate();
        assert_eq!(body(&cache, &builds, "new").await, "new");
        assert_eq!(builds.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_result_read_before_a_change_is_not_served_after_it() {
        let cache = ListingCache::new(Duration::from_secs(60));
        let builds = AtomicUsize::new(0);
        let stale = cache
            .get_or_build("page-1".into(), || async {
                // A template is deleted while the listing is being read.
                cache.invalidate();
                Ok::<_, ()>(Bytes::from_static(b"stale"))
            })
            .await
            .unwrap();
        assert_eq!(stale, "stale");
        assert_eq!(body(&cache, &builds, "fresh").await, "fresh");
    }

    #[tokio::test]
    async fn a_failed_build_is_not_cached() {
        let cache = ListingCache::new(Duration::from_secs(60));
        let failed = cache
            .get_or_build("page-1".into(), || async {
                Err::<Bytes, _>("database down")
            })
            .await;
        assert_eq!(failed.unwrap_err().as_ref(), &"database down");
        let builds = AtomicUsize::new(0);
        assert_eq!(body(&cache, &builds, "later").await, "later");
    }

    #[tokio::test]
    async fn concurrent_misses_build_once() {
        let cache = Arc::new(ListingCache::new(Duration::from_secs(60)));
        let builds = Arc::new(AtomicUsize::new(0));
        let requests = (0..8).map(|_| {
            let (cache, builds) = (Arc::clone(&cache), Arc::clone(&builds));
            tokio::spawn(async move {
                cache
                    .get_or_build("top3".into(), || async {
                        builds.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
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
}
