//! The client: configuration, the one pooled HTTP client, and the escape hatch to the
//! generated API.

use crate::error::Error;
use crate::retry::RetryPolicy;
use crate::secret::{ApiKey, KeyFingerprint};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use std::time::Instant;

/// Where the client sends requests.
///
/// ```
/// use flexshopper::Environment;
/// assert_eq!(Environment::Sandbox.base_url(), "https://apis.sandbox.flexshopper.com");
/// assert_eq!(Environment::Custom("http://127.0.0.1:8080/".into()).base_url(), "http://127.0.0.1:8080");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Environment {
    /// FlexShopper's sandbox (issued sandbox credentials).
    #[default]
    Sandbox,
    /// FlexShopper production.
    Production,
    /// Any other base URL, e.g. a local `flexshopper-sandbox`.
    Custom(String),
}

impl Environment {
    /// The base URL, without a trailing slash (paths start with `/v3`).
    pub fn base_url(&self) -> &str {
        match self {
            Environment::Sandbox => "https://apis.sandbox.flexshopper.com",
            Environment::Production => "https://apis.flexshopper.com",
            Environment::Custom(url) => url.trim_end_matches('/'),
        }
    }

    /// Whether the base URL is usable: an `http://` or `https://` URL with a host and
    /// no query or fragment. [`FlexShopperBuilder::build`] refuses a client whose
    /// environment fails this, so a typo never surfaces later as a transport error.
    ///
    /// ```
    /// use flexshopper::Environment;
    /// assert!(Environment::Custom("http://127.0.0.1:8080".into()).check().is_ok());
    /// let reason = Environment::Custom("not a url".into()).check().unwrap_err();
    /// assert!(reason.contains("not a URL"), "{reason}");
    /// assert!(Environment::Custom("ftp://example.com".into()).check().is_err());
    /// ```
    pub fn check(&self) -> Result<(), String> {
        let url = self.base_url();
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!(
                "`{url}` must be an http:// or https:// URL, not {}://",
                parsed.scheme()
            ));
        }
        if parsed.host().is_none() {
            return Err(format!("`{url}` has no host"));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(format!("`{url}` must not have a query or fragment"));
        }
        Ok(())
    }
}

/// Configures a [`FlexShopper`] client.
///
/// ```
/// use flexshopper::{Environment, FlexShopper, RetryPolicy};
/// use std::time::Duration;
/// let client = FlexShopper::builder()
///     .api_key("merchant-key")
///     .environment(Environment::Production)
///     .attempt_timeout(Duration::from_secs(10))
///     .total_timeout(Duration::from_secs(30))
///     .retry_policy(RetryPolicy::default().max_attempts(4))
///     .user_agent("my-shop/1.2")
///     .build()
///     .unwrap();
/// assert!(!format!("{client:?}").contains("merchant-key"));
/// ```
#[derive(Debug)]
#[must_use]
pub struct FlexShopperBuilder {
    api_key: Option<ApiKey>,
    environment: Environment,
    attempt_timeout: Duration,
    connect_timeout: Duration,
    total_timeout: Duration,
    retry: RetryPolicy,
    user_agent: String,
    settings_ttl: Duration,
    http: Option<reqwest::ClientBuilder>,
}

impl Default for FlexShopperBuilder {
    fn default() -> Self {
        Self {
            api_key: None,
            environment: Environment::default(),
            attempt_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(90),
            retry: RetryPolicy::default(),
            user_agent: concat!("flexshopper-rs/", env!("CARGO_PKG_VERSION")).to_string(),
            settings_ttl: Duration::from_secs(300),
            http: None,
        }
    }
}

impl FlexShopperBuilder {
    /// The merchant API key (required). Held as a secret; sent raw in `Authorization`.
    pub fn api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Sandbox (default), Production or a custom base URL.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Timeout of one attempt (connect, send, read the answer). Default 30 s.
    pub fn attempt_timeout(mut self, d: Duration) -> Self {
        self.attempt_timeout = d;
        self
    }

    /// Timeout of connecting. Default 10 s.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Timeout of a whole operation, retries and backoff included. Default 90 s.
    pub fn total_timeout(mut self, d: Duration) -> Self {
        self.total_timeout = d;
        self
    }

    /// When and how to retry. Default: 3 attempts, backoff 200 ms doubling up to 5 s.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// How long the merchant's lease settings (the lease minimum every
    /// [`FlexShopper::create_lease`] checks) are cached. Default 5 minutes; zero reads
    /// them before every lease.
    pub fn settings_ttl(mut self, ttl: Duration) -> Self {
        self.settings_ttl = ttl;
        self
    }

    /// Builds the HTTP client from your own `reqwest::ClientBuilder`: proxies, custom
    /// root certificates, client certificates, DNS, pool settings. This crate adds
    /// the API key (as a sensitive default header), the user agent and the timeouts
    /// to it. A builder rather than a built `reqwest::Client`: the generated client
    /// has no per-request hook, and a built client cannot take the key as a default
    /// header afterwards. [`reqwest`] is re-exported so the versions always match.
    ///
    /// ```
    /// use flexshopper::{Environment, FlexShopper, reqwest};
    /// let http = reqwest::Client::builder()
    ///     .proxy(reqwest::Proxy::all("http://proxy.internal:3128")?)
    ///     .pool_max_idle_per_host(4);
    /// let client = FlexShopper::builder()
    ///     .api_key("merchant-key")
    ///     .environment(Environment::Production)
    ///     .http_client_builder(http)
    ///     .build()?;
    /// assert!(!format!("{client:?}").contains("merchant-key"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn http_client_builder(mut self, builder: reqwest::ClientBuilder) -> Self {
        self.http = Some(builder);
        self
    }

    /// Builds the client (one connection pool shared by all its clones). Refuses a
    /// missing API key and an unusable environment ([`Environment::check`]).
    pub fn build(self) -> Result<FlexShopper, Error> {
        let key = self.api_key.ok_or_else(|| {
            Error::config("an API key is required (FlexShopper::builder().api_key(..))")
        })?;
        self.environment
            .check()
            .map_err(|reason| Error::config(format!("environment: {reason}")))?;
        let http = http_client(
            self.http.unwrap_or_default(),
            &key,
            &self.user_agent,
            self.attempt_timeout,
            self.connect_timeout,
        )?;
        let base_url = self.environment.base_url().to_string();
        let api = flexshopper_api::Client::new_with_client(&base_url, http.clone());
        Ok(FlexShopper {
            inner: Arc::new(Inner {
                api,
                http,
                fingerprint: KeyFingerprint::of(&key),
                base_url,
                retry: self.retry,
                total_timeout: self.total_timeout,
                attempt_timeout: self.attempt_timeout,
                settings_ttl: self.settings_ttl,
                settings: Mutex::new(None),
            }),
        })
    }
}

/// The `Authorization` value, marked sensitive so reqwest and hyper never print it;
/// this is the only place the key is exposed.
fn auth_header(key: &ApiKey) -> Result<reqwest::header::HeaderValue, Error> {
    let mut auth = reqwest::header::HeaderValue::from_str(key.expose())
        .map_err(|_| Error::config("the API key contains characters not allowed in a header"))?;
    auth.set_sensitive(true);
    Ok(auth)
}

/// With the `rustls-ring` feature alone, rustls needs a process-wide crypto provider:
/// ring, unless the application installed another one first.
fn install_crypto_provider() {
    #[cfg(all(feature = "rustls-ring", not(feature = "rustls")))]
    {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Err only means another thread installed one in between: that one is used.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
    }
}

/// The API key goes into a default header of the client this crate builds.
fn http_client(
    builder: reqwest::ClientBuilder,
    key: &ApiKey,
    user_agent: &str,
    attempt: Duration,
    connect: Duration,
) -> Result<reqwest::Client, Error> {
    install_crypto_provider();
    let auth = auth_header(key)?;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, auth);
    builder
        .default_headers(headers)
        .user_agent(user_agent)
        .timeout(attempt)
        .connect_timeout(connect)
        .build()
        .map_err(|e| Error::Config {
            reason: "the HTTP client could not be built".into(),
            source: Some(Box::new(e)),
        })
}

/// A FlexShopper client: cheap to clone (an `Arc`), `Send + Sync`, one connection pool.
///
/// ```
/// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
/// use flexshopper::{Environment, FlexShopper};
/// let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
/// let client = FlexShopper::builder()
///     .api_key("merchant-key")
///     .environment(Environment::Custom(sandbox.base_url().into()))
///     .build()?;
/// let minimum = client.lease_minimum().await?;
/// assert_eq!(minimum.to_string(), "49.95");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct FlexShopper {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) api: flexshopper_api::Client,
    pub(crate) http: reqwest::Client,
    pub(crate) fingerprint: KeyFingerprint,
    pub(crate) base_url: String,
    pub(crate) retry: RetryPolicy,
    pub(crate) total_timeout: Duration,
    pub(crate) attempt_timeout: Duration,
    pub(crate) settings_ttl: Duration,
    pub(crate) settings: Mutex<Option<(Instant, crate::merchant::LeaseSettings)>>,
}

impl fmt::Debug for FlexShopper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlexShopper")
            .field("base_url", &self.inner.base_url)
            .field("key", &self.inner.fingerprint)
            .field("retry", &self.inner.retry)
            .field("total_timeout", &self.inner.total_timeout)
            .finish_non_exhaustive()
    }
}

impl FlexShopper {
    /// Starts configuring a client.
    pub fn builder() -> FlexShopperBuilder {
        FlexShopperBuilder::default()
    }

    /// The configured generated client (API key, timeouts, pool): the escape hatch for
    /// any operation this crate does not wrap. Calls made through it get no retries,
    /// session checks or error mapping.
    ///
    /// ```
    /// # #[tokio::main] async fn main() {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build().unwrap();
    /// let settings = client.api().get_lease_settings().send().await.unwrap();
    /// assert_eq!(settings.data.minimum_order_value.0.to_string(), "49.95");
    /// # }
    /// ```
    pub fn api(&self) -> &flexshopper_api::Client {
        &self.inner.api
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The fingerprint of this client's API key (not secret).
    pub fn key_fingerprint(&self) -> KeyFingerprint {
        self.inner.fingerprint
    }

    /// The pooled HTTP client (with the API key as a default header).
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone>() {}

    #[test]
    fn client_is_send_sync_and_clone() {
        assert_send_sync::<FlexShopper>();
    }

    #[test]
    fn building_without_a_key_is_a_config_error() {
        let err = FlexShopper::builder().build().unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err}");
    }

    #[test]
    fn a_malformed_custom_url_is_refused_at_build() {
        for url in [
            "not a url",
            "ftp://x.example",
            "http://",
            "https://x.example/?q=1",
        ] {
            let err = FlexShopper::builder()
                .api_key("k")
                .environment(Environment::Custom(url.into()))
                .build()
                .unwrap_err();
            assert!(
                matches!(err, Error::Config { .. }) && err.to_string().contains("environment"),
                "{url}: {err}"
            );
        }
    }

    #[test]
    fn debug_never_shows_the_key() {
        let c = FlexShopper::builder()
            .api_key("TOPSECRETKEY")
            .build()
            .unwrap();
        let s = format!("{c:?} {:?} {:?}", c.api(), c.http());
        assert!(!s.contains("TOPSECRETKEY"), "{s}");
    }
}
