//! The legacy API: passcode login, identity questions, routing numbers, hosted checkout.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use flexshopper_api::types;
use rust_decimal::Decimal;

use super::{amount, lease_items};
use crate::app::{AppState, Body, Customer, Merchant, Path};
use crate::error::{ApiError, ApiResult, Code};
use crate::scenarios;
use crate::store::Checkout;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v3/users/{user_id}/send-passcode", post(request_passcode))
        .route(
            "/v3/users/{user_id}/passcode-login",
            post(login_with_passcode),
        )
        .route("/v3/users/me/verify-questions", get(verification_questions))
        .route("/v3/users/me/verify-answers", post(verify_answers))
        .route(
            "/v3/routing-numbers/{routing_number}",
            get(validate_routing_number),
        )
        // Documented as GET with a JSON body; POST is what the spec uses.
        .route("/v3/checkout", post(checkout))
}

async fn request_passcode(
    State(s): State<AppState>,
    m: Merchant,
    Path(user_id): Path<String>,
    Body(_req): Body<types::SendPasscodeRequest>,
) -> ApiResult<Json<types::SendPasscodeResponse>> {
    let mut store = s.store().await;
    // Six random digits; read it with GET /__sandbox/passcodes/{userId}.
    let passcode = store.random_digits(6);
    store.merchant(&m.id).user_mut(&user_id)?.passcode = Some(passcode);
    Ok(Json(types::SendPasscodeResponse {
        data: types::EmptyObject(Default::default()),
        status: Some(200),
    }))
}

async fn login_with_passcode(
    State(s): State<AppState>,
    m: Merchant,
    Path(user_id): Path<String>,
    Body(req): Body<types::PasscodeLoginRequest>,
) -> ApiResult<Json<types::TokenResponse>> {
    let ttl = s.token_ttl();
    let mut store = s.store().await;
    let user = store.merchant(&m.id).user_mut(&user_id)?;
    if user.passcode.as_deref() != Some(req.passcode.as_str()) {
        return Err(ApiError::new(
            Code::InvalidPasscode,
            "passcode: wrong or already used",
        ));
    }
    // Single use.
    user.passcode = None;
    let token = store.mint_token(&m.id, &user_id, ttl);
    Ok(Json(types::TokenResponse {
        data: types::Token { token },
    }))
}

const QUESTION_SET: &str = "kba-sandbox-questions";

async fn verification_questions(
    State(s): State<AppState>,
    c: Customer,
) -> ApiResult<Json<types::VerificationQuestionsResponse>> {
    let mut store = s.store().await;
    let user = store.merchant(&c.merchant).user(&c.user_id)?;
    if user.verification_status != Some("pending") {
        return Err(ApiError::new(
            Code::VerificationNotPending,
            "The customer has no pending identity verification",
        ));
    }
    let questions = scenarios::kba_questions()
        .into_iter()
        .map(|(id, label, choices)| types::VerificationQuestion {
            id,
            label,
            choices: choices
                .into_iter()
                .map(|(id, label)| types::VerificationChoice { id, label })
                .collect(),
        })
        .collect();
    Ok(Json(types::VerificationQuestionsResponse {
        data: types::VerificationQuestions {
            id: QUESTION_SET.into(),
            questions,
        },
    }))
}

async fn verify_answers(
    State(s): State<AppState>,
    c: Customer,
    Body(req): Body<types::VerifyAnswersRequest>,
) -> ApiResult<Json<types::VerifyAnswersResponse>> {
    if *req.id != QUESTION_SET {
        return Err(ApiError::new(
            Code::VerificationNotPending,
            "id: no identity verification with this question set is pending",
        ));
    }
    let answers: Vec<(String, String)> = req
        .answers
        .iter()
        .map(|a| (a.question_id.to_string(), a.choice_id.to_string()))
        .collect();
    let mut store = s.store().await;
    let now = store.now();
    let status = store
        .merchant(&c.merchant)
        .answer_kba(&c.user_id, &answers, now)?;
    Ok(Json(types::VerifyAnswersResponse {
        data: types::VerificationResult {
            verification_status: status.into(),
        },
    }))
}

async fn validate_routing_number(
    _m: Merchant,
    Path(routing): Path<String>,
) -> Json<types::RoutingNumberValidationResponse> {
    let reason = scenarios::routing_number_problem(&routing);
    Json(types::RoutingNumberValidationResponse {
        data: types::RoutingNumberValidation {
            bank_name: scenarios::bank_name(&routing).map(Into::into),
            reason: reason.map(Into::into),
            valid: reason.is_none(),
            routing_number: routing,
        },
    })
}

async fn checkout(
    State(s): State<AppState>,
    m: Merchant,
    Body(req): Body<types::CheckoutRequest>,
) -> ApiResult<Json<types::CheckoutResponse>> {
    let (items, item_shipping) = lease_items(&req.items)?;
    let shipping = match req.shipping.as_ref().and_then(|s| s.cost.as_ref()) {
        Some(c) => amount("shipping.cost", c)?,
        None => Decimal::ZERO,
    } + item_shipping;
    if let Some(customer) = &req.customer {
        super::users::check_email("customer.email", &customer.email)?;
    }
    let computed: Decimal = items
        .iter()
        .map(|i| i.cost * Decimal::from(i.quantity))
        .sum::<Decimal>()
        + shipping;
    let total = match &req.total {
        Some(t) => amount("total", t)?,
        None => computed,
    };
    let mut store = s.store().await;
    let id = store.next_id("checkout", 24);
    store.merchant(&m.id).checkouts.push(Checkout {
        id: id.clone(),
        transaction_id: req.transaction_id.to_string(),
        total,
    });
    Ok(Json(types::CheckoutResponse {
        data: types::CheckoutSession {
            redirect_uri: format!("https://pay.sandbox.flexshopper.com/?id={id}"),
            id,
        },
    }))
}
