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
