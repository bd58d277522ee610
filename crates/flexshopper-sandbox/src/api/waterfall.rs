//! The waterfall (secondary lender) endpoints: account lookup, prequalification, auth
//! codes and credits.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use flexshopper_api::types;
use rust_decimal::Decimal;

use super::decisions::check_routing;
use super::{amount, dollars, time, user_view};
use crate::app::{AppState, Body, Merchant, Path};
use crate::error::{ApiError, ApiResult, Code};
use crate::store::{Applicant, Merchant as Store, Prequal, sha_hex};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v3/users/search", post(account_lookup))
        .route("/v3/users/prequal/start/lease", post(prequal_start))
        .route("/v3/users/prequal/complete/lease", post(prequal_complete))
        .route("/v3/users/{user_id}/auth-code", post(auth_code))
        .route("/v3/transactions/{transaction_id}/refund", post(refund))
}

async fn account_lookup(
    State(s): State<AppState>,
    m: Merchant,
    Body(req): Body<types::AccountLookupRequest>,
) -> ApiResult<Json<types::UsersPageResponse>> {
    let ttl = s.token_ttl();
    let ssn = sha_hex(&req.ssn);
    let mut store = s.store().await;
    let ids: Vec<String> = store
        .merchant_ref(&m.id)
        .users
        .iter()
        .filter(|u| u.applicant.phone.as_deref() == Some(req.mobile_phone.as_str()))
        .filter(|u| u.applicant.ssn_hash.as_deref() == Some(ssn.as_str()))
        .map(|u| u.id.clone())
        .collect();
    let tokens: Vec<String> = ids
        .iter()
        .map(|id| store.mint_token(&m.id, id, ttl))
        .collect();
    let merchant = store.merchant_ref(&m.id);
    let users: Vec<types::User> = ids
        .iter()
        .zip(tokens)
        .filter_map(|(id, token)| {
            let mut view = user_view(merchant, merchant.user(id).ok()?);
            view.token = Some(token);
            view.card_verified = Some(false);
            Some(view)
        })
        .collect();
    let count = users.len() as u64;
    Ok(Json(types::UsersPageResponse {
        data: types::UsersPage {
            meta: types::PageMeta {
                count,
                limit: count.max(1),
                page: 1,
                total_pages: u64::from(count > 0),
            },
            users,
        },
    }))
}

fn prequalification(m: &Store, prequal: &Prequal) -> ApiResult<types::Prequalification> {
    let user = m.user(&prequal.user_id)?;
    let d = user.decision.as_ref();
    Ok(types::Prequalification {
        decision: types::PrequalDecision {
            application_id: d.map(|d| d.application_id.clone()),
            approved: d.map(|d| d.approved()),
            available_limit: Some(dollars(m.available_balance(user))),
            available_weekly_limit: d.map(|d| dollars(d.weekly)),
            created_at: d.map(|d| time(d.created_at)),
            limit: d.map(|d| dollars(d.spending_limit)),
            status: d.map(|d| d.status.into()),
        },
        prequal_id: prequal.id.clone(),
        verification_status: user.verification_status.map(Into::into),
    })
}

async fn prequal_start(
    State(s): State<AppState>,
    m: Merchant,
    Body(req): Body<types::PrequalStartRequest>,
) -> ApiResult<Json<types::PrequalificationResponse>> {
    super::users::check_email("email", &req.email)?;
    let mut store = s.store().await;
    let existing = store
        .merchant_ref(&m.id)
        .user_by_email(&req.email)
        .map(|u| u.id.clone());
    let user_id = match existing {
        Some(id) => id,
        None => store.insert_user(&m.id, &req.first_name, &req.last_name, &req.email),
    };
    let prequal_id = store.next_id("prequal", 24);
    let application_id = store.next_id("application", 32);
    let now = store.now();
    let merchant = store.merchant(&m.id);
    merchant.user_mut(&user_id)?.applicant = Applicant {
        phone: Some(req.mobile_phone.to_string()),
        ssn_hash: Some(sha_hex(&req.ssn)),
        street1: Some(req.street1.to_string()),
        postal_code: Some(req.postal_code.to_string()),
        date_of_birth: Some(req.date_of_birth.to_string()),
    };
    merchant.decide(&user_id, (application_id, Some(prequal_id.clone())), now)?;
    let prequal = Prequal {
        id: prequal_id,
        user_id,
    };
    let data = prequalification(merchant, &prequal)?;
    merchant.add_prequal(prequal);
    Ok(Json(types::PrequalificationResponse { data }))
}

async fn prequal_complete(
    State(s): State<AppState>,
    m: Merchant,
    Body(req): Body<types::PrequalCompleteRequest>,
) -> ApiResult<Json<types::PrequalificationResponse>> {
    let store = s.store().await;
    let merchant = store.merchant_ref(&m.id);
    let prequal = merchant.prequal(&req.prequal_id).cloned().ok_or_else(|| {
        ApiError::new(Code::PrequalNotFound, "prequalId: no such prequalification")
    })?;
    check_routing("bankAccount.routing", &req.bank_account.routing)?;
    Ok(Json(types::PrequalificationResponse {
        data: prequalification(merchant, &prequal)?,
    }))
}

async fn auth_code(
    State(s): State<AppState>,
    m: Merchant,
    Path(user_id): Path<String>,
) -> ApiResult<Json<types::AuthCodeResponse>> {
    let mut store = s.store().await;
    store.merchant_ref(&m.id).user(&user_id)?;
    let code = store.next_id("auth-code", 43);
    drop(store);
    // FlexSDK: the code opens the payment modal signed in as this customer.
    s.sdk().remember_auth_code(&code, &m.id, &user_id);
    Ok(Json(types::AuthCodeResponse { code }))
}

async fn refund(
    State(s): State<AppState>,
    m: Merchant,
    Path(id): Path<String>,
    Body(req): Body<types::RefundRequest>,
) -> ApiResult<Json<types::RefundResponse>> {
    if req.items.is_empty() {
        return Err(ApiError::validation("items: at least one item is required"));
    }
    let mut lines = Vec::new();
    for (n, i) in req.items.iter().enumerate() {
        let credit = |f: &str, d: &Option<types::Dollars>| match d {
            Some(d) => amount(&format!("items[{n}].{f}"), d),
            None => Ok(Decimal::ZERO),
        };
        let line = u32::try_from(i.line_number.get())
            .map_err(|_| ApiError::validation(format!("items[{n}].lineNumber: too large")))?;
        lines.push((
            line,
            i.sku.to_string(),
            credit("itemCredit", &i.item_credit)?,
            credit("shippingCredit", &i.shipping_credit)?,
        ));
    }
    let refunded = s.store().await.merchant(&m.id).refund(&id, &lines)?;
    Ok(Json(types::RefundResponse {
        data: types::RefundResult {
            refunded: refunded
                .into_iter()
                .map(|(sku, line)| types::RefundedLine {
                    sku,
                    line_number: i64::from(line),
                })
                .collect(),
        },
    }))
}
