//! The FlexShopper API (`/v3`), one module per resource family, and the views that turn
//! the store into the generated response types.

mod agreements;
mod decisions;
mod leases;
mod legacy;
mod payment_methods;
mod settings;
mod transactions;
mod users;
mod waterfall;

use axum::Router;
use chrono::{DateTime, Utc};
use flexshopper_api::types;
use rust_decimal::Decimal;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::store::{Item, Merchant, Transaction, User};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(users::routes())
        .merge(payment_methods::routes())
        .merge(decisions::routes())
        .merge(leases::routes())
        .merge(transactions::routes())
        .merge(agreements::routes())
        .merge(settings::routes())
        .merge(legacy::routes())
        .merge(waterfall::routes())
}

pub fn dollars(d: Decimal) -> types::Dollars {
    types::Dollars(d)
}

pub fn cents(d: Decimal) -> types::Cents {
    types::Cents(
        (d * Decimal::from(100))
            .round()
            .try_into()
            .unwrap_or(i64::MAX),
    )
}

pub fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The status of a transaction's lease as `LeaseRef` shows it (`signed` or `pending`).
pub fn lease_status(m: &Merchant, t: &Transaction) -> Option<&'static str> {
    m.lease_of_transaction(t).map(|l| {
        if l.signed_at.is_some() {
            "signed"
        } else {
            "pending"
        }
    })
}

/// The lease of a transaction as `LeaseRef`.
fn lease_ref(m: &Merchant, t: &Transaction) -> Option<types::LeaseRef> {
    let status = lease_status(m, t)?;
    m.lease_of_transaction(t).map(|l| types::LeaseRef {
        id: l.id.clone(),
        status: status.into(),
    })
}

pub fn user_view(m: &Merchant, u: &User) -> types::User {
    let transactions = m
        .transactions_of(&u.id)
        .map(|t| types::UserTransaction {
            id: t.id.clone(),
            created_at: Some(time(t.created_at)),
            lease: lease_ref(m, t),
        })
        .collect();
    let decision = u.decision.as_ref().map(|d| types::Decision {
        application_id: Some(d.application_id.clone()),
        approved: Some(d.approved()),
        available_balance: Some(dollars(m.available_balance(u))),
        available_weekly_spending: Some(dollars(d.weekly)),
        created_at: Some(time(d.created_at)),
        funnel: None,
        prequal_id: d.prequal_id.clone(),
        spending_limit: Some(dollars(d.spending_limit)),
        status: Some(d.status.into()),
        vantage_high_score: None,
        waterfall_suppression_flags: None,
    });
    types::User {
        card_verified: None,
        created_at: Some(time(u.created_at)),
        date_of_birth: u.applicant.date_of_birth.clone(),
        decision,
        email: Some(u.email.clone()),
        first_name: Some(u.first_name.clone()),
        last_name: Some(u.last_name.clone()),
        spending_hold: Some(u.spending_hold),
        token: None,
        transactions,
        user_id: u.id.clone(),
        verification_status: u.verification_status.map(Into::into),
    }
}

pub fn transaction_view(m: &Merchant, t: &Transaction) -> types::Transaction {
    let customer = m.user(&t.user_id).ok().map(|u| types::TransactionCustomer {
        email: Some(u.email.clone()),
        first_name: Some(u.first_name.clone()),
        id: u.id.clone(),
        last_name: Some(u.last_name.clone()),
    });
    types::Transaction {
        created_at: Some(time(t.created_at)),
        customer,
        id: t.id.clone(),
        items: t
            .items
            .iter()
            .map(|i| types::TransactionItem {
                brand: Some(i.item.brand.clone()),
                cost: Some(dollars(i.item.cost)),
                description: Some(i.item.description.clone()),
                quantity: u64::from(i.ordered()),
                quantity_by_status: Some(types::QuantityByStatus(
                    i.quantity_by_status()
                        .into_iter()
                        .map(|(k, v)| (k, u64::from(v)))
                        .collect(),
                )),
                sku: i.item.sku.clone(),
            })
            .collect(),
        lease: lease_ref(m, t),
        order_id: t.order_id.clone(),
        purchase_sales_tax: Some(types::Cents(0)),
        purchase_total: Some(cents(t.purchase_total())),
        shipping_cost: Some(dollars(t.shipping)),
    }
}

/// The largest amount and quantity the sandbox accepts: keeps decimal arithmetic far
/// from overflow whatever a client sends.
const MAX_AMOUNT: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);
const MAX_QUANTITY: u64 = 100_000;

pub fn amount(field: &str, d: &types::Dollars) -> ApiResult<Decimal> {
    let v = d.0;
    if v.is_sign_negative() && !v.is_zero() {
        return Err(ApiError::validation(format!(
            "{field}: must not be negative"
        )));
    }
    if v > MAX_AMOUNT {
        return Err(ApiError::validation(format!(
            "{field}: at most {MAX_AMOUNT}"
        )));
    }
    // Cents are the smallest unit; more precision is rounded the way a till would.
    Ok(v.round_dp(2))
}

/// Lease items as the store keeps them. Shipping given on items (FlexShopper's plugin
/// puts the order's shipping on the first item) is added to the order's shipping.
pub fn lease_items(items: &[types::LeaseItem]) -> ApiResult<(Vec<Item>, Decimal)> {
    if items.is_empty() {
        return Err(ApiError::validation("items: at least one item is required"));
    }
    if items.len() > 1000 {
        return Err(ApiError::validation("items: at most 1000 items"));
    }
    let mut out: Vec<Item> = Vec::with_capacity(items.len());
    let mut shipping = Decimal::ZERO;
    for (n, i) in items.iter().enumerate() {
        if out.iter().any(|o| o.sku == *i.sku) {
            return Err(ApiError::validation(format!(
                "items[{n}].sku: duplicate SKU {:?}",
                &*i.sku
            )));
        }
        let quantity = i.quantity.get();
        if quantity > MAX_QUANTITY {
            return Err(ApiError::validation(format!(
                "items[{n}].quantity: at most {MAX_QUANTITY}"
            )));
        }
        if let Some(cost) = i.shipping.as_ref().and_then(|s| s.cost.as_ref()) {
            shipping += amount(&format!("items[{n}].shipping.cost"), cost)?;
        }
        out.push(Item {
            sku: i.sku.to_string(),
            description: i.description.to_string(),
            brand: i.brand.to_string(),
            cost: amount(&format!("items[{n}].cost"), &i.cost)?,
            quantity: quantity as u32,
        });
    }
    Ok((out, shipping))
}

/// A sku/quantity selection (cancel, return, ship, receive); quantities bounded.
pub fn selection<'a>(
    lines: impl Iterator<Item = (&'a str, Option<u64>)>,
) -> ApiResult<crate::store::Selection> {
    let mut out = Vec::new();
    for (n, (sku, qty)) in lines.enumerate() {
        let qty = match qty {
            Some(q) if q > MAX_QUANTITY => {
                return Err(ApiError::validation(format!(
                    "items[{n}].quantity: at most {MAX_QUANTITY}"
                )));
            }
            q => q.map(|q| q as u32),
        };
        out.push((sku.to_owned(), qty));
    }
    Ok(Some(out))
}
