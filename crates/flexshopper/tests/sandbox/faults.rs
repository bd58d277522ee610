//! Retries under injected faults: exactly one lease and one finalize per journey.

use crate::fixtures::*;
use flexshopper::*;
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
        .confirm_shipment(Shipment::everything_via(
            "UPS",
            None,
            chrono::Utc::now().date_naive(),
        ))
        .await
        .unwrap();
    assert_one_lease_one_finalize(env, tid).await;
}

#[tokio::test]
async fn gets_are_retried_through_5xx() {
    let env = env().await;
    created(&env, "g@example.com", "T-G").await;
    env.fault(FaultRule::status(503).operation("getTransaction").times(2))
        .await;
    env.client.transaction("T-G").await.unwrap();
    assert_eq!(env.sent("getTransaction").await, 3);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let env = env().await;
    env.fault(
        FaultRule::status(503)
            .operation("getProducts")
            .retry_after(1)
            .times(1),
    )
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
    env.fault(FaultRule::drop_after_apply().operation("createLease"))
        .await;
    journey_under(&env, "drop@example.com", "T-DROP").await;
    assert_eq!(
        env.sent("createLease").await,
        1,
        "the lease was found through the transaction, not re-created"
    );
}

#[tokio::test]
async fn finalize_whose_answer_is_lost_is_not_resent() {
    let env = env().await;
    let (session, lease) = created(&env, "fin@example.com", "T-FIN").await;
    let lease = lease.sign(&session, evidence()).await.unwrap();
    env.fault(FaultRule::drop_after_apply().operation("finalizeTransaction"))
        .await;
    let failed = lease.finalize().await.unwrap_err();
    assert!(failed.may_have_been_applied(), "{}", failed.error());
    assert_eq!(
        failed.into_lease().transaction_id(),
        "T-FIN",
        "the lease is handed back"
    );
    assert_eq!(env.sent("finalizeTransaction").await, 1);
    assert_eq!(env.transaction_state("T-FIN").await["finalizeCount"], 1);
}

#[tokio::test]
async fn finalize_answered_5xx_is_not_resent() {
    let env = env().await;
    let (_s, lease) = signed(&env, "fin5@example.com", "T-FIN5").await;
    env.fault(FaultRule::status(502).operation("finalizeTransaction"))
        .await;
    let failed = lease.finalize().await.unwrap_err();
    assert!(failed.may_have_been_applied());
    assert_eq!(env.sent("finalizeTransaction").await, 1);
}

#[tokio::test]
async fn confirm_shipment_whose_answer_is_lost_is_not_resent() {
    let env = env().await;
    let (_s, lease) = finalized(&env, "ship@example.com", "T-SHIP").await;
    env.fault(FaultRule::reset().operation("confirmShipment"))
        .await;
    let failed = lease
        .confirm_shipment(Shipment::everything_via("UPS", None, today()))
        .await
        .unwrap_err();
    assert!(failed.may_have_been_applied(), "{}", failed.error());
    assert_eq!(env.sent("confirmShipment").await, 1);
}

#[tokio::test]
async fn create_lease_survives_5xx_and_resets_after_checking() {
    let env = env().await;
    env.fault(FaultRule::status(500).operation("createLease"))
        .await;
    env.fault(FaultRule::reset().operation("getTransaction"))
        .await;
    let (_s, lease) = created(&env, "five@example.com", "T-5XX").await;
    assert_eq!(lease.transaction_id(), "T-5XX");
    assert_eq!(env.sent("createLease").await, 2, "checked, then sent again");
    let tx = env.transaction_state("T-5XX").await;
    assert_eq!(tx["leaseIds"].as_array().map(Vec::len), Some(1), "{tx}");
}

#[tokio::test]
async fn lost_create_lease_on_an_id_holding_another_customers_order_is_a_conflict() {
    let env = env().await;
    created(&env, "first@example.com", "T-TAKEN").await;
    let (_session, approval) = approved(&env.client, "second@example.com").await;
    env.fault(FaultRule::status(500).operation("createLease"))
        .await;
    let err = approval.create_lease(&order("T-TAKEN")).await.unwrap_err();
    assert!(
        matches!(&err, Error::Workflow(WorkflowError::TransactionConflict { reason, .. }) if reason.contains("customer")),
        "{err}"
    );
    assert_eq!(
        env.sent("createLease").await,
        2,
        "one per customer: nothing re-sent"
    );
}

#[tokio::test]
async fn lost_create_lease_on_an_id_holding_other_items_is_a_conflict() {
    let env = env().await;
    let (session, approval) = approved(&env.client, "same@example.com").await;
    approval.create_lease(&order("T-OTHER")).await.unwrap();
    env.fault(FaultRule::status(500).operation("createLease"))
        .await;
    let other = Order::new(
        "T-OTHER",
        vec![OrderItem::new("SOFA", "Sofa", "Acme", dollars(89900), 1)],
    );
    let err = env.client.create_lease(&session, &other).await.unwrap_err();
    assert!(
        matches!(&err, Error::Workflow(WorkflowError::TransactionConflict { reason, .. }) if reason.contains("items")),
        "{err}"
    );
}

#[tokio::test]
async fn lost_create_lease_without_a_customer_id_is_not_resent() {
    let env = env().await;
    let (session, _approval) = approved(&env.client, "anon@example.com").await;
    let anonymous = CustomerSession::from_token(&env.client, session.token().clone());
    env.fault(FaultRule::drop_after_apply().operation("createLease"))
        .await;
    let err = env
        .client
        .create_lease(&anonymous, &order("T-ANON"))
        .await
        .unwrap_err();
    assert!(err.may_have_been_applied(), "{err}");
    assert_eq!(env.sent("createLease").await, 1);
}

#[tokio::test]
async fn a_request_that_never_left_is_marked_unsent() {
    let client = FlexShopper::builder()
        .api_key(KEY)
        .environment(Environment::Custom("http://127.0.0.1:1".into()))
        .build()
        .unwrap();
    let err = client.products().await.unwrap_err();
    assert!(
        err.never_reached_flexshopper() && !err.may_have_been_applied(),
        "{err}"
    );
}

#[tokio::test]
async fn apply_is_never_retried() {
    let env = env().await;
    let session = customer(&env.client, "apply@example.com").await;
    env.fault(FaultRule::drop_after_apply().operation("applyForSpendingLimit"))
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
    env.fault(FaultRule::status(503).operation("signLease"))
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
    env.fault(FaultRule::latency(1000).operation("getProducts"))
        .await;
    let err = client.products().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(err.may_have_been_applied());
}
