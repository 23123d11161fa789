//! argon2id hashing on the blocking pool, bounded so a burst of logins can
//! neither stall the async workers nor allocate unbounded argon2 memory.

use std::sync::Arc;

use anyhow::Context;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Argon2, password_hash::rand_core::OsRng};
use tokio::sync::Semaphore;

use super::domain::Password;

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// Verified against when the user does not exist, so that the response
    /// time does not tell whether a username is registered.
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    pub fn new(max_concurrent: usize) -> anyhow::Result<Self> {
        let dummy = Password::parse("dummy password for unknown users".into())
            .map_err(anyhow::Error::msg)?;
        Ok(PasswordHasher {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            dummy_hash: hash_now(&dummy)?.into(),
        })
    }

    pub async fn hash(&self, password: Password) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await?;
        tokio::task::spawn_blocking(move || hash_now(&password))
            .await
            .context("password hashing task failed")?
    }

    /// Checks a login's `candidate` password against `stored`, or against a
    /// dummy hash when there is no stored hash (unknown user), taking the
    /// same time either way.
    pub async fn verify(&self, candidate: String, stored: Option<String>) -> anyhow::Result<bool> {
        let known_user = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        let _permit = self.permits.acquire().await?;
        let matches = tokio::task::spawn_blocking(move || verify_now(&candidate, &hash))
            .await
            .context("password verification task failed")??;
        Ok(known_user && matches)
    }
}

fn hash_now(password: &Password) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| anyhow::anyhow!("argon2 hashing failed: {error}"))
}

fn verify_now(candidate: &str, stored: &str) -> anyhow::Result<bool> {
    let parsed = PasswordHash::new(stored)
        .map_err(|error| anyhow::anyhow!("stored password hash is malformed: {error}"))?;
    Ok(Argon2::default()
        .verify_password(candidate.as_bytes(), &parsed)
        .is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password(text: &str) -> Password {
        Password::parse(text.into()).unwrap()
    }

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let hasher = PasswordHasher::new(2).unwrap();
        let hash = hasher.hash(password("correct horse")).await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(
            hasher
                .verify("correct horse".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("wrong horse!".into(), Some(hash))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn unknown_users_never_verify() {
        let hasher = PasswordHasher::new(1).unwrap();
        let dummy = "dummy password for unknown users".to_owned();
        assert!(!hasher.verify(dummy, None).await.unwrap());
    }
}
