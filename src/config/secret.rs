use std::io::Write;
use std::path::Path;

use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

use super::{ConfigError, Settings};

pub const MIN_JWT_SECRET_LEN: usize = 32;

/// The configured JWT secret; in development, a generated one kept in
/// `auth.dev_secret_file` so tokens survive restarts. Production without a
/// configured secret is an error: a generated one would silently log
/// everybody out on each deploy and differ between replicas.
pub fn resolve_jwt_secret(settings: &Settings) -> Result<SecretString, ConfigError> {
    if let Some(secret) = &settings.auth.jwt_secret {
        return Ok(secret.clone());
    }
    if settings.is_production() {
        return Err(ConfigError::MissingJwtSecretInProduction {
            min: MIN_JWT_SECRET_LEN,
        });
    }
    let path = &settings.auth.dev_secret_file;
    let io_error = |source| ConfigError::DevSecretFile {
        path: path.clone(),
        source,
    };
    if let Ok(existing) = std::fs::read_to_string(path) {
        let existing = existing.trim().to_owned();
        if existing.len() >= MIN_JWT_SECRET_LEN {
            return Ok(SecretString::from(existing));
        }
    }
    let secret = generate_secret();
    write_private_file(path, secret.expose_secret()).map_err(io_error)?;
    tracing::warn!(
        path = %path.display(),
        "auth.jwt_secret is not set: generated a development secret; set IGEMOJI__AUTH__JWT_SECRET in production"
    );
    Ok(secret)
}

fn generate_secret() -> SecretString {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    SecretString::from(hex)
}

fn write_private_file(path: &Path, contents: &str) -> std::io::Result<()> {
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RunMode;

    fn settings_in(dir: &Path) -> Settings {
        let mut settings = Settings::default();
        settings.auth.dev_secret_file = dir.join("nested/jwt-secret");
        settings
    }

    #[test]
    fn development_generates_and_keeps_a_secret() {
        let dir = tempfile::tempdir().unwrap();
        let settings = settings_in(dir.path());
        let first = resolve_jwt_secret(&settings).unwrap();
        let second = resolve_jwt_secret(&settings).unwrap();
        assert_eq!(first.expose_secret(), second.expose_secret());
        assert!(first.expose_secret().len() >= MIN_JWT_SECRET_LEN);
    }

    #[test]
    fn production_without_a_secret_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = settings_in(dir.path());
        settings.server.env = RunMode::Production;
        let error = resolve_jwt_secret(&settings).unwrap_err();
        assert!(matches!(
            error,
            ConfigError::MissingJwtSecretInProduction { .. }
        ));
        assert!(!settings.auth.dev_secret_file.exists());
    }
}
