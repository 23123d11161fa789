//! Live mode over a real WebSocket: frames in, faces out.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use crate::helpers::{TestApp, encoded, error_of, fixture, spawn_app, spawn_app_with};

pub type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

const HOPPER: &str = "matplotlib_grace_hopper.jpg";

/// The fixture as a browser would send it: a JPEG at most `side` pixels on
/// its longer side.
pub fn frame_of(photo: &str, side: u32) -> Vec<u8> {
    let image = image::load_from_memory(&fixture(photo)).unwrap();
    let image = image.resize(side, side, image::imageops::FilterType::Triangle);
    encoded(image.into_rgb8(), image::ImageFormat::Jpeg)
}

fn live_url(app: &TestApp, query: &str) -> String {
    format!(
        "{}/api/v1/faces/live?{query}",
        app.address.replacen("http", "ws", 1)
    )
}

pub async fn open(app: &TestApp, query: &str) -> Socket {
    let (socket, response) = connect_async(live_url(app, query))
        .await
        .expect("live opens");
    assert_eq!(response.status(), 101);
    socket
}

/// The HTTP status an upgrade was refused with.
async fn refused(app: &TestApp, query: &str) -> u16 {
    match connect_async(live_url(app, query)).await {
        Err(WsError::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("not an HTTP refusal: {other}"),
        Ok(_) => panic!("the upgrade was accepted"),
    }
}

/// The next text message, as JSON (pings and pongs skipped).
pub async fn next_json(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(30), socket.next())
            .await
            .expect("an answer within 30 s")
            .expect("the socket is open")
            .expect("a message");
        match message {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected message {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_frame_comes_back_with_its_face_box_and_expression() {
    let app = spawn_app().await;
    let emoji_id = app.builtin_emoji_id("Twemoji").await;
    let frame = frame_of(HOPPER, 640);

    // What an upload of the same picture reads, for comparison.
    let response = app
        .upload_photo(None, emoji_id, frame.clone(), "frame.jpg")
        .await;
    let created: Value = response.json().await.unwrap();
    let task = app
        .wait_for_task(created["task_id"].as_str().unwrap(), None)
        .await;

    let mut socket = open(&app, &format!("emoji_id={emoji_id}")).await;
    socket.send(Message::binary(frame)).await.unwrap();
    let answer = next_json(&mut socket).await;
    assert_eq!(answer["frame"], 1, "{answer}");
    assert_eq!(answer["dropped"], 0);
    assert!(answer["ms"].as_f64().unwrap() > 0.0);
    let faces = answer["faces"].as_array().unwrap();
    assert_eq!(faces.len(), 1, "{answer}");
    assert_eq!(
        faces[0]["expression"], task["faces"][0]["expression"],
        "{answer}"
    );
    assert_eq!(faces[0]["box"], task["faces"][0]["box"]);
    assert!(faces[0]["roll_degrees"].is_number());
    assert!(faces[0]["scores"]["happy"].is_number());
    let track = faces[0]["track"].as_u64().unwrap();

    // The same face in the next frame keeps its track.
    socket
        .send(Message::binary(frame_of(HOPPER, 640)))
        .await
        .unwrap();
    let answer = next_json(&mut socket).await;
    assert_eq!(answer["frame"], 2);
    assert_eq!(answer["faces"][0]["track"], track);
    socket.close(None).await.unwrap();
}

#[tokio::test]
async fn a_burst_keeps_only_the_newest_waiting_frame() {
    let app = spawn_app().await;
    let emoji_id = app.builtin_emoji_id("Twemoji").await;
    let mut socket = open(&app, &format!("emoji_id={emoji_id}")).await;
    let frame = frame_of("faceapi_sample3.jpg", 640);
    let sent = 12;
    for _ in 0..sent {
        socket.send(Message::binary(frame.clone())).await.unwrap();
    }
    // The last frame is never replaced, so it is always answered.
    let mut answered = Vec::new();
    let mut dropped = 0;
    while answered.last() != Some(&sent) {
        let answer = next_json(&mut socket).await;
        assert!(answer["error"].is_null(), "{answer}");
        answered.push(answer["frame"].as_u64().unwrap());
        dropped += answer["dropped"].as_u64().unwrap();
    }
    let mut unique = answered.clone();
    unique.dedup();
    assert_eq!(unique, answered, "at most one answer per frame, in order");
    assert!(dropped > 0, "a burst drops frames: {answered:?}");
    assert_eq!(
        answered.len() as u64 + dropped,
        sent,
        "{answered:?}, {dropped} dropped"
    );
}

#[tokio::test]
async fn unknown_and_private_templates_are_refused_unless_shared() {
    let app = spawn_app().await;
    let token = app.token_for_new_user("liver").await;
    let private = app.create_test_emoji(&token, "Secret", "private").await;
    let id = private["id"].as_i64().unwrap();
    assert_eq!(refused(&app, "emoji_id=987654").await, 404);
    assert_eq!(refused(&app, &format!("emoji_id={id}")).await, 404);
    let share = private["share_token"].as_str().unwrap();
    open(&app, &format!("emoji_id={id}&share={share}")).await;
    assert_eq!(refused(&app, "emoji_id=twelve").await, 422);

    // A plain GET is told to speak WebSocket.
    let response = app
        .get(&format!("/api/v1/faces/live?emoji_id={id}&share={share}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(error_of(response).await["code"], "websocket_required");
}

#[tokio::test]
async fn sessions_over_the_limit_get_503_until_one_leaves() {
    let app = spawn_app_with(|settings| settings.live.max_sessions = 1).await;
    let emoji_id = app.builtin_emoji_id("Twemoji").await;
    let query = format!("emoji_id={emoji_id}");
    let mut first = open(&app, &query).await;
    assert_eq!(refused(&app, &query).await, 503);
    first.close(None).await.unwrap();
    // The place frees once the server has seen the close.
    for attempt in 0.. {
        match connect_async(live_url(&app, &query)).await {
            Ok(_) => break,
            Err(WsError::Http(response)) if response.status() == 503 && attempt < 50 => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(other) => panic!("the place was not freed: {other}"),
        }
    }
}

#[tokio::test]
async fn bad_frames_get_errors_and_too_many_in_a_row_close_the_connection() {
    let app = spawn_app_with(|settings| settings.live.max_bad_frames = 4).await;
    let emoji_id = app.builtin_emoji_id("Twemoji").await;
    let mut socket = open(&app, &format!("emoji_id={emoji_id}")).await;

    // Too big a picture, then a good frame: the connection stays.
    socket
        .send(Message::binary(frame_of(HOPPER, 900)))
        .await
        .unwrap();
    let answer = next_json(&mut socket).await;
    assert_eq!(answer["error"]["code"], "frame_too_large", "{answer}");
    socket
        .send(Message::binary(frame_of(HOPPER, 320)))
        .await
        .unwrap();
    let answer = next_json(&mut socket).await;
    assert_eq!(answer["faces"].as_array().unwrap().len(), 1, "{answer}");

    let png = encoded(image::RgbImage::new(32, 32), image::ImageFormat::Png);
    let garbage: [Message; 4] = [
        Message::binary(b"not a picture".to_vec()),
        Message::binary(png),
        Message::text("hello"),
        Message::binary(vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
    ];
    let codes = ["not_jpeg", "not_jpeg", "binary_frames_only", "bad_frame"];
    for (message, code) in garbage.into_iter().zip(codes) {
        socket.send(message).await.unwrap();
        let answer = next_json(&mut socket).await;
        assert_eq!(answer["error"]["code"], code, "{answer}");
    }
    let closing = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .expect("closed in time");
    match closing {
        Some(Ok(Message::Close(Some(frame)))) => assert_eq!(frame.code, CloseCode::Policy),
        other => panic!("expected a policy close, got {other:?}"),
    }
}

#[tokio::test]
async fn a_stopping_server_closes_live_connections_as_going_away() {
    let dir = tempfile::tempdir().unwrap();
    let (database_url, _database) = crate::helpers::test_database(dir.path()).await;
    let storage = crate::helpers::test_storage(dir.path());
    let started =
        crate::recovery::start_binary_with_storage(dir.path(), &database_url, &storage, &[]);
    let mut process = started.process;
    let base = format!("http://127.0.0.1:{}", started.port);
    let emoji_id = crate::recovery::first_template(&reqwest::Client::new(), &base).await;
    let url = format!(
        "ws://127.0.0.1:{}/api/v1/faces/live?emoji_id={emoji_id}",
        started.port
    );
    let (mut socket, _) = connect_async(url).await.expect("live opens");
    socket
        .send(Message::binary(frame_of(HOPPER, 320)))
        .await
        .unwrap();
    assert_eq!(next_json(&mut socket).await["frame"], 1);

    // SAFETY: signals the child this test started, by its own pid.
    let signalled = unsafe { libc::kill(process.id() as libc::pid_t, libc::SIGTERM) };
    assert_eq!(signalled, 0);
    let closing = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .expect("closed within 10 s of SIGTERM");
    match closing {
        Some(Ok(Message::Close(Some(frame)))) => assert_eq!(frame.code, CloseCode::Away),
        other => panic!("expected a going-away close, got {other:?}"),
    }
    let status = tokio::task::spawn_blocking(move || process.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "the server stopped cleanly: {status}");
}
