//! `GET /docs`: an HTML API reference rendered from the compiled-in spec (every
//! operation by tag with its parameters, body and responses, then every schema), and
//! `GET /openapi.yaml`: the spec itself, for other generators and viewers. Both are
//! public (the spec is), outside `/v3`, and need no state.

use std::fmt::Write;
use std::sync::OnceLock;

use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use serde_json::{Map, Value};

use crate::html::escape;
use flexshopper_conformance::spec::EMBEDDED_SPEC as SPEC;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/docs", get(docs))
        .route("/openapi.yaml", get(openapi_yaml))
}

async fn docs() -> Html<&'static str> {
    Html(reference())
}

async fn openapi_yaml() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/yaml; charset=utf-8")],
        SPEC,
    )
}

/// The reference page, rendered once per process.
pub fn reference() -> &'static str {
    static PAGE: OnceLock<String> = OnceLock::new();
    PAGE.get_or_init(|| {
        let spec: Value =
            serde_norway::from_str(SPEC).expect("spec/flexshopper.yaml is valid YAML");
        render(&spec)
    })
}

/// Markdown-ish prose: paragraphs on blank lines, `* ` bullet lists, `code` spans;
/// everything escaped.
fn prose(text: &str) -> String {
    let mut out = String::new();
    for paragraph in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
        // A line starting with `* ` begins an item; other lines continue the current one.
        let mut blocks: Vec<(bool, String)> = Vec::new();
        for line in paragraph.trim().lines().map(str::trim) {
            match (line.strip_prefix("* "), blocks.last_mut()) {
                (Some(item), _) => blocks.push((true, item.to_string())),
                (None, Some((_, current))) => {
                    current.push(' ');
                    current.push_str(line);
                }
                (None, None) => blocks.push((false, line.to_string())),
            }
        }
        let mut in_list = false;
        for (is_item, text) in blocks {
            if is_item != in_list {
                out.push_str(if is_item { "<ul>" } else { "</ul>" });
                in_list = is_item;
            }
            let tag = if is_item { "li" } else { "p" };
            let _ = write!(out, "<{tag}>{}</{tag}>", inline(&text));
        }
        if in_list {
            out.push_str("</ul>");
        }
    }
    out
}

/// Escapes a line and turns `code` spans into `<code>`.
fn inline(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in escape(text).split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// `#/components/<kind>/<name>` → the referenced object of the spec.
fn resolve<'a>(spec: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => spec.pointer(r.trim_start_matches('#')).unwrap_or(v),
        None => v,
    }
}

/// A schema's type in a few words, with named schemas linked.
fn type_of(schema: &Value) -> String {
    if let Some(name) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        return format!("<a href=\"#schema-{0}\">{0}</a>", escape(name));
    }
    for keyword in ["oneOf", "anyOf", "allOf"] {
        if let Some(list) = schema.get(keyword).and_then(Value::as_array) {
            let sep = if keyword == "allOf" { " and " } else { " or " };
            return list.iter().map(type_of).collect::<Vec<_>>().join(sep);
        }
    }
    let mut out = match str_of(schema, "type") {
        "array" => format!(
            "array of {}",
            schema.get("items").map(type_of).unwrap_or_default()
        ),
        "" => "any".to_string(),
        t => escape(t),
    };
    if let Some(format) = schema.get("format").and_then(Value::as_str) {
        let _ = write!(out, " ({})", escape(format));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values.iter().map(|v| escape(&v.to_string())).collect();
        let _ = write!(out, ", one of {}", values.join(", "));
    }
    out
}

fn render(spec: &Value) -> String {
    let info = &spec["info"];
    let title = escape(str_of(info, "title"));
    let mut page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} reference</title>\n\
         <style>{STYLE}</style></head><body>\n<h1>{title} <small>{}</small></h1>\n\
         <p>Rendered from the spec this sandbox enforces: <a href=\"/openapi.yaml\">/openapi.yaml</a> \
         (OpenAPI {}).</p>\n{}",
        escape(str_of(info, "version")),
        escape(str_of(spec, "openapi")),
        prose(str_of(info, "description"))
    );
    let operations = operations(spec);
    let tags = tags(spec, &operations);
    page.push_str("<nav><h2>Operations</h2>");
    for (tag, _) in &tags {
        let _ = write!(page, "<h3>{}</h3><ul>", escape(tag));
        for (path, method, op) in operations.iter().filter(|(_, _, op)| first_tag(op) == *tag) {
            let _ = write!(
                page,
                "<li><a href=\"#{id}\"><span class=\"m\">{}</span> {}</a> {}</li>",
                method.to_uppercase(),
                escape(path),
                escape(str_of(op, "summary")),
                id = escape(str_of(op, "operationId")),
            );
        }
        page.push_str("</ul>");
    }
    page.push_str("</nav><main>");
    for (tag, description) in &tags {
        let _ = write!(page, "<h2>{}</h2>{}", escape(tag), prose(description));
        for (path, method, op) in operations.iter().filter(|(_, _, op)| first_tag(op) == *tag) {
            operation(&mut page, spec, path, method, op);
        }
    }
    page.push_str("<h2 id=\"schemas\">Schemas</h2>");
    if let Some(schemas) = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            schema_section(&mut page, name, schema);
        }
    }
    page.push_str("</main></body></html>\n");
    page
}

fn operations(spec: &Value) -> Vec<(&str, &str, &Value)> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push((path.as_str(), method, op));
            }
        }
    }
    out
}

fn first_tag(op: &Value) -> &str {
    op.pointer("/tags/0")
        .and_then(Value::as_str)
        .unwrap_or("other")
}

/// The spec's tags in order (with descriptions), then any tag only operations name.
fn tags<'a>(spec: &'a Value, operations: &[(&str, &str, &'a Value)]) -> Vec<(&'a str, &'a str)> {
    let mut out: Vec<(&str, &str)> = spec["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| (str_of(t, "name"), str_of(t, "description")))
        .collect();
    for (_, _, op) in operations {
        let tag = first_tag(op);
        if !out.iter().any(|(t, _)| *t == tag) {
            out.push((tag, ""));
        }
    }
    out
}

fn operation(page: &mut String, spec: &Value, path: &str, method: &str, op: &Value) {
    let id = escape(str_of(op, "operationId"));
    let deprecated = if op["deprecated"] == Value::Bool(true) {
        " <span class=\"dep\">deprecated</span>"
    } else {
        ""
    };
    let _ = write!(
        page,
        "<section class=\"op\" id=\"{id}\"><h3><span class=\"m\">{}</span> <code>{}</code>{deprecated}</h3>\
         <p><b>{}</b> <small>operationId <code>{id}</code></small></p>{}",
        method.to_uppercase(),
        escape(path),
        escape(str_of(op, "summary")),
        prose(str_of(op, "description")),
    );
    let path_params = spec["paths"][path]["parameters"]
        .as_array()
        .into_iter()
        .flatten();
    let params: Vec<&Value> = path_params
        .chain(op["parameters"].as_array().into_iter().flatten())
        .map(|p| resolve(spec, p))
        .collect();
    if !params.is_empty() {
        page.push_str("<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>description</th></tr>");
        for p in params {
            let required = if p["required"] == Value::Bool(true) {
                " <b>required</b>"
            } else {
                ""
            };
            let _ = write!(
                page,
                "<tr><td><code>{}</code>{required}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(str_of(p, "name")),
                escape(str_of(p, "in")),
                type_of(&p["schema"]),
                prose(str_of(p, "description")),
            );
        }
        page.push_str("</table>");
    }
    if let Some(body) = op.get("requestBody").map(|b| resolve(spec, b)) {
        page.push_str("<h4>Request body</h4><ul>");
        for (media, content) in body["content"].as_object().into_iter().flatten() {
            let _ = write!(
                page,
                "<li><code>{}</code>: {}</li>",
                escape(media),
                type_of(&content["schema"])
            );
        }
        page.push_str("</ul>");
    }
    page.push_str(
        "<h4>Responses</h4><table><tr><th>status</th><th>body</th><th>description</th></tr>",
    );
    for (status, response) in op["responses"].as_object().into_iter().flatten() {
        let response = resolve(spec, response);
        let body: Vec<String> = response["content"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(_, c)| type_of(&c["schema"]))
            .collect();
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(status),
            body.join(", "),
            prose(str_of(response, "description")),
        );
    }
    page.push_str("</table></section>");
}

fn schema_section(page: &mut String, name: &str, schema: &Value) {
    let _ = write!(
        page,
        "<section class=\"schema\" id=\"schema-{0}\"><h3>{0}</h3><p><i>{1}</i></p>{2}",
        escape(name),
        type_of(schema),
        prose(str_of(schema, "description"))
    );
    let empty = Map::new();
    let properties = schema["properties"].as_object().unwrap_or(&empty);
    if !properties.is_empty() {
        let required: Vec<&str> = schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        page.push_str("<table><tr><th>field</th><th>type</th><th>description</th></tr>");
        for (field, property) in properties {
            let mark = if required.contains(&field.as_str()) {
                " <b>required</b>"
            } else {
                ""
            };
            let _ = write!(
                page,
                "<tr><td><code>{}</code>{mark}</td><td>{}</td><td>{}</td></tr>",
                escape(field),
                type_of(property),
                prose(str_of(property, "description")),
            );
        }
        page.push_str("</table>");
    }
    page.push_str("</section>");
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:70rem;margin:auto;padding:1rem;line-height:1.4}\
    nav ul{columns:2;font-size:.9rem}code{background:#f3f3f3;padding:0 .2rem}table{border-collapse:collapse;width:100%}\
    td,th{border:1px solid #ddd;padding:.3rem;vertical-align:top;text-align:left}td p{margin:0}\
    .m{font-weight:bold;color:#05668d}.dep{color:#a00}.op,.schema{border-top:1px solid #ccc;margin-top:1.5rem}";

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    use super::*;

    async fn get_text(uri: &str) -> (StatusCode, String, String) {
        let response = routes::<()>()
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let content_type = response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_owned();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (
            status,
            content_type,
            String::from_utf8(bytes.to_vec()).unwrap(),
        )
    }

    #[tokio::test]
    async fn docs_list_every_operation_and_schema_of_the_spec() {
        let (status, content_type, html) = get_text("/docs").await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with("text/html"), "{content_type}");
        let spec: Value = serde_norway::from_str(SPEC).unwrap();
        let ops = operations(&spec);
        assert!(ops.len() > 30, "{} operations", ops.len());
        for (path, method, op) in ops {
            let id = str_of(op, "operationId");
            assert!(
                html.contains(&format!("<section class=\"op\" id=\"{id}\">")),
                "{id} has no section"
            );
            assert!(
                html.contains(&format!("<a href=\"#{id}\">")),
                "{id} is not in the index"
            );
            assert!(html.contains(&format!(
                "{}</span> <code>{}</code>",
                method.to_uppercase(),
                escape(path)
            )));
        }
        for name in spec["components"]["schemas"].as_object().unwrap().keys() {
            assert!(
                html.contains(&format!("id=\"schema-{name}\"")),
                "schema {name} missing"
            );
        }
        assert!(html.ends_with("</html>\n"));
    }

    #[tokio::test]
    async fn the_spec_is_served_as_is() {
        let (status, content_type, body) = get_text("/openapi.yaml").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "application/yaml; charset=utf-8");
        assert_eq!(body, SPEC);
    }

    #[test]
    fn prose_is_escaped_with_code_spans() {
        assert_eq!(
            prose("a <b> & `x-y`\n\nnext"),
            "<p>a &lt;b&gt; &amp; <code>x-y</code></p><p>next</p>"
        );
    }

    #[test]
    fn bullet_lists_become_lists() {
        assert_eq!(
            prose("Credentials:\n* the API key;\n  continued\n* a token."),
            "<p>Credentials:</p><ul><li>the API key; continued</li><li>a token.</li></ul>"
        );
    }

    #[test]
    fn types_link_named_schemas() {
        let array = serde_json::json!({"type": "array", "items": {"$ref": "#/components/schemas/LeaseItem"}});
        assert_eq!(
            type_of(&array),
            "array of <a href=\"#schema-LeaseItem\">LeaseItem</a>"
        );
        let money = serde_json::json!({"type": "string", "enum": ["weekly", "monthly"]});
        assert_eq!(
            type_of(&money),
            "string, one of &quot;weekly&quot;, &quot;monthly&quot;"
        );
    }
}
