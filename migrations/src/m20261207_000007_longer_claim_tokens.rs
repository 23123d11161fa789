use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A claim token is now the claiming server's id, a slash and a claim id
/// (73 characters), so that a restarted server can find its own claims.
/// SQLite does not enforce the length; PostgreSQL and MySQL/MariaDB do.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_claim_length(manager, 80).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Longer tokens would not fit: their tasks are claimable again.
        if manager.get_database_backend() != DatabaseBackend::Sqlite {
            manager
                .get_connection()
                .execute_unprepared("UPDATE face_tasks SET claimed_by = NULL")
                .await?;
        }
        set_claim_length(manager, 40).await
    }
}

async fn set_claim_length(manager: &SchemaManager<'_>, length: u32) -> Result<(), DbErr> {
    let statement = match manager.get_database_backend() {
        DatabaseBackend::Postgres => {
            format!("ALTER TABLE face_tasks ALTER COLUMN claimed_by TYPE VARCHAR({length})")
        }
        DatabaseBackend::MySql => {
            format!("ALTER TABLE `face_tasks` MODIFY `claimed_by` VARCHAR({length}) NULL")
        }
        _ => return Ok(()),
    };
    manager
        .get_connection()
        .execute_unprepared(&statement)
        .await?;
    Ok(())
}
