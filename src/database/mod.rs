//! Connecting to the configured database and bringing its schema up to date.

use std::str::FromStr;
use std::time::Duration;

use igemoji_migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr};

use crate::config::DatabaseSettings;

/// How long a SQLite writer waits for another writer before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error("database.url {url:?} is not a sqlite://, postgres:// or mysql:// URL")]
    UnsupportedUrl { url: String },
    #[error("cannot create the directory for the SQLite file {path}: {source}")]
    CreateDirectory {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] DbErr),
    #[error("cannot apply database migrations: {0}")]
    Migrate(#[source] DbErr),
}

#[tracing::instrument(skip_all)]
pub async fn connect(settings: &DatabaseSettings) -> Result<DatabaseConnection, DatabaseError> {
    let url = settings.url.as_str();
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(settings.max_connections)
        .min_connections(1)
        .acquire_timeout(settings.acquire_timeout)
        .connect_timeout(settings.acquire_timeout)
        .sqlx_logging(false);

    match backend_of(url)? {
        DbBackend::Sqlite => {
            create_sqlite_directory(url)?;
            // WAL lets readers run beside the single writer; the busy timeout
            // makes concurrent writers queue instead of failing with
            // "database is locked".
            options.map_sqlx_sqlite_opts(|sqlite| {
                sqlite
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
                    .foreign_keys(true)
            });
        }
        DbBackend::Postgres | DbBackend::MySql => {}
        _ => {
            return Err(DatabaseError::UnsupportedUrl { url: url.into() });
        }
    }
    Database::connect(options)
        .await
        .map_err(DatabaseError::Connect)
}

#[tracing::instrument(skip_all)]
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DatabaseError> {
    Migrator::up(db, None).await.map_err(DatabaseError::Migrate)
}

fn backend_of(url: &str) -> Result<DbBackend, DatabaseError> {
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        "sqlite" => Ok(DbBackend::Sqlite),
        "postgres" | "postgresql" => Ok(DbBackend::Postgres),
        "mysql" => Ok(DbBackend::MySql),
        _ => Err(DatabaseError::UnsupportedUrl { url: url.into() }),
    }
}

fn create_sqlite_directory(url: &str) -> Result<(), DatabaseError> {
    let Ok(options) = SqliteConnectOptions::from_str(url) else {
        return Err(DatabaseError::UnsupportedUrl { url: url.into() });
    };
    let Some(parent) = options
        .get_filename()
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    else {
        return Ok(());
    };
    std::fs::create_dir_all(parent).map_err(|source| DatabaseError::CreateDirectory {
        path: parent.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_are_chosen_by_url_scheme() {
        assert_eq!(backend_of("sqlite://x.db").unwrap(), DbBackend::Sqlite);
        assert_eq!(backend_of("postgres://h/db").unwrap(), DbBackend::Postgres);
        assert_eq!(backend_of("mysql://h/db").unwrap(), DbBackend::MySql);
        assert!(backend_of("redis://h").is_err());
    }
}
