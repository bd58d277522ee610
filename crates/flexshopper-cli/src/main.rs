//! `flexshopper`: parses the command line, sets up logging on stderr, runs the command
//! and maps the outcome to an exit code (0 ok, 1 API/transport, 2 usage/validation).

use clap::Parser as _;
use flexshopper_cli::args::Cli;
use std::io::IsTerminal;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

// `flexshopper sandbox` runs the sandbox as a service: the sandbox binary's allocator
// (see flexshopper-sandbox's `mimalloc` feature).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_failure(&e),
    };
    init_logging(cli.global.verbose);
    let json = cli.global.json;
    match flexshopper_cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let flexshopper_cli::error::CliError::Reported(_) = &e {
                // The command's report (with --json: the run's one document) is printed.
                if !json {
                    eprintln!("error: {e}");
                }
            } else if json {
                // The one document of this run: the command printed nothing on stdout.
                flexshopper_cli::print_json(&e.to_json());
            } else {
                if let flexshopper_cli::error::CliError::Partial { result, .. } = &e {
                    flexshopper_cli::print_human(result);
                }
                eprintln!("error: {e}");
            }
            e.exit_code()
        }
    }
}

/// With `--json` anywhere on the command line, help and version are one document
/// `{"ok": true, "help": TEXT}` (exit 0) and every refusal is one error document
/// (exit 2); otherwise clap prints them as usual.
fn clap_failure(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let json = std::env::args_os()
        .take_while(|a| a != "--")
        .any(|a| a == "--json");
    let informational = matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
    if json {
        let doc = if informational {
            serde_json::json!({"ok": true, "help": e.render().to_string()})
        } else {
            flexshopper_cli::error::clap_error_json(e)
        };
        flexshopper_cli::print_json(&doc);
        return ExitCode::from(if informational { 0 } else { 2 });
    }
    let _ = e.print();
    ExitCode::from(if e.use_stderr() { 2 } else { 0 })
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
