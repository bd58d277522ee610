//! A whole lease journey (customer → decision → lease → sign → finalize → ship), one
//! journey in flight, through the flexshopper crate and through raw reqwest sending the
//! same requests to the same embedded sandbox. Prints the ratio of the crate's journeys
//! per second to raw reqwest's, measured in this run (target: ≥ 0.95), once with the journey
//! as a task on the runtime and once in `block_on` on the main thread, and each operation's
//! median time on both sides.
//!
//! `cargo bench -p flexshopper --bench journey`

use flexshopper::api::types;
use flexshopper::*;
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
mod common;
use common::{median, time};
use std::sync::Arc;
use std::time::{Duration, Instant};

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

async fn via_crate(s: &Setup, ship: Ship, laps: &Laps) {
    laps.start();
    let id = next_id("C");
    let c = &s.client;
    let session = c
        .create_customer(&NewCustomer::new("B", "B", format!("{id}@example.com")))
        .await
        .unwrap();
    laps.lap("create user");
    let app = Application::builder(address(), "5615550100", "1990-04-30")
        .build()
        .unwrap();
    let approval = c
        .apply(&session, &app)
        .await
        .unwrap()
        .into_approval()
        .unwrap();
    laps.lap("apply");
    let order = Order::new(
        id.as_str(),
        vec![OrderItem::new("S", "d", "b", Decimal::new(9900, 2), 1)],
    );
    let lease = approval.create_lease(&order).await.unwrap();
    laps.lap("create lease");
    let lease = lease
        .sign(&session, SignatureEvidence::now([203, 0, 113, 7].into()))
        .await
        .unwrap();
    laps.lap("sign");
    let lease = lease.finalize().await.unwrap();
    laps.lap("finalize");
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
    laps.lap("confirm shipment");
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

async fn via_reqwest(s: &Setup, laps: &Laps) {
    laps.start();
    let id = next_id("R");
    let user: types::CreateUserResponse = post(
        s,
        "/v3/users",
        None,
        json!({"firstName": "B", "lastName": "B", "email": format!("{id}@example.com")}),
    )
    .await;
    laps.lap("create user");
    let token = user.data.token.as_str();
    let _: types::UserResponse = post(
        s,
        "/v3/users/me/apply",
        Some(token),
        json!({"street1": "1 Main St", "city": "Boca Raton", "regionAbbr": "FL", "postalCode": "33431",
               "country": "US", "mobilePhone": "5615550100", "dateOfBirth": "1990-04-30"}),
    )
    .await;
    laps.lap("apply");
    let lease: types::CreateLeaseResponse = post(
        s,
        "/v3/leases",
        Some(token),
        json!({"transactionId": id, "items": [{"sku": "S", "description": "d", "brand": "b", "cost": 99.0, "quantity": 1}]}),
    )
    .await;
    laps.lap("create lease");
    let _: serde_json::Value = post(
        s,
        &format!("/v3/leases/{}/sign", lease.data.lease_id),
        Some(token),
        json!({"ipAddress": "203.0.113.7", "signed": true, "timestamp": chrono::Utc::now().to_rfc3339()}),
    )
    .await;
    laps.lap("sign");
    let _: serde_json::Value = post(
        s,
        &format!("/v3/transactions/{id}/finalize"),
        None,
        json!({}),
    )
    .await;
    laps.lap("finalize");
    let today = chrono::Utc::now().date_naive();
    let _: serde_json::Value = post(
        s,
        &format!("/v3/transactions/{id}/confirm-shipment"),
        None,
        json!({"items": [{"sku": "S", "quantity": 1, "carrier": "UPS", "shipDate": today}]}),
    )
    .await;
    laps.lap("confirm shipment");
}

/// Time per step of a sequence (a journey's operations): `start`, then `lap(step)` after
/// each step records the time since the previous lap under that step's name. Shared by
/// the tasks of one run (a mutex: one journey in flight, so never contended).
#[derive(Default)]
struct Laps(std::sync::Mutex<LapsInner>);

#[derive(Default)]
struct LapsInner {
    last: Option<Instant>,
    steps: Vec<(&'static str, Vec<Duration>)>,
}

impl Laps {
    fn start(&self) {
        self.0.lock().unwrap().last = Some(Instant::now());
    }

    fn lap(&self, step: &'static str) {
        let now = Instant::now();
        let mut inner = self.0.lock().unwrap();
        let took = now - inner.last.replace(now).expect("start() before lap()");
        match inner.steps.iter_mut().find(|(name, _)| *name == step) {
            Some((_, times)) => times.push(took),
            None => inner.steps.push((step, vec![took])),
        }
    }

    /// Each step's median, in the order the steps first ran.
    fn medians(&self) -> Vec<(&'static str, Duration)> {
        let mut inner = self.0.lock().unwrap();
        inner
            .steps
            .iter_mut()
            .map(|(name, times)| (*name, median(times)))
            .collect()
    }
}

/// Rounds of this many journeys per side; each round's three runs are back to back.
const PER_ROUND: u32 = 10;
/// Rounds measured: the machine's noise moves single rounds by ±20%, so many short
/// interleaved rounds and their median, rather than a few long ones.
const ROUNDS: usize = 151;

/// One setting's measurements: each round's mean journey time per side, and laps.
#[derive(Default)]
struct Runs {
    lines: Vec<Duration>,
    via: Vec<Duration>,
    raw: Vec<Duration>,
    lines_laps: Laps,
    raw_laps: Laps,
}

/// Warm-up, then interleaved rounds so all sides see the same machine state.
async fn measure(s: Arc<Setup>) -> Runs {
    let mut r = Runs::default();
    let warm = Laps::default();
    for _ in 0..30 {
        via_crate(&s, Ship::Lines, &warm).await;
        via_crate(&s, Ship::EverythingVia, &warm).await;
        via_reqwest(&s, &warm).await;
    }
    for _ in 0..ROUNDS {
        r.lines
            .push(time(|| via_crate(&s, Ship::Lines, &r.lines_laps), PER_ROUND).await);
        r.via
            .push(time(|| via_crate(&s, Ship::EverythingVia, &warm), PER_ROUND).await);
        r.raw
            .push(time(|| via_reqwest(&s, &r.raw_laps), PER_ROUND).await);
    }
    r
}

fn report(setting: &str, mut r: Runs) {
    let per_round = |ours: &[Duration], raw: &[Duration]| {
        let mut v: Vec<f64> = raw
            .iter()
            .zip(ours)
            .map(|(r, o)| r.as_secs_f64() / o.as_secs_f64())
            .collect();
        v.sort_by(f64::total_cmp);
        (v[0], v[v.len() / 2], v[v.len() - 1])
    };
    let (lines_rounds, via_rounds) = (per_round(&r.lines, &r.raw), per_round(&r.via, &r.raw));
    let raw = median(&mut r.raw);
    println!("{setting}:");
    for (what, ours, (min, med, max)) in [
        (
            "same 6 requests, shipment by lines",
            median(&mut r.lines),
            lines_rounds,
        ),
        (
            "shipment everything_via, +1 GET transaction",
            median(&mut r.via),
            via_rounds,
        ),
    ] {
        println!(
            "  journey ratio, {what} (flexshopper journeys per second / raw reqwest's, 1 in flight, {ROUNDS} rounds of {PER_ROUND}): {:.3} from the medians ({:.3} ms vs {:.3} ms per journey); per round min {min:.3} / median {med:.3} / max {max:.3}",
            raw.as_secs_f64() / ours.as_secs_f64(),
            ours.as_secs_f64() * 1e3,
            raw.as_secs_f64() * 1e3
        );
    }
    // Where the time goes: each operation's median on both sides (shipment by lines).
    println!("  per operation, median µs, flexshopper / raw reqwest (ratio):");
    for ((step, ours), (_, theirs)) in r.lines_laps.medians().into_iter().zip(r.raw_laps.medians())
    {
        println!(
            "    {step:<17} {:>6.1} / {:>6.1}  ({:.3})",
            ours.as_secs_f64() * 1e6,
            theirs.as_secs_f64() * 1e6,
            theirs.as_secs_f64() / ours.as_secs_f64()
        );
    }
}

/// Both ways an application drives the client: as a task on the runtime (a web handler,
/// a spawned job) and from `block_on` on the main thread (`#[tokio::main]`'s own future,
/// a CLI), where every response crosses from a worker thread to the main thread.
fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let s = Arc::new(rt.block_on(setup()));
    let task = rt.block_on(rt.spawn(measure(s.clone()))).unwrap();
    report("journey as a task on the runtime (a web handler)", task);
    let main_thread = rt.block_on(measure(s));
    report(
        "journey in block_on on the main thread (#[tokio::main], a CLI)",
        main_thread,
    );
}
