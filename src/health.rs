//! Liveness and readiness probes for load balancers and orchestrators.

use actix_web::{HttpResponse, web};
use sea_orm::DatabaseConnection;
use serde::Serialize;
use serde_json::json;
use utoipa::{OpenApi, ToSchema};

use crate::error::ErrorBody;

/// The probes' part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(liveness, readiness))]
pub struct HealthApi;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/healthz").route(web::get().to(liveness)))
        .service(web::resource("/readyz").route(web::get().to(readiness)));
}

#[derive(Serialize, ToSchema)]
struct ProbeStatus {
    status: &'static str,
}

/// Answers while the process serves.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Serving", body = ProbeStatus)))]
async fn liveness() -> HttpResponse {
    HttpResponse::Ok().json(ProbeStatus { status: "ok" })
}

/// Ready only while the database answers, so traffic drains from a replica
/// that lost it.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "The database answers", body = ProbeStatus),
        (status = 503, description = "The database does not answer", body = ErrorBody),
    ))]
async fn readiness(db: web::Data<DatabaseConnection>) -> HttpResponse {
    match db.ping().await {
        Ok(()) => HttpResponse::Ok().json(ProbeStatus { status: "ready" }),
        Err(error) => {
            tracing::warn!(error = %error, "readiness check failed: database does not answer");
            HttpResponse::ServiceUnavailable().json(json!({
                "error": { "code": "database_unavailable", "message": "the database does not answer" }
            }))
        }
    }
}
