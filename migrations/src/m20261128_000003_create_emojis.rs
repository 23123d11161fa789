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
    OwnerId,
    Name,
    Description,
    Visibility,
    ShareToken,
    BuiltinSlug,
    Attribution,
    ImagePrefix,
    UseCount,
    LastUsedAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Emojis::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Emojis::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Emojis::OwnerId).big_integer().null())
                    .col(ColumnDef::new(Emojis::Name).string_len(60).not_null())
                    .col(
                        ColumnDef::new(Emojis::Description)
                            .string_len(500)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Emojis::Visibility).string_len(10).not_null())
                    .col(ColumnDef::new(Emojis::ShareToken).string_len(64).null())
                    .col(ColumnDef::new(Emojis::BuiltinSlug).string_len(40).null())
                    .col(ColumnDef::new(Emojis::Attribution).string_len(300).null())
                    .col(
                        ColumnDef::new(Emojis::ImagePrefix)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Emojis::UseCount)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Emojis::LastUsedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Emojis::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("emojis_owner")
                            .from(Emojis::Table, Emojis::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Seeding built-ins is idempotent across replicas through this index.
        manager
            .create_index(
                Index::create()
                    .name("emojis_builtin_slug")
                    .table(Emojis::Table)
                    .col(Emojis::BuiltinSlug)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The gallery: public templates, most used first, then newest.
        manager
            .create_index(
                Index::create()
                    .name("emojis_gallery")
                    .table(Emojis::Table)
                    .col(Emojis::Visibility)
                    .col(Emojis::UseCount)
                    .col(Emojis::CreatedAt)
                    .col(Emojis::Id)
                    .to_owned(),
            )
            .await?;
        // The all-time ranking: most used, ties to the most recent use.
        manager
            .create_index(
                Index::create()
                    .name("emojis_ranking")
                    .table(Emojis::Table)
                    .col(Emojis::Visibility)
                    .col(Emojis::UseCount)
                    .col(Emojis::LastUsedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("emojis_owner_time")
                    .table(Emojis::Table)
                    .col(Emojis::OwnerId)
                    .col(Emojis::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Emojis::Table).to_owned())
            .await
    }
}
