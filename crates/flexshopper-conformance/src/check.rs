//! Holding one request or one response to the spec.

use jsonschema::paths::LocationSegment;
use jsonschema::{Validator, error::ValidationErrorKind};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::redact::Redactor;
use crate::spec::{Location, Operation, ResponseSpec, Spec, scalar, segments};

/// Why a request value fails its schema: the field (`items[0].quantity`), the JSON
/// Schema keyword and a reason that never repeats the value (it may be a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Dotted field path, or the root name (`body`) for the whole value.
    pub field: String,
    /// `required`, `minItems` or `schema`.
    pub keyword: &'static str,
    /// Why, without the value.
    pub reason: String,
}

/// What is wrong with a request's parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamProblem {
    /// A required parameter is absent (its name).
    Missing(String),
    /// A parameter fails its schema.
    Invalid(Refusal),
}

/// Checks the path, query and header parameters of a request of `op`, in the spec's
/// order; `query` and `header` look a value up by name.
pub fn check_params(
    op: &Operation,
    path: &str,
    query: impl Fn(&str) -> Option<String>,
    header: impl Fn(&str) -> Option<String>,
) -> Result<(), ParamProblem> {
    let path_values = segments(&op.template, path).unwrap_or_default();
    for p in &op.params {
        let raw = match p.location {
            Location::Path => path_values
                .iter()
                .find(|(name, _)| *name == p.name)
                .map(|(_, v)| v.clone()),
            Location::Query => query(&p.name),
            Location::Header => header(&p.name),
        };
        match raw {
            None if p.required => return Err(ParamProblem::Missing(p.name.clone())),
            None => {}
            Some(raw) => refusal(&p.schema, &scalar(&p.kind, &raw), &p.name)
                .map_err(ParamProblem::Invalid)?,
        }
    }
    Ok(())
}

/// The first way `value` fails `schema`, if any; `root` names the whole value.
pub fn refusal(schema: &Validator, value: &Value, root: &str) -> Result<(), Refusal> {
    // Nearly every value is valid: `is_valid` gives the same verdict without building
    // error locations, so errors are collected only for a value that fails.
    if schema.is_valid(value) {
        return Ok(());
    }
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
    let keyword = match error.kind() {
        ValidationErrorKind::Required { .. } => "required",
        ValidationErrorKind::MinItems { .. } => "minItems",
        _ => "schema",
    };
    Err(Refusal {
        field,
        keyword,
        reason,
    })
}

/// One way a response differs from the spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// Where: a JSON pointer into the body (`/data/cashPrice`), `status`, or
    /// `header:NAME`.
    pub path: String,
    /// The JSON Schema keyword that failed (`type`, `required`, …) or `status`,
    /// `content-type`, `json`.
    pub keyword: String,
    /// What the spec says there, without the observed value.
    pub message: String,
    /// The schema that failed (the spec's, draft 7), or what the spec documents.
    pub expected: Value,
    /// What the server sent there (secrets redacted); absent when it sent nothing.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub observed: Option<Value>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let observed = match &self.observed {
            Some(v) => excerpt(v),
            None => "nothing".to_owned(),
        };
        write!(
            f,
            "{}: {} (expected {}, observed {})",
            if self.path.is_empty() {
                "/"
            } else {
                &self.path
            },
            self.message,
            excerpt(&self.expected),
            observed
        )
    }
}

fn excerpt(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(160) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

/// What the spec makes of one response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResponseCheck {
    /// Every way it differs from the spec.
    pub violations: Vec<Violation>,
    /// JSON pointers (array indices as `*`) of fields the spec does not describe.
    pub undescribed: Vec<String>,
}

/// Holds a response of `op` to the spec: its status is documented, its documented
/// headers are present and valid, a JSON body comes as `application/json` and
/// satisfies the documented schema. Observed values go through `redactor`.
pub fn check_response(
    spec: &Spec,
    op: &Operation,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    redactor: &Redactor,
) -> ResponseCheck {
    let mut check = ResponseCheck::default();
    let Some(response) = op.response(status) else {
        let documented: Vec<&str> = op.responses.iter().map(|r| r.key.as_str()).collect();
        check.violations.push(Violation {
            path: "status".into(),
            keyword: "status".into(),
            message: "the status is not documented for this operation".into(),
            expected: json!(documented),
            observed: Some(json!(status)),
        });
        return check;
    };
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    for (name, required, schema) in &response.headers {
        match header(name) {
            None if *required => check.violations.push(Violation {
                path: format!("header:{name}"),
                keyword: "required".into(),
                message: "a documented required header is missing".into(),
                expected: json!({ "required": true }),
                observed: None,
            }),
            None => {}
            Some(raw) => {
                if let Some(error) = schema.iter_errors(&Value::String(raw.clone())).next() {
                    check.violations.push(Violation {
                        path: format!("header:{name}"),
                        keyword: error.kind().keyword().to_owned(),
                        message: error.masked().to_string(),
                        expected: json!("the header's schema"),
                        observed: Some(redactor.header(name, &raw)),
                    });
                }
            }
        }
    }
    let Some(validator) = &response.body else {
        return check;
    };
    let content_type = header("content-type").unwrap_or_default();
    if !content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
    {
        check.violations.push(Violation {
            path: "header:content-type".into(),
            keyword: "content-type".into(),
            message: "the spec documents a JSON body".into(),
            expected: json!("application/json"),
            observed: Some(json!(content_type)),
        });
    }
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            check.violations.push(Violation {
                path: String::new(),
                keyword: "json".into(),
                message: format!("the body is not JSON ({e})"),
                expected: json!("a JSON document"),
                observed: Some(json!(format!("{} bytes", body.len()))),
            });
            return check;
        }
    };
    let redacted = redactor.value(&value);
    for error in validator.iter_errors(&value) {
        let mut path = error.instance_path().as_str().to_owned();
        let observed = match error.kind() {
            ValidationErrorKind::Required { property } => {
                path.push('/');
                path.push_str(property.as_str().unwrap_or_default());
                None
            }
            _ => Some(redacted.pointer(&path).cloned().unwrap_or(Value::Null)),
        };
        check.violations.push(Violation {
            expected: failed_schema(spec, response, error.schema_path().as_str()),
            path,
            keyword: error.kind().keyword().to_owned(),
            message: error.masked().to_string(),
            observed,
        });
    }
    if let Some(schema) = &response.body_schema {
        let mut found = Vec::new();
        undescribed(spec, schema, &value, "", &mut found);
        found.sort();
        found.dedup();
        check.undescribed = found;
    }
    check
}

/// The schema holding the keyword at `schema_path` (relative to the compiled root
/// `{"allOf": [body schema], "components": …}`).
fn failed_schema(spec: &Spec, response: &ResponseSpec, schema_path: &str) -> Value {
    let parent = schema_path
        .rsplit_once('/')
        .map_or("", |(parent, _)| parent);
    let found = if let Some(rest) = parent.strip_prefix("/allOf/0") {
        response.body_schema.as_ref().and_then(|s| s.pointer(rest))
    } else {
        spec.pointer(parent)
    };
    found.cloned().unwrap_or_else(|| json!(schema_path))
}

/// Collects the JSON pointers of `value` that `schema` does not describe (an object's
/// property named by no `properties` of the schema or its `allOf`/`anyOf`/`oneOf`
/// branches, where `additionalProperties` is not given).
pub fn undescribed(spec: &Spec, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    let branches = flatten(spec, schema);
    match value {
        Value::Object(map) => {
            let mut properties: Map<String, Value> = Map::new();
            let mut additional: Option<&Value> = None;
            let mut is_object = false;
            for b in &branches {
                if let Some(props) = b.get("properties").and_then(Value::as_object) {
                    is_object = true;
                    for (k, v) in props {
                        properties.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
                if let Some(a) = b.get("additionalProperties") {
                    additional = Some(a);
                }
                is_object |= b.get("type") == Some(&json!("object"));
            }
            if !is_object {
                return;
            }
            for (key, child) in map {
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (properties.get(key), additional) {
                    (Some(s), _) => undescribed(spec, s, child, &here, out),
                    (None, Some(Value::Object(s))) => {
                        undescribed(spec, &Value::Object(s.clone()), child, &here, out);
                    }
                    (None, Some(Value::Bool(true))) => {}
                    (None, _) => out.push(here),
                }
            }
        }
        Value::Array(items) => {
            if let Some(s) = branches.iter().find_map(|b| b.get("items")) {
                let s = s.clone();
                for item in items {
                    undescribed(spec, &s, item, &format!("{at}/*"), out);
                }
            }
        }
        _ => {}
    }
}

/// A schema and, recursively, its `$ref` target and `allOf`/`anyOf`/`oneOf` branches.
fn flatten<'a>(spec: &'a Spec, schema: &'a Value) -> Vec<&'a Value> {
    let mut out = Vec::new();
    let mut stack = vec![schema];
    while let Some(s) = stack.pop() {
        if out.len() > 64 {
            break;
        }
        let s = spec.resolve(s);
        out.push(s);
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(list) = s.get(key).and_then(Value::as_array) {
                stack.extend(list.iter());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_headers() -> Vec<(String, String)> {
        vec![("content-type".into(), "application/json".into())]
    }

    #[test]
    fn a_conforming_body_has_no_violations() {
        let spec = Spec::embedded();
        let op = spec.operation("getLeaseSettings").unwrap();
        let body = serde_json::to_vec(&json!({"data": {"minimumOrderValue": 49.95}})).unwrap();
        let c = check_response(spec, op, 200, &json_headers(), &body, &Redactor::default());
        assert_eq!(c.violations, vec![], "{c:?}");
    }

    #[test]
    fn a_wrong_type_names_its_path_schema_and_value() {
        let spec = Spec::embedded();
        let op = spec.operation("getLeaseSettings").unwrap();
        let body = br#"{"data": {"minimumOrderValue": "cheap"}}"#;
        let c = check_response(spec, op, 200, &json_headers(), body, &Redactor::default());
        let v = &c.violations[0];
        assert_eq!(v.path, "/data/minimumOrderValue");
        assert_eq!(v.keyword, "type");
        assert_eq!(v.observed, Some(json!("cheap")));
        assert_eq!(v.expected["type"], json!("number"), "{v:?}");
    }

    #[test]
    fn a_missing_required_field_is_named_with_nothing_observed() {
        let spec = Spec::embedded();
        let op = spec.operation("getLeaseSettings").unwrap();
        let c = check_response(spec, op, 200, &json_headers(), b"{}", &Redactor::default());
        assert_eq!(c.violations[0].path, "/data");
        assert_eq!(c.violations[0].keyword, "required");
        assert_eq!(c.violations[0].observed, None);
    }

    #[test]
    fn an_undocumented_status_and_a_non_json_body_are_violations() {
        let spec = Spec::embedded();
        let op = spec.operation("getLeaseSettings").unwrap();
        let c = check_response(spec, op, 302, &[], b"", &Redactor::default());
        assert_eq!(c.violations[0].path, "status");
        let c = check_response(spec, op, 200, &[], b"<html>", &Redactor::default());
        let keywords: Vec<&str> = c.violations.iter().map(|v| v.keyword.as_str()).collect();
        assert_eq!(keywords, ["content-type", "json"]);
    }

    #[test]
    fn fields_the_spec_does_not_describe_are_listed() {
        let spec = Spec::embedded();
        let op = spec.operation("getLeaseSettings").unwrap();
        let body = br#"{"data": {"minimumOrderValue": 49.95, "surprise": 1}, "meta": {}}"#;
        let c = check_response(spec, op, 200, &json_headers(), body, &Redactor::default());
        assert_eq!(c.undescribed, ["/data/surprise", "/meta"]);
    }
}
