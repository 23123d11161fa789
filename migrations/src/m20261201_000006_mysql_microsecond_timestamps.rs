use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every timestamp column: (table, column, nullable).
const TIMESTAMPS: [(&str, &str, bool); 9] = [
    ("users", "created_at", false),
    ("throttle_events", "occurred_at", false),
    ("emojis", "last_used_at", true),
    ("emojis", "created_at", false),
    ("face_tasks", "lease_until", true),
    ("face_tasks", "created_at", false),
    ("face_tasks", "started_at", true),
    ("face_tasks", "finished_at", true),
    ("emoji_uses", "used_at", false),
];

/// MySQL and MariaDB keep a plain TIMESTAMP to the second, where SQLite and
/// PostgreSQL keep microseconds: two uses in one second then tied in the
/// ranking, whose ties go to the latest use, and tasks of one second lost
/// their order. Microseconds everywhere make the three databases agree.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_precision(manager, 6).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_precision(manager, 0).await
    }
}

async fn set_precision(manager: &SchemaManager<'_>, digits: u8) -> Result<(), DbErr> {
    if manager.get_database_backend() != DatabaseBackend::MySql {
        return Ok(());
    }
    let connection = manager.get_connection();
    for (table, column, nullable) in TIMESTAMPS {
        let null = if nullable {
            "NULL DEFAULT NULL"
        } else {
            "NOT NULL"
        };
        connection
            .execute_unprepared(&format!(
                "ALTER TABLE `{table}` MODIFY `{column}` TIMESTAMP({digits}) {null}"
            ))
            .await?;
    }
    Ok(())
}
