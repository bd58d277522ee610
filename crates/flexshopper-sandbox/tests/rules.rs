//! The rules a real lease follows, and their documented error codes, over HTTP.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn lease_before_decision_is_refused() {
    let api = sandbox().await;
    let c = api.customer("nodecision@example.com").await;
    let (status, body) = api.create_lease(&c, "T", two_items()).await;
    assert_eq!((status, code(&body)), (403, json!("NoDecision")));
}

#[tokio::test]
async fn lease_below_merchant_minimum_is_refused() {
    let api = sandbox().await;
    let (_, settings) = api.get("/v3/settings/lease").await;
    assert_eq!(settings["data"]["minimumOrderValue"], 49.95);
    let c = api.approved_customer("min@example.com").await;
    let (status, body) = api
        .create_lease(&c, "T", json!([item("A", 49.94, 1)]))
        .await;
    assert_eq!(
        (status, code(&body)),
        (400, json!("LeaseAmountNotSatisfied"))
    );
    // shipping counts towards the total, a discount against it
    let (status, _) = api
        .post_as(&c, "/v3/leases", json!({"transactionId": "T2", "items": [item("A", 40.0, 1)], "shipping": {"cost": 9.95}}))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn lease_over_available_spending_is_refused() {
    let api = sandbox().await;
    let (c, _) = api.signed_lease("over@example.com", "T1").await;
    // 2500 - 700 = 1800 left
    let (status, body) = api
        .create_lease(&c, "T2", json!([item("A", 1800.01, 1)]))
        .await;
    assert_eq!(
        (status, code(&body)),
        (400, json!("ExceedSpendingLimitError"))
    );
    assert_eq!(
        api.create_lease(&c, "T3", json!([item("A", 1800.0, 1)]))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn spending_hold_blocks_new_leases() {
    let api = sandbox().await;
    let c = api.approved_customer("hold@example.com").await;
    let (_, me) = api.get_as(&c, "/v3/users/me").await;
    assert_eq!(me["data"]["spendingHold"], true);
    let (status, body) = api.create_lease(&c, "T", two_items()).await;
    assert_eq!((status, code(&body)), (403, json!("SpendingHold")));
}

#[tokio::test]
async fn finalize_before_sign_is_refused() {
    let api = sandbox().await;
    let c = api.approved_customer("a@example.com").await;
    api.lease(&c, "T1", two_items()).await;
    let (status, body) = api.post("/v3/transactions/T1/finalize", json!({})).await;
    assert_eq!((status, code(&body)), (409, json!("LeaseNotSigned")));
}

#[tokio::test]
async fn shipment_or_receipt_before_finalize_is_refused() {
    let api = sandbox().await;
    api.signed_lease("a@example.com", "T1").await;
    let (status, body) = api
        .post(
            "/v3/transactions/T1/confirm-shipment",
            json!({"items": [{"sku": "TV", "carrier": "ups", "shipDate": "2024-01-01"}]}),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (409, json!("TransactionNotFinalized"))
    );
    let (status, body) = api
        .post(
            "/v3/transactions/T1/confirm-receipt",
            json!({"items": [{"sku": "TV", "receiptDate": "2024-01-01"}]}),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (409, json!("TransactionNotFinalized"))
    );
}

#[tokio::test]
async fn expired_lease_cannot_be_signed() {
    let api = sandbox().await;
    let c = api.approved_customer("late@example.com").await;
    let lease = api.lease(&c, "T1", two_items()).await;
    api.admin_post(
        "/__sandbox/clock/advance",
        json!({"seconds": 72 * 3600 + 1}),
    )
    .await;
    // The customer token expired with the clock too: mint a fresh one.
    let (_, t) = api.get(&format!("/v3/users/{}/authorize", c.user_id)).await;
    let c = Customer {
        token: t["data"]["token"].as_str().unwrap().into(),
        ..c
    };
    let (_, l) = api.get_as(&c, &format!("/v3/leases/{lease}")).await;
    assert_eq!(l["data"]["isExpired"], true);
    let (status, body) = api.sign(&c, &lease).await;
    assert_eq!((status, code(&body)), (410, json!("LeaseExpired")));
}

#[tokio::test]
async fn quantities_are_conserved_per_sku() {
    let api = sandbox().await;
    api.finalized("a@example.com", "T1").await;
    api.post("/v3/transactions/T1/confirm-shipment", json!({"items": [{"sku": "TV", "carrier": "ups", "shipDate": "2024-01-01", "quantity": 1}]})).await;
    api.post(
        "/v3/transactions/T1/cancel",
        json!({"items": [{"sku": "TV", "quantity": 1}]}),
    )
    .await;
    api.post(
        "/v3/transactions/T1/confirm-receipt",
        json!({"items": [{"sku": "MOUNT"}]}),
    )
    .await;
    api.post(
        "/v3/transactions/T1/return",
        json!({"items": [{"sku": "MOUNT"}]}),
    )
    .await;
    let state = api.txn_state("T1").await;
    for item in state["items"].as_array().unwrap() {
        let q = &item["quantityByStatus"];
        let fulfilled_or_closed: u64 = ["shipped", "received", "canceled", "returned"]
            .iter()
            .map(|k| q[k].as_u64().unwrap())
            .sum();
        assert_eq!(
            fulfilled_or_closed,
            item["ordered"].as_u64().unwrap(),
            "{item}"
        );
    }
    assert_eq!(
        state["items"][0]["quantityByStatus"],
        json!({"ordered": 2, "shipped": 1, "received": 0, "canceled": 1, "returned": 0})
    );
    assert_eq!(
        state["items"][1]["quantityByStatus"],
        json!({"ordered": 1, "shipped": 0, "received": 0, "canceled": 0, "returned": 1})
    );
}

#[tokio::test]
async fn shipped_items_cannot_be_canceled() {
    let api = sandbox().await;
    api.finalized("a@example.com", "T1").await;
    api.post(
        "/v3/transactions/T1/confirm-shipment",
        json!({"items": [{"sku": "TV", "carrier": "ups", "shipDate": "2024-01-01"}]}),
    )
    .await;
    let (status, body) = api
        .post(
            "/v3/transactions/T1/cancel",
            json!({"items": [{"sku": "TV", "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["canceled"], json!([]));
    assert_eq!(
        body["data"]["failed"],
        json!([{"sku": "TV", "quantity": 1}])
    );
}

#[tokio::test]
async fn only_shipped_or_received_items_can_be_returned() {
    let api = sandbox().await;
    api.finalized("a@example.com", "T1").await;
    let (_, body) = api
        .post(
            "/v3/transactions/T1/return",
            json!({"items": [{"sku": "TV", "quantity": 1}, {"sku": "NOPE"}]}),
        )
        .await;
    assert_eq!(body["data"]["returned"], json!([]));
    assert_eq!(body["data"]["failed"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn balance_goes_down_with_signing_and_up_with_cancels_and_returns() {
    let api = sandbox().await;
    let c = api.finalized("a@example.com", "T1").await;
    assert_eq!(api.available_balance(&c).await, 1800.0);
    api.post(
        "/v3/transactions/T1/cancel",
        json!({"items": [{"sku": "MOUNT"}]}),
    )
    .await;
    assert_eq!(api.available_balance(&c).await, 1900.0);
    api.post(
        "/v3/transactions/T1/confirm-shipment",
        json!({"items": [{"sku": "TV", "carrier": "ups", "shipDate": "2024-01-01"}]}),
    )
    .await;
    api.post("/v3/transactions/T1/return", json!({})).await;
    assert_eq!(api.available_balance(&c).await, 2500.0);
    assert_eq!(api.txn_state("T1").await["status"], "returned");
}

#[tokio::test]
async fn repeated_finalize_shipment_and_receipt_are_harmless() {
    let api = sandbox().await;
    api.signed_lease("a@example.com", "T1").await;
    let (_, first) = api.post("/v3/transactions/T1/finalize", json!({})).await;
    let (_, second) = api.post("/v3/transactions/T1/finalize", json!({})).await;
    assert_eq!(first, second);
    let ship = json!({"items": [{"sku": "TV", "carrier": "ups", "shipDate": "2024-01-01", "quantity": 1}]});
    assert_eq!(
        api.post("/v3/transactions/T1/confirm-shipment", ship.clone())
            .await
            .0,
        200
    );
    assert_eq!(
        api.post("/v3/transactions/T1/confirm-shipment", ship)
            .await
            .0,
        200
    );
    let receipt = json!({"items": [{"sku": "MOUNT", "quantity": 1, "receiptDate": "2024-01-03"}]});
    assert_eq!(
        api.post("/v3/transactions/T1/confirm-receipt", receipt.clone())
            .await
            .0,
        200
    );
    assert_eq!(
        api.post("/v3/transactions/T1/confirm-receipt", receipt)
            .await
            .0,
        200
    );
    let state = api.txn_state("T1").await;
    assert_eq!(state["finalizeCount"], 1);
    assert_eq!(state["items"][0]["quantityByStatus"]["shipped"], 1);
    assert_eq!(state["items"][1]["quantityByStatus"]["received"], 1);
}

#[tokio::test]
async fn same_create_lease_is_idempotent_and_a_different_one_is_a_duplicate() {
    let api = sandbox().await;
    let c = api.approved_customer("a@example.com").await;
    let a = api.lease(&c, "T1", two_items()).await;
    let b = api.lease(&c, "T1", two_items()).await;
    assert_eq!(a, b);
    let (status, body) = api
        .create_lease(&c, "T1", json!([item("TV", 300.0, 1)]))
        .await;
    assert_eq!((status, code(&body)), (409, json!("DuplicateTransaction")));
    let other = api.approved_customer("b@example.com").await;
    let (status, body) = api.create_lease(&other, "T1", two_items()).await;
    assert_eq!((status, code(&body)), (409, json!("DuplicateTransaction")));
}

#[tokio::test]
async fn unknown_resources_are_not_found() {
    let api = sandbox().await;
    let c = api.approved_customer("a@example.com").await;
    let (status, body) = api.get("/v3/transactions/NOPE").await;
    assert_eq!((status, code(&body)), (404, json!("TransactionNotFound")));
    let (status, body) = api.get_as(&c, "/v3/leases/NOPE").await;
    assert_eq!((status, code(&body)), (404, json!("LeaseNotFound")));
    let (status, body) = api.get("/v3/users/NOPE/authorize").await;
    assert_eq!((status, code(&body)), (404, json!("UserNotFound")));
    // another customer's lease does not exist for this one
    let (_, lease) = api.signed_lease("b@example.com", "T9").await;
    let (status, body) = api.get_as(&c, &format!("/v3/leases/{lease}")).await;
    assert_eq!((status, code(&body)), (404, json!("LeaseNotFound")));
}

#[tokio::test]
async fn contract_is_base64_html_naming_customer_items_and_terms() {
    use base64::Engine;
    let api = sandbox().await;
    let c = api.approved_customer("contract@example.com").await;
    let (_, lease) = api.create_lease(&c, "T1", two_items()).await;
    let html = base64::engine::general_purpose::STANDARD
        .decode(lease["data"]["contract"].as_str().unwrap())
        .unwrap();
    let html = String::from_utf8(html).unwrap();
    for needle in [
        "contract@example.com",
        "TV",
        "MOUNT",
        "52 weekly payments of $32.31",
        "Cash price: $700",
    ] {
        assert!(html.contains(needle), "{needle} missing from {html}");
    }
}

#[tokio::test]
async fn signing_a_fully_canceled_lease_is_refused() {
    let api = sandbox().await;
    let c = api.approved_customer("cancelled@example.com").await;
    let lease = api.lease(&c, "T-CXL", two_items()).await;
    let (status, _) = api
        .post("/v3/transactions/T-CXL/cancel", json!({"items": []}))
        .await;
    assert_eq!(status, 200);
    let (status, body) = api.sign(&c, &lease).await;
    assert_eq!((status, code(&body)), (409, json!("TransactionCanceled")));
}

const SHIPMENT_WITHOUT_ITEMS: &str =
    r#"child "items" fails because ["items" must contain at least 1 items]"#;

#[tokio::test]
async fn shipment_with_an_empty_item_list_is_refused_as_flexshopper_refuses_it() {
    let api = sandbox().await;
    api.finalized("a@example.com", "T1").await;
    let (status, body) = api
        .post("/v3/transactions/T1/confirm-shipment", json!({"items": []}))
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"statusCode": 400, "message": SHIPMENT_WITHOUT_ITEMS})
        )
    );
    let (status, body) = api
        .send(
            "POST",
            "/v3/transactions/T1/confirm-shipment",
            Some(&api.key),
            None,
            None,
        )
        .await;
    assert_eq!((status, code(&body)), (400, json!("ValidationError")));
    let state = api.txn_state("T1").await;
    assert_eq!(state["items"][0]["quantityByStatus"]["shipped"], 0);
    // Without `items`, everything ships (documented).
    let (status, _) = api
        .post("/v3/transactions/T1/confirm-shipment", json!({}))
        .await;
    assert_eq!(status, 200);
    let state = api.txn_state("T1").await;
    assert_eq!(state["items"][0]["quantityByStatus"]["shipped"], 2);
}

#[tokio::test]
async fn receipt_items_carry_a_receipt_date_and_need_at_least_one_item() {
    let api = sandbox().await;
    api.finalized("a@example.com", "T1").await;
    let (status, body) = api
        .post("/v3/transactions/T1/confirm-receipt", json!({"items": []}))
        .await;
    assert_eq!(
        (status, body["message"].clone()),
        (400, json!(SHIPMENT_WITHOUT_ITEMS))
    );
    let (status, body) = api
        .post(
            "/v3/transactions/T1/confirm-receipt",
            json!({"items": [{"sku": "MOUNT", "receiptDate": "03/01/2024"}]}),
        )
        .await;
    assert_eq!((status, code(&body)), (400, json!("ValidationError")));
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("items[0].receiptDate: "),
        "{body}"
    );
    let (status, body) = api
        .post(
            "/v3/transactions/T1/confirm-receipt",
            json!({"items": [{"sku": "MOUNT", "quantity": 1, "receiptDate": "2024-01-03"}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let state = api.txn_state("T1").await;
    assert_eq!(state["items"][1]["quantityByStatus"]["received"], 1);
}

#[tokio::test]
async fn cancel_with_an_empty_item_list_cancels_everything_but_needs_a_body() {
    let api = sandbox().await;
    api.finalized("a@example.com", "T1").await;
    let (status, body) = api
        .send(
            "POST",
            "/v3/transactions/T1/cancel",
            Some(&api.key),
            None,
            None,
        )
        .await;
    assert_eq!((status, code(&body)), (400, json!("ValidationError")));
    let (status, body) = api
        .post("/v3/transactions/T1/cancel", json!({"items": []}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["canceled"],
        json!([{"sku": "TV", "quantity": 2}, {"sku": "MOUNT", "quantity": 1}])
    );
}

#[tokio::test]
async fn fulfilling_items_the_transaction_does_not_have_is_a_conflict() {
    let api = sandbox().await;
    api.finalized("a@example.com", "T1").await;
    for items in [
        json!([{"sku": "NOPE", "carrier": "ups", "shipDate": "2024-01-01"}]),
        json!([{"sku": "MOUNT", "carrier": "ups", "shipDate": "2024-01-01", "quantity": 2}]),
    ] {
        let (status, body) = api
            .post(
                "/v3/transactions/T1/confirm-shipment",
                json!({ "items": items }),
            )
            .await;
        assert_eq!((status, code(&body)), (409, json!("ItemsUnavailable")));
    }
}
