use std::fmt;

use object_store::path::Path as ObjectPath;

const MAX_KEY_LEN: usize = 200;

const UPLOADS_PREFIX: &str = "uploads";

/// A storage key such as `emojis/5f0c…/happy.png`: `/`-separated segments of
/// ASCII letters, digits, `-`, `_` and `.`, never `.` or `..`, never
/// absolute. Whatever a client sends is parsed into one of these before it
/// reaches the store, so it cannot escape the storage root.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaKey(String);

impl MediaKey {
    pub fn parse(raw: &str) -> Result<MediaKey, &'static str> {
        if raw.is_empty() || raw.len() > MAX_KEY_LEN {
            return Err("a media key is 1 to 200 characters");
        }
        for segment in raw.split('/') {
            let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
            if segment.is_empty() || segment == "." || segment == ".." {
                return Err("a media key has no empty, `.` or `..` segments");
            }
            if !segment.chars().all(allowed) {
                return Err("a media key has only letters, digits, `-`, `_`, `.` and `/`");
            }
        }
        Ok(MediaKey(raw.to_owned()))
    }

    /// A key under `uploads/`, where uploaded originals wait for analysis.
    pub fn upload(name: &str) -> Result<MediaKey, &'static str> {
        MediaKey::parse(&format!("{UPLOADS_PREFIX}/{name}"))
    }

    /// Whether `/media/` may serve the object: not an uploaded original,
    /// which keeps the camera's metadata (GPS position included) and
    /// belongs to whoever may read its task.
    pub fn is_public(&self) -> bool {
        self.0.split('/').next() != Some(UPLOADS_PREFIX)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The content type, from the extension the server gave the key.
    pub fn content_type(&self) -> &'static str {
        match self.0.rsplit_once('.').map(|(_, extension)| extension) {
            Some("png") => "image/png",
            Some("jpg" | "jpeg") => "image/jpeg",
            Some("webp") => "image/webp",
            Some("gif") => "image/gif",
            _ => "application/octet-stream",
        }
    }

    pub(super) fn to_object_path(&self) -> ObjectPath {
        // Already plain ASCII without separators inside segments: no encoding needed.
        ObjectPath::from_iter(self.0.split('/'))
    }
}

impl fmt::Display for MediaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_generated_keys_parse() {
        let key = MediaKey::parse("emojis/0f3e9a1c-77aa/happy.png").unwrap();
        assert_eq!(key.content_type(), "image/png");
        assert_eq!(
            key.to_object_path().as_ref(),
            "emojis/0f3e9a1c-77aa/happy.png"
        );
    }

    #[test]
    fn keys_cannot_escape_the_root() {
        for bad in [
            "",
            "/etc/passwd",
            "../secret",
            "a/../../b",
            "a//b",
            "a/./b",
            "a\\b",
            "a%2Fb",
            "emojis/x y.png",
            "é.png",
            "a/",
        ] {
            assert!(MediaKey::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(MediaKey::parse(&"a".repeat(201)).is_err());
    }

    #[test]
    fn uploaded_originals_are_not_public() {
        assert!(!MediaKey::upload("0f3e.jpg").unwrap().is_public());
        assert!(
            MediaKey::parse("results/0f3e/w1-result.jpg")
                .unwrap()
                .is_public()
        );
        assert!(
            MediaKey::parse("emojis/0f3e/happy.png")
                .unwrap()
                .is_public()
        );
        assert!(MediaKey::parse("uploadsx/a.jpg").unwrap().is_public());
    }
}
