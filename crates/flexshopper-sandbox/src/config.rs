//! How a sandbox is configured (builder style).

use std::net::SocketAddr;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub(crate) listen: SocketAddr,
    pub(crate) api_keys: Vec<String>,
    pub(crate) token_ttl: Duration,
    /// FlexSDK authorization keys and the API key (merchant) each belongs to.
    pub(crate) auth_keys: Vec<(String, String)>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            api_keys: Vec::new(),
            token_ttl: Duration::from_secs(3600),
            auth_keys: Vec::new(),
        }
    }
}

impl SandboxConfig {
    /// Any API key accepted (each is its own merchant), listening on 127.0.0.1:0.
    pub fn new() -> Self {
        Self::default()
    }

    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Accept this API key; once any is given, only the given keys are accepted.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_keys.push(key.into());
        self
    }

    /// Customer token lifetime on the sandbox clock (default one hour).
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// Bind a FlexSDK authorization key (public, used by `/sdk/js?authKey=`) to the API key
    /// of the merchant it belongs to: transactions created from the browser with it belong
    /// to that merchant. Repeatable; also `POST /__sandbox/auth-keys` at run time.
    pub fn auth_key(mut self, auth_key: impl Into<String>, api_key: impl Into<String>) -> Self {
        self.auth_keys.push((auth_key.into(), api_key.into()));
        self
    }
}
