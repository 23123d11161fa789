use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TEST_JWT_SECRET, error_of, spawn_app, spawn_app_with};

#[tokio::test]
async fn signing_up_returns_the_new_user() {
    let app = spawn_app().await;
    let response = app
        .sign_up(json!({ "username": "Alice", "password": PASSWORD, "nickname": "  Ali  " }))
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert!(body["id"].is_i64());
    assert_eq!(body["username"], "alice");
    assert_eq!(body["nickname"], "Ali");
    assert!(body["created_at"].is_string());
    assert!(body.get("password_hash").is_none());
}

#[tokio::test]
async fn the_nickname_defaults_to_the_username() {
    let app = spawn_app().await;
    let body = app.sign_up_user("bob").await;
    assert_eq!(body["nickname"], "bob");
}

#[tokio::test]
async fn passwords_are_stored_only_as_argon2id_hashes() {
    let app = spawn_app().await;
    app.sign_up_user("carol").await;
    let stored = app
        .query_string("SELECT password_hash FROM users WHERE username = 'carol'")
        .await
        .unwrap();
    assert!(stored.starts_with("$argon2id$"), "{stored}");
    assert!(!stored.contains(PASSWORD));
}

#[tokio::test]
async fn a_taken_username_gets_409_whatever_its_case() {
    let app = spawn_app().await;
    app.sign_up_user("dave").await;
    let response = app
        .sign_up(json!({ "username": "DAVE", "password": PASSWORD }))
        .await;
    assert_eq!(response.status(), 409);
    assert_eq!(error_of(response).await["code"], "username_taken");
}

#[tokio::test]
async fn two_racing_sign_ups_of_one_name_give_exactly_one_201() {
    let app = spawn_app().await;
    let attempts =
        (0..6).map(|_| app.sign_up(json!({ "username": "racer", "password": PASSWORD })));
    let statuses: Vec<u16> = futures_util::future::join_all(attempts)
        .await
        .iter()
        .map(|response| response.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        5,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn invalid_sign_up_fields_get_422_naming_each_field() {
    let app = spawn_app().await;
    let cases = [
        (json!({}), vec!["username", "password"]),
        (
            json!({ "username": "ab", "password": PASSWORD }),
            vec!["username"],
        ),
        (
            json!({ "username": "a".repeat(31), "password": PASSWORD }),
            vec!["username"],
        ),
        (
            json!({ "username": "no spaces", "password": PASSWORD }),
            vec!["username"],
        ),
        (
            json!({ "username": "emoji😀", "password": PASSWORD }),
            vec!["username"],
        ),
        (
            json!({ "username": "erin", "password": "short" }),
            vec!["password"],
        ),
        (
            json!({ "username": "erin", "password": "x".repeat(129) }),
            vec!["password"],
        ),
        (
            json!({ "username": "erin", "password": PASSWORD, "nickname": "   " }),
            vec!["nickname"],
        ),
        (
            json!({ "username": "erin", "password": PASSWORD, "nickname": "n".repeat(41) }),
            vec!["nickname"],
        ),
    ];
    for (body, fields) in cases {
        let response = app.sign_up(body.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
        let error = error_of(response).await;
        assert_eq!(error["code"], "validation_failed");
        for field in fields {
            assert!(error["fields"][field].is_string(), "{body} → {error}");
        }
    }
    assert_eq!(
        app.check_username("erin")
            .await
            .json::<Value>()
            .await
            .unwrap()["available"],
        true
    );
}

#[tokio::test]
async fn wrongly_typed_fields_get_422() {
    let app = spawn_app().await;
    let response = app
        .sign_up(json!({ "username": 5, "password": PASSWORD }))
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(error_of(response).await["code"], "invalid_body");
}

#[tokio::test]
async fn the_username_check_reports_availability() {
    let app = spawn_app().await;
    app.sign_up_user("frank").await;
    let taken: Value = app.check_username("FRANK").await.json().await.unwrap();
    assert_eq!(taken, json!({ "username": "frank", "available": false }));
    let free: Value = app.check_username("grace").await.json().await.unwrap();
    assert_eq!(free, json!({ "username": "grace", "available": true }));
}

#[tokio::test]
async fn a_malformed_or_missing_username_check_gets_422() {
    let app = spawn_app().await;
    for bad in ["x", "bad name", &"a".repeat(31)] {
        let response = app.check_username(bad).await;
        assert_eq!(response.status(), 422, "{bad}");
        assert!(error_of(response).await["fields"]["username"].is_string());
    }
    let response = app.get("/api/v1/users/").send().await.unwrap();
    assert_eq!(response.status(), 422);
}

#[tokio::test]
async fn logging_in_gives_a_bearer_token_that_identifies_the_user() {
    let app = spawn_app().await;
    let created = app.sign_up_user("heidi").await;
    let response = app.log_in("Heidi", PASSWORD).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 86400);
    let token = body["access_token"].as_str().unwrap();

    let me = app.who_am_i(token).await;
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.unwrap();
    assert_eq!(
        me,
        json!({ "id": created["id"], "username": "heidi", "nickname": "heidi" })
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_401() {
    let app = spawn_app().await;
    app.sign_up_user("ivan").await;
    let wrong_password = app.log_in("ivan", "not the password").await;
    let unknown_user = app.log_in("nobody", PASSWORD).await;
    assert_eq!(wrong_password.status(), 401);
    assert_eq!(unknown_user.status(), 401);
    assert_eq!(
        wrong_password.json::<Value>().await.unwrap(),
        unknown_user.json::<Value>().await.unwrap()
    );
}

#[tokio::test]
async fn a_login_without_fields_gets_422() {
    let app = spawn_app().await;
    let response = app
        .post("/api/v1/users/auth")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let error = error_of(response).await;
    assert!(error["fields"]["username"].is_string());
    assert!(error["fields"]["password"].is_string());
}

#[tokio::test]
async fn repeated_failures_for_one_username_get_429_with_retry_after() {
    let app = spawn_app_with(|settings| {
        settings.limits.login_max_failures = 3;
        settings.limits.login_window = Duration::from_secs(600);
        // Distinct usernames from one address must not trip this test.
        settings.server.trust_forwarded_for = true;
    })
    .await;
    app.sign_up_user("judy").await;
    for attempt in 0..3 {
        let response = app
            .post("/api/v1/users/auth")
            .header("x-forwarded-for", format!("10.0.0.{attempt}"))
            .json(&json!({ "username": "judy", "password": "wrong password" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
    }
    // Even the right password is refused while the window is full.
    let response = app.log_in("judy", PASSWORD).await;
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=600).contains(&retry_after), "{retry_after}");
    assert_eq!(error_of(response).await["code"], "too_many_requests");
}

#[tokio::test]
async fn repeated_failures_from_one_address_get_429_across_usernames() {
    let app = spawn_app_with(|settings| settings.limits.login_max_failures = 3).await;
    for name in ["u1x", "u2x", "u3x"] {
        assert_eq!(app.log_in(name, "whatever pw").await.status(), 401);
    }
    assert_eq!(app.log_in("u4x", "whatever pw").await.status(), 429);
}

#[tokio::test]
async fn a_forged_forwarded_for_entry_does_not_escape_the_address_throttle() {
    let app = spawn_app_with(|settings| {
        settings.limits.login_max_failures = 3;
        settings.server.trust_forwarded_for = true;
    })
    .await;
    // The proxy appends the address it saw; whatever the client sent stays
    // on the left.
    let attempt = |username: &'static str, forged: &'static str| {
        app.post("/api/v1/users/auth")
            .header("x-forwarded-for", format!("{forged}, 203.0.113.9"))
            .json(&json!({ "username": username, "password": "whatever pw" }))
            .send()
    };
    assert_eq!(attempt("v1x", "1.2.3.4").await.unwrap().status(), 401);
    assert_eq!(attempt("v2x", "1.2.3.5").await.unwrap().status(), 401);
    assert_eq!(attempt("v3x", "1.2.3.6").await.unwrap().status(), 401);
    assert_eq!(attempt("v4x", "1.2.3.7").await.unwrap().status(), 429);
}

#[tokio::test]
async fn with_two_proxies_the_client_is_the_second_entry_from_the_right() {
    let app = spawn_app_with(|settings| {
        settings.limits.login_max_failures = 2;
        settings.server.trust_forwarded_for = true;
        settings.server.trusted_proxies = 2;
    })
    .await;
    let attempt = |username: &'static str, forwarded: &'static str| {
        app.post("/api/v1/users/auth")
            .header("x-forwarded-for", forwarded)
            .json(&json!({ "username": username, "password": "whatever pw" }))
            .send()
    };
    let first = "1.1.1.1, 203.0.113.20, 10.0.0.2";
    assert_eq!(attempt("w1x", first).await.unwrap().status(), 401);
    assert_eq!(
        attempt("w2x", "9.9.9.9, 203.0.113.20, 10.0.0.3")
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(attempt("w3x", first).await.unwrap().status(), 429);
    // Another client behind the same load balancer is not throttled.
    assert_eq!(
        attempt("w4x", "203.0.113.21, 10.0.0.2")
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test]
async fn a_successful_login_resets_the_username_failures() {
    let app = spawn_app_with(|settings| {
        settings.limits.login_max_failures = 3;
        settings.server.trust_forwarded_for = true;
    })
    .await;
    app.sign_up_user("kim").await;
    let attempt = |password: &'static str, address: &'static str| {
        app.post("/api/v1/users/auth")
            .header("x-forwarded-for", address)
            .json(&json!({ "username": "kim", "password": password }))
            .send()
    };
    assert_eq!(
        attempt("bad password", "10.1.0.1").await.unwrap().status(),
        401
    );
    assert_eq!(
        attempt("bad password", "10.1.0.2").await.unwrap().status(),
        401
    );
    assert_eq!(attempt(PASSWORD, "10.1.0.3").await.unwrap().status(), 200);
    assert_eq!(
        attempt("bad password", "10.1.0.4").await.unwrap().status(),
        401
    );
    assert_eq!(
        attempt("bad password", "10.1.0.5").await.unwrap().status(),
        401
    );
    assert_eq!(attempt(PASSWORD, "10.1.0.6").await.unwrap().status(), 200);
}

fn sign_token(claims: Value, secret: &str, algorithm: Algorithm) -> String {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[tokio::test]
async fn bad_tokens_get_401() {
    let app = spawn_app().await;
    let token = app.token_for_new_user("leo").await;
    let me: Value = app.who_am_i(&token).await.json().await.unwrap();
    let id = me["id"].as_i64().unwrap().to_string();

    // Missing header.
    let response = app.get("/api/v1/users/auth").send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(error_of(response).await["code"], "missing_token");

    // Real claims but signed with another secret, or with another algorithm.
    let real_claims = decode_base64url(token.split('.').nth(1).unwrap());
    let forged = sign_token(
        real_claims.clone(),
        "not-the-server-secret-at-all-0123456789",
        Algorithm::HS256,
    );
    let other_algorithm = sign_token(real_claims.clone(), TEST_JWT_SECRET, Algorithm::HS512);
    let mut expired_claims = real_claims.clone();
    expired_claims["iat"] = json!(now() - 7200);
    expired_claims["exp"] = json!(now() - 3600);
    let expired = sign_token(expired_claims, TEST_JWT_SECRET, Algorithm::HS256);
    let alg_none = format!(
        "{}.{}.",
        base64url(br#"{"alg":"none","typ":"JWT"}"#),
        base64url(real_claims.to_string().as_bytes())
    );
    let mut tampered_claims = real_claims.clone();
    tampered_claims["sub"] = json!(format!("{}", id.parse::<i64>().unwrap() + 1));
    let tampered = {
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[1] = base64url(tampered_claims.to_string().as_bytes());
        parts.join(".")
    };

    for (case, bad) in [
        ("garbage", "not-a-jwt".to_owned()),
        ("forged", forged),
        ("hs512", other_algorithm),
        ("alg none", alg_none),
        ("tampered", tampered),
        ("expired", expired.clone()),
    ] {
        let response = app.who_am_i(&bad).await;
        assert_eq!(response.status(), 401, "{case}");
        let error = error_of(response).await;
        let expected = if case == "expired" {
            "token_expired"
        } else {
            "invalid_token"
        };
        assert_eq!(error["code"], expected, "{case}");
    }

    let response = app
        .get("/api/v1/users/auth")
        .header("authorization", format!("Basic {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

fn decode_base64url(text: &str) -> Value {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits = 0u32;
    let mut count = 0;
    let mut bytes = Vec::new();
    for c in text.bytes() {
        let value = ALPHABET.iter().position(|a| *a == c).unwrap() as u32;
        bits = (bits << 6) | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            bytes.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn deleting_my_account_revokes_its_tokens_and_frees_the_name() {
    let app = spawn_app().await;
    let token = app.token_for_new_user("mallory").await;
    assert_eq!(app.delete_me(&token).await.status(), 204);

    let response = app.who_am_i(&token).await;
    assert_eq!(response.status(), 401);
    assert_eq!(app.log_in("mallory", PASSWORD).await.status(), 401);
    let check: Value = app.check_username("mallory").await.json().await.unwrap();
    assert_eq!(check["available"], true);

    // A new account under the same name is not reachable with the old token.
    let new_token = app.token_for_new_user("mallory").await;
    assert_eq!(app.who_am_i(&token).await.status(), 401);
    assert_eq!(app.who_am_i(&new_token).await.status(), 200);
}

#[tokio::test]
async fn deleting_an_account_needs_a_token() {
    let app = spawn_app().await;
    let response = app.delete("/api/v1/users/me").send().await.unwrap();
    assert_eq!(response.status(), 401);
}
