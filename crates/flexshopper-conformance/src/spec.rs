//! The spec as compiled JSON Schema validators (draft 7, formats checked): for every
//! operation its parameters, request body, and each documented response's body and
//! headers. The sandbox holds requests to it; the probe, the recorder and the replay
//! test hold responses to it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use jsonschema::{Draft, Validator};
use serde_json::{Value, json};

/// The spec this crate was built with.
pub const EMBEDDED_SPEC: &str = include_str!("../../../spec/flexshopper.yaml");

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A spec that cannot be used: unreadable YAML, or a schema that does not compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError(pub String);

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SpecError {}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// In a header.
    Header,
}

/// One parameter of an operation.
#[derive(Debug)]
pub struct Param {
    /// Its name (headers as the spec spells them).
    pub name: String,
    /// Where it travels.
    pub location: Location,
    /// Whether the spec requires it.
    pub required: bool,
    /// The schema's `type`: how a path, query or header string is read before validation.
    pub kind: String,
    /// Its compiled schema.
    pub schema: Validator,
}

/// One documented response of an operation (`200`, `4XX`, `default`, …).
#[derive(Debug)]
pub struct ResponseSpec {
    /// The key in the spec: a status, a range (`4XX`) or `default`.
    pub key: String,
    /// The JSON body's compiled schema, when the response documents one.
    pub body: Option<Validator>,
    /// The JSON body's schema as draft-7 JSON (its `$ref`s resolve with [`Spec::resolve`]).
    pub body_schema: Option<Value>,
    /// Documented headers: name (lower case), required, compiled schema.
    pub headers: Vec<(String, bool, Validator)>,
}

/// One operation of the spec.
#[derive(Debug)]
pub struct Operation {
    /// Its operationId.
    pub id: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template, e.g. `/v3/leases/{leaseId}`.
    pub template: String,
    /// Declares the `customer-token` header: the customer is authenticated first.
    pub customer: bool,
    /// Path, query and header parameters.
    pub params: Vec<Param>,
    /// The JSON request body's schema, when the operation has a body.
    pub body: Option<Validator>,
    /// Documented responses, in the spec's order.
    pub responses: Vec<ResponseSpec>,
}

impl Operation {
    /// The response the spec documents for `status`: the exact code, else its range
    /// (`4XX`), else `default`.
    pub fn response(&self, status: u16) -> Option<&ResponseSpec> {
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        [exact.as_str(), range.as_str(), "default"]
            .iter()
            .find_map(|key| {
                self.responses
                    .iter()
                    .find(|r| r.key.eq_ignore_ascii_case(key))
            })
    }
}

/// Every operation of a spec, compiled.
#[derive(Debug)]
pub struct Spec {
    operations: BTreeMap<String, Operation>,
    /// The whole document as draft-7 JSON (`nullable` and boolean exclusive bounds
    /// rewritten), the root every schema's `$ref` resolves against.
    root: Value,
}

impl Spec {
    /// The compiled-in spec (`spec/flexshopper.yaml`), built once per process.
    pub fn embedded() -> &'static Spec {
        static SPEC: OnceLock<Spec> = OnceLock::new();
        SPEC.get_or_init(|| Spec::from_yaml(EMBEDDED_SPEC).expect("spec/flexshopper.yaml compiles"))
    }

    /// Reads and compiles an OpenAPI 3.0 document (YAML or JSON).
    pub fn from_yaml(text: &str) -> Result<Spec, SpecError> {
        let spec: Value = serde_norway::from_str(text)
            .map_err(|e| SpecError(format!("the spec is not valid YAML: {e}")))?;
        Spec::new(spec)
    }

    /// Compiles an OpenAPI 3.0 document.
    pub fn new(mut spec: Value) -> Result<Spec, SpecError> {
        if !spec["paths"].is_object() {
            return Err(SpecError("paths: the spec has no paths object".into()));
        }
        to_json_schema(&mut spec);
        let components = json!({ "schemas": spec["components"]["schemas"].clone() });
        let compile = |schema: &Value| -> Result<Validator, SpecError> {
            let root = json!({ "allOf": [schema], "components": components });
            jsonschema::options()
                .with_draft(Draft::Draft7)
                .should_validate_formats(true)
                .build(&root)
                .map_err(|e| SpecError(format!("the schema {schema} does not compile: {e}")))
        };
        let mut operations = BTreeMap::new();
        for (template, item) in spec["paths"].as_object().into_iter().flatten() {
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let id = op["operationId"]
                    .as_str()
                    .ok_or_else(|| {
                        SpecError(format!(
                            "paths.{template}.{method}.operationId: is required"
                        ))
                    })?
                    .to_owned();
                let mut params = Vec::new();
                for p in item["parameters"]
                    .as_array()
                    .into_iter()
                    .chain(op["parameters"].as_array())
                    .flatten()
                {
                    if let Some(p) = param(&spec, p, &compile)? {
                        params.push(p);
                    }
                }
                let body = resolve(&spec, &op["requestBody"])
                    .pointer("/content/application~1json/schema")
                    .map(&compile)
                    .transpose()?;
                let mut responses = Vec::new();
                for (key, response) in op["responses"].as_object().into_iter().flatten() {
                    let response = resolve(&spec, response);
                    let body_schema = response
                        .pointer("/content/application~1json/schema")
                        .cloned();
                    let mut headers = Vec::new();
                    for (name, header) in response["headers"].as_object().into_iter().flatten() {
                        let header = resolve(&spec, header);
                        let schema = header.get("schema").cloned().unwrap_or_else(|| json!({}));
                        headers.push((
                            name.to_ascii_lowercase(),
                            header["required"].as_bool().unwrap_or(false),
                            compile(&schema)?,
                        ));
                    }
                    responses.push(ResponseSpec {
                        key: key.clone(),
                        body: body_schema.as_ref().map(&compile).transpose()?,
                        body_schema,
                        headers,
                    });
                }
                let customer = params
                    .iter()
                    .any(|p| p.location == Location::Header && p.name == "customer-token");
                operations.insert(
                    id.clone(),
                    Operation {
                        id,
                        method: method.to_uppercase(),
                        template: template.clone(),
                        customer,
                        params,
                        body,
                        responses,
                    },
                );
            }
        }
        Ok(Spec {
            operations,
            root: spec,
        })
    }

    /// The operation with this operationId.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.get(id)
    }

    /// Every operation, by operationId.
    pub fn operations(&self) -> impl Iterator<Item = &Operation> {
        self.operations.values()
    }

    /// The operation a request is: `method` and a concrete `path` (no query). A literal
    /// segment wins over a parameter (`/v3/users/me` is not `/v3/users/{userId}`).
    pub fn find(&self, method: &str, path: &str) -> Option<&Operation> {
        self.operations
            .values()
            .filter(|op| op.method.eq_ignore_ascii_case(method))
            .filter(|op| segments(&op.template, path).is_some())
            .min_by_key(|op| op.template.matches('{').count())
    }

    /// The documented methods of every path template.
    pub fn methods(&self) -> Vec<(String, Vec<String>)> {
        let mut by_path: Vec<(String, Vec<String>)> = Vec::new();
        for (template, item) in self.root["paths"].as_object().into_iter().flatten() {
            let methods = METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(|m| m.to_uppercase())
                .collect();
            by_path.push((template.clone(), methods));
        }
        by_path
    }

    /// The value at a JSON pointer of the draft-7 document (for example the schema a
    /// violation's `schema_path` names).
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        self.root.pointer(pointer)
    }

    /// Follows a local `$ref` (one level).
    pub fn resolve<'a>(&'a self, v: &'a Value) -> &'a Value {
        resolve(&self.root, v)
    }
}

/// The parameters of `path` under `template` (percent-decoded), or `None` if it does
/// not match.
pub fn segments<'t>(template: &'t str, path: &str) -> Option<Vec<(&'t str, String)>> {
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

/// `%XX` escapes decoded (invalid ones kept as they are).
pub fn percent_decode(s: &str) -> String {
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

/// A path, query or header string as the JSON value its schema describes; a string
/// that does not parse stays a string, and fails the schema's `type`.
pub fn scalar(kind: &str, raw: &str) -> Value {
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

/// A parameter object (or a `$ref` to one) as a [`Param`]; `None` for cookies.
fn param(
    spec: &Value,
    p: &Value,
    compile: &impl Fn(&Value) -> Result<Validator, SpecError>,
) -> Result<Option<Param>, SpecError> {
    let p = resolve(spec, p);
    let location = match p["in"].as_str() {
        Some("path") => Location::Path,
        Some("query") => Location::Query,
        Some("header") => Location::Header,
        _ => return Ok(None),
    };
    let Some(name) = p["name"].as_str() else {
        return Ok(None);
    };
    let schema = p.get("schema").cloned().unwrap_or_else(|| json!({}));
    Ok(Some(Param {
        name: name.to_owned(),
        location,
        required: p["required"].as_bool().unwrap_or(false),
        kind: resolve(spec, &schema)["type"]
            .as_str()
            .unwrap_or("string")
            .to_owned(),
        schema: compile(&schema)?,
    }))
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
pub fn to_json_schema(value: &mut Value) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_of_the_spec_is_compiled() {
        let s = Spec::embedded();
        assert!(s.operation("confirmShipment").unwrap().body.is_some());
        assert!(s.operation("getLease").unwrap().customer);
        assert_eq!(s.operations().count(), 39);
    }

    #[test]
    fn a_status_finds_its_exact_code_then_its_range() {
        let op = Spec::embedded().operation("createLease").unwrap();
        assert_eq!(op.response(200).unwrap().key, "200");
        assert_eq!(op.response(409).unwrap().key, "4XX");
        assert_eq!(op.response(503).unwrap().key, "5XX");
        assert!(op.response(302).is_none());
    }

    #[test]
    fn a_literal_segment_wins_over_a_parameter() {
        let s = Spec::embedded();
        assert_eq!(s.find("GET", "/v3/users/me").unwrap().id, "getCurrentUser");
        assert_eq!(
            s.find("GET", "/v3/users/u-1/authorize").unwrap().id,
            "createAuthorizationToken"
        );
        assert!(s.find("DELETE", "/v3/users/me").is_none());
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

    #[test]
    fn a_broken_spec_is_an_error_not_a_panic() {
        assert!(Spec::from_yaml("paths: [").is_err());
        assert!(Spec::from_yaml("openapi: 3.0.3").is_err());
    }
}
