//! How a sandbox is configured (builder style).

use std::net::SocketAddr;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub(crate) listen: SocketAddr,
    pub(crate) api_keys: Vec<String>,
    pub(crate) token_ttl: Duration,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            api_keys: Vec::new(),
            token_ttl: Duration::from_secs(3600),
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
}
