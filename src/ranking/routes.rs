//! `GET /api/v1/emojis/top3`: the ranking of public templates by use.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::service;
use crate::emojis::{self, EmojiView, EmojisState};
use crate::error::{ApiError, ErrorBody, FieldErrors};

#[derive(OpenApi)]
#[openapi(paths(top3))]
pub struct RankingApi;

/// Register before the templates' routes: `/api/v1/emojis/{id}` would take
/// `top3` for an id.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/emojis/top3").route(web::get().to(top3)));
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct Top3Query {
    /// Count only uses in this many last days; all time without it.
    #[param(minimum = 1, maximum = 3650)]
    days: Option<i64>,
}

#[derive(Serialize, ToSchema)]
struct Top3Body {
    items: Vec<EmojiView>,
    days: Option<i64>,
}

/// The three most used public templates; ties go to the latest use.
#[utoipa::path(get, path = "/api/v1/emojis/top3", tag = "emojis", params(Top3Query),
    responses(
        (status = 200, description = "Up to three templates with their use counts", body = Top3Body),
        (status = 422, description = "A bad number of days", body = ErrorBody),
    ))]
async fn top3(
    state: web::Data<EmojisState>,
    query: web::Query<Top3Query>,
) -> Result<HttpResponse, ApiError> {
    let days = query.days;
    if days.is_some_and(|days| !(1..=3650).contains(&days)) {
        let mut errors = FieldErrors::default();
        errors.add("days", "must be between 1 and 3650");
        return Err(errors.into());
    }
    let cache_key = format!("top3:{days:?}");
    state
        .listings
        .json(cache_key, || async {
            let since = days.map(|days| Utc::now() - Duration::from_secs(days as u64 * 86_400));
            let emojis = service::top3(&state.db, since).await?;
            Ok(Top3Body {
                items: emojis::views(&state.db, &state.store, emojis, None).await?,
                days,
            })
        })
        .await
}
