//! Signed lease agreements and payments on them.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use flexshopper_api::types;
use rust_decimal::Decimal;

use super::{amount, cents, dollars, time};
use crate::app::{AppState, Body, Customer, Path, Query, page};
use crate::error::{ApiError, ApiResult, Code};
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
    m.leases
        .iter()
        .filter(|l| l.user_id == user_id)
        .filter(|l| signed.is_none_or(|s| s == l.signed_at.is_some()))
        .filter_map(|l| {
            let txn = m.transaction(&l.transaction_id).ok()?;
            let paid: Decimal = m
                .payments
                .iter()
                .filter(|p| p.agreement_id == l.id)
                .map(|p| p.amount)
                .sum();
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
    let mut store = s.store();
    let mut list = agreements(store.merchant(&c.merchant), &c.user_id, signed);
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
    let mut store = s.store();
    let payment_id = store.next_id("payment", 24);
    let merchant = store.merchant(&c.merchant);
    merchant
        .leases
        .iter()
        .find(|l| l.id == agreement_id && l.user_id == c.user_id && l.signed_at.is_some())
        .ok_or_else(|| ApiError::new(Code::AgreementNotFound, "The agreement was not found"))?;
    let method = merchant
        .payment_methods
        .iter()
        .find(|p| p.id == *req.payment_method_id && p.user_id == c.user_id)
        .ok_or_else(|| {
            ApiError::new(
                Code::PaymentMethodNotFound,
                "paymentMethodId: no such payment method",
            )
        })?;
    let method_id = method.id.clone();
    merchant.payments.push(Payment {
        id: payment_id.clone(),
        agreement_id,
        payment_method_id: method_id,
        amount: value,
    });
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
