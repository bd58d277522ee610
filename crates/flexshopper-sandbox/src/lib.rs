//! A stateful, deterministic FlexShopper API simulator.
//!
//! Every operation of `spec/flexshopper.yaml` is served with real state: request bodies
//! are parsed into the generated `flexshopper_api::types` and responses are built from
//! them, so the simulator and the client cannot drift from the spec. See the README for
//! the scenario table, the admin API (`/__sandbox/`) and fault injection.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use flexshopper_sandbox::{Sandbox, SandboxConfig};
//! let sandbox = Sandbox::start(SandboxConfig::new()).await?;
//! println!("FlexShopper sandbox at {}", sandbox.base_url());
//! # Ok(()) }
//! ```

mod admin;
pub mod admin_client;
mod api;
pub mod app;
pub mod cli;
mod config;
pub mod contract;
mod docs;
pub mod error;
pub mod faults;
pub mod flexsdk;
mod gate;
mod html;
pub mod journal;
pub mod ops;
pub mod persist;
mod retained;
pub mod scenarios;
mod server;
pub mod store;

use std::any::Any;

use axum::Router;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

pub use admin_client::{AdminClient, AdminError, FaultRule};
pub use config::{AdminAccess, Limits, SandboxConfig, ServerLimits};
pub use server::Sandbox;

use app::AppState;
use error::ApiError;

/// The stable, non-secret id of the merchant an API key belongs to (hex of a SHA-256).
pub fn merchant_id(api_key: &str) -> String {
    // Every request computes it and a connection usually keeps one key: each thread
    // remembers its last key, which spares the hash (2% of a request's instructions).
    thread_local! {
        static LAST: std::cell::RefCell<(String, String)> = const {
            std::cell::RefCell::new((String::new(), String::new()))
        };
    }
    LAST.with_borrow_mut(|(key, id)| {
        if key.as_str() != api_key || id.is_empty() {
            *id = hash_merchant_id(api_key);
            api_key.clone_into(key);
        }
        id.clone()
    })
}

fn hash_merchant_id(api_key: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"flexshopper-sandbox:");
    hasher.update(api_key.as_bytes());
    let digest = hasher.finalize();
    const HEX: &[u8; 16] = b"0123456789abcdef";
    digest[..8]
        .iter()
        .flat_map(|b| {
            [
                HEX[usize::from(b >> 4)] as char,
                HEX[usize::from(b & 15)] as char,
            ]
        })
        .collect()
}

/// The whole sandbox as a router: `/v3/...` (the API), `/__sandbox/...` (admin), and
/// `/docs` + `/openapi.yaml` (the API reference and the spec).
///
/// With [`SandboxConfig::data`] the state is loaded from and saved to that file; use
/// [`try_router`] to see why a file cannot be used (here it falls back to nothing: the
/// error is logged and every request answers 503).
pub fn router(config: SandboxConfig) -> Router {
    match try_router(config) {
        Ok(router) => router,
        Err(e) => {
            tracing::error!(error = %e, "the sandbox's data file cannot be used");
            let message = e.to_string();
            Router::new().fallback(move || {
                let message = message.clone();
                async move { ApiError::plain(StatusCode::SERVICE_UNAVAILABLE, message) }
            })
        }
    }
}

/// The router of [`router`], or why the configured data file cannot be used.
pub fn try_router(config: SandboxConfig) -> Result<Router, persist::OpenError> {
    Ok(router_for(AppState::open(config)?))
}

pub(crate) fn router_for(state: AppState) -> Router {
    // A route layer: it runs after routing, so it knows the matched route (the operation).
    let v3 = api::routes().route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        gate::layer,
    ));
    Router::new()
        .merge(v3)
        .merge(admin::routes(state.clone()))
        .merge(docs::routes())
        .merge(flexsdk::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            persist::durable_responses,
        ))
        .with_state(state)
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceLayer::new_for_http())
}

async fn not_found() -> ApiError {
    ApiError::not_found_route()
}

/// 405 with `Allow` listing the methods the spec documents for the path (the sandbox
/// also serves a few undocumented variants real clients send; it does not advertise them).
async fn method_not_allowed(uri: Uri) -> Response {
    let allow = contract::contract()
        .allowed_methods(uri.path())
        .unwrap_or_default()
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let mut resp =
        ApiError::plain(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed").into_response();
    if let Ok(value) = HeaderValue::from_str(&allow) {
        resp.headers_mut().insert(header::ALLOW, value);
    }
    resp
}

/// Last resort: a handler bug must still answer in FlexShopper's envelope.
fn panic_response(_: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    ApiError::plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        "An unexpected error occurred",
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::{hash_merchant_id, merchant_id};

    #[test]
    fn a_remembered_merchant_id_is_never_another_keys() {
        let (a, b) = (hash_merchant_id("key-a"), hash_merchant_id("key-b"));
        assert_ne!(a, b);
        for _ in 0..2 {
            assert_eq!(merchant_id("key-a"), a);
            assert_eq!(merchant_id("key-a"), a);
            assert_eq!(merchant_id("key-b"), b);
        }
        assert_eq!(merchant_id(""), hash_merchant_id(""));
        assert_eq!(merchant_id("key-b"), b);
    }
}
