//! Which server a command talks to: the embedded sandbox by default, FlexShopper with
//! an API key and `--env`, or any `--base-url`.

use crate::args::{EnvArg, GlobalArgs};
use crate::error::CliError;
use flexshopper::{Environment, FlexShopper};
use flexshopper_sandbox::{Sandbox, SandboxConfig};

/// The key the embedded sandbox is used with; it accepts any key, each its own merchant.
const EMBEDDED_KEY: &str = "flexshopper-cli-embedded";

/// A configured client and, when embedded, the sandbox it talks to (stopped on drop).
#[derive(Debug)]
pub struct Target {
    pub client: FlexShopper,
    pub description: String,
    pub embedded: bool,
    _sandbox: Option<Sandbox>,
}

pub async fn resolve(global: &GlobalArgs) -> Result<Target, CliError> {
    // Only from the environment: a key on the command line would land in shell history.
    let key = std::env::var("FLEXSHOPPER_API_KEY")
        .ok()
        .filter(|k| !k.is_empty());
    let key = key.as_deref();
    let environment = match (&global.base_url, global.env) {
        (Some(url), _) => Some(Environment::Custom(url.clone())),
        (None, Some(EnvArg::Sandbox)) => Some(Environment::Sandbox),
        (None, Some(EnvArg::Production)) => Some(Environment::Production),
        (None, None) => None,
    };
    match (environment, key) {
        (Some(env), Some(key)) => remote(env, key),
        (Some(_), None) => Err(CliError::usage(
            "FLEXSHOPPER_API_KEY",
            "set it to your merchant API key to use --env or --base-url",
        )),
        (None, key) => embedded(key.is_some()).await,
    }
}

fn remote(environment: Environment, key: &str) -> Result<Target, CliError> {
    let description = format!("FlexShopper at {}", environment.base_url());
    let client = FlexShopper::builder()
        .api_key(key)
        .environment(environment)
        .build()?;
    Ok(Target {
        client,
        description,
        embedded: false,
        _sandbox: None,
    })
}

/// Starts the simulator in-process. A key in the environment is not used here: without
/// `--env`/`--base-url` nothing leaves this machine.
async fn embedded(key_was_set: bool) -> Result<Target, CliError> {
    let sandbox = start_sandbox().await?;
    let mut description = format!(
        "embedded sandbox at {} (a local FlexShopper simulator; no credentials needed)",
        sandbox.base_url()
    );
    if key_was_set {
        description.push_str("; FLEXSHOPPER_API_KEY is ignored without --env or --base-url");
    }
    let client = FlexShopper::builder()
        .api_key(EMBEDDED_KEY)
        .environment(Environment::Custom(sandbox.base_url().into()))
        .build()?;
    Ok(Target {
        client,
        description,
        embedded: true,
        _sandbox: Some(sandbox),
    })
}

/// Starts an in-process sandbox (any API key accepted, each its own merchant).
pub(crate) async fn start_sandbox() -> Result<Sandbox, CliError> {
    Sandbox::start(SandboxConfig::new())
        .await
        .map_err(|source| CliError::Io {
            context: "starting the embedded sandbox".into(),
            source,
        })
}
