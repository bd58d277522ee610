//! Payment methods, tokenization keys and ACH verification.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use flexshopper_api::types;

use super::decisions::check_routing;
use crate::app::{AppState, Body, Customer, Merchant, Path};
use crate::error::{ApiError, ApiResult, Code};
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

/// What identifies a payment method, and how it is shown.
struct NewMethod {
    kind: &'static str,
    brand: Option<String>,
    last_four: String,
    /// cardType+lastFour or a hash of routing+account: what makes two methods the same.
    identity: String,
}

/// An ACH account, refused the way FlexShopper refuses banks: a routing number failing
/// the ABA checksum (InvalidRoutingNumber), a deny-listed bank (11505 "Bank is not
/// accepted"), an account that must be verified first (11506 "Bank requires
/// verification", until verifyACH accepted it).
fn bank_account(
    m: &crate::store::Merchant,
    user_id: &str,
    ach: &types::AchAccount,
) -> ApiResult<NewMethod> {
    let (routing, account) = (&*ach.routing, &*ach.account);
    if scenarios::routing_number_problem(routing) == Some(scenarios::BANK_NOT_ACCEPTED) {
        return Err(ApiError::new(Code::BankNotAccepted, "Bank is not accepted"));
    }
    check_routing("ach.routing", routing)?;
    let identity = format!("ach:{}", sha_hex(&format!("{routing}:{account}")));
    if scenarios::account_requires_verification(account)
        && !m
            .verified_accounts
            .contains_key(&(user_id.to_owned(), identity.clone()))
    {
        return Err(ApiError::new(
            Code::BankRequiresVerification,
            "Bank requires verification",
        ));
    }
    let last_four = account[account.len().saturating_sub(4)..].to_owned();
    Ok(NewMethod {
        kind: "ach",
        brand: None,
        last_four,
        identity,
    })
}

/// A tokenized card; lastFour 0003 cannot be the primary method (11503).
fn card(card: &types::CardToken, primary: bool) -> ApiResult<NewMethod> {
    let brand = enum_name(&card.card_type);
    let last_four = card
        .last_four
        .as_ref()
        .map(|l| l.to_string())
        .unwrap_or_default();
    if primary && scenarios::card_not_primary_eligible(&last_four) {
        return Err(ApiError::new(
            Code::NotPrimaryEligible,
            "Payment method is not primary eligible",
        ));
    }
    let identity = if last_four.is_empty() {
        format!(
            "card:{}",
            sha_hex(&serde_json::to_string(&card.token).unwrap_or_default())
        )
    } else {
        format!("card:{brand}:{last_four}")
    };
    Ok(NewMethod {
        kind: "card",
        brand: Some(brand),
        last_four,
        identity,
    })
}

async fn add_payment_method(
    State(s): State<AppState>,
    c: Customer,
    Body(req): Body<types::AddPaymentMethodRequest>,
) -> ApiResult<(StatusCode, Json<types::EmptyDataResponse>)> {
    let mut store = s.store().await;
    let id = store.next_id("payment-method", 24);
    let merchant = store.merchant(&c.merchant);
    let new = match (&req.ach, &req.token) {
        (Some(ach), None) => bank_account(merchant, &c.user_id, ach)?,
        (None, Some(token)) => card(token, req.primary)?,
        _ => {
            return Err(ApiError::validation(
                "body: exactly one of `ach` and `token` is required",
            ));
        }
    };
    if merchant
        .payment_methods_of(&c.user_id)
        .any(|p| p.identity == new.identity)
    {
        return Err(ApiError::new(
            Code::DuplicatePaymentMethod,
            "The customer already has this payment method",
        ));
    }
    let first = merchant.payment_methods_of(&c.user_id).next().is_none();
    if req.primary {
        merchant.set_primary_method(&c.user_id, None);
    }
    merchant.add_payment_method(PaymentMethod {
        id,
        user_id: c.user_id.clone(),
        kind: new.kind,
        card_brand: new.brand,
        last_four: new.last_four,
        label: req.label.to_string(),
        primary: req.primary || first,
        identity: new.identity,
    });
    Ok((
        StatusCode::CREATED,
        Json(types::EmptyDataResponse {
            data: types::EmptyObject(Default::default()),
        }),
    ))
}

async fn child_key(State(s): State<AppState>, _m: Merchant) -> Json<types::ChildKeyResponse> {
    let hex = s.store().await.next_id("child-key", 32);
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
    let store = s.store().await;
    let data = store
        .merchant_ref(&c.merchant)
        .payment_methods_of(&c.user_id)
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
    let mut store = s.store().await;
    let merchant = store.merchant(&m.id);
    merchant.user(&user_id)?;
    let ok = scenarios::routing_number_problem(&req.routing_number).is_none();
    if ok {
        // An account that "requires verification" can be added once verified.
        let identity = format!(
            "ach:{}",
            sha_hex(&format!(
                "{}:{}",
                &*req.routing_number, &*req.account_number
            ))
        );
        merchant.verified_accounts.insert((user_id, identity), ());
    }
    Ok(Json(types::VerifyAchResponse {
        data: types::AchVerification {
            account_response_code: Some(if ok { "_5555" } else { "_1111" }.into()),
            status: ok,
        },
    }))
}
