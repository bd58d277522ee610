//! Every row of the scenario table.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn any_other_applicant_is_approved() {
    let api = sandbox().await;
    let c = api.customer("jane@example.com").await;
    let (_, u) = api.apply(&c).await;
    let d = &u["data"]["decision"];
    assert_eq!(
        (
            d["status"].clone(),
            d["spendingLimit"].clone(),
            d["availableBalance"].clone(),
            d["availableWeeklySpending"].clone()
        ),
        (
            json!("approved"),
            json!(2500.0),
            json!(2500.0),
            json!(250.0)
        )
    );
    assert_eq!(u["data"]["verificationStatus"], "succeeded");
}

#[tokio::test]
async fn email_with_deny_is_denied() {
    let api = sandbox().await;
    let c = api.customer("deny.me@example.com").await;
    let (_, u) = api.apply(&c).await;
    assert_eq!(u["data"]["decision"]["status"], "denied");
    assert_eq!(u["data"]["decision"]["spendingLimit"], 0.0);
    let (status, body) = api.create_lease(&c, "T", two_items()).await;
    assert_eq!((status, code(&body)), (403, json!("NoDecision")));
}

#[tokio::test]
async fn email_with_pending_is_pending_and_cannot_lease() {
    let api = sandbox().await;
    let c = api.customer("pending@example.com").await;
    let (_, u) = api.apply(&c).await;
    assert_eq!(u["data"]["decision"]["status"], "pending");
    let (status, body) = api.create_lease(&c, "T", two_items()).await;
    assert_eq!((status, code(&body)), (403, json!("NoDecision")));
}

#[tokio::test]
async fn email_with_kba_and_a_wrong_answer_is_denied() {
    let api = sandbox().await;
    let c = api.approved_customer("kba@example.com").await;
    let (_, qs) = api.get_as(&c, "/v3/users/me/verify-questions").await;
    let answers: Vec<_> = qs["data"]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| json!({"questionId": q["id"], "choiceId": q["choices"][1]["id"]}))
        .collect();
    let (_, res) = api
        .post_as(
            &c,
            "/v3/users/me/verify-answers",
            json!({"id": qs["data"]["id"], "answers": answers}),
        )
        .await;
    assert_eq!(res["data"]["verificationStatus"], "failed");
    let (_, me) = api.get_as(&c, "/v3/users/me").await;
    assert_eq!(me["data"]["decision"]["status"], "denied");
}

#[tokio::test]
async fn email_with_prepay_needs_payment_at_signing() {
    let api = sandbox().await;
    let c = api.approved_customer("prepay@example.com").await;
    let lease = api.lease(&c, "T", two_items()).await;
    for _ in 0..2 {
        let (status, body) = api.sign(&c, &lease).await;
        assert_eq!((status, code(&body)), (402, json!("PaymentRequired")));
    }
}

#[tokio::test]
async fn rejected_routing_numbers() {
    let api = sandbox().await;
    for (routing, reason) in [
        ("021000022", "invalid-check-digit"),
        ("000000000", "bank-not-accepted"),
        ("084009519", "bank-not-accepted"),
        ("12345", "short-number"),
    ] {
        let (_, v) = api.get(&format!("/v3/routing-numbers/{routing}")).await;
        assert_eq!(
            (v["data"]["valid"].clone(), v["data"]["reason"].clone()),
            (json!(false), json!(reason))
        );
    }
    let c = api.customer("bank@example.com").await;
    let (_, ach) = api
        .post(
            &format!("/v3/paymentMethods/{}/verifyACH", c.user_id),
            json!({"accountNumber": "123456789", "routingNumber": "084009519"}),
        )
        .await;
    assert_eq!(ach["data"]["status"], false);
    let mut app = application();
    app["bankAccount"]["routing"] = json!("000000000");
    let (status, body) = api.post_as(&c, "/v3/users/me/apply", app).await;
    assert_eq!((status, code(&body)), (400, json!("InvalidRoutingNumber")));
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("bankAccount.routing")
    );
}

fn card(last_four: &str, primary: bool) -> serde_json::Value {
    json!({"primary": primary, "label": "card", "token": {"cardType": "visa", "lastFour": last_four, "token": "tok", "billingZip": "33431"}})
}

fn ach(routing: &str, account: &str) -> serde_json::Value {
    json!({"primary": false, "label": "bank", "ach": {"routing": routing, "account": account, "accountType": "checking"}})
}

#[tokio::test]
async fn card_ending_0003_is_not_primary_eligible() {
    let api = sandbox().await;
    let c = api.customer("pm@example.com").await;
    let (status, body) = api
        .post_as(&c, "/v3/paymentMethods/add", card("0003", true))
        .await;
    assert_eq!((status, code(&body)), (400, json!(11503)));
    assert_eq!(
        body["error"]["message"],
        "Payment method is not primary eligible"
    );
    let (status, _) = api
        .post_as(&c, "/v3/paymentMethods/add", card("0003", false))
        .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn ach_account_at_a_deny_listed_bank_is_not_accepted() {
    let api = sandbox().await;
    let c = api.customer("pm@example.com").await;
    for routing in ["000000000", "084009519"] {
        let (status, body) = api
            .post_as(&c, "/v3/paymentMethods/add", ach(routing, "123456789"))
            .await;
        assert_eq!((status, code(&body)), (400, json!(11505)));
        assert_eq!(body["error"]["message"], "Bank is not accepted");
    }
    // A routing number failing the checksum is not a bank at all.
    let (status, body) = api
        .post_as(&c, "/v3/paymentMethods/add", ach("021000022", "123456789"))
        .await;
    assert_eq!((status, code(&body)), (400, json!("InvalidRoutingNumber")));
}

#[tokio::test]
async fn ach_account_ending_0006_requires_verification_until_verify_ach_accepts_it() {
    let api = sandbox().await;
    let c = api.customer("pm@example.com").await;
    let bank = ach("021000021", "987650006");
    let (status, body) = api
        .post_as(&c, "/v3/paymentMethods/add", bank.clone())
        .await;
    assert_eq!((status, code(&body)), (400, json!(11506)));
    assert_eq!(body["error"]["message"], "Bank requires verification");
    let (_, verified) = api
        .post(
            &format!("/v3/paymentMethods/{}/verifyACH", c.user_id),
            json!({"accountNumber": "987650006", "routingNumber": "021000021"}),
        )
        .await;
    assert_eq!(verified["data"]["status"], true);
    let (status, body) = api.post_as(&c, "/v3/paymentMethods/add", bank).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn the_same_payment_method_twice_is_a_duplicate_payment_method() {
    let api = sandbox().await;
    let c = api.customer("pm@example.com").await;
    for method in [card("1111", false), ach("021000021", "123456789")] {
        let (status, _) = api
            .post_as(&c, "/v3/paymentMethods/add", method.clone())
            .await;
        assert_eq!(status, 201);
        let (status, body) = api.post_as(&c, "/v3/paymentMethods/add", method).await;
        assert_eq!(
            (status, code(&body)),
            (409, json!("DuplicatePaymentMethod"))
        );
    }
}

#[tokio::test]
async fn existing_email_or_exists_trigger_is_a_conflict() {
    let api = sandbox().await;
    api.customer("jane@example.com").await;
    for email in ["jane@example.com", "exists@example.com"] {
        let (status, body) = api
            .post(
                "/v3/users",
                json!({"firstName": "J", "lastName": "D", "email": email}),
            )
            .await;
        assert_eq!((status, code(&body)), (409, json!("UserAlreadyExists")));
    }
}

/// Both READMEs show the table the sandbox serves, word for word and in order, with
/// each row's provenance.
#[test]
fn the_readmes_show_the_scenario_table_word_for_word() {
    use flexshopper_sandbox::scenarios::{README_HEADER, SCENARIOS};
    let rows: Vec<String> = SCENARIOS.iter().map(|s| s.readme_row()).collect();
    let table = format!("{README_HEADER}\n{}\n", rows.join("\n"));
    for readme in ["README.md", "../../README.md"] {
        let path = format!("{}/{readme}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains(&table),
            "{path} does not show the scenario table:\n{table}"
        );
    }
}
