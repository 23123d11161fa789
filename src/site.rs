//! What a client needs to know about this server before it sends anything:
//! the upload limits and accepted image types, from the same settings the
//! server enforces, so the web app's checks cannot drift from them.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::analysis::ACCEPTED_MEDIA_TYPES;
use crate::config::Settings;

#[derive(OpenApi)]
#[openapi(paths(site_config))]
pub struct SiteApi;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SiteConfig {
    /// A photo to put emojis on (`POST /api/v1/faces/`).
    pub photo: PhotoUploads,
    /// Each image of a template (`POST /api/v1/emojis/`).
    pub template_image: TemplateImageUploads,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhotoUploads {
    /// Media types the server decodes.
    pub media_types: Vec<&'static str>,
    pub max_bytes: usize,
    /// The most pixels (width × height) a photo may have.
    pub max_pixels: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TemplateImageUploads {
    /// Media types the server decodes.
    pub media_types: Vec<&'static str>,
    pub max_bytes: usize,
    /// The most pixels either side may have.
    pub max_side: u32,
}

impl SiteConfig {
    pub fn from_settings(settings: &Settings) -> SiteConfig {
        let photo = settings.analysis.limits();
        SiteConfig {
            photo: PhotoUploads {
                media_types: ACCEPTED_MEDIA_TYPES.to_vec(),
                max_bytes: photo.max_bytes,
                max_pixels: photo.max_pixels,
            },
            template_image: TemplateImageUploads {
                media_types: ACCEPTED_MEDIA_TYPES.to_vec(),
                max_bytes: settings.emojis.max_image_bytes,
                max_side: settings.emojis.max_image_side,
            },
        }
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/config").route(web::get().to(site_config)));
}

/// Upload limits and accepted image types.
#[utoipa::path(get, path = "/api/v1/config", tag = "operations",
    responses((status = 200, description = "This server's limits", body = SiteConfig)))]
async fn site_config(config: web::Data<SiteConfig>) -> HttpResponse {
    HttpResponse::Ok().json(config.get_ref())
}
