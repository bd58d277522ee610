//! `flexshopper`: parses the command line, sets up logging on stderr, runs the command
//! and maps the outcome to an exit code (0 ok, 1 API/transport, 2 usage/validation).

use clap::Parser;
use flexshopper_cli::args::Cli;
use std::io::IsTerminal;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.global.verbose);
    let json = cli.global.json;
    match flexshopper_cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if json && !matches!(e, flexshopper_cli::error::CliError::Reported(_)) {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&e.to_json()).unwrap_or_default()
                );
            } else if !json {
                eprintln!("error: {e}");
            }
            e.exit_code()
        }
    }
}

/// Logs go to stderr; RUST_LOG wins over -v. The crates never put secrets in events.
fn init_logging(verbose: u8) {
    // -v: one line per FlexShopper call (operation, attempt, status, latency) and
    // retries, without the HTTP stack's own chatter; -vv and -vvv add everything.
    let default = match verbose {
        0 => "warn",
        1 => "warn,flexshopper=debug",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
