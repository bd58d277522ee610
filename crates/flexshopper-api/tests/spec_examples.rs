//! Every example in `spec/flexshopper.yaml` must
//! 1. validate against its schema (the OpenAPI schema converted to JSON Schema),
//! 2. deserialize into the generated type and serialize back without error,
//! 3. still validate after that round trip (what the client would send is valid),
//!    both against the spec and against the schema the registry publishes, and
//! 4. be pinned as a snapshot of the round-tripped JSON, so a spec or generator change
//!    that alters the wire format is reviewed like code.
//!
//! Examples are found per operation (request body, every response) and on component
//! schemas; an example shared through a `$ref`'d component is exercised once.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use flexshopper_api::registry::{TYPE_NAMES, json_schema, roundtrip};
use flexshopper_conformance::spec::to_json_schema;
use jsonschema::{Draft, Validator};
use serde_json::{Value, json};

const SPEC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/flexshopper.yaml");
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// One example value of the spec.
#[derive(Debug)]
struct Example {
    /// JSON pointer to the value inside the spec: identifies it even when several
    /// operations share the component that holds it.
    pointer: String,
    /// `example__{operationId}__{request|response|response_4XX}[__{name}]`, or
    /// `example__{responses|requestBodies|schemas}__{Component}[__{name}]` for an
    /// example that lives in a shared component.
    snapshot: String,
    /// The component schema the example claims to match.
    schema: String,
    value: Value,
}

fn load_spec() -> Value {
    let text = std::fs::read_to_string(SPEC_PATH).expect("spec/flexshopper.yaml is readable");
    serde_norway::from_str(&text).expect("spec/flexshopper.yaml is valid YAML")
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Follows a local `$ref`, returning the target and its pointer.
fn follow<'a>(doc: &'a Value, value: &'a Value, pointer: String) -> (&'a Value, String) {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let target = reference
                .strip_prefix('#')
                .expect("only local $refs are used");
            let resolved = doc
                .pointer(target)
                .unwrap_or_else(|| panic!("dangling $ref {reference}"));
            (resolved, target.to_owned())
        }
        None => (value, pointer),
    }
}

/// A component pointer (`/components/responses/Error`) as a snapshot label.
fn component_label(pointer: &str) -> Option<String> {
    let rest = pointer.strip_prefix("/components/")?;
    Some(rest.split('/').collect::<Vec<_>>().join("__"))
}

fn collect_examples(doc: &Value) -> Vec<Example> {
    let mut found: BTreeMap<String, Example> = BTreeMap::new();
    let paths = doc["paths"].as_object().expect("the spec has paths");
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let id = op["operationId"]
                .as_str()
                .expect("every operation has an operationId");
            let base = format!("/paths/{}/{method}", escape(path));
            if let Some(body) = op.get("requestBody") {
                let label = format!("{id}__request");
                media_examples(doc, body, format!("{base}/requestBody"), &label, &mut found);
            }
            for (code, response) in op["responses"].as_object().into_iter().flatten() {
                let role = if code.starts_with('2') {
                    "response".to_owned()
                } else {
                    format!("response_{code}")
                };
                let pointer = format!("{base}/responses/{}", escape(code));
                media_examples(doc, response, pointer, &format!("{id}__{role}"), &mut found);
            }
        }
    }
    schema_examples(doc, &mut found);
    found.into_values().collect()
}

/// The JSON media-type examples (`example` and each `examples` entry) of a request
/// body or response.
fn media_examples(
    doc: &Value,
    body: &Value,
    pointer: String,
    label: &str,
    found: &mut BTreeMap<String, Example>,
) {
    let (body, pointer) = follow(doc, body, pointer);
    let label = component_label(&pointer).unwrap_or_else(|| label.to_owned());
    let Some(media) = body.pointer("/content/application~1json") else {
        return;
    };
    let media_pointer = format!("{pointer}/content/application~1json");
    let schema = media["schema"]["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix(SCHEMA_PREFIX))
        .unwrap_or_else(|| panic!("{media_pointer}: schema is not a component $ref"));
    let mut add = |pointer: String, snapshot: String, value: &Value| {
        found.entry(pointer.clone()).or_insert_with(|| Example {
            pointer,
            snapshot,
            schema: schema.to_owned(),
            value: value.clone(),
        });
    };
    if let Some(value) = media.get("example") {
        add(
            format!("{media_pointer}/example"),
            format!("example__{label}"),
            value,
        );
    }
    for (name, entry) in media
        .get("examples")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let entry_pointer = format!("{media_pointer}/examples/{}", escape(name));
        let (entry, entry_pointer) = follow(doc, entry, entry_pointer);
        add(
            format!("{entry_pointer}/value"),
            format!("example__{label}__{name}"),
            &entry["value"],
        );
    }
}

fn schema_examples(doc: &Value, found: &mut BTreeMap<String, Example>) {
    for (name, schema) in doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        if let Some(value) = schema.get("example") {
            let pointer = format!("/components/schemas/{}/example", escape(name));
            found.insert(
                pointer.clone(),
                Example {
                    pointer,
                    snapshot: format!("example__schemas__{name}"),
                    schema: name.clone(),
                    value: value.clone(),
                },
            );
        }
    }
}

/// Every whole-body example the spec holds, found by scanning the document rather
/// than by walking operations: media-type `example`/`examples` anywhere, named
/// `components/examples`, and component-schema `example`s. Comparing this with
/// what `collect_examples` exercised proves nothing is skipped silently.
fn present_examples(doc: &Value) -> BTreeSet<String> {
    let mut present = BTreeSet::new();
    scan_media_examples(doc, doc, String::new(), &mut present);
    for name in doc["components"]["examples"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(n, _)| n)
    {
        present.insert(format!("/components/examples/{}/value", escape(name)));
    }
    for (name, schema) in doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        if schema.get("example").is_some() {
            present.insert(format!("/components/schemas/{}/example", escape(name)));
        }
    }
    present
}

fn scan_media_examples(
    doc: &Value,
    value: &Value,
    pointer: String,
    present: &mut BTreeSet<String>,
) {
    let Some(map) = value.as_object() else { return };
    for (key, child) in map {
        let child_pointer = format!("{pointer}/{}", escape(key));
        if key == "content" {
            for (media, object) in child.as_object().into_iter().flatten() {
                let media_pointer = format!("{child_pointer}/{}", escape(media));
                if object.get("example").is_some() {
                    present.insert(format!("{media_pointer}/example"));
                }
                for (name, entry) in object
                    .get("examples")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    let entry_pointer = format!("{media_pointer}/examples/{}", escape(name));
                    let (_, entry_pointer) = follow(doc, entry, entry_pointer);
                    present.insert(format!("{entry_pointer}/value"));
                }
            }
        } else if key != "example" && key != "examples" {
            scan_media_examples(doc, child, child_pointer, present);
        }
    }
}

/// typify names a component's type by changing case and dropping separators, so
/// compare names with both normalised away.
fn type_name(component: &str) -> &'static str {
    let normalise = |name: &str| -> String {
        name.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let wanted = normalise(component);
    let matches: Vec<&str> = TYPE_NAMES
        .iter()
        .copied()
        .filter(|name| normalise(name) == wanted)
        .collect();
    match matches.as_slice() {
        [name] => name,
        other => panic!("component schema {component} maps to generated types {other:?}"),
    }
}

/// Validators for component schemas, built once each. The root embeds all
/// components under the same `components/schemas` path, so the spec's own
/// `#/components/schemas/…` references resolve unchanged.
struct Validators {
    components: Value,
    built: BTreeMap<String, Validator>,
}

impl Validators {
    fn new(doc: &Value) -> Self {
        let mut schemas = doc["components"]["schemas"].clone();
        for schema in schemas
            .as_object_mut()
            .into_iter()
            .flat_map(|s| s.values_mut())
        {
            to_json_schema(schema);
        }
        Self {
            components: json!({"schemas": schemas}),
            built: BTreeMap::new(),
        }
    }

    fn errors(&mut self, schema: &str, instance: &Value) -> Vec<String> {
        let components = &self.components;
        let validator = self.built.entry(schema.to_owned()).or_insert_with(|| {
            let root = json!({
                "allOf": [{"$ref": format!("{SCHEMA_PREFIX}{schema}")}],
                "components": components,
            });
            jsonschema::options()
                .with_draft(Draft::Draft7)
                .should_validate_formats(true)
                .build(&root)
                .unwrap_or_else(|e| panic!("{schema} does not convert to a JSON Schema: {e}"))
        });
        validator
            .iter_errors(instance)
            .map(|error| format!("at `{}`: {error}", error.instance_path()))
            .collect()
    }
}

/// Checks steps 1–3 for one example, returning the round-tripped JSON.
fn check(example: &Example, validators: &mut Validators) -> Result<Value, String> {
    let Example {
        pointer,
        schema,
        value,
        ..
    } = example;
    let invalid = validators.errors(schema, value);
    if !invalid.is_empty() {
        return Err(format!(
            "{pointer} does not match {schema}: {}",
            invalid.join("; ")
        ));
    }
    let type_name = type_name(schema);
    let output = roundtrip(type_name, value.clone())
        .unwrap_or_else(|| panic!("{type_name} is not in the registry"))
        .map_err(|e| format!("{pointer} does not deserialize into types::{type_name}: {e}"))?;
    let invalid = validators.errors(schema, &output);
    if !invalid.is_empty() {
        return Err(format!(
            "{pointer} round-tripped through types::{type_name} no longer matches {schema}: {}",
            invalid.join("; ")
        ));
    }
    let unpublished = published_schema_errors(type_name, &output);
    if !unpublished.is_empty() {
        return Err(format!(
            "{pointer} round-tripped does not match registry::json_schema(\"{type_name}\"): {}",
            unpublished.join("; ")
        ));
    }
    Ok(output)
}

/// Errors of `instance` against the schema the registry publishes for `type_name`.
fn published_schema_errors(type_name: &str, instance: &Value) -> Vec<String> {
    let schema = serde_json::to_value(json_schema(type_name).expect("registered type"))
        .expect("schemas serialize");
    let validator = jsonschema::draft7::new(&schema)
        .unwrap_or_else(|e| panic!("registry schema of {type_name} is invalid: {e}"));
    validator
        .iter_errors(instance)
        .map(|error| format!("at `{}`: {error}", error.instance_path()))
        .collect()
}

#[test]
fn every_spec_example_validates_round_trips_and_matches_snapshot() {
    let doc = load_spec();
    let examples = collect_examples(&doc);
    assert!(!examples.is_empty(), "the spec has no examples");
    let mut validators = Validators::new(&doc);
    // Check everything before snapshotting so one run reports every broken example.
    let results: Vec<_> = examples
        .iter()
        .map(|e| (e, check(e, &mut validators)))
        .collect();
    let failures: Vec<&String> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} example(s) failed:\n{}",
        failures.len(),
        failures
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    for (example, output) in results {
        let roundtripped = output.expect("checked above");
        insta::assert_json_snapshot!(example.snapshot.clone(), roundtripped);
    }
}

/// Guards against a vacuous validator (an unresolved `$ref` accepts everything):
/// dropping a required member from an example must be caught.
#[test]
fn validation_rejects_examples_missing_a_required_member() {
    let doc = load_spec();
    let mut validators = Validators::new(&doc);
    let mut checked = 0;
    for example in collect_examples(&doc) {
        let required = &doc["components"]["schemas"][&example.schema]["required"];
        let Some(member) = required.get(0).and_then(Value::as_str) else {
            continue;
        };
        let mut value = example.value.clone();
        let Some(object) = value.as_object_mut() else {
            continue;
        };
        if object.remove(member).is_none() {
            continue;
        }
        let errors = validators.errors(&example.schema, &value);
        assert!(
            !errors.is_empty(),
            "{} without `{member}` still validates",
            example.pointer
        );
        checked += 1;
    }
    assert!(checked > 0, "no example has a required member to drop");
}

#[test]
fn every_example_in_the_spec_is_exercised() {
    let doc = load_spec();
    let exercised: BTreeSet<String> = collect_examples(&doc)
        .into_iter()
        .map(|e| e.pointer)
        .collect();
    let present = present_examples(&doc);
    let skipped: Vec<_> = present.difference(&exercised).collect();
    assert!(
        skipped.is_empty(),
        "examples present but not exercised: {skipped:#?}"
    );
    assert_eq!(exercised.len(), present.len());
}

#[test]
fn every_example_snapshot_belongs_to_an_example() {
    let doc = load_spec();
    let asserted: BTreeSet<String> = collect_examples(&doc)
        .into_iter()
        .map(|e| e.snapshot)
        .collect();
    let orphans: Vec<String> = common::committed_snapshots("spec_examples__")
        .into_iter()
        .filter(|name| !asserted.contains(name))
        .collect();
    assert!(
        orphans.is_empty(),
        "snapshots of examples no longer in the spec (delete them): {orphans:?}"
    );
}

#[test]
fn nullable_and_boolean_bounds_convert_to_json_schema() {
    let mut schema = json!({
        "type": "object",
        "properties": {
            "note": {"type": "string", "nullable": true},
            "amount": {"type": "number", "minimum": 0, "exclusiveMinimum": true}
        }
    });
    to_json_schema(&mut schema);
    assert_eq!(
        schema["properties"],
        json!({
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "amount": {"type": "number", "exclusiveMinimum": 0}
        })
    );
}
