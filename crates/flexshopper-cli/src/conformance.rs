//! `flexshopper conformance` (the probe) and `flexshopper record` (the validating
//! recorder): thin wrappers over `flexshopper-conformance`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use flexshopper::Environment;
use flexshopper_conformance::probe::{self, ProbeConfig};
use flexshopper_conformance::record::{Recorder, RecorderConfig};
use flexshopper_conformance::spec::Spec;

use crate::args::{EnvArg, GlobalArgs};
use crate::error::CliError;

/// The probe's options (the server comes from the global --env / --base-url).
#[derive(Debug, Args)]
pub struct ConformanceArgs {
    /// Validate against this copy of the spec (OpenAPI YAML or JSON) instead of the embedded one.
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// Run against FlexShopper production (the probe creates customers, leases and payments there).
    #[arg(long)]
    pub allow_production: bool,
}

/// The recorder's options.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The server to forward to, e.g. https://apis.sandbox.flexshopper.com (default: --base-url, or --env's URL).
    #[arg(long, value_name = "URL")]
    pub upstream: Option<String>,
    /// Directory the redacted fixtures are written to (created if missing).
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
    /// Address to listen on; point your client at it.
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub listen: SocketAddr,
    /// Validate against this copy of the spec instead of the embedded one.
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// Forward to FlexShopper production.
    #[arg(long)]
    pub allow_production: bool,
}

const PRODUCTION_HOST: &str = "apis.flexshopper.com";

/// The spec to validate against; a `--spec` file lives as long as the process.
fn load_spec(path: Option<&PathBuf>) -> Result<&'static Spec, CliError> {
    let Some(path) = path else {
        return Ok(Spec::embedded());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::usage("--spec", format!("cannot read {}: {e}", path.display())))?;
    let spec = Spec::from_yaml(&text).map_err(|e| CliError::usage("--spec", e.to_string()))?;
    Ok(Box::leak(Box::new(spec)))
}

fn is_production(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = rest.split(['/', ':', '?']).next().unwrap_or_default();
    host.eq_ignore_ascii_case(PRODUCTION_HOST)
}

fn refuse_production(url: &str, allowed: bool, flag: &str) -> Result<(), CliError> {
    if is_production(url) && !allowed {
        return Err(CliError::usage(
            flag,
            "refusing to run against FlexShopper production: it creates real customers, leases and payments; add --allow-production if you mean it",
        ));
    }
    Ok(())
}

/// `flexshopper conformance`.
pub async fn probe(global: &GlobalArgs, args: ConformanceArgs) -> Result<(), CliError> {
    let spec = load_spec(args.spec.as_ref())?;
    let (base_url, flag) = match (&global.base_url, global.env) {
        (Some(url), _) => (Some(url.clone()), "--base-url"),
        (None, Some(EnvArg::Sandbox)) => {
            (Some(Environment::Sandbox.base_url().to_owned()), "--env")
        }
        (None, Some(EnvArg::Production)) => {
            (Some(Environment::Production.base_url().to_owned()), "--env")
        }
        (None, None) => (None, ""),
    };
    let mut _sandbox = None;
    let (base_url, api_key) = match base_url {
        Some(url) => {
            refuse_production(&url, args.allow_production, flag)?;
            let key = std::env::var("FLEXSHOPPER_API_KEY")
                .ok()
                .filter(|k| !k.is_empty())
                .ok_or_else(|| {
                    CliError::usage(
                        "FLEXSHOPPER_API_KEY",
                        "set it to your merchant API key to use --env or --base-url",
                    )
                })?;
            (url, key)
        }
        None => {
            let sandbox = crate::target::start_sandbox().await?;
            if !global.json {
                eprintln!(
                    "note: probing an embedded sandbox at {} (the project's own simulator); use --env sandbox with FLEXSHOPPER_API_KEY to probe FlexShopper",
                    sandbox.base_url()
                );
            }
            let url = sandbox.base_url().to_owned();
            _sandbox = Some(sandbox);
            (url, "flexshopper-conformance".to_owned())
        }
    };
    let run_id = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| format!("{:x}", d.as_millis()))
        .unwrap_or_default();
    let report = probe::run(
        spec,
        &ProbeConfig {
            base_url,
            api_key,
            run_id,
        },
    )
    .await;
    if global.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        print!("{}", report.render());
    }
    let violations = report.violations().count();
    if violations > 0 {
        return Err(CliError::Reported(format!(
            "{violations} violation(s) of the spec in {} operation(s)",
            report.summary["violates"]
        )));
    }
    if !report.complete || report.summary["conforms"] == 0 {
        return Err(CliError::Reported(
            "the journey could not run, so nothing was really checked (see the notes)".into(),
        ));
    }
    Ok(())
}

/// `flexshopper record`.
pub async fn record(global: &GlobalArgs, args: RecordArgs) -> Result<(), CliError> {
    let upstream = match (&args.upstream, &global.base_url, global.env) {
        (Some(url), _, _) | (None, Some(url), _) => url.clone(),
        (None, None, Some(EnvArg::Sandbox)) => Environment::Sandbox.base_url().to_owned(),
        (None, None, Some(EnvArg::Production)) => Environment::Production.base_url().to_owned(),
        (None, None, None) => {
            return Err(CliError::usage(
                "--upstream",
                "name the server to forward to (or give --env or --base-url)",
            ));
        }
    };
    refuse_production(&upstream, args.allow_production, "--upstream")?;
    let spec = load_spec(args.spec.as_ref())?;
    let reporter: flexshopper_conformance::record::Reporter =
        Arc::new(|line: &str| eprintln!("{line}"));
    let recorder = Recorder::start(
        spec,
        RecorderConfig {
            upstream: upstream.clone(),
            dir: args.dir.clone(),
            listen: args.listen,
            reporter: Some(reporter),
        },
    )
    .await
    .map_err(|source| CliError::Io {
        context: format!("starting the recorder on {}", args.listen),
        source,
    })?;
    println!("listening on {}", recorder.base_url());
    eprintln!(
        "forwarding to {}; redacted fixtures go to {}; Ctrl-C stops",
        upstream,
        args.dir.display()
    );
    tokio::signal::ctrl_c()
        .await
        .map_err(|source| CliError::Io {
            context: "waiting for Ctrl-C".into(),
            source,
        })?;
    let flagged = recorder.violations();
    if flagged.is_empty() {
        eprintln!("every recorded exchange conforms to the spec");
        return Ok(());
    }
    let names: Vec<String> = flagged.into_iter().map(|(name, _)| name).collect();
    Err(CliError::Reported(format!(
        "{} exchange(s) broke the spec: {}",
        names.len(),
        names.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_is_recognised_by_its_host() {
        assert!(is_production("https://apis.flexshopper.com"));
        assert!(is_production("https://APIS.flexshopper.com:443/v3"));
        assert!(!is_production("https://apis.sandbox.flexshopper.com"));
        assert!(!is_production("http://127.0.0.1:8080"));
    }
}
