//! Settings, layered: built-in defaults → `config.toml` (or `--config PATH`)
//! → `IGEMOJI__SECTION__KEY` environment variables.

mod secret;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

pub use secret::resolve_jwt_secret;

use crate::analysis::{AnalysisLimits, DetectionOptions, ExpressionModel};
use crate::bundle::{self, Files};

/// The file read when no `--config` is given. Missing is fine: defaults apply.
pub const DEFAULT_CONFIG_FILE: &str = "config.toml";
/// Prefix of the environment variables that override the file.
pub const ENV_PREFIX: &str = "IGEMOJI__";
/// A shorter switch for production mode, as twelve-factor deployments expect.
pub const ENV_MODE_VAR: &str = "IGEMOJI_ENV";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {path} does not exist")]
    MissingFile { path: PathBuf },
    #[error("invalid configuration: {0}")]
    Invalid(String),
    #[error(
        "auth.jwt_secret is not set and the server runs in production mode: \
         set IGEMOJI__AUTH__JWT_SECRET to at least {min} random characters"
    )]
    MissingJwtSecretInProduction { min: usize },
    #[error("auth.jwt_secret must be at least {min} characters long")]
    JwtSecretTooShort { min: usize },
    #[error("cannot keep the development JWT secret at {path}: {source}")]
    DevSecretFile {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl From<figment::Error> for ConfigError {
    fn from(error: figment::Error) -> Self {
        // figment's Display names the offending key path and where it came from.
        ConfigError::Invalid(error.to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RunMode {
    #[default]
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Human,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub storage: StorageSettings,
    pub auth: AuthSettings,
    pub admin: AdminSettings,
    pub analysis: AnalysisSettings,
    pub emojis: EmojiSettings,
    pub tasks: TaskSettings,
    pub limits: LimitSettings,
    pub live: LiveSettings,
    pub log: LogSettings,
}

/// Live mode: camera frames analysed over a WebSocket (`/api/v1/faces/live`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveSettings {
    /// Live connections at once on this replica; more are refused with 503.
    pub max_sessions: usize,
    /// The most bytes one frame (a JPEG) may have.
    pub max_frame_bytes: usize,
    /// The most pixels a frame may have on its longer side.
    pub max_frame_side: u32,
    /// Frames a connection may send per second; the rest are dropped.
    pub max_frames_per_second: u32,
    /// A connection that sends nothing this long is closed.
    #[serde(with = "humantime_serde")]
    pub idle_timeout: Duration,
    /// Bad frames in a row after which the connection is closed.
    pub max_bad_frames: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub bind: SocketAddr,
    pub public_url: String,
    pub env: RunMode,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// Proxies in front of the service that append to `X-Forwarded-For`; the
    /// client is the entry this many places from the right.
    pub trusted_proxies: usize,
    #[serde(with = "humantime_serde")]
    pub shutdown_timeout: Duration,
    /// A folder with the web app (`index.html`, `assets/`) to serve instead
    /// of the one built into the binary.
    #[serde(default)]
    pub static_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
    #[serde(with = "humantime_serde")]
    pub acquire_timeout: Duration,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageSettings {
    /// `file://DIR` or `s3://BUCKET/PREFIX`.
    pub url: String,
    /// When set, media URLs point here (a bucket website or CDN) instead of `/media/`.
    pub public_base_url: Option<String>,
    pub s3: S3Settings,
}

/// S3 connection details; unset ones fall back to the standard AWS_* variables.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Settings {
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    #[serde(default, skip_serializing)]
    pub secret_access_key: Option<SecretString>,
    /// Plain-HTTP endpoints (a local S3-compatible server).
    pub allow_http: bool,
    /// Giving up on connecting to the store after this long.
    #[serde(with = "humantime_serde")]
    pub connect_timeout: Duration,
    /// Giving up on one request to the store after this long.
    #[serde(with = "humantime_serde")]
    pub request_timeout: Duration,
    /// Retrying a failed request to the store stops after this long.
    #[serde(with = "humantime_serde")]
    pub retry_timeout: Duration,
}

impl Default for S3Settings {
    fn default() -> Self {
        S3Settings {
            endpoint: None,
            region: None,
            access_key_id: None,
            secret_access_key: None,
            allow_http: false,
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(30),
            retry_timeout: Duration::from_secs(5),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmojiSettings {
    /// Largest accepted template image, in bytes.
    pub max_image_bytes: usize,
    /// Largest accepted template image width or height, in pixels.
    pub max_image_side: u32,
    /// Template images are stored as PNG at most this wide and high.
    pub stored_side: u32,
    /// A folder with the built-in template art (SVG) to use instead of the
    /// art built into the binary.
    #[serde(default)]
    pub builtin_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskSettings {
    /// Uploads get 503 while this many tasks wait in the queue; 0 for as
    /// many as there are analysis workers (see `Settings::queue_limit`).
    pub max_queued: u64,
    /// Where each running server keeps its identity, so that after a crash
    /// it takes back its own unfinished tasks at once (see
    /// `faces/instance.rs`).
    pub instance_dir: PathBuf,
    /// A claimed task returns to the queue when its worker is silent this long.
    #[serde(with = "humantime_serde")]
    pub lease: Duration,
    /// How often idle workers look for tasks queued by other processes.
    #[serde(with = "humantime_serde")]
    pub poll_interval: Duration,
    /// Attempts before a task that keeps failing is marked failed.
    pub max_attempts: u32,
    /// Uploaded originals are deleted this long after upload.
    #[serde(with = "humantime_serde")]
    pub original_retention: Duration,
    #[serde(with = "humantime_serde")]
    pub cleanup_interval: Duration,
    /// Uploads allowed per anonymous client address within `anonymous_window`.
    pub anonymous_uploads: u32,
    #[serde(with = "humantime_serde")]
    pub anonymous_window: Duration,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    #[serde(default, skip_serializing)]
    pub jwt_secret: Option<SecretString>,
    /// Where a generated development secret is kept between restarts.
    pub dev_secret_file: PathBuf,
    #[serde(with = "humantime_serde")]
    pub token_ttl: Duration,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminSettings {
    pub bind: SocketAddr,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalysisSettings {
    /// A folder with the ONNX models to use instead of the ones built into
    /// the binary.
    #[serde(default)]
    pub models_dir: Option<PathBuf>,
    /// Analyses run at once on blocking threads; 0 means one per core.
    pub workers: usize,
    pub max_bytes: usize,
    /// Checked from the image header, before decoding.
    pub max_pixels: u64,
    /// Detections scoring below this are not faces.
    pub min_face_score: f32,
    /// Also search an N×N grid of tiles for small faces; 1 turns it off.
    pub tiles_per_side: u32,
    /// The expression classifier: `faceapi` or `fer`.
    pub expression_model: ExpressionModel,
}

impl AnalysisSettings {
    pub fn models(&self) -> Files {
        Files::with_override(self.models_dir.as_deref(), bundle::MODELS)
    }

    pub fn limits(&self) -> AnalysisLimits {
        AnalysisLimits {
            max_bytes: self.max_bytes,
            max_pixels: self.max_pixels,
        }
    }

    pub fn detection(&self) -> DetectionOptions {
        DetectionOptions {
            min_score: self.min_face_score,
            tiles_per_side: self.tiles_per_side,
        }
    }

    pub fn worker_count(&self) -> usize {
        one_per_core_if_zero(self.workers)
    }
}

impl ServerSettings {
    pub fn worker_count(&self) -> usize {
        one_per_core_if_zero(self.workers)
    }
}

/// Worker counts are configured as a number, or 0 for one per core.
fn one_per_core_if_zero(configured: usize) -> usize {
    match configured {
        0 => std::thread::available_parallelism().map_or(2, |cores| cores.get()),
        workers => workers,
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSettings {
    pub json_body_bytes: usize,
    pub login_max_failures: u32,
    #[serde(with = "humantime_serde")]
    pub login_window: Duration,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    /// A `tracing` filter such as `info` or `igemoji=debug,sea_orm=warn`.
    pub level: String,
}

impl ServerSettings {
    pub fn web_app(&self) -> Files {
        Files::with_override(self.static_dir.as_deref(), bundle::WEB_APP)
    }
}

impl EmojiSettings {
    pub fn builtin_art(&self) -> Files {
        Files::with_override(self.builtin_dir.as_deref(), bundle::EMOJI_ART)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            server: ServerSettings {
                bind: ([127, 0, 0, 1], 8080).into(),
                public_url: "http://127.0.0.1:8080".into(),
                env: RunMode::Development,
                workers: 0,
                trust_forwarded_for: false,
                trusted_proxies: 1,
                shutdown_timeout: Duration::from_secs(30),
                static_dir: None,
            },
            database: DatabaseSettings {
                url: "sqlite://data/igemoji.db?mode=rwc".into(),
                max_connections: 8,
                acquire_timeout: Duration::from_secs(10),
            },
            storage: StorageSettings {
                url: "file://data/media".into(),
                public_base_url: None,
                s3: S3Settings::default(),
            },
            auth: AuthSettings {
                jwt_secret: None,
                dev_secret_file: PathBuf::from("data/jwt-secret"),
                token_ttl: Duration::from_secs(24 * 60 * 60),
            },
            admin: AdminSettings {
                bind: ([127, 0, 0, 1], 9464).into(),
            },
            analysis: AnalysisSettings {
                models_dir: None,
                workers: 0,
                max_bytes: AnalysisLimits::default().max_bytes,
                max_pixels: AnalysisLimits::default().max_pixels,
                min_face_score: DetectionOptions::default().min_score,
                tiles_per_side: DetectionOptions::default().tiles_per_side,
                expression_model: ExpressionModel::default(),
            },
            emojis: EmojiSettings {
                max_image_bytes: 2 * 1024 * 1024,
                max_image_side: 2048,
                stored_side: 512,
                builtin_dir: None,
            },
            tasks: TaskSettings {
                max_queued: 0,
                instance_dir: PathBuf::from("data/instances"),
                lease: Duration::from_secs(60),
                poll_interval: Duration::from_secs(1),
                max_attempts: 6,
                original_retention: Duration::from_secs(24 * 60 * 60),
                cleanup_interval: Duration::from_secs(10 * 60),
                anonymous_uploads: 30,
                anonymous_window: Duration::from_secs(60),
            },
            limits: LimitSettings {
                json_body_bytes: 64 * 1024,
                login_max_failures: 5,
                login_window: Duration::from_secs(15 * 60),
            },
            live: LiveSettings {
                max_sessions: 8,
                max_frame_bytes: 512 * 1024,
                max_frame_side: 640,
                max_frames_per_second: 15,
                idle_timeout: Duration::from_secs(30),
                max_bad_frames: 10,
            },
            log: LogSettings {
                format: LogFormat::Human,
                level: "info".into(),
            },
        }
    }
}

impl Settings {
    /// Loads the layered settings. `explicit_file` comes from `--config` and
    /// must exist; the default `config.toml` may be absent.
    pub fn load(explicit_file: Option<&Path>) -> Result<Settings, ConfigError> {
        let file = match explicit_file {
            Some(path) if !path.is_file() => {
                return Err(ConfigError::MissingFile { path: path.into() });
            }
            Some(path) => path.to_path_buf(),
            None => PathBuf::from(DEFAULT_CONFIG_FILE),
        };
        Self::from_figment(
            Figment::from(Serialized::defaults(Settings::default()))
                .merge(Toml::file(file))
                .merge(Env::prefixed(ENV_PREFIX).split("__")),
        )
    }

    pub fn from_figment(figment: Figment) -> Result<Settings, ConfigError> {
        let mut settings: Settings = figment.extract()?;
        if let Ok(mode) = std::env::var(ENV_MODE_VAR) {
            settings.server.env = match mode.trim().to_ascii_lowercase().as_str() {
                "production" | "prod" => RunMode::Production,
                "development" | "dev" | "" => RunMode::Development,
                other => {
                    return Err(ConfigError::Invalid(format!(
                        "{ENV_MODE_VAR}={other:?}: expected `production` or `development`"
                    )));
                }
            };
        }
        settings.validate()?;
        Ok(settings)
    }

    /// How many tasks may wait before uploads get 503. By default as many as
    /// there are analysis workers: each photo then waits for at most about
    /// one other per worker, so an upload under load is done in two to three
    /// times its own analysis time, where a long queue would hold it for the
    /// whole backlog (bench/tasks-load.sh). Refused uploads are resent by
    /// the web app after Retry-After.
    pub fn queue_limit(&self) -> u64 {
        match self.tasks.max_queued {
            0 => self.analysis.worker_count() as u64,
            limit => limit,
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |message: String| Err(ConfigError::Invalid(message));
        if self.server.trusted_proxies == 0 {
            return invalid("server.trusted_proxies must be at least 1".into());
        }
        if self.database.max_connections == 0 {
            return invalid("database.max_connections must be at least 1".into());
        }
        if self.limits.json_body_bytes < 1024 {
            return invalid("limits.json_body_bytes must be at least 1024".into());
        }
        if self.limits.login_max_failures == 0 {
            return invalid("limits.login_max_failures must be at least 1".into());
        }
        if self.auth.token_ttl < Duration::from_secs(60) {
            return invalid("auth.token_ttl must be at least one minute".into());
        }
        if let Some(secret) = &self.auth.jwt_secret
            && secret.expose_secret().len() < secret::MIN_JWT_SECRET_LEN
        {
            return Err(ConfigError::JwtSecretTooShort {
                min: secret::MIN_JWT_SECRET_LEN,
            });
        }
        if !(0.05..1.0).contains(&self.analysis.min_face_score) {
            return invalid("analysis.min_face_score must be between 0.05 and 1".into());
        }
        if !(1..=6).contains(&self.analysis.tiles_per_side) {
            return invalid("analysis.tiles_per_side must be 1 to 6".into());
        }
        if self.analysis.max_bytes == 0 || self.analysis.max_pixels == 0 {
            return invalid("analysis.max_bytes and analysis.max_pixels must be positive".into());
        }
        if !(16..=4096).contains(&self.emojis.stored_side)
            || self.emojis.max_image_side == 0
            || self.emojis.max_image_bytes == 0
        {
            return invalid(
                "emojis.stored_side must be 16 to 4096 and the emojis limits positive".into(),
            );
        }
        if self.live.max_sessions == 0
            || !(1..=60).contains(&self.live.max_frames_per_second)
            || !(64..=4096).contains(&self.live.max_frame_side)
            || self.live.max_frame_bytes < 1024
            || self.live.max_bad_frames == 0
        {
            return invalid(
                "live: max_sessions and max_bad_frames must be positive, max_frames_per_second 1 to 60, \
                 max_frame_side 64 to 4096 and max_frame_bytes at least 1024"
                    .into(),
            );
        }
        if self.tasks.max_attempts == 0 {
            return invalid("tasks.max_attempts must be at least 1".into());
        }
        if self.tasks.lease < Duration::from_secs(1) || self.tasks.poll_interval.is_zero() {
            return invalid(
                "tasks.lease must be at least 1s and tasks.poll_interval positive".into(),
            );
        }
        if self.tasks.anonymous_uploads == 0 {
            return invalid("tasks.anonymous_uploads must be at least 1".into());
        }
        if let Err(error) = tracing_subscriber::EnvFilter::try_new(&self.log.level) {
            return invalid(format!("log.level {:?}: {error}", self.log.level));
        }
        Ok(())
    }

    pub fn is_production(&self) -> bool {
        self.server.env == RunMode::Production
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_toml(toml: &str) -> Result<Settings, ConfigError> {
        Settings::from_figment(
            Figment::from(Serialized::defaults(Settings::default())).merge(Toml::string(toml)),
        )
    }

    #[test]
    fn defaults_work_without_any_file() {
        let settings = load_toml("").unwrap();
        assert_eq!(settings.server.bind.port(), 8080);
        assert_eq!(settings.admin.bind.port(), 9464);
        assert!(settings.database.url.starts_with("sqlite://"));
    }

    #[test]
    fn the_queue_holds_one_task_per_analysis_worker_unless_set() {
        let settings = load_toml("[analysis]\nworkers = 3").unwrap();
        assert_eq!(settings.queue_limit(), 3);
        let settings = load_toml("[analysis]\nworkers = 3\n[tasks]\nmax_queued = 40").unwrap();
        assert_eq!(settings.queue_limit(), 40);
    }

    #[test]
    fn a_bad_value_names_its_key() {
        let error = load_toml("[server]\nbind = \"not an address\"").unwrap_err();
        assert!(error.to_string().contains("server.bind"), "{error}");
    }

    #[test]
    fn an_unknown_key_is_refused() {
        let error = load_toml("[server]\nbnid = \"127.0.0.1:1\"").unwrap_err();
        assert!(error.to_string().contains("bnid"), "{error}");
    }

    #[test]
    fn durations_read_as_human_text() {
        let settings = load_toml("[auth]\ntoken_ttl = \"2h\"").unwrap();
        assert_eq!(settings.auth.token_ttl, Duration::from_secs(7200));
    }

    #[test]
    fn a_short_jwt_secret_is_refused() {
        let error = load_toml("[auth]\njwt_secret = \"short\"").unwrap_err();
        assert!(matches!(error, ConfigError::JwtSecretTooShort { .. }));
    }

    #[test]
    fn the_secret_never_prints() {
        let settings =
            load_toml("[auth]\njwt_secret = \"0123456789abcdef0123456789abcdef\"").unwrap();
        assert!(!format!("{settings:?}").contains("0123456789abcdef"));
    }
}
