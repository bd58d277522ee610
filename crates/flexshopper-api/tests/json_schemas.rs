//! Pins the JSON Schema (as schemars derives it) of every generated type, so a spec
//! change that alters what apps publish shows up as a snapshot diff.

mod common;

use flexshopper_api::registry::{TYPE_NAMES, json_schema};

#[test]
fn every_type_schema_matches_snapshot() {
    for name in TYPE_NAMES {
        let schema =
            json_schema(name).unwrap_or_else(|| panic!("{name} is listed but has no schema"));
        insta::assert_json_snapshot!(format!("schema__{name}"), schema);
    }
}

#[test]
fn unknown_names_have_no_schema() {
    assert!(json_schema("NoSuchType").is_none());
}

#[test]
fn every_schema_snapshot_belongs_to_a_generated_type() {
    let orphans: Vec<String> = common::committed_snapshots("json_schemas__schema__")
        .into_iter()
        .filter(|name| !TYPE_NAMES.contains(&name.as_str()))
        .collect();
    assert!(
        orphans.is_empty(),
        "snapshots of types that are no longer generated (delete them): {orphans:?}"
    );
}
