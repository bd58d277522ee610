//! The waterfall flow and the lease-settings cache, through the crate's own methods
//! (no `execute`).

use crate::fixtures::*;
use flexshopper::decision::BankAccountType;
use flexshopper::*;
use std::time::Duration;

fn applicant(email: &str, ssn: &str) -> PrequalApplicant {
    PrequalApplicant::new(
        "Jane",
        "Doe",
        email,
        address(),
        "5615550199",
        NaiveDate::from_ymd_opt(1990, 4, 30).unwrap(),
        ssn,
    )
}

fn bank() -> BankAccount {
    BankAccount {
        routing: "021000021".into(),
        account: "3483898238239".into(),
        kind: BankAccountType::Checking,
    }
}

#[tokio::test]
async fn the_waterfall_journey_runs_on_wrapped_operations_only() {
    let env = env().await;
    let c = &env.client;
    let ssn = Ssn::new("123456780");
    assert!(
        c.account_lookup("5615550199", &ssn)
            .await
            .unwrap()
            .is_none()
    );
    let started = c
        .prequal_start(&applicant("wf@example.com", "123456780"))
        .await
        .unwrap();
    let done = c
        .prequal_complete(&started.prequal_id, &bank(), None)
        .await
        .unwrap();
    assert!(done.is_approved(), "{done:?}");
    assert_eq!(done.limits.spending_limit, dollars(250000));
    let session = c.account_lookup("5615550199", &ssn).await.unwrap().unwrap();
    let code = c.user_auth_code(session.user_id().unwrap()).await.unwrap();
    assert!(!format!("{code:?}").contains(code.expose_secret()));
    let approval = c.decision(&session).await.unwrap().into_approval().unwrap();
    let lease = approval.create_lease(&order("T-WF-1")).await.unwrap();
    let lease = lease.sign(&session, evidence()).await.unwrap();
    let lease = lease.finalize().await.unwrap();
    let lease = lease
        .confirm_shipment(Shipment::everything_via("UPS", None, today()))
        .await
        .unwrap();
    let refund = c
        .refund(
            lease.transaction_id(),
            &[RefundLine {
                line_number: 1,
                sku: order("x").items[0].sku.clone(),
                item_credit: Some(dollars(1000)),
                shipping_credit: None,
            }],
        )
        .await
        .unwrap();
    assert!(!format!("{refund:?}").is_empty());
}

#[tokio::test]
async fn a_bad_prequal_applicant_is_refused_before_sending() {
    let env = env().await;
    env.clear_journal().await;
    let err = env
        .client
        .prequal_start(&applicant("nope", "12"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err}");
    assert_eq!(env.sent("prequalStart").await, 0);
    let bad_bank = BankAccount {
        routing: "021000022".into(),
        ..bank()
    };
    let err = env
        .client
        .prequal_complete("p", &bad_bank, None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("bankAccount.routing"), "{err}");
}

#[tokio::test]
async fn lease_settings_are_read_once_per_ttl_not_per_lease() {
    let env = env().await;
    let (_s, approval) = approved(&env.client, "cache@example.com").await;
    env.clear_journal().await;
    for i in 0..3 {
        approval
            .create_lease(&order(&format!("T-CACHE-{i}")))
            .await
            .unwrap();
    }
    assert_eq!(env.sent("getLeaseSettings").await, 1);

    let no_cache = FlexShopper::builder()
        .api_key(KEY)
        .environment(Environment::Custom(env.sandbox.base_url().into()))
        .settings_ttl(Duration::ZERO)
        .build()
        .unwrap();
    env.clear_journal().await;
    no_cache.lease_settings().await.unwrap();
    no_cache.lease_settings().await.unwrap();
    assert_eq!(
        env.sent("getLeaseSettings").await,
        2,
        "a zero TTL reads every time"
    );
}
