//! Timing helpers shared by the benchmarks: interleaved rounds, medians.

use std::time::{Duration, Instant};

/// The mean time of `n` sequential runs of `f`.
pub async fn time<F, Fut>(f: F, n: u32) -> Duration
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let start = Instant::now();
    for _ in 0..n {
        f().await;
    }
    start.elapsed() / n
}

/// The median of `v` (sorted in place).
pub fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// An embedded sandbox with the crate's client and a bare reqwest client side by side.
pub struct Harness {
    /// Kept so the sandbox serves as long as the harness lives.
    pub _sandbox: flexshopper_sandbox::Sandbox,
    pub client: flexshopper::FlexShopper,
    pub raw: reqwest::Client,
    pub base: String,
}

impl Harness {
    /// Starts a sandbox; the crate's client uses `key`.
    pub async fn start(key: &str) -> Harness {
        let sandbox = flexshopper_sandbox::Sandbox::start(Default::default())
            .await
            .unwrap();
        let base = sandbox.base_url().to_string();
        let client = flexshopper::FlexShopper::builder()
            .api_key(key)
            .environment(flexshopper::Environment::Custom(base.clone()))
            .build()
            .unwrap();
        Harness {
            _sandbox: sandbox,
            client,
            raw: reqwest::Client::new(),
            base,
        }
    }
}

/// Time per step of a sequence (a journey's operations): `start`, then `lap(step)` after
/// each step records the time since the previous lap under that step's name. Shared by
/// the tasks of one run (a mutex: one journey in flight, so never contended).
#[derive(Default)]
#[allow(dead_code)] // the overhead bench times single calls
pub struct Laps(std::sync::Mutex<LapsInner>);

#[derive(Default)]
#[allow(dead_code)]
struct LapsInner {
    last: Option<Instant>,
    steps: Vec<(&'static str, Vec<Duration>)>,
}

#[allow(dead_code)]
impl Laps {
    pub fn start(&self) {
        self.0.lock().unwrap().last = Some(Instant::now());
    }

    pub fn lap(&self, step: &'static str) {
        let now = Instant::now();
        let mut inner = self.0.lock().unwrap();
        let took = now - inner.last.replace(now).expect("start() before lap()");
        match inner.steps.iter_mut().find(|(name, _)| *name == step) {
            Some((_, times)) => times.push(took),
            None => inner.steps.push((step, vec![took])),
        }
    }

    /// Each step's median, in the order the steps first ran.
    pub fn medians(&self) -> Vec<(&'static str, Duration)> {
        let mut inner = self.0.lock().unwrap();
        inner
            .steps
            .iter_mut()
            .map(|(name, times)| (*name, median(times)))
            .collect()
    }
}
