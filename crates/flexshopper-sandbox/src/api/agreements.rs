//! Signed lease agreements and payments on them.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use flexshopper_api::types;
use rust_decimal::Decimal;

use super::{amount, cents, dollars, time};
use crate::app::{AppState, Body, Customer, Path, Query, page};
use crate::error::ApiResult;
use crate::store::{Merchant, Payment, TERM};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v3/customers/me/agreements", get(get_agreements))
        .route(
            "/v3/customers/me/agreements/{agreement_id}/transactions/payment",
            post(collect_payment),
        )
}

/// A customer's leases as agreements (the agreement id is the lease id).
fn agreements(m: &Merchant, user_id: &str, signed: Option<bool>) -> Vec<types::Agreement> {
    m.transactions_of(user_id)
        .flat_map(|t| t.lease_ids.iter().filter_map(|id| m.lease(id)))
        .filter(|l| l.user_id == user_id)
        .filter(|l| signed.is_none_or(|s| s == l.signed_at.is_some()))
        .filter_map(|l| {
            let txn = m.transaction(&l.transaction_id).ok()?;
            let paid = m.paid_on(&l.id);
            let ownership = (l.payment * Decimal::from(TERM) - paid).max(Decimal::ZERO);
            Some(types::Agreement {
                // The unit is undocumented (x-unverified); the sandbox follows the sample's reading: cents.
                early_payoff: Some(cents((txn.open_amount() - paid).max(Decimal::ZERO)).0 as f64),
                estimated_ownership: Some(cents(ownership).0 as f64),
                id: l.id.clone(),
                items: txn
                    .items
                    .iter()
                    .map(|i| types::AgreementItem {
                        description: Some(i.item.description.clone()),
                        tracking_carrier_name: None,
                        tracking_link: None,
                        tracking_number: None,
                        tracking_status: Some(
                            if i.shipped > 0 {
                                "shipped"
                            } else if i.received > 0 {
                                "delivered"
                            } else {
                                "pending"
                            }
                            .into(),
                        ),
                    })
                    .collect(),
                lease_start_date: time(txn.finalized_at.or(l.signed_at).unwrap_or(l.created_at)),
                past_due: types::Cents(0),
                reference_id: txn.lease_number.clone().unwrap_or_else(|| txn.id.clone()),
            })
        })
        .collect()
}

async fn get_agreements(
    State(s): State<AppState>,
    c: Customer,
    q: Query,
) -> ApiResult<Json<types::AgreementsResponse>> {
    let (p, limit) = q.paging(1000)?;
    let signed = q.bool("signed")?;
    let store = s.store().await;
    let mut list = agreements(store.merchant_ref(&c.merchant), &c.user_id, signed);
    if q.get("sort") == Some("desc") {
        list.reverse();
    }
    let (data, _) = page(&list, p, limit);
    Ok(Json(types::AgreementsResponse { data }))
}

async fn collect_payment(
    State(s): State<AppState>,
    c: Customer,
    Path(agreement_id): Path<String>,
    Body(req): Body<types::CollectPaymentRequest>,
) -> ApiResult<Json<types::CollectPaymentResponse>> {
    // Nothing documents a minimum payment: zero is recorded like any amount.
    let value = amount("amount", &req.amount)?;
    let mut store = s.store().await;
    let payment_id = store.next_id("payment", 24);
    store.merchant(&c.merchant).collect_payment(
        &c.user_id,
        Payment {
            id: payment_id.clone(),
            agreement_id,
            payment_method_id: req.payment_method_id.to_string(),
            amount: value,
        },
    )?;
    Ok(Json(types::CollectPaymentResponse {
        data: vec![types::PaymentResult {
            amount: Some(dollars(value)),
            failure_code: None,
            failure_reason: None,
            outcome: Some("approved".into()),
            payment_id,
            processor: Some("sandbox".into()),
        }],
    }))
}
