//! Recently seen accounts, so checking a bearer token does not read the
//! database on every request. An entry lives a few seconds: a deletion shows
//! at once on the replica that made it (it drops the entry) and within
//! [`ACCOUNT_CACHE_TTL`] on the others. Only what a request needs is kept,
//! never the password hash.

use std::time::Duration;

use moka::sync::Cache;

use super::auth::CurrentUser;

pub const ACCOUNT_CACHE_TTL: Duration = Duration::from_secs(5);
const MAX_ACCOUNTS: u64 = 10_000;

#[derive(Clone)]
struct SeenAccount {
    user: CurrentUser,
    token_stamp: String,
}

pub struct AccountCache {
    accounts: Cache<i64, SeenAccount>,
}

impl Default for AccountCache {
    fn default() -> Self {
        AccountCache {
            accounts: Cache::builder()
                .time_to_live(ACCOUNT_CACHE_TTL)
                .max_capacity(MAX_ACCOUNTS)
                .build(),
        }
    }
}

impl AccountCache {
    /// The account `user_id` as last read, if read within the TTL and its
    /// token stamp is `token_stamp` (a new account reusing the id is not it).
    pub fn get(&self, user_id: i64, token_stamp: &str) -> Option<CurrentUser> {
        self.accounts
            .get(&user_id)
            .filter(|seen| seen.token_stamp == token_stamp)
            .map(|seen| seen.user)
    }

    pub fn put(&self, user: CurrentUser, token_stamp: String) {
        self.accounts
            .insert(user.id, SeenAccount { user, token_stamp });
    }

    pub fn forget(&self, user_id: i64) {
        self.accounts.invalidate(&user_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64) -> CurrentUser {
        CurrentUser {
            id,
            username: "alice".into(),
            nickname: "Alice".into(),
        }
    }

    #[test]
    fn an_account_is_found_only_with_its_stamp_until_forgotten() {
        let cache = AccountCache::default();
        cache.put(user(7), "first".into());
        assert_eq!(cache.get(7, "first").map(|user| user.id), Some(7));
        assert!(cache.get(7, "a later account's").is_none());
        cache.forget(7);
        assert!(cache.get(7, "first").is_none());
    }
}
