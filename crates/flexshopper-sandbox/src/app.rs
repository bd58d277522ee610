//! Shared state and the extractors every handler uses: the merchant (API key), the
//! customer (customer token), request bodies parsed into the generated types, paths
//! and query strings, all refusing bad input with FlexShopper's envelope.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::config::SandboxConfig;
use crate::error::{ApiError, ApiResult, Code};
use crate::faults::Faults;
use crate::journal::Journal;
use crate::persist::{Database, Durability, OpenError};
use crate::store::Store;

#[derive(Debug)]
pub struct Shared {
    pub config: SandboxConfig,
    /// An async lock: a request waiting for the store leaves its worker thread free
    /// for other requests (a blocked std mutex would idle the worker).
    pub store: tokio::sync::Mutex<Store>,
    pub journal: Mutex<Journal>,
    pub faults: Mutex<Faults>,
    pub sdk: Mutex<crate::flexsdk::SdkState>,
    /// Set with a data file: where changes go to be saved.
    pub durability: Option<Durability>,
}

#[derive(Debug, Clone)]
pub struct AppState(pub Arc<Shared>);

/// A poisoned lock only means a handler panicked mid-update; the sandbox keeps serving.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl AppState {
    /// An in-memory sandbox.
    pub fn new(config: SandboxConfig) -> Self {
        let store = Store::new(config.limits, config.seed);
        Self::with_store(config, store, None)
    }

    /// A sandbox on its configured data file (restoring what the file holds), or in
    /// memory without one.
    pub fn open(config: SandboxConfig) -> Result<Self, OpenError> {
        let Some(path) = config.data.clone() else {
            return Ok(Self::new(config));
        };
        let mut db = Database::open(&path)?;
        let store = match db.load()? {
            Some(snapshot) => {
                Store::restore(snapshot, config.limits, config.seed).map_err(|e| {
                    OpenError::Corrupt {
                        path: path.clone(),
                        detail: e.to_string(),
                    }
                })?
            }
            None => Store::new(config.limits, config.seed),
        };
        let durability =
            Durability::start(move |changes| db.save(changes).map_err(|e| e.to_string()));
        Ok(Self::with_store(config, store, Some(durability)))
    }

    fn with_store(config: SandboxConfig, mut store: Store, durability: Option<Durability>) -> Self {
        for (auth, api) in &config.auth_keys {
            store.bind_auth_key(auth, api);
        }
        let state = AppState(Arc::new(Shared {
            store: tokio::sync::Mutex::new(store),
            journal: Mutex::new(Journal::new(&config.limits)),
            faults: Mutex::new(Faults::default()),
            sdk: Mutex::new(crate::flexsdk::SdkState::default()),
            durability,
            config,
        }));
        // Save the restored epoch and the configured bindings before serving (nobody
        // else can hold the lock yet).
        drop(StoreGuard {
            store: state.0.store.try_lock().expect("a new store is unlocked"),
            durability: state.0.durability.as_ref(),
        });
        state
    }

    pub fn config(&self) -> &SandboxConfig {
        &self.0.config
    }

    /// The store, locked. What the holder changes is saved (with a data file) when the
    /// guard is dropped; the request's response waits for it.
    pub async fn store(&self) -> StoreGuard<'_> {
        StoreGuard {
            store: self.0.store.lock().await,
            durability: self.0.durability.as_ref(),
        }
    }

    pub fn durability(&self) -> Option<&Durability> {
        self.0.durability.as_ref()
    }
    pub fn journal(&self) -> MutexGuard<'_, Journal> {
        lock(&self.0.journal)
    }
    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        lock(&self.0.faults)
    }
    pub fn sdk(&self) -> MutexGuard<'_, crate::flexsdk::SdkState> {
        lock(&self.0.sdk)
    }
    pub fn token_ttl(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.0.config.token_ttl).unwrap_or(chrono::Duration::hours(1))
    }
}

/// The locked store; on drop, its changes go to the data file (or are forgotten in memory).
#[derive(Debug)]
pub struct StoreGuard<'a> {
    store: tokio::sync::MutexGuard<'a, Store>,
    durability: Option<&'a Durability>,
}

impl Deref for StoreGuard<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

impl DerefMut for StoreGuard<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        &mut self.store
    }
}

impl Drop for StoreGuard<'_> {
    fn drop(&mut self) {
        match self.durability {
            None => self.store.discard_changes(),
            Some(d) => {
                let changes = self.store.take_changes();
                if !changes.is_empty() {
                    d.submit(changes);
                }
            }
        }
    }
}

/// The merchant making the request, identified by its API key (`Authorization`, raw).
#[derive(Debug, Clone)]
pub struct Merchant {
    pub id: String,
}

impl FromRequestParts<AppState> for Merchant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        // Authenticated once per request by the gate; handlers read the result.
        if let Some(m) = parts.extensions.get::<Merchant>() {
            return Ok(m.clone());
        }
        let key = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or_else(ApiError::no_api_key)?;
        let keys = &state.0.config.api_keys;
        if !keys.is_empty() && !keys.iter().any(|k| k == key) {
            return Err(ApiError::invalid_api_key());
        }
        Ok(Merchant {
            id: crate::merchant_id(key),
        })
    }
}

/// The customer of a customer token, valid only with the API key that minted it.
#[derive(Debug, Clone)]
pub struct Customer {
    pub merchant: String,
    pub user_id: String,
}

impl FromRequestParts<AppState> for Customer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        if let Some(c) = parts.extensions.get::<Customer>() {
            return Ok(c.clone());
        }
        let merchant = Merchant::from_request_parts(parts, state).await?;
        let token = parts
            .headers
            .get("customer-token")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::new(
                    Code::InvalidToken,
                    "customer-token: a customer token is required",
                )
            })?;
        let user_id = state.store().await.resolve_token(&merchant.id, token)?;
        Ok(Customer {
            merchant: merchant.id,
            user_id,
        })
    }
}

/// Make what real clients send acceptable to the generated types: quantities as numeric
/// strings (`"1"`, `"1.0000"`, FlexShopper's Magento plugin) or integral floats, and a
/// legacy string `shipping.cost`.
pub fn normalize(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match (k.as_str(), &*v) {
                    ("quantity", Value::String(s)) => {
                        if let Some(n) = integral(s) {
                            *v = Value::from(n);
                        }
                    }
                    ("quantity", Value::Number(n)) if n.as_u64().is_none() => {
                        if let Some(f) = n
                            .as_f64()
                            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1e15)
                        {
                            *v = Value::from(f as u64);
                        }
                    }
                    ("cost", Value::String(s)) => {
                        if let Some(n) = s
                            .trim()
                            .parse::<f64>()
                            .ok()
                            .and_then(serde_json::Number::from_f64)
                        {
                            *v = Value::Number(n);
                        }
                    }
                    _ => normalize(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize),
        _ => {}
    }
}

/// `"3"` or `"3.0000"` → 3; anything else stays as it is (and is refused by the type).
fn integral(s: &str) -> Option<u64> {
    let s = s.trim();
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b == b'0')
    {
        return None;
    }
    int.parse().ok()
}

/// Parse a JSON body into `T`, naming the offending field on failure.
pub fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let mut value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::validation(format!("body: malformed JSON ({e})")))?;
    normalize(&mut value);
    from_value(value)
}

/// A normalized JSON value into `T`, naming the offending field on failure.
fn from_value<T: DeserializeOwned>(value: Value) -> ApiResult<T> {
    // Tracking the path costs an allocation per key; it is only needed to name the field
    // of a failure, so a value is read plainly first and again with paths if that fails
    // (the second reading alone decides, exactly as before).
    if let Ok(t) = T::deserialize(&value) {
        return Ok(t);
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { "body".to_owned() } else { path };
        ApiError::validation(format!("{path}: {}", e.inner()))
    })
}

/// Read a request body of at most `limit` bytes: a larger one is 413 (announced by
/// `Content-Length` or found while reading), an unreadable one 400.
pub async fn read_body(req: Request, limit: usize) -> ApiResult<(Parts, Bytes)> {
    let (parts, body) = req.into_parts();
    let too_large = || {
        ApiError::plain(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("body: larger than the sandbox's limit of {limit} bytes"),
        )
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => Ok((parts, bytes)),
        Err(e) => {
            let inner = e.into_inner();
            if inner.is::<http_body_util::LengthLimitError>()
                || inner
                    .source()
                    .is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
            {
                Err(too_large())
            } else {
                Err(ApiError::validation("body: unreadable"))
            }
        }
    }
}

/// The raw request body (bounded like every body).
#[derive(Debug)]
pub struct RawBody(pub Bytes);

impl FromRequest<AppState> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> ApiResult<Self> {
        let limit = state.config().server.max_body_bytes;
        read_body(req, limit).await.map(|(_, b)| RawBody(b))
    }
}

/// A JSON body parsed into a generated request type.
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(mut req: Request, state: &AppState) -> ApiResult<Self> {
        if let Some(crate::contract::CheckedBody(value)) = req.extensions_mut().remove() {
            return from_value(value).map(Body);
        }
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::validation("body: a JSON body is required"));
        }
        parse_body(&bytes).map(Body)
    }
}

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(e: axum::extract::rejection::PathRejection) -> Self {
        ApiError::validation(format!("path: {e}"))
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(e: axum::extract::rejection::QueryRejection) -> Self {
        ApiError::validation(format!("query: {e}"))
    }
}

/// `Path` whose rejection is FlexShopper's envelope.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// The raw query pairs; handlers read what they need with [`Params`].
#[derive(Debug)]
pub struct Query(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Query {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Self> {
        let axum::extract::Query(pairs) =
            axum::extract::Query::<Vec<(String, String)>>::from_request_parts(parts, state).await?;
        Ok(Query(pairs))
    }
}

impl Query {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// An integer parameter within `min..=max`, `default` when absent.
    pub fn int(&self, name: &str, default: u64, min: u64, max: u64) -> ApiResult<u64> {
        match self.get(name) {
            None => Ok(default),
            Some(raw) => raw
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| {
                    ApiError::validation(format!(
                        "{name}: expected an integer from {min} to {max}, got {raw:?}"
                    ))
                }),
        }
    }

    /// `page` (1..=1000) and `limit` (1..=1000).
    pub fn paging(&self, default_limit: u64) -> ApiResult<(u64, u64)> {
        Ok((
            self.int("page", 1, 1, 1000)?,
            self.int("limit", default_limit, 1, 1000)?,
        ))
    }

    pub fn bool(&self, name: &str) -> ApiResult<Option<bool>> {
        match self.get(name) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(raw) => Err(ApiError::validation(format!(
                "{name}: expected true or false, got {raw:?}"
            ))),
        }
    }
}

/// Which positions of `count` records a page covers, and the spec's `PageMeta`.
pub fn page_range(
    count: usize,
    page: u64,
    limit: u64,
) -> (std::ops::Range<usize>, flexshopper_api::types::PageMeta) {
    let total = count as u64;
    let start = page.saturating_sub(1).saturating_mul(limit).min(total);
    let end = start.saturating_add(limit).min(total);
    (
        start as usize..end as usize,
        flexshopper_api::types::PageMeta {
            count: total,
            limit,
            page,
            total_pages: total.div_ceil(limit.max(1)),
        },
    )
}

/// One page of `items` and the spec's `PageMeta`.
pub fn page<T: Clone>(
    items: &[T],
    page: u64,
    limit: u64,
) -> (Vec<T>, flexshopper_api::types::PageMeta) {
    let (range, meta) = page_range(items.len(), page, limit);
    (items[range].to_vec(), meta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    /// A request waiting for the store must not block its worker thread: on a runtime
    /// with one thread, the request holding the store could then never finish and
    /// release it (and with two workers, every wait halved the sandbox's throughput).
    #[test]
    fn a_request_waiting_for_the_store_leaves_its_worker_free() {
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .unwrap();
            let local = tokio::task::LocalSet::new();
            local.block_on(&rt, async {
                let state = AppState::new(SandboxConfig::new());
                let holder = state.clone();
                let (held, is_held) = tokio::sync::oneshot::channel();
                let first = tokio::task::spawn_local(async move {
                    let _store = holder.store().await;
                    held.send(()).unwrap();
                    // The other request runs (and waits) while this one holds the store.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                });
                is_held.await.unwrap();
                drop(state.store().await);
                first.await.unwrap();
            });
            done.send(()).unwrap();
        });
        finished
            .recv_timeout(Duration::from_secs(10))
            .expect("the waiting request blocked the only thread, so the store was never released");
    }

    #[test]
    fn numeric_string_quantities_are_accepted() {
        let mut v = json!({"items": [{"sku": "A", "quantity": "1.0000"}, {"sku": "B", "quantity": "2"}, {"sku": "C", "quantity": 3.0}]});
        normalize(&mut v);
        assert_eq!(
            v,
            json!({"items": [{"sku": "A", "quantity": 1}, {"sku": "B", "quantity": 2}, {"sku": "C", "quantity": 3}]})
        );
    }

    #[test]
    fn fractional_quantities_stay_invalid() {
        let mut v = json!({"quantity": "1.5"});
        normalize(&mut v);
        assert_eq!(v, json!({"quantity": "1.5"}));
    }
}
