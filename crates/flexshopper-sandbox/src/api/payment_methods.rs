//! Payment methods, tokenization keys and ACH verification.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use flexshopper_api::types;

use super::decisions::check_routing;
use crate::app::{AppState, Body, Customer, Merchant, Path};
use crate::error::{ApiError, ApiResult};
use crate::scenarios;
use crate::store::{PaymentMethod, sha_hex};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v3/paymentMethods/add", post(add_payment_method))
        .route("/v3/paymentMethods/child-transaction-key", post(child_key))
        .route("/v3/gateways/clover/pkms", get(clover_pkms))
        .route(
            "/v3/customers/me/payment-methods",
            get(list_payment_methods),
        )
        .route("/v3/paymentMethods/{user_id}/verifyACH", post(verify_ach))
}

fn enum_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

async fn add_payment_method(
    State(s): State<AppState>,
    c: Customer,
    Body(req): Body<types::AddPaymentMethodRequest>,
) -> ApiResult<(StatusCode, Json<types::EmptyDataResponse>)> {
    let (kind, brand, last_four, identity) = match (&req.ach, &req.token) {
        (Some(ach), None) => {
            check_routing("ach.routing", &ach.routing)?;
            let last4: String = ach
                .account
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            (
                "ach",
                None,
                last4,
                format!(
                    "ach:{}",
                    sha_hex(&format!("{}:{}", &*ach.routing, &*ach.account))
                ),
            )
        }
        (None, Some(card)) => {
            let brand = enum_name(&card.card_type);
            let last4 = card
                .last_four
                .as_ref()
                .map(|l| l.to_string())
                .unwrap_or_default();
            if last4 == "0003" && req.primary {
                return Err(ApiError::numeric(
                    StatusCode::BAD_REQUEST,
                    11503,
                    "Payment method is not primary eligible",
                ));
            }
            if last4 == "0005" {
                return Err(ApiError::numeric(
                    StatusCode::BAD_REQUEST,
                    11505,
                    "Payment method was declined",
                ));
            }
            let identity = if last4.is_empty() {
                format!(
                    "card:{}",
                    sha_hex(&serde_json::to_string(&card.token).unwrap_or_default())
                )
            } else {
                format!("card:{brand}:{last4}")
            };
            ("card", Some(brand), last4, identity)
        }
        _ => {
            return Err(ApiError::validation(
                "body: exactly one of `ach` and `token` is required",
            ));
        }
    };
    let mut store = s.store();
    let id = store.next_id("payment-method", 24);
    let merchant = store.merchant(&c.merchant);
    let mine = |p: &&mut PaymentMethod| p.user_id == c.user_id;
    if merchant
        .payment_methods
        .iter()
        .any(|p| p.user_id == c.user_id && p.identity == identity)
    {
        return Err(ApiError::numeric(
            StatusCode::BAD_REQUEST,
            11506,
            "Payment method already exists",
        ));
    }
    let first = !merchant
        .payment_methods
        .iter()
        .any(|p| p.user_id == c.user_id);
    if req.primary {
        merchant
            .payment_methods
            .iter_mut()
            .filter(mine)
            .for_each(|p| p.primary = false);
    }
    merchant.payment_methods.push(PaymentMethod {
        id,
        user_id: c.user_id.clone(),
        kind,
        card_brand: brand,
        last_four,
        label: req.label.to_string(),
        primary: req.primary || first,
        identity,
    });
    Ok((
        StatusCode::CREATED,
        Json(types::EmptyDataResponse {
            data: types::EmptyObject(Default::default()),
        }),
    ))
}

async fn child_key(State(s): State<AppState>, _m: Merchant) -> Json<types::ChildKeyResponse> {
    let hex = s.store().next_id("child-key", 32);
    Json(types::ChildKeyResponse {
        child_key: format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        ),
        status: Some("Success".into()),
    })
}

async fn clover_pkms(_m: Merchant) -> Json<types::CloverPkmsResponse> {
    Json(types::CloverPkmsResponse {
        data: "sandbox-clover-pkms-key".into(),
    })
}

async fn list_payment_methods(
    State(s): State<AppState>,
    c: Customer,
) -> ApiResult<Json<types::PaymentMethodsResponse>> {
    let mut store = s.store();
    let merchant = store.merchant(&c.merchant);
    let data = merchant
        .payment_methods
        .iter()
        .filter(|p| p.user_id == c.user_id)
        .map(|p| types::PaymentMethod {
            card_brand: p.card_brand.clone(),
            first_six: None,
            id: p.id.clone(),
            label: Some(p.label.clone()),
            last_four: Some(p.last_four.clone()),
            primary: Some(p.primary),
            type_: p.kind.into(),
        })
        .collect();
    Ok(Json(types::PaymentMethodsResponse { data }))
}

async fn verify_ach(
    State(s): State<AppState>,
    m: Merchant,
    Path(user_id): Path<String>,
    Body(req): Body<types::VerifyAchRequest>,
) -> ApiResult<Json<types::VerifyAchResponse>> {
    s.store().merchant(&m.id).user(&user_id)?;
    let ok = scenarios::routing_number_problem(&req.routing_number).is_none();
    Ok(Json(types::VerifyAchResponse {
        data: types::AchVerification {
            account_response_code: Some(if ok { "_5555" } else { "_1111" }.into()),
            status: ok,
        },
    }))
}
