//! The request journal: every authenticated /v3 request, bounded in bytes, with secrets
//! redacted.
//!
//! Recording is cheap and lazy: an entry keeps the request line, its headers as one
//! string (secret values already replaced) and at most `journal_body_bytes` of its body,
//! copied; parsing and redacting the body happens only when the journal is read. A body
//! over that size is not kept (a cut JSON document cannot be redacted safely): the entry
//! says how large it was. When the journal would exceed `journal_bytes`, the oldest
//! entries go.

use std::collections::VecDeque;

use axum::body::Bytes;
use axum::http::request::Parts;
use serde_json::{Map, Value, json};

use crate::config::Limits;

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

/// Longest path kept (query strings included).
const MAX_PATH: usize = 2048;
/// What an entry costs beyond its strings, counted against the byte limit.
const ENTRY_OVERHEAD: usize = 160;

#[derive(Debug, Clone)]
pub struct Entry {
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub status: Option<u16>,
    pub merchant_id: Option<String>,
    pub operation_id: Option<&'static str>,
    pub faulted: bool,
    /// `name: value` lines, secret values redacted.
    headers: String,
    /// The body as received, when it is at most the body limit.
    body: Option<Bytes>,
    body_len: usize,
}

impl Entry {
    /// The journal entry of an authenticated request, built before the journal is
    /// locked so that requests do not wait on each other's copying. A body longer than
    /// `max_body` is counted, not kept.
    pub fn of(
        parts: &Parts,
        operation_id: Option<&'static str>,
        merchant_id: Option<String>,
        body: &Bytes,
        max_body: usize,
    ) -> Entry {
        let mut headers = String::with_capacity(64 * parts.headers.len());
        for (name, value) in &parts.headers {
            headers.push_str(name.as_str());
            headers.push_str(": ");
            if SECRET_HEADERS.contains(&name.as_str()) {
                headers.push_str(REDACTED);
            } else {
                push_line_safe(&mut headers, value.as_bytes());
            }
            headers.push('\n');
        }
        let path = parts
            .uri
            .path_and_query()
            .map_or("", |p| p.path())
            .chars()
            .take(MAX_PATH)
            .collect();
        let kept = (body.len() <= max_body).then(|| Bytes::copy_from_slice(body));
        Entry {
            seq: 0,
            method: parts.method.to_string(),
            path,
            status: None,
            merchant_id,
            operation_id,
            faulted: false,
            headers,
            body: kept,
            body_len: body.len(),
        }
    }

    fn size(&self) -> usize {
        ENTRY_OVERHEAD
            + self.path.len()
            + self.headers.len()
            + self.body.as_ref().map_or(0, Bytes::len)
            + self.merchant_id.as_ref().map_or(0, String::len)
    }

    /// The entry as the admin API shows it: headers as an object, the body parsed and
    /// redacted.
    pub fn to_json(&self) -> Value {
        let headers: Map<String, Value> = self
            .headers
            .lines()
            .filter_map(|l| l.split_once(": "))
            .map(|(k, v)| (k.to_owned(), Value::from(v)))
            .collect();
        let body = match &self.body {
            _ if self.body_len == 0 => Value::Null,
            None => Value::from(format!(
                "[body of {} bytes, over the journal's body limit: not kept]",
                self.body_len
            )),
            Some(bytes) => match serde_json::from_slice::<Value>(bytes) {
                Ok(mut v) => {
                    redact(&mut v);
                    v
                }
                Err(_) => Value::from(format!("[non-JSON body, {} bytes]", bytes.len())),
            },
        };
        json!({
            "seq": self.seq, "method": self.method, "path": self.path, "status": self.status,
            "merchantId": self.merchant_id, "operationId": self.operation_id,
            "faulted": self.faulted, "headers": headers, "body": body,
        })
    }
}

#[derive(Debug)]
pub struct Journal {
    entries: VecDeque<Entry>,
    next_seq: u64,
    bytes: usize,
    max_bytes: usize,
    /// Entries dropped to stay under the byte limit since the last clear.
    pub dropped: u64,
}

impl Default for Journal {
    fn default() -> Self {
        Journal::new(&Limits::default())
    }
}

/// A header value as one line of text: as it is when it is UTF-8 without line breaks (what
/// hyper hands over: it refuses CR and LF in values), else lossily decoded with line
/// breaks replaced, so a value can never forge another `name: value` line.
fn push_line_safe(out: &mut String, value: &[u8]) {
    match std::str::from_utf8(value) {
        Ok(v) if !v.contains(['\r', '\n']) => out.push_str(v),
        _ => out.push_str(&String::from_utf8_lossy(value).replace(['\r', '\n'], " ")),
    }
}

impl Journal {
    pub fn new(limits: &Limits) -> Self {
        Journal {
            entries: VecDeque::new(),
            next_seq: 0,
            bytes: 0,
            max_bytes: limits.journal_bytes,
            dropped: 0,
        }
    }

    /// Record an authenticated request's entry; returns its sequence number.
    pub fn record(&mut self, mut entry: Entry) -> u64 {
        self.next_seq += 1;
        entry.seq = self.next_seq;
        self.bytes += entry.size();
        self.entries.push_back(entry);
        while self.bytes > self.max_bytes && self.entries.len() > 1 {
            if let Some(old) = self.entries.pop_front() {
                self.bytes -= old.size();
                self.dropped += 1;
            }
        }
        self.next_seq
    }

    fn entry(&mut self, seq: u64) -> Option<&mut Entry> {
        let first = self.entries.front()?.seq;
        let pos = seq.checked_sub(first)? as usize;
        self.entries.get_mut(pos)
    }

    pub fn set_status(&mut self, seq: u64, status: u16) {
        if let Some(e) = self.entry(seq) {
            e.status.get_or_insert(status);
        }
    }

    pub fn mark_faulted(&mut self, seq: u64, status: Option<u16>) {
        if let Some(e) = self.entry(seq) {
            e.faulted = true;
            if status.is_some() {
                e.status = status;
            }
        }
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// Bytes the journal holds now, as counted against its limit.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
        self.dropped = 0;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_value_stays_on_its_line() {
        let mut out = String::new();
        push_line_safe(&mut out, b"plain value");
        assert_eq!(out, "plain value");
        out.clear();
        push_line_safe(&mut out, b"x\r\nauthorization: forged");
        assert_eq!(out, "x  authorization: forged");
        out.clear();
        push_line_safe(&mut out, b"caf\xe9\n");
        assert_eq!(out, "caf\u{fffd} ");
    }

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let mut v = json!({"ssn": "888776666", "bankAccount": {"routing": "021000021", "account": "123"}, "x": [{"passcode": "1"}]});
        redact(&mut v);
        assert_eq!(v["ssn"], REDACTED);
        assert_eq!(v["bankAccount"]["account"], REDACTED);
        assert_eq!(v["bankAccount"]["routing"], "021000021");
        assert_eq!(v["x"][0]["passcode"], REDACTED);
    }

    fn parts() -> Parts {
        axum::http::Request::post("/v3/leases")
            .header("authorization", "secret-key")
            .body(())
            .unwrap()
            .into_parts()
            .0
    }

    #[test]
    fn the_journal_stays_under_its_byte_limit_and_counts_what_it_dropped() {
        let limits = Limits {
            journal_bytes: 8 << 10,
            journal_body_bytes: 4 << 10,
            ..Limits::default()
        };
        let mut j = Journal::new(&limits);
        let big = Bytes::from(vec![b'0'; 1 << 20]);
        let small = Bytes::from_static(br#"{"ssn": "888776666"}"#);
        for _ in 0..40 {
            j.record(Entry::of(
                &parts(),
                None,
                None,
                &big,
                limits.journal_body_bytes,
            ));
            j.record(Entry::of(
                &parts(),
                None,
                None,
                &small,
                limits.journal_body_bytes,
            ));
        }
        assert!(j.bytes() <= 8 << 10, "{} bytes", j.bytes());
        assert!(j.dropped > 0);
        let last: Vec<Value> = j.entries().map(Entry::to_json).collect();
        let text = serde_json::to_string(&last).unwrap();
        assert!(!text.contains("888776666") && !text.contains("secret-key"));
        assert!(text.contains("over the journal's body limit"));
    }
}
