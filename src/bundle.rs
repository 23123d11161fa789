//! The files built into the binary (see `build.rs`): the models, the web app
//! and the built-in template art. Each set can be swapped for a folder on
//! disk by a setting, for developers and for trying other models.

use std::borrow::Cow;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// One file carried by the binary.
#[derive(Debug)]
pub struct BundledFile {
    /// Relative to its set's folder, with `/` separators.
    pub path: &'static str,
    /// The content, gzipped when `gzipped`.
    pub bytes: &'static [u8],
    pub gzipped: bool,
    /// A strong validator of the uncompressed content.
    pub etag: &'static str,
}

mod tables {
    use super::BundledFile;
    include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
}

/// `models/*.onnx`.
pub static MODELS: &[BundledFile] = tables::MODELS;
/// `static/`, the built web app.
pub static WEB_APP: &[BundledFile] = tables::WEB_APP;
/// `assets/emoji/**/*.svg`.
pub static EMOJI_ART: &[BundledFile] = tables::EMOJI_ART;

/// A set of read-only files: the bundled copy or a folder that replaces it.
#[derive(Debug, Clone)]
pub enum Files {
    Bundled(&'static [BundledFile]),
    Folder(PathBuf),
}

impl Files {
    /// The folder when one is configured, otherwise the bundled set.
    pub fn with_override(folder: Option<&Path>, bundled: &'static [BundledFile]) -> Files {
        match folder {
            Some(folder) => Files::Folder(folder.to_path_buf()),
            None => Files::Bundled(bundled),
        }
    }

    /// The content of `relative`, uncompressed. `NotFound` for a missing
    /// file or a path that leaves the set.
    pub fn read(&self, relative: &str) -> std::io::Result<Cow<'static, [u8]>> {
        match self {
            Files::Bundled(files) => {
                let file = find(files, relative).ok_or_else(|| not_found(relative))?;
                file.content()
            }
            Files::Folder(folder) => {
                let path = safe_join(folder, relative).ok_or_else(|| not_found(relative))?;
                std::fs::read(path).map(Cow::Owned)
            }
        }
    }

    /// Where a file comes from, for messages.
    pub fn describe(&self, relative: &str) -> String {
        match self {
            Files::Bundled(_) => format!("{relative} (built in)"),
            Files::Folder(folder) => folder.join(relative).display().to_string(),
        }
    }
}

impl igemoji_engine::ModelSource for Files {
    fn read(&self, file: &str) -> std::io::Result<Cow<'static, [u8]>> {
        Files::read(self, file)
    }

    fn describe(&self, file: &str) -> String {
        Files::describe(self, file)
    }
}

impl BundledFile {
    pub fn content(&self) -> std::io::Result<Cow<'static, [u8]>> {
        if !self.gzipped {
            return Ok(Cow::Borrowed(self.bytes));
        }
        let mut content = Vec::new();
        flate2::read::GzDecoder::new(self.bytes).read_to_end(&mut content)?;
        Ok(Cow::Owned(content))
    }
}

pub fn find(files: &'static [BundledFile], relative: &str) -> Option<&'static BundledFile> {
    files
        .binary_search_by(|file| file.path.cmp(relative))
        .ok()
        .map(|index| &files[index])
}

fn not_found(relative: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::NotFound, format!("no file {relative}"))
}

/// `root/relative`, or `None` if `relative` tries to leave `root`.
pub fn safe_join(root: &Path, relative: &str) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    for component in Path::new(relative).components() {
        match component {
            Component::Normal(part) => path.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_leave_the_root() {
        let root = Path::new("/srv/static");
        assert_eq!(
            safe_join(root, "assets/a.js"),
            Some(root.join("assets/a.js"))
        );
        assert_eq!(safe_join(root, "../etc/passwd"), None);
        assert_eq!(safe_join(root, "assets/../../x"), None);
        assert_eq!(safe_join(root, "/etc/passwd"), None);
    }

    #[test]
    fn the_bundled_sets_hold_the_repository_files_sorted_for_lookup() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for (files, folder) in [
            (MODELS, "models"),
            (WEB_APP, "static"),
            (EMOJI_ART, "assets/emoji"),
        ] {
            assert!(!files.is_empty(), "{folder}");
            assert!(files.windows(2).all(|pair| pair[0].path < pair[1].path));
            for file in files {
                let on_disk = std::fs::read(root.join(folder).join(file.path)).unwrap();
                assert_eq!(file.content().unwrap().as_ref(), on_disk, "{}", file.path);
            }
        }
        assert!(find(WEB_APP, "index.html").is_some_and(|file| file.gzipped));
        assert!(find(MODELS, "emotion_faceapi.onnx").is_some_and(|file| !file.gzipped));
        assert!(find(EMOJI_ART, "twemoji/happy.svg").is_some());
        let bundled = Files::Bundled(WEB_APP);
        assert!(bundled.read("../Cargo.toml").is_err());
    }
}
