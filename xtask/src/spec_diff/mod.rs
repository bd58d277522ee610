//! `cargo xtask spec-diff --base GIT_REF`: what a spec change does to existing clients.
//!
//! The spec at `GIT_REF` (read with `git show`) is compared with the working tree's, and
//! every difference becomes one [`Change`]: `breaking` (an existing client may stop
//! working: something it calls or reads is gone, it must now send something new, a type
//! or its allowed values narrowed where the client writes them or widened where it reads
//! them, its credentials changed), `additive` (new things a client may ignore) or `docs`
//! (descriptions, summaries, examples, provenance). Each rule is one function in
//! [`rules`] (document structure, on openapiv3's types) or [`schema`] (JSON Schema
//! keywords, walked with the request/response direction in mind); `tests` shows each
//! one firing. The command exits 1 when anything is breaking.

mod report;
pub mod rules;
pub mod schema;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};
use openapiv3::OpenAPI;

pub use report::Format;

use crate::spec::SpecFile;

/// What a change means for a client written against the base spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    Breaking,
    Additive,
    Docs,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::Additive => "additive",
            Class::Docs => "docs",
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// One difference, located by a JSONPath into the head document
/// (`$.paths['/v3/leases'].post.responses['200']…`; into the base document when the
/// thing was removed).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Change {
    pub class: Class,
    pub path: String,
    pub message: String,
}

impl Change {
    pub fn new(class: Class, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            class,
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Every rule; each returns the changes it recognises between base and head.
type Rule = fn(&OpenAPI, &OpenAPI) -> Vec<Change>;

const RULES: &[Rule] = &[
    rules::operations_added_or_removed,
    rules::operation_id_changed,
    rules::operation_docs_changed,
    rules::operation_deprecated_changed,
    rules::security_requirements_changed,
    rules::security_schemes_changed,
    rules::parameters_changed,
    rules::request_body_changed,
    rules::responses_changed,
    rules::component_schemas_added_or_removed,
    rules::servers_changed,
    rules::info_changed,
];

/// All changes between two documents, sorted (breaking first) and without duplicates
/// (a shared component reached from several operations is reported once). Documents
/// that differ where no rule looks (an unused component, a webhook-like extension) get
/// one `breaking` line asking for review, so nothing passes unseen.
pub fn diff(base: &OpenAPI, head: &OpenAPI) -> Vec<Change> {
    let mut changes: BTreeSet<Change> = RULES.iter().flat_map(|rule| rule(base, head)).collect();
    if changes.is_empty() && base != head {
        changes.insert(unrecognised());
    }
    changes.into_iter().collect()
}

fn unrecognised() -> Change {
    Change::new(
        Class::Breaking,
        "$",
        "the documents differ where no rule looks (review by hand)",
    )
}

/// Compares the spec at `base_ref` with the one at `head_ref` (the working tree's when
/// `None`), prints the report and exits 1 when anything is breaking.
pub fn run(
    root: &Path,
    spec: &Path,
    base_ref: &str,
    head_ref: Option<&str>,
    format: Format,
) -> Result<ExitCode> {
    let file = SpecFile::new(root, spec);
    let (head_text, head_name) = match head_ref {
        Some(head_ref) => (git_show(root, head_ref, spec)?, head_ref.to_string()),
        None => (file.read()?, file.display.clone()),
    };
    let head = file.openapi(&head_text)?;
    let base = file
        .openapi(&git_show(root, base_ref, spec)?)
        .with_context(|| format!("the spec at {base_ref}"))?;
    let changes = diff(&base, &head);
    print!("{}", report::render(format, &changes, base_ref, &head_name));
    Ok(if changes.iter().any(|c| c.class == Class::Breaking) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The spec's text at a git revision, or an error naming the revision and the path.
fn git_show(root: &Path, base_ref: &str, spec: &Path) -> Result<String> {
    let object = format!("{base_ref}:{}", spec.display());
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["show", &object])
        .output()
        .context("running git (is it installed?)")?;
    if !output.status.success() {
        bail!(
            "`git show {object}` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    String::from_utf8(output.stdout).with_context(|| format!("{object} is not UTF-8"))
}
