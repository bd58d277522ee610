//! The Payment Plugin's `POST /validate-order` handler: the browser's `onSign` posts
//! `{transactionId, leaseNumber}`; the server checks the signed order against its own
//! cart and finalizes it (or cancels when finalizing fails).
//!
//! `cargo run -p flexshopper --example validate_order` starts the embedded sandbox,
//! signs a lease, and calls the handler once; in a real shop, mount `router()`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use flexshopper::*;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

/// What `onSign` posts.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignedOrder {
    transaction_id: String,
}

#[derive(Clone)]
struct AppState {
    flexshopper: FlexShopper,
}

/// The merchant's own view of the order (here: a fixed cart).
fn expected_order(_transaction_id: &str) -> ExpectedOrder {
    ExpectedOrder::default()
        .item("TV-55", 1, Decimal::new(49900, 2))
        .total(Decimal::new(49900, 2))
}

async fn validate_order(
    State(state): State<AppState>,
    Json(body): Json<SignedOrder>,
) -> (StatusCode, Json<Value>) {
    let expected = expected_order(&body.transaction_id);
    match state
        .flexshopper
        .validate_and_finalize(&body.transaction_id, &expected)
        .await
    {
        Ok(PluginOutcome::Finalized { lease_number }) => (
            StatusCode::OK,
            Json(json!({ "valid": true, "leaseNumber": lease_number })),
        ),
        Ok(outcome) => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "valid": false, "errors": outcome.errors() })),
        ),
        Err(e) => (
            StatusCode::BAD_GATEWAY,
            Json(json!({ "valid": false, "errors": [e.to_string()] })),
        ),
    }
}

fn router(flexshopper: FlexShopper) -> Router {
    Router::new()
        .route("/validate-order", post(validate_order))
        .with_state(AppState { flexshopper })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await?;
    let client = FlexShopper::builder()
        .api_key("demo-merchant-key")
        .environment(Environment::Custom(sandbox.base_url().into()))
        .build()?;

    // What the browser flow did: a customer signed a lease for the cart.
    let session = client
        .create_customer(&NewCustomer::new("Jane", "Doe", "jane@example.com"))
        .await?;
    let address = Address {
        street1: "1 Main St".into(),
        street2: None,
        city: "Boca Raton".into(),
        region: "FL".into(),
        postal_code: "33431".into(),
    };
    let app = Application::builder(address, "5615550100", "1990-04-30").build()?;
    let approval = client.apply(&session, &app).await?.into_approval()?;
    let order = Order::new(
        "ORDER-2002",
        vec![OrderItem::new(
            "TV-55",
            "55in TV",
            "Acme",
            Decimal::new(49900, 2),
            1,
        )],
    );
    let lease = approval.create_lease(&order).await?;
    lease
        .sign(&session, SignatureEvidence::now([203, 0, 113, 7].into()))
        .await?;

    // The merchant's server.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(axum::serve(listener, router(client)).into_future());
    let answer: Value = reqwest::Client::new()
        .post(format!("http://{addr}/validate-order"))
        .json(&json!({ "transactionId": "ORDER-2002", "leaseNumber": "" }))
        .send()
        .await?
        .json()
        .await?;
    println!("POST /validate-order → {answer}");
    Ok(())
}
