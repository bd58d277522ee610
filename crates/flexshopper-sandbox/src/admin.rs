//! `/__sandbox/...`: reset, state, journal, clock, passcodes, faults, scenarios.
//! No API key; never under /v3.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::{AppState, Body, Path};
use crate::error::{ApiError, ApiResult};
use crate::faults::FaultSpec;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/__sandbox/reset", post(reset))
        .route("/__sandbox/state", get(state_dump))
        .route("/__sandbox/journal", get(journal).delete(clear_journal))
        .route("/__sandbox/clock/advance", post(advance_clock))
        .route("/__sandbox/passcodes/{user_id}", get(passcode))
        .route(
            "/__sandbox/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/__sandbox/scenarios", get(scenarios))
}

async fn reset(State(s): State<AppState>) -> StatusCode {
    s.store().reset();
    s.journal().clear();
    *s.faults() = Default::default();
    StatusCode::NO_CONTENT
}

async fn state_dump(State(s): State<AppState>) -> Json<Value> {
    Json(s.store().dump())
}

async fn journal(State(s): State<AppState>) -> Json<Value> {
    Json(json!(s.journal().entries))
}

async fn clear_journal(State(s): State<AppState>) -> StatusCode {
    s.journal().clear();
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
struct Advance {
    seconds: i64,
}

async fn advance_clock(
    State(s): State<AppState>,
    Body(a): Body<Advance>,
) -> ApiResult<Json<Value>> {
    let by = chrono::Duration::try_seconds(a.seconds)
        .filter(|d| d.num_days().abs() < 365 * 100)
        .ok_or_else(|| ApiError::validation("seconds: out of range"))?;
    let mut store = s.store();
    store.clock_offset += by;
    Ok(Json(json!({ "clock": store.now().to_rfc3339() })))
}

/// The only way to read a legacy login passcode.
async fn passcode(
    State(s): State<AppState>,
    Path(user_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = s.store();
    store
        .merchants
        .values()
        .flat_map(|m| m.users.iter())
        .find(|u| u.id == user_id)
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
