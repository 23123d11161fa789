//! The built-in templates, seeded on first start from the SVG art built into
//! the binary, or under `emojis.builtin_dir` (see `assets/emoji/README.md`).

use anyhow::Context;
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use super::EmojiError;
use super::images::render_svg;
use super::writes::store_images_then_insert;
use super::{EmojisState, entity};
use crate::analysis::Expression;
use crate::bundle::Files;

struct BuiltinSet {
    slug: &'static str,
    name: &'static str,
    description: &'static str,
    attribution: &'static str,
}

const BUILTIN_SETS: [BuiltinSet; 2] = [
    BuiltinSet {
        slug: "twemoji",
        name: "Twemoji",
        description: "Classic flat yellow faces from Twitter's Twemoji.",
        attribution: "Emoji graphics: Twemoji by Twitter, Inc and other contributors, \
                      licensed CC-BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
    },
    BuiltinSet {
        slug: "openmoji",
        name: "OpenMoji",
        description: "Outlined faces from OpenMoji, the open-source emoji project.",
        attribution: "OpenMoji – the open-source emoji and icon project. \
                      License: CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/)",
    },
];

/// Adds each built-in template that is not in the database yet. Safe to run
/// from several replicas at once: the unique slug lets one insert win, and
/// the loser removes its images again.
pub async fn seed_builtin_templates(state: &EmojisState, art: &Files) -> anyhow::Result<()> {
    let side = state.image_limits.stored_side;
    for set in &BUILTIN_SETS {
        let exists = entity::Entity::find()
            .filter(entity::Column::BuiltinSlug.eq(set.slug))
            .one(&state.db)
            .await?
            .is_some();
        if exists {
            continue;
        }
        let mut svgs = Vec::with_capacity(Expression::ALL.len());
        for expression in Expression::ALL {
            let file = format!("{}/{expression}.svg", set.slug);
            let source = art.describe(&file);
            let svg = art
                .read(&file)
                .with_context(|| format!("cannot read built-in emoji art {source}"))?
                .into_owned();
            svgs.push((expression, svg, source));
        }
        let images = tokio::task::spawn_blocking(move || {
            svgs.into_iter()
                .map(|(expression, svg, source)| {
                    render_svg(&svg, side)
                        .map(|png| (expression, png))
                        .map_err(|error| anyhow::anyhow!("{source}: {error}"))
                })
                .collect::<anyhow::Result<Vec<_>>>()
        })
        .await??;
        let prefix = format!("emojis/{}-{}", set.slug, uuid::Uuid::new_v4());
        let row = entity::ActiveModel {
            owner_id: Set(None),
            name: Set(set.name.into()),
            description: Set(set.description.into()),
            visibility: Set(super::Visibility::Public.as_str().into()),
            share_token: Set(None),
            builtin_slug: Set(Some(set.slug.into())),
            attribution: Set(Some(set.attribution.into())),
            image_prefix: Set(prefix.clone()),
            use_count: Set(0),
            last_used_at: Set(None),
            created_at: Set(Utc::now()),
            ..Default::default()
        };
        match store_images_then_insert(state, &prefix, images, row).await {
            Ok(_) => tracing::info!(template = set.name, "seeded a built-in template"),
            Err(EmojiError::Database(error))
                if matches!(
                    error.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) =>
            {
                tracing::info!(template = set.name, "another replica seeded it first");
            }
            Err(error) => {
                return Err(anyhow::anyhow!(crate::error::error_chain(&error)))
                    .with_context(|| format!("cannot seed the built-in template {}", set.name));
            }
        }
    }
    state.listings.invalidate();
    Ok(())
}
