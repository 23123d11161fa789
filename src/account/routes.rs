//! `/api/v1/users/me` and `/api/v1/users/mypage`: what spans a whole
//! account, across users, templates and tasks.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

use super::service;
use crate::emojis::EmojisState;
use crate::error::{ApiError, ErrorBody, FieldErrors};
use crate::faces::FacesState;
use crate::pagination::{Page, PageBody};
use crate::users::{CurrentUser, UsersState};

#[derive(OpenApi)]
#[openapi(paths(delete_me, my_page))]
pub struct AccountApi;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/users/me").route(web::delete().to(delete_me)))
        .service(web::resource("/api/v1/users/mypage").route(web::get().to(my_page)));
}

/// Deletes the account with everything it made: templates, tasks, files.
#[utoipa::path(delete, path = "/api/v1/users/me", tag = "users", security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "A missing, expired or forged token", body = ErrorBody),
    ))]
async fn delete_me(
    users: web::Data<UsersState>,
    emojis: web::Data<EmojisState>,
    faces: web::Data<FacesState>,
    user: CurrentUser,
) -> Result<HttpResponse, ApiError> {
    service::delete_account(&users, &emojis, &faces, user.id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct MyPageQuery {
    /// `used` or `created`; the original design's `1` and `2` too.
    #[param(required = true, value_type = String, pattern = "^(used|created|1|2)$")]
    case: Option<String>,
    #[param(minimum = 1, maximum = 100000)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    size: Option<i64>,
}

const MY_PAGE_SIZE: u64 = 20;

/// My history: the results I made (`used`) or the templates I made (`created`).
#[utoipa::path(get, path = "/api/v1/users/mypage", tag = "users", params(MyPageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of my tasks (`used`) or my templates (`created`)",
            body = inline(PageBody<serde_json::Value>)),
        (status = 401, description = "A missing, expired or forged token", body = ErrorBody),
        (status = 422, description = "A bad case, page or size", body = ErrorBody),
    ))]
async fn my_page(
    emojis: web::Data<EmojisState>,
    faces: web::Data<FacesState>,
    user: CurrentUser,
    query: web::Query<MyPageQuery>,
) -> Result<HttpResponse, ApiError> {
    let MyPageQuery { case, page, size } = query.into_inner();
    let page = Page::parse(page, size, MY_PAGE_SIZE)?;
    match case.as_deref().map(str::trim) {
        Some("used" | "1") => {
            let (items, total) =
                crate::faces::used_by(&faces.db, &faces.store, user.id, &page).await?;
            Ok(HttpResponse::Ok().json(PageBody {
                items,
                page: page.number,
                size: page.size,
                total,
            }))
        }
        Some("created" | "2") => {
            let (owned, total) = crate::emojis::owned_by(&emojis.db, user.id, &page).await?;
            let items =
                crate::emojis::views(&emojis.db, &emojis.store, owned, Some(user.id)).await?;
            Ok(HttpResponse::Ok().json(PageBody {
                items,
                page: page.number,
                size: page.size,
                total,
            }))
        }
        _ => Err(FieldErrors::one("case", "must be `used` or `created`").into()),
    }
}
