use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use igemoji::analysis::{AnalysisLimits, Analyzer, DetectionOptions, ExpressionModel};
use igemoji::bundle::Files;

pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Loading and optimising the models takes a while: share one analyser.
pub fn analyzer() -> &'static Analyzer {
    static ANALYZER: OnceLock<Analyzer> = OnceLock::new();
    ANALYZER.get_or_init(|| {
        Analyzer::load(
            &Files::Folder(repo_path("models")),
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
