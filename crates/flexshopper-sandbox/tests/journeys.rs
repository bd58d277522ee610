//! The whole journeys, checked through the state afterwards.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn medusa_journey_user_to_return() {
    let api = sandbox().await;
    // user
    let c = api.customer("jane@example.com").await;
    // payment method
    let (status, body) = api
        .post_as(&c, "/v3/paymentMethods/add", json!({"primary": true, "label": "Visa", "token": {"cardType": "visa", "lastFour": "4242", "token": "tok-1", "billingZip": "33431"}}))
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, methods) = api.get_as(&c, "/v3/customers/me/payment-methods").await;
    assert_eq!(methods["data"][0]["lastFour"], "4242");
    // apply
    let (status, user) = api.apply(&c).await;
    assert_eq!(status, 200);
    assert_eq!(user["data"]["decision"]["status"], "approved");
    assert_eq!(user["data"]["decision"]["spendingLimit"], 2500.0);
    // lease
    let (status, lease) = api.create_lease(&c, "ORDER-1", two_items()).await;
    assert_eq!(status, 200, "{lease}");
    assert_eq!(lease["data"]["cashPrice"], 700.0);
    assert_eq!(lease["data"]["term"], 52);
    assert_eq!(lease["data"]["frequency"], "weekly");
    // 700 * 2.40 / 52 = 32.307... -> 32.31; 32.31 * 52 - 700 = 980.12
    assert_eq!(lease["data"]["payment"], 32.31);
    assert_eq!(lease["data"]["costOfRental"], 980.12);
    let lease_id = lease["data"]["leaseId"].as_str().unwrap();
    let (_, t) = api.get("/v3/transactions/ORDER-1").await;
    assert_eq!(t["data"]["lease"]["status"], "pending");
    // sign
    assert_eq!(api.sign(&c, lease_id).await.0, 200);
    assert_eq!(api.available_balance(&c).await, 1800.0);
    let (_, t) = api.get("/v3/transactions/ORDER-1").await;
    assert_eq!(t["data"]["lease"]["status"], "signed");
    // finalize (no body, as FlexShopper's plugin sends it)
    let (status, fin) = api
        .send(
            "POST",
            "/v3/transactions/ORDER-1/finalize",
            Some(&api.key),
            None,
            None,
        )
        .await;
    assert_eq!(status, 200, "{fin}");
    let number = fin["data"]["leaseNumber"].clone();
    // ship
    let (status, _) = api
        .post("/v3/transactions/ORDER-1/confirm-shipment", json!({"items": [{"sku": "TV", "carrier": "ground", "shipDate": "2024-01-02", "quantity": 2}, {"sku": "MOUNT", "carrier": "ground", "shipDate": "2024-01-02"}]}))
        .await;
    assert_eq!(status, 200);
    // return one TV
    let (status, ret) = api
        .post(
            "/v3/transactions/ORDER-1/return",
            json!({"items": [{"sku": "TV", "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        ret["data"]["returned"],
        json!([{"sku": "TV", "quantity": 1}])
    );
    // state afterwards
    let state = api.txn_state("ORDER-1").await;
    assert_eq!(state["status"], "fulfilled");
    assert_eq!(state["leaseNumber"], number);
    assert_eq!(state["finalizeCount"], 1);
    assert_eq!(
        state["items"][0]["quantityByStatus"],
        json!({"ordered": 2, "shipped": 1, "received": 0, "canceled": 0, "returned": 1})
    );
    assert_eq!(api.available_balance(&c).await, 2100.0);
    let (_, t) = api.get("/v3/transactions/ORDER-1").await;
    // No documented field of a transaction carries the lease number (finalize's answer
    // does; the sandbox keeps it for its state dump).
    assert!(t["data"].get("leaseNumber").is_none(), "{t}");
    assert_eq!(t["data"]["purchaseTotal"], 70000);
    assert_eq!(t["data"]["items"][0]["quantityByStatus"]["returned"], 1);
    // the agreement is listed
    let (_, agreements) = api.get_as(&c, "/v3/customers/me/agreements").await;
    assert_eq!(agreements["data"][0]["referenceId"], number);
}

#[tokio::test]
async fn legacy_passcode_login_and_application_path() {
    let api = sandbox().await;
    let created = api.customer("kba.legacy@example.com").await;
    let path = format!("/v3/users/{}/send-passcode", created.user_id);
    let (status, body) = api.post(&path, json!({"transport": "email"})).await;
    assert_eq!((status, body["status"].clone()), (200, json!(200)));
    let passcode = api
        .admin_get(&format!("/__sandbox/passcodes/{}", created.user_id))
        .await["passcode"]
        .as_str()
        .unwrap()
        .to_owned();
    let login = format!("/v3/users/{}/passcode-login", created.user_id);
    let (status, body) = api.post(&login, json!({"passcode": passcode})).await;
    assert_eq!(status, 200, "{body}");
    let c = Customer {
        user_id: created.user_id.clone(),
        token: body["data"]["token"].as_str().unwrap().into(),
        email: created.email,
    };
    // single use
    assert_eq!(api.post(&login, json!({"passcode": passcode})).await.0, 401);
    // routing number check, then the application
    let (_, routing) = api.get("/v3/routing-numbers/021000021").await;
    assert_eq!(routing["data"]["valid"], true);
    let (_, user) = api.apply(&c).await;
    assert_eq!(user["data"]["verificationStatus"], "pending");
    assert_eq!(user["data"]["decision"]["status"], "pending");
    let (status, qs) = api.get_as(&c, "/v3/users/me/verify-questions").await;
    assert_eq!(status, 200);
    let answers: Vec<_> = qs["data"]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| json!({"questionId": q["id"], "choiceId": q["choices"][0]["id"]}))
        .collect();
    assert_eq!(answers.len(), 3);
    let (status, res) = api
        .post_as(
            &c,
            "/v3/users/me/verify-answers",
            json!({"id": qs["data"]["id"], "answers": answers}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(res["data"]["verificationStatus"], "succeeded");
    // approved now: a lease goes through, and the legacy checkout answers too
    let lease = api
        .lease(&c, "LEGACY-1", json!([item("SOFA", 500.0, 1)]))
        .await;
    assert_eq!(api.sign(&c, &lease).await.0, 200);
    let (status, checkout) = api
        .post("/v3/checkout", json!({"transactionId": "LEGACY-CO", "items": [item("SOFA", 500.0, 1)], "customer": {"firstName": "J", "lastName": "D", "email": "j@example.com"}}))
        .await;
    assert_eq!(status, 200);
    assert!(
        checkout["data"]["redirectUri"]
            .as_str()
            .unwrap()
            .contains(checkout["data"]["id"].as_str().unwrap())
    );
    assert_eq!(api.txn_state("LEGACY-1").await["status"], "signed");
}

#[tokio::test]
async fn waterfall_path_prequal_lookup_lease_receipt_refund() {
    let api = sandbox().await;
    let (status, pq) = api
        .post("/v3/users/prequal/start/lease", json!({
            "mobilePhone": "6514447773", "firstName": "John", "lastName": "Doe", "email": "john@example.com",
            "street1": "1 Main St", "city": "Boca Raton", "regionAbbr": "FL", "postalCode": "33431", "country": "US",
            "dateOfBirth": "1990-10-10", "ssn": "888776666"}))
        .await;
    assert_eq!(status, 200, "{pq}");
    assert_eq!(pq["data"]["decision"]["limit"], 2500.0);
    let prequal_id = pq["data"]["prequalId"].clone();
    let (status, done) = api
        .post("/v3/users/prequal/complete/lease", json!({"prequalId": prequal_id, "bankAccount": {"routing": "021000021", "account": "123456789", "type": "checking"}}))
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["data"]["decision"]["status"], "approved");
    let (status, found) = api
        .post(
            "/v3/users/search",
            json!({"mobilePhone": "6514447773", "ssn": "888776666"}),
        )
        .await;
    assert_eq!(status, 200);
    let user = &found["data"]["users"][0];
    let c = Customer {
        user_id: user["userId"].as_str().unwrap().into(),
        token: user["token"].as_str().unwrap().into(),
        email: "john@example.com".into(),
    };
    let (status, code) = api
        .post(&format!("/v3/users/{}/auth-code", c.user_id), json!({}))
        .await;
    assert_eq!(status, 200);
    assert!(code["code"].is_string());
    let lease = api.lease(&c, "WF-1", json!([item("RING", 200.0, 1)])).await;
    assert_eq!(api.sign(&c, &lease).await.0, 200);
    assert_eq!(
        api.post("/v3/transactions/WF-1/finalize", json!({}))
            .await
            .0,
        200
    );
    assert_eq!(
        api.post(
            "/v3/transactions/WF-1/confirm-receipt",
            json!({"items": [{"sku": "RING", "receiptDate": "2024-01-05"}]})
        )
        .await
        .0,
        200
    );
    let (status, refund) = api
        .post(
            "/v3/transactions/WF-1/refund",
            json!({"items": [{"lineNumber": 1, "sku": "RING", "itemCredit": 20.0}]}),
        )
        .await;
    assert_eq!(status, 200, "{refund}");
    assert_eq!(
        refund["data"]["refunded"],
        json!([{"sku": "RING", "lineNumber": 1}])
    );
    let state = api.txn_state("WF-1").await;
    assert_eq!(state["status"], "fulfilled");
    assert_eq!(state["items"][0]["quantityByStatus"]["received"], 1);
}
