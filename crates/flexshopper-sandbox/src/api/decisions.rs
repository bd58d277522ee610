//! Applying for a spending limit.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use flexshopper_api::types;

use super::user_view;
use crate::app::{AppState, Body, Customer};
use crate::error::{ApiError, ApiResult, Code};
use crate::scenarios;
use crate::store::{Applicant, sha_hex};

pub fn routes() -> Router<AppState> {
    Router::new().route("/v3/users/me/apply", post(apply))
}

/// 400 InvalidRoutingNumber naming the field, for a routing number FlexShopper refuses.
pub fn check_routing(field: &str, routing: &str) -> ApiResult<()> {
    match scenarios::routing_number_problem(routing) {
        None => Ok(()),
        Some(reason) => Err(ApiError::new(
            Code::InvalidRoutingNumber,
            format!("{field}: routing number refused ({reason})"),
        )
        .with_data(serde_json::json!({ "field": field, "reason": reason }))),
    }
}

async fn apply(
    State(s): State<AppState>,
    c: Customer,
    Body(req): Body<types::ApplicationRequest>,
) -> ApiResult<Json<types::UserResponse>> {
    if let Some(bank) = &req.bank_account {
        check_routing("bankAccount.routing", &bank.routing)?;
    }
    let mut store = s.store().await;
    let application_id = store.next_id("application", 32);
    let now = store.now();
    let merchant = store.merchant(&c.merchant);
    let user = merchant.user_mut(&c.user_id)?;
    user.applicant = Applicant {
        phone: Some(req.mobile_phone.to_string()),
        ssn_hash: req.ssn.as_ref().map(|s| sha_hex(s)),
        street1: Some(req.street1.to_string()),
        postal_code: Some(req.postal_code.to_string()),
        date_of_birth: Some(req.date_of_birth.to_string()),
    };
    merchant.decide(&c.user_id, (application_id, None), now)?;
    let user = merchant.user(&c.user_id)?;
    Ok(Json(types::UserResponse {
        data: user_view(merchant, user),
    }))
}
