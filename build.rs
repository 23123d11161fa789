//! Bundles the files the binary needs into it, so that a copy of the binary
//! alone runs anywhere: the ONNX models (`models/*.onnx`), the built web app
//! (`static/`) and the built-in template art (`assets/emoji/`).
//!
//! Writes `$OUT_DIR/bundled.rs`, three tables of `BundledFile` (see
//! `src/bundle.rs`). Text files of the web app are stored gzipped: they
//! shrink to a third and are served as they are to browsers that accept gzip.

// A build script reports failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let mut source = String::new();
    let tables = [
        ("MODELS", root.join("models"), Some("onnx")),
        ("WEB_APP", root.join("static"), None),
        ("EMOJI_ART", root.join("assets/emoji"), Some("svg")),
    ];
    for (name, dir, only_extension) in tables {
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files = Vec::new();
        list_files(&dir, &dir, only_extension, &mut files);
        files.sort();
        writeln!(source, "pub static {name}: &[BundledFile] = &[").unwrap();
        for relative in files {
            let path = dir.join(&relative);
            let bytes = std::fs::read(&path)
                .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
            let etag = format!("{:016x}-{:x}", fnv1a(&bytes), bytes.len());
            let (stored, gzipped) = if name == "WEB_APP" && compresses_well(&relative) {
                let compressed_path =
                    out_dir.join(format!("web-{}.gz", fnv1a(relative.as_bytes())));
                std::fs::write(&compressed_path, gzip(&bytes)).expect("write a compressed file");
                (compressed_path, true)
            } else {
                (path, false)
            };
            writeln!(
                source,
                "    BundledFile {{ path: {relative:?}, bytes: include_bytes!({stored:?}), \
                 gzipped: {gzipped}, etag: {etag:?} }},",
            )
            .unwrap();
        }
        writeln!(source, "];").unwrap();
    }
    std::fs::write(out_dir.join("bundled.rs"), source).expect("write bundled.rs");
}

/// Paths relative to `root`, with `/` separators.
fn list_files(root: &Path, dir: &Path, only_extension: Option<&str>, files: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            list_files(root, &path, only_extension, files);
            continue;
        }
        if let Some(extension) = only_extension
            && path.extension().and_then(|e| e.to_str()) != Some(extension)
        {
            continue;
        }
        let relative = path.strip_prefix(root).expect("a file under the root");
        let parts: Vec<_> = relative
            .components()
            .map(|part| part.as_os_str().to_str().expect("a UTF-8 file name"))
            .collect();
        files.push(parts.join("/"));
    }
}

fn compresses_well(path: &str) -> bool {
    let extension = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    matches!(
        extension,
        "html" | "js" | "mjs" | "css" | "json" | "svg" | "txt" | "map" | "webmanifest"
    ) || !path.contains('.')
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("compress in memory");
    encoder.finish().expect("compress in memory")
}

/// A content hash for ETags; not for security.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
