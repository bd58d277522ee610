//! Creating, reading and signing leases.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use flexshopper_api::types;
use rust_decimal::Decimal;

use super::{amount, dollars, lease_items};
use crate::app::{AppState, Body, Customer, Path, Query};
use crate::error::{ApiError, ApiResult};
use crate::store::{Lease, LeaseRequest, TERM};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v3/leases", post(create_lease))
        .route("/v3/leases/{lease_id}", get(get_lease))
        .route("/v3/leases/{lease_id}/sign", post(sign_lease))
}

fn terms(l: &Lease, expired: bool) -> types::LeaseTerms {
    types::LeaseTerms {
        cash_price: Some(dollars(l.total)),
        contract: l.contract.clone(),
        cost_of_rental: Some(dollars(l.cost_of_rental)),
        frequency: Some("weekly".into()),
        is_expired: Some(expired),
        lease_id: l.id.clone(),
        lease_status: Some(
            if l.signed_at.is_some() {
                "signed"
            } else {
                "unsigned"
            }
            .into(),
        ),
        pay_tomorrow_tax_total: None,
        payment: Some(dollars(l.payment)),
        term: Some(u64::from(TERM)),
    }
}

async fn create_lease(
    State(s): State<AppState>,
    c: Customer,
    q: Query,
    Body(req): Body<types::CreateLeaseRequest>,
) -> ApiResult<Json<types::CreateLeaseResponse>> {
    // Accepted for compatibility; the contract is always HTML and no link is sent.
    for flag in ["asPdf", "sendLink", "withToken"] {
        q.bool(flag)?;
    }
    let (items, item_shipping) = lease_items(&req.items)?;
    let shipping = match req.shipping.as_ref().and_then(|s| s.cost.as_ref()) {
        Some(cost) => amount("shipping.cost", cost)?,
        None => Decimal::ZERO,
    } + item_shipping;
    let discount = match &req.total_discount {
        Some(d) => amount("totalDiscount", d)?,
        None => Decimal::ZERO,
    };
    let request = LeaseRequest {
        transaction_id: req.transaction_id.to_string(),
        order_id: req.order_id.clone(),
        items,
        shipping,
        discount,
    };
    let mut store = s.store().await;
    let lease_id = format!("lease_{}", store.next_id("lease", 32));
    let now = store.now();
    let id = store.create_lease(&c.merchant, &c.user_id, request, lease_id, now)?;
    let lease = store
        .merchant_ref(&c.merchant)
        .lease(&id)
        .ok_or_else(ApiError::lease_not_found)?;
    Ok(Json(types::CreateLeaseResponse {
        data: terms(lease, lease.is_expired(now)),
    }))
}

async fn get_lease(
    State(s): State<AppState>,
    c: Customer,
    Path(lease_id): Path<String>,
) -> ApiResult<Json<types::LeaseResponse>> {
    let store = s.store().await;
    let now = store.now();
    let lease = store
        .merchant_ref(&c.merchant)
        .lease_of(&c.user_id, &lease_id)?;
    Ok(Json(types::LeaseResponse {
        data: terms(lease, lease.is_expired(now)),
    }))
}

async fn sign_lease(
    State(s): State<AppState>,
    c: Customer,
    Path(lease_id): Path<String>,
    Body(req): Body<types::SignLeaseRequest>,
) -> ApiResult<Json<types::EmptyDataResponse>> {
    if !req.signed {
        return Err(ApiError::validation("signed: must be true"));
    }
    let mut store = s.store().await;
    let now = store.now();
    store
        .merchant(&c.merchant)
        .sign_lease(&c.user_id, &lease_id, &req.ip_address, now)?;
    Ok(Json(types::EmptyDataResponse {
        data: types::EmptyObject(Default::default()),
    }))
}
