//! The sandbox side by side with a bare axum handler, in one process, on loopback, hit by
//! the same HTTP client. Prints ratios (min / median / max over rounds), never asserts:
//!
//! * `GET /v3/settings/lease` and `POST /v3/leases`: requests/s of the sandbox (API-key
//!   auth, journal, faults, contract check, store, catch-panic and trace layers, its own
//!   accept loop) over requests/s of a bare axum handler answering the same JSON
//!   (goals: ≥ 0.7 and ≥ 0.6);
//! * page 1 of `GET /v3/transactions` with 300k transactions against 10k (goal: ≤ 2×);
//! * journeys/s (user, apply, lease, sign, finalize, read back) over a 30 s run with 64 in
//!   flight, first 5 s against last 5 s (goal: falls by at most 10%);
//! * journeys/s with durable state (`--data`, SQLite) over journeys/s in memory, 64 in
//!   flight, rounds alternating between the two (aim: ≥ 0.5);
//! * the process's resident memory while 1M requests (100k quick) arrive, each with a new
//!   random API key that creates a merchant (goal: it levels off: retention bounds it).
//!
//! `cargo bench -p flexshopper-sandbox --bench sandbox_vs_axum`
//! (`SANDBOX_BENCH_QUICK=1`: shorter rounds, 50k instead of 300k, a 10 s journey run;
//! `SANDBOX_BENCH_ONLY=durable`, `=keys`, `=journeys` or `=requests` (the GET and POST
//! ratios): only that section.)

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::routing::{get, post};
use flexshopper_sandbox::{Limits, Sandbox, SandboxConfig};
use serde_json::{Value, json};
use tokio::net::TcpListener;

// The binary's allocator, so the figures are the binary's (see the `mimalloc` feature);
// the bare axum handler runs on it too.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const KEY: &str = "bench-merchant-key";
const CONCURRENCY: usize = 16;

struct Settings {
    quick: bool,
}

impl Settings {
    fn round(&self) -> Duration {
        Duration::from_millis(if self.quick { 300 } else { 1000 })
    }
    fn rounds(&self) -> usize {
        if self.quick { 5 } else { 9 }
    }
}

fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    let median = if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    };
    (v[0], median, v[v.len() - 1])
}

fn print_stats(name: &str, v: Vec<f64>, goal: &str) {
    let (min, median, max) = stats(v);
    println!("{name}: min {min:.2} / median {median:.2} / max {max:.2}  ({goal})");
}

/// Requests/s of `CONCURRENCY` clients hitting `make` for `period`.
async fn throughput<F, Fut>(period: Duration, make: F) -> f64
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    throughput_at(CONCURRENCY, period, make).await
}

/// Completions/s of `clients` concurrent loops of `make` for `period`.
async fn throughput_at<F, Fut>(clients: usize, period: Duration, make: F) -> f64
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let make = Arc::new(make);
    let counter = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + period;
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (make, counter) = (make.clone(), counter.clone());
            tokio::spawn(async move {
                let mut done = 0u64;
                while Instant::now() < deadline {
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    make(n).await;
                    done += 1;
                }
                done
            })
        })
        .collect();
    let start = Instant::now();
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    total as f64 / start.elapsed().as_secs_f64()
}

async fn send(req: reqwest::RequestBuilder) -> Value {
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert!(status.is_success(), "{status}: {body}");
    body
}

/// An approved customer of `base`: (token).
async fn customer(http: &reqwest::Client, base: &str, email: &str) -> String {
    let user = send(
        http.post(format!("{base}/v3/users"))
            .header("authorization", KEY)
            .json(&json!({"firstName": "Bench", "lastName": "User", "email": email})),
    )
    .await;
    let token = user["data"]["token"].as_str().unwrap().to_owned();
    send(
        http.post(format!("{base}/v3/users/me/apply"))
            .header("authorization", KEY)
            .header("customer-token", &token)
            .json(&application()),
    )
    .await;
    token
}

fn application() -> Value {
    json!({
        "street1": "123 Test Dr.", "city": "Hollywood", "regionAbbr": "FL", "postalCode": "33021",
        "country": "US", "mobilePhone": "6514447773", "dateOfBirth": "1990-10-10", "ssn": "888776666",
        "employmentInformation": {"name": "Flexshopper", "monthlyIncome": 3200, "payFrequency": "weekly"},
        "bankAccount": {"routing": "021000021", "account": "3483898238239", "type": "checking"}
    })
}

fn lease_body(txn: &str) -> Value {
    json!({"transactionId": txn, "items": [
        {"description": "TV", "sku": "TV", "brand": "Acme", "cost": 300.0, "quantity": 1, "condition": "new"},
        {"description": "Mount", "sku": "MOUNT", "brand": "Acme", "cost": 100.0, "quantity": 1, "condition": "new"}
    ]})
}

/// A bare axum server answering what the sandbox answers: fixed JSON for the GET, and
/// for the POST a parsed body and a fixed lease.
async fn bare(settings: Value, lease: Value) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let settings = Arc::new(settings);
    let lease = Arc::new(lease);
    let app = axum::Router::new()
        .route(
            "/v3/settings/lease",
            get(move || {
                let s = settings.clone();
                async move { Json((*s).clone()) }
            }),
        )
        .route(
            "/v3/leases",
            post(move |body: Bytes| {
                let l = lease.clone();
                async move {
                    let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    assert!(parsed.is_object());
                    Json((*l).clone())
                }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

async fn ratios(
    s: &Settings,
    name: &str,
    goal: &str,
    sandbox: impl Fn(u64) -> reqwest::RequestBuilder + Send + Sync + Clone + 'static,
    bare: impl Fn(u64) -> reqwest::RequestBuilder + Send + Sync + Clone + 'static,
) {
    let mut v = Vec::new();
    let (mut sb_all, mut bare_all) = (Vec::new(), Vec::new());
    for round in 0..s.rounds() {
        // Request numbers never repeat across rounds (each lease is a new transaction).
        let offset = round as u64 * 100_000_000;
        let run = |f: Box<dyn Fn(u64) -> reqwest::RequestBuilder + Send + Sync>| {
            throughput(s.round(), move |n| {
                let req = f(offset + n);
                async move {
                    let resp = req.send().await.unwrap();
                    assert!(resp.status().is_success(), "{}", resp.status());
                    resp.bytes().await.unwrap();
                }
            })
        };
        // Alternate which goes first, so neither always gets the warmer machine.
        let (a, b) = if round % 2 == 0 {
            let a = run(Box::new(sandbox.clone())).await;
            (a, run(Box::new(bare.clone())).await)
        } else {
            let b = run(Box::new(bare.clone())).await;
            (run(Box::new(sandbox.clone())).await, b)
        };
        v.push(a / b);
        sb_all.push(a);
        bare_all.push(b);
    }
    let (_, sb, _) = stats(sb_all);
    let (_, bm, _) = stats(bare_all);
    print_stats(&format!("{name} sandbox/bare throughput ratio"), v, goal);
    println!("  (median requests/s: sandbox {sb:.0}, bare axum {bm:.0})");
}

/// Median time of page 1 (20 transactions) over `n` requests.
async fn page_one(http: &reqwest::Client, base: &str, n: usize) -> Vec<f64> {
    let mut times = Vec::new();
    for _ in 0..n {
        let start = Instant::now();
        let body = send(
            http.get(format!("{base}/v3/transactions?page=1&limit=20"))
                .header("authorization", KEY),
        )
        .await;
        times.push(start.elapsed().as_secs_f64() * 1e3);
        assert_eq!(body["data"]["transactions"].as_array().unwrap().len(), 20);
    }
    times
}

/// Create leases until the merchant has `target` transactions.
async fn fill(http: &reqwest::Client, base: &str, token: &str, from: u64, target: u64) {
    let next = Arc::new(AtomicU64::new(from));
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let (http, base, token, next) = (
                http.clone(),
                base.to_owned(),
                token.to_owned(),
                next.clone(),
            );
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= target {
                        break;
                    }
                    let resp = http
                        .post(format!("{base}/v3/leases"))
                        .header("authorization", KEY)
                        .header("customer-token", &token)
                        .json(&lease_body(&format!("FILL-{n}")))
                        .send()
                        .await
                        .unwrap();
                    assert!(resp.status().is_success());
                    resp.bytes().await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}

async fn journey(http: &reqwest::Client, base: &str, n: u64) {
    let token = customer(http, base, &format!("journey{n}@example.com")).await;
    let txn = format!("J-{n}");
    let lease = send(
        http.post(format!("{base}/v3/leases"))
            .header("authorization", KEY)
            .header("customer-token", &token)
            .json(&lease_body(&txn)),
    )
    .await;
    let lease_id = lease["data"]["leaseId"].as_str().unwrap();
    send(
        http.post(format!("{base}/v3/leases/{lease_id}/sign"))
            .header("authorization", KEY)
            .header("customer-token", &token)
            .json(&json!({"ipAddress": "203.0.113.7", "signed": true})),
    )
    .await;
    send(
        http.post(format!("{base}/v3/transactions/{txn}/finalize"))
            .header("authorization", KEY),
    )
    .await;
    send(
        http.get(format!("{base}/v3/users/me"))
            .header("authorization", KEY)
            .header("customer-token", &token),
    )
    .await;
}

async fn journeys(s: &Settings) {
    let sandbox = Sandbox::start(SandboxConfig::new()).await.unwrap();
    let base = sandbox.base_url().to_owned();
    let http = reqwest::Client::new();
    let run = Duration::from_secs(if s.quick { 10 } else { 30 });
    let bucket = Duration::from_secs(5);
    let start = Instant::now();
    let deadline = start + run;
    let next = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let (http, base, next) = (http.clone(), base.clone(), next.clone());
            tokio::spawn(async move {
                let mut done = Vec::new();
                while Instant::now() < deadline {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    journey(&http, &base, n).await;
                    done.push(start.elapsed());
                }
                done
            })
        })
        .collect();
    let mut buckets = vec![0u64; (run.as_secs() / bucket.as_secs()) as usize];
    for t in tasks {
        for at in t.await.unwrap() {
            if let Some(b) = buckets.get_mut((at.as_secs() / bucket.as_secs()) as usize) {
                *b += 1;
            }
        }
    }
    let rates: Vec<f64> = buckets
        .iter()
        .map(|n| *n as f64 / bucket.as_secs_f64())
        .collect();
    let first = rates[0];
    let last = rates[rates.len() - 1];
    let shown: Vec<String> = rates.iter().map(|r| format!("{r:.0}")).collect();
    println!(
        "journeys/s per 5 s over {} s at 64 in flight: [{}]",
        run.as_secs(),
        shown.join(", ")
    );
    let (min, median, max) = stats(rates.clone());
    println!(
        "journeys/s: min {min:.0} / median {median:.0} / max {max:.0}; last 5 s vs first 5 s: {:+.1}%  (goal: no fall beyond -10%)",
        (last / first - 1.0) * 100.0
    );
}

/// Journeys/s against a sandbox with a data file over journeys/s in memory, in alternating
/// rounds (each sandbox keeps its state across its rounds, as a long-running one would).
async fn durable_vs_memory(s: &Settings) {
    let dir = std::env::temp_dir().join(format!("sandbox-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let memory = Sandbox::start(SandboxConfig::new()).await.unwrap();
    let durable = Sandbox::start(SandboxConfig::new().data(dir.join("bench.db")))
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let period = s.round() * 2;
    let (mut mem_rates, mut data_rates, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let next = Arc::new(AtomicU64::new(0));
    for _ in 0..s.rounds().min(5) {
        let mut rates = [0.0; 2];
        for (i, base) in [memory.base_url(), durable.base_url()]
            .into_iter()
            .enumerate()
        {
            let (http, base, next) = (http.clone(), base.to_owned(), next.clone());
            rates[i] = throughput_at(64, period, move |_| {
                let (http, base, next) = (http.clone(), base.clone(), next.clone());
                async move { journey(&http, &base, next.fetch_add(1, Ordering::Relaxed)).await }
            })
            .await;
        }
        mem_rates.push(rates[0]);
        data_rates.push(rates[1]);
        ratios.push(rates[1] / rates[0]);
    }
    print_stats("journeys/s in memory", mem_rates, "64 in flight");
    print_stats(
        "journeys/s with --data (SQLite)",
        data_rates,
        "64 in flight",
    );
    print_stats(
        "--data / in-memory journey throughput ratio",
        ratios,
        "aim: >= 0.50",
    );
    drop(durable);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Resident memory of this process (the sandbox runs in it), in MiB.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// 1M customer creations, each under a new random API key (a new merchant every time).
async fn random_keys(s: &Settings) {
    let total: u64 = if s.quick { 100_000 } else { 1_000_000 };
    let sandbox = Sandbox::start(SandboxConfig::new()).await.unwrap();
    let base = sandbox.base_url().to_owned();
    let http = reqwest::Client::new();
    let sent = Arc::new(AtomicU64::new(0));
    let mut marks = vec![format!("0: {:.0} MiB", rss_mib())];
    let quarter = total / 4;
    for q in 1..=4u64 {
        let (http, base, sent) = (http.clone(), base.clone(), sent.clone());
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let (http, base, sent) = (http.clone(), base.clone(), sent.clone());
                tokio::spawn(async move {
                    while sent.fetch_add(1, Ordering::Relaxed) < q * quarter {
                        let key = format!("random-{:016x}", rand_key());
                        let resp = http
                            .post(format!("{base}/v3/users"))
                            .header("authorization", key)
                            .json(&json!({"firstName": "K", "lastName": "R", "email": "k@example.com"}))
                            .send()
                            .await
                            .unwrap();
                        assert!(resp.status().is_success(), "{}", resp.status());
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        sent.store(q * quarter, Ordering::Relaxed);
        marks.push(format!("{}: {:.0} MiB", q * quarter, rss_mib()));
    }
    let retention = sandbox.admin().retention().await.unwrap();
    println!(
        "RSS after N requests with new random API keys: [{}]; merchants kept {}, evicted {}  (goal: levels off)",
        marks.join(", "),
        retention["kept"]["merchants"],
        retention["evicted"]["merchants"]
    );
}

/// A random 64-bit value (std's randomly keyed hasher; no extra dependency).
fn rand_key() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0);
    h.finish()
}

async fn transactions_paging(s: &Settings) {
    let large: u64 = if s.quick { 50_000 } else { 300_000 };
    let sandbox = Sandbox::start(SandboxConfig::new().limits(Limits {
        transactions: large as usize + 10,
        ..Limits::default()
    }))
    .await
    .unwrap();
    let base = sandbox.base_url().to_owned();
    let http = reqwest::Client::new();
    let token = customer(&http, &base, "filler@example.com").await;
    fill(&http, &base, &token, 0, 10_000).await;
    page_one(&http, &base, 20).await;
    let small = page_one(&http, &base, 200).await;
    let filling = Instant::now();
    fill(&http, &base, &token, 10_000, large).await;
    let rate = (large - 10_000) as f64 / filling.elapsed().as_secs_f64();
    page_one(&http, &base, 20).await;
    let big = page_one(&http, &base, 200).await;
    let (smin, smed, smax) = stats(small);
    let (bmin, bmed, bmax) = stats(big);
    println!(
        "GET /v3/transactions page 1 (20 items), ms: 10k min {smin:.3} / median {smed:.3} / max {smax:.3}; \
         {}k min {bmin:.3} / median {bmed:.3} / max {bmax:.3}",
        large / 1000
    );
    println!(
        "page 1 at {}k / at 10k (medians): {:.2}x  (goal: <= 2x); leases created while filling: {rate:.0}/s",
        large / 1000,
        bmed / smed
    );
}

fn main() {
    let quick = std::env::var_os("SANDBOX_BENCH_QUICK").is_some();
    let s = Settings { quick };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let only = std::env::var("SANDBOX_BENCH_ONLY");
        match only.as_deref() {
            Ok("durable") => return durable_vs_memory(&s).await,
            Ok("keys") => return random_keys(&s).await,
            Ok("journeys") => return journeys(&s).await,
            _ => {}
        }
        let sandbox = Sandbox::start(SandboxConfig::new()).await.unwrap();
        let base = sandbox.base_url().to_owned();
        let http = reqwest::Client::new();
        let token = customer(&http, &base, "bench@example.com").await;
        // The bare handler answers exactly what the sandbox answers.
        let settings = send(
            http.get(format!("{base}/v3/settings/lease"))
                .header("authorization", KEY),
        )
        .await;
        let lease = send(
            http.post(format!("{base}/v3/leases"))
                .header("authorization", KEY)
                .header("customer-token", &token)
                .json(&lease_body("SAMPLE")),
        )
        .await;
        let bare_base = bare(settings, lease).await;

        let (h1, h2, b1, b2) = (http.clone(), http.clone(), base.clone(), bare_base.clone());
        ratios(
            &s,
            "GET /v3/settings/lease",
            "goal: >= 0.70",
            move |_| {
                h1.get(format!("{b1}/v3/settings/lease"))
                    .header("authorization", KEY)
            },
            move |_| {
                h2.get(format!("{b2}/v3/settings/lease"))
                    .header("authorization", KEY)
            },
        )
        .await;
        let (h1, h2, b1, b2, t) = (http.clone(), http.clone(), base.clone(), bare_base, token);
        ratios(
            &s,
            "POST /v3/leases",
            "goal: >= 0.60",
            move |n| {
                h1.post(format!("{b1}/v3/leases"))
                    .header("authorization", KEY)
                    .header("customer-token", &t)
                    .json(&lease_body(&format!("B-{n}")))
            },
            move |n| {
                h2.post(format!("{b2}/v3/leases"))
                    .header("authorization", KEY)
                    .header("customer-token", "t")
                    .json(&lease_body(&format!("B-{n}")))
            },
        )
        .await;
        drop(sandbox);
        if only.as_deref() == Ok("requests") {
            return;
        }
        // Journeys before paging: dropping the 300k-transaction sandbox takes a while and
        // would land in the first 5 s of the journey run.
        journeys(&s).await;
        durable_vs_memory(&s).await;
        random_keys(&s).await;
        transactions_paging(&s).await;
    });
}
