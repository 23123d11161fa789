use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ThrottleEvents {
    Table,
    Id,
    Bucket,
    OccurredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ThrottleEvents::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(ThrottleEvents::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(ThrottleEvents::Bucket)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ThrottleEvents::OccurredAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("throttle_events_bucket_time")
                    .table(ThrottleEvents::Table)
                    .col(ThrottleEvents::Bucket)
                    .col(ThrottleEvents::OccurredAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("throttle_events_time")
                    .table(ThrottleEvents::Table)
                    .col(ThrottleEvents::OccurredAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ThrottleEvents::Table).to_owned())
            .await
    }
}
