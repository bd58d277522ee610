use crate::fixtures::*;
use flexshopper::*;
use futures::TryStreamExt;

#[tokio::test]
async fn transactions_stream_pages_through_everything() {
    let env = env().await;
    let (_s, approval) = approved(&env.client, "page@example.com").await;
    for i in 0..3 {
        approval
            .create_lease(&order(&format!("T-PAGE-{i}")))
            .await
            .unwrap();
    }
    env.clear_journal().await;
    let all: Vec<_> = env
        .client
        .transactions(TransactionFilter::default().page_size(1))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(
        env.sent("getTransactions").await,
        3,
        "one request per page of 1"
    );
    let users: Vec<_> = env.client.users(Some(1000)).try_collect().await.unwrap();
    assert_eq!(users.len(), 1);
}

#[tokio::test]
async fn lease_minimum_comes_from_settings_and_is_cached() {
    let env = env().await;
    assert_eq!(env.client.lease_minimum().await.unwrap(), dollars(4995));
    env.client.lease_minimum().await.unwrap();
    assert_eq!(env.sent("getLeaseSettings").await, 1);
}

#[tokio::test]
async fn routing_numbers_are_checked_locally_then_remotely() {
    let env = env().await;
    assert!(matches!(
        env.client.validate_routing_number("123456789").await,
        Err(Error::Validation(_))
    ));
    assert!(
        env.client
            .validate_routing_number("021000021")
            .await
            .unwrap()
            .valid
    );
    assert!(
        !env.client
            .validate_routing_number("084009519")
            .await
            .unwrap()
            .valid
    );
    let session = customer(&env.client, "ach@example.com").await;
    let ok = env
        .client
        .verify_ach(
            session.user_id().unwrap(),
            "021000021",
            &"000123456789".into(),
        )
        .await
        .unwrap();
    assert!(ok);
}

#[tokio::test]
async fn products_and_tokenization_keys_are_readable() {
    let env = env().await;
    env.client.products().await.unwrap();
    assert!(
        !env.client
            .clover_tokenization_key()
            .await
            .unwrap()
            .is_empty()
    );
    let key = env.client.loan_payment_pro_child_key().await.unwrap();
    assert_eq!(key.to_string(), "[REDACTED]");
}

#[tokio::test]
async fn agreements_carry_cents_after_finalize() {
    let env = env().await;
    let (session, lease) = finalized(&env, "agree@example.com", "T-AGREE").await;
    lease
        .confirm_shipment(Shipment::everything_via(
            "UPS",
            None,
            chrono::Utc::now().date_naive(),
        ))
        .await
        .unwrap();
    let agreements = env.client.agreements(&session).await.unwrap();
    assert_eq!(agreements.len(), 1);
    assert!(agreements[0].past_due.0 >= 0);
}
