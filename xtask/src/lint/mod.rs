//! `cargo xtask lint-spec`: house rules for `spec/flexshopper.yaml`.
//!
//! openapi-spec-validator proves the document is valid OpenAPI; these rules prove it
//! stays inside progenitor's subset (shared/reference/progenitor-0.15.md §3) and is
//! described well enough for every other generator (DESIGN.md "The spec"). The
//! document is read as plain JSON so nothing the typed parsers drop can hide.

mod provenance;
mod rules;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use serde_json::Value;

use crate::spec::SpecFile;

/// One problem, located by a dotted path into the document
/// (`paths./v3/leases.post.responses.200: …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub path: String,
    pub message: String,
}

impl Finding {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

type Rule = fn(&Value) -> Vec<Finding>;

/// Every rule with the name printed next to its findings.
const RULES: &[(&str, Rule)] = &[
    ("openapi-version", rules::openapi_version),
    ("unique-operation-ids", rules::unique_operation_ids),
    ("operation-metadata", rules::operation_metadata),
    ("no-default-response", rules::no_default_response),
    ("one-json-success", rules::one_json_success),
    ("error-responses", rules::error_responses),
    ("request-body", rules::request_body),
    ("examples", rules::examples),
    ("open-response-schemas", rules::open_response_schemas),
    ("money-units", rules::money_units),
    ("security", rules::security),
    ("path-parameters", rules::path_parameters),
    ("operation-provenance", provenance::operation_provenance),
    ("error-code-registry", provenance::error_code_registry),
    (
        "example-codes-registered",
        provenance::example_codes_registered,
    ),
    ("unverified-aspects", provenance::unverified_aspects),
];

pub fn run(root: &Path, spec: &Path) -> Result<ExitCode> {
    let spec = SpecFile::new(root, spec);
    let doc = spec.json(&spec.read()?)?;
    let findings = lint(&doc);
    for (rule, finding) in &findings {
        println!("{finding} [{rule}]");
    }
    if findings.is_empty() {
        println!(
            "lint-spec: {} passes all {} rules ({} operations)",
            spec.display,
            RULES.len(),
            operations(&doc).len()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "lint-spec: {} finding(s) in {}",
            findings.len(),
            spec.display
        );
        Ok(ExitCode::FAILURE)
    }
}

/// All findings of all rules, tagged with the rule's name, in rule order.
pub fn lint(doc: &Value) -> Vec<(&'static str, Finding)> {
    RULES
        .iter()
        .flat_map(|(name, rule)| rule(doc).into_iter().map(move |f| (*name, f)))
        .collect()
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of the document with the path item it sits in.
#[derive(Debug, Clone, Copy)]
pub struct Operation<'a> {
    pub path: &'a str,
    pub method: &'a str,
    pub item: &'a Value,
    pub op: &'a Value,
}

impl<'a> Operation<'a> {
    pub fn location(&self) -> String {
        format!("paths.{}.{}", self.path, self.method)
    }

    /// The operation's responses, keyed by status code as written.
    pub fn responses(&self) -> impl Iterator<Item = (&'a str, &'a Value)> + use<'a> {
        let op: &'a Value = self.op;
        op.get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(code, response)| (code.as_str(), response))
    }
}

pub fn operations(doc: &Value) -> Vec<Operation<'_>> {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS.iter().filter_map(move |method| {
                item.get(*method).map(|op| Operation {
                    path,
                    method,
                    item,
                    op,
                })
            })
        })
        .collect()
}

/// Follows local `$ref`s (`#/components/...`) until a concrete object is reached;
/// a dangling or foreign reference is returned as is for the caller to report.
pub fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    // A bound instead of a visited set: reference chains in a sane spec are short,
    // and a cycle must not hang the linter.
    for _ in 0..16 {
        let Some(target) = ref_of(value)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|pointer| doc.pointer(pointer))
        else {
            break;
        };
        value = target;
    }
    value
}

pub fn ref_of(value: &Value) -> Option<&str> {
    value.get("$ref").and_then(Value::as_str)
}

pub const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// The name of the component schema a `{"$ref": "#/components/schemas/X"}` names.
pub fn component_schema_name(schema: &Value) -> Option<&str> {
    ref_of(schema).and_then(|r| r.strip_prefix(SCHEMA_PREFIX))
}

/// The `content` map of a (resolved) request body or response.
pub fn media_types<'a>(
    doc: &'a Value,
    body: &'a Value,
) -> impl Iterator<Item = (&'a str, &'a Value)> {
    resolve(doc, body)
        .get("content")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, media)| (name.as_str(), media))
}

/// The `schema` of a resolved body's `application/json` media type.
pub fn json_schema_of<'a>(doc: &'a Value, body: &'a Value) -> Option<&'a Value> {
    media_types(doc, body)
        .find(|(name, _)| *name == "application/json")
        .and_then(|(_, media)| media.get("schema"))
}

pub fn is_success(code: &str) -> bool {
    code.starts_with('2')
}
