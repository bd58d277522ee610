//! `flexshopper-sandbox --listen 127.0.0.1:8080 [--api-key K]... [--token-ttl-secs N]`

use clap::Parser;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "flexshopper-sandbox",
    version,
    about = "A stateful FlexShopper API simulator"
)]
struct Cli {
    #[command(flatten)]
    args: flexshopper_sandbox::cli::SandboxArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    flexshopper_sandbox::cli::run(Cli::parse().args).await
}
