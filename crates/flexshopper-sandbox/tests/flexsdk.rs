//! The FlexSDK endpoints over plain HTTP (no browser): the script and its auth key,
//! createOrder validation, the modal's screens as form posts, auth-key bindings.
//! The browser journey itself is crates/flexshopper-cli/tests/browser.rs.

mod common;

use common::*;
use flexshopper_sandbox::SandboxConfig;
use serde_json::{Value, json};

const AUTH: &str = "pk-test-auth";

async fn bound() -> Api {
    let api = with_config(SandboxConfig::new().auth_key(AUTH, "test-key-A")).await;
    assert_eq!(api.key, "test-key-A");
    api
}

fn seed_order(txn: &str) -> Value {
    json!({"cost": 120.34, "transactionId": txn, "items": [{
        "description": "Macbook Pro 13", "sku": "ABC123", "cost": 120.34, "brand": "Apple",
        "condition": "new", "quantity": 1,
        "shipping": {"cost": 10.33, "date": "2026-12-01T23:00:00.000Z", "method": "UPS"}}]})
}

async fn checkout(api: &Api, body: Value) -> (u16, Value) {
    let resp = api
        .http
        .post(api.url("/sdk/transactions"))
        .json(&body)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Posts a screen's form and returns the page the redirect leads to.
async fn submit(api: &Api, id: &str, screen: &str, fields: &[(&str, &str)]) -> String {
    let body: Vec<String> = [("screen", screen)]
        .iter()
        .chain(fields)
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect();
    api.http
        .post(api.url(&format!("/sdk/modal/{id}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.join("&"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn screen_of(page: &str) -> &str {
    page.split("data-screen=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
}

#[tokio::test]
async fn script_is_served_for_a_bound_auth_key_and_refused_otherwise() {
    let api = bound().await;
    let ok = api
        .http
        .get(api.url(&format!("/sdk/js?authKey={AUTH}")))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert!(
        ok.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(ok.text().await.unwrap().contains("window.FlexSDK"));
    for query in ["?authKey=nope", ""] {
        let refused = api
            .http
            .get(api.url(&format!("/sdk/js{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 401, "{query}");
        assert!(refused.text().await.unwrap().contains("authKey"));
    }
}

#[tokio::test]
async fn create_order_errors_name_the_field() {
    let api = bound().await;
    let mut order = seed_order("T-1");
    order["items"][0]["condition"] = json!("broken");
    let (status, body) = checkout(&api, json!({"authKey": AUTH, "order": order})).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["data"]["field"], "items[0].condition");
    let (status, body) =
        checkout(&api, json!({"authKey": "nope", "order": seed_order("T-1")})).await;
    assert_eq!(
        (status, body["error"]["data"]["field"].clone()),
        (401, json!("authKey"))
    );
    let (status, body) = checkout(&api, json!({"authKey": AUTH, "order": {"cost": 1}})).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["message"], "transactionId: is required");
}

#[tokio::test]
async fn cross_origin_pages_may_call_create_order() {
    let api = bound().await;
    let resp = api
        .http
        .request(reqwest::Method::OPTIONS, api.url("/sdk/transactions"))
        .header("Origin", "http://shop.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn modal_screens_lead_to_a_signed_lease_the_merchant_sees() {
    let api = bound().await;
    // As FlexShopper's Magento plugin sends it: Date.toString() and a numeric-string quantity.
    let mut order = seed_order("SDK-1");
    order["items"][0]["shipping"]["date"] =
        json!("Wed Dec 02 2026 00:10:00 GMT+0000 (Coordinated Universal Time)");
    order["items"][0]["quantity"] = json!("1.0000");
    let (status, created) = checkout(&api, json!({"authKey": AUTH, "order": order})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["checkout"].as_str().unwrap().to_owned();
    let page = api
        .http
        .get(api.url(&format!("/sdk/modal/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(screen_of(&page), "email");
    let page = submit(&api, &id, "email", &[("email", "amy@example.com")]).await;
    assert_eq!(screen_of(&page), "profile");
    let page = submit(
        &api,
        &id,
        "profile",
        &[
            ("firstName", "Amy"),
            ("lastName", "Lee"),
            ("mobilePhone", "5615550100"),
        ],
    )
    .await;
    assert_eq!(screen_of(&page), "personal");
    let personal = [
        ("street1", "1 Main St"),
        ("city", "Boca Raton"),
        ("regionAbbr", "fl"),
        ("postalCode", "33431"),
        ("dob", "1990-04-31"),
        ("ssn", "888776666"),
        ("monthlyIncome", "3200"),
        ("payFrequency", "monthly"),
        ("legal-terms", "on"),
    ];
    let page = submit(&api, &id, "personal", &personal).await;
    assert_eq!(screen_of(&page), "personal");
    assert!(
        page.contains("dob: expected a date as YYYY-MM-DD"),
        "{page}"
    );
    let mut fixed = personal;
    fixed[4].1 = "1990-04-30";
    let page = submit(&api, &id, "personal", &fixed).await;
    assert_eq!(screen_of(&page), "banking");
    let mismatch = [
        ("routingNumber", "021000021"),
        ("accountNumber", "123456789"),
        ("confirmAccountNumber", "123456780"),
    ];
    let page = submit(&api, &id, "banking", &mismatch).await;
    assert!(
        page.contains("confirmAccountNumber: does not match"),
        "{page}"
    );
    let page = submit(
        &api,
        &id,
        "banking",
        &[
            ("routingNumber", "021000021"),
            ("accountNumber", "123456789"),
            ("confirmAccountNumber", "123456789"),
        ],
    )
    .await;
    assert_eq!(screen_of(&page), "decision-approved");
    // A stale form for another screen changes nothing.
    let page = submit(&api, &id, "banking", &mismatch).await;
    assert_eq!(screen_of(&page), "decision-approved");
    let page = submit(&api, &id, "decision-approved", &[]).await;
    assert_eq!(screen_of(&page), "lease");
    // The contract is shown decoded (it travels base64-encoded in /v3/leases).
    assert!(
        page.contains("&lt;h1&gt;Lease-to-own agreement&lt;/h1&gt;"),
        "{page}"
    );
    let (_, t) = api.get("/v3/transactions/SDK-1").await;
    assert_eq!(t["data"]["lease"]["status"], "pending");
    // 120.34 + 10.33 shipping
    assert_eq!(t["data"]["purchaseTotal"], 13067);
    let page = submit(&api, &id, "lease", &[]).await;
    assert_eq!(screen_of(&page), "signed");
    let (_, t) = api.get("/v3/transactions/SDK-1").await;
    assert_eq!(t["data"]["lease"]["status"], "signed");
    assert!(page.contains(&format!(
        "data-lease-number=\"{}\"",
        t["data"]["lease"]["id"].as_str().unwrap()
    )));
    // The transaction id cannot be reused once signed.
    let (status, body) =
        checkout(&api, json!({"authKey": AUTH, "order": seed_order("SDK-1")})).await;
    assert_eq!(
        (status, body["error"]["data"]["field"].clone()),
        (409, json!("transactionId"))
    );
}

#[tokio::test]
async fn auth_keys_are_bound_at_run_time_and_listed_without_api_keys() {
    let api = sandbox().await;
    let (status, _) = api
        .admin_post(
            "/__sandbox/auth-keys",
            json!({"authKey": "pk-late", "apiKey": "secret-api"}),
        )
        .await;
    assert_eq!(status, 200);
    let listed = api.admin_get("/__sandbox/auth-keys").await;
    assert_eq!(listed["authKeys"][0]["authKey"], "pk-late");
    assert!(!listed.to_string().contains("secret-api"));
    let (status, _) = api
        .admin_post(
            "/__sandbox/auth-keys",
            json!({"authKey": "", "apiKey": "x"}),
        )
        .await;
    assert_eq!(status, 400);
}

#[test]
fn typescript_declarations_cover_every_schema_property() {
    let dts = include_str!("../../../spec/flexsdk/flexsdk.d.ts");
    for schema in [
        flexshopper_sandbox::flexsdk::CREATE_ORDER_SCHEMA,
        flexshopper_sandbox::flexsdk::ON_SIGN_SCHEMA,
    ] {
        let schema: Value = serde_json::from_str(schema).unwrap();
        let mut objects = vec![&schema];
        objects.extend(
            schema["definitions"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(_, v)| v),
        );
        for object in objects {
            for (name, _) in object["properties"].as_object().into_iter().flatten() {
                assert!(
                    dts.contains(&format!("  {name}:")) || dts.contains(&format!("  {name}?:")),
                    "flexsdk.d.ts lacks {name}"
                );
            }
        }
    }
}
