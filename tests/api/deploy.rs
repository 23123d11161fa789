//! The shipping files keep their promises: the Dockerfile's basics, and
//! every metric the Grafana dashboard and the alert rules query is one a
//! running igemoji exports, so neither can silently go blank.

use futures_util::SinkExt;
use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::helpers::{fixture, spawn_app};

fn repo_file(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|error| panic!("{}: {error}", full.display()))
}

/// Dockerfile instructions with their continuation lines joined.
fn dockerfile_instructions() -> Vec<String> {
    let mut instructions = Vec::new();
    let mut current = String::new();
    for line in repo_file("Dockerfile").lines() {
        let line = line.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(continued) => current.push_str(continued),
            None => {
                current.push_str(line);
                instructions.push(std::mem::take(&mut current));
            }
        }
    }
    instructions
}

#[test]
fn the_dockerfile_pins_its_images_runs_unprivileged_and_checks_health() {
    let instructions = dockerfile_instructions();
    let with = |keyword: &str| -> Vec<&String> {
        instructions
            .iter()
            .filter(|line| line.starts_with(&format!("{keyword} ")))
            .collect()
    };
    let froms = with("FROM");
    assert!(froms.len() >= 2, "a multi-stage build: {froms:?}");
    for from in &froms {
        let image = from.split_whitespace().nth(1).unwrap();
        let tag = image.split_once(':').map(|(_, tag)| tag);
        assert!(
            tag.is_some_and(|tag| tag != "latest") || image.contains('@'),
            "{from}: pin the image with a tag other than latest"
        );
    }
    let user = with("USER");
    let final_user = user.last().expect("a USER instruction");
    let name = final_user.split_whitespace().nth(1).unwrap();
    let uid = name.split(':').next().unwrap();
    assert!(uid != "root" && uid != "0", "{final_user}: run as non-root");
    assert!(!with("HEALTHCHECK").is_empty(), "a HEALTHCHECK");
    // `igemoji health` asks /healthz (tests/api/standalone.rs runs it).
    assert!(with("HEALTHCHECK")[0].contains(r#"["igemoji", "health"]"#));
    // The binary carries its files: the runtime stage copies only it and
    // the licences of what it carries.
    let copied: Vec<_> = with("COPY")
        .into_iter()
        .filter(|line| line.contains("--from=builder"))
        .collect();
    assert_eq!(copied.len(), 2, "{copied:?}");
    assert!(
        copied
            .iter()
            .any(|line| line.contains("/usr/local/bin/igemoji"))
    );
    assert!(copied.iter().any(|line| line.contains("licenses")));
    let exposed = with("EXPOSE")
        .iter()
        .map(|line| line.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        exposed.contains("8080") && exposed.contains("9464"),
        "{exposed}"
    );
    assert!(with("VOLUME").iter().any(|line| line.contains("/data")));

    // The build stage builds with locked dependencies, through the script CI runs.
    let build_runs = with("RUN")
        .into_iter()
        .filter(|line| line.contains("scripts/build-release.sh"))
        .count();
    assert_eq!(build_runs, 1, "the builder calls scripts/build-release.sh");
    let build_script = repo_file("scripts/build-release.sh");
    assert!(build_script.contains("cargo build --release --locked"));
}

/// The expressions of the dashboard's panels.
fn dashboard_queries() -> Vec<String> {
    fn walk(value: &Value, queries: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(expr)) = map.get("expr") {
                    queries.push(expr.clone());
                }
                map.values().for_each(|value| walk(value, queries));
            }
            Value::Array(items) => items.iter().for_each(|value| walk(value, queries)),
            _ => {}
        }
    }
    let dashboard: Value =
        serde_json::from_str(&repo_file("deploy/grafana/dashboards/igemoji.json")).unwrap();
    let mut queries = Vec::new();
    walk(&dashboard, &mut queries);
    queries
}

/// The `expr:` of each alert rule, single-line or a `|` block.
fn alert_queries() -> Vec<String> {
    let rules = repo_file("deploy/prometheus/alerts.yml");
    let mut queries = Vec::new();
    let mut lines = rules.lines().peekable();
    while let Some(line) = lines.next() {
        let Some((indent, expr)) = line
            .find("expr:")
            .map(|at| (at, line[at + "expr:".len()..].trim()))
        else {
            continue;
        };
        if expr == "|" || expr == ">" {
            let mut block = String::new();
            while let Some(next) = lines.peek() {
                let next_indent = next.len() - next.trim_start().len();
                if !next.trim().is_empty() && next_indent <= indent {
                    break;
                }
                block.push_str(next.trim());
                block.push(' ');
                lines.next();
            }
            queries.push(block);
        } else {
            queries.push(expr.trim_matches(['"', '\'']).to_owned());
        }
    }
    queries
}

/// Keywords and aggregation operators (`sum by (..) (..)` has no `(` after `sum`).
const PROMQL_WORDS: [&str; 24] = [
    "by",
    "without",
    "and",
    "or",
    "unless",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "offset",
    "inf",
    "sum",
    "avg",
    "min",
    "max",
    "count",
    "group",
    "stddev",
    "stdvar",
    "topk",
    "bottomk",
    "quantile",
    "count_values",
];

/// Metric names in a PromQL expression: identifiers that are not functions,
/// keywords, label names in matchers or groupings, or ranges.
fn metric_names(query: &str) -> BTreeSet<String> {
    let mut stripped = String::new();
    let mut depth_braces = 0;
    let mut depth_brackets = 0;
    for character in query.chars() {
        match character {
            '{' => depth_braces += 1,
            '}' => depth_braces -= 1,
            '[' => depth_brackets += 1,
            ']' => depth_brackets -= 1,
            _ if depth_braces > 0 || depth_brackets > 0 => {}
            other => stripped.push(other),
        }
    }
    let mut names = BTreeSet::new();
    let mut rest = stripped.as_str();
    let mut after_grouping = false;
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '$') {
        let token_end = rest[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':' || c == '$'))
            .map_or(rest.len(), |end| start + end);
        let token = &rest[start..token_end];
        let follows = rest[token_end..].trim_start();
        let preceded_by_digit = rest[..start].ends_with(|c: char| c.is_ascii_digit() || c == '.');
        rest = &rest[token_end..];
        if after_grouping {
            // `by (a, b)`: skip to the closing parenthesis.
            if let Some(close) = rest.find(')') {
                rest = &rest[close..];
            }
            after_grouping = false;
            continue;
        }
        if matches!(
            token,
            "by" | "without" | "on" | "ignoring" | "group_left" | "group_right"
        ) {
            after_grouping = follows.starts_with('(');
            continue;
        }
        if follows.starts_with('(')
            || PROMQL_WORDS.contains(&token)
            || token.starts_with('$')
            || preceded_by_digit
        {
            continue;
        }
        names.insert(token.to_owned());
    }
    names
}

#[test]
fn metric_names_are_read_from_promql() {
    assert_eq!(
        metric_names(
            r#"histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket{job="igemoji", route=~"/api.*"}[5m])))"#
        ),
        BTreeSet::from(["http_request_duration_seconds_bucket".to_owned()])
    );
    assert_eq!(
        metric_names("sum(rate(a_total[5m])) / sum(rate(b_total[5m])) > 0.05 and up == 0"),
        BTreeSet::from(["a_total".to_owned(), "b_total".to_owned(), "up".to_owned()])
    );
}

#[tokio::test]
async fn every_metric_the_dashboard_and_alerts_query_is_exported_after_one_task_and_one_live_frame()
{
    let app = spawn_app().await;
    let twemoji = app.builtin_emoji_id("Twemoji").await;
    let response = app
        .upload_photo(
            None,
            twemoji,
            fixture("matplotlib_grace_hopper.jpg"),
            "a.jpg",
        )
        .await;
    assert_eq!(response.status(), 202);
    let task: Value = response.json().await.unwrap();
    let task = app
        .wait_for_task(task["task_id"].as_str().unwrap(), None)
        .await;
    assert_eq!(task["status"], "done");
    let mut live = crate::live::open(&app, &format!("emoji_id={twemoji}")).await;
    live.send(tokio_tungstenite::tungstenite::Message::binary(
        crate::live::frame_of("matplotlib_grace_hopper.jpg", 320),
    ))
    .await
    .unwrap();
    assert_eq!(crate::live::next_json(&mut live).await["frame"], 1);
    let exported: BTreeSet<String> = app
        .metrics()
        .await
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| line.split(['{', ' ']).next())
        .map(str::to_owned)
        .collect();

    let dashboard = dashboard_queries();
    let alerts = alert_queries();
    assert!(dashboard.len() >= 10, "dashboard queries: {dashboard:?}");
    assert!(alerts.len() >= 3, "alert queries: {alerts:?}");
    let mut queried = BTreeSet::new();
    for query in dashboard.iter().chain(&alerts) {
        queried.extend(metric_names(query));
    }
    // `up` is Prometheus' own, per scrape target.
    queried.remove("up");
    let missing: Vec<_> = queried.difference(&exported).collect();
    assert!(
        missing.is_empty(),
        "queried but not exported: {missing:?}\nexported: {exported:?}"
    );
}
