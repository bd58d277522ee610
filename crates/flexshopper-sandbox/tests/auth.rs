//! Authentication as FlexShopper's gateway does it.

mod common;

use std::time::Duration;

use common::*;
use flexshopper_sandbox::SandboxConfig;
use serde_json::json;

#[tokio::test]
async fn missing_api_key_is_refused_by_the_gateway() {
    let api = sandbox().await;
    let (status, body) = api
        .send("GET", "/v3/settings/lease", None, None, None)
        .await;
    assert_eq!(
        (status, body),
        (401, json!({"message": "No API key found in request"}))
    );
}

#[tokio::test]
async fn only_configured_keys_are_accepted() {
    let api = with_config(SandboxConfig::new().api_key("test-key-A").api_key("other")).await;
    assert_eq!(api.get("/v3/settings/lease").await.0, 200);
    let (status, body) = api
        .send("GET", "/v3/settings/lease", Some("wrong"), None, None)
        .await;
    assert_eq!(
        (status, body),
        (
            401,
            json!({"message": "Invalid authentication credentials"})
        )
    );
}

#[tokio::test]
async fn token_minted_under_key_a_is_refused_under_key_b() {
    let api = sandbox().await;
    let c = api.approved_customer("a@example.com").await;
    assert_eq!(api.get_as(&c, "/v3/users/me").await.0, 200);
    let (status, body) = api.with_key("test-key-B").get_as(&c, "/v3/users/me").await;
    assert_eq!((status, code(&body)), (401, json!("TokenKeyMismatch")));
}

#[tokio::test]
async fn each_key_is_its_own_merchant_with_isolated_data() {
    let api = sandbox().await;
    api.signed_lease("a@example.com", "T1").await;
    let (status, body) = api.with_key("test-key-B").get("/v3/transactions/T1").await;
    assert_eq!((status, code(&body)), (404, json!("TransactionNotFound")));
    let (_, users) = api.with_key("test-key-B").get("/v3/users").await;
    assert_eq!(users["data"]["meta"]["count"], 0);
}

#[tokio::test]
async fn unknown_missing_or_expired_customer_tokens_are_refused() {
    let api = with_config(SandboxConfig::new().token_ttl(Duration::from_secs(60))).await;
    let c = api.customer("a@example.com").await;
    let (status, body) = api
        .send("GET", "/v3/users/me", Some(&api.key), None, None)
        .await;
    assert_eq!((status, code(&body)), (401, json!("InvalidToken")));
    let (status, body) = api
        .send("GET", "/v3/users/me", Some(&api.key), Some("forged"), None)
        .await;
    assert_eq!((status, code(&body)), (401, json!("InvalidToken")));
    api.admin_post("/__sandbox/clock/advance", json!({"seconds": 61}))
        .await;
    let (status, body) = api.get_as(&c, "/v3/users/me").await;
    assert_eq!((status, code(&body)), (401, json!("InvalidToken")));
    // a fresh token for the same user works again
    let (_, t) = api.get(&format!("/v3/users/{}/authorize", c.user_id)).await;
    let fresh = Customer {
        user_id: c.user_id.clone(),
        token: t["data"]["token"].as_str().unwrap().into(),
        email: c.email,
    };
    assert_eq!(api.get_as(&fresh, "/v3/users/me").await.0, 200);
}
