//! A local FlexSDK: the browser side of FlexShopper's Payment Plugin (PP3, seed 004),
//! served the way localstripe serves a fake Stripe.js.
//!
//! - `GET /sdk/js?authKey=AUTH_KEY`: the script defining `window.FlexSDK`; an unknown key
//!   answers 401, so the page's `script.onerror` fires.
//! - `POST /sdk/transactions` (called by the script): validates the `createOrder` options
//!   with `spec/flexsdk/create-order.schema.json` and opens a checkout for the merchant the
//!   auth key is bound to.
//! - `GET|POST /sdk/modal/{checkout}`: the modal's screens (email → passcode or profile →
//!   personal → banking → decision → lease → signed), server-rendered forms that drive the
//!   sandbox's own `/v3` operations with the merchant's API key.
//! - `GET|POST /__sandbox/auth-keys`: auth key → API key bindings at run time.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use axum::body::Body;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use jsonschema::{Draft, Validator};
use serde::Deserialize;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::app::{AppState, Path, normalize};
use crate::error::ApiError;

mod screens;

use screens::render;

const SCRIPT: &str = include_str!("flexsdk.js");

/// JSON Schema of the `createOrder` options (`actions.transaction.create`).
pub const CREATE_ORDER_SCHEMA: &str = include_str!("../../spec/flexsdk/create-order.schema.json");
/// JSON Schema of the data `onSign` receives.
pub const ON_SIGN_SCHEMA: &str = include_str!("../../spec/flexsdk/on-sign.schema.json");

/// The IP address recorded as the signer's: the modal is served on loopback.
const SIGNER_IP: &str = "127.0.0.1";

/// FlexSDK browser sessions: auth codes from the waterfall, open checkouts. They live in
/// memory even with a data file (minutes-long sessions a restart ends); the auth key
/// bindings are in the store.
#[derive(Debug, Default)]
pub struct SdkState {
    /// auth code → (merchant id, user id); single use.
    auth_codes: HashMap<String, (String, String)>,
    checkouts: HashMap<String, Checkout>,
    next: u64,
}

impl SdkState {
    /// Remembers a waterfall auth code (`POST /v3/users/{id}/auth-code`) so that the
    /// modal opened with it is signed in as that customer.
    pub fn remember_auth_code(&mut self, code: &str, merchant_id: &str, user_id: &str) {
        self.auth_codes.insert(
            code.to_owned(),
            (merchant_id.to_owned(), user_id.to_owned()),
        );
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    Email,
    Passcode,
    Profile,
    Personal,
    Banking,
    Approved,
    Denied,
    Pending,
    Lease,
    Signed,
}

impl Screen {
    fn name(self) -> &'static str {
        match self {
            Screen::Email => "email",
            Screen::Passcode => "passcode",
            Screen::Profile => "profile",
            Screen::Personal => "personal",
            Screen::Banking => "banking",
            Screen::Approved => "decision-approved",
            Screen::Denied => "decision-denied",
            Screen::Pending => "decision-pending",
            Screen::Lease => "lease",
            Screen::Signed => "signed",
        }
    }
}

/// One shopper's pass through the modal for one `createOrder`.
#[derive(Debug, Clone)]
struct Checkout {
    id: String,
    api_key: String,
    transaction_id: String,
    /// `createOrder`'s items as `/v3/leases` takes them.
    items: Value,
    screen: Screen,
    error: Option<String>,
    email: Option<String>,
    user_id: Option<String>,
    token: Option<String>,
    phone: Option<String>,
    personal: BTreeMap<String, String>,
    spending_limit: Option<Value>,
    lease: Option<Value>,
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sdk/js", get(script))
        .route(
            "/sdk/transactions",
            axum::routing::post(create_checkout).options(preflight),
        )
        .route("/sdk/modal/{checkout}", get(modal).post(submit))
}

/// `/__sandbox/auth-keys`: admin routes, mounted behind the admin guard by
/// [`crate::admin::routes`] (binding an auth key decides whose transactions the
/// browser creates).
pub fn admin_routes() -> Router<AppState> {
    Router::new().route(
        "/__sandbox/auth-keys",
        get(list_auth_keys).post(bind_auth_key),
    )
}

fn javascript(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

async fn script(State(s): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Response {
    let key = q.get("authKey").map(|k| k.trim()).unwrap_or_default();
    let problem = if key.is_empty() {
        Some("authKey: the query parameter is required")
    } else if s.store().await.auth_key(key).is_none() {
        Some(
            "authKey: unknown authorization key; bind it to an API key with \
             --auth-key AUTH_KEY=API_KEY or POST /__sandbox/auth-keys",
        )
    } else {
        None
    };
    match problem {
        // A non-2xx answer makes the browser fire the script element's `error` event.
        Some(msg) => javascript(
            StatusCode::UNAUTHORIZED,
            format!("throw new Error({});\n", Value::from(msg)),
        ),
        None => javascript(StatusCode::OK, SCRIPT.to_owned()),
    }
}

fn cors(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    resp
}

async fn preflight() -> Response {
    cors(StatusCode::NO_CONTENT.into_response())
}

/// A refusal of `createOrder` in FlexShopper's envelope; `data.field` names the field.
fn refuse(status: StatusCode, field: &str, reason: &str) -> Response {
    cors(
        ApiError::validation(format!("{field}: {reason}"))
            .with_data(json!({ "field": field }))
            .with_status(status)
            .into_response(),
    )
}

fn create_order_schema() -> &'static Validator {
    static SCHEMA: OnceLock<Validator> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let schema: Value =
            serde_json::from_str(CREATE_ORDER_SCHEMA).expect("create-order.schema.json is JSON");
        jsonschema::options()
            .with_draft(Draft::Draft7)
            .build(&schema)
            .expect("create-order.schema.json compiles")
    })
}

/// Checks `createOrder` options against the schema; `Err((field, reason))`.
pub fn validate_create_order(order: &Value) -> Result<(), (String, String)> {
    flexshopper_conformance::check::refusal(create_order_schema(), order, "options").map_err(|r| {
        let reason = if r.keyword == "schema" && r.reason.contains("oneOf") {
            "expected a whole number from 1 to 100000".to_owned()
        } else {
            r.reason
        };
        (r.field, reason)
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewCheckout {
    auth_key: String,
    #[serde(default)]
    auth_code: Option<String>,
    order: Value,
}

async fn create_checkout(State(s): State<AppState>, body: axum::body::Bytes) -> Response {
    let req: NewCheckout = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, "body", &e.to_string()),
    };
    let Some(api_key) = s.store().await.auth_key(req.auth_key.trim()).cloned() else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "authKey",
            "unknown authorization key",
        );
    };
    if let Err((field, reason)) = validate_create_order(&req.order) {
        return refuse(StatusCode::BAD_REQUEST, &field, &reason);
    }
    let mut order = req.order;
    normalize(&mut order);
    let transaction_id = order["transactionId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let merchant_id = crate::merchant_id(&api_key);
    {
        let mut store = s.store().await;
        let merchant = store.merchant(&merchant_id);
        if let Ok(t) = merchant.transaction(&transaction_id)
            && merchant.transaction_signed(t)
        {
            return refuse(
                StatusCode::CONFLICT,
                "transactionId",
                "this transaction already has a signed lease; use a new transactionId",
            );
        }
    }
    let mut checkout = Checkout {
        id: String::new(),
        api_key,
        transaction_id: transaction_id.clone(),
        items: lease_items(&order),
        screen: Screen::Email,
        error: None,
        email: None,
        user_id: None,
        token: None,
        phone: None,
        personal: BTreeMap::new(),
        spending_limit: None,
        lease: None,
    };
    if let Some(code) = req.auth_code.filter(|c| !c.trim().is_empty()) {
        let owner = s.sdk().auth_codes.remove(code.trim());
        let Some((owner_merchant, user_id)) = owner.filter(|(m, _)| *m == merchant_id) else {
            return refuse(
                StatusCode::BAD_REQUEST,
                "authCode",
                "unknown, already used, or issued to another merchant",
            );
        };
        let token = s
            .store()
            .await
            .mint_token(&owner_merchant, &user_id, s.token_ttl());
        checkout.user_id = Some(user_id);
        checkout.token = Some(token);
        signed_in(&s, &mut checkout).await;
    }
    let id = {
        let mut sdk = s.sdk();
        sdk.next += 1;
        let id = format!("chk-{:06}", sdk.next);
        checkout.id = id.clone();
        sdk.checkouts.insert(id.clone(), checkout);
        id
    };
    cors(
        (
            StatusCode::CREATED,
            Json(json!({
                "checkout": id,
                "transactionId": transaction_id,
                "modalUrl": format!("/sdk/modal/{id}"),
            })),
        )
            .into_response(),
    )
}

/// `createOrder`'s items as `/v3/leases` items (the same fields, shipping per line).
fn lease_items(order: &Value) -> Value {
    let items = order["items"].as_array().cloned().unwrap_or_default();
    Value::Array(
        items
            .into_iter()
            .map(|item| {
                let mut line = serde_json::Map::new();
                for key in [
                    "description",
                    "sku",
                    "cost",
                    "brand",
                    "condition",
                    "quantity",
                    "images",
                    "shipping",
                ] {
                    if let Some(v) = item.get(key) {
                        line.insert(key.to_owned(), v.clone());
                    }
                }
                Value::Object(line)
            })
            .collect(),
    )
}

/// Calls the sandbox's own `/v3` API (through the request gate) as the
/// checkout's merchant; `Err` is the error message FlexShopper's envelope carries.
async fn call(
    s: &AppState,
    c: &Checkout,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    // The same gate as every /v3 request: authentication, journal, faults, contract.
    let api = crate::api::routes()
        .route_layer(axum::middleware::from_fn_with_state(
            s.clone(),
            crate::gate::layer,
        ))
        .with_state(s.clone());
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, c.api_key.as_str());
    if let Some(token) = &c.token {
        req = req.header("customer-token", token.as_str());
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .map_err(|e| e.to_string())?;
    let resp = match api.oneshot(req).await {
        Ok(resp) => resp,
        Err(never) => match never {},
    };
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 22)
        .await
        .map_err(|e| e.to_string())?;
    let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if status.is_success() {
        Ok(value)
    } else {
        Err(value
            .pointer("/error/message")
            .and_then(Value::as_str)
            .or(value["message"].as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| format!("the sandbox answered {status}")))
    }
}

/// After a sign-in (passcode or auth code): the customer's decision picks the screen.
async fn signed_in(s: &AppState, c: &mut Checkout) {
    match call(s, c, Method::GET, "/v3/users/me", None).await {
        Ok(user) => {
            let data = &user["data"];
            if let Some(phone) = data["mobilePhone"].as_str() {
                c.phone = Some(phone.to_owned());
            }
            if c.email.is_none() {
                c.email = data["email"].as_str().map(str::to_owned);
            }
            decided(c, &data["decision"]);
            if c.screen == Screen::Pending && data["decision"].is_null() {
                c.screen = Screen::Personal;
            }
        }
        Err(e) => c.error = Some(e),
    }
}

fn decided(c: &mut Checkout, decision: &Value) {
    c.screen = match decision["status"].as_str() {
        Some("approved") => {
            c.spending_limit = Some(decision["spendingLimit"].clone());
            Screen::Approved
        }
        Some("denied") => Screen::Denied,
        _ => Screen::Pending,
    };
}

#[derive(Debug, Deserialize)]
struct CheckoutId {
    checkout: String,
}

fn unknown_checkout() -> Response {
    ApiError::plain(
        StatusCode::NOT_FOUND,
        "checkout: unknown; open the modal with FlexSDK.Button",
    )
    .into_response()
}

async fn modal(State(s): State<AppState>, Path(p): Path<CheckoutId>) -> Response {
    match s.sdk().checkouts.get(&p.checkout) {
        Some(c) => Html(render(c)).into_response(),
        None => unknown_checkout(),
    }
}

async fn submit(
    State(s): State<AppState>,
    Path(p): Path<CheckoutId>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Some(mut c) = s.sdk().checkouts.get(&p.checkout).cloned() else {
        return unknown_checkout();
    };
    // A stale form (back button, double click) does not act on another screen.
    if form.get("screen").map(String::as_str) == Some(c.screen.name()) {
        c.error = None;
        if let Err(e) = step(&s, &mut c, &form).await {
            c.error = Some(e);
        }
        s.sdk().checkouts.insert(c.id.clone(), c);
    }
    Redirect::to(&format!("/sdk/modal/{}", p.checkout)).into_response()
}

/// A form field, trimmed; an error naming it when empty.
fn required<'a>(form: &'a HashMap<String, String>, name: &str) -> Result<&'a str, String> {
    form.get(name)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("{name}: required"))
}

fn digits(form: &HashMap<String, String>, name: &str, len: usize) -> Result<String, String> {
    let v: String = required(form, name)?
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    if v.len() == len && v.bytes().all(|b| b.is_ascii_digit()) {
        Ok(v)
    } else {
        Err(format!("{name}: expected {len} digits"))
    }
}

async fn step(
    s: &AppState,
    c: &mut Checkout,
    form: &HashMap<String, String>,
) -> Result<(), String> {
    match c.screen {
        Screen::Email => {
            let email = required(form, "email")?.to_owned();
            if !email.contains('@') || email.starts_with('@') || email.ends_with('@') {
                return Err("email: enter an email address such as jane@example.com".into());
            }
            let merchant = crate::merchant_id(&c.api_key);
            let existing = s
                .store()
                .await
                .merchant(&merchant)
                .user_by_email(&email)
                .map(|u| u.id.clone());
            c.email = Some(email);
            match existing {
                Some(user_id) => {
                    let path = format!("/v3/users/{user_id}/send-passcode");
                    call(
                        s,
                        c,
                        Method::POST,
                        &path,
                        Some(json!({"transport": "email"})),
                    )
                    .await?;
                    c.user_id = Some(user_id);
                    c.screen = Screen::Passcode;
                }
                None => c.screen = Screen::Profile,
            }
        }
        Screen::Passcode => {
            let passcode = required(form, "passcode")?;
            let user_id = c.user_id.clone().unwrap_or_default();
            let path = format!("/v3/users/{user_id}/passcode-login");
            let login = call(
                s,
                c,
                Method::POST,
                &path,
                Some(json!({"passcode": passcode})),
            )
            .await
            .map_err(|e| format!("passcode: {e}"))?;
            c.token = login["data"]["token"].as_str().map(str::to_owned);
            signed_in(s, c).await;
        }
        Screen::Profile => {
            let first = required(form, "firstName")?;
            let last = required(form, "lastName")?;
            let phone = digits(form, "mobilePhone", 10)?;
            let body = json!({"firstName": first, "lastName": last, "email": c.email});
            let user = call(s, c, Method::POST, "/v3/users", Some(body)).await?;
            c.user_id = user["data"]["userId"].as_str().map(str::to_owned);
            c.token = user["data"]["token"].as_str().map(str::to_owned);
            c.phone = Some(phone);
            c.screen = Screen::Personal;
        }
        Screen::Personal => {
            let mut p = BTreeMap::new();
            for name in ["street1", "city"] {
                p.insert(name.to_owned(), required(form, name)?.to_owned());
            }
            let region = required(form, "regionAbbr")?.to_ascii_uppercase();
            if region.len() != 2 || !region.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err("regionAbbr: expected a two-letter state code such as FL".into());
            }
            p.insert("regionAbbr".into(), region);
            p.insert("postalCode".into(), digits(form, "postalCode", 5)?);
            let dob = required(form, "dob")?;
            if chrono::NaiveDate::parse_from_str(dob, "%Y-%m-%d").is_err() {
                return Err("dob: expected a date as YYYY-MM-DD".into());
            }
            p.insert("dob".into(), dob.to_owned());
            p.insert("ssn".into(), digits(form, "ssn", 9)?);
            let income = required(form, "monthlyIncome")?;
            if !income
                .parse::<f64>()
                .is_ok_and(|v| v.is_finite() && v >= 0.0)
            {
                return Err("monthlyIncome: expected an amount in dollars such as 3200".into());
            }
            p.insert("monthlyIncome".into(), income.to_owned());
            let frequency = required(form, "payFrequency")?;
            if !["weekly", "biweekly", "semimonthly", "monthly"].contains(&frequency) {
                return Err(
                    "payFrequency: expected weekly, biweekly, semimonthly or monthly".into(),
                );
            }
            p.insert("payFrequency".into(), frequency.to_owned());
            if c.phone.is_none() {
                c.phone = Some(digits(form, "mobilePhone", 10)?);
            }
            if form.get("legal-terms").is_none() {
                return Err("legal-terms: accept the terms to continue".into());
            }
            c.personal = p;
            c.screen = Screen::Banking;
        }
        Screen::Banking => {
            let routing = required(form, "routingNumber")?;
            if crate::scenarios::routing_number_problem(routing).is_some() {
                return Err("We do not accept this bank".into());
            }
            let account = required(form, "accountNumber")?;
            if !(4..=17).contains(&account.len()) || !account.bytes().all(|b| b.is_ascii_digit()) {
                return Err("accountNumber: expected 4 to 17 digits".into());
            }
            if required(form, "confirmAccountNumber")? != account {
                return Err("confirmAccountNumber: does not match the account number".into());
            }
            let p = &c.personal;
            let income: f64 = p["monthlyIncome"].parse().unwrap_or_default();
            let body = json!({
                "street1": p["street1"], "city": p["city"], "regionAbbr": p["regionAbbr"],
                "postalCode": p["postalCode"], "country": "US", "mobilePhone": c.phone,
                "dateOfBirth": p["dob"], "ssn": p["ssn"],
                "employmentInformation": {"monthlyIncome": income, "payFrequency": p["payFrequency"]},
                "bankAccount": {"routing": routing, "account": account, "type": "checking"},
            });
            let user = call(s, c, Method::POST, "/v3/users/me/apply", Some(body)).await?;
            decided(c, &user["data"]["decision"]);
        }
        Screen::Approved => {
            let body = json!({"transactionId": c.transaction_id, "items": c.items});
            let lease = call(s, c, Method::POST, "/v3/leases", Some(body)).await?;
            c.lease = Some(lease["data"].clone());
            c.screen = Screen::Lease;
        }
        Screen::Lease => {
            let lease_id = c
                .lease
                .as_ref()
                .and_then(|l| l["leaseId"].as_str())
                .unwrap_or_default()
                .to_owned();
            let path = format!("/v3/leases/{lease_id}/sign");
            let body = json!({"ipAddress": SIGNER_IP, "signed": true});
            call(s, c, Method::POST, &path, Some(body)).await?;
            c.screen = Screen::Signed;
        }
        Screen::Denied | Screen::Pending | Screen::Signed => {}
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Binding {
    auth_key: String,
    api_key: String,
}

/// `POST /__sandbox/auth-keys {"authKey", "apiKey"}`: binds an auth key at run time.
async fn bind_auth_key(State(s): State<AppState>, Json(b): Json<Binding>) -> Response {
    let (auth, api) = (b.auth_key.trim(), b.api_key.trim());
    if auth.is_empty() || api.is_empty() {
        return ApiError::validation("authKey, apiKey: both are required and non-empty")
            .into_response();
    }
    s.store().await.bind_auth_key(auth, api);
    Json(json!({"authKey": auth, "merchant": crate::merchant_id(api)})).into_response()
}

/// `GET /__sandbox/auth-keys`: the bound auth keys and their merchants (never API keys).
async fn list_auth_keys(State(s): State<AppState>) -> Json<Value> {
    let keys: Vec<Value> = s
        .store()
        .await
        .auth_keys()
        .into_iter()
        .map(|(auth, api)| json!({"authKey": auth, "merchant": crate::merchant_id(api)}))
        .collect();
    Json(json!({ "authKeys": keys }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_order() -> Value {
        json!({"cost": 120.34, "transactionId": "ABC-129384", "items": [{
            "description": "Macbook Pro 13", "sku": "ABC123", "cost": 120.34, "brand": "Apple",
            "condition": "new", "quantity": 1,
            "shipping": {"cost": 10.33, "date": "2026-12-01T23:00:00.000Z", "method": "UPS"}}]})
    }

    #[test]
    fn the_seed_snippet_is_a_valid_create_order() {
        assert_eq!(validate_create_order(&seed_order()), Ok(()));
    }

    #[test]
    fn a_missing_item_field_is_named() {
        let mut order = seed_order();
        order["items"][0]["shipping"]
            .as_object_mut()
            .unwrap()
            .remove("method");
        let (field, reason) = validate_create_order(&order).unwrap_err();
        assert_eq!(field, "items[0].shipping.method");
        assert_eq!(reason, "is required");
    }

    #[test]
    fn a_fractional_quantity_is_refused_and_a_magento_string_accepted() {
        let mut order = seed_order();
        order["items"][0]["quantity"] = json!("2.0000");
        assert_eq!(validate_create_order(&order), Ok(()));
        order["items"][0]["quantity"] = json!(1.5);
        let (field, reason) = validate_create_order(&order).unwrap_err();
        assert_eq!(field, "items[0].quantity");
        assert!(reason.contains("whole number"), "{reason}");
    }
}
