//! Retries under injected faults: exactly one lease and one finalize per journey.

use crate::fixtures::*;
use flexshopper::*;
use serde_json::json;
use std::time::{Duration, Instant};

async fn assert_one_lease_one_finalize(env: &Env, tid: &str) {
    let tx = env.transaction_state(tid).await;
    assert_eq!(tx["leaseIds"].as_array().map(Vec::len), Some(1), "{tx}");
    assert_eq!(tx["finalizeCount"], 1, "{tx}");
}

async fn journey_under(env: &Env, email: &str, tid: &str) {
    let (session, lease) = created(env, email, tid).await;
    let lease = lease.sign(&session, evidence()).await.unwrap();
    let lease = lease.finalize().await.unwrap();
    assert!(!lease.lease_number().is_empty());
    lease
        .confirm_shipment(Shipment::everything())
        .await
        .unwrap();
    assert_one_lease_one_finalize(env, tid).await;
}

#[tokio::test]
async fn gets_are_retried_through_5xx() {
    let env = env().await;
    created(&env, "g@example.com", "T-G").await;
    env.fault(json!({"operationId": "getTransaction", "status": 503, "times": 2}))
        .await;
    env.client.transaction("T-G").await.unwrap();
    assert_eq!(env.sent("getTransaction").await, 3);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let env = env().await;
    env.fault(json!({"operationId": "getProducts", "status": 503, "retryAfter": 1, "times": 1}))
        .await;
    let started = Instant::now();
    env.client.products().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn create_lease_dropped_after_apply_yields_one_lease() {
    let env = env().await;
    env.fault(json!({"operationId": "createLease", "dropAfterApply": true}))
        .await;
    env.fault(json!({"operationId": "finalizeTransaction", "dropAfterApply": true}))
        .await;
    journey_under(&env, "drop@example.com", "T-DROP").await;
    assert_eq!(
        env.sent("createLease").await,
        1,
        "the lease was found, not re-created"
    );
    assert_eq!(
        env.sent("finalizeTransaction").await,
        1,
        "the lease number was found, not re-finalized"
    );
}

#[tokio::test]
async fn create_lease_and_finalize_survive_5xx() {
    let env = env().await;
    env.fault(json!({"operationId": "createLease", "status": 500}))
        .await;
    env.fault(json!({"operationId": "finalizeTransaction", "status": 502}))
        .await;
    env.fault(json!({"operationId": "confirmShipment", "status": 503}))
        .await;
    journey_under(&env, "five@example.com", "T-5XX").await;
}

#[tokio::test]
async fn connection_resets_are_retried_after_checking() {
    let env = env().await;
    env.fault(json!({"operationId": "createLease", "reset": true}))
        .await;
    env.fault(json!({"operationId": "finalizeTransaction", "reset": true}))
        .await;
    env.fault(json!({"operationId": "getTransaction", "reset": true}))
        .await;
    journey_under(&env, "reset@example.com", "T-RESET").await;
}

#[tokio::test]
async fn apply_is_never_retried() {
    let env = env().await;
    let session = customer(&env.client, "apply@example.com").await;
    env.fault(json!({"operationId": "applyForSpendingLimit", "dropAfterApply": true}))
        .await;
    let err = env
        .client
        .apply(&session, &application().build().unwrap())
        .await
        .unwrap_err();
    assert!(err.may_have_been_applied(), "{err}");
    assert_eq!(env.sent("applyForSpendingLimit").await, 1);
}

#[tokio::test]
async fn sign_is_never_retried() {
    let env = env().await;
    let (session, lease) = created(&env, "sign@example.com", "T-SIGN").await;
    env.fault(json!({"operationId": "signLease", "status": 503}))
        .await;
    let err = lease.sign(&session, evidence()).await.unwrap_err();
    assert!(err.is_retryable() && !err.may_have_been_applied());
    assert_eq!(env.sent("signLease").await, 1);
}

#[tokio::test]
async fn total_timeout_bounds_an_operation() {
    let env = env().await;
    let client = FlexShopper::builder()
        .api_key(KEY)
        .environment(Environment::Custom(env.sandbox.base_url().into()))
        .total_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    env.fault(json!({"operationId": "getProducts", "latencyMs": 1000}))
        .await;
    let err = client.products().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(err.may_have_been_applied());
}
