use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Emojis {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum FaceTasks {
    Table,
    Id,
    UserId,
    EmojiId,
    Status,
    OriginalKey,
    ResultKey,
    ThumbnailKey,
    ImageWidth,
    ImageHeight,
    Faces,
    ErrorCode,
    ErrorMessage,
    Attempts,
    ClaimedBy,
    LeaseUntil,
    CreatedAt,
    StartedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FaceTasks::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(FaceTasks::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(FaceTasks::UserId).big_integer().null())
                    .col(ColumnDef::new(FaceTasks::EmojiId).big_integer().null())
                    .col(ColumnDef::new(FaceTasks::Status).string_len(10).not_null())
                    .col(
                        ColumnDef::new(FaceTasks::OriginalKey)
                            .string_len(200)
                            .null(),
                    )
                    .col(ColumnDef::new(FaceTasks::ResultKey).string_len(200).null())
                    .col(
                        ColumnDef::new(FaceTasks::ThumbnailKey)
                            .string_len(200)
                            .null(),
                    )
                    .col(ColumnDef::new(FaceTasks::ImageWidth).integer().null())
                    .col(ColumnDef::new(FaceTasks::ImageHeight).integer().null())
                    .col(ColumnDef::new(FaceTasks::Faces).text().null())
                    .col(ColumnDef::new(FaceTasks::ErrorCode).string_len(40).null())
                    .col(
                        ColumnDef::new(FaceTasks::ErrorMessage)
                            .string_len(300)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(FaceTasks::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(FaceTasks::ClaimedBy).string_len(40).null())
                    .col(
                        ColumnDef::new(FaceTasks::LeaseUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(FaceTasks::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(FaceTasks::StartedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(FaceTasks::FinishedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("face_tasks_user")
                            .from(FaceTasks::Table, FaceTasks::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("face_tasks_emoji")
                            .from(FaceTasks::Table, FaceTasks::EmojiId)
                            .to(Emojis::Table, Emojis::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // Claiming: the oldest queued task, or a running one whose lease ran out.
        manager
            .create_index(
                Index::create()
                    .name("face_tasks_claim")
                    .table(FaceTasks::Table)
                    .col(FaceTasks::Status)
                    .col(FaceTasks::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("face_tasks_user_time")
                    .table(FaceTasks::Table)
                    .col(FaceTasks::UserId)
                    .col(FaceTasks::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FaceTasks::Table).to_owned())
            .await
    }
}
