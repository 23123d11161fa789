//! The top-3 ranking of public templates by use: counting a use when a task
//! finishes, and serving the ranking (all time, or the last N days).

mod entity;
mod routes;
mod service;

pub use routes::{RankingApi, configure};
pub use service::record_use;
