use crate::fixtures::*;
use flexshopper::*;

#[tokio::test]
async fn full_journey_ends_shipped_with_one_lease_and_one_finalize() {
    let env = env().await;
    let (session, lease) = created(&env, "jane@example.com", "T-FULL").await;
    let terms = lease.terms().unwrap().clone();
    assert!(
        terms.contract_html.contains('<'),
        "contract decoded to HTML: {}",
        terms.contract_html
    );
    assert!(terms.payment.is_some() && terms.term.is_some() && terms.cash_price.is_some());

    let lease = lease.sign(&session, evidence()).await.unwrap();
    assert_eq!(
        lease.signature().unwrap().ip_address.to_string(),
        "203.0.113.7"
    );
    let lease = lease.finalize().await.unwrap();
    let number = lease.lease_number().to_string();
    assert!(!number.is_empty());
    let line = ShipmentLine {
        sku: "TV-55".into(),
        carrier: "UPS".into(),
        tracking_number: Some("1Z999".into()),
        ship_date: today(),
        quantity: Some(1),
    };
    let lease = lease
        .confirm_shipment(Shipment::lines(vec![line]))
        .await
        .unwrap();
    assert_eq!(lease.lease_number(), Some(number.as_str()));

    let tx = env.transaction_state("T-FULL").await;
    assert_eq!(tx["leaseIds"].as_array().unwrap().len(), 1, "{tx}");
    assert_eq!(tx["finalizeCount"], 1, "{tx}");
    assert_eq!(client_step(&env, "T-FULL").await, JourneyStep::Shipped);
}

async fn client_step(env: &Env, tid: &str) -> JourneyStep {
    env.client.resume(tid, None).await.unwrap().step()
}

#[tokio::test]
async fn receipt_path_confirms_in_store_pickup() {
    let env = env().await;
    let (_s, lease) = finalized(&env, "store@example.com", "T-STORE").await;
    lease.confirm_receipt(Receipt::everything()).await.unwrap();
    assert_eq!(client_step(&env, "T-STORE").await, JourneyStep::Received);
}

#[tokio::test]
async fn resume_continues_from_every_step() {
    let env = env().await;
    // Created → resume → sign.
    let (session, _) = created(&env, "r1@example.com", "T-R1").await;
    let Journey::Created(lease) = env.client.resume("T-R1", Some(&session)).await.unwrap() else {
        panic!()
    };
    assert!(lease.terms().unwrap().contract_html.contains('<'));
    lease.sign(&session, evidence()).await.unwrap();

    // Signed → resume → finalize → ship.
    let Journey::Signed(lease) = env.client.resume("T-R1", None).await.unwrap() else {
        panic!()
    };
    let lease = lease.finalize().await.unwrap();
    // A finalized transaction resumes as Signed: no documented field tells them apart.
    assert_eq!(
        env.client.resume("T-R1", None).await.unwrap().step(),
        JourneyStep::Signed
    );
    lease
        .confirm_shipment(Shipment::everything_via(
            "UPS",
            None,
            chrono::Utc::now().date_naive(),
        ))
        .await
        .unwrap();

    // Shipped → resume → return.
    let Journey::Fulfilled(lease, JourneyStep::Shipped) =
        env.client.resume("T-R1", None).await.unwrap()
    else {
        panic!()
    };
    lease.return_items(&[]).await.unwrap();
    assert!(matches!(
        env.client.resume("T-R1", None).await.unwrap(),
        Journey::Closed(_, JourneyStep::Returned)
    ));

    // Canceled.
    let (_s, lease) = created(&env, "r2@example.com", "T-R2").await;
    lease.cancel().await.unwrap();
    assert!(matches!(
        env.client.resume("T-R2", None).await.unwrap(),
        Journey::Closed(_, JourneyStep::Canceled)
    ));
    let tx = env.transaction_state("T-R1").await;
    assert_eq!(tx["finalizeCount"], 1);
}

#[tokio::test]
async fn finalize_then_cancel_unshipped_items() {
    let env = env().await;
    let (_s, lease) = finalized(&env, "c@example.com", "T-C").await;
    let r = lease.cancel(&[("CABLE", 1)]).await.unwrap();
    assert_eq!(r.canceled[0].sku, "CABLE");
}

#[tokio::test]
async fn plugin_validates_then_finalizes() {
    let env = env().await;
    signed(&env, "p@example.com", "T-P").await;
    let expected = ExpectedOrder::default()
        .item("TV-55", 1, dollars(49900))
        .item("CABLE", 2, dollars(2550))
        .total(dollars(55000));
    let outcome = env
        .client
        .validate_and_finalize("T-P", &expected)
        .await
        .unwrap();
    assert!(outcome.is_valid(), "{:?}", outcome.errors());
    assert_eq!(env.transaction_state("T-P").await["finalizeCount"], 1);
}

#[tokio::test]
async fn plugin_lists_mismatches_and_does_not_finalize() {
    let env = env().await;
    signed(&env, "pm@example.com", "T-PM").await;
    let expected = ExpectedOrder::default()
        .item("TV-55", 2, dollars(49900))
        .total(dollars(100));
    let PluginOutcome::Rejected { mismatches } = env
        .client
        .validate_and_finalize("T-PM", &expected)
        .await
        .unwrap()
    else {
        panic!()
    };
    assert!(mismatches.contains(&Mismatch::Quantity {
        sku: "TV-55".into(),
        expected: 2,
        actual: 1
    }));
    assert!(mismatches.contains(&Mismatch::UnexpectedItem {
        sku: "CABLE".into()
    }));
    assert!(matches!(mismatches.last(), Some(Mismatch::Total { .. })));
    assert_eq!(env.transaction_state("T-PM").await["finalizeCount"], 0);
}

#[tokio::test]
async fn plugin_cancels_when_finalize_fails() {
    let env = env().await;
    signed(&env, "pf@example.com", "T-PF").await;
    env.fault(
        FaultRule::status(400)
            .operation("finalizeTransaction")
            .times(0),
    )
    .await;
    let expected = ExpectedOrder::default()
        .item("TV-55", 1, dollars(49900))
        .item("CABLE", 2, dollars(2550));
    let outcome = env
        .client
        .validate_and_finalize("T-PF", &expected)
        .await
        .unwrap();
    assert!(
        matches!(
            outcome,
            PluginOutcome::FinalizeFailed { canceled: true, .. }
        ),
        "{outcome:?}"
    );
    assert_eq!(
        env.client.resume("T-PF", None).await.unwrap().step(),
        JourneyStep::Canceled
    );
}

#[tokio::test]
async fn shipping_everything_via_a_carrier_tracks_every_unshipped_unit() {
    let env = env().await;
    let (_, lease) = finalized(&env, "track@example.com", "T-TRACK").await;
    let ordered: u64 = order("T-TRACK")
        .items
        .iter()
        .map(|i| u64::from(i.quantity))
        .sum();
    env.clear_journal().await;

    let shipment = Shipment::everything_via("UPS", Some("1Z999".into()), today());
    lease.confirm_shipment(shipment).await.unwrap();

    let journal = env.journal().await;
    let sent = journal
        .iter()
        .find(|e| e["operationId"] == "confirmShipment")
        .expect("confirmShipment was sent");
    let lines = sent["body"]["items"].as_array().unwrap();
    assert!(!lines.is_empty(), "{sent}");
    assert!(
        lines
            .iter()
            .all(|l| l["carrier"] == "UPS" && l["trackingNumber"] == "1Z999"),
        "{sent}"
    );
    let tx = env.transaction_state("T-TRACK").await;
    let shipped: u64 = tx["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["quantityByStatus"]["shipped"].as_u64().unwrap())
        .sum();
    assert_eq!(shipped, ordered, "{tx}");
}

#[tokio::test]
async fn a_receipt_of_zero_units_is_refused_not_sent_as_every_unit() {
    let env = env().await;
    let (_s, lease) = finalized(&env, "zero@example.com", "T-ZERO").await;
    let before = env.transaction_state("T-ZERO").await;
    let receipt = Receipt::lines(vec![("TV-55".into(), Some(0))], None);
    let err = env
        .client
        .confirm_receipt("T-ZERO", &receipt)
        .await
        .unwrap_err();
    let Error::Validation(v) = &err else {
        panic!("expected a validation error, got {err:?}")
    };
    assert_eq!(v.errors[0].field, "receipt.items.quantity", "{v:?}");
    // Nothing was sent, so nothing was received.
    assert_eq!(env.transaction_state("T-ZERO").await, before);
    drop(lease);
}
