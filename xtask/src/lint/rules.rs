//! The lint rules. Each takes the whole document and returns its findings; the
//! comment on each says which consumer breaks when the rule is violated.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{
    Finding, Operation, component_schema_name, is_success, json_schema_of, media_types, operations,
    ref_of, resolve,
};

/// progenitor 0.15 (through openapiv3 2.x) only reads OpenAPI 3.0.x.
pub fn openapi_version(doc: &Value) -> Vec<Finding> {
    match doc.get("openapi").and_then(Value::as_str) {
        Some(version) if version.starts_with("3.0.") => Vec::new(),
        Some(version) => vec![Finding::new(
            "openapi",
            format!("version {version} is not 3.0.x; progenitor 0.15 reads only 3.0"),
        )],
        None => vec![Finding::new("openapi", "missing the `openapi` version")],
    }
}

/// operationIds become method names; a duplicate is a progenitor error.
pub fn unique_operation_ids(doc: &Value) -> Vec<Finding> {
    let mut first_seen: BTreeMap<&str, String> = BTreeMap::new();
    let mut findings = Vec::new();
    for op in operations(doc) {
        let Some(id) = op.op.get("operationId").and_then(Value::as_str) else {
            continue;
        };
        if let Some(first) = first_seen.get(id) {
            findings.push(Finding::new(
                op.location(),
                format!("operationId `{id}` is already used by {first}"),
            ));
        } else {
            first_seen.insert(id, op.location());
        }
    }
    findings
}

/// The id names the method, the single tag groups the CLI and the docs, and the
/// summary/description become the generated doc comments.
pub fn operation_metadata(doc: &Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    for op in operations(doc) {
        for field in ["operationId", "summary", "description"] {
            if !has_text(op.op, field) {
                findings.push(Finding::new(op.location(), format!("missing {field}")));
            }
        }
        let tags = op
            .op
            .get("tags")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if tags != 1 {
            findings.push(Finding::new(
                op.location(),
                format!("has {tags} tags; exactly one is required"),
            ));
        }
    }
    findings
}

fn has_text(value: &Value, field: &str) -> bool {
    value
        .get(field)
        .and_then(Value::as_str)
        .is_some_and(|text| !text.trim().is_empty())
}

/// progenitor counts `default` as both success and error and panics next to a
/// typed 2xx; `4XX`/`5XX` say the same thing safely.
pub fn no_default_response(doc: &Value) -> Vec<Finding> {
    operations(doc)
        .into_iter()
        .filter(|op| op.responses().any(|(code, _)| code == "default"))
        .map(|op| {
            Finding::new(
                format!("{}.responses.default", op.location()),
                "`default` response; use 4XX and 5XX",
            )
        })
        .collect()
}

/// progenitor supports one success type per operation, and a named component keeps
/// the generated type name independent of the operationId.
pub fn one_json_success(doc: &Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    for op in operations(doc) {
        let successes: Vec<_> = op
            .responses()
            .filter(|(code, _)| is_success(code))
            .collect();
        match successes.as_slice() {
            [(code, response)] => {
                if !is_component_ref(json_schema_of(doc, response)) {
                    findings.push(Finding::new(
                        format!("{}.responses.{code}", op.location()),
                        "the success response needs an application/json body whose schema is \
                         a $ref to #/components/schemas/…",
                    ));
                }
            }
            other => findings.push(Finding::new(
                format!("{}.responses", op.location()),
                format!("has {} 2xx responses; exactly one is required", other.len()),
            )),
        }
    }
    findings
}

fn is_component_ref(schema: Option<&Value>) -> bool {
    schema.and_then(component_schema_name).is_some()
}

const ERROR_SCHEMA: &str = "#/components/schemas/ErrorResponse";

/// progenitor types every error with one schema, so all error responses must share
/// ErrorResponse; `4XX`/`5XX` make sure undocumented codes are still typed.
pub fn error_responses(doc: &Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    for op in operations(doc) {
        for range in ["4XX", "5XX"] {
            if !op.responses().any(|(code, _)| code == range) {
                findings.push(Finding::new(
                    format!("{}.responses", op.location()),
                    format!("missing the {range} response"),
                ));
            }
        }
        for (code, response) in op.responses() {
            let is_error = code.starts_with('4') || code.starts_with('5');
            if is_error && json_schema_of(doc, response).and_then(ref_of) != Some(ERROR_SCHEMA) {
                findings.push(Finding::new(
                    format!("{}.responses.{code}", op.location()),
                    format!("error responses need an application/json body that is a $ref to {ERROR_SCHEMA}"),
                ));
            }
        }
    }
    findings
}

/// progenitor panics on two request media types and types only JSON bodies the
/// way the rest of the workspace expects; named bodies keep type names stable.
pub fn request_body(doc: &Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    for op in operations(doc) {
        let Some(body) = op.op.get("requestBody") else {
            continue;
        };
        let location = format!("{}.requestBody", op.location());
        let media: Vec<_> = media_types(doc, body).collect();
        match media.as_slice() {
            [("application/json", json)] => {
                if !is_component_ref(json.get("schema")) {
                    findings.push(Finding::new(
                        location,
                        "the request schema must be a $ref to #/components/schemas/…",
                    ));
                }
            }
            [(other, _)] => findings.push(Finding::new(
                location,
                format!("request media type {other}; only application/json is allowed"),
            )),
            many => findings.push(Finding::new(
                location,
                format!(
                    "has {} request media types; exactly one is allowed",
                    many.len()
                ),
            )),
        }
    }
    findings
}

/// Examples are what other-language teams read first, and the test suite
/// round-trips each one through the generated types.
pub fn examples(doc: &Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    for op in operations(doc) {
        if let Some(body) = op.op.get("requestBody") {
            let location = format!("{}.requestBody", op.location());
            findings.extend(missing_examples(doc, body, &location));
        }
        for (code, response) in op.responses().filter(|(code, _)| is_success(code)) {
            let location = format!("{}.responses.{code}", op.location());
            findings.extend(missing_examples(doc, response, &location));
        }
    }
    findings
}

fn missing_examples(doc: &Value, body: &Value, location: &str) -> Vec<Finding> {
    media_types(doc, body)
        .filter(|(_, media)| media.get("example").is_none() && media.get("examples").is_none())
        .map(|(name, _)| {
            Finding::new(
                format!("{location}.content.{name}"),
                "no example on the media type",
            )
        })
        .collect()
}

/// `additionalProperties: false` becomes `deny_unknown_fields`: a server adding a
/// field would then break every deployed client.
pub fn open_response_schemas(doc: &Value) -> Vec<Finding> {
    let mut pending: Vec<(String, &Value)> = Vec::new();
    for op in operations(doc) {
        for (code, response) in op.responses() {
            for (name, media) in media_types(doc, response) {
                if let Some(schema) = media.get("schema") {
                    let location =
                        format!("{}.responses.{code}.content.{name}.schema", op.location());
                    pending.push((location, schema));
                }
            }
        }
    }
    let mut findings = Vec::new();
    let mut visited: BTreeSet<&str> = BTreeSet::new();
    while let Some((location, schema)) = pending.pop() {
        if let Some(name) = component_schema_name(schema) {
            let target = doc.pointer(&format!("/components/schemas/{name}"));
            if let Some(target) = target.filter(|_| visited.insert(name)) {
                pending.push((format!("components.schemas.{name}"), target));
            }
            continue;
        }
        if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
            findings.push(Finding::new(
                location.clone(),
                "`additionalProperties: false` in a schema reachable from a response",
            ));
        }
        pending.extend(subschemas(schema, &location));
    }
    findings.sort_by(|a, b| a.path.cmp(&b.path));
    findings
}

/// The schemas nested in `schema`, with their dotted locations.
fn subschemas<'a>(schema: &'a Value, location: &str) -> Vec<(String, &'a Value)> {
    let mut children = Vec::new();
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, child) in properties {
            children.push((format!("{location}.properties.{name}"), child));
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = schema.get(key).filter(|c| c.is_object()) {
            children.push((format!("{location}.{key}"), child));
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for (i, child) in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            children.push((format!("{location}.{key}.{i}"), child));
        }
    }
    children
}

/// FlexShopper mixes dollars and cents; a money field that does not say which is a
/// bug waiting to happen in every client.
pub fn money_units(doc: &Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    visit_property_maps(doc, String::new(), &mut |location, properties| {
        let paging = is_paging_object(properties);
        for (name, property) in properties {
            if is_money_name(name, paging)
                && is_numeric(doc, property)
                && !names_unit(doc, property)
            {
                findings.push(Finding::new(
                    format!("{location}.properties.{name}"),
                    "money field without a unit: $ref #/components/schemas/Dollars or Cents, \
                     or say \"dollars\" or \"cents\" in its description",
                ));
            }
        }
    });
    findings
}

/// Calls `visit` with every `properties` map in the document, wherever a schema
/// sits (components, inline bodies, parameters). Examples are data, not schemas,
/// and extensions are opaque, so neither is entered.
fn visit_property_maps<'a>(
    value: &'a Value,
    location: String,
    visit: &mut dyn FnMut(&str, &'a serde_json::Map<String, Value>),
) {
    match value {
        Value::Object(map) => {
            if let Some(properties) = map.get("properties").and_then(Value::as_object) {
                visit(&location, properties);
            }
            for (key, child) in map {
                if key == "example" || key == "examples" || key.starts_with("x-") {
                    continue;
                }
                visit_property_maps(child, join(&location, key), visit);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                visit_property_maps(child, join(&location, &i.to_string()), visit);
            }
        }
        _ => {}
    }
}

fn join(location: &str, key: &str) -> String {
    if location.is_empty() {
        key.to_owned()
    } else {
        format!("{location}.{key}")
    }
}

const MONEY_WORDS: &[&str] = &[
    "cost",
    "price",
    "amount",
    "total",
    "limit",
    "balance",
    "spending",
    "payment",
    "income",
    "credit",
    "pastdue",
    "payoff",
    "ownership",
    "tax",
    "discount",
    "fee",
];

/// Trailing words that make a money-sounding name a count, an identifier or a
/// ratio instead (`paymentMethodId`, `totalPages`, `taxRate`).
const NOT_MONEY_LAST_WORDS: &[&str] = &[
    "id",
    "ids",
    "count",
    "number",
    "pages",
    "page",
    "percent",
    "percentage",
    "rate",
    "days",
    "weeks",
    "months",
];

/// Leading words that make the name a count (`numberOfPayments`).
const NOT_MONEY_FIRST_WORDS: &[&str] = &["number", "num", "count"];

pub(super) fn is_money_name(name: &str, in_paging_object: bool) -> bool {
    let lower = name.to_ascii_lowercase();
    if !MONEY_WORDS.iter().any(|word| lower.contains(word)) {
        return false;
    }
    // Paging metadata (`{page, limit, totalPages, count}`) is about rows, not money.
    if in_paging_object && (lower == "limit" || lower == "total") {
        return false;
    }
    let words = words(name);
    let first = words.first().map(String::as_str).unwrap_or_default();
    let last = words.last().map(String::as_str).unwrap_or_default();
    !NOT_MONEY_FIRST_WORDS.contains(&first) && !NOT_MONEY_LAST_WORDS.contains(&last)
}

/// Splits camelCase, snake_case and kebab-case names into lowercase words.
pub(super) fn words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    for ch in name.chars() {
        let boundary = ch == '_' || ch == '-';
        if (boundary || ch.is_ascii_uppercase()) && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        if !boundary {
            current.push(ch.to_ascii_lowercase());
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn is_paging_object(properties: &serde_json::Map<String, Value>) -> bool {
    ["page", "totalPages", "offset", "pageSize", "perPage"]
        .iter()
        .any(|key| properties.contains_key(*key))
}

/// Whether the property (or what it refers to, or any `allOf` part) is a number.
fn is_numeric(doc: &Value, property: &Value) -> bool {
    let resolved = resolve(doc, property);
    let typed = [property, resolved].iter().any(|schema| {
        matches!(
            schema.get("type").and_then(Value::as_str),
            Some("number" | "integer")
        )
    });
    typed || composed_parts(property).any(|part| part != property && is_numeric(doc, part))
}

/// A unit is named by referring to Dollars/Cents (directly or through allOf/oneOf/
/// anyOf) or by saying "dollar(s)"/"cent(s)" as a word in the description; "percent"
/// does not count.
fn names_unit(doc: &Value, property: &Value) -> bool {
    let unit_ref =
        |schema: &Value| matches!(component_schema_name(schema), Some("Dollars" | "Cents"));
    let described = [property, resolve(doc, property)]
        .iter()
        .filter_map(|schema| schema.get("description").and_then(Value::as_str))
        .any(mentions_unit);
    described || unit_ref(property) || composed_parts(property).any(unit_ref)
}

fn composed_parts(schema: &Value) -> impl Iterator<Item = &Value> {
    ["allOf", "oneOf", "anyOf"]
        .into_iter()
        .filter_map(|key| schema.get(key).and_then(Value::as_array))
        .flatten()
}

pub(super) fn mentions_unit(description: &str) -> bool {
    description
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|word| {
            matches!(
                word.to_ascii_lowercase().as_str(),
                "dollar" | "dollars" | "cent" | "cents"
            )
        })
}

/// progenitor ignores security, so the spec is the only place a reader learns that
/// an operation needs the API key or the customer token.
pub fn security(doc: &Value) -> Vec<Finding> {
    let global = doc
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|requirements| !requirements.is_empty());
    if global {
        return Vec::new();
    }
    operations(doc)
        .into_iter()
        .filter(|op| op.op.get("security").is_none())
        .map(|op| {
            Finding::new(
                op.location(),
                "no security requirement and no global security",
            )
        })
        .collect()
}

/// An undeclared `{param}` produces a client that cannot build the URL.
pub fn path_parameters(doc: &Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    for op in operations(doc) {
        let templated = templated_names(op.path);
        let declared = declared_path_parameters(doc, &op);
        for name in templated.difference(&declared) {
            findings.push(Finding::new(
                op.location(),
                format!("path parameter `{name}` is not declared"),
            ));
        }
        for name in declared.difference(&templated) {
            findings.push(Finding::new(
                op.location(),
                format!("declares path parameter `{name}` that the path does not contain"),
            ));
        }
    }
    findings
}

fn templated_names(path: &str) -> BTreeSet<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
        .collect()
}

fn declared_path_parameters(doc: &Value, op: &Operation<'_>) -> BTreeSet<String> {
    [op.item, op.op]
        .into_iter()
        .filter_map(|owner| owner.get("parameters").and_then(Value::as_array))
        .flatten()
        .map(|parameter| resolve(doc, parameter))
        .filter(|parameter| parameter.get("in").and_then(Value::as_str) == Some("path"))
        .filter_map(|parameter| parameter.get("name").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}
