//! A typed client of the admin API (`/__sandbox/*`), so tests and tools drive a sandbox
//! (faults, clock, passcodes, state, journal, reset) without building JSON by hand.
//!
//! It lives next to the server so that both use the same wire types ([`FaultSpec`]):
//! they cannot drift. [`Sandbox::admin`](crate::Sandbox::admin) gives one already pointed
//! at an embedded sandbox, with its admin token.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use flexshopper_sandbox::{FaultRule, Sandbox, SandboxConfig};
//! let sandbox = Sandbox::start(SandboxConfig::new()).await?;
//! let admin = sandbox.admin();
//! admin.add_fault(FaultRule::status(503).operation("createLease").times(2)).await?;
//! admin.advance_clock(3600).await?;
//! let mine = admin.merchant_state("my-api-key").await?;
//! # Ok(()) }
//! ```

use std::fmt;

use serde_json::{Value, json};

use crate::faults::FaultSpec;

/// What went wrong talking to the admin API.
#[derive(Debug)]
pub enum AdminError {
    /// The request could not be sent or its answer read.
    Http(reqwest::Error),
    /// The sandbox answered with an error status.
    Status { status: u16, body: String },
}

impl fmt::Display for AdminError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdminError::Http(e) => write!(f, "admin API request failed: {e}"),
            AdminError::Status { status, body } => {
                write!(f, "admin API answered {status}: {body}")
            }
        }
    }
}

impl std::error::Error for AdminError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AdminError::Http(e) => Some(e),
            AdminError::Status { .. } => None,
        }
    }
}

impl From<reqwest::Error> for AdminError {
    fn from(e: reqwest::Error) -> Self {
        AdminError::Http(e)
    }
}

/// A fault to inject: what happens (`status`, `latency`, `reset`, `drop_after_apply`),
/// to which requests (`operation`, `route`; all /v3 requests by default) and how often
/// (`times`, once by default; 0 until cleared).
#[derive(Debug, Clone, Default)]
pub struct FaultRule(FaultSpec);

impl FaultRule {
    /// Answer with this status (FlexShopper's error envelope, code `SandboxFault`).
    pub fn status(status: u16) -> Self {
        FaultRule(FaultSpec {
            status: Some(status),
            ..FaultSpec::default()
        })
    }
    /// Delay the request, then serve it.
    pub fn latency(ms: u64) -> Self {
        FaultRule(FaultSpec {
            latency_ms: Some(ms),
            ..FaultSpec::default()
        })
    }
    /// Close the connection without an answer, before the request takes effect.
    pub fn reset() -> Self {
        FaultRule(FaultSpec {
            reset: Some(true),
            ..FaultSpec::default()
        })
    }
    /// Serve the request (it takes effect), then close the connection without an answer.
    pub fn drop_after_apply() -> Self {
        FaultRule(FaultSpec {
            drop_after_apply: Some(true),
            ..FaultSpec::default()
        })
    }
    /// Only requests of this operationId.
    pub fn operation(mut self, operation_id: impl Into<String>) -> Self {
        self.0.operation_id = Some(operation_id.into());
        self
    }
    /// Only this route: `"POST /v3/leases"` or a template, `"GET /v3/leases/{leaseId}"`.
    pub fn route(mut self, route: impl Into<String>) -> Self {
        self.0.route = Some(route.into());
        self
    }
    /// `Retry-After` seconds on a status fault.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.0.retry_after = Some(seconds);
        self
    }
    /// Trigger this many times (0: until cleared).
    pub fn times(mut self, times: u32) -> Self {
        self.0.times = Some(times);
        self
    }
}

/// A client of one sandbox's admin API.
#[derive(Debug, Clone)]
pub struct AdminClient {
    base: String,
    token: Option<String>,
    http: reqwest::Client,
}

impl AdminClient {
    /// `base_url` like `http://127.0.0.1:8080`; `token` when the sandbox has an admin token.
    pub fn new(base_url: impl Into<String>, token: Option<String>) -> Self {
        AdminClient {
            base: base_url.into().trim_end_matches('/').to_owned(),
            token,
            http: reqwest::Client::new(),
        }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let req = self
            .http
            .request(method, format!("{}/__sandbox/{path}", self.base));
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<Option<Value>, AdminError> {
        let resp = req.send().await?;
        let status = resp.status();
        let text = resp.text().await?;
        if !status.is_success() {
            return Err(AdminError::Status {
                status: status.as_u16(),
                body: text,
            });
        }
        Ok(if text.is_empty() {
            None
        } else {
            Some(serde_json::from_str(&text).unwrap_or(Value::String(text)))
        })
    }

    async fn get(&self, path: &str) -> Result<Value, AdminError> {
        Ok(self
            .send(self.request(reqwest::Method::GET, path))
            .await?
            .unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: &Value) -> Result<Value, AdminError> {
        Ok(self
            .send(self.request(reqwest::Method::POST, path).json(body))
            .await?
            .unwrap_or(Value::Null))
    }

    async fn delete(&self, path: &str) -> Result<(), AdminError> {
        self.send(self.request(reqwest::Method::DELETE, path))
            .await
            .map(drop)
    }

    /// Forget everything: merchants, tokens, the clock offset, the journal and faults.
    pub async fn reset(&self) -> Result<(), AdminError> {
        self.post("reset", &json!({})).await.map(drop)
    }

    /// The whole state dump (every merchant, the clock, retention).
    pub async fn state(&self) -> Result<Value, AdminError> {
        self.get("state").await
    }

    /// Everything the sandbox holds, as the JSON document `import` takes (fixtures, or a
    /// copy of a shared sandbox).
    pub async fn export(&self) -> Result<Value, AdminError> {
        self.get("export").await
    }

    /// Replace the whole state with an exported document; refused (with the field at
    /// fault) when it does not load, and then nothing changes.
    pub async fn import(&self, state: &Value) -> Result<(), AdminError> {
        self.post("import", state).await.map(drop)
    }

    /// The state of the merchant of `api_key` (`Null` while it has none).
    pub async fn merchant_state(&self, api_key: &str) -> Result<Value, AdminError> {
        let id = crate::merchant_id(api_key);
        let all = self.get(&format!("state?merchant={id}")).await?;
        Ok(all["merchants"][&id].clone())
    }

    /// Retention: limits, what is kept, what was evicted, the journal's size.
    pub async fn retention(&self) -> Result<Value, AdminError> {
        Ok(self.get("state?merchant=-").await?["retention"].clone())
    }

    /// The journal, oldest first, secrets redacted.
    pub async fn journal(&self) -> Result<Vec<Value>, AdminError> {
        match self.get("journal").await? {
            Value::Array(entries) => Ok(entries),
            other => Err(AdminError::Status {
                status: 200,
                body: format!("expected a JSON array, got {other}"),
            }),
        }
    }

    pub async fn clear_journal(&self) -> Result<(), AdminError> {
        self.delete("journal").await
    }

    /// Move the sandbox clock by `seconds` (negative: back); returns the new time (RFC 3339).
    pub async fn advance_clock(&self, seconds: i64) -> Result<String, AdminError> {
        let v = self
            .post("clock/advance", &json!({ "seconds": seconds }))
            .await?;
        Ok(v["clock"].as_str().unwrap_or_default().to_owned())
    }

    /// The legacy login passcode last sent to a customer.
    pub async fn passcode(&self, user_id: &str) -> Result<String, AdminError> {
        let v = self.get(&format!("passcodes/{user_id}")).await?;
        Ok(v["passcode"].as_str().unwrap_or_default().to_owned())
    }

    /// Inject a fault; returns its id.
    pub async fn add_fault(&self, rule: FaultRule) -> Result<u64, AdminError> {
        let body = serde_json::to_value(&rule.0).unwrap_or(Value::Null);
        let v = self.post("faults", &body).await?;
        Ok(v["id"].as_u64().unwrap_or_default())
    }

    /// Faults still armed.
    pub async fn faults(&self) -> Result<Value, AdminError> {
        self.get("faults").await
    }

    pub async fn clear_faults(&self) -> Result<(), AdminError> {
        self.delete("faults").await
    }

    /// The scenario table (public).
    pub async fn scenarios(&self) -> Result<Value, AdminError> {
        self.get("scenarios").await
    }
}
