//! Face analysis for the server: the engine crate (`igemoji-engine`), which
//! knows nothing of HTTP or the database, and the pool that runs it on
//! tokio's blocking threads.

mod pool;

pub use igemoji_engine::*;
pub use pool::AnalysisPool;
