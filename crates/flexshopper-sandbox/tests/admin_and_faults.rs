//! The admin API: reset, state, journal (redacted), clock, passcodes, scenarios, faults.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

#[tokio::test]
async fn journal_records_requests_with_secrets_redacted() {
    let api = sandbox().await;
    let c = api.customer("a@example.com").await;
    api.apply(&c).await;
    let journal = api.admin_get("/__sandbox/journal").await;
    let apply = journal
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["operationId"] == "applyForSpendingLimit")
        .unwrap();
    assert_eq!(apply["status"], 200);
    assert_eq!(apply["method"], "POST");
    assert_eq!(
        apply["merchantId"],
        flexshopper_sandbox::merchant_id(&api.key)
    );
    assert_eq!(apply["headers"]["authorization"], "[REDACTED]");
    assert_eq!(apply["headers"]["customer-token"], "[REDACTED]");
    assert_eq!(apply["body"]["ssn"], "[REDACTED]");
    assert_eq!(apply["body"]["bankAccount"]["account"], "[REDACTED]");
    let text = journal.to_string();
    assert!(!text.contains("888776666") && !text.contains(&c.token) && !text.contains(&api.key));
    assert_eq!(
        api.send("DELETE", "/__sandbox/journal", None, None, None)
            .await
            .0,
        204
    );
    assert_eq!(api.admin_get("/__sandbox/journal").await, json!([]));
}

#[tokio::test]
async fn state_dump_has_no_secrets() {
    let api = sandbox().await;
    let (c, _) = api.signed_lease("a@example.com", "T1").await;
    let text = api.admin_get("/__sandbox/state").await.to_string();
    assert!(
        !text.contains(&c.token) && !text.contains("888776666") && !text.contains("3483898238239")
    );
    assert!(text.contains("T1"));
}

#[tokio::test]
async fn reset_clears_everything() {
    let api = sandbox().await;
    api.signed_lease("a@example.com", "T1").await;
    api.admin_post(
        "/__sandbox/faults",
        json!({"operationId": "getLease", "status": 500, "times": 0}),
    )
    .await;
    assert_eq!(api.admin_post("/__sandbox/reset", json!({})).await.0, 204);
    let state = api.admin_get("/__sandbox/state").await;
    assert_eq!(state["merchants"], json!({}));
    assert_eq!(api.admin_get("/__sandbox/faults").await, json!([]));
}

#[tokio::test]
async fn clock_advance_moves_the_sandbox_clock() {
    let api = sandbox().await;
    let before = api.admin_get("/__sandbox/state").await["clock"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, after) = api
        .admin_post("/__sandbox/clock/advance", json!({"seconds": 86400}))
        .await;
    let parse = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap();
    assert!(
        parse(after["clock"].as_str().unwrap()) - parse(&before)
            >= chrono::Duration::seconds(86400)
    );
}

#[tokio::test]
async fn scenarios_are_served_as_json() {
    let api = sandbox().await;
    let table = api.admin_get("/__sandbox/scenarios").await;
    assert!(table.as_array().unwrap().len() >= 14);
    assert!(table.to_string().contains("deny"));
}

#[tokio::test]
async fn status_fault_fails_n_times_then_succeeds() {
    let api = sandbox().await;
    let (_, f) = api
        .admin_post(
            "/__sandbox/faults",
            json!({"operationId": "getLeaseSettings", "status": 503, "retryAfter": 1, "times": 2}),
        )
        .await;
    assert!(f["id"].is_u64());
    let resp = api
        .http
        .get(api.url("/v3/settings/lease"))
        .header("Authorization", &api.key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    assert_eq!(resp.headers()["retry-after"], "1");
    assert_eq!(api.get("/v3/settings/lease").await.0, 503);
    assert_eq!(api.get("/v3/settings/lease").await.0, 200);
    let journal = api.admin_get("/__sandbox/journal").await;
    let faulted: Vec<_> = journal
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["faulted"].as_bool().unwrap())
        .collect();
    assert_eq!(faulted, vec![true, true, false]);
}

#[tokio::test]
async fn route_fault_and_latency() {
    let api = sandbox().await;
    api.admin_post(
        "/__sandbox/faults",
        json!({"route": "GET /v3/settings/lease", "latencyMs": 300}),
    )
    .await;
    let start = Instant::now();
    assert_eq!(api.get("/v3/settings/lease").await.0, 200);
    assert!(start.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn reset_fault_closes_the_connection_without_a_response() {
    let api = sandbox().await;
    api.admin_post(
        "/__sandbox/faults",
        json!({"operationId": "getLeaseSettings", "reset": true}),
    )
    .await;
    let err = api
        .http
        .get(api.url("/v3/settings/lease"))
        .header("Authorization", &api.key)
        .send()
        .await;
    assert!(err.is_err());
    assert_eq!(api.get("/v3/settings/lease").await.0, 200);
}

#[tokio::test]
async fn drop_after_apply_applies_the_change_then_drops_the_response() {
    let api = sandbox().await;
    let (_, lease) = api.signed_lease("a@example.com", "T1").await;
    let _ = lease;
    api.admin_post(
        "/__sandbox/faults",
        json!({"operationId": "finalizeTransaction", "dropAfterApply": true}),
    )
    .await;
    let sent = api
        .http
        .post(api.url("/v3/transactions/T1/finalize"))
        .header("Authorization", &api.key)
        .send()
        .await;
    assert!(sent.is_err());
    let state = api.txn_state("T1").await;
    assert_eq!(state["status"], "finalized");
    assert_eq!(state["finalizeCount"], 1);
    // the retry is harmless and returns the same number
    let (status, fin) = api.post("/v3/transactions/T1/finalize", json!({})).await;
    assert_eq!(
        (status, fin["data"]["leaseNumber"].clone()),
        (200, state["leaseNumber"].clone())
    );
    let journal = api.admin_get("/__sandbox/journal").await;
    let finalize = journal
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["operationId"] == "finalizeTransaction")
        .unwrap();
    assert_eq!(
        (finalize["faulted"].clone(), finalize["status"].clone()),
        (json!(true), json!(200))
    );
}

#[tokio::test]
async fn a_request_can_ask_for_a_fault_itself() {
    let api = sandbox().await;
    let resp = api
        .http
        .get(api.url("/v3/settings/lease"))
        .header("Authorization", &api.key)
        .header("x-sandbox-fault", "status=502")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 502);
    let resp = api
        .http
        .get(api.url("/v3/settings/lease"))
        .header("Authorization", &api.key)
        .header("x-sandbox-fault", "reset")
        .send()
        .await;
    assert!(resp.is_err());
}

#[tokio::test]
async fn sandbox_stops_on_drop() {
    let api = sandbox().await;
    let addr = api.sandbox.addr();
    drop(api);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
