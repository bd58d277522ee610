//! The spec's request contract, enforced: every `/v3` request is checked against
//! `spec/flexshopper.yaml` (path, query and header parameters, and the JSON body) before
//! its handler runs, so the sandbox accepts nothing the spec forbids. The handlers keep
//! only the rules a schema cannot say (state, sums, checksums).
//!
//! Authentication comes first, as at FlexShopper's gateway: a request without a valid
//! API key (or customer token, where the operation declares one) gets its 401 before its
//! input is looked at.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::Method;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jsonschema::paths::LocationSegment;
use jsonschema::{Draft, Validator, error::ValidationErrorKind};
use serde_json::{Value, json};

use crate::app::{AppState, Customer, Merchant, Query, normalize};
use crate::error::{ApiError, ApiResult};

/// The spec, compiled into the binary: the sandbox enforces the contract it was built with.
pub(crate) const SPEC: &str = include_str!("../../../spec/flexshopper.yaml");
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Location {
    Path,
    Query,
    Header,
}

#[derive(Debug)]
struct Param {
    name: String,
    location: Location,
    required: bool,
    /// The schema's `type`: how a path, query or header string is read before validation.
    kind: String,
    schema: Validator,
}

#[derive(Debug)]
struct Operation {
    /// The path template, e.g. `/v3/leases/{leaseId}`.
    template: String,
    /// Declares the `customer-token` header: the customer is authenticated first.
    customer: bool,
    params: Vec<Param>,
    /// The JSON body's schema, when the operation has a body.
    body: Option<Validator>,
}

/// Every operation of the spec, by operationId, and the methods of every path.
#[derive(Debug)]
pub struct Contract {
    operations: HashMap<String, Operation>,
    methods: Vec<(String, Vec<Method>)>,
}

/// The contract of the compiled-in spec, built once per process.
pub fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let spec: Value =
            serde_norway::from_str(SPEC).expect("spec/flexshopper.yaml is valid YAML");
        Contract::new(spec)
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
    let spec: Value = serde_norway::from_str(SPEC).expect("spec/flexshopper.yaml is valid YAML");
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
    fn new(mut spec: Value) -> Self {
        to_json_schema(&mut spec);
        let components = json!({ "schemas": spec["components"]["schemas"].clone() });
        let compile = |schema: &Value| {
            let root = json!({ "allOf": [schema], "components": components });
            jsonschema::options()
                .with_draft(Draft::Draft7)
                .should_validate_formats(true)
                .build(&root)
                .unwrap_or_else(|e| panic!("the spec's schema {schema} does not compile: {e}"))
        };
        let mut operations = HashMap::new();
        let mut methods = Vec::new();
        for (template, item) in spec["paths"].as_object().into_iter().flatten() {
            let mut allowed = Vec::new();
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                allowed
                    .push(Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method"));
                let params: Vec<Param> = item["parameters"]
                    .as_array()
                    .into_iter()
                    .chain(op["parameters"].as_array())
                    .flatten()
                    .filter_map(|p| param(&spec, p, &compile))
                    .collect();
                let body = resolve(&spec, &op["requestBody"])
                    .pointer("/content/application~1json/schema")
                    .map(&compile);
                let id = op["operationId"]
                    .as_str()
                    .expect("an operationId")
                    .to_owned();
                operations.insert(
                    id,
                    Operation {
                        template: template.clone(),
                        customer: params
                            .iter()
                            .any(|p| p.location == Location::Header && p.name == "customer-token"),
                        params,
                        body,
                    },
                );
            }
            methods.push((template.clone(), allowed));
        }
        Contract {
            operations,
            methods,
        }
    }

    /// The methods the spec documents for the path of this request (for `Allow`).
    pub fn allowed_methods(&self, path: &str) -> Option<&[Method]> {
        self.methods
            .iter()
            .filter(|(template, _)| segments(template, path).is_some())
            .min_by_key(|(template, _)| template.matches('{').count())
            .map(|(_, methods)| methods.as_slice())
    }

    /// Checks a request of `operation_id` against the spec, in order: path, query,
    /// headers, body.
    fn check(
        &self,
        operation_id: &str,
        parts: &Parts,
        query: &Query,
        body: &Bytes,
    ) -> ApiResult<()> {
        let Some(op) = self.operations.get(operation_id) else {
            return Ok(());
        };
        let path_values = segments(&op.template, parts.uri.path()).unwrap_or_default();
        for p in &op.params {
            let raw = match p.location {
                Location::Path => path_values
                    .iter()
                    .find(|(name, _)| *name == p.name)
                    .map(|(_, v)| v.clone()),
                Location::Query => query.get(&p.name).map(str::to_owned),
                Location::Header => parts
                    .headers
                    .get(&p.name)
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
            };
            match raw {
                None if p.required => {
                    return Err(ApiError::validation(format!("{}: is required", p.name)));
                }
                None => {}
                Some(raw) => refusal(&p.schema, &scalar(&p.kind, &raw), &p.name)
                    .map_err(Refusal::into_error)?,
            }
        }
        let Some(schema) = &op.body else {
            return Ok(());
        };
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::validation("body: a JSON body is required"));
        }
        let mut value: Value = serde_json::from_slice(body)
            .map_err(|e| ApiError::validation(format!("body: malformed JSON ({e})")))?;
        // The variants real clients send (numeric-string quantities) are read the way the
        // handlers read them, then held to the spec.
        normalize(&mut value);
        refusal(schema, &value, "body").map_err(|r| {
            observed_answer(operation_id, &r.field, r.keyword).unwrap_or_else(|| r.into_error())
        })
    }
}

/// Why a value fails its schema: the field (`items[0].quantity`), the JSON Schema keyword
/// and a reason that never repeats the value (it may be a secret).
#[derive(Debug)]
struct Refusal {
    field: String,
    keyword: &'static str,
    reason: String,
}

impl Refusal {
    fn into_error(self) -> ApiError {
        ApiError::validation(format!("{}: {}", self.field, self.reason))
            .with_data(json!({ "field": self.field, "keyword": self.keyword }))
    }
}

/// The first way `value` fails `schema`, if any.
fn refusal(schema: &Validator, value: &Value, root: &str) -> Result<(), Refusal> {
    let Some(error) = schema.iter_errors(value).next() else {
        return Ok(());
    };
    let mut field = String::new();
    for segment in error.instance_path().segments() {
        match segment {
            LocationSegment::Property(p) if field.is_empty() => field.push_str(&p),
            LocationSegment::Property(p) => {
                field.push('.');
                field.push_str(&p);
            }
            LocationSegment::Index(i) => field.push_str(&format!("[{i}]")),
        }
    }
    let reason = match error.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            if !field.is_empty() {
                field.push('.');
            }
            field.push_str(name);
            "is required".to_owned()
        }
        _ => error.masked().to_string(),
    };
    if field.is_empty() {
        field = root.to_owned();
    }
    Err(Refusal {
        field,
        keyword: keyword(error.kind()),
        reason,
    })
}

fn keyword(kind: &ValidationErrorKind) -> &'static str {
    match kind {
        ValidationErrorKind::Required { .. } => "required",
        ValidationErrorKind::MinItems { .. } => "minItems",
        _ => "schema",
    }
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

/// A path, query or header string as the JSON value its schema describes; a string
/// that does not parse stays a string, and fails the schema's `type`.
fn scalar(kind: &str, raw: &str) -> Value {
    let parsed = match kind {
        "integer" | "number" => raw.parse::<i64>().map(Value::from).ok().or_else(|| {
            raw.parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
        }),
        "boolean" => raw.parse::<bool>().ok().map(Value::Bool),
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::String(raw.to_owned()))
}

/// The parameters of `path` under `template` (percent-decoded), or `None` if it does
/// not match.
fn segments<'t>(template: &'t str, path: &str) -> Option<Vec<(&'t str, String)>> {
    let mut t = template.split('/');
    let mut p = path.split('/');
    let mut values = Vec::new();
    loop {
        match (t.next(), p.next()) {
            (None, None) => return Some(values),
            (Some(ts), Some(ps)) => match ts.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
                Some(name) if !ps.is_empty() => values.push((name, percent_decode(ps))),
                None if ts == ps => {}
                _ => return None,
            },
            _ => return None,
        }
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A parameter object (or a `$ref` to one) as a [`Param`].
fn param(spec: &Value, p: &Value, compile: &impl Fn(&Value) -> Validator) -> Option<Param> {
    let p = resolve(spec, p);
    let location = match p["in"].as_str()? {
        "path" => Location::Path,
        "query" => Location::Query,
        "header" => Location::Header,
        _ => return None,
    };
    let schema = p.get("schema").cloned().unwrap_or_else(|| json!({}));
    Some(Param {
        name: p["name"].as_str()?.to_owned(),
        location,
        required: p["required"].as_bool().unwrap_or(false),
        kind: resolve(spec, &schema)["type"]
            .as_str()
            .unwrap_or("string")
            .to_owned(),
        schema: compile(&schema),
    })
}

/// Follows a local `$ref`.
fn resolve<'a>(spec: &'a Value, v: &'a Value) -> &'a Value {
    match v
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        Some(pointer) => spec.pointer(pointer).unwrap_or(&Value::Null),
        None => v,
    }
}

/// OpenAPI 3.0's schema dialect as JSON Schema draft 7: a boolean `exclusiveMinimum`
/// (`exclusiveMaximum`) qualifies `minimum` (`maximum`), and `nullable: true` admits
/// null. Examples are data, not schemas, and are left alone.
fn to_json_schema(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key != "example" && key != "examples" {
                    to_json_schema(child);
                }
            }
            for (exclusive, bound) in [
                ("exclusiveMinimum", "minimum"),
                ("exclusiveMaximum", "maximum"),
            ] {
                if let Some(Value::Bool(is_exclusive)) = map.get(exclusive).cloned() {
                    map.remove(exclusive);
                    if let Some(limit) = map.remove(bound) {
                        map.insert(
                            (if is_exclusive { exclusive } else { bound }).to_owned(),
                            limit,
                        );
                    }
                }
            }
            if map.get("nullable") == Some(&Value::Bool(true)) {
                map.remove("nullable");
                let inner = std::mem::take(value);
                *value = json!({ "anyOf": [inner, { "type": "null" }] });
            }
        }
        Value::Array(items) => items.iter_mut().for_each(to_json_schema),
        _ => {}
    }
}

/// The middleware: authenticate, then hold the request to the spec, then run the handler.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some((_, operation_id)) = crate::ops::operation(req.method(), req.uri().path()) else {
        return next.run(req).await;
    };
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return ApiError::validation("body: too large or unreadable").into_response();
    };
    if let Err(e) = admit(&state, operation_id, &mut parts, &bytes).await {
        return e.into_response();
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

async fn admit(
    state: &AppState,
    operation_id: &str,
    parts: &mut Parts,
    body: &Bytes,
) -> ApiResult<()> {
    let contract = contract();
    Merchant::from_request_parts(parts, state).await?;
    if contract
        .operations
        .get(operation_id)
        .is_some_and(|op| op.customer)
    {
        Customer::from_request_parts(parts, state).await?;
    }
    let query = Query::from_request_parts(parts, state).await?;
    contract.check(operation_id, parts, &query, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_of_the_spec_is_compiled() {
        let c = contract();
        assert!(c.operations.contains_key("confirmShipment"));
        assert!(c.operations["confirmShipment"].body.is_some());
        assert!(c.operations["getLease"].customer);
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

    #[test]
    fn path_parameters_are_percent_decoded() {
        assert_eq!(
            segments("/v3/leases/{leaseId}", "/v3/leases/a%20b"),
            Some(vec![("leaseId", "a b".to_owned())])
        );
        assert_eq!(segments("/v3/leases/{leaseId}", "/v3/leases/"), None);
    }

    #[test]
    fn query_strings_are_read_as_their_schema_type() {
        assert_eq!(scalar("integer", "5"), json!(5));
        assert_eq!(scalar("integer", "five"), json!("five"));
        assert_eq!(scalar("boolean", "true"), json!(true));
        assert_eq!(scalar("string", "5"), json!("5"));
    }

    #[test]
    fn exclusive_bounds_become_draft_7() {
        let mut s = json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "example": {"minimum": 1, "exclusiveMinimum": true}});
        to_json_schema(&mut s);
        assert_eq!(
            s,
            json!({"type": "number", "exclusiveMinimum": 0, "example": {"minimum": 1, "exclusiveMinimum": true}})
        );
    }
}
