use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Emojis {
    Table,
    Id,
}

/// One row per finished task, for rankings over a time window. The running
/// total lives in `emojis.use_count`.
#[derive(DeriveIden)]
enum EmojiUses {
    Table,
    Id,
    EmojiId,
    UsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EmojiUses::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(EmojiUses::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(EmojiUses::EmojiId).big_integer().not_null())
                    .col(
                        ColumnDef::new(EmojiUses::UsedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("emoji_uses_emoji")
                            .from(EmojiUses::Table, EmojiUses::EmojiId)
                            .to(Emojis::Table, Emojis::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("emoji_uses_time")
                    .table(EmojiUses::Table)
                    .col(EmojiUses::UsedAt)
                    .col(EmojiUses::EmojiId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EmojiUses::Table).to_owned())
            .await
    }
}
