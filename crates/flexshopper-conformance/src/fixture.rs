//! The fixture format: one redacted request/response pair per file, with what the spec
//! made of it. The recorder writes them; the replay test reads every file of
//! `tests/fixtures/recorded/`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::check::Violation;

/// A recorded request (redacted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// Upper-case HTTP method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query string, if any (secret parameters replaced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Headers (lower-case names; secret ones `[REDACTED]`).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The JSON body, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// A recorded response (redacted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedResponse {
    /// The HTTP status.
    pub status: u16,
    /// Headers (lower-case names).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The body: JSON as JSON, anything else as a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// One exchange as the recorder saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fixture {
    /// The spec's operation, when the request is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    /// The request.
    pub request: RecordedRequest,
    /// The response.
    pub response: RecordedResponse,
    /// How the request breaks the spec, if it does (`field: reason`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_problem: Option<String>,
    /// How the response differs from the spec.
    #[serde(default)]
    pub violations: Vec<Violation>,
    /// Fields of the response the spec does not describe.
    #[serde(default)]
    pub undescribed: Vec<String>,
}

impl Fixture {
    /// The response body as the bytes a server would send (JSON re-serialized).
    pub fn body_bytes(&self) -> Vec<u8> {
        match &self.response.body {
            None => Vec::new(),
            Some(Value::String(s))
                if !self
                    .response
                    .headers
                    .get("content-type")
                    .is_some_and(|t| t.contains("json")) =>
            {
                s.clone().into_bytes()
            }
            Some(v) => serde_json::to_vec(v).unwrap_or_default(),
        }
    }

    /// Reads every `*.json` fixture of `dir`, sorted by file name.
    pub fn read_dir(dir: &Path) -> Result<Vec<(String, Fixture)>, String> {
        let mut out = Vec::new();
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let fixture: Fixture = serde_json::from_str(&text)
                .map_err(|e| format!("{}: not a fixture ({e})", path.display()))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push((name, fixture));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }
}
