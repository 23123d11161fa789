//! Liveness and readiness probes for load balancers and orchestrators.

use actix_web::{HttpResponse, web};
use sea_orm::DatabaseConnection;
use serde_json::json;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(liveness))
        .route("/readyz", web::get().to(readiness));
}

async fn liveness() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// Ready only while the database answers, so traffic drains from a replica
/// that lost it.
async fn readiness(db: web::Data<DatabaseConnection>) -> HttpResponse {
    match db.ping().await {
        Ok(()) => HttpResponse::Ok().json(json!({ "status": "ready" })),
        Err(error) => {
            tracing::warn!(error = %error, "readiness check failed: database does not answer");
            HttpResponse::ServiceUnavailable().json(json!({
                "error": { "code": "database_unavailable", "message": "the database does not answer" }
            }))
        }
    }
}
