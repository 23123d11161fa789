//! Serves the built web app from `server.static_dir`: hashed assets are
//! cached for good, and any other path that is not a file falls back to
//! `index.html` so the app's deep links survive a reload.

use std::path::{Component, Path, PathBuf};

use actix_files::NamedFile;
use actix_web::http::Method;
use actix_web::http::header::{self, CacheControl, CacheDirective};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::http::not_found;

/// The directory holding `index.html` and `assets/`.
#[derive(Debug, Clone)]
pub struct StaticDir(pub PathBuf);

pub fn configure(cfg: &mut web::ServiceConfig) {
    // Unknown API and media paths stay JSON 404s, never the app's page.
    cfg.service(web::scope("/api").default_service(web::to(not_found)))
        .service(web::scope("/media").default_service(web::to(not_found)))
        .default_service(web::to(serve));
}

async fn serve(req: HttpRequest, dir: web::Data<StaticDir>) -> HttpResponse {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return not_found().await;
    }
    let requested = req.path().trim_start_matches('/');
    // A folder with its own page (the API viewer at /docs) serves that page.
    let file = safe_join(&dir.0, requested)
        .map(|path| {
            if path.is_dir() {
                path.join("index.html")
            } else {
                path
            }
        })
        .filter(|path| path.is_file());
    if let Some(file) = file {
        let immutable = requested.starts_with("assets/");
        if let Ok(file) = NamedFile::open_async(&file).await {
            return respond_with(file, &req, cache_control(immutable));
        }
    }
    // Assets and the API viewer's files are files, not app routes: a missing
    // one is a real 404.
    if requested.starts_with("assets/") || requested.starts_with("docs/") {
        return not_found().await;
    }
    match NamedFile::open_async(dir.0.join("index.html")).await {
        Ok(index) => respond_with(index, &req, cache_control(false)),
        Err(_) => not_found().await,
    }
}

fn respond_with(file: NamedFile, req: &HttpRequest, cache: CacheControl) -> HttpResponse {
    let mut response = file.use_etag(true).into_response(req);
    if let Ok(value) = cache.to_string().parse() {
        response.headers_mut().insert(header::CACHE_CONTROL, value);
    }
    response
}

fn cache_control(immutable: bool) -> CacheControl {
    if immutable {
        CacheControl(vec![
            CacheDirective::Public,
            CacheDirective::MaxAge(31_536_000),
            CacheDirective::Extension("immutable".into(), None),
        ])
    } else {
        CacheControl(vec![CacheDirective::NoCache])
    }
}

/// `root/relative`, or `None` if `relative` tries to leave `root`.
fn safe_join(root: &Path, relative: &str) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    for component in Path::new(relative).components() {
        match component {
            Component::Normal(part) => path.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_leave_the_static_root() {
        let root = Path::new("/srv/static");
        assert_eq!(
            safe_join(root, "assets/a.js"),
            Some(root.join("assets/a.js"))
        );
        assert_eq!(safe_join(root, "../etc/passwd"), None);
        assert_eq!(safe_join(root, "assets/../../x"), None);
        assert_eq!(safe_join(root, "/etc/passwd"), None);
    }
}
