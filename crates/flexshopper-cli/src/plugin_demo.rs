//! `flexshopper plugin-demo`: an example shop using FlexShopper's Payment Plugin against
//! the local sandbox. The cart page is seed 004's snippet (`FlexSDK.Button({createOrder,
//! onSign}).render(...)`, `onSign` POSTing to `/validate-order`); `/validate-order` checks
//! the signed lease against the same cart with the `flexshopper` crate and finalizes it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::{get, post};
use axum::{Json, Router};
use flexshopper::flexsdk::{CreateOrder, OrderLine, SignedOrder};
use flexshopper::{Environment, FlexShopper, PluginOutcome};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// Where the shop listens and which sandbox and keys it uses.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// The shop's address (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// The sandbox's base URL (serves `/sdk/js` and `/v3`).
    pub sandbox_url: String,
    /// The public authorization key the page loads the SDK with.
    pub auth_key: String,
    /// The merchant's secret API key, used by `/validate-order` only.
    pub api_key: String,
}

/// A running shop; it stops when dropped.
#[derive(Debug)]
pub struct DemoShop {
    url: String,
    task: tokio::task::JoinHandle<()>,
}

impl DemoShop {
    /// `http://127.0.0.1:PORT/`, the cart page.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for DemoShop {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone)]
struct Shop {
    config: DemoConfig,
    client: FlexShopper,
    /// transactionId → the cart the page was given, checked again at `/validate-order`.
    carts: Arc<Mutex<HashMap<String, CreateOrder>>>,
    next: Arc<Mutex<u64>>,
}

/// The demo cart: what `createOrder` passes to `actions.transaction.create`.
pub fn demo_cart(transaction_id: &str) -> CreateOrder {
    let today = chrono::Utc::now().date_naive().to_string();
    CreateOrder::new(
        transaction_id,
        vec![
            OrderLine::new("TV-55", "55in 4K TV", "Acme", Decimal::new(49900, 2), 1).shipping(
                Decimal::new(2500, 2),
                today.clone(),
                "UPS",
            ),
            OrderLine::new("SOUNDBAR", "Soundbar", "Acme", Decimal::new(19999, 2), 1).shipping(
                Decimal::ZERO,
                today,
                "UPS",
            ),
        ],
    )
}

/// Starts the shop.
pub async fn start(config: DemoConfig) -> std::io::Result<DemoShop> {
    let client = FlexShopper::builder()
        .api_key(config.api_key.clone())
        .environment(Environment::Custom(config.sandbox_url.clone()))
        .build()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let listener = TcpListener::bind(config.listen).await?;
    let url = format!("http://{}/", listener.local_addr()?);
    let shop = Shop {
        config,
        client,
        carts: Arc::default(),
        next: Arc::default(),
    };
    let app = Router::new()
        .route("/", get(cart_page))
        .route("/validate-order", post(validate_order))
        .with_state(shop);
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "demo shop stopped");
        }
    });
    Ok(DemoShop { url, task })
}

fn js_string(s: &str) -> String {
    // JSON is valid JavaScript; `</` is broken up so it cannot close the script element.
    Value::from(s).to_string().replace("</", "<\\/")
}

async fn cart_page(
    State(shop): State<Shop>,
    Query(q): Query<HashMap<String, String>>,
) -> Html<String> {
    let n = {
        let mut next = shop.next.lock().unwrap_or_else(|p| p.into_inner());
        *next += 1;
        *next
    };
    let transaction_id = format!("DEMO-{}-{n}", chrono::Utc::now().timestamp());
    let cart = demo_cart(&transaction_id);
    let rows: String = cart
        .items
        .iter()
        .map(|i| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>${:.2}</td><td>${:.2}</td></tr>",
                i.description, i.quantity, i.cost, i.shipping.cost
            )
        })
        .collect();
    let cart_json = serde_json::to_string(&cart)
        .unwrap_or_default()
        .replace("</", "<\\/");
    shop.carts
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(transaction_id.clone(), cart);
    let sdk = format!(
        "{}/sdk/js?authKey={}",
        shop.config.sandbox_url.trim_end_matches('/'),
        form_urlencode(&shop.config.auth_key)
    );
    let auth_code = q
        .get("authCode")
        .map(|c| js_string(c))
        .unwrap_or("null".into());
    Html(
        include_str!("plugin_demo.html")
            .replace("{{rows}}", &rows)
            .replace("{{transaction_id}}", &transaction_id)
            .replace("{{sdk_src}}", &sdk.replace('"', "%22"))
            .replace("{{cart_json}}", &cart_json)
            .replace("{{auth_code}}", &auth_code),
    )
}

fn form_urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Seed 004's `/validate-order`: the page posts `onSign`'s data (as text, like the seed's
/// `fetch` does); the signed lease is checked against the cart and finalized.
async fn validate_order(State(shop): State<Shop>, body: String) -> (StatusCode, Json<Value>) {
    let signed: SignedOrder = match serde_json::from_str(&body) {
        Ok(s) => s,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"valid": false, "errors": [format!("body: {e}")]})),
            );
        }
    };
    let cart = shop
        .carts
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&signed.transaction_id)
        .cloned();
    let Some(cart) = cart else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"valid": false, "errors": ["transactionId: not a cart of this shop"]})),
        );
    };
    match shop
        .client
        .validate_and_finalize(&signed.transaction_id, &cart.expected_order())
        .await
    {
        Ok(PluginOutcome::Finalized { lease_number }) => (
            StatusCode::OK,
            Json(
                json!({"valid": true, "leaseNumber": lease_number, "transactionId": signed.transaction_id}),
            ),
        ),
        Ok(outcome) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"valid": false, "errors": outcome.errors()})),
        ),
        Err(e) => (
            StatusCode::BAD_GATEWAY,
            Json(json!({"valid": false, "errors": [e.to_string()]})),
        ),
    }
}

/// `flexshopper plugin-demo`: an embedded sandbox with the auth key bound, and the shop.
pub async fn run(args: crate::args::PluginDemoArgs) -> std::io::Result<()> {
    let sandbox = flexshopper_sandbox::Sandbox::start(
        flexshopper_sandbox::SandboxConfig::new()
            .listen(args.sandbox_listen)
            .auth_key(args.auth_key.clone(), args.api_key.clone()),
    )
    .await?;
    let shop = start(DemoConfig {
        listen: args.listen,
        sandbox_url: sandbox.base_url().to_owned(),
        auth_key: args.auth_key.clone(),
        api_key: args.api_key,
    })
    .await?;
    println!(
        "sandbox: {} (auth key {:?} is bound to the demo merchant)",
        sandbox.base_url(),
        args.auth_key
    );
    println!("demo shop: open {} in a browser (Ctrl-C stops)", shop.url());
    println!(
        "try an email containing \"deny\" for a denied applicant, routing number 000000000 for a refused bank"
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
