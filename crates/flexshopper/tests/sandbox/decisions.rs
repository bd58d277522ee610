use crate::fixtures::*;
use flexshopper::*;

#[tokio::test]
async fn any_other_applicant_is_approved_with_2500() {
    let env = env().await;
    let (_s, approval) = approved(&env.client, "ok@example.com").await;
    assert_eq!(approval.limits().spending_limit, dollars(250000));
    assert_eq!(approval.limits().available_weekly_spending, dollars(25000));
}

#[tokio::test]
async fn deny_email_is_denied() {
    let env = env().await;
    let (_s, d) = decision_for(&env.client, "deny@example.com").await;
    assert!(matches!(d, Decision::Denied), "{d:?}");
    assert!(matches!(
        d.into_approval(),
        Err(Error::Workflow(WorkflowError::NotApproved { .. }))
    ));
}

#[tokio::test]
async fn pending_email_is_pending_and_cannot_lease() {
    let env = env().await;
    let (session, d) = decision_for(&env.client, "pending@example.com").await;
    assert!(
        matches!(
            d,
            Decision::Pending {
                identity_questions: false
            }
        ),
        "{d:?}"
    );
    let err = env
        .client
        .create_lease(&session, &order("T-NODEC"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::NoDecision));
}

#[tokio::test]
async fn hold_email_is_a_spending_hold() {
    let env = env().await;
    let (session, d) = decision_for(&env.client, "hold@example.com").await;
    assert!(matches!(d, Decision::SpendingHold(_)), "{d:?}");
    assert_eq!(d.status(), "spending_hold");
    assert!(matches!(
        d.clone().into_approval(),
        Err(Error::Workflow(WorkflowError::SpendingHold))
    ));
    let err = env
        .client
        .create_lease(&session, &order("T-HOLD"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::SpendingHold));
}

#[tokio::test]
async fn kba_first_choices_approve() {
    let env = env().await;
    let (session, d) = decision_for(&env.client, "kba@example.com").await;
    assert!(
        matches!(
            d,
            Decision::Pending {
                identity_questions: true
            }
        ),
        "{d:?}"
    );
    let q = env.client.identity_questions(&session).await.unwrap();
    assert_eq!(q.questions.len(), 3);
    let answers: Vec<_> = q
        .questions
        .iter()
        .map(|x| (x.id.as_str(), x.choices[0].id.as_str()))
        .collect();
    let d = env
        .client
        .answer_identity_questions(&session, &q, &answers)
        .await
        .unwrap();
    assert!(matches!(d, Decision::Approved(_)), "{d:?}");
}

#[tokio::test]
async fn kba_wrong_answer_denies() {
    let env = env().await;
    let (session, _) = decision_for(&env.client, "kba2@example.com").await;
    let q = env.client.identity_questions(&session).await.unwrap();
    let answers: Vec<_> = q
        .questions
        .iter()
        .map(|x| (x.id.as_str(), x.choices[1].id.as_str()))
        .collect();
    let d = env
        .client
        .answer_identity_questions(&session, &q, &answers)
        .await
        .unwrap();
    assert!(matches!(d, Decision::Denied), "{d:?}");
}

#[tokio::test]
async fn prepay_email_needs_payment_at_signing() {
    let env = env().await;
    let (session, lease) = created(&env, "prepay@example.com", "T-PREPAY").await;
    let err = lease.sign(&session, evidence()).await.unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::PaymentRequired));
    assert_eq!(env.sent("signLease").await, 1, "sign is never retried");
    // The refused step hands the unsigned lease back, ready to sign after a payment.
    let lease = err.into_lease();
    assert_eq!(
        (lease.transaction_id(), lease.signature()),
        ("T-PREPAY", None)
    );
    let again = lease.sign(&session, evidence()).await.unwrap_err();
    assert_eq!(again.code(), Some(&ErrorCode::PaymentRequired));
    assert_eq!(
        env.sent("signLease").await,
        2,
        "the second attempt was the caller's"
    );
}

#[tokio::test]
async fn decision_is_readable_later() {
    let env = env().await;
    let (session, _) = approved(&env.client, "later@example.com").await;
    assert!(matches!(
        env.client.decision(&session).await.unwrap(),
        Decision::Approved(_)
    ));
    let fresh = customer(&env.client, "fresh@example.com").await;
    assert!(matches!(
        env.client.decision(&fresh).await.unwrap(),
        Decision::NotApplied
    ));
}
