//! Many journeys at once while the sandbox injects 5xx, connection resets and
//! "apply the change, then drop the response" on every step the client may repeat
//! (create-lease, checked through the documented transaction; GETs). Whatever order
//! the faults land in, each journey must end shipped with exactly one lease and one
//! finalize: retries never duplicate an effect. Finalize and shipment are never
//! repeated once sent, so they are not faulted here (tests/sandbox/faults.rs shows
//! them failing with "may have been applied" instead).

use flexshopper::*;
use flexshopper_sandbox::{Sandbox, SandboxConfig};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::time::Duration;

const KEY: &str = "soak-merchant";
const JOURNEYS: usize = 16;
/// Steps the client may repeat (idempotent, or checked before repeating).
const FAULTED_OPERATIONS: [&str; 2] = ["createLease", "getTransaction"];

fn faults_for(operation: &str) -> Vec<Value> {
    vec![
        json!({"operationId": operation, "status": 503, "times": 2}),
        json!({"operationId": operation, "reset": true, "times": 1}),
        json!({"operationId": operation, "dropAfterApply": true, "times": 1}),
    ]
}

fn client(sandbox: &Sandbox) -> FlexShopper {
    FlexShopper::builder()
        .api_key(KEY)
        .environment(Environment::Custom(sandbox.base_url().into()))
        // More attempts than faults per operation, so a journey that draws every fault
        // of one operation still completes.
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(8)
                .initial_backoff(Duration::from_millis(2)),
        )
        .attempt_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

async fn journey(client: &FlexShopper, n: usize) -> Result<String, Error> {
    let session = client
        .create_customer(&NewCustomer::new(
            "Soak",
            "Test",
            format!("soak{n}@example.com"),
        ))
        .await?;
    let address = Address {
        street1: "1 Main St".into(),
        street2: None,
        city: "Boca Raton".into(),
        region: "FL".into(),
        postal_code: "33431".into(),
    };
    let application = Application::builder(address, "5615550100", "1990-04-30").build()?;
    let approval = client
        .apply(&session, &application)
        .await?
        .into_approval()?;
    let transaction_id = format!("SOAK-{n}");
    let order = Order::new(
        &transaction_id,
        vec![OrderItem::new(
            "TV-55",
            "TV",
            "Acme",
            Decimal::new(19999, 2),
            2,
        )],
    );
    let lease = approval.create_lease(&order).await?;
    let lease = lease
        .sign(&session, SignatureEvidence::now([127, 0, 0, 1].into()))
        .await?;
    let lease = lease.finalize().await?;
    lease
        .confirm_shipment(Shipment::everything_via(
            "UPS",
            None,
            chrono::Utc::now().date_naive(),
        ))
        .await?;
    Ok(transaction_id)
}

async fn admin(
    sandbox: &Sandbox,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let url = format!("{}/__sandbox/{path}", sandbox.base_url());
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    assert!(
        response.status().is_success(),
        "admin {path}: {}",
        response.status()
    );
    response.json().await.unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_journeys_under_faults_create_one_lease_and_one_finalize_each() {
    let sandbox = Sandbox::start(SandboxConfig::new()).await.unwrap();
    let installed: Vec<Value> = FAULTED_OPERATIONS
        .iter()
        .flat_map(|op| faults_for(op))
        .collect();
    let expected_faults: u64 = installed.iter().map(|f| f["times"].as_u64().unwrap()).sum();
    for fault in installed {
        admin(&sandbox, reqwest::Method::POST, "faults", Some(fault)).await;
    }

    let client = client(&sandbox);
    let results = futures::future::join_all((0..JOURNEYS).map(|n| journey(&client, n))).await;
    let failures: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(ToString::to_string)
        .collect();
    assert!(
        failures.is_empty(),
        "journeys failed under faults: {failures:#?}"
    );

    let journal = admin(&sandbox, reqwest::Method::GET, "journal", None).await;
    let faulted = journal
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["faulted"] == true)
        .count() as u64;
    assert_eq!(
        faulted, expected_faults,
        "every injected fault fired exactly once"
    );

    let state = admin(&sandbox, reqwest::Method::GET, "state", None).await;
    let transactions = &state["merchants"][flexshopper_sandbox::merchant_id(KEY)]["transactions"];
    for n in 0..JOURNEYS {
        let tx = &transactions[format!("SOAK-{n}")];
        assert_eq!(
            tx["leaseIds"].as_array().map(Vec::len),
            Some(1),
            "SOAK-{n}: {tx}"
        );
        assert_eq!(tx["finalizeCount"], 1, "SOAK-{n}: {tx}");
        assert_eq!(
            tx["items"][0]["quantityByStatus"]["shipped"], 2,
            "SOAK-{n}: {tx}"
        );
    }
}
