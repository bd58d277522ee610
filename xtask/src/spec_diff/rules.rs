//! Rules on the document's structure (operations, parameters, bodies, responses,
//! security, servers, info), on openapiv3's types. Schemas found along the way are
//! handed to [`super::schema`] with the direction they travel in.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{
    MediaType, OpenAPI, Operation, Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody,
    Response, SecurityScheme,
};
use serde_json::Value;

use super::schema::{self, Direction};
use super::{Change, Class};

/// A JSONPath member selector: `.name` for plain names, `['…']` otherwise.
pub fn member(path: &str, key: &str) -> String {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!("{path}.{key}")
    } else {
        format!("{path}['{}']", key.replace('\'', "\\'"))
    }
}

fn op_path(path: &str, method: &str) -> String {
    member(&member("$.paths", path), method)
}

/// `/v3/leases/{leaseId}` and `/v3/leases/{id}` are the same endpoint.
fn normalized(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// Operations keyed by (normalized path, method), with their spelled path.
fn operations(doc: &OpenAPI) -> BTreeMap<(String, String), (&str, &Operation)> {
    doc.operations()
        .map(|(path, method, op)| ((normalized(path), method.to_string()), (path, op)))
        .collect()
}

/// Operations present on both sides, with the head's path for locating changes.
fn common_operations<'a>(
    base: &'a OpenAPI,
    head: &'a OpenAPI,
) -> Vec<(String, &'a Operation, &'a Operation)> {
    let base_ops = operations(base);
    operations(head)
        .into_iter()
        .filter_map(|(key, (path, head_op))| {
            base_ops
                .get(&key)
                .map(|(_, base_op)| (op_path(path, &key.1), *base_op, head_op))
        })
        .collect()
}

fn op_name(op: &Operation) -> &str {
    op.operation_id.as_deref().unwrap_or("(no operationId)")
}

/// A removed operation breaks every client that calls it; a new one is additive.
pub fn operations_added_or_removed(base: &OpenAPI, head: &OpenAPI) -> Vec<Change> {
    let base_ops = operations(base);
    let head_ops = operations(head);
    let mut out = Vec::new();
    for (key, (path, op)) in &base_ops {
        if !head_ops.contains_key(key) {
            out.push(Change::new(
                Class::Breaking,
                op_path(path, &key.1),
                format!("operation `{}` removed", op_name(op)),
            ));
        }
    }
    for (key, (path, op)) in &head_ops {
        if !base_ops.contains_key(key) {
            out.push(Change::new(
                Class::Additive,
                op_path(path, &key.1),
                format!("operation `{}` added", op_name(op)),
            ));
        }
    }
    out
}

/// Generated clients name their methods after the operationId: renaming one removes a
/// method.
pub fn operation_id_changed(base: &OpenAPI, head: &OpenAPI) -> Vec<Change> {
    common_operations(base, head)
        .into_iter()
        .filter(|(_, b, h)| b.operation_id != h.operation_id)
        .map(|(path, b, h)| {
            Change::new(
                Class::Breaking,
                member(&path, "operationId"),
                format!(
                    "operationId `{}` renamed to `{}` (generated clients lose the old method)",
                    op_name(b),
                    op_name(h)
                ),
            )
        })
        .collect()
}

/// Summary, description, tags, external docs and `x-` extensions (provenance) do not
/// change what goes over the wire.
pub fn operation_docs_changed(base: &OpenAPI, head: &OpenAPI) -> Vec<Change> {
    let mut out = Vec::new();
    for (path, b, h) in common_operations(base, head) {
        let fields: [(&str, bool); 5] = [
            ("summary", b.summary != h.summary),
            ("description", b.description != h.description),
            ("tags", b.tags != h.tags),
            ("externalDocs", b.external_docs != h.external_docs),
            ("extensions", b.extensions != h.extensions),
        ];
        for (field, changed) in fields {
            if changed {
                let what = if field == "extensions" {
                    "x- extensions (provenance)"
                } else {
                    field
                };
                out.push(Change::new(
                    Class::Docs,
                    path.clone(),
                    format!("`{}`: {what} changed", op_name(h)),
                ));
            }
        }
    }
    out
}

/// Deprecating an operation warns clients without breaking them.
pub fn operation_deprecated_changed(base: &OpenAPI, head: &OpenAPI) -> Vec<Change> {
    common_operations(base, head)
        .into_iter()
        .filter(|(_, b, h)| b.deprecated != h.deprecated)
        .map(|(path, _, h)| {
            let state = if h.deprecated {
                "now deprecated"
            } else {
                "no longer deprecated"
            };
            Change::new(
                Class::Docs,
                member(&path, "deprecated"),
                format!("`{}` {state}", op_name(h)),
            )
        })
        .collect()
}

/// The alternatives a client may authenticate with, each a set of scheme names.
fn effective_security(doc: &OpenAPI, op: &Operation) -> BTreeSet<BTreeSet<String>> {
    op.security
        .as_ref()
        .or(doc.security.as_ref())
        .map(|reqs| {
            reqs.iter()
                .map(|req| req.keys().cloned().collect())
                .collect()
        })
        .unwrap_or_default()
}

fn show_security(alternatives: &BTreeSet<BTreeSet<String>>) -> String {
    if alternatives.is_empty()
        || alternatives.iter().any(|a| a.is_empty()) && alternatives.len() == 1
    {
        return "none".into();
    }
    alternatives
        .iter()
        .map(|a| {
            if a.is_empty() {
                "none".to_string()
            } else {
                a.iter().cloned().collect::<Vec<_>>().join(" + ")
            }
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// A changed auth requirement breaks clients unless every old way to authenticate
/// still works (then the new alternatives are additive).
pub fn security_requirements_changed(base: &OpenAPI, head: &OpenAPI) -> Vec<Change> {
    let mut out = Vec::new();
    for (path, b, h) in common_operations(base, head) {
        let before = effective_security(base, b);
        let after = effective_security(head, h);
        if before == after {
            continue;
        }
        let still_accepted = before.is_subset(&after)
            || after.contains(&BTreeSet::new()) // anonymous access now allowed
            || before.is_empty() && after.is_empty();
        let class = if still_accepted {
            Class::Additive
        } else {
            Class::Breaking
        };
        out.push(Change::new(
            class,
            member(&path, "security"),
            format!(
                "`{}`: security {} -> {}",
                op_name(h),
                show_security(&before),
                show_security(&after)
            ),
        ));
    }
    out
}

fn schemes(doc: &OpenAPI) -> BTreeMap<&str, &SecurityScheme> {
    doc.components
        .iter()
        .flat_map(|c| c.security_schemes.iter())
        .filter_map(|(name, scheme)| scheme.as_item().map(|s| (name.as_str(), s)))
        .collect()
}

fn without_description(scheme: &SecurityScheme) -> Value {
    let mut value = serde_json::to_value(scheme).unwrap_or(Value::Null);
    if let Some(map) = value.as_object_mut() {
        map.retain(|k, _| k != "description" && !k.starts_with("x-"));
    }
    value
}

/// A scheme removed or sent differently (type, header name, location) breaks every
/// client using it; descriptions are docs.
pub fn security_schemes_changed(base: &OpenAPI, head: &OpenAPI) -> Vec<Change> {
    let (before, after) = (schemes(base), schemes(head));
    let mut out = Vec::new();
    let at = |name: &str| member("$.components.securitySchemes", name);
    for (name, b) in &before {
        match after.get(name) {
            None => out.push(Change::new(
                Class::Breaking,
                at(name),
                format!("security scheme `{name}` removed"),
            )),
            Some(h) if without_description(b) != without_description(h) => out.push(Change::new(
                Class::Breaking,
                at(name),
                format!("security scheme `{name}` changed how credentials are sent"),
            )),
            Some(h) if b != h => out.push(Change::new(
                Class::Docs,
                at(name),
                format!("security scheme `{name}`: description changed"),
            )),
            Some(_) => {}
        }
    }
    for name in after.keys().filter(|n| !before.contains_key(*n)) {
        out.push(Change::new(
            Class::Additive,
            at(name),
            format!("security scheme `{name}` added"),
        ));
    }
    out
}

/// Follows `#/components/<kind>/<name>` references (one level is all OpenAPI allows
/// for these objects in practice; a chain is followed up to 8 hops).
fn resolve<'a, T>(
    item: &'a ReferenceOr<T>,
    lookup: impl Fn(&str) -> Option<&'a ReferenceOr<T>>,
) -> Option<&'a T> {
    let mut current = item;
    for _ in 0..8 {
        match current {
            ReferenceOr::Item(item) => return Some(item),
            ReferenceOr::Reference { reference } => {
                current = lookup(reference.rsplit('/').next()?)?;
            }
        }
    }
    None
}

fn parameter<'a>(doc: &'a OpenAPI, p: &'a ReferenceOr<Parameter>) -> Option<&'a Parameter> {
    resolve(p, |name| doc.components.as_ref()?.parameters.get(name))
}

fn location(p: &Parameter) -> &'static str {
    match p {
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Path { .. } => "path",
        Parameter::Cookie { .. } => "cookie",
    }
}

/// Path-level and operation-level parameters (the operation's win), keyed by
/// location and name (header names case-insensitively; path parameters by position,
/// since renaming a path template variable changes nothing on the wire).
fn parameters<'a>(
    doc: &'a OpenAPI,
    path: &str,
    op: &'a Operation,
) -> BTreeMap<(String, String), &'a Parameter> {
    let path_level = doc
        .paths
        .paths
        .get(path)
        .and_then(|item| item.as_item())
        .map(|item| item.parameters.as_slice())
        .unwrap_or_default();
    let template: Vec<&str> = path
        .split('{')
        .skip(1)
        .filter_map(|s| s.split('}').next())
        .collect();
    let mut out = BTreeMap::new();
    for p in path_level.iter().chain(&op.parameters) {
        let Some(p) = parameter(doc, p) else { continue };
        let data = p.parameter_data_ref();
        let name = match p {
            Parameter::Header { .. } => data.name.to_ascii_lowercase(),
            Parameter::Path { .. } => template
                .iter()
                .position(|n| *n == data.name)
                .map_or_else(|| data.name.clone(), |i| format!("#{i}")),
            _ => data.name.clone(),
        };
        out.insert((location(p).to_string(), name), p);
    }
    out
}

fn spelled_path<'a>(doc: &'a OpenAPI, op: &Operation) -> Option<&'a str> {
    doc.operations()
        .find(|(_, _, o)| std::ptr::eq(*o, op))
        .map(|(path, _, _)| path)
}

fn param_schema(p: &Parameter) -> Option<Value> {
    match &p.parameter_data_ref().format {
        ParameterSchemaOrContent::Schema(s) => serde_json::to_value(s).ok(),
        ParameterSchemaOrContent::Content(c) => c
            .values()
            .next()
            .and_then(|m| m.schema.as_ref())
            .and_then(|s| serde_json::to_value(s).ok()),
    }
}

/// Removed parameters (generated clients lose the argument) and new required ones
/// break clients; new optional ones are additive; a parameter becoming required is
/// breaking, becoming optional additive; its schema is compared as request data.
pub fn parameters_changed(base: &OpenAPI, head: &OpenAPI) -> Vec<Change> {
    let (base_json, head_json) = (json(base), json(head));
    let mut out = Vec::new();
    for (path, b, h) in common_operations(base, head) {
        let (Some(bp), Some(hp)) = (spelled_path(base, b), spelled_path(head, h)) else {
            continue;
        };
        let before = parameters(base, bp, b);
        let after = parameters(head, hp, h);
        let name = op_name(h);
        for (key, p) in &before {
            let pname = &p.parameter_data_ref().name;
            let at = member(&member(&path, "parameters"), pname);
            let Some(q) = after.get(key) else {
                out.push(Change::new(
                    Class::Breaking,
                    at,
                    format!("`{name}`: {} parameter `{pname}` removed", key.0),
                ));
                continue;
            };
            let (pd, qd) = (p.parameter_data_ref(), q.parameter_data_ref());
            if pd.name != qd.name {
                out.push(Change::new(
                    Class::Breaking,
                    member(&member(&path, "parameters"), &qd.name),
                    format!(
                        "`{name}`: {} parameter `{pname}` renamed to `{}` (generated clients name the argument after it)",
                        key.0, qd.name
                    ),
                ));
            }
            if pd.required != qd.required {
                let (class, what) = if qd.required {
                    (Class::Breaking, "now required")
                } else {
                    (Class::Additive, "now optional")
                };
                out.push(Change::new(
                    class,
                    at.clone(),
                    format!("`{name}`: {} parameter `{pname}` {what}", key.0),
                ));
            }
            if pd.description != qd.description
                || pd.example != qd.example
                || pd.deprecated != qd.deprecated
            {
                out.push(Change::new(
                    Class::Docs,
                    at.clone(),
                    format!("`{name}`: {} parameter `{pname}`: description, example or deprecation changed", key.0),
                ));
            }
            if let (Some(bs), Some(hs)) = (param_schema(p), param_schema(q)) {
                out.extend(schema::compare(
                    &base_json,
                    &head_json,
                    &bs,
                    &hs,
                    &member(&at, "schema"),
                    Direction::Request,
                ));
            }
        }
        for (key, q) in after.iter().filter(|(k, _)| !before.contains_key(*k)) {
            let qname = &q.parameter_data_ref().name;
            let at = member(&member(&path, "parameters"), qname);
            let (class, what) = if q.parameter_data_ref().required {
                (Class::Breaking, "new required")
            } else {
                (Class::Additive, "new optional")
            };
            out.push(Change::new(
                class,
                at,
                format!("`{name}`: {what} {} parameter `{qname}`", key.0),
            ));
        }
    }
    out
}

fn request_body<'a>(doc: &'a OpenAPI, op: &'a Operation) -> Option<&'a RequestBody> {
    let body = op.request_body.as_ref()?;
    resolve(body, |name| {
        doc.components.as_ref()?.request_bodies.get(name)
    })
}

fn json(doc: &OpenAPI) -> Value {
    serde_json::to_value(doc).unwrap_or(Value::Null)
}

/// Compares the media types of a body or response: removed types break clients,
/// added ones are additive, the schemas of common ones are compared, examples are docs.
fn media_types(
    docs: (&Value, &Value),
    before: &indexmap::IndexMap<String, MediaType>,
    after: &indexmap::IndexMap<String, MediaType>,
    at: &str,
    direction: Direction,
    context: &str,
) -> Vec<Change> {
    let mut out = Vec::new();
    let content = member(at, "content");
    for (media, b) in before {
        let here = member(&content, media);
        let Some(h) = after.get(media) else {
            out.push(Change::new(
                Class::Breaking,
                here,
                format!("{context}: media type `{media}` removed"),
            ));
            continue;
        };
        if b.example != h.example || b.examples != h.examples {
            out.push(Change::new(
                Class::Docs,
                here.clone(),
                format!("{context}: examples changed"),
            ));
        }
        match (&b.schema, &h.schema) {
            (Some(bs), Some(hs)) => {
                let (bs, hs) = (
                    serde_json::to_value(bs).unwrap_or(Value::Null),
                    serde_json::to_value(hs).unwrap_or(Value::Null),
                );
                out.extend(schema::compare(
                    docs.0,
                    docs.1,
                    &bs,
                    &hs,
                    &member(&here, "schema"),
                    direction,
                ));
            }
            (None, None) => {}
            _ => out.push(Change::new(
                Class::Breaking,
                member(&here, "schema"),
                format!("{context}: schema added or removed"),
            )),
        }
    }
    for media in after.keys().filter(|m| !before.contains_key(*m)) {
        out.push(Change::new(
            Class::Additive,
            member(&content, media),
            format!("{context}: media type `{media}` added"),
        ));
    }
    out
}

/// A removed body, a new required body or a body becoming required breaks clients;
/// its schema is compared as request data.
pub fn request_body_changed(base: &OpenAPI, head: &OpenAPI) -> Vec<Change> {
    let docs = (json(base), json(head));
    let mut out = Vec::new();
    for (path, b, h) in common_operations(base, head) {
        let at = member(&path, "requestBody");
        let name = op_name(h);
        match (request_body(base, b), request_body(head, h)) {
            (None, None) => {}
            (Some(_), None) => out.push(Change::new(
                Class::Breaking,
                at,
                format!("`{name}`: request body removed"),
            )),
            (None, Some(body)) => out.push(Change::new(
                if body.required {
                    Class::Breaking
                } else {
                    Class::Additive
                },
                at,
                format!(
                    "`{name}`: new {} request body",
                    if body.required {
                        "required"
                    } else {
                        "optional"
                    }
                ),
            )),
            (Some(bb), Some(hb)) => {
                if bb.required != hb.required {
                    out.push(Change::new(
                        if hb.required {
                            Class::Breaking
                        } else {
                            Class::Additive
                        },
                        at.clone(),
                        format!(
                            "`{name}`: request body now {}",
                            if hb.required { "required" } else { "optional" }
                        ),
                    ));
                }
                if bb.description != hb.description {
                    out.push(Change::new(
                        Class::Docs,
                        at.clone(),
                        format!("`{name}`: request body description changed"),
                    ));
                }
                out.extend(media_types(
                    (&docs.0, &docs.1),
                    &bb.content,
                    &hb.content,
                    &at,
                    Direction::Request,
                    &format!("`{name}` request"),
                ));
            }
        }
    }
    out
}

fn response<'a>(doc: &'a OpenAPI, r: &'a ReferenceOr<Response>) -> Option<&'a Response> {
    resolve(r, |name| doc.components.as_ref()?.responses.get(name))
}

fn responses<'a>(doc: &'a OpenAPI, op: &'a Operation) -> BTreeMap<String, &'a Response> {
    let mut out: BTreeMap<String, &Response> = op
        .responses
        .responses
        .iter()
        .filter_map(|(status, r)| Some((status.to_string(), response(doc, r)?)))
        .collect();
    if let Some(r) = op.responses.default.as_ref().and_then(|r| response(doc, r)) {
        out.insert("default".into(), r);
    }
    out
}

/// A removed status code or media type breaks clients that handle it; a new one is
/// additive; bodies are compared as response data (a removed field, a field no longer
/// required, a type or value set widened: breaking); headers by value.
pub fn responses_changed(base: &OpenAPI, head: &OpenAPI) -> Vec<Change> {
    let docs = (json(base), json(head));
    let mut out = Vec::new();
    for (path, b, h) in common_operations(base, head) {
        let (before, after) = (responses(base, b), responses(head, h));
        let name = op_name(h);
        let all = member(&path, "responses");
        for (status, br) in &before {
            let at = member(&all, status);
            let Some(hr) = after.get(status) else {
                out.push(Change::new(
                    Class::Breaking,
                    at,
                    format!("`{name}`: response {status} removed"),
                ));
                continue;
            };
            if br.description != hr.description {
                out.push(Change::new(
                    Class::Docs,
                    at.clone(),
                    format!("`{name}`: response {status} description changed"),
                ));
            }
            if br.headers != hr.headers {
                out.push(Change::new(
                    Class::Breaking,
                    member(&at, "headers"),
                    format!("`{name}`: response {status} headers changed (no finer rule; review by hand)"),
                ));
            }
            out.extend(media_types(
                (&docs.0, &docs.1),
                &br.content,
                &hr.content,
                &at,
                Direction::Response,
                &format!("`{name}` response {status}"),
            ));
        }
        for status in after.keys().filter(|s| !before.contains_key(*s)) {
            out.push(Change::new(
                Class::Additive,
                member(&all, status),
                format!("`{name}`: response {status} added"),
            ));
        }
    }
    out
}

/// Generated clients turn each named schema into a type: removing one removes the
/// type; a new one is additive. (Changes inside a schema are found where operations
/// use it.)
pub fn component_schemas_added_or_removed(base: &OpenAPI, head: &OpenAPI) -> Vec<Change> {
    let names = |doc: &OpenAPI| -> BTreeSet<String> {
        doc.components
            .iter()
            .flat_map(|c| c.schemas.keys().cloned())
            .collect()
    };
    let (before, after) = (names(base), names(head));
    let at = |name: &str| member("$.components.schemas", name);
    before
        .difference(&after)
        .map(|n| {
            Change::new(
                Class::Breaking,
                at(n),
                format!("schema `{n}` removed (generated clients lose the type)"),
            )
        })
        .chain(
            after
                .difference(&before)
                .map(|n| Change::new(Class::Additive, at(n), format!("schema `{n}` added"))),
        )
        .collect()
}

/// A server URL removed breaks clients configured with it; one added is additive;
/// descriptions and variable defaults are docs.
pub fn servers_changed(base: &OpenAPI, head: &OpenAPI) -> Vec<Change> {
    let mut out = Vec::new();
    for (i, b) in base.servers.iter().enumerate() {
        match head.servers.iter().find(|h| h.url == b.url) {
            None => out.push(Change::new(
                Class::Breaking,
                format!("$.servers[{i}]"),
                format!("server `{}` removed", b.url),
            )),
            Some(h) if h != b => out.push(Change::new(
                Class::Docs,
                format!("$.servers[{i}]"),
                format!("server `{}`: description or variables changed", b.url),
            )),
            Some(_) => {}
        }
    }
    for (i, h) in head.servers.iter().enumerate() {
        if !base.servers.iter().any(|b| b.url == h.url) {
            out.push(Change::new(
                Class::Additive,
                format!("$.servers[{i}]"),
                format!("server `{}` added", h.url),
            ));
        }
    }
    out
}

/// The info object (title, description, version, contact, license) and the tag list
/// only describe the API.
pub fn info_changed(base: &OpenAPI, head: &OpenAPI) -> Vec<Change> {
    let (b, h) = (&base.info, &head.info);
    let fields: [(&str, bool); 7] = [
        ("title", b.title != h.title),
        ("description", b.description != h.description),
        ("version", b.version != h.version),
        ("contact", b.contact != h.contact),
        ("license", b.license != h.license),
        ("termsOfService", b.terms_of_service != h.terms_of_service),
        ("extensions", b.extensions != h.extensions),
    ];
    let mut out: Vec<Change> = fields
        .into_iter()
        .filter(|(_, changed)| *changed)
        .map(|(field, _)| {
            Change::new(
                Class::Docs,
                member("$.info", field),
                format!("info {field} changed"),
            )
        })
        .collect();
    if base.tags != head.tags {
        out.push(Change::new(Class::Docs, "$.tags", "tag list changed"));
    }
    out
}
