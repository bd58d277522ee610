//! Retry policy: exponential backoff with jitter and a cap, honouring `Retry-After`.
//!
//! Which operations may be retried is not decided here but by each operation's
//! [`Safety`]: GETs repeat; create-lease repeats only after documented fields show the
//! first attempt did not take effect; everything else (apply, sign, finalize,
//! shipment, payments, …) is sent again only when it certainly never reached
//! FlexShopper (the connection failed before sending). No FlexShopper document says
//! that repeating any POST is harmless, so none is assumed.

use std::time::Duration;

/// How an operation may be repeated after a retryable failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Safety {
    /// Repeating has no extra effect: GETs (HTTP safe methods).
    Idempotent,
    /// Repeat only after a check through documented fields shows the first attempt did
    /// not take effect (create-lease: `GET /v3/transactions/{id}`).
    Checked,
    /// Repeat only when the request certainly never reached FlexShopper.
    Never,
}

/// Backoff between attempts: `initial · 2^n`, capped at `max_backoff`, with "equal
/// jitter" (a random point in the upper half) so that many clients do not retry in
/// lock-step, and never shorter than the server's `Retry-After`.
///
/// ```
/// use flexshopper::RetryPolicy;
/// use std::time::Duration;
/// let policy = RetryPolicy::default().max_attempts(5).initial_backoff(Duration::from_millis(100));
/// let d = policy.backoff(3); // third retry: 100 ms · 2² = 400 ms, jittered into 200..=400 ms
/// assert!(d >= Duration::from_millis(200) && d <= Duration::from_millis(400));
/// assert_eq!(RetryPolicy::disabled().attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, 200 ms initial backoff, 5 s cap, `Retry-After` honoured up to 30 s.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retries.
    pub fn disabled() -> Self {
        Self::default().max_attempts(1)
    }

    /// Total attempts including the first (at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Backoff before the first retry.
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// Upper bound of the computed backoff.
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// A `Retry-After` longer than this stops retrying instead of waiting.
    pub fn max_retry_after(mut self, d: Duration) -> Self {
        self.max_retry_after = d;
        self
    }

    /// Total attempts including the first.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before retry number `retry` (1-based), or `None` if the server asked
    /// for a longer wait than [`RetryPolicy::max_retry_after`].
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        let backoff = self.backoff(retry);
        match retry_after {
            Some(ra) if ra > self.max_retry_after => None,
            Some(ra) => Some(ra.max(backoff)),
            None => Some(backoff),
        }
    }

    /// The jittered exponential backoff before retry number `retry` (1-based).
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = 2u32.saturating_pow(retry.saturating_sub(1));
        let full = self
            .initial_backoff
            .saturating_mul(exp)
            .min(self.max_backoff);
        let half = full / 2;
        half + full.mul_f64(fastrand::f64() * 0.5)
    }
}

/// Parses `Retry-After` (delta seconds or an HTTP date).
pub(crate) fn parse_retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(250));
        for _ in 0..50 {
            let d1 = p.backoff(1);
            assert!(d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100));
            let d9 = p.backoff(9);
            assert!(d9 >= Duration::from_millis(125) && d9 <= Duration::from_millis(250));
        }
    }

    #[test]
    fn retry_after_is_a_floor_and_too_long_stops() {
        let p = RetryPolicy::default().initial_backoff(Duration::from_millis(1));
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(2))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(p.delay(1, Some(Duration::from_secs(600))), None);
    }

    #[test]
    fn retry_after_header_accepts_seconds_and_dates() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("retry-after", "3".parse().unwrap());
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(3)));
        h.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(parse_retry_after(&h), Some(Duration::ZERO));
    }
}
