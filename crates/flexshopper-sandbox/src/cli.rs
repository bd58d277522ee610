//! Command-line options, shared by the `flexshopper-sandbox` binary and `flexshopper sandbox`.

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

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
            .token_ttl(Duration::from_secs(self.token_ttl_secs));
        for key in &self.api_keys {
            config = config.api_key(key.clone());
        }
        for (auth, api) in &self.auth_keys {
            config = config.auth_key(auth.clone(), api.clone());
        }
        config
    }
}

/// Start the sandbox, print `listening on http://ADDR` as the first stdout line, and
/// serve until Ctrl-C.
pub async fn run(args: SandboxArgs) -> anyhow::Result<()> {
    let sandbox = Sandbox::start(args.config()).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {}", sandbox.base_url())?;
        out.flush()?;
    }
    tracing::info!(addr = %sandbox.addr(), keys = args.api_keys.len(), "sandbox started");
    tokio::signal::ctrl_c().await?;
    tracing::info!("shutting down");
    drop(sandbox);
    Ok(())
}
