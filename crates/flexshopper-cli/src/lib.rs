//! The `flexshopper` command: a thin layer that maps clap commands onto the
//! `flexshopper` crate and renders the results. No business logic lives here.

pub mod args;
pub mod conformance;
pub mod error;
mod input;
mod journey;
mod ops;
pub mod plugin_demo;
mod progress;
mod render;
mod target;

use args::{Cli, Command};
use error::CliError;

/// Runs one command line. Errors are returned for the caller to print and map to an
/// exit code ([`CliError::exit_code`]).
pub async fn run(cli: Cli) -> Result<(), CliError> {
    let json = cli.global.json;
    match cli.command {
        Command::Sandbox(args) => {
            flexshopper_sandbox::cli::run(args)
                .await
                .map_err(|e| CliError::Io {
                    context: "running the sandbox".into(),
                    source: std::io::Error::other(e.to_string()),
                })
        }
        Command::PluginDemo(args) => plugin_demo::run(args).await.map_err(|e| CliError::Io {
            context: "running the plugin demo".into(),
            source: e,
        }),
        Command::Conformance(args) => conformance::probe(&cli.global, args).await,
        Command::Record(args) => conformance::record(&cli.global, args).await,
        Command::LeaseFlow(args) => {
            let target = target::resolve(&cli.global).await?;
            journey::run(&target.client, &target.description, args, json).await
        }
        command => {
            let target = target::resolve(&cli.global).await?;
            if target.embedded && !json {
                eprintln!(
                    "note: using an {}; its state ends with this command (run `flexshopper sandbox` and pass --base-url to keep it)",
                    target.description
                );
            }
            ops::run(
                &ops::Ctx {
                    client: &target.client,
                    json,
                },
                command,
            )
            .await
        }
    }
}
