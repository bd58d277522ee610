//! Per-request cost of the whole sandbox (API-key auth, journal, faults layer, store,
//! catch-panic and trace layers, the sandbox's own accept loop) against a bare axum
//! handler that returns the same JSON, for `GET /v3/settings/lease`. Both are served on
//! loopback in this process and hit with the same reqwest client; the ratio of the
//! criterion medians measured in this run is printed at the end.
//!
//! `cargo bench -p flexshopper-sandbox --bench sandbox_vs_axum`

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::routing::get;
use criterion::{Criterion, criterion_group};
use flexshopper_sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};
use tokio::net::TcpListener;

const KEY: &str = "bench-merchant-key";
const PATH: &str = "/v3/settings/lease";
const SAMPLES: usize = 50;

struct Servers {
    _sandbox: Sandbox,
    sandbox_url: String,
    bare_url: String,
    http: reqwest::Client,
}

async fn bare_settings() -> Json<Value> {
    Json(json!({"data": {"minimumOrderValue": 49.95}}))
}

async fn start() -> Servers {
    let sandbox = Sandbox::start(SandboxConfig::new()).await.unwrap();
    let sandbox_url = format!("{}{PATH}", sandbox.base_url());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bare_url = format!("http://{}{PATH}", listener.local_addr().unwrap());
    // The sandbox's accept loop sets TCP_NODELAY; so does this one, for a fair comparison.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let app = axum::Router::new().route(PATH, get(bare_settings));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let servers = Servers {
        _sandbox: sandbox,
        sandbox_url,
        bare_url,
        http: reqwest::Client::new(),
    };
    // Same answer from both, or the comparison means nothing.
    let a = get_json(&servers.http, &servers.sandbox_url).await;
    let b = get_json(&servers.http, &servers.bare_url).await;
    assert_eq!(
        a, b,
        "the bare handler must answer what the sandbox answers"
    );
    servers
}

/// GET with the merchant key; the answer must be 200.
async fn get_ok(http: &reqwest::Client, url: &str) -> reqwest::Response {
    let resp = http
        .get(url)
        .header("Authorization", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp
}

async fn get_json(http: &reqwest::Client, url: &str) -> Value {
    get_ok(http, url).await.json().await.unwrap()
}

/// One request, body read to the end (not parsed: the client side is the same for both).
async fn hit(http: &reqwest::Client, url: &str) {
    get_ok(http, url).await.bytes().await.unwrap();
}

/// Per-iteration times of the samples criterion measured (the last `SAMPLES` calls of
/// the routine; earlier ones are warm-up), from which criterion's own median comes.
type Samples = Arc<Mutex<Vec<f64>>>;

fn bench(c: &mut Criterion, rt: &tokio::runtime::Runtime, s: &Servers, out: &[Samples; 2]) {
    let mut g = c.benchmark_group("get_settings_lease");
    g.sample_size(SAMPLES)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for ((name, url), samples) in [("sandbox", &s.sandbox_url), ("bare_axum", &s.bare_url)]
        .into_iter()
        .zip(out)
    {
        g.bench_function(name, |b| {
            b.to_async(rt).iter_custom(|iters| async move {
                let start = Instant::now();
                for _ in 0..iters {
                    hit(&s.http, url).await;
                }
                let elapsed = start.elapsed();
                samples
                    .lock()
                    .unwrap()
                    .push(elapsed.as_secs_f64() / iters as f64);
                elapsed
            })
        });
    }
    g.finish();
}

fn median(samples: &Samples) -> Option<f64> {
    let all = samples.lock().unwrap();
    let mut v: Vec<f64> = all[all.len().saturating_sub(SAMPLES)..].to_vec();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    })
}

fn benches(c: &mut Criterion) {
    // One thread runs the client and both servers: no cross-thread wake-ups, whose cost
    // depends on where the scheduler happens to put each task (on a 2-core machine it
    // swung the per-request time between 60 and 180 µs). What is measured is the CPU
    // cost of a request end to end, the client's part being the same for both.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let servers = rt.block_on(start());
    let samples: [Samples; 2] = Default::default();
    bench(c, &rt, &servers, &samples);
    if let (Some(sandbox), Some(bare)) = (median(&samples[0]), median(&samples[1])) {
        println!(
            "sandbox/bare-axum ratio: {:.2} (sandbox {:.1} µs, bare {:.1} µs per request)",
            sandbox / bare,
            sandbox * 1e6,
            bare * 1e6
        );
    }
}

criterion_group!(group, benches);

fn main() {
    group();
    Criterion::default().configure_from_args().final_summary();
}
