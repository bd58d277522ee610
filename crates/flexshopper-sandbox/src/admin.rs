//! `/__sandbox/...`: reset, state, export/import, journal, clock, passcodes, faults,
//! scenarios. Never under /v3.
//!
//! Access (see [`crate::AdminAccess`]): open on a loopback sandbox that accepts any key
//! and has no admin token (the embedded sandbox of tests and the CLI); otherwise
//! `Authorization: Bearer TOKEN` with `--admin-token`, and off without one. JSON only: a
//! POST must say `Content-Type: application/json`, which a web page cannot send to another
//! origin without a CORS preflight the sandbox never grants. `GET /__sandbox/scenarios`
//! (the public scenario table) needs nothing.

use axum::Json;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::{AppState, Body, Path, Query};
use crate::config::AdminAccess;
use crate::error::{ApiError, ApiResult};
use crate::faults::FaultSpec;
use crate::persist::SCHEMA_VERSION;
use crate::store::{DumpBuilder, Section, Snapshot, Store};

pub fn routes(state: AppState) -> Router<AppState> {
    let guarded = Router::new()
        .route("/__sandbox/reset", post(reset))
        .route("/__sandbox/state", get(state_dump))
        .route("/__sandbox/export", get(export))
        .route("/__sandbox/import", post(import))
        .route("/__sandbox/journal", get(journal).delete(clear_journal))
        .route("/__sandbox/clock/advance", post(advance_clock))
        .route("/__sandbox/passcodes/{user_id}", get(passcode))
        .route(
            "/__sandbox/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .merge(crate::flexsdk::admin_routes())
        .route_layer(axum::middleware::from_fn_with_state(state, guard));
    Router::new()
        .merge(guarded)
        .route("/__sandbox/scenarios", get(scenarios))
}

/// Compare secrets in time independent of where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn admin_error(status: StatusCode, message: &str) -> Response {
    ApiError::plain(status, message).into_response()
}

async fn guard(State(s): State<AppState>, req: Request, next: Next) -> Response {
    match s.config().admin_access() {
        AdminAccess::Open => {}
        AdminAccess::Off => {
            return admin_error(
                StatusCode::FORBIDDEN,
                "The admin API is off: this sandbox is shared (API keys or a non-loopback \
                 address) and has no admin token. Start it with --admin-token \
                 (FLEXSHOPPER_SANDBOX_ADMIN_TOKEN).",
            );
        }
        AdminAccess::Token(token) => {
            let given = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim);
            if !given.is_some_and(|g| same_secret(g.as_bytes(), token.as_bytes())) {
                let mut resp = admin_error(
                    StatusCode::UNAUTHORIZED,
                    "The admin API needs Authorization: Bearer <admin token>",
                );
                resp.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                return resp;
            }
        }
    }
    if req.method() == Method::POST {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        if !json {
            return admin_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "The admin API accepts only Content-Type: application/json",
            );
        }
    }
    next.run(req).await
}

async fn reset(State(s): State<AppState>) -> StatusCode {
    s.store().await.reset();
    s.journal().clear();
    *s.faults() = Default::default();
    StatusCode::NO_CONTENT
}

/// Records per chunk of the state dump: the store is locked for one chunk at a time, so
/// a dump of a large sandbox never stalls the API for long.
const DUMP_CHUNK: usize = 1_000;

/// `GET /__sandbox/state[?merchant=ID]`: every merchant (or one), the clock and retention.
async fn state_dump(State(s): State<AppState>, q: Query) -> Json<Value> {
    let ids: Vec<String> = match q.get("merchant") {
        Some(id) => vec![id.to_owned()],
        None => s.store().await.merchants.keys().cloned().collect(),
    };
    let mut merchants = serde_json::Map::new();
    for id in ids {
        let mut out = DumpBuilder::default();
        let mut present = true;
        'sections: for section in Section::ALL {
            let mut from = 0;
            loop {
                let (items, next) = {
                    let store = s.store().await;
                    let Some(m) = store.merchants.get(&id) else {
                        present = false;
                        break 'sections;
                    };
                    m.dump_chunk(section, from, DUMP_CHUNK, store.now())
                };
                out.add(section, items);
                match next {
                    Some(n) => {
                        from = n;
                        tokio::task::yield_now().await;
                    }
                    None => break,
                }
            }
        }
        let store = s.store().await;
        if let (true, Some(m)) = (present, store.merchants.get(&id)) {
            merchants.insert(id, out.finish(m));
        }
    }
    let store = s.store().await;
    let mut retention = store.retention();
    let journal = s.journal();
    retention["journal"] = json!({
        "bytes": journal.bytes(), "dropped": journal.dropped,
        "limitBytes": s.config().limits.journal_bytes,
    });
    let persistence = match (s.durability(), &s.config().data) {
        (Some(d), Some(path)) => json!({
            "file": path.display().to_string(),
            "schemaVersion": SCHEMA_VERSION,
            "changes": d.status(),
        }),
        _ => Value::Null,
    };
    Json(json!({
        "clock": store.now().to_rfc3339(),
        "merchants": merchants,
        "retention": retention,
        "persistence": persistence,
    }))
}

async fn journal(State(s): State<AppState>) -> Json<Value> {
    // Copied under the lock, parsed and redacted outside it.
    let entries: Vec<_> = s.journal().entries().cloned().collect();
    Json(Value::Array(entries.iter().map(|e| e.to_json()).collect()))
}

async fn clear_journal(State(s): State<AppState>) -> StatusCode {
    s.journal().clear();
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: i64,
}

async fn advance_clock(
    State(s): State<AppState>,
    Body(a): Body<Advance>,
) -> ApiResult<Json<Value>> {
    let now = s
        .store()
        .await
        .advance_clock(a.seconds)
        .map_err(ApiError::validation)?;
    Ok(Json(json!({ "clock": now.to_rfc3339() })))
}

/// The only way to read a legacy login passcode.
/// Largest state file `POST /__sandbox/import` reads (the API's body limit is far smaller).
const IMPORT_LIMIT: usize = 512 << 20;

/// `GET /__sandbox/export`: everything the sandbox holds (not faults, journal or FlexSDK
/// sessions) as one JSON document that `POST /__sandbox/import` takes back. Records are
/// copied under the lock and serialized outside it.
async fn export(State(s): State<AppState>) -> Json<Snapshot> {
    let snapshot = s.store().await.snapshot(SCHEMA_VERSION);
    Json(snapshot)
}

/// `POST /__sandbox/import`: replace the whole state with an exported document (fixtures);
/// refused with the field at fault, leaving the state as it was, when it does not load.
async fn import(State(s): State<AppState>, req: Request) -> ApiResult<Json<Value>> {
    let bytes = axum::body::to_bytes(req.into_body(), IMPORT_LIMIT)
        .await
        .map_err(|e| {
            ApiError::plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("body: at most {IMPORT_LIMIT} bytes ({e})"),
            )
        })?;
    let de = &mut serde_json::Deserializer::from_slice(&bytes);
    let snapshot: Snapshot = serde_path_to_error::deserialize(de)
        .map_err(|e| ApiError::validation(format!("{}: {}", e.path(), e.inner())))?;
    if snapshot.schema_version > SCHEMA_VERSION {
        return Err(ApiError::validation(format!(
            "schemaVersion: {} is newer than this sandbox's {SCHEMA_VERSION}",
            snapshot.schema_version
        )));
    }
    let config = s.config();
    let mut store = Store::restore(snapshot, config.limits, config.seed)
        .map_err(|e| ApiError::validation(e.to_string()))?;
    for (auth, api) in &config.auth_keys {
        store.bind_auth_key(auth, api);
    }
    let merchants = store.merchants.len();
    s.store().await.replace_with(store);
    Ok(Json(json!({ "imported": { "merchants": merchants } })))
}

async fn passcode(
    State(s): State<AppState>,
    Path(user_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = s.store().await;
    store
        .merchants
        .values()
        .find_map(|m| m.user(&user_id).ok())
        .ok_or_else(ApiError::user_not_found)?
        .passcode
        .clone()
        .map(|p| Json(json!({ "passcode": p })))
        .ok_or_else(|| {
            ApiError::plain(
                StatusCode::NOT_FOUND,
                "No passcode was requested for this user",
            )
        })
}

async fn list_faults(State(s): State<AppState>) -> Json<Value> {
    Json(json!(s.faults().list))
}

async fn add_fault(
    State(s): State<AppState>,
    Body(spec): Body<FaultSpec>,
) -> ApiResult<Json<Value>> {
    let id = s.faults().add(&spec).map_err(ApiError::validation)?;
    Ok(Json(json!({ "id": id })))
}

async fn clear_faults(State(s): State<AppState>) -> StatusCode {
    *s.faults() = Default::default();
    StatusCode::NO_CONTENT
}

async fn scenarios() -> Json<Value> {
    Json(json!(crate::scenarios::SCENARIOS))
}
