//! Provenance rules: every fact of the spec says where it comes from, so that a
//! misreading of FlexShopper's documents can be traced and nothing a client relies
//! on for safety rests on an unmarked guess (spec/README.md "Provenance").

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Finding, operations};

/// Where an operation's contract comes from.
const OPERATION_SOURCES: &[&str] = &["documented", "plugin", "inferred"];
/// Where an error code comes from; `sandbox` codes are the simulator's own.
const ERROR_CODE_SOURCES: &[&str] = &["documented", "plugin", "inferred", "sandbox"];
/// What `x-unverified` may say is unsettled about a field.
const UNVERIFIED_ASPECTS: &[&str] = &["unit", "format", "values", "presence"];

const REGISTRY: &str = "components.schemas.ErrorCode.x-error-codes";

/// Every operation has `x-provenance: {source, evidence: [..], inferred?: [..]}`; an
/// `inferred` operation names what was inferred.
pub fn operation_provenance(doc: &Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    for op in operations(doc) {
        let at = format!("{}.x-provenance", op.location());
        let Some(prov) = op.op.get("x-provenance") else {
            findings.push(Finding::new(op.location(), "missing x-provenance"));
            continue;
        };
        check_source(&mut findings, &at, prov.get("source"), OPERATION_SOURCES);
        if !non_empty_strings(prov.get("evidence")) {
            findings.push(Finding::new(
                &at,
                "`evidence` must be a non-empty list of strings",
            ));
        }
        let inferred = prov.get("inferred");
        if inferred.is_some() && !non_empty_strings(inferred) {
            findings.push(Finding::new(
                &at,
                "`inferred` must be a non-empty list of strings",
            ));
        }
        if prov.get("source").and_then(Value::as_str) == Some("inferred") && inferred.is_none() {
            findings.push(Finding::new(
                &at,
                "an inferred operation must list what is `inferred`",
            ));
        }
    }
    findings
}

/// The `ErrorCode` schema carries the registry of known codes, each with status,
/// source, meaning and evidence, and no code twice.
pub fn error_code_registry(doc: &Value) -> Vec<Finding> {
    let Some(entries) = registry(doc) else {
        return vec![Finding::new(
            REGISTRY,
            "missing: the list of known error codes",
        )];
    };
    let mut findings = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, entry) in entries.iter().enumerate() {
        let at = format!("{REGISTRY}[{i}]");
        match entry.get("code").map(code_text) {
            Some(Some(code)) if !seen.insert(code.clone()) => {
                findings.push(Finding::new(&at, format!("code `{code}` is listed twice")));
            }
            Some(Some(_)) => {}
            _ => findings.push(Finding::new(&at, "`code` must be a string or an integer")),
        }
        check_source(&mut findings, &at, entry.get("source"), ERROR_CODE_SOURCES);
        for field in ["meaning", "evidence"] {
            let text = entry.get(field).and_then(Value::as_str);
            if text.is_none_or(|s| s.trim().is_empty()) {
                findings.push(Finding::new(&at, format!("missing `{field}`")));
            }
        }
    }
    findings
}

/// Every `error.code` shown in an example is in the registry: a code without
/// provenance cannot enter the spec through a sample.
pub fn example_codes_registered(doc: &Value) -> Vec<Finding> {
    let known: BTreeSet<String> = registry(doc)
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("code").and_then(code_text))
        .collect();
    let mut used = Vec::new();
    collect_example_codes(doc, "", &mut used);
    used.into_iter()
        .filter(|(_, code)| !known.contains(code))
        .map(|(at, code)| Finding::new(at, format!("error code `{code}` is not in {REGISTRY}")))
        .collect()
}

/// `x-unverified` names which aspect of a field no document settles.
pub fn unverified_aspects(doc: &Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    visit(doc, "", &mut |at, value| {
        if let Some(aspect) = value.get("x-unverified") {
            let ok = aspect
                .as_str()
                .is_some_and(|a| UNVERIFIED_ASPECTS.contains(&a));
            if !ok {
                findings.push(Finding::new(
                    at,
                    format!("x-unverified must be one of {UNVERIFIED_ASPECTS:?}"),
                ));
            }
        }
    });
    findings
}

fn registry(doc: &Value) -> Option<&Vec<Value>> {
    doc.pointer("/components/schemas/ErrorCode/x-error-codes")?
        .as_array()
}

fn check_source(findings: &mut Vec<Finding>, at: &str, source: Option<&Value>, allowed: &[&str]) {
    let ok = source
        .and_then(Value::as_str)
        .is_some_and(|s| allowed.contains(&s));
    if !ok {
        findings.push(Finding::new(
            at,
            format!("`source` must be one of {allowed:?}"),
        ));
    }
}

fn non_empty_strings(value: Option<&Value>) -> bool {
    value.and_then(Value::as_array).is_some_and(|items| {
        !items.is_empty()
            && items
                .iter()
                .all(|i| i.as_str().is_some_and(|s| !s.trim().is_empty()))
    })
}

fn code_text(code: &Value) -> Option<String> {
    match code {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) if n.is_i64() => Some(n.to_string()),
        _ => None,
    }
}

/// The `error.code` of every `example` / `examples[*].value` in the document.
fn collect_example_codes(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    visit(value, at, &mut |at, node| {
        let samples = node.get("example").into_iter().chain(
            node.get("examples")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|m| m.values())
                .filter_map(|e| e.get("value")),
        );
        for sample in samples {
            if let Some(code) = sample.pointer("/error/code").and_then(code_text) {
                out.push((at.to_owned(), code));
            }
        }
    });
}

/// Calls `f` on every object of the document with its dotted path.
fn visit(value: &Value, at: &str, f: &mut dyn FnMut(&str, &Value)) {
    match value {
        Value::Object(map) => {
            f(at, value);
            for (key, child) in map {
                visit(child, &join(at, key), f);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                visit(child, &format!("{at}[{i}]"), f);
            }
        }
        _ => {}
    }
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_owned()
    } else {
        format!("{at}.{key}")
    }
}
