//! Logs (one line per request), Prometheus metrics and process gauges.

mod metrics;
mod request;

pub use self::metrics::{
    ANALYSIS_CRASHES_TOTAL, ANALYSIS_DURATION_SECONDS, ANALYSIS_QUEUE_DEPTH,
    EXPRESSION_CORRECTIONS_TOTAL, EXPRESSIONS_TOTAL, FACES_DETECTED_TOTAL, FACES_PER_PHOTO,
    LIVE_FRAME_SECONDS, LIVE_FRAMES_TOTAL, LIVE_SESSIONS, MetricsHandle, TASKS_TOTAL,
    UPLOADS_REJECTED_TOTAL, install_metrics_recorder,
};
pub use request::record_request;

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, LogSettings};

/// Installs the global log subscriber. Safe to call more than once (tests
/// start many apps in one process); later calls keep the first subscriber.
pub fn init_tracing(settings: &LogSettings) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _already_installed = match settings.format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
