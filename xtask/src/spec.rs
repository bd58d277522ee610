//! Reading the OpenAPI document, either typed (for progenitor) or raw (for the linter).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Where the spec lives, resolved against the workspace root, plus how to name it
/// in messages and headers (the path as the user gave it, so output stays stable
/// across checkouts).
#[derive(Debug)]
pub struct SpecFile {
    pub path: PathBuf,
    pub display: String,
}

impl SpecFile {
    pub fn new(root: &Path, spec: &Path) -> Self {
        Self {
            path: root.join(spec),
            display: spec.display().to_string(),
        }
    }

    pub fn read(&self) -> Result<String> {
        std::fs::read_to_string(&self.path)
            .with_context(|| format!("reading {}", self.path.display()))
    }

    /// The document as progenitor's input type.
    pub fn openapi(&self, text: &str) -> Result<openapiv3::OpenAPI> {
        serde_norway::from_str(text).with_context(|| format!("parsing {} as OpenAPI", self.display))
    }

    /// The document as plain JSON, for rules that openapiv3's types would hide
    /// (unknown keys, extensions, raw `$ref`s).
    pub fn json(&self, text: &str) -> Result<serde_json::Value> {
        serde_norway::from_str(text).with_context(|| format!("parsing {} as YAML", self.display))
    }
}
