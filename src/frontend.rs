//! Serves the built web app, from the copy built into the binary or from
//! `server.static_dir`: hashed assets are cached for good, and any other
//! path that is not a file falls back to `index.html` so the app's deep
//! links survive a reload.

use actix_files::NamedFile;
use actix_web::http::Method;
use actix_web::http::header::{self, CacheControl, CacheDirective, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::bundle::{self, BundledFile, Files};
use crate::http::not_found;

/// The web app's files, as `app_data`.
#[derive(Debug, Clone)]
pub struct WebApp(pub Files);

pub fn configure(cfg: &mut web::ServiceConfig) {
    // Unknown API and media paths stay JSON 404s, never the app's page.
    cfg.service(web::scope("/api").default_service(web::to(not_found)))
        .service(web::scope("/media").default_service(web::to(not_found)))
        .default_service(web::to(serve));
}

async fn serve(req: HttpRequest, app: web::Data<WebApp>) -> HttpResponse {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return not_found().await;
    }
    let requested = req.path().trim_start_matches('/');
    let immutable = requested.starts_with("assets/");
    // Assets and the API viewer's files are files, not app routes: a missing
    // one is a real 404.
    let falls_back = !(immutable || requested.starts_with("docs/"));
    let response = match &app.0 {
        Files::Bundled(files) => serve_bundled(&req, files, requested, immutable, falls_back),
        Files::Folder(folder) => serve_folder(&req, folder, requested, immutable, falls_back).await,
    };
    match response {
        Some(response) => response,
        None => not_found().await,
    }
}

fn serve_bundled(
    req: &HttpRequest,
    files: &'static [BundledFile],
    requested: &str,
    immutable: bool,
    falls_back: bool,
) -> Option<HttpResponse> {
    // A folder with its own page (the API viewer at /docs) serves that page.
    let folder_page = format!("{}/index.html", requested.trim_end_matches('/'));
    let (file, cache) = match bundle::find(files, requested)
        .or_else(|| bundle::find(files, folder_page.trim_start_matches('/')))
    {
        Some(file) => (file, cache_control(immutable)),
        None if falls_back => (bundle::find(files, "index.html")?, cache_control(false)),
        None => return None,
    };
    let etag = format!("\"{}\"", file.etag);
    let not_modified = if_none_match(req, &etag);
    let mut response = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header(cache)
        .insert_header((header::CONTENT_TYPE, content_type(file.path)));
    if file.gzipped {
        response.insert_header((header::VARY, "Accept-Encoding"));
    }
    if not_modified {
        return Some(response.finish());
    }
    if file.gzipped && accepts_gzip(req) {
        // Already compressed: the Compress middleware leaves it as it is.
        response.insert_header((header::CONTENT_ENCODING, "gzip"));
        return Some(response.body(file.bytes));
    }
    match file.content() {
        Ok(content) => Some(response.body(content)),
        Err(error) => {
            tracing::error!(path = file.path, %error, "a bundled file does not decompress");
            Some(HttpResponse::InternalServerError().finish())
        }
    }
}

async fn serve_folder(
    req: &HttpRequest,
    folder: &std::path::Path,
    requested: &str,
    immutable: bool,
    falls_back: bool,
) -> Option<HttpResponse> {
    let file = bundle::safe_join(folder, requested)
        .map(|path| {
            if path.is_dir() {
                path.join("index.html")
            } else {
                path
            }
        })
        .filter(|path| path.is_file());
    if let Some(file) = file
        && let Ok(file) = NamedFile::open_async(&file).await
    {
        return Some(respond_with(file, req, cache_control(immutable)));
    }
    if !falls_back {
        return None;
    }
    let index = NamedFile::open_async(folder.join("index.html"))
        .await
        .ok()?;
    Some(respond_with(index, req, cache_control(false)))
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

fn content_type(path: &str) -> HeaderValue {
    let extension = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let mime = actix_files::file_extension_to_mime(extension);
    let textual = mime.type_() == "text" || mime.subtype() == "javascript";
    let value = if textual && mime.get_param("charset").is_none() {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    };
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("application/octet-stream"))
}

fn if_none_match(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|candidate| candidate.trim().trim_start_matches("W/"))
        .any(|candidate| candidate == etag || candidate == "*")
}

/// Whether `Accept-Encoding` allows gzip (present, and not `q=0`).
fn accepts_gzip(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|entry| {
            let mut parts = entry.split(';').map(str::trim);
            let coding = parts.next().unwrap_or("");
            let refused = parts.any(|param| {
                param
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn gzip_is_accepted_unless_refused() {
        let with = |value: &str| {
            accepts_gzip(
                &TestRequest::default()
                    .insert_header((header::ACCEPT_ENCODING, value))
                    .to_http_request(),
            )
        };
        assert!(with("gzip, deflate, br"));
        assert!(with("br;q=1.0, GZIP;q=0.5"));
        assert!(with("*"));
        assert!(!with("gzip;q=0"));
        assert!(!with("br, zstd"));
        assert!(!accepts_gzip(&TestRequest::default().to_http_request()));
    }

    #[test]
    fn text_files_say_their_charset() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert!(
            content_type("assets/a.js")
                .to_str()
                .unwrap()
                .contains("javascript")
        );
        assert_eq!(content_type("favicon.png"), "image/png");
    }
}
