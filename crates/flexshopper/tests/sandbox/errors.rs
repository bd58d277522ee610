use crate::fixtures::*;
use flexshopper::retry::Safety;
use flexshopper::*;
use serde_json::json;

async fn code_of<T: std::fmt::Debug>(r: Result<T, Error>) -> ErrorCode {
    let err = r.unwrap_err();
    let s = err.to_string();
    assert!(
        !s.contains('\n') && s.contains(';'),
        "one actionable sentence: {s}"
    );
    err.code()
        .cloned()
        .unwrap_or_else(|| panic!("no code: {err:?}"))
}

#[tokio::test]
async fn documented_codes_from_the_sandbox_map_to_their_variants() {
    let env = env().await;
    let c = &env.client;

    c.create_customer(&NewCustomer::new("A", "B", "dup@example.com"))
        .await
        .unwrap();
    let r = c
        .create_customer(&NewCustomer::new("A", "B", "dup@example.com"))
        .await;
    assert_eq!(code_of(r).await, ErrorCode::UserAlreadyExists);

    assert_eq!(
        code_of(c.transaction("nope").await).await,
        ErrorCode::TransactionNotFound
    );
    assert_eq!(
        code_of(c.authorize("no-such-user").await).await,
        ErrorCode::UserNotFound
    );

    let (session, approval) = approved(c, "codes@example.com").await;
    assert_eq!(
        code_of(c.lease_terms(&session, "no-such-lease").await).await,
        ErrorCode::LeaseNotFound
    );

    let big = Order::new(
        "T-BIG",
        vec![OrderItem::new("X", "X", "X", dollars(300000), 1)],
    );
    assert_eq!(
        code_of(approval.create_lease(&big).await).await,
        ErrorCode::ExceedSpendingLimitError
    );

    let lease = approval.create_lease(&order("T-CODES")).await.unwrap();
    assert_eq!(
        code_of(c.finalize("T-CODES").await).await,
        ErrorCode::LeaseNotSigned
    );
    assert_eq!(
        code_of(
            c.confirm_shipment(
                "T-CODES",
                &Shipment::everything_via("UPS", None, chrono::Utc::now().date_naive())
            )
            .await
        )
        .await,
        ErrorCode::TransactionNotFinalized
    );

    let other = customer(c, "other@example.com").await;
    let r = c.create_lease(&other, &order("T-CODES")).await;
    assert_eq!(code_of(r).await, ErrorCode::DuplicateTransaction);

    env.advance_clock(73 * 3600).await;
    assert_eq!(
        code_of(c.customer(&session).await).await,
        ErrorCode::InvalidToken,
        "the token expired too"
    );
    let session = c.authorize(session.user_id().unwrap()).await.unwrap();
    assert_eq!(
        code_of(lease.sign(&session, evidence()).await.map_err(Error::from)).await,
        ErrorCode::LeaseExpired
    );

    let bogus = CustomerSession::from_token(c, "not-a-token");
    assert_eq!(
        code_of(c.customer(&bogus).await).await,
        ErrorCode::InvalidToken
    );
    let _ = approval;

    let bank = BankAccount {
        routing: "084009519".into(),
        account: "000123456789".into(),
        kind: flexshopper::decision::BankAccountType::Checking,
    };
    let app = application().bank_account(bank).build().unwrap();
    let s2 = customer(c, "bank@example.com").await;
    let err = c.apply(&s2, &app).await.unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::InvalidRoutingNumber));
    assert!(err.to_string().contains("bankAccount.routing"), "{err}");
}

#[tokio::test]
async fn lease_below_the_minimum_is_refused_by_the_server_too() {
    let env = env().await;
    let (session, _) = approved(&env.client, "min@example.com").await;
    // Bypass local validation through the escape hatch to see the server's code.
    let body: flexshopper::api::types::CreateLeaseRequest = serde_json::from_value(json!({
        "transactionId": "T-MIN", "items": [{"sku": "S", "description": "d", "brand": "b", "cost": 10, "quantity": 1}]
    }))
    .unwrap();
    let api = env.client.api();
    let token = session.token().expose_secret().to_string();
    let r = env
        .client
        .execute("createLease", Safety::Never, || {
            api.create_lease()
                .customer_token(token.clone())
                .body(body.clone())
                .send()
        })
        .await;
    assert_eq!(code_of(r).await, ErrorCode::LeaseAmountNotSatisfied);
}

#[tokio::test]
async fn token_minted_with_another_key_is_refused_by_the_server_when_bound_wrongly() {
    let env = env().await;
    let other = client(&env.sandbox, "merchant-key-B");
    let session = customer(&other, "b@example.com").await;
    // Deliberately binding B's token to A: the explicit, documented escape.
    let wrongly = CustomerSession::from_token(&env.client, session.token().expose_secret());
    assert_eq!(
        code_of(env.client.customer(&wrongly).await).await,
        ErrorCode::TokenKeyMismatch
    );
}

#[tokio::test]
async fn payment_method_integer_codes_map_to_variants() {
    let env = env().await;
    let session = customer(&env.client, "pm@example.com").await;
    let card = |last: &str| NewPaymentMethod::Card {
        card_type: flexshopper::merchant::CardType::Visa,
        last_four: last.into(),
        token: CardToken::new("tok-secret-1"),
        billing_zip: "33431".into(),
        expiration: Some("2030-01".into()),
    };
    let c = &env.client;
    assert_eq!(
        code_of(
            c.add_payment_method(&session, "v", true, &card("0003"))
                .await
        )
        .await,
        ErrorCode::NotPrimaryEligible
    );
    let ach = |routing: &str, account: &str| NewPaymentMethod::Ach {
        routing: routing.into(),
        account: account.into(),
        kind: flexshopper::decision::BankAccountType::Checking,
    };
    // FlexShopper's QA suite: "We do not accept this bank" for this routing number.
    assert_eq!(
        code_of(
            c.add_payment_method(&session, "v", false, &ach("084009519", "000123456789"))
                .await
        )
        .await,
        ErrorCode::BankNotAccepted
    );
    // The sandbox's convention for an account that needs verifyAch first.
    assert_eq!(
        code_of(
            c.add_payment_method(&session, "v", false, &ach("021000021", "000123450006"))
                .await
        )
        .await,
        ErrorCode::BankRequiresVerification
    );
    c.add_payment_method(&session, "v", false, &card("4242"))
        .await
        .unwrap();
    assert_eq!(
        code_of(
            c.add_payment_method(&session, "v", false, &card("4242"))
                .await
        )
        .await,
        ErrorCode::DuplicatePaymentMethod
    );
    assert_eq!(c.payment_methods(&session).await.unwrap().len(), 1);
}

#[tokio::test]
async fn gateway_errors_have_a_status_and_no_code() {
    let env = env().await;
    let no_key = reqwest::Client::new();
    let api = flexshopper::api::Client::new_with_client(env.sandbox.base_url(), no_key);
    let raw = api.get_products().send().await.unwrap_err();
    assert_eq!(raw.status().map(|s| s.as_u16()), Some(401));
}

#[test]
fn every_documented_code_is_a_variant() {
    let names = [
        "UserAlreadyExists",
        "InvalidMerchantId",
        "LeaseNotFound",
        "TransactionNotFound",
        "PaymentRequired",
        "LeaseAmountNotSatisfied",
        "ExceedSpendingLimitError",
        "SpendingHold",
        "LeaseExpired",
        "LeaseNotSigned",
        "TransactionNotFinalized",
        "NoDecision",
        "TokenKeyMismatch",
        "InvalidToken",
        "ValidationError",
        "InvalidRoutingNumber",
        "DuplicateTransaction",
        "UserNotFound",
    ];
    for n in names {
        assert!(
            !matches!(ErrorCode::from_text(n), ErrorCode::Other(_)),
            "{n}"
        );
    }
    for n in [11503, 11505, 11506] {
        assert!(
            !matches!(ErrorCode::from_number(n), ErrorCode::Other(_)),
            "{n}"
        );
    }
}

#[tokio::test]
async fn invalid_input_is_refused_before_sending() {
    let env = env().await;
    let err = Application::builder(address(), "555", "04/30/1990")
        .ssn("12-34")
        .build()
        .unwrap_err();
    let fields: Vec<_> = err.errors.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "application.mobilePhone",
            "application.dateOfBirth",
            "application.ssn"
        ]
    );

    let (session, approval) = approved(&env.client, "v@example.com").await;
    env.clear_journal().await;
    let tiny = Order::new(
        "T-TINY",
        vec![OrderItem::new("S", "d", "b", dollars(1000), 1)],
    );
    let Error::Validation(v) = approval.create_lease(&tiny).await.unwrap_err() else {
        panic!()
    };
    assert_eq!(v.errors[0].field, "order.total");
    let bad = Order::new("", vec![OrderItem::new("", "d", "b", dollars(-1), 0)]);
    let Error::Validation(v) = env.client.create_lease(&session, &bad).await.unwrap_err() else {
        panic!()
    };
    let fields: Vec<_> = v.errors.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "order.transactionId",
            "order.items[0].sku",
            "order.items[0].cost",
            "order.items[0].quantity",
            "order.total"
        ]
    );
    assert!(matches!(
        env.client.user_exists("nope").await,
        Err(Error::Validation(_))
    ));
    assert_eq!(env.sent("createLease").await, 0);
    assert_eq!(env.sent("verifyUserExists").await, 0);
}

/// Every code the sandbox itself can send is a typed variant here, never `Other`.
#[test]
fn every_code_the_sandbox_emits_is_typed() {
    for code in flexshopper_sandbox::error::Code::ALL {
        let typed = match code.wire() {
            serde_json::Value::Number(n) => ErrorCode::from_number(n.as_i64().unwrap()),
            v => ErrorCode::from_text(v.as_str().unwrap()),
        };
        assert!(
            !matches!(typed, ErrorCode::Other(_)),
            "the sandbox sends {code:?}, which the crate does not type"
        );
    }
}
