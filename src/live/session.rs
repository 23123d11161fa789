//! One live connection: the browser sends JPEG frames, the server answers
//! each analysed frame with its faces. Frames that arrive while one is being
//! analysed wait in a single slot, newest wins: the browser sees the present,
//! never a backlog.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, Session};
use bytes::Bytes;
use image::ImageFormat;
use serde::Serialize;
use tokio::sync::{Notify, watch};

use super::tracker::{TrackedFace, Tracker};
use crate::analysis::{
    Analysis, AnalysisError, AnalysisLimits, AnalysisPool, BoundingBox, ExpressionScores,
    probe_photo,
};
use crate::config::LiveSettings;
use crate::telemetry::{LIVE_FRAME_SECONDS, LIVE_FRAMES_TOTAL, LIVE_SESSIONS};

/// Keeps proxies from closing a quiet connection.
const PING_EVERY: Duration = Duration::from_secs(10);

/// What a session needs from the server.
pub struct LiveContext {
    pub pool: AnalysisPool,
    pub settings: LiveSettings,
    /// Becomes true when the server stops.
    pub stopping: watch::Receiver<bool>,
}

struct Frame {
    number: u64,
    bytes: Bytes,
}

/// The frame waiting for analysis, and how many were replaced since the
/// last answer.
#[derive(Default)]
struct Waiting {
    frame: Option<Frame>,
    dropped: u64,
    closed: bool,
}

#[derive(Serialize)]
struct FrameAnswer {
    frame: u64,
    faces: Vec<LiveFace>,
    /// Server time for this frame, in milliseconds.
    ms: f64,
    /// Frames dropped (replaced by newer ones) since the previous answer.
    dropped: u64,
}

#[derive(Serialize)]
struct LiveFace {
    #[serde(rename = "box")]
    bounding_box: BoundingBox,
    roll_degrees: f32,
    expression: &'static str,
    scores: ExpressionScores,
    track: u64,
}

#[derive(Serialize)]
struct FrameError {
    frame: u64,
    error: ErrorDetail,
}

#[derive(Serialize)]
struct ErrorDetail {
    code: &'static str,
    message: String,
}

/// Runs the connection until the client leaves, idles, keeps sending bad
/// frames, or the server stops. `_slot` is the session's place under
/// `live.max_sessions`, freed when this returns.
pub async fn run(
    session: Session,
    messages: AggregatedMessageStream,
    context: LiveContext,
    _slot: tokio::sync::OwnedSemaphorePermit,
) {
    metrics::gauge!(LIVE_SESSIONS).increment(1.0);
    let waiting = Arc::new(Mutex::new(Waiting::default()));
    let arrived = Arc::new(Notify::new());
    let analyser = actix_web::rt::spawn(analyse_frames(
        session.clone(),
        Arc::clone(&waiting),
        Arc::clone(&arrived),
        context.pool.clone(),
    ));
    let close = receive_frames(session.clone(), messages, &context, &waiting, &arrived).await;
    lock(&waiting).closed = true;
    arrived.notify_one();
    let _ = analyser.await;
    if let Some(reason) = close {
        let _ = session.close(Some(reason)).await;
    }
    metrics::gauge!(LIVE_SESSIONS).decrement(1.0);
}

/// Reads the client's messages; returns how to close, if the server closes.
async fn receive_frames(
    mut session: Session,
    mut messages: AggregatedMessageStream,
    context: &LiveContext,
    waiting: &Mutex<Waiting>,
    arrived: &Notify,
) -> Option<CloseReason> {
    let settings = &context.settings;
    let mut stopping = context.stopping.clone();
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut number = 0u64;
    let mut bad_in_a_row = 0u32;
    let mut rate = FrameRate::new(settings.max_frames_per_second);
    loop {
        let message = tokio::select! {
            message = tokio::time::timeout(settings.idle_timeout, messages.recv()) => message,
            _ = ping.tick() => {
                if session.ping(b"").await.is_err() {
                    return None;
                }
                continue;
            }
            _ = stopping.wait_for(|stopping| *stopping) => {
                return Some(reason(CloseCode::Away, "the server is stopping"));
            }
        };
        let message = match message {
            Err(_) => return Some(reason(CloseCode::Normal, "no frames for too long")),
            Ok(None) => return None,
            Ok(Some(Err(error))) => {
                return Some(reason(
                    CloseCode::Size,
                    &format!("unreadable message: {error}"),
                ));
            }
            Ok(Some(Ok(message))) => message,
        };
        match message {
            AggregatedMessage::Binary(bytes) => {
                number += 1;
                match check_frame(&bytes, settings) {
                    Ok(()) if !rate.allows(Instant::now()) => {
                        bad_in_a_row = 0;
                        metrics::counter!(LIVE_FRAMES_TOTAL, "outcome" => "dropped").increment(1);
                        lock(waiting).dropped += 1;
                    }
                    Ok(()) => {
                        bad_in_a_row = 0;
                        let mut waiting = lock(waiting);
                        if waiting.frame.replace(Frame { number, bytes }).is_some() {
                            waiting.dropped += 1;
                            metrics::counter!(LIVE_FRAMES_TOTAL, "outcome" => "dropped")
                                .increment(1);
                        }
                        drop(waiting);
                        arrived.notify_one();
                    }
                    Err((code, message)) => {
                        metrics::counter!(LIVE_FRAMES_TOTAL, "outcome" => "refused").increment(1);
                        bad_in_a_row += 1;
                        if send_error(&mut session, number, code, message)
                            .await
                            .is_err()
                        {
                            return None;
                        }
                        if bad_in_a_row >= settings.max_bad_frames {
                            return Some(reason(CloseCode::Policy, "too many bad frames in a row"));
                        }
                    }
                }
            }
            AggregatedMessage::Text(_) => {
                bad_in_a_row += 1;
                let message = "send each frame as a binary message holding one JPEG".to_owned();
                if send_error(&mut session, number, "binary_frames_only", message)
                    .await
                    .is_err()
                {
                    return None;
                }
                if bad_in_a_row >= settings.max_bad_frames {
                    return Some(reason(CloseCode::Policy, "too many bad frames in a row"));
                }
            }
            AggregatedMessage::Ping(bytes) => {
                if session.pong(&bytes).await.is_err() {
                    return None;
                }
            }
            AggregatedMessage::Pong(_) => {}
            AggregatedMessage::Close(_) => return None,
        }
    }
}

/// A frame must be a JPEG within the size limits; its header is enough to
/// tell.
fn check_frame(bytes: &[u8], settings: &LiveSettings) -> Result<(), (&'static str, String)> {
    if bytes.len() > settings.max_frame_bytes {
        return Err((
            "frame_too_large",
            format!(
                "the frame is {} bytes; at most {} are accepted",
                bytes.len(),
                settings.max_frame_bytes
            ),
        ));
    }
    let side = u64::from(settings.max_frame_side);
    let limits = AnalysisLimits {
        max_bytes: settings.max_frame_bytes,
        max_pixels: side * side,
    };
    match probe_photo(bytes, &limits) {
        Ok(header) if header.format != ImageFormat::Jpeg => {
            Err(("not_jpeg", "send each frame as a JPEG".into()))
        }
        Ok(header) if header.width.max(header.height) > settings.max_frame_side => Err((
            "frame_too_large",
            format!(
                "the frame is {}x{}; at most {} pixels on its longer side are accepted",
                header.width, header.height, settings.max_frame_side
            ),
        )),
        Ok(_) => Ok(()),
        Err(AnalysisError::UnsupportedFormat) => {
            Err(("not_jpeg", "send each frame as a JPEG".into()))
        }
        Err(error @ AnalysisError::TooManyPixels { .. }) => {
            Err(("frame_too_large", error.to_string()))
        }
        Err(error) => Err(("bad_frame", error.to_string())),
    }
}

/// Analyses the waiting frame whenever there is one, one at a time.
async fn analyse_frames(
    mut session: Session,
    waiting: Arc<Mutex<Waiting>>,
    arrived: Arc<Notify>,
    pool: AnalysisPool,
) {
    let mut tracker = Tracker::default();
    loop {
        let next = {
            let mut waiting = lock(&waiting);
            if waiting.closed {
                return;
            }
            waiting
                .frame
                .take()
                .map(|frame| (frame, std::mem::take(&mut waiting.dropped)))
        };
        let Some((frame, dropped)) = next else {
            arrived.notified().await;
            continue;
        };
        let started = Instant::now();
        let analysed = pool.analyze(Arc::from(&frame.bytes[..])).await;
        let sent = match analysed {
            Ok(analysis) => {
                let faces = live_faces(&analysis, tracker.update(&analysis.faces));
                let elapsed = started.elapsed();
                metrics::counter!(LIVE_FRAMES_TOTAL, "outcome" => "analysed").increment(1);
                metrics::histogram!(LIVE_FRAME_SECONDS).record(elapsed.as_secs_f64());
                let answer = FrameAnswer {
                    frame: frame.number,
                    faces,
                    ms: elapsed.as_secs_f64() * 1000.0,
                    dropped,
                };
                match serde_json::to_string(&answer) {
                    Ok(json) => session.text(json).await,
                    Err(_) => Ok(()),
                }
            }
            Err(error) => {
                metrics::counter!(LIVE_FRAMES_TOTAL, "outcome" => "failed").increment(1);
                tracing::warn!(frame = frame.number, error = %error, "a live frame failed");
                send_error(&mut session, frame.number, error.code(), error.to_string()).await
            }
        };
        if sent.is_err() {
            return;
        }
    }
}

fn live_faces(analysis: &Analysis, tracked: Vec<TrackedFace>) -> Vec<LiveFace> {
    analysis
        .faces
        .iter()
        .zip(tracked)
        .map(|(face, tracked)| LiveFace {
            bounding_box: face.bounding_box,
            roll_degrees: face.roll_degrees,
            expression: tracked.expression.as_str(),
            scores: tracked.scores,
            track: tracked.track,
        })
        .collect()
}

async fn send_error(
    session: &mut Session,
    frame: u64,
    code: &'static str,
    message: String,
) -> Result<(), actix_ws::Closed> {
    let error = FrameError {
        frame,
        error: ErrorDetail { code, message },
    };
    match serde_json::to_string(&error) {
        Ok(json) => session.text(json).await,
        Err(_) => Ok(()),
    }
}

fn reason(code: CloseCode, description: &str) -> CloseReason {
    CloseReason {
        code,
        description: Some(description.to_owned()),
    }
}

fn lock(waiting: &Mutex<Waiting>) -> std::sync::MutexGuard<'_, Waiting> {
    waiting
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// At most `per_second` frames in any second; the rest are dropped.
struct FrameRate {
    per_second: u32,
    window_start: Instant,
    in_window: u32,
}

impl FrameRate {
    fn new(per_second: u32) -> FrameRate {
        FrameRate {
            per_second,
            window_start: Instant::now(),
            in_window: 0,
        }
    }

    fn allows(&mut self, now: Instant) -> bool {
        if now.duration_since(self.window_start) >= Duration::from_secs(1) {
            self.window_start = now;
            self.in_window = 0;
        }
        self.in_window += 1;
        self.in_window <= self.per_second
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frame_rate_allows_its_count_per_second_then_drops() {
        let start = Instant::now();
        let mut rate = FrameRate::new(3);
        rate.window_start = start;
        assert!((0..3).all(|_| rate.allows(start)));
        assert!(!rate.allows(start + Duration::from_millis(500)));
        assert!(rate.allows(start + Duration::from_millis(1001)));
    }
}
