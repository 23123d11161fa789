//! Recently seen accounts, so checking a bearer token does not read the
//! database on every request. An entry lives a few seconds: a deletion shows
//! at once on the replica that made it (it drops the entry) and within
//! [`ACCOUNT_CACHE_TTL`] on the others.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::entity;

pub const ACCOUNT_CACHE_TTL: Duration = Duration::from_secs(5);
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub struct AccountCache {
    entries: Mutex<HashMap<i64, (entity::Model, Instant)>>,
}

impl AccountCache {
    /// The account `user_id` as last read, if read within the TTL and its
    /// token stamp is `token_stamp` (a new account reusing the id is not it).
    pub fn get(&self, user_id: i64, token_stamp: &str) -> Option<entity::Model> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries
            .get(&user_id)
            .filter(|(account, read_at)| {
                read_at.elapsed() < ACCOUNT_CACHE_TTL && account.token_stamp == token_stamp
            })
            .map(|(account, _)| account.clone())
    }

    pub fn put(&self, account: entity::Model) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(account.id, (account, Instant::now()));
    }

    pub fn forget(&self, user_id: i64) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.remove(&user_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: i64, stamp: &str) -> entity::Model {
        entity::Model {
            id,
            username: "alice".into(),
            nickname: "Alice".into(),
            password_hash: String::new(),
            token_stamp: stamp.into(),
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn an_account_is_found_only_with_its_stamp_until_forgotten() {
        let cache = AccountCache::default();
        cache.put(account(7, "first"));
        assert_eq!(cache.get(7, "first").map(|user| user.id), Some(7));
        assert!(cache.get(7, "a later account's").is_none());
        cache.forget(7);
        assert!(cache.get(7, "first").is_none());
    }
}
