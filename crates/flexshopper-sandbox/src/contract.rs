//! The spec's request contract, enforced: every `/v3` request is checked against
//! `spec/flexshopper.yaml` (path, query and header parameters, and the JSON body) before
//! its handler runs, so the sandbox accepts nothing the spec forbids. The handlers keep
//! only the rules a schema cannot say (state, sums, checksums).
//!
//! Authentication comes first, as at FlexShopper's gateway: a request without a valid
//! API key (or customer token, where the operation declares one) gets its 401 before its
//! input is looked at.

use std::sync::OnceLock;

use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::http::Method;
use axum::http::request::Parts;
use flexshopper_conformance::check::{ParamProblem, Refusal, check_params, refusal};
use flexshopper_conformance::spec::{EMBEDDED_SPEC, Spec};
use serde_json::{Value, json};

use crate::app::{AppState, Query, normalize};
use crate::error::{ApiError, ApiResult};

/// The spec's validators (shared with the conformance probe: `flexshopper-conformance`)
/// and the methods of every path.
#[derive(Debug)]
pub struct Contract {
    spec: &'static Spec,
    methods: Vec<(String, Vec<Method>)>,
}

/// The contract of the compiled-in spec, built once per process.
pub fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let spec = Spec::embedded();
        let methods = spec
            .methods()
            .into_iter()
            .map(|(template, methods)| {
                let methods = methods
                    .iter()
                    .map(|m| Method::from_bytes(m.as_bytes()).expect("a method"))
                    .collect();
                (template, methods)
            })
            .collect();
        Contract { spec, methods }
    })
}

/// One entry of the spec's `x-error-codes` registry.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisteredCode {
    /// As sent: a string or an integer.
    pub code: Value,
    pub status: Option<u16>,
    /// `documented`, `inferred` or `sandbox`.
    pub source: String,
}

/// The spec's `x-error-codes` registry (`components.schemas.ErrorCode`).
pub fn registered_error_codes() -> Vec<RegisteredCode> {
    let spec: Value =
        serde_norway::from_str(EMBEDDED_SPEC).expect("spec/flexshopper.yaml is valid YAML");
    spec.pointer("/components/schemas/ErrorCode/x-error-codes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|entry| RegisteredCode {
            code: entry["code"].clone(),
            status: entry["status"].as_u64().and_then(|s| u16::try_from(s).ok()),
            source: entry["source"].as_str().unwrap_or_default().to_owned(),
        })
        .collect()
}

impl Contract {
    /// The methods the spec documents for the path of this request (for `Allow`).
    pub fn allowed_methods(&self, path: &str) -> Option<&[Method]> {
        self.methods
            .iter()
            .filter(|(template, _)| {
                flexshopper_conformance::spec::segments(template, path).is_some()
            })
            .min_by_key(|(template, _)| template.matches('{').count())
            .map(|(_, methods)| methods.as_slice())
    }

    /// Whether the operation declares the `customer-token` header.
    fn takes_customer(&self, operation_id: &str) -> bool {
        self.spec
            .operation(operation_id)
            .is_some_and(|op| op.customer)
    }

    /// Checks a request of `operation_id` against the spec, in order: path, query,
    /// headers, body.
    fn check(
        &self,
        operation_id: &str,
        parts: &Parts,
        query: &Query,
        body: &Bytes,
    ) -> ApiResult<Option<Value>> {
        let Some(op) = self.spec.operation(operation_id) else {
            return Ok(None);
        };
        check_params(
            op,
            parts.uri.path(),
            |name| query.get(name).map(str::to_owned),
            |name| {
                parts
                    .headers
                    .get(name)
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            },
        )
        .map_err(|problem| match problem {
            ParamProblem::Missing(name) => ApiError::validation(format!("{name}: is required")),
            ParamProblem::Invalid(r) => into_error(r),
        })?;
        let Some(schema) = &op.body else {
            return Ok(None);
        };
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::validation("body: a JSON body is required"));
        }
        let mut value: Value = serde_json::from_slice(body)
            .map_err(|e| ApiError::validation(format!("body: malformed JSON ({e})")))?;
        // The variants real clients send (numeric-string quantities) are read the way the
        // handlers read them, then held to the spec.
        normalize(&mut value);
        // JSON can carry a NUL only escaped (`\u0000`): a body without a backslash has
        // none, and most bodies have no backslash at all.
        if body.contains(&b'\\') && contains_nul(&value) {
            refuse_nul(&value, &mut String::new())?;
        }
        refusal(schema, &value, "body").map_err(|r| {
            observed_answer(operation_id, &r.field, r.keyword).unwrap_or_else(|| into_error(r))
        })?;
        Ok(Some(value))
    }
}

/// A refusal as the sandbox's 400: the message starts with the field, `data` names the
/// field and the keyword; the value is never repeated (it may be a secret).
fn into_error(r: Refusal) -> ApiError {
    ApiError::validation(format!("{}: {}", r.field, r.reason))
        .with_data(json!({ "field": r.field, "keyword": r.keyword }))
}

/// FlexShopper's own answer where one was observed: its server refuses `{"items": []}`
/// on a shipment with its request validator's body, not the documented envelope
/// (shared/reference/flexshopper-public-clients.md). Confirm Receipt mirrors it.
fn observed_answer(operation_id: &str, field: &str, keyword: &str) -> Option<ApiError> {
    let empty_items = matches!(operation_id, "confirmShipment" | "confirmReceipt")
        && field == "items"
        && keyword == "minItems";
    empty_items.then(|| ApiError::Validator {
        status: axum::http::StatusCode::BAD_REQUEST,
        message: EMPTY_ITEMS.to_owned(),
    })
}

/// What FlexShopper's server answered `{"items": []}` on Confirm Shipment.
pub const EMPTY_ITEMS: &str =
    r#"child "items" fails because ["items" must contain at least 1 items]"#;

/// Whether an operation authenticates a customer (it declares the `customer-token` header).
pub fn needs_customer(operation_id: &str) -> bool {
    contract().takes_customer(operation_id)
}

/// The request body as the contract check parsed and normalized it: the handler's
/// [`Body`](crate::app::Body) extractor takes it instead of parsing the bytes again.
#[derive(Debug, Clone)]
pub struct CheckedBody(pub Value);

/// Check an authenticated request of `operation_id` against the spec: path, query,
/// headers, body. The parsed body is left in the request's extensions ([`CheckedBody`]).
pub async fn check_request(
    state: &AppState,
    operation_id: &str,
    parts: &mut Parts,
    body: &Bytes,
) -> ApiResult<()> {
    let query = Query::from_request_parts(parts, state).await?;
    if let Some(value) = contract().check(operation_id, parts, &query, body)? {
        parts.extensions.insert(CheckedBody(value));
    }
    Ok(())
}

/// Whether any string of `value` contains a NUL character: the common answer (no) without
/// building the path of every field, which only a refusal needs.
fn contains_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Object(map) => map.values().any(contains_nul),
        Value::Array(items) => items.iter().any(contains_nul),
        _ => false,
    }
}

/// No string of a request body may contain a NUL character (a sandbox limit declared in
/// the spec's `x-sandbox-limits`): names and SKUs end up in documents and logs.
fn refuse_nul(value: &Value, path: &mut String) -> ApiResult<()> {
    match value {
        Value::String(s) if s.contains('\0') => {
            let field = if path.is_empty() {
                "body"
            } else {
                path.as_str()
            };
            Err(
                ApiError::validation(format!("{field}: must not contain NUL characters"))
                    .with_data(json!({ "field": field, "keyword": "x-sandbox-limits" })),
            )
        }
        Value::Object(map) => map.iter().try_for_each(|(k, v)| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(k);
            refuse_nul(v, path)?;
            path.truncate(len);
            Ok(())
        }),
        Value::Array(items) => items.iter().enumerate().try_for_each(|(n, v)| {
            let len = path.len();
            path.push_str(&format!("[{n}]"));
            refuse_nul(v, path)?;
            path.truncate(len);
            Ok(())
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_of_the_spec_is_compiled() {
        let c = contract();
        assert!(c.spec.operation("confirmShipment").unwrap().body.is_some());
        assert!(c.takes_customer("getLease"));
    }

    #[test]
    fn documented_methods_make_the_allow_header() {
        let c = contract();
        assert_eq!(
            c.allowed_methods("/v3/transactions/T-1/confirm-shipment"),
            Some(&[Method::POST][..])
        );
        assert_eq!(c.allowed_methods("/v3/nowhere"), None);
    }

    /// The NUL check looks at bodies with a backslash only: a NUL can reach a string
    /// only as `\u0000`, because a raw one is not JSON.
    #[test]
    fn a_nul_reaches_a_string_only_escaped() {
        assert!(serde_json::from_slice::<Value>(b"{\"sku\": \"A\0B\"}").is_err());
        let escaped: Value = serde_json::from_slice(br#"{"sku": "A\u0000B"}"#).unwrap();
        assert!(contains_nul(&escaped));
        let err = refuse_nul(&escaped, &mut String::new()).unwrap_err();
        assert!(format!("{err:?}").contains("sku"), "{err:?}");
    }
}
