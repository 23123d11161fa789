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
    stopping: watch::Sender<bool>,
}

impl LiveState {
    /// Live frames and uploads take turns on the analysis pool, whose
    /// threads go to waiters first come, first served: a connection has at
    /// most one frame in the queue, so an upload waits for at most one frame
    /// per connection (`bench/live-load.sh`: reserving a thread for uploads
    /// instead dropped a quarter of the frames on two cores).
    pub fn new(pool: AnalysisPool, settings: LiveSettings) -> LiveState {
        LiveState {
            pool,
            sessions: Arc::new(Semaphore::new(settings.max_sessions)),
            settings,
            stopping: watch::channel(false).0,
        }
    }

    /// Closes every live connection with "going away" (the server stops).
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }
}
