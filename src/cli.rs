use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand};
use serde_json::json;

use crate::analysis::{Analysis, Analyzer, annotate, decode_photo};
use crate::config::Settings;

#[derive(Debug, Parser)]
#[command(
    name = "igemoji",
    version,
    about = "Paste the right emoji on every face in a photo"
)]
pub struct Cli {
    /// Settings file (default: ./config.toml if present).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web service (the default).
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Ask the service running on this machine at `server.bind` for
    /// /healthz; exit 0 when it answers 200 (the container's health check).
    Health,
    /// Print the API's OpenAPI document (what /api/v1/openapi.json serves).
    Openapi,
    /// Find the faces in photos and read their expressions.
    Analyze {
        #[arg(required = true, value_name = "PHOTO")]
        photos: Vec<PathBuf>,
        /// Print JSON (an array, one entry per photo) instead of text.
        #[arg(long)]
        json: bool,
        /// Write the (single) photo with the faces drawn on it to this PNG.
        #[arg(long, value_name = "OUT.png")]
        annotate: Option<PathBuf>,
    },
}

/// `igemoji analyze`: returns whether every photo could be analysed.
pub fn run_analyze(
    settings: &Settings,
    photos: &[PathBuf],
    as_json: bool,
    annotate_to: Option<&PathBuf>,
) -> anyhow::Result<bool> {
    if annotate_to.is_some() && photos.len() != 1 {
        anyhow::bail!("--annotate takes exactly one photo");
    }
    let analyzer = Analyzer::load(
        &settings.analysis.models(),
        settings.analysis.limits(),
        settings.analysis.detection(),
        settings.analysis.expression_model,
    )?;
    let mut all_ok = true;
    let mut reports = Vec::new();
    for path in photos {
        let started = Instant::now();
        let outcome = std::fs::read(path)
            .with_context(|| format!("cannot read {}", path.display()))
            .and_then(|bytes| Ok(analyzer.analyze(&bytes)?));
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        match outcome {
            Ok(analysis) => {
                if let Some(out) = annotate_to {
                    write_annotated(&analyzer, path, &analysis, out)?;
                }
                if as_json {
                    let mut report = serde_json::to_value(&analysis)?;
                    report["path"] = json!(path.display().to_string());
                    report["elapsed_ms"] = json!(elapsed_ms);
                    reports.push(report);
                } else {
                    print_analysis(path, &analysis, elapsed_ms);
                }
            }
            Err(error) => {
                all_ok = false;
                let code = error
                    .downcast_ref::<crate::analysis::AnalysisError>()
                    .map_or("unreadable_file", |error| error.code());
                if as_json {
                    reports.push(json!({
                        "path": path.display().to_string(),
                        "error": { "code": code, "message": format!("{error:#}") },
                    }));
                } else {
                    println!("{}: error ({code}): {error:#}", path.display());
                }
            }
        }
    }
    if as_json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    }
    Ok(all_ok)
}

fn print_analysis(path: &std::path::Path, analysis: &Analysis, elapsed_ms: f64) {
    println!(
        "{}: {}x{}, {} face(s) in {elapsed_ms:.1} ms",
        path.display(),
        analysis.width,
        analysis.height,
        analysis.faces.len()
    );
    for (index, face) in analysis.faces.iter().enumerate() {
        let b = face.bounding_box;
        let ranked = face.scores.ranked();
        let others: Vec<String> = ranked[1..3]
            .iter()
            .map(|(expression, score)| format!("{expression} {score:.2}"))
            .collect();
        println!(
            "  face {}: box x={:.0} y={:.0} {:.0}x{:.0}, score {:.2}, roll {:+.1}°: {} {:.2} ({})",
            index + 1,
            b.x,
            b.y,
            b.width,
            b.height,
            face.score,
            face.roll_degrees,
            face.expression,
            ranked[0].1,
            others.join(", ")
        );
    }
}

fn write_annotated(
    analyzer: &Analyzer,
    path: &std::path::Path,
    analysis: &Analysis,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(path)?;
    let upright = decode_photo(&bytes, &analyzer.limits())?.image.into_rgb8();
    annotate(&upright, analysis)
        .save_with_format(out, image::ImageFormat::Png)
        .with_context(|| format!("cannot write {}", out.display()))
}

/// `igemoji health`: whether the local service answers /healthz with 200.
pub fn run_health(settings: &Settings) -> anyhow::Result<()> {
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpStream};

    let bind = settings.server.bind;
    // A wildcard address listens on loopback too.
    let address = if bind.ip().is_unspecified() {
        SocketAddr::from(([127, 0, 0, 1], bind.port()))
    } else {
        bind
    };
    let timeout = std::time::Duration::from_secs(3);
    let mut stream = TcpStream::connect_timeout(&address, timeout)
        .with_context(|| format!("nothing answers at {address}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )?;
    let mut status_line = [0u8; 12];
    stream
        .read_exact(&mut status_line)
        .with_context(|| format!("no answer from {address}"))?;
    let status_line = String::from_utf8_lossy(&status_line);
    anyhow::ensure!(
        status_line.starts_with("HTTP/1.1 200"),
        "{address}/healthz answered {status_line}"
    );
    Ok(())
}
