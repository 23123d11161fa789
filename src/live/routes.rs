//! `GET /api/v1/faces/live`: the WebSocket of live mode.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use super::session::{self, LiveContext};
use super::{LiveError, LiveState};
use crate::emojis::EmojisState;
use crate::error::{ApiError, ErrorBody};
use crate::users::OptionalUser;

#[derive(OpenApi)]
#[openapi(paths(live))]
pub struct LiveApi;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/faces/live").route(web::get().to(live)));
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct LiveQuery {
    /// The template whose emojis cover the faces.
    emoji_id: i64,
    /// The share token of a private template.
    share: Option<String>,
}

/// Opens a live session (WebSocket). The browser sends binary messages, one
/// JPEG frame each (at most `live.max_frame_side` pixels on the longer side,
/// `live.max_frames_per_second`); the server answers each analysed frame with
/// a text message `{"frame", "faces": [{"box", "roll_degrees", "expression",
/// "scores", "track"}], "ms", "dropped"}`, and a bad frame with `{"frame",
/// "error": {"code", "message"}}`. A newer frame replaces one still waiting.
#[utoipa::path(get, path = "/api/v1/faces/live", tag = "faces", params(LiveQuery),
    responses(
        (status = 101, description = "Switching to the WebSocket protocol"),
        (status = 400, description = "Not a WebSocket handshake", body = ErrorBody),
        (status = 404, description = "No such template, or a private one without its share token", body = ErrorBody),
        (status = 422, description = "A missing or malformed emoji_id", body = ErrorBody),
        (status = 503, description = "All live places are taken (`live.max_sessions`)", body = ErrorBody),
    ))]
async fn live(
    request: HttpRequest,
    body: web::Payload,
    state: web::Data<LiveState>,
    emojis: web::Data<EmojisState>,
    user: OptionalUser,
    query: web::Query<LiveQuery>,
) -> Result<HttpResponse, ApiError> {
    let viewer = user.0.map(|user| user.id);
    crate::emojis::find_visible(&emojis.db, query.emoji_id, viewer, query.share.as_deref()).await?;
    let slot = Arc::clone(&state.sessions)
        .try_acquire_owned()
        .map_err(|_| LiveError::Busy)?;
    let (response, session, messages) = actix_ws::handle(&request, body)
        .map_err(|error| LiveError::NotWebSocket(error.to_string()))?;
    // Room for a frame over the limit, so it gets an error message instead
    // of closing the connection; far bigger ones close it.
    let messages = messages
        .max_frame_size(state.settings.max_frame_bytes * 2)
        .aggregate_continuations()
        .max_continuation_size(state.settings.max_frame_bytes * 2);
    let context = LiveContext {
        pool: state.pool.clone(),
        settings: state.settings.clone(),
        stopping: state.stopping.subscribe(),
    };
    actix_web::rt::spawn(session::run(session, messages, context, slot));
    Ok(response)
}
