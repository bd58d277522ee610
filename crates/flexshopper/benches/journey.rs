//! A whole lease journey (customer → decision → lease → sign → finalize → ship), one
//! journey in flight, through the flexshopper crate and through raw reqwest sending the
//! same requests to the same embedded sandbox. Prints the ratio of the crate's journeys
//! per second to raw reqwest's, measured in this run (target: ≥ 0.95).
//!
//! `cargo bench -p flexshopper --bench journey`

use flexshopper::api::types;
use flexshopper::*;
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
mod common;
use common::{median, time};

const KEY: &str = "bench-journey-key";
static NEXT: AtomicU64 = AtomicU64::new(0);

fn next_id(side: &str) -> String {
    format!("{side}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

type Setup = common::Harness;

async fn setup() -> Setup {
    common::Harness::start(KEY).await
}

fn address() -> Address {
    Address {
        street1: "1 Main St".into(),
        street2: None,
        city: "Boca Raton".into(),
        region: "FL".into(),
        postal_code: "33431".into(),
    }
}

/// How the crate's journey ships: with the order's lines (the same request raw reqwest
/// sends), or `Shipment::everything_via`, which reads the transaction first to find
/// what is still unshipped (one more request).
#[derive(Clone, Copy)]
enum Ship {
    Lines,
    EverythingVia,
}

async fn via_crate(s: &Setup, ship: Ship) {
    let id = next_id("C");
    let c = &s.client;
    let session = c
        .create_customer(&NewCustomer::new("B", "B", format!("{id}@example.com")))
        .await
        .unwrap();
    let app = Application::builder(address(), "5615550100", "1990-04-30")
        .build()
        .unwrap();
    let approval = c
        .apply(&session, &app)
        .await
        .unwrap()
        .into_approval()
        .unwrap();
    let order = Order::new(
        id.as_str(),
        vec![OrderItem::new("S", "d", "b", Decimal::new(9900, 2), 1)],
    );
    let lease = approval.create_lease(&order).await.unwrap();
    let lease = lease
        .sign(&session, SignatureEvidence::now([203, 0, 113, 7].into()))
        .await
        .unwrap();
    let lease = lease.finalize().await.unwrap();
    let today = chrono::Utc::now().date_naive();
    let shipment = match ship {
        Ship::Lines => Shipment::lines(vec![ShipmentLine {
            sku: "S".into(),
            carrier: "UPS".into(),
            tracking_number: None,
            ship_date: today,
            quantity: Some(1),
        }]),
        Ship::EverythingVia => Shipment::everything_via("UPS", None, today),
    };
    lease.confirm_shipment(shipment).await.unwrap();
}

/// POSTs `body` and decodes the answer into `T`, as a careful raw integration would.
async fn post<T: serde::de::DeserializeOwned>(
    s: &Setup,
    path: &str,
    token: Option<&str>,
    body: serde_json::Value,
) -> T {
    let mut req = s
        .raw
        .post(format!("{}{path}", s.base))
        .header("Authorization", KEY)
        .json(&body);
    if let Some(t) = token {
        req = req.header("customer-token", t);
    }
    let resp = req.send().await.unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap()
}

async fn via_reqwest(s: &Setup) {
    let id = next_id("R");
    let user: types::CreateUserResponse = post(
        s,
        "/v3/users",
        None,
        json!({"firstName": "B", "lastName": "B", "email": format!("{id}@example.com")}),
    )
    .await;
    let token = user.data.token.as_str();
    let _: types::UserResponse = post(
        s,
        "/v3/users/me/apply",
        Some(token),
        json!({"street1": "1 Main St", "city": "Boca Raton", "regionAbbr": "FL", "postalCode": "33431",
               "country": "US", "mobilePhone": "5615550100", "dateOfBirth": "1990-04-30"}),
    )
    .await;
    let lease: types::CreateLeaseResponse = post(
        s,
        "/v3/leases",
        Some(token),
        json!({"transactionId": id, "items": [{"sku": "S", "description": "d", "brand": "b", "cost": 99.0, "quantity": 1}]}),
    )
    .await;
    let _: serde_json::Value = post(
        s,
        &format!("/v3/leases/{}/sign", lease.data.lease_id),
        Some(token),
        json!({"ipAddress": "203.0.113.7", "signed": true, "timestamp": chrono::Utc::now().to_rfc3339()}),
    )
    .await;
    let _: serde_json::Value = post(
        s,
        &format!("/v3/transactions/{id}/finalize"),
        None,
        json!({}),
    )
    .await;
    let today = chrono::Utc::now().date_naive();
    let _: serde_json::Value = post(
        s,
        &format!("/v3/transactions/{id}/confirm-shipment"),
        None,
        json!({"items": [{"sku": "S", "quantity": 1, "carrier": "UPS", "shipDate": today}]}),
    )
    .await;
}

/// Rounds of this many journeys per side; each round's three runs are back to back.
const PER_ROUND: u32 = 10;
/// Rounds measured: the machine's noise moves single rounds by ±20%, so many short
/// interleaved rounds and their median, rather than a few long ones.
const ROUNDS: usize = 151;

/// Interleaved rounds so both sides see the same machine state; medians compared.
fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let s = rt.block_on(setup());
    let (mut lines, mut via, mut raw) = (Vec::new(), Vec::new(), Vec::new());
    rt.block_on(async {
        for _ in 0..30 {
            via_crate(&s, Ship::Lines).await;
            via_crate(&s, Ship::EverythingVia).await;
            via_reqwest(&s).await;
        }
        for _ in 0..ROUNDS {
            lines.push(time(|| via_crate(&s, Ship::Lines), PER_ROUND).await);
            via.push(time(|| via_crate(&s, Ship::EverythingVia), PER_ROUND).await);
            raw.push(time(|| via_reqwest(&s), PER_ROUND).await);
        }
    });
    let per_round = |ours: &[std::time::Duration]| {
        let mut r: Vec<f64> = raw
            .iter()
            .zip(ours)
            .map(|(r, o)| r.as_secs_f64() / o.as_secs_f64())
            .collect();
        r.sort_by(f64::total_cmp);
        (r[0], r[r.len() / 2], r[r.len() - 1])
    };
    let (lines_rounds, via_rounds) = (per_round(&lines), per_round(&via));
    let r = median(&mut raw);
    for (what, ours, (min, med, max)) in [
        (
            "same 6 requests, shipment by lines",
            median(&mut lines),
            lines_rounds,
        ),
        (
            "shipment everything_via, +1 GET transaction",
            median(&mut via),
            via_rounds,
        ),
    ] {
        println!(
            "journey ratio, {what} (flexshopper journeys per second / raw reqwest's, 1 in flight, {ROUNDS} rounds of {PER_ROUND}): {:.3} from the medians ({:.3} ms vs {:.3} ms per journey); per round min {min:.3} / median {med:.3} / max {max:.3}",
            r.as_secs_f64() / ours.as_secs_f64(),
            ours.as_secs_f64() * 1e3,
            r.as_secs_f64() * 1e3
        );
    }
}
