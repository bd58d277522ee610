//! The sandbox as a long-running service several people share: a closed admin API,
//! nothing before authentication, bounded memory, server hygiene, unpredictable tokens,
//! a clock that cannot break, strict bodies. Each test reproduces a defect of issue 9.

mod common;

use std::time::Duration;

use common::*;
use flexshopper_sandbox::{FaultRule, Limits, SandboxConfig, ServerLimits};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn raw(
    api: &Api,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, Value) {
    let mut req = api.http.request(method.parse().unwrap(), api.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.body(b.to_owned());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A JSON body (as text) posted to `/v3/users` with the test key.
async fn post_users(api: &Api, body: &str) -> (u16, Value) {
    raw(
        api,
        "POST",
        "/v3/users",
        &[
            ("authorization", "test-key-A"),
            ("content-type", "application/json"),
        ],
        Some(body),
    )
    .await
}

// ---- admin API --------------------------------------------------------------------

#[tokio::test]
async fn a_shared_sandbox_without_an_admin_token_has_no_admin_api() {
    let api = with_config(SandboxConfig::new().api_key("test-key-A")).await;
    for path in [
        "/__sandbox/state",
        "/__sandbox/journal",
        "/__sandbox/faults",
    ] {
        let (status, body) = raw(&api, "GET", path, &[], None).await;
        assert_eq!(status, 403, "{path}: {body}");
    }
    let (status, _) = raw(
        &api,
        "POST",
        "/__sandbox/faults",
        &[("content-type", "application/json")],
        Some(r#"{"status": 503, "times": 0}"#),
    )
    .await;
    assert_eq!(status, 403, "no permanent 503 for everybody");
    // The scenario table stays public.
    assert_eq!(
        raw(&api, "GET", "/__sandbox/scenarios", &[], None).await.0,
        200
    );
}

/// Binding an auth key decides whose transactions a browser creates: it is admin, not
/// public (the FlexSDK's routes once mounted it outside the admin guard).
#[tokio::test]
async fn auth_key_bindings_are_behind_the_admin_token() {
    let api = with_config(
        SandboxConfig::new()
            .api_key("test-key-A")
            .admin_token("s3cret"),
    )
    .await;
    let bind = Some(r#"{"authKey": "pub-1", "apiKey": "test-key-A"}"#);
    let json = ("content-type", "application/json");
    assert_eq!(
        raw(&api, "GET", "/__sandbox/auth-keys", &[], None).await.0,
        401
    );
    let (status, _) = raw(&api, "POST", "/__sandbox/auth-keys", &[json], bind).await;
    assert_eq!(status, 401);
    let wrong = ("authorization", "Bearer nope");
    assert_eq!(
        raw(&api, "POST", "/__sandbox/auth-keys", &[json, wrong], bind)
            .await
            .0,
        401
    );
    let right = ("authorization", "Bearer s3cret");
    let (status, body) = raw(&api, "POST", "/__sandbox/auth-keys", &[json, right], bind).await;
    assert!((200..300).contains(&status), "{status}: {body}");
    let (status, body) = raw(&api, "GET", "/__sandbox/auth-keys", &[right], None).await;
    assert_eq!(status, 200);
    assert!(body.to_string().contains("pub-1"), "{body}");
    assert!(
        !body.to_string().contains("test-key-A"),
        "API keys are never listed: {body}"
    );
}

#[tokio::test]
async fn the_admin_token_is_required_and_checked() {
    let api = with_config(
        SandboxConfig::new()
            .api_key("test-key-A")
            .admin_token("s3cret"),
    )
    .await;
    let c = api.customer("jane@example.com").await;
    let path = format!("/__sandbox/passcodes/{}", c.user_id);
    for auth in [
        None,
        Some("Bearer wrong"),
        Some("s3cret"),
        Some("Bearer s3cre"),
    ] {
        let headers: Vec<(&str, &str)> = auth.map(|a| ("authorization", a)).into_iter().collect();
        let (status, _) = raw(&api, "GET", "/__sandbox/state", &headers, None).await;
        assert_eq!(status, 401, "{auth:?}");
        assert_eq!(raw(&api, "GET", &path, &headers, None).await.0, 401);
        assert_eq!(
            raw(&api, "POST", "/__sandbox/reset", &headers, None)
                .await
                .0,
            401
        );
    }
    let ok = [("authorization", "Bearer s3cret")];
    assert_eq!(raw(&api, "GET", "/__sandbox/state", &ok, None).await.0, 200);
    // The typed client carries the token.
    let admin = api.sandbox.admin();
    assert!(
        admin.merchant_state("test-key-A").await.unwrap()["users"][0]["userId"]
            == c.user_id.as_str()
    );
}

#[tokio::test]
async fn admin_posts_must_be_json_so_a_web_page_cannot_send_them() {
    let api = sandbox().await;
    let c = api.customer("jane@example.com").await;
    for ct in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let headers: Vec<(&str, &str)> = ct.map(|c| ("content-type", c)).into_iter().collect();
        let (status, _) = raw(&api, "POST", "/__sandbox/reset", &headers, Some("{}")).await;
        assert_eq!(status, 415, "{ct:?}");
        let (status, _) = raw(
            &api,
            "POST",
            "/__sandbox/faults",
            &headers,
            Some(r#"{"status": 503}"#),
        )
        .await;
        assert_eq!(status, 415, "{ct:?}");
    }
    // Nothing was reset.
    assert_eq!(api.get_as(&c, "/v3/users/me").await.0, 200);
}

// ---- nothing before authentication --------------------------------------------------

#[tokio::test]
async fn the_fault_header_takes_effect_only_after_authentication() {
    let api = with_config(SandboxConfig::new().api_key("test-key-A")).await;
    let (status, _) = raw(
        &api,
        "GET",
        "/v3/settings/lease",
        &[("x-sandbox-fault", "status=503")],
        None,
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = raw(
        &api,
        "GET",
        "/v3/settings/lease",
        &[
            ("authorization", "wrong-key"),
            ("x-sandbox-fault", "latency=5000"),
        ],
        None,
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn unauthenticated_requests_are_not_journaled_and_create_nothing() {
    let api = with_config(SandboxConfig::new().api_key("test-key-A").admin_token("t")).await;
    let admin = api.sandbox.admin();
    let body = format!("[{}0]", "0,".repeat(100_000));
    for _ in 0..5 {
        let (status, _) = raw(
            &api,
            "POST",
            "/v3/users",
            &[("content-type", "application/json")],
            Some(&body),
        )
        .await;
        assert_eq!(status, 401);
    }
    assert!(admin.journal().await.unwrap().is_empty());
    // Without --api-key, reading with a new key creates no merchant.
    let open = sandbox().await;
    for n in 0..20 {
        let key = format!("random-key-{n}");
        assert_eq!(open.with_key(&key).get("/v3/settings/lease").await.0, 200);
        assert_eq!(open.with_key(&key).get("/v3/transactions").await.0, 200);
    }
    let state = open.sandbox.admin().state().await.unwrap();
    assert_eq!(state["merchants"], json!({}));
}

// ---- bounded memory ----------------------------------------------------------------

#[tokio::test]
async fn the_journal_is_bounded_in_bytes_and_large_bodies_are_not_kept() {
    let api = with_config(SandboxConfig::new().limits(Limits {
        journal_bytes: 256 << 10,
        ..Limits::default()
    }))
    .await;
    let admin = api.sandbox.admin();
    // Just under the 1 MiB body limit: read, refused by the contract, not kept whole.
    let body = format!("[{}0]", "0,".repeat(500_000));
    for _ in 0..40 {
        assert_eq!(post_users(&api, &body).await.0, 400);
    }
    let retention = admin.retention().await.unwrap();
    assert!(
        retention["journal"]["bytes"].as_u64().unwrap() <= 256 << 10,
        "{retention}"
    );
    let journal = admin.journal().await.unwrap();
    assert_eq!(journal.len(), 40);
    assert!(journal[0]["body"].as_str().unwrap().contains("not kept"));
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let api = sandbox().await;
    let body = "0".repeat((1 << 20) + 1);
    let (status, resp) = post_users(&api, &body).await;
    assert_eq!(status, 413, "{resp}");
}

#[tokio::test]
async fn retention_evicts_the_oldest_customers_and_merchants_and_says_so() {
    let api = with_config(SandboxConfig::new().limits(Limits {
        customers: 3,
        merchants: 4,
        ..Limits::default()
    }))
    .await;
    let admin = api.sandbox.admin();
    let first = api.customer("c0@example.com").await;
    for n in 1..5 {
        api.customer(&format!("c{n}@example.com")).await;
    }
    // The oldest customer is gone; their email can be used again.
    assert_eq!(api.get_as(&first, "/v3/users/me").await.0, 404);
    for n in 0..10 {
        let (status, body) = api
            .with_key(&format!("other-{n}"))
            .api
            .send(
                "POST",
                "/v3/users",
                Some(&format!("other-{n}")),
                None,
                Some(json!({"firstName": "A", "lastName": "B", "email": format!("x{n}@example.com")})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let r = admin.retention().await.unwrap();
    assert_eq!(r["kept"]["merchants"], 4, "{r}");
    assert!(r["kept"]["customers"].as_u64().unwrap() <= 3, "{r}");
    assert!(r["evicted"]["merchants"].as_u64().unwrap() >= 7, "{r}");
    assert!(r["evicted"]["customers"].as_u64().unwrap() >= 2, "{r}");
}

// ---- server hygiene ----------------------------------------------------------------

async fn closed_within(stream: &mut tokio::net::TcpStream, limit: Duration) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(limit, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn half_sent_requests_and_idle_connections_are_closed() {
    let api = with_config(SandboxConfig::new().server_limits(ServerLimits {
        header_read_timeout: Duration::from_millis(300),
        idle_timeout: Duration::from_millis(300),
        ..ServerLimits::default()
    }))
    .await;
    let mut half = tokio::net::TcpStream::connect(api.sandbox.addr())
        .await
        .unwrap();
    half.write_all(b"GET /v3/settings/lease HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    assert!(
        closed_within(&mut half, Duration::from_secs(5)).await,
        "half-sent request kept open"
    );
    let mut idle = tokio::net::TcpStream::connect(api.sandbox.addr())
        .await
        .unwrap();
    assert!(
        closed_within(&mut idle, Duration::from_secs(5)).await,
        "idle connection kept open"
    );
    // The server still serves.
    assert_eq!(api.get("/v3/settings/lease").await.0, 200);
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_a_free_slot() {
    let api = with_config(SandboxConfig::new().server_limits(ServerLimits {
        max_connections: 1,
        idle_timeout: Duration::from_millis(400),
        ..ServerLimits::default()
    }))
    .await;
    // Holds the only slot until its idle timeout closes it.
    let mut holder = tokio::net::TcpStream::connect(api.sandbox.addr())
        .await
        .unwrap();
    let started = std::time::Instant::now();
    assert_eq!(api.get("/v3/settings/lease").await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(closed_within(&mut holder, Duration::from_secs(5)).await);
}

// ---- randomness and the clock ---------------------------------------------------------

async fn first_ids(config: SandboxConfig) -> (String, String) {
    let api = with_config(config).await;
    let c = api.customer("jane@example.com").await;
    (c.user_id, c.token)
}

#[tokio::test]
async fn tokens_are_unpredictable_unless_a_seed_is_given() {
    let a = first_ids(SandboxConfig::new()).await;
    let b = first_ids(SandboxConfig::new()).await;
    assert_ne!(a.0, b.0);
    assert_ne!(a.1, b.1);
    // A token saved from an earlier run does not authenticate in a new one.
    let api = sandbox().await;
    api.customer("jane@example.com").await;
    let stale = Customer {
        user_id: a.0.clone(),
        token: a.1.clone(),
        email: "jane@example.com".into(),
    };
    assert_eq!(api.get_as(&stale, "/v3/users/me").await.0, 401);
    // An explicit seed gives the same ids and tokens every run.
    let s1 = first_ids(SandboxConfig::new().seed(7)).await;
    let s2 = first_ids(SandboxConfig::new().seed(7)).await;
    assert_eq!(s1, s2);
}

#[tokio::test]
async fn an_impossible_clock_advance_is_a_400_and_tokens_keep_working() {
    let api = sandbox().await;
    let admin = api.sandbox.admin();
    let c = api.customer("jane@example.com").await;
    let century = 100 * 365 * 86_400 - 86_400;
    admin.advance_clock(century).await.unwrap();
    let (status, body) = api
        .admin_post("/__sandbox/clock/advance", json!({"seconds": century}))
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = api
        .admin_post("/__sandbox/clock/advance", json!({"seconds": i64::MAX}))
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("seconds"), "{body}");
    // Token requests still answer (the token itself expired a century ago).
    let (status, body) = api.get(&format!("/v3/users/{}/authorize", c.user_id)).await;
    assert_eq!(status, 200, "{body}");
    admin.reset().await.unwrap();
}

// ---- strict bodies -------------------------------------------------------------------

#[tokio::test]
async fn a_misspelled_or_bare_selection_is_refused_and_changes_nothing() {
    let api = sandbox().await;
    api.finalized("jane@example.com", "T1").await;
    for (path, body) in [
        ("cancel", json!({"itemz": [{"sku": "TV"}]})),
        ("cancel", json!([])),
        ("confirm-shipment", json!({"itemz": [{"sku": "TV"}]})),
        ("cancel", json!({"items": [{"sku": "TV", "qty": 1}]})),
    ] {
        let (status, resp) = api
            .post(&format!("/v3/transactions/T1/{path}"), body.clone())
            .await;
        assert_eq!(status, 400, "{path} {body}: {resp}");
    }
    let (status, resp) = api
        .post("/v3/transactions/T1/cancel", json!({"itemz": []}))
        .await;
    assert_eq!(status, 400);
    assert!(resp.to_string().contains("itemz"), "{resp}");
    let state = api.txn_state("T1").await;
    assert_eq!(state["items"][0]["quantityByStatus"]["canceled"], 0);
    assert_eq!(state["items"][0]["quantityByStatus"]["shipped"], 0);
}

#[tokio::test]
async fn finalize_refuses_malformed_json() {
    let api = sandbox().await;
    api.signed_lease("jane@example.com", "T1").await;
    let (status, resp) = raw(
        &api,
        "POST",
        "/v3/transactions/T1/finalize",
        &[
            ("authorization", "test-key-A"),
            ("content-type", "application/json"),
        ],
        Some("{not json"),
    )
    .await;
    assert_eq!(status, 400, "{resp}");
    assert_eq!(api.txn_state("T1").await["finalizeCount"], 0);
}

#[tokio::test]
async fn nul_characters_are_refused_in_names_and_skus() {
    let api = sandbox().await;
    let (status, resp) = api
        .post(
            "/v3/users",
            json!({"firstName": "Ja\u{0}ne", "lastName": "Doe", "email": "jane@example.com"}),
        )
        .await;
    assert_eq!(status, 400, "{resp}");
    assert!(resp.to_string().contains("firstName"), "{resp}");
    let c = api.approved_customer("john@example.com").await;
    let (status, resp) = api
        .create_lease(&c, "T1", json!([item("T\u{0}V", 300.0, 1)]))
        .await;
    assert_eq!(status, 400, "{resp}");
    // The refusal names the field, nested in an array (the item's SKU and description
    // both carry the NUL; the first in the body's order is named).
    let field = resp["error"]["data"]["field"].as_str().unwrap_or_default();
    assert!(field.starts_with("items[0]."), "{resp}");
}

#[tokio::test]
async fn refunds_and_payments_cannot_exceed_what_they_refer_to() {
    let api = sandbox().await;
    let c = api.finalized("jane@example.com", "T1").await;
    let refund =
        |credit: f64| json!({"items": [{"lineNumber": 1, "sku": "TV", "itemCredit": credit}]});
    let (status, resp) = api.post("/v3/transactions/T1/refund", refund(1e9)).await;
    assert_eq!(status, 400, "{resp}");
    assert!(resp.to_string().contains("itemCredit"), "{resp}");
    // Line 1 is 2 x 300: 600 in all, over as many refunds as it takes.
    assert_eq!(
        api.post("/v3/transactions/T1/refund", refund(400.0))
            .await
            .0,
        200
    );
    assert_eq!(
        api.post("/v3/transactions/T1/refund", refund(200.01))
            .await
            .0,
        400
    );
    assert_eq!(
        api.post("/v3/transactions/T1/refund", refund(200.0))
            .await
            .0,
        200
    );
    let (status, _) = api
        .post(
            "/v3/transactions/T1/refund",
            json!({"items": [{"lineNumber": 2, "sku": "MOUNT", "shippingCredit": 1.0}]}),
        )
        .await;
    assert_eq!(status, 400, "no shipping was charged");

    let (status, body) = api
        .post_as(&c, "/v3/paymentMethods/add", json!({"primary": true, "label": "Visa", "token": {"cardType": "visa", "lastFour": "4242", "token": "tok-1", "billingZip": "33431"}}))
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, methods) = api.get_as(&c, "/v3/customers/me/payment-methods").await;
    let method = methods["data"][0]["id"].as_str().unwrap().to_owned();
    let (_, agreements) = api.get_as(&c, "/v3/customers/me/agreements").await;
    let agreement = agreements["data"][0]["id"].as_str().unwrap().to_owned();
    let pay = |amount: f64| json!({"paymentMethodId": method, "amount": amount});
    let path = format!("/v3/customers/me/agreements/{agreement}/transactions/payment");
    let (status, resp) = api.post_as(&c, &path, pay(1e9)).await;
    assert_eq!(status, 400, "{resp}");
    assert!(resp.to_string().contains("amount"), "{resp}");
    assert_eq!(api.post_as(&c, &path, pay(50.0)).await.0, 200);
}

#[tokio::test]
async fn the_typed_admin_client_drives_faults() {
    let api = sandbox().await;
    let admin = api.sandbox.admin();
    admin
        .add_fault(
            FaultRule::status(503)
                .operation("getLeaseSettings")
                .times(1),
        )
        .await
        .unwrap();
    assert_eq!(api.get("/v3/settings/lease").await.0, 503);
    assert_eq!(api.get("/v3/settings/lease").await.0, 200);
    let journal = admin.journal().await.unwrap();
    assert_eq!(journal[0]["faulted"], true);
    assert_eq!(journal[0]["operationId"], "getLeaseSettings");
}
