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
