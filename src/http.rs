//! HTTP plumbing shared by every module: body and query limits that answer
//! in the API's error shape, JSON 404/405, and the client's address.

use std::future::{Ready, ready};
use std::net::IpAddr;

use actix_web::dev::{Payload, ServiceResponse};
use actix_web::error::{JsonPayloadError, QueryPayloadError};
use actix_web::http::header;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};

use crate::error::{ApiError, RequestError};

/// Extractor configs that turn malformed input into the API's JSON errors.
pub fn configure_extractors(cfg: &mut web::ServiceConfig, json_limit: usize) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(json_limit)
            .error_handler(move |error, _req| json_error(error, json_limit).into()),
    )
    .app_data(web::PayloadConfig::new(json_limit))
    .app_data(
        web::QueryConfig::default().error_handler(|error: QueryPayloadError, _req| {
            ApiError::from(RequestError::InvalidQuery(error.to_string())).into()
        }),
    )
    .app_data(
        web::PathConfig::default()
            .error_handler(|_error, _req| ApiError::from(RequestError::NotFound).into()),
    );
}

fn json_error(error: JsonPayloadError, limit: usize) -> ApiError {
    let request_error = match error {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            RequestError::BodyTooLarge { limit }
        }
        JsonPayloadError::ContentType => RequestError::WrongContentType,
        JsonPayloadError::Deserialize(error) if error.is_data() => {
            RequestError::InvalidBody(error.to_string())
        }
        JsonPayloadError::Deserialize(error) => RequestError::MalformedJson(error.to_string()),
        JsonPayloadError::Serialize(error) => {
            return ApiError::Internal(anyhow::Error::new(error));
        }
        other => RequestError::MalformedJson(other.to_string()),
    };
    request_error.into()
}

/// Answers a path no route matched.
pub async fn not_found() -> HttpResponse {
    ApiError::from(RequestError::NotFound).error_response()
}

/// Replaces actix's empty 405 with the API's JSON error.
pub fn json_method_not_allowed<B>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let (request, _) = response.into_parts();
    let mut json = ApiError::from(RequestError::MethodNotAllowed).error_response();
    let allowed = request
        .match_pattern()
        .and_then(|pattern| crate::openapi::allowed_methods(&pattern));
    if let Some(allow) = allowed.and_then(|methods| methods.parse().ok()) {
        json.headers_mut()
            .insert(actix_web::http::header::ALLOW, allow);
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, json).map_into_right_body::<B>(),
    ))
}

/// Whether to believe `X-Forwarded-For`: only behind proxies that set it, or
/// clients could pick their own address.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddressPolicy {
    pub trust_forwarded_for: bool,
    /// How many proxies in front of us append to `X-Forwarded-For`.
    pub trusted_proxies: usize,
}

/// The client's IP address, used to key rate limits.
#[derive(Debug, Clone)]
pub struct ClientAddress(String);

impl ClientAddress {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn of(req: &HttpRequest) -> ClientAddress {
        let forwarded = req
            .app_data::<ClientAddressPolicy>()
            .filter(|policy| policy.trust_forwarded_for)
            .and_then(|policy| {
                let header = req.headers().get(header::X_FORWARDED_FOR)?.to_str().ok()?;
                forwarded_client(header, policy.trusted_proxies)
            });
        let address = forwarded.map(|ip| ip.to_string()).unwrap_or_else(|| {
            req.peer_addr()
                .map(|peer| peer.ip().to_string())
                .unwrap_or_else(|| "unknown".into())
        });
        ClientAddress(address)
    }
}

/// The address the outermost trusted proxy saw. Proxies append the address
/// they received from, so everything left of that entry is the client's own
/// say and can be forged; with fewer entries than proxies the leftmost is the
/// farthest any proxy saw.
fn forwarded_client(header: &str, trusted_proxies: usize) -> Option<IpAddr> {
    let entries: Vec<&str> = header.split(',').map(str::trim).collect();
    let index = entries.len().saturating_sub(trusted_proxies.max(1));
    entries[index].parse().ok()
}

impl FromRequest for ClientAddress {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(ClientAddress::of(req)))
    }
}

#[cfg(test)]
mod tests {
    use super::forwarded_client;

    #[test]
    fn one_proxy_means_the_rightmost_entry() {
        assert_eq!(
            forwarded_client("1.2.3.4, 203.0.113.7", 1),
            Some("203.0.113.7".parse().unwrap())
        );
        assert_eq!(
            forwarded_client("203.0.113.7", 1),
            Some("203.0.113.7".parse().unwrap())
        );
    }

    #[test]
    fn two_proxies_mean_the_second_entry_from_the_right() {
        assert_eq!(
            forwarded_client("1.2.3.4, 203.0.113.7, 10.0.0.2", 2),
            Some("203.0.113.7".parse().unwrap())
        );
        assert_eq!(
            forwarded_client("203.0.113.7", 2),
            Some("203.0.113.7".parse().unwrap())
        );
    }

    #[test]
    fn a_garbled_entry_is_no_address() {
        assert_eq!(forwarded_client("1.2.3.4, not-an-ip", 1), None);
        assert_eq!(forwarded_client("", 1), None);
        assert_eq!(
            forwarded_client("2001:db8::1", 1),
            Some("2001:db8::1".parse().unwrap())
        );
    }
}
