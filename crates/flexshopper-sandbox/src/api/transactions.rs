//! Merchant transactions: finalize, fulfil (ship or receive), cancel, return.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use flexshopper_api::types;

use super::{lease_status, selection, transaction_view};
use crate::app::{AppState, Body, Merchant, Path, Query, RawBody, page_range};
use crate::error::{ApiError, ApiResult};
use crate::store::{Fulfilment, ItemOutcome, Transaction};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v3/transactions", get(get_transactions))
        .route("/v3/transactions/{transaction_id}", get(get_transaction))
        .route("/v3/transactions/{transaction_id}/finalize", post(finalize))
        .route(
            "/v3/transactions/{transaction_id}/cancel",
            post(cancel_items),
        )
        .route(
            "/v3/transactions/{transaction_id}/return",
            post(return_items),
        )
        // The path FlexShopper's Magento plugin uses.
        .route(
            "/v3/transactions/{transaction_id}/return-items",
            post(return_items),
        )
        .route(
            "/v3/transactions/{transaction_id}/confirm-shipment",
            post(confirm_shipment),
        )
        .route(
            "/v3/transactions/{transaction_id}/confirm-receipt",
            post(confirm_receipt),
        )
}

fn date(q: &Query, name: &str) -> ApiResult<Option<NaiveDate>> {
    q.get(name)
        .map(|raw| {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
                ApiError::validation(format!("{name}: expected a date YYYY-MM-DD, got {raw:?}"))
            })
        })
        .transpose()
}

async fn get_transactions(
    State(s): State<AppState>,
    m: Merchant,
    q: Query,
) -> ApiResult<Json<types::TransactionsPageResponse>> {
    let (p, limit) = q.paging(20)?;
    let (from, to) = (date(&q, "fromDate")?, date(&q, "toDate")?);
    let status = q.get("leaseStatus");
    let store = s.store().await;
    let merchant = store.merchant_ref(&m.id);
    // Views are built for the page only; without filters the page is a range of the
    // store's insertion order, so its cost does not depend on how many there are.
    let (transactions, meta) = if from.is_none() && to.is_none() && status.is_none() {
        let (range, meta) = page_range(merchant.transactions.len(), p, limit);
        let views = merchant
            .transactions
            .range(range)
            .map(|t| transaction_view(merchant, t))
            .collect();
        (views, meta)
    } else {
        let matching: Vec<&Transaction> = merchant
            .transactions
            .iter()
            .filter(|t| from.is_none_or(|f| t.created_at.date_naive() >= f))
            .filter(|t| to.is_none_or(|d| t.created_at.date_naive() <= d))
            .filter(|t| status.is_none_or(|st| lease_status(merchant, t).is_some_and(|l| l == st)))
            .collect();
        let (range, meta) = page_range(matching.len(), p, limit);
        let views = matching[range]
            .iter()
            .map(|t| transaction_view(merchant, t))
            .collect();
        (views, meta)
    };
    Ok(Json(types::TransactionsPageResponse {
        data: types::TransactionsPage { meta, transactions },
    }))
}

async fn get_transaction(
    State(s): State<AppState>,
    m: Merchant,
    Path(id): Path<String>,
) -> ApiResult<Json<types::TransactionResponse>> {
    let store = s.store().await;
    let merchant = store.merchant_ref(&m.id);
    let txn = merchant.transaction(&id)?;
    Ok(Json(types::TransactionResponse {
        data: transaction_view(merchant, txn),
    }))
}

/// Sent with no body by FlexShopper's plugin. A body, when one is sent, must be a JSON
/// object (its content is not used): malformed JSON is refused, not ignored.
async fn finalize(
    State(s): State<AppState>,
    m: Merchant,
    Path(id): Path<String>,
    RawBody(body): RawBody,
) -> ApiResult<Json<types::FinalizeResponse>> {
    if !body.iter().all(u8::is_ascii_whitespace) {
        let value: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| ApiError::validation(format!("body: malformed JSON ({e})")))?;
        if !value.is_object() {
            return Err(ApiError::validation(
                "body: expected a JSON object or no body",
            ));
        }
    }
    let mut store = s.store().await;
    let number = (1_000_000 + store.next_number()).to_string();
    let now = store.now();
    let lease_number = store.merchant(&m.id).finalize(&id, || number, now)?;
    Ok(Json(types::FinalizeResponse {
        data: types::FinalizedTransaction {
            loan_number: Some(lease_number.clone()),
            lease_number,
            transaction_id: id,
        },
    }))
}

fn counts(v: Vec<(String, u32)>) -> Vec<types::SkuCount> {
    v.into_iter()
        .map(|(sku, q)| types::SkuCount {
            sku,
            quantity: u64::from(q),
        })
        .collect()
}

fn item_selection(req: &types::ItemSelection) -> ApiResult<crate::store::Selection> {
    selection(
        req.items
            .iter()
            .map(|i| (i.sku.as_str(), i.quantity.map(|q| q.get()))),
    )
}

async fn cancel_items(
    State(s): State<AppState>,
    m: Merchant,
    Path(id): Path<String>,
    Body(req): Body<types::ItemSelection>,
) -> ApiResult<Json<types::CancelItemsResponse>> {
    let sel = item_selection(&req)?;
    let ItemOutcome { done, failed } = s.store().await.merchant(&m.id).cancel(&id, &sel)?;
    Ok(Json(types::CancelItemsResponse {
        data: types::CancelResult {
            canceled: counts(done),
            failed: counts(failed),
        },
    }))
}

async fn return_items(
    State(s): State<AppState>,
    m: Merchant,
    Path(id): Path<String>,
    Body(req): Body<types::ItemSelection>,
) -> ApiResult<Json<types::ReturnItemsResponse>> {
    let sel = item_selection(&req)?;
    let ItemOutcome { done, failed } = s.store().await.merchant(&m.id).return_items(&id, &sel)?;
    Ok(Json(types::ReturnItemsResponse {
        data: types::ReturnResult {
            returned: counts(done),
            failed: counts(failed),
        },
    }))
}

fn empty() -> Json<types::EmptyDataResponse> {
    Json(types::EmptyDataResponse {
        data: types::EmptyObject(Default::default()),
    })
}

/// A request's identity for idempotent confirmation: the same input twice is one event.
fn fingerprint<T: serde::Serialize>(kind: &str, req: &T) -> String {
    format!("{kind}:{}", serde_json::to_string(req).unwrap_or_default())
}

async fn confirm_shipment(
    State(s): State<AppState>,
    m: Merchant,
    Path(id): Path<String>,
    Body(req): Body<types::ConfirmShipmentRequest>,
) -> ApiResult<Json<types::EmptyDataResponse>> {
    let sel = selection(
        req.items
            .iter()
            .map(|i| (i.sku.as_str(), i.quantity.map(|q| q.get()))),
    )?;
    s.store().await.merchant(&m.id).fulfil(
        &id,
        Fulfilment::Shipment,
        &sel,
        fingerprint("ship", &req),
    )?;
    Ok(empty())
}

async fn confirm_receipt(
    State(s): State<AppState>,
    m: Merchant,
    Path(id): Path<String>,
    Body(req): Body<types::ConfirmReceiptRequest>,
) -> ApiResult<Json<types::EmptyDataResponse>> {
    let sel = selection(
        req.items
            .iter()
            .map(|i| (i.sku.as_str(), i.quantity.map(|q| q.get()))),
    )?;
    s.store().await.merchant(&m.id).fulfil(
        &id,
        Fulfilment::Receipt,
        &sel,
        fingerprint("receive", &req),
    )?;
    Ok(empty())
}
