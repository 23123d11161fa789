//! Where the engine reads its ONNX models from. The server builds them into
//! its binary; tools and tests can point at a folder.

use std::borrow::Cow;
use std::path::PathBuf;

pub trait ModelSource {
    /// The bytes of the model file named `file`.
    fn read(&self, file: &str) -> std::io::Result<Cow<'static, [u8]>>;
    /// Where `file` comes from, for messages.
    fn describe(&self, file: &str) -> String;
}

/// The model files of one folder, by their plain names.
#[derive(Debug, Clone)]
pub struct ModelFolder(pub PathBuf);

impl ModelSource for ModelFolder {
    fn read(&self, file: &str) -> std::io::Result<Cow<'static, [u8]>> {
        std::fs::read(self.0.join(file)).map(Cow::Owned)
    }

    fn describe(&self, file: &str) -> String {
        self.0.join(file).display().to_string()
    }
}
