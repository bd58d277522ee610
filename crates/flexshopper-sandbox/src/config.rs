//! How a sandbox is configured (builder style).

use std::net::SocketAddr;
use std::time::Duration;

/// How much a long-running sandbox keeps: when a limit is reached the oldest records go
/// (the least recently used merchant, the oldest customer, the oldest transaction with
/// its lease), and `GET /__sandbox/state` counts what was evicted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Merchants (API keys) with any state.
    pub merchants: usize,
    /// Customers, over all merchants.
    pub customers: usize,
    /// Transactions (each with its lease), over all merchants.
    pub transactions: usize,
    /// Payment methods, payments, prequalifications and checkouts, each, per merchant.
    pub records: usize,
    /// Live customer tokens, over all merchants.
    pub tokens: usize,
    /// Bytes the request journal may hold (entries, headers and bodies counted).
    pub journal_bytes: usize,
    /// Bytes of one request body the journal keeps; the rest is cut.
    pub journal_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            merchants: 1_000,
            customers: 50_000,
            transactions: 50_000,
            records: 50_000,
            tokens: 100_000,
            journal_bytes: 16 << 20,
            journal_body_bytes: 4 << 10,
        }
    }
}

/// Connection handling of the sandbox's own server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// Time a client has to send a request's headers once it started.
    pub header_read_timeout: Duration,
    /// A connection with no request in flight and no traffic for this long is closed.
    pub idle_timeout: Duration,
    /// Connections served at once; more wait in the kernel's accept queue.
    pub max_connections: usize,
    /// Largest request body; a larger one is answered 413.
    pub max_body_bytes: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1_024,
            max_body_bytes: 1 << 20,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub(crate) listen: SocketAddr,
    pub(crate) api_keys: Vec<String>,
    pub(crate) token_ttl: Duration,
    /// FlexSDK authorization keys and the API key (merchant) each belongs to.
    pub(crate) auth_keys: Vec<(String, String)>,
    pub(crate) admin_token: Option<String>,
    pub(crate) seed: Option<u64>,
    pub(crate) limits: Limits,
    pub(crate) server: ServerLimits,
    /// SQLite file holding the state; `None` keeps it in memory.
    pub(crate) data: Option<std::path::PathBuf>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            api_keys: Vec::new(),
            token_ttl: Duration::from_secs(3600),
            auth_keys: Vec::new(),
            admin_token: None,
            seed: None,
            limits: Limits::default(),
            server: ServerLimits::default(),
            data: None,
        }
    }
}

/// Who may use the admin API (`/__sandbox/*` except `GET /__sandbox/scenarios`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminAccess {
    /// Loopback, any API key, no admin token: the embedded sandbox of tests and the CLI.
    Open,
    /// `Authorization: Bearer TOKEN` is required.
    Token(String),
    /// A shared sandbox (API keys or a non-loopback address) without an admin token.
    Off,
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

    /// Require `Authorization: Bearer TOKEN` on the admin API. Without it the admin API
    /// is open on a loopback sandbox that accepts any key, and off otherwise.
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(token.into()).filter(|t| !t.is_empty());
        self
    }

    /// Deterministic ids and tokens from this seed (tests that compare runs). Without a
    /// seed they come from a CSPRNG seeded by the operating system.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Retention and journal limits (see [`Limits`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Timeouts, connection and body limits of the server (see [`ServerLimits`]).
    pub fn server_limits(mut self, server: ServerLimits) -> Self {
        self.server = server;
        self
    }

    /// Keep the state in this SQLite file (created when missing): every change the sandbox
    /// acknowledges is on disk before the response, and a restart on the same file
    /// restores it. Without it the state lives in memory and ends with the process.
    pub fn data(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.data = Some(path.into());
        self
    }

    /// Who may use the admin API with this configuration.
    pub fn admin_access(&self) -> AdminAccess {
        match &self.admin_token {
            Some(t) => AdminAccess::Token(t.clone()),
            None if self.api_keys.is_empty() && self.listen.ip().is_loopback() => AdminAccess::Open,
            None => AdminAccess::Off,
        }
    }

    /// The admin token, when one is set.
    pub fn admin_token_value(&self) -> Option<&str> {
        self.admin_token.as_deref()
    }
}
