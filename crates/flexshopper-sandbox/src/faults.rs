//! Fault injection: per operation, per route or for every /v3 request, by the admin API
//! or by the request itself (`x-sandbox-fault`).

use std::sync::Arc;
use std::time::Duration;

use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::app::AppState;
use crate::error::{ApiError, Code};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FaultAction {
    Status {
        status: u16,
        retry_after: Option<u64>,
    },
    Latency {
        latency_ms: u64,
    },
    Reset,
    DropAfterApply,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    pub id: u64,
    pub operation_id: Option<String>,
    pub route: Option<String>,
    pub action: FaultAction,
    /// Remaining triggers; `None` until cleared.
    pub remaining: Option<u32>,
}

/// The admin API's request body.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reset: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_after_apply: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
}

impl FaultSpec {
    pub fn action(&self) -> Result<FaultAction, String> {
        let mut actions = Vec::new();
        if let Some(status) = self.status {
            if !(100..=599).contains(&status) {
                return Err("status: expected an HTTP status code".into());
            }
            actions.push(FaultAction::Status {
                status,
                retry_after: self.retry_after,
            });
        }
        if let Some(ms) = self.latency_ms {
            actions.push(FaultAction::Latency { latency_ms: ms });
        }
        if self.reset == Some(true) {
            actions.push(FaultAction::Reset);
        }
        if self.drop_after_apply == Some(true) {
            actions.push(FaultAction::DropAfterApply);
        }
        match actions.len() {
            1 => Ok(actions.remove(0)),
            _ => Err("exactly one of status, latencyMs, reset, dropAfterApply is required".into()),
        }
    }
}

#[derive(Debug, Default)]
pub struct Faults {
    pub list: Vec<Fault>,
    next_id: u64,
}

impl Faults {
    pub fn add(&mut self, spec: &FaultSpec) -> Result<u64, String> {
        let action = spec.action()?;
        self.next_id += 1;
        let times = spec.times.unwrap_or(1);
        self.list.push(Fault {
            id: self.next_id,
            operation_id: spec.operation_id.clone(),
            route: spec.route.clone(),
            action,
            remaining: (times > 0).then_some(times),
        });
        Ok(self.next_id)
    }

    /// Take one trigger of the first fault matching this request.
    pub fn take(
        &mut self,
        method: &str,
        path: &str,
        template: Option<&str>,
        op: Option<&str>,
    ) -> Option<FaultAction> {
        if self.list.is_empty() {
            return None;
        }
        let route = format!("{method} {path}");
        let route_t = template.map(|t| format!("{method} {t}"));
        let idx = self.list.iter().position(|f| {
            let op_ok = f.operation_id.as_deref().is_none_or(|o| Some(o) == op);
            let route_ok = f
                .route
                .as_deref()
                .is_none_or(|r| r == route || Some(r) == route_t.as_deref());
            op_ok && route_ok
        })?;
        let fault = &mut self.list[idx];
        let action = fault.action.clone();
        if let Some(n) = fault.remaining.as_mut() {
            *n -= 1;
            if *n == 0 {
                self.list.remove(idx);
            }
        }
        Some(action)
    }
}

/// `x-sandbox-fault: status=503 | latency=300 | reset | drop-after-apply`.
fn header_fault(parts: &Parts) -> Option<FaultAction> {
    let raw = parts.headers.get("x-sandbox-fault")?.to_str().ok()?.trim();
    let (name, value) = raw.split_once('=').unwrap_or((raw, ""));
    match name.trim() {
        "status" => value
            .trim()
            .parse()
            .ok()
            .filter(|s| (100..=599).contains(s))
            .map(|status| FaultAction::Status {
                status,
                retry_after: None,
            }),
        "latency" => value
            .trim()
            .parse()
            .ok()
            .map(|latency_ms| FaultAction::Latency { latency_ms }),
        "reset" => Some(FaultAction::Reset),
        "drop-after-apply" => Some(FaultAction::DropAfterApply),
        _ => None,
    }
}

/// Closes the connection a request arrived on, without a response. Inserted by the
/// sandbox's own accept loop; absent when the router is embedded elsewhere.
#[derive(Debug, Clone)]
pub struct ConnectionKill(pub Arc<Notify>);

fn injected(status: u16, retry_after: Option<u64>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let mut resp = ApiError::new(Code::SandboxFault, "Fault injected by the sandbox")
        .with_status(status)
        .into_response();
    if let Some(secs) = retry_after {
        resp.headers_mut()
            .insert("retry-after", HeaderValue::from(secs));
    }
    resp
}

async fn kill_connection(kill: Option<ConnectionKill>) -> Response {
    match kill {
        Some(k) => {
            k.0.notify_one();
            // The connection task drops this future with the connection.
            std::future::pending::<Response>().await
        }
        // Without control of the connection, the closest thing is a 502.
        None => injected(502, None),
    }
}

/// The fault this request triggers, if any: its own `x-sandbox-fault` header first, then
/// the admin API's faults. Called only once the request is authenticated.
pub fn pick(
    state: &AppState,
    parts: &Parts,
    template: Option<&str>,
    op: Option<&str>,
) -> Option<FaultAction> {
    header_fault(parts).or_else(|| {
        state
            .faults()
            .take(parts.method.as_str(), parts.uri.path(), template, op)
    })
}

/// Serve a request (`serve`, not yet started) with the fault `action` applied.
pub async fn apply(
    state: &AppState,
    action: FaultAction,
    kill: Option<ConnectionKill>,
    seq: u64,
    serve: impl Future<Output = Response>,
) -> Response {
    tracing::info!(?action, "injecting fault");
    let mark = |status: Option<u16>| state.journal().mark_faulted(seq, status);
    match action {
        FaultAction::Latency { latency_ms } => {
            mark(None);
            tokio::time::sleep(Duration::from_millis(latency_ms)).await;
            serve.await
        }
        FaultAction::Status {
            status,
            retry_after,
        } => {
            mark(Some(status));
            injected(status, retry_after)
        }
        FaultAction::Reset => {
            mark(None);
            kill_connection(kill).await
        }
        FaultAction::DropAfterApply => {
            let resp = serve.await;
            mark(Some(resp.status().as_u16()));
            kill_connection(kill).await
        }
    }
}
