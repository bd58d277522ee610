//! `cargo xtask`: the workspace's own automation.
//!
//! * `cargo xtask generate [--check] [-v]` turns `spec/flexshopper.yaml` into
//!   `crates/flexshopper-api/src/{generated,registry}.rs` with progenitor, and
//!   `spec/PROVENANCE.md` from the spec's provenance extensions.
//! * `cargo xtask lint-spec` checks the spec against the house rules that keep it
//!   inside progenitor's subset and fully described for other generators.

mod generate;
mod lint;
mod provenance;
mod registry;
mod spec;
mod spec_diff;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The spec every command reads unless `--spec` says otherwise.
const DEFAULT_SPEC: &str = "spec/flexshopper.yaml";

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "flexshopper-rs workspace automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Regenerate the progenitor client and the type registry from the spec.
    Generate {
        /// Only compare the committed files with fresh output; exit non-zero if stale.
        #[arg(long)]
        check: bool,
        /// With --check, print a unified diff of each stale file.
        #[arg(short, long)]
        verbose: bool,
        /// The OpenAPI document (relative paths are taken from the workspace root).
        #[arg(long, default_value = DEFAULT_SPEC)]
        spec: PathBuf,
    },
    /// Check the spec against the house rules; one line per finding.
    LintSpec {
        /// The OpenAPI document (relative paths are taken from the workspace root).
        #[arg(long, default_value = DEFAULT_SPEC)]
        spec: PathBuf,
    },
    /// Compare the spec at a git revision with the working tree's: one line per change,
    /// classified breaking, additive or docs. Exits 1 when anything is breaking.
    SpecDiff {
        /// The git revision to compare against (`HEAD~1`, `origin/main`, a commit).
        #[arg(long)]
        base: String,
        /// Compare with the spec at this revision instead of the working tree's.
        #[arg(long)]
        head: Option<String>,
        /// text (one line per change), markdown (a table for spec/CHANGELOG.md) or json.
        #[arg(long, value_enum, default_value = "text")]
        format: spec_diff::Format,
        /// The OpenAPI document (relative to the workspace root, also inside GIT_REF).
        #[arg(long, default_value = DEFAULT_SPEC)]
        spec: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = workspace_root();
    let outcome = match cli.command {
        Command::Generate {
            check,
            verbose,
            spec,
        } => generate::run(&root, &spec, check, verbose),
        Command::LintSpec { spec } => lint::run(&root, &spec),
        Command::SpecDiff {
            base,
            head,
            format,
            spec,
        } => spec_diff::run(&root, &spec, &base, head.as_deref(), format),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The xtask lives one level below the workspace root; anchoring paths there lets
/// `cargo xtask` run from any directory of the checkout.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is a direct child of the workspace root")
        .to_path_buf()
}
