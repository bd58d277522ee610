//! Rendering a list of changes as text (one line each), Markdown (a table ready for
//! spec/CHANGELOG.md) or JSON.

use std::fmt::Write;

use super::{Change, Class};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

pub fn render(format: Format, changes: &[Change], base: &str, head: &str) -> String {
    match format {
        Format::Text => text(changes, base, head),
        Format::Markdown => markdown(changes, base, head),
        Format::Json => json(changes, base, head),
    }
}

fn counts(changes: &[Change]) -> [(Class, usize); 3] {
    [Class::Breaking, Class::Additive, Class::Docs]
        .map(|class| (class, changes.iter().filter(|c| c.class == class).count()))
}

fn summary(changes: &[Change], base: &str, head: &str) -> String {
    let counts = counts(changes)
        .iter()
        .map(|(class, n)| format!("{n} {class}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("spec-diff {base} -> {head}: {counts}")
}

fn text(changes: &[Change], base: &str, head: &str) -> String {
    let mut out = String::new();
    for change in changes {
        let _ = writeln!(
            out,
            "{:<8}  {}: {}",
            change.class, change.path, change.message
        );
    }
    let _ = writeln!(out, "{}", summary(changes, base, head));
    out
}

fn markdown(changes: &[Change], base: &str, head: &str) -> String {
    let mut out = format!("{}\n\n", summary(changes, base, head));
    if changes.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    out.push_str("| class | where | change |\n|---|---|---|\n");
    for change in changes {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} |",
            change.class,
            change.path.replace('|', "\\|"),
            change.message.replace('|', "\\|")
        );
    }
    out
}

fn json(changes: &[Change], base: &str, head: &str) -> String {
    let counts: serde_json::Map<String, serde_json::Value> = counts(changes)
        .iter()
        .map(|(class, n)| (class.as_str().to_string(), (*n).into()))
        .collect();
    let doc = serde_json::json!({
        "base": base,
        "head": head,
        "breaking": changes.iter().any(|c| c.class == Class::Breaking),
        "counts": counts,
        "changes": changes.iter().map(|c| serde_json::json!({
            "class": c.class.as_str(),
            "path": c.path,
            "change": c.message,
        })).collect::<Vec<_>>(),
    });
    format!("{doc:#}\n")
}
