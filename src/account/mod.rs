//! The whole account: deleting it with everything it made, and "my page"
//! (the results and templates it made). These span users, templates and
//! tasks, so they live here rather than in any one of them.

mod routes;
mod service;

pub use routes::{AccountApi, configure};
pub use service::AccountError;
