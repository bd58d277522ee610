//! Every operation in the spec is reachable everywhere it must be: served by the
//! sandbox and offered as a `flexshopper` CLI command. A new operation in the spec
//! fails here until both have it.

use std::collections::BTreeSet;

/// `(METHOD, path, operationId)` of every operation in spec/flexshopper.yaml.
fn spec_operations() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../spec/flexshopper.yaml"
    ))
    .unwrap();
    let spec: serde_json::Value = serde_norway::from_str(&text).unwrap();
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if let Some(id) = op["operationId"].as_str() {
                ops.push((method.to_uppercase(), path.clone(), id.to_string()));
            }
        }
    }
    ops
}

fn spec_ids() -> BTreeSet<String> {
    spec_operations().into_iter().map(|(_, _, id)| id).collect()
}

#[test]
fn every_spec_operation_is_routed_by_the_sandbox() {
    let routed: BTreeSet<(String, String, String)> = flexshopper_sandbox::ops::OPERATIONS
        .iter()
        .map(|(m, p, id)| (m.to_string(), p.to_string(), id.to_string()))
        .collect();
    let missing: Vec<_> = spec_operations()
        .into_iter()
        .filter(|op| !routed.contains(op))
        .collect();
    assert!(
        missing.is_empty(),
        "the sandbox does not route: {missing:?}"
    );
}

#[test]
fn the_sandbox_names_no_operation_the_spec_lacks() {
    let spec = spec_ids();
    let unknown: Vec<_> = flexshopper_sandbox::ops::OPERATIONS
        .iter()
        .filter(|(_, _, id)| !spec.contains(*id))
        .collect();
    assert!(unknown.is_empty(), "{unknown:?}");
}

/// Every command documents the operation it runs as `(operationId)` in its help.
#[test]
fn every_spec_operation_has_a_cli_command() {
    let mut named = BTreeSet::new();
    collect_operation_ids(
        &<flexshopper_cli::args::Cli as clap::CommandFactory>::command(),
        &mut named,
    );
    let spec = spec_ids();
    let missing: Vec<_> = spec.difference(&named).collect();
    let unknown: Vec<_> = named.difference(&spec).collect();
    assert!(missing.is_empty(), "no CLI command for: {missing:?}");
    assert!(
        unknown.is_empty(),
        "CLI help names operations the spec lacks: {unknown:?}"
    );
}

/// A command's description names the operation it runs; a flag that switches to
/// another operation names it in its help (camelCase, unlike words like "(secret)").
fn collect_operation_ids(cmd: &clap::Command, out: &mut BTreeSet<String>) {
    if let Some(about) = cmd.get_about() {
        out.extend(parenthesised_identifiers(&about.to_string()));
    }
    for help in cmd.get_arguments().filter_map(|a| a.get_help()) {
        let ids = parenthesised_identifiers(&help.to_string());
        out.extend(
            ids.into_iter()
                .filter(|id| id.chars().any(|c| c.is_ascii_uppercase())),
        );
    }
    for sub in cmd.get_subcommands() {
        collect_operation_ids(sub, out);
    }
}

/// `(camelCaseWord)` occurrences: how the help text names an operation.
fn parenthesised_identifiers(text: &str) -> Vec<String> {
    text.split('(')
        .skip(1)
        .filter_map(|rest| rest.split_once(')').map(|(inside, _)| inside))
        .filter(|s| {
            !s.is_empty()
                && s.chars().all(|c| c.is_ascii_alphanumeric())
                && s.starts_with(|c: char| c.is_ascii_lowercase())
        })
        .map(str::to_string)
        .collect()
}

/// The README's scenario table is the sandbox's, word for word, so integrators can
/// trust it.
#[test]
fn the_readme_documents_every_sandbox_scenario() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    for s in flexshopper_sandbox::scenarios::SCENARIOS {
        let row = s.readme_row();
        assert!(
            readme.contains(&row),
            "README.md lacks the scenario row:\n{row}"
        );
    }
}
