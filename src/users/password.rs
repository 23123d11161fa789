//! argon2id hashing on a few dedicated threads, so a burst of logins can
//! neither stall the async workers nor hold argon2's 19 MiB buffers in the
//! malloc arenas of an ever-changing set of blocking-pool threads.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Argon2, password_hash::rand_core::OsRng};

use super::domain::Password;

type Job = Box<dyn FnOnce() + Send>;

#[derive(Clone)]
pub struct PasswordHasher {
    jobs: Sender<Job>,
    /// Verified against when the user does not exist, so that the response
    /// time does not tell whether a username is registered.
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    /// Starts `threads` hashing threads; they end when the last clone of
    /// the hasher is dropped.
    pub fn new(threads: usize) -> anyhow::Result<Self> {
        let dummy = Password::parse("dummy password for unknown users".into())
            .map_err(anyhow::Error::msg)?;
        let (jobs, queue) = channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for index in 0..threads.max(1) {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("argon2-{index}"))
                .spawn(move || run_jobs(&queue))
                .context("cannot start a password hashing thread")?;
        }
        Ok(PasswordHasher {
            jobs,
            dummy_hash: hash_now(&dummy)?.into(),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = reply.send(job());
            }))
            .map_err(|_| anyhow::anyhow!("the password hashing threads have stopped"))?;
        answer.await.context("password hashing job failed")
    }

    pub async fn hash(&self, password: Password) -> anyhow::Result<String> {
        self.run(move || hash_now(&password)).await?
    }

    /// Checks a login's `candidate` password against `stored`, or against a
    /// dummy hash when there is no stored hash (unknown user), taking the
    /// same time either way.
    pub async fn verify(&self, candidate: String, stored: Option<String>) -> anyhow::Result<bool> {
        let known_user = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        let matches = self.run(move || verify_now(&candidate, &hash)).await??;
        Ok(known_user && matches)
    }
}

fn run_jobs(queue: &Mutex<Receiver<Job>>) {
    loop {
        let next = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(job) = next else { return };
        // A panicking job loses only its own answer, never the thread.
        let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
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
