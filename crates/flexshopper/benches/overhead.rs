//! Per-call overhead of the flexshopper client (span, retries, error mapping, typed
//! conversion) against raw reqwest on the same embedded sandbox and the same request
//! (GET /v3/transactions/{id}). Prints the ratio measured in this run.
//!
//! `cargo bench -p flexshopper --bench overhead`

use criterion::{Criterion, criterion_group};
use flexshopper::*;
use rust_decimal::Decimal;
mod common;
use common::{median, time};

const KEY: &str = "bench-merchant-key";
const TID: &str = "BENCH-1";

struct Setup {
    _sandbox: flexshopper_sandbox::Sandbox,
    client: FlexShopper,
    raw: reqwest::Client,
    url: String,
}

async fn setup() -> Setup {
    let common::Harness {
        _sandbox: sandbox,
        client,
        raw,
        base,
    } = common::Harness::start(KEY).await;
    let session = client
        .create_customer(&NewCustomer::new("B", "B", "bench@example.com"))
        .await
        .unwrap();
    let address = Address {
        street1: "1 Main".into(),
        street2: None,
        city: "X".into(),
        region: "FL".into(),
        postal_code: "33431".into(),
    };
    let app = Application::builder(address, "5615550100", "1990-04-30")
        .build()
        .unwrap();
    let approval = client
        .apply(&session, &app)
        .await
        .unwrap()
        .into_approval()
        .unwrap();
    let order = Order::new(
        TID,
        vec![OrderItem::new("S", "d", "b", Decimal::new(9900, 2), 1)],
    );
    approval.create_lease(&order).await.unwrap();
    Setup {
        _sandbox: sandbox,
        client,
        raw,
        url: format!("{base}/v3/transactions/{TID}"),
    }
}

async fn via_crate(s: &Setup) {
    let t = s.client.transaction(TID).await.unwrap();
    assert_eq!(t.id, TID);
}

async fn via_reqwest(s: &Setup) {
    let r: flexshopper::api::types::TransactionResponse = s
        .raw
        .get(&s.url)
        .header("Authorization", KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r.data.id, TID);
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let rt = rt();
    let s = rt.block_on(setup());
    let mut g = c.benchmark_group("get_transaction");
    g.bench_function("flexshopper", |b| b.to_async(&rt).iter(|| via_crate(&s)));
    g.bench_function("raw_reqwest", |b| b.to_async(&rt).iter(|| via_reqwest(&s)));
    g.finish();
}

/// Interleaved rounds so both sides see the same machine state; the ratio of the
/// median per-call times is printed.
fn ratio() {
    let rt = rt();
    let s = rt.block_on(setup());
    let (mut ours, mut raw) = (Vec::new(), Vec::new());
    rt.block_on(async {
        for _ in 0..200 {
            via_crate(&s).await;
            via_reqwest(&s).await;
        }
        for _ in 0..30 {
            ours.push(time(|| via_crate(&s), 100).await);
            raw.push(time(|| via_reqwest(&s), 100).await);
        }
    });
    let (o, r) = (median(&mut ours), median(&mut raw));
    println!(
        "overhead ratio (flexshopper / raw reqwest, GET transaction, median of 30×100 calls): {:.3}  ({:.1} µs vs {:.1} µs per call)",
        o.as_secs_f64() / r.as_secs_f64(),
        o.as_secs_f64() * 1e6,
        r.as_secs_f64() * 1e6
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    ratio();
    Criterion::default().configure_from_args().final_summary();
}
