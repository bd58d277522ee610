//! The request journal: every /v3 request, with secrets redacted.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::app::AppState;
use crate::error::ApiError;

pub const REDACTED: &str = "[REDACTED]";

/// Header names whose values are secrets.
const SECRET_HEADERS: &[&str] = &["authorization", "customer-token", "cookie", "x-api-key"];

/// JSON keys (compared case-insensitively) whose values are secrets.
const SECRET_KEYS: &[&str] = &[
    "passcode",
    "ssn",
    "password",
    "account",
    "accountnumber",
    "token",
    "childkey",
    "code",
    "driverslicensenumber",
    "devicefingerprint",
];

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub status: Option<u16>,
    pub merchant_id: Option<String>,
    pub operation_id: Option<&'static str>,
    pub faulted: bool,
    pub headers: Map<String, Value>,
    pub body: Value,
}

/// The journal keeps the most recent entries only, so that a load test cannot exhaust memory.
pub const JOURNAL_CAPACITY: usize = 10_000;

#[derive(Debug, Default)]
pub struct Journal {
    pub entries: std::collections::VecDeque<Entry>,
    next_seq: u64,
}

impl Journal {
    fn push(&mut self, mut entry: Entry) -> u64 {
        self.next_seq += 1;
        entry.seq = self.next_seq;
        if self.entries.len() == JOURNAL_CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
        self.next_seq
    }

    fn entry(&mut self, seq: u64) -> Option<&mut Entry> {
        self.entries.iter_mut().rev().find(|e| e.seq == seq)
    }

    pub fn mark_faulted(&mut self, seq: u64, status: Option<u16>) {
        if let Some(e) = self.entry(seq) {
            e.faulted = true;
            if status.is_some() {
                e.status = status;
            }
        }
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

/// The journal sequence number of the request being served.
#[derive(Debug, Clone, Copy)]
pub struct JournalSeq(pub u64);

/// Replace secret values anywhere in a JSON document.
pub fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if SECRET_KEYS.contains(&k.to_ascii_lowercase().as_str()) && !v.is_null() {
                    *v = Value::from(REDACTED);
                } else {
                    redact(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return ApiError::validation("body: too large or unreadable").into_response();
    };
    let headers: Map<String, Value> = parts
        .headers
        .iter()
        .map(|(name, value)| {
            let shown = if SECRET_HEADERS.contains(&name.as_str()) {
                REDACTED.to_owned()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_owned(), Value::from(shown))
        })
        .collect();
    let body_json = if bytes.is_empty() {
        Value::Null
    } else {
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(mut v) => {
                redact(&mut v);
                v
            }
            Err(_) => Value::from(format!("[non-JSON body, {} bytes]", bytes.len())),
        }
    };
    let merchant_id = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(crate::merchant_id);
    let path = parts.uri.path().to_owned();
    let seq = state.journal().push(Entry {
        seq: 0,
        method: parts.method.to_string(),
        operation_id: crate::ops::operation(&parts.method, &path).map(|o| o.1),
        path,
        status: None,
        merchant_id,
        faulted: false,
        headers,
        body: body_json,
    });
    parts.extensions.insert(JournalSeq(seq));
    let resp = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if let Some(e) = state.journal().entry(seq) {
        e.status.get_or_insert(resp.status().as_u16());
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let mut v = json!({"ssn": "888776666", "bankAccount": {"routing": "021000021", "account": "123"}, "x": [{"passcode": "1"}]});
        redact(&mut v);
        assert_eq!(v["ssn"], REDACTED);
        assert_eq!(v["bankAccount"]["account"], REDACTED);
        assert_eq!(v["bankAccount"]["routing"], "021000021");
        assert_eq!(v["x"][0]["passcode"], REDACTED);
    }
}
