//! Live mode: the browser streams camera frames over a WebSocket and gets
//! each face's box, roll and (smoothed, tracked) expression back, so the
//! template's emoji can follow the face in real time. A snap is an ordinary
//! upload (`POST /api/v1/faces/`).

mod routes;
mod session;
mod tracker;

pub use routes::{LiveApi, configure};

use std::sync::Arc;

use tokio::sync::{Semaphore, watch};

use crate::analysis::AnalysisPool;
use crate::config::LiveSettings;

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("all live places are taken; try again in a few seconds")]
    Busy,
    #[error("this address speaks WebSocket: {0}")]
    NotWebSocket(String),
}

/// What the live routes need, shared by all connections.
pub struct LiveState {
    pub pool: AnalysisPool,
    pub settings: LiveSettings,
    /// One permit per connection (`live.max_sessions`).
    sessions: Arc<Semaphore>,
    /// Live frames analysed at once.
    analyses: Arc<Semaphore>,
    stopping: watch::Sender<bool>,
}

impl LiveState {
    /// `analysis_threads` is the pool's size: live frames use at most one
    /// fewer (and at least one), so a burst of live frames never takes every
    /// thread from the uploads.
    pub fn new(pool: AnalysisPool, settings: LiveSettings, analysis_threads: usize) -> LiveState {
        LiveState {
            pool,
            sessions: Arc::new(Semaphore::new(settings.max_sessions)),
            analyses: Arc::new(Semaphore::new(analysis_threads.saturating_sub(1).max(1))),
            settings,
            stopping: watch::channel(false).0,
        }
    }

    /// Closes every live connection with "going away" (the server stops).
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }
}
