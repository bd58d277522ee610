//! Small fixture builders: a sandbox with admin helpers, clients, customers, orders.

use flexshopper::*;
pub use flexshopper_sandbox::FaultRule;
use flexshopper_sandbox::{AdminClient, Sandbox, SandboxConfig};
use rust_decimal::Decimal;
use serde_json::Value;
use std::time::Duration;

pub const KEY: &str = "merchant-key-A";

pub struct Env {
    pub sandbox: Sandbox,
    pub client: FlexShopper,
    admin: AdminClient,
}

pub async fn env() -> Env {
    let sandbox = Sandbox::start(SandboxConfig::new())
        .await
        .expect("sandbox starts");
    let client = client(&sandbox, KEY);
    Env {
        admin: sandbox.admin(),
        sandbox,
        client,
    }
}

/// A client with fast retries (tests should not sleep for long).
pub fn client(sandbox: &Sandbox, key: &str) -> FlexShopper {
    FlexShopper::builder()
        .api_key(key)
        .environment(Environment::Custom(sandbox.base_url().into()))
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(4)
                .initial_backoff(Duration::from_millis(5)),
        )
        .attempt_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

impl Env {
    /// This merchant's slice of GET /__sandbox/state.
    pub async fn state(&self) -> Value {
        self.admin.merchant_state(KEY).await.unwrap()
    }

    pub async fn transaction_state(&self, tid: &str) -> Value {
        self.state().await["transactions"][tid].clone()
    }

    pub async fn journal(&self) -> Vec<Value> {
        self.admin.journal().await.unwrap()
    }

    #[allow(dead_code)] // used by tests/redaction.rs, which shares these fixtures
    pub async fn journal_text(&self) -> String {
        Value::Array(self.journal().await).to_string()
    }

    pub async fn clear_journal(&self) {
        self.admin.clear_journal().await.unwrap();
    }

    /// Requests of one operation in the journal.
    pub async fn sent(&self, operation: &str) -> usize {
        self.journal()
            .await
            .iter()
            .filter(|e| e["operationId"] == operation)
            .count()
    }

    pub async fn fault(&self, rule: FaultRule) {
        self.admin.add_fault(rule).await.unwrap();
    }

    pub async fn advance_clock(&self, seconds: i64) {
        self.admin.advance_clock(seconds).await.unwrap();
    }

    pub async fn passcode(&self, user_id: &str) -> String {
        self.admin.passcode(user_id).await.unwrap()
    }
}

pub fn address() -> Address {
    Address {
        street1: "1 Main St".into(),
        street2: None,
        city: "Boca Raton".into(),
        region: "FL".into(),
        postal_code: "33431".into(),
    }
}

pub fn application() -> ApplicationBuilder {
    Application::builder(address(), "5615550100", "1990-04-30").ssn("123456789")
}

pub async fn customer(client: &FlexShopper, email: &str) -> CustomerSession {
    client
        .create_customer(&NewCustomer::new("Jane", "Doe", email))
        .await
        .expect("customer created")
}

pub async fn decision_for(client: &FlexShopper, email: &str) -> (CustomerSession, Decision) {
    let session = customer(client, email).await;
    let decision = client
        .apply(&session, &application().build().unwrap())
        .await
        .expect("applied");
    (session, decision)
}

pub async fn approved(client: &FlexShopper, email: &str) -> (CustomerSession, Approval) {
    let (session, decision) = decision_for(client, email).await;
    (session, decision.into_approval().expect("approved"))
}

pub fn dollars(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

/// An order of one $499.00 TV and two $25.50 cables.
pub fn order(tid: &str) -> Order {
    Order::new(
        tid,
        vec![
            OrderItem::new("TV-55", "55in TV", "Acme", dollars(49900), 1),
            OrderItem::new("CABLE", "HDMI cable", "Acme", dollars(2550), 2),
        ],
    )
}

pub fn evidence() -> SignatureEvidence {
    SignatureEvidence::now([203, 0, 113, 7].into())
}

pub async fn created(env: &Env, email: &str, tid: &str) -> (CustomerSession, Lease<Created>) {
    let (session, approval) = approved(&env.client, email).await;
    let lease = approval
        .create_lease(&order(tid))
        .await
        .expect("lease created");
    (session, lease)
}

pub async fn signed(env: &Env, email: &str, tid: &str) -> (CustomerSession, Lease<Signed>) {
    let (session, lease) = created(env, email, tid).await;
    let lease = lease.sign(&session, evidence()).await.expect("signed");
    (session, lease)
}

pub async fn finalized(env: &Env, email: &str, tid: &str) -> (CustomerSession, Lease<Finalized>) {
    let (session, lease) = signed(env, email, tid).await;
    (session, lease.finalize().await.expect("finalized"))
}

pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}
