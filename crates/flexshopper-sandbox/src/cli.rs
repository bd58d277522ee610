//! Command-line options, shared by the `flexshopper-sandbox` binary and `flexshopper sandbox`.

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use crate::config::{AdminAccess, Limits, ServerLimits};
use crate::{Sandbox, SandboxConfig};

/// Run a local FlexShopper simulator.
#[derive(Debug, Clone, clap::Args)]
pub struct SandboxArgs {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Accept only this API key (repeatable); without it any key is accepted and is its own merchant.
    #[arg(long = "api-key", value_name = "KEY")]
    pub api_keys: Vec<String>,
    /// Customer token lifetime in seconds, on the sandbox clock.
    #[arg(long, default_value_t = 3600)]
    pub token_ttl_secs: u64,
    /// Bind a FlexSDK authorization key to a merchant's API key, `AUTH_KEY=API_KEY`
    /// (repeatable): `/sdk/js?authKey=AUTH_KEY` then creates that merchant's transactions.
    #[arg(long = "auth-key", value_name = "AUTH_KEY=API_KEY", value_parser = parse_auth_key)]
    pub auth_keys: Vec<(String, String)>,
    /// Admin API token (`Authorization: Bearer TOKEN`). Required for the admin API once
    /// the sandbox is shared (`--api-key` or a non-loopback `--listen`); the admin API is
    /// off in that case without it.
    #[arg(long, env = "FLEXSHOPPER_SANDBOX_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Deterministic ids and tokens from this seed (tests only: tokens become guessable).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Merchants (API keys) kept; the least recently written is evicted beyond it.
    #[arg(long, default_value_t = Limits::default().merchants)]
    pub max_merchants: usize,
    /// Customers kept over all merchants; the oldest is evicted beyond it.
    #[arg(long, default_value_t = Limits::default().customers)]
    pub max_customers: usize,
    /// Transactions (with their leases) kept over all merchants; the oldest is evicted beyond it.
    #[arg(long, default_value_t = Limits::default().transactions)]
    pub max_transactions: usize,
    /// Bytes the request journal keeps.
    #[arg(long, default_value_t = Limits::default().journal_bytes)]
    pub journal_bytes: usize,
    /// Keep the state in this SQLite file (created when missing) so that it survives
    /// restarts and crashes; every acknowledged change is on disk before the response.
    /// Without it the state lives in memory.
    #[arg(long, value_name = "PATH")]
    pub data: Option<std::path::PathBuf>,
    /// Connections served at once.
    #[arg(long, default_value_t = ServerLimits::default().max_connections)]
    pub max_connections: usize,
}

/// `AUTH_KEY=API_KEY`, both non-empty.
fn parse_auth_key(raw: &str) -> Result<(String, String), String> {
    match raw.split_once('=') {
        Some((auth, api)) if !auth.trim().is_empty() && !api.trim().is_empty() => {
            Ok((auth.trim().to_owned(), api.trim().to_owned()))
        }
        _ => Err("expected AUTH_KEY=API_KEY, both non-empty".to_owned()),
    }
}

impl SandboxArgs {
    pub fn config(&self) -> SandboxConfig {
        let mut config = SandboxConfig::new()
            .listen(self.listen)
            .token_ttl(Duration::from_secs(self.token_ttl_secs))
            .limits(Limits {
                merchants: self.max_merchants,
                customers: self.max_customers,
                transactions: self.max_transactions,
                journal_bytes: self.journal_bytes,
                ..Limits::default()
            })
            .server_limits(ServerLimits {
                max_connections: self.max_connections,
                ..ServerLimits::default()
            });
        for key in &self.api_keys {
            config = config.api_key(key.clone());
        }
        for (auth, api) in &self.auth_keys {
            config = config.auth_key(auth.clone(), api.clone());
        }
        if let Some(token) = &self.admin_token {
            config = config.admin_token(token.clone());
        }
        if let Some(seed) = self.seed {
            config = config.seed(seed);
        }
        if let Some(path) = &self.data {
            config = config.data(path.clone());
        }
        config
    }
}

/// Start the sandbox, print `listening on http://ADDR` as the first stdout line, and
/// serve until Ctrl-C.
pub async fn run(args: SandboxArgs) -> anyhow::Result<()> {
    let config = args.config();
    let access = config.admin_access();
    let sandbox = Sandbox::start(config).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {}", sandbox.base_url())?;
        out.flush()?;
    }
    tracing::info!(addr = %sandbox.addr(), keys = args.api_keys.len(), "sandbox started");
    match &args.data {
        Some(path) => tracing::info!(
            data = %path.display(),
            schema = crate::persist::SCHEMA_VERSION,
            "state saved in the data file"
        ),
        None => tracing::info!("state in memory (--data PATH keeps it across restarts)"),
    }
    // On stderr: stdout's contract is its one `listening on` line.
    match access {
        AdminAccess::Open => {
            tracing::info!("admin API open at /__sandbox (loopback, no API keys, no admin token)")
        }
        AdminAccess::Token(_) => {
            tracing::info!("admin API at /__sandbox needs Authorization: Bearer <admin token>")
        }
        // Sandbox::start already warned that it is off.
        AdminAccess::Off => {}
    }
    tokio::signal::ctrl_c().await?;
    tracing::info!("shutting down");
    drop(sandbox);
    Ok(())
}
