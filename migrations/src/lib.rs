//! Database schema, as ordered migrations that run on SQLite, PostgreSQL and
//! MySQL/MariaDB alike. One change per statement: SQLite cannot combine ALTERs.

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_create_users;
mod m20261128_000002_create_throttle_events;
mod m20261128_000003_create_emojis;
mod m20261128_000004_create_face_tasks;
mod m20261128_000005_create_emoji_uses;
mod m20261201_000006_mysql_microsecond_timestamps;
mod m20261207_000007_longer_claim_tokens;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_create_users::Migration),
            Box::new(m20261128_000002_create_throttle_events::Migration),
            Box::new(m20261128_000003_create_emojis::Migration),
            Box::new(m20261128_000004_create_face_tasks::Migration),
            Box::new(m20261128_000005_create_emoji_uses::Migration),
            Box::new(m20261201_000006_mysql_microsecond_timestamps::Migration),
            Box::new(m20261207_000007_longer_claim_tokens::Migration),
        ]
    }
}
