//! The one send path every operation goes through: a tracing span, the session/key
//! check, retries decided by the operation's [`Safety`], the total timeout, and the
//! mapping of the generated client's errors into [`Error`].

use crate::client::FlexShopper;
use crate::error::{ApiError, Error, ErrorCode, WorkflowError};
use crate::retry::{Safety, parse_retry_after};
use crate::session::CustomerSession;
use flexshopper_api::ResponseValue;
use flexshopper_api::types::ErrorResponse;
use std::future::Future;
use std::time::Instant;
use tracing::{Instrument, field::Empty};

/// What a generated call returns.
pub(crate) type ApiResult<T> = Result<ResponseValue<T>, flexshopper_api::Error<ErrorResponse>>;

/// Excerpts are short: enough to recognise the body, not enough to dump it.
const EXCERPT_LEN: usize = 200;

impl FlexShopper {
    /// Sends an operation (see [`FlexShopper::send_checked`]) with no effect check.
    pub(crate) async fn send<T, F, Fut>(
        &self,
        op: &'static str,
        safety: Safety,
        attempt: F,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        let no_check = || async { Ok(None) };
        self.send_checked(op, safety, attempt, no_check).await
    }

    /// Sends an operation, retrying as its `safety` allows. For [`Safety::Checked`],
    /// `check` runs before a repeat when the failed attempt may have been applied; if
    /// it finds the effect, that is the result and nothing is sent again.
    pub(crate) async fn send_checked<T, F, Fut, C, CFut>(
        &self,
        op: &'static str,
        safety: Safety,
        mut attempt: F,
        mut check: C,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
        C: FnMut() -> CFut,
        CFut: Future<Output = Result<Option<T>, Error>>,
    {
        let span = tracing::info_span!(
            "flexshopper",
            operation = op,
            attempt = Empty,
            status = Empty,
            latency_ms = Empty
        );
        let policy = &self.inner.retry;
        let total = self.inner.total_timeout;
        let run = async {
            let mut n = 1;
            loop {
                let result = one_attempt(op, n, self.inner.attempt_timeout, &mut attempt).await;
                let err = match result {
                    Ok(v) => return Ok(v),
                    Err(e) => e,
                };
                let may_retry = n < policy.attempts()
                    && err.is_retryable()
                    && (safety != Safety::Never || err.never_reached_flexshopper());
                let delay = may_retry
                    .then(|| policy.delay(n, err.retry_after()))
                    .flatten();
                let Some(delay) = delay else { return Err(err) };
                tracing::warn!(attempt = n, delay_ms = delay.as_millis() as u64, error = %err, "retrying");
                tokio::time::sleep(delay).await;
                if safety == Safety::Checked && err.may_have_been_applied() {
                    match check().await {
                        Ok(Some(done)) => {
                            tracing::info!("the failed attempt had taken effect; not repeating it");
                            return Ok(done);
                        }
                        Ok(None) => {}
                        // The effect could not be established: resending could apply it
                        // twice, so the original failure stands (may have been applied).
                        Err(Error::Workflow(WorkflowError::Unconfirmed { .. })) => return Err(err),
                        Err(other) => return Err(other),
                    }
                }
                n += 1;
            }
        };
        match tokio::time::timeout(total, run.instrument(span)).await {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout {
                operation: op,
                after: total,
                source: None,
            }),
        }
    }

    /// The customer token of `session`, or a refusal if it was minted under another key.
    /// Nothing is sent when this fails: FlexShopper suspends accounts that mix them.
    pub(crate) fn token<'s>(
        &self,
        op: &'static str,
        session: &'s CustomerSession,
    ) -> Result<&'s str, Error> {
        if session.minted_by() != self.inner.fingerprint {
            tracing::error!(
                operation = op,
                "customer session belongs to another API key; refused before sending"
            );
            return Err(Error::TokenKeyMismatch {
                operation: op,
                session_key: session.minted_by(),
                client_key: self.inner.fingerprint,
            });
        }
        Ok(session.token().expose())
    }
}

/// One attempt inside the operation's span: records attempt, status and latency.
async fn one_attempt<T, F, Fut>(
    op: &'static str,
    n: u32,
    attempt_timeout: std::time::Duration,
    attempt: &mut F,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ApiResult<T>>,
{
    let span = tracing::Span::current();
    span.record("attempt", n);
    let started = Instant::now();
    let result = attempt().await;
    let status = match &result {
        Ok(rv) => Some(rv.status().as_u16()),
        Err(e) => e.status().map(|s| s.as_u16()),
    };
    let latency = started.elapsed().as_millis() as u64;
    span.record("latency_ms", latency);
    if let Some(s) = status {
        span.record("status", s);
    }
    tracing::debug!(
        attempt = n,
        status,
        latency_ms = latency,
        "attempt finished"
    );
    match result {
        Ok(rv) => Ok(rv.into_inner()),
        Err(e) => Err(map_error(op, attempt_timeout, e).await),
    }
}

/// Maps the generated client's error into ours, keeping every source.
pub(crate) async fn map_error(
    op: &'static str,
    attempt_timeout: std::time::Duration,
    e: flexshopper_api::Error<ErrorResponse>,
) -> Error {
    use flexshopper_api::Error as G;
    match e {
        G::ErrorResponse(rv) => {
            let status = rv.status().as_u16();
            let retry_after = parse_retry_after(rv.headers());
            let body = serde_json::to_value(rv.into_inner()).unwrap_or_default();
            api_error(op, status, &body, retry_after).into()
        }
        G::UnexpectedResponse(resp) => unexpected(op, attempt_timeout, resp).await,
        G::CommunicationError(source) | G::InvalidUpgrade(source) => {
            transport(op, attempt_timeout, source)
        }
        G::ResponseBodyError(source) => Error::Transport {
            operation: op,
            may_have_been_sent: true,
            source,
        },
        G::InvalidResponsePayload(bytes, source) => Error::Decode {
            operation: op,
            status: None,
            excerpt: scrub_excerpt(&bytes),
            source: Box::new(source),
        },
        G::InvalidRequest(reason) => {
            crate::validate::ValidationError::field("request", scrub_text(&reason)).into()
        }
        G::Custom(reason) => Error::config(reason),
    }
}

fn transport(op: &'static str, after: std::time::Duration, source: reqwest::Error) -> Error {
    if source.is_timeout() {
        return Error::Timeout {
            operation: op,
            after,
            source: Some(source),
        };
    }
    Error::Transport {
        operation: op,
        // A failed connect never reached the server; anything later may have.
        may_have_been_sent: !source.is_connect(),
        source,
    }
}

/// A status the spec does not list (or a success we cannot read): read the body and
/// treat it like a documented error when it has FlexShopper's shape.
async fn unexpected(
    op: &'static str,
    after: std::time::Duration,
    resp: reqwest::Response,
) -> Error {
    let status = resp.status().as_u16();
    let retry_after = parse_retry_after(resp.headers());
    let bytes = match resp.bytes().await {
        Ok(b) => b,
        Err(source) => return transport(op, after, source),
    };
    if (200..300).contains(&status) {
        return Error::Decode {
            operation: op,
            status: Some(status),
            excerpt: scrub_excerpt(&bytes),
            source: "a success status the API description does not list".into(),
        };
    }
    let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    let mut err = api_error(op, status, &body, retry_after);
    if body.is_null() {
        err.excerpt = scrub_excerpt(&bytes);
    }
    err.into()
}

/// Builds an [`ApiError`] from any of FlexShopper's three error shapes.
pub(crate) fn api_error(
    op: &'static str,
    status: u16,
    body: &serde_json::Value,
    retry_after: Option<std::time::Duration>,
) -> ApiError {
    let detail = body.get("error");
    let code = detail
        .and_then(|d| d.get("code"))
        .and_then(ErrorCode::from_json);
    let message = detail
        .and_then(|d| d.get("message"))
        .or_else(|| body.get("message"))
        .and_then(|m| m.as_str())
        .map(scrub_text)
        .unwrap_or_default();
    let mut e = ApiError::new(op, status, code, message);
    e.excerpt = scrub_excerpt(body.to_string().as_bytes());
    e.retry_after = retry_after;
    e
}

/// JSON keys whose values are secret wherever they appear.
const SECRET_KEYS: &[&str] = &[
    "token",
    "customertoken",
    "customer-token",
    "authorization",
    "passcode",
    "password",
    "ssn",
    "account",
    "accountnumber",
    "routing",
    "routingnumber",
    "childkey",
    "code",
    "contract",
];

/// A short excerpt of a body with secrets removed: JSON values under secret keys are
/// replaced, and in non-JSON text long digit runs and token-like words are masked.
pub(crate) fn scrub_excerpt(bytes: &[u8]) -> String {
    let text = match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(mut v) => {
            redact_json(&mut v, false);
            v.to_string()
        }
        Err(_) => scrub_text(&String::from_utf8_lossy(bytes)),
    };
    truncate(&text, EXCERPT_LEN)
}

fn redact_json(v: &mut serde_json::Value, keep_codes: bool) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                let key = k.to_ascii_lowercase();
                // `code` is an error code inside `error`, a secret auth code elsewhere.
                let is_error_code = key == "code" && keep_codes;
                if SECRET_KEYS.contains(&key.as_str()) && !is_error_code && !val.is_null() {
                    *val = serde_json::Value::String(crate::secret::REDACTED.into());
                } else {
                    redact_json(val, key == "error");
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| redact_json(i, false)),
        serde_json::Value::String(s) => *s = scrub_text(s),
        _ => {}
    }
}

/// Masks runs of 6+ digits (SSNs, account numbers, passcodes) and words of 24+
/// token-like characters (JWTs, keys) in free text.
pub(crate) fn scrub_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let digits = word.len() >= 6 && word.bytes().all(|b| b.is_ascii_digit());
        if digits || word.len() >= 24 {
            out.push_str(crate::secret::REDACTED);
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=') {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Converts a request assembled as JSON (the few bodies whose shape is built up
/// dynamically; the others go through [`built`]) into its generated wire type. The input
/// was validated already, so a failure here means the spec and this crate disagree.
pub(crate) fn wire<T: serde::de::DeserializeOwned>(
    what: &str,
    value: serde_json::Value,
) -> Result<T, Error> {
    serde_json::from_value(value).map_err(|e| {
        crate::validate::ValidationError::field(what, scrub_text(&e.to_string())).into()
    })
}

/// A request body from its generated builder: each field is converted (and held to the
/// spec's constraints) as it is set, with no JSON document in between; a refusal names
/// `what` and the field the builder names.
pub(crate) fn built<T, B>(what: &str, builder: B) -> Result<T, Error>
where
    B: TryInto<T>,
    B::Error: std::fmt::Display,
{
    builder.try_into().map_err(|e| {
        crate::validate::ValidationError::field(what, scrub_text(&e.to_string())).into()
    })
}

impl FlexShopper {
    /// Runs any generated call through the same path as this crate's own operations:
    /// tracing span, retries as `safety` allows, total timeout and [`Error`] mapping.
    /// The CLI uses it to offer one command per operation.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// use flexshopper::retry::Safety;
    /// let api = client.api();
    /// let products = client.execute("getProducts", Safety::Idempotent, || api.get_products().send()).await?;
    /// # let _ = products;
    /// # Ok(()) }
    /// ```
    pub async fn execute<T, F, Fut>(
        &self,
        operation: &'static str,
        safety: Safety,
        call: F,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, flexshopper_api::Error<ErrorResponse>>>,
    {
        self.send(operation, safety, call).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn all_three_error_shapes_are_read() {
        let envelope = json!({"error": {"statusCode": 404, "code": "LeaseNotFound", "message": "gone", "data": {}}});
        let e = api_error("getLease", 404, &envelope, None);
        assert_eq!(
            (e.code, e.message.as_str()),
            (Some(ErrorCode::LeaseNotFound), "gone")
        );

        let gateway = json!({"message": "No API key found in request"});
        let e = api_error("getLease", 401, &gateway, None);
        assert_eq!(
            (e.code, e.message.as_str()),
            (None, "No API key found in request")
        );

        let numeric = json!({"error": {"code": 11503, "message": "not primary"}});
        assert_eq!(
            api_error("x", 400, &numeric, None).code,
            Some(ErrorCode::NotPrimaryEligible)
        );
    }

    #[test]
    fn excerpts_never_carry_tokens_or_numbers() {
        let body = br#"{"data":{"userId":"u1","token":"eyJhbGciOiJIUzI1NiJ9.abc.def"},"note":"ssn 123456789"}"#;
        let s = scrub_excerpt(body);
        assert!(!s.contains("eyJ") && !s.contains("123456789"), "{s}");
        assert!(s.contains("u1"));
        let text = scrub_excerpt(
            b"<html>token=eyJhbGciOiJIUzI1NiJ9xxxxxxxxxxxx account 000123456789</html>",
        );
        assert!(
            !text.contains("eyJ") && !text.contains("000123456789"),
            "{text}"
        );
    }

    #[test]
    fn error_codes_survive_redaction() {
        let s = scrub_excerpt(br#"{"error":{"code":"LeaseNotFound"}}"#);
        assert!(s.contains("LeaseNotFound"), "{s}");
    }
}
