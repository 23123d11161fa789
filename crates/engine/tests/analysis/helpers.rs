use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use igemoji_engine::{AnalysisLimits, Analyzer, DetectionOptions, ExpressionModel, ModelFolder};

/// A path in the repository (the workspace root, two folders up).
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

/// Loading and optimising the models takes a while: share one analyser.
pub fn analyzer() -> &'static Analyzer {
    static ANALYZER: OnceLock<Analyzer> = OnceLock::new();
    ANALYZER.get_or_init(|| {
        Analyzer::load(
            &ModelFolder(repo_path("models")),
            AnalysisLimits::default(),
            DetectionOptions::default(),
            ExpressionModel::default(),
        )
        .expect("models load")
    })
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo_path("tests/fixtures/photos").join(name)).expect("fixture photo")
}
