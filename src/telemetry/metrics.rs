use std::sync::Mutex;
use std::time::Instant;

use metrics::{Unit, describe_counter, describe_gauge, describe_histogram, gauge};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const HTTP_REQUESTS_TOTAL: &str = "http_requests_total";
pub const HTTP_REQUEST_DURATION_SECONDS: &str = "http_request_duration_seconds";
pub const ANALYSIS_DURATION_SECONDS: &str = "analysis_duration_seconds";
pub const ANALYSIS_QUEUE_DEPTH: &str = "analysis_queue_depth";
pub const FACES_DETECTED_TOTAL: &str = "faces_detected_total";
pub const FACES_PER_PHOTO: &str = "faces_per_photo";
pub const EXPRESSIONS_TOTAL: &str = "expressions_total";
pub const TASKS_TOTAL: &str = "tasks_total";
pub const ANALYSIS_CRASHES_TOTAL: &str = "analysis_crashes_total";
pub const EXPRESSION_CORRECTIONS_TOTAL: &str = "expression_corrections_total";
pub const UPLOADS_REJECTED_TOTAL: &str = "uploads_rejected_total";
pub const LIVE_SESSIONS: &str = "live_sessions";
pub const LIVE_FRAMES_TOTAL: &str = "live_frames_total";
pub const LIVE_FRAME_SECONDS: &str = "live_frame_seconds";
const PROCESS_RESIDENT_MEMORY_BYTES: &str = "process_resident_memory_bytes";
const PROCESS_OPEN_FDS: &str = "process_open_fds";
const PROCESS_UPTIME_SECONDS: &str = "process_uptime_seconds";

const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

const FACE_COUNT_BUCKETS: &[f64] = &[0.0, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0];

/// Renders the process's metrics; cheap to clone.
#[derive(Clone)]
pub struct MetricsHandle {
    prometheus: PrometheusHandle,
    started: Instant,
}

impl MetricsHandle {
    pub fn render(&self) -> String {
        self.prometheus.run_upkeep();
        record_process_gauges(self.started);
        self.prometheus.render()
    }
}

/// The recorder is process-global, so it is installed once and every app
/// started in this process (tests start many) shares it.
pub fn install_metrics_recorder() -> anyhow::Result<MetricsHandle> {
    static HANDLE: Mutex<Option<MetricsHandle>> = Mutex::new(None);
    let mut installed = HANDLE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(handle) = installed.as_ref() {
        return Ok(handle.clone());
    }
    let prometheus = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)?
        .set_buckets_for_metric(Matcher::Full(FACES_PER_PHOTO.into()), FACE_COUNT_BUCKETS)?
        .install_recorder()?;
    describe_metrics();
    spawn_upkeep(prometheus.clone());
    let handle = MetricsHandle {
        prometheus,
        started: Instant::now(),
    };
    *installed = Some(handle.clone());
    Ok(handle)
}

/// Histogram samples wait in the recorder until an upkeep folds them into
/// their buckets. Scrapes run one, but a process nobody scrapes would keep
/// every sample of every request (about 20 bytes each, without end).
fn spawn_upkeep(prometheus: PrometheusHandle) {
    const UPKEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);
    let spawned = std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_INTERVAL);
                prometheus.run_upkeep();
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(error = %error, "no metrics upkeep thread: memory grows until /metrics is read");
    }
}

fn describe_metrics() {
    describe_counter!(
        HTTP_REQUESTS_TOTAL,
        "HTTP requests answered, by method, route template and status."
    );
    describe_histogram!(
        HTTP_REQUEST_DURATION_SECONDS,
        Unit::Seconds,
        "Time to answer an HTTP request, by route template."
    );
    describe_histogram!(
        ANALYSIS_DURATION_SECONDS,
        Unit::Seconds,
        "Time spent per photo in each stage: decode, detect, classify, compose."
    );
    describe_gauge!(
        ANALYSIS_QUEUE_DEPTH,
        "Face tasks waiting to be analysed (all replicas), as last seen by this one."
    );
    describe_counter!(FACES_DETECTED_TOTAL, "Faces found in analysed photos.");
    describe_histogram!(FACES_PER_PHOTO, "Faces found per analysed photo.");
    describe_counter!(
        EXPRESSIONS_TOTAL,
        "Faces by dominant expression (angry, disgust, fear, happy, sad, surprise, neutral)."
    );
    describe_counter!(
        TASKS_TOTAL,
        "Face tasks by outcome: queued, done, failed, retried."
    );
    describe_counter!(
        EXPRESSION_CORRECTIONS_TOTAL,
        "Faces people corrected, by the model's reading and their choice (none: no emoji)."
    );
    describe_counter!(
        ANALYSIS_CRASHES_TOTAL,
        "Photos whose analysis panicked; each such task fails at once, without retries."
    );
    describe_counter!(
        UPLOADS_REJECTED_TOTAL,
        "Photo uploads refused before queueing, by reason."
    );
    describe_gauge!(
        LIVE_SESSIONS,
        "Live (WebSocket) sessions open on this replica."
    );
    describe_counter!(
        LIVE_FRAMES_TOTAL,
        "Live frames by outcome: analysed, dropped (replaced by a newer one, or over the rate), refused (bad), failed."
    );
    describe_histogram!(
        LIVE_FRAME_SECONDS,
        Unit::Seconds,
        "Time from taking a live frame for analysis to its answer."
    );
    describe_gauge!(
        PROCESS_RESIDENT_MEMORY_BYTES,
        Unit::Bytes,
        "Resident set size of this process."
    );
    describe_gauge!(PROCESS_OPEN_FDS, "Open file descriptors of this process.");
    describe_gauge!(
        PROCESS_UPTIME_SECONDS,
        Unit::Seconds,
        "Seconds since the process started serving."
    );
}

fn record_process_gauges(started: Instant) {
    gauge!(PROCESS_UPTIME_SECONDS).set(started.elapsed().as_secs_f64());
    if let Some(bytes) = resident_memory_bytes() {
        gauge!(PROCESS_RESIDENT_MEMORY_BYTES).set(bytes as f64);
    }
    if let Ok(entries) = std::fs::read_dir("/proc/self/fd") {
        gauge!(PROCESS_OPEN_FDS).set(entries.count() as f64);
    }
}

/// From `/proc/self/statm` (Linux); `None` elsewhere.
fn resident_memory_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let resident_pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // Every platform this runs on in production uses 4 KiB pages.
    Some(resident_pages * 4096)
}
