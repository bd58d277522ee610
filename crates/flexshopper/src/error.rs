//! One error type for every operation, saying what happened to the request.
//!
//! Modelled on aws-sdk-rust's `SdkError`: the service said no ([`Error::Api`], with a
//! typed [`ErrorCode`]), the request could not be sent or its answer was lost
//! ([`Error::Transport`], with whether it *may* have been sent), it timed out, the
//! answer could not be read, or the client refused it before sending (validation,
//! token/key mismatch, workflow). A caller can decide what to do from the type alone:
//! [`Error::is_retryable`] and [`Error::may_have_been_applied`].

use crate::lease::JourneyStep;
use crate::secret::KeyFingerprint;
use crate::validate::ValidationError;
use std::fmt;
use std::time::Duration;

/// Boxed source error.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong when talking to FlexShopper.
///
/// ```
/// # #[tokio::main] async fn main() {
/// use flexshopper::{Environment, Error, ErrorCode, FlexShopper};
/// let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
/// let client = FlexShopper::builder()
///     .api_key("merchant-key")
///     .environment(Environment::Custom(sandbox.base_url().into()))
///     .build()
///     .unwrap();
/// let err = client.transaction("no-such-order").await.unwrap_err();
/// assert_eq!(err.code(), Some(&ErrorCode::TransactionNotFound));
/// assert!(!err.is_retryable());
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// FlexShopper answered with an error status.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// The request could not be sent, or its response was lost.
    #[error(
        "could not complete {operation} because the connection to FlexShopper failed{}; check the network and base URL, then retry{}",
        if *may_have_been_sent { " after the request may have been sent" } else { " before the request was sent" },
        if *may_have_been_sent { " only after checking whether it took effect" } else { "" }
    )]
    Transport {
        /// The operation id (`createLease`, …).
        operation: &'static str,
        /// Whether the server may have received (and applied) the request.
        may_have_been_sent: bool,
        /// The underlying HTTP client error.
        #[source]
        source: reqwest::Error,
    },

    /// The request took longer than the configured timeout.
    #[error(
        "{operation} timed out after {after:?}; the request may have been applied, so check its effect before retrying or raise the timeout"
    )]
    Timeout {
        /// The operation id.
        operation: &'static str,
        /// The timeout that expired (per attempt or total).
        after: Duration,
        /// The underlying HTTP client error, when the per-attempt timeout fired.
        #[source]
        source: Option<reqwest::Error>,
    },

    /// FlexShopper answered, but the body could not be decoded.
    #[error("FlexShopper's answer to {operation} (HTTP {}) could not be read: {excerpt}; the request was applied, so read its state before retrying", status.map_or("?".to_string(), |s| s.to_string()))]
    Decode {
        /// The operation id.
        operation: &'static str,
        /// The HTTP status, if known.
        status: Option<u16>,
        /// A short excerpt of the body, secrets scrubbed.
        excerpt: String,
        /// The decoding error.
        #[source]
        source: BoxError,
    },

    /// The input was refused before sending: a field is missing or malformed.
    #[error(transparent)]
    Validation(#[from] ValidationError),

    /// A customer session minted under another API key was used with this client.
    ///
    /// FlexShopper suspends both merchant accounts when a token is used with the wrong
    /// key, so the client refuses before sending anything.
    #[error(
        "refused {operation}: the customer session was minted with API key {session_key} but this client uses {client_key}; mint a new session with this client (FlexShopper suspends accounts that mix them)"
    )]
    TokenKeyMismatch {
        /// The operation that was refused.
        operation: &'static str,
        /// Fingerprint of the key that minted the session.
        session_key: KeyFingerprint,
        /// Fingerprint of this client's key.
        client_key: KeyFingerprint,
    },

    /// The lease journey cannot continue from where it is.
    #[error(transparent)]
    Workflow(#[from] WorkflowError),

    /// The client could not be built.
    #[error("invalid FlexShopper client configuration: {reason}; fix the builder call")]
    Config {
        /// What is wrong.
        reason: String,
        /// The underlying error, if any.
        #[source]
        source: Option<BoxError>,
    },
}

impl Error {
    /// Whether repeating the same request could succeed (throttling, 5xx gateway
    /// errors, transport failures, timeouts). It says nothing about safety: see
    /// [`Error::may_have_been_applied`].
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => matches!(e.status, 408 | 429 | 500 | 502 | 503 | 504),
            Error::Transport { .. } | Error::Timeout { .. } => true,
            _ => false,
        }
    }

    /// Whether the request may have taken effect on FlexShopper even though no success
    /// was seen. When true, check the effect (e.g. GET the transaction) before repeating.
    pub fn may_have_been_applied(&self) -> bool {
        match self {
            Error::Api(e) => matches!(e.status, 500 | 502 | 504),
            Error::Transport {
                may_have_been_sent, ..
            } => *may_have_been_sent,
            Error::Timeout { .. } | Error::Decode { .. } => true,
            _ => false,
        }
    }

    /// Whether the request certainly never reached FlexShopper (the connection failed
    /// before it was sent), so that even a non-idempotent call can be sent again.
    pub fn never_reached_flexshopper(&self) -> bool {
        matches!(
            self,
            Error::Transport {
                may_have_been_sent: false,
                ..
            }
        )
    }

    /// The API error code, if FlexShopper sent one.
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Error::Api(e) => e.code.as_ref(),
            _ => None,
        }
    }

    /// The HTTP status, if FlexShopper answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode { status, .. } => *status,
            _ => None,
        }
    }

    /// The API error, if FlexShopper answered with one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn config(reason: impl Into<String>) -> Self {
        Error::Config {
            reason: reason.into(),
            source: None,
        }
    }

    /// The server's `Retry-After`, if it sent one.
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        self.as_api().and_then(|e| e.retry_after)
    }
}

/// An error status from FlexShopper with its code and message.
///
/// ```
/// use flexshopper::{ApiError, ErrorCode};
/// let e = ApiError::new("createLease", 400, Some(ErrorCode::LeaseAmountNotSatisfied), "too small");
/// assert!(e.to_string().contains("LeaseAmountNotSatisfied"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation id.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The logical code, when the body carried one (gateway errors have none).
    pub code: Option<ErrorCode>,
    /// FlexShopper's message (may be empty).
    pub message: String,
    /// A short excerpt of the error body, secrets scrubbed.
    pub excerpt: String,
    /// The server's `Retry-After`, if any.
    pub retry_after: Option<Duration>,
}

impl ApiError {
    /// An API error without body excerpt or `Retry-After` (for tests and fixtures).
    pub fn new(
        operation: &'static str,
        status: u16,
        code: Option<ErrorCode>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            operation,
            status,
            code,
            message: message.into(),
            excerpt: String::new(),
            retry_after: None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self
            .code
            .as_ref()
            .map_or_else(String::new, |c| format!(" {c}"));
        let message = if self.message.is_empty() {
            String::new()
        } else {
            format!(" \"{}\"", self.message)
        };
        let hint = self
            .code
            .as_ref()
            .map_or_else(|| status_hint(self.status), ErrorCode::hint);
        write!(
            f,
            "FlexShopper refused {} with HTTP {}{code}{message}; {hint}",
            self.operation, self.status
        )
    }
}

impl std::error::Error for ApiError {}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

fn status_hint(status: u16) -> &'static str {
    match status {
        401 => "check the API key",
        403 => "this merchant may not do that",
        404 => "check the id",
        408 | 429 | 502..=504 => "retry later",
        500..=599 => "FlexShopper failed; check whether the request took effect before retrying",
        _ => "fix the request and try again",
    }
}

/// The raw value of an error code FlexShopper sent that this crate does not know.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RawCode {
    /// A string code.
    Text(String),
    /// An integer code.
    Number(i64),
}

impl fmt::Display for RawCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RawCode::Text(s) => f.write_str(s),
            RawCode::Number(n) => write!(f, "{n}"),
        }
    }
}

/// Where a code comes from, as the spec's `x-error-codes` registry records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeSource {
    /// A FlexShopper page shows it.
    Documented,
    /// The documents describe the situation; the code (or its status) is this
    /// project's name for it. FlexShopper may send something else.
    Inferred,
    /// Only the flexshopper-sandbox simulator sends it, for its own bookkeeping.
    Sandbox,
}

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $wire:tt, $source:ident => $hint:literal ),* $(,)?) => {
        /// FlexShopper's logical error codes, each with where it comes from
        /// ([`ErrorCode::source`]); anything else is kept verbatim in `Other`.
        ///
        /// ```
        /// use flexshopper::{CodeSource, ErrorCode, RawCode};
        /// assert_eq!(ErrorCode::from_text("LeaseNotFound"), ErrorCode::LeaseNotFound);
        /// assert_eq!(ErrorCode::from_number(11505), ErrorCode::BankNotAccepted);
        /// assert_eq!(ErrorCode::BankNotAccepted.source(), CodeSource::Documented);
        /// assert_eq!(ErrorCode::SpendingHold.source(), CodeSource::Inferred);
        /// assert_eq!(ErrorCode::from_text("Brand-new"), ErrorCode::Other(RawCode::Text("Brand-new".into())));
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
            /// A code this crate does not know, kept verbatim.
            Other(RawCode),
        }

        impl ErrorCode {
            /// Every known code (not `Other`).
            pub const KNOWN: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The code as FlexShopper sends it.
            pub fn wire(&self) -> RawCode {
                match self {
                    $( ErrorCode::$variant => error_codes!(@raw $wire), )*
                    ErrorCode::Other(raw) => raw.clone(),
                }
            }

            /// Whether FlexShopper documents the code, this project inferred it, or
            /// only the sandbox sends it (`Other` codes came from a server, so
            /// they count as documented by that server).
            pub fn source(&self) -> CodeSource {
                match self {
                    $( ErrorCode::$variant => CodeSource::$source, )*
                    ErrorCode::Other(_) => CodeSource::Documented,
                }
            }

            /// What the caller can do about it.
            pub fn hint(&self) -> &'static str {
                match self {
                    $( ErrorCode::$variant => $hint, )*
                    ErrorCode::Other(_) => "see FlexShopper's message",
                }
            }
        }
    };
    (@raw $wire:literal) => { error_codes!(@lit $wire) };
    (@lit $wire:literal) => { RawCode::from_literal($wire) };
}

trait FromLiteral<T> {
    fn from_literal(v: T) -> RawCode;
}

impl RawCode {
    fn from_literal<T>(v: T) -> RawCode
    where
        RawCode: FromLiteral<T>,
    {
        <RawCode as FromLiteral<T>>::from_literal(v)
    }
}

impl FromLiteral<&str> for RawCode {
    fn from_literal(v: &str) -> RawCode {
        RawCode::Text(v.to_string())
    }
}

impl FromLiteral<i64> for RawCode {
    fn from_literal(v: i64) -> RawCode {
        RawCode::Number(v)
    }
}

error_codes! {
    /// 409: a customer with this email already exists.
    UserAlreadyExists = "UserAlreadyExists", Documented => "look the customer up and authorize them instead of creating them",
    /// 404: the merchant id is unknown.
    InvalidMerchantId = "InvalidMerchantId", Documented => "check the API key and environment",
    /// 404: no such lease.
    LeaseNotFound = "LeaseNotFound", Documented => "check the lease id",
    /// 404: no such transaction.
    TransactionNotFound = "TransactionNotFound", Documented => "check the transaction id",
    /// 402: a first payment is due before signing.
    PaymentRequired = "PaymentRequired", Documented => "collect the first payment (add a payment method), then sign again",
    /// 410: the lease expired before it was signed.
    LeaseExpired = "LeaseExpired", Documented => "create a new lease for the order",
    /// 502: a service behind FlexShopper failed.
    BadGateway = "BadGateway", Documented => "retry later; for a POST, check its effect first",
    /// 400 (status inferred): the lease total is below the merchant minimum.
    LeaseAmountNotSatisfied = "LeaseAmountNotSatisfied", Documented => "raise the order total to at least the lease minimum",
    /// 400 (status inferred): the lease total exceeds the available spending limit.
    ExceedSpendingLimitError = "ExceedSpendingLimitError", Documented => "reduce the order to the customer's available balance",
    /// 11503: the payment method cannot be the primary one.
    NotPrimaryEligible = 11503, Documented => "add the payment method as non-primary, or use another one",
    /// 11505: "Bank is not accepted".
    BankNotAccepted = 11505, Documented => "ask the customer for an account at another bank",
    /// 11506: "Bank requires verification".
    BankRequiresVerification = 11506, Documented => "verify the bank account (e.g. verifyAch) before adding it",
    /// 403 (this project's name): the customer has a spending hold; no new leases.
    SpendingHold = "SpendingHold", Inferred => "the customer must contact FlexShopper to lift the spending hold",
    /// 403 (this project's name): no approved decision for the customer.
    NoDecision = "NoDecision", Inferred => "the customer must apply and be approved first",
    /// 409 (this project's name): finalize before the customer signed.
    LeaseNotSigned = "LeaseNotSigned", Inferred => "wait until the customer has signed the lease",
    /// 409 (this project's name): fulfilment before finalize.
    TransactionNotFinalized = "TransactionNotFinalized", Inferred => "finalize the transaction first",
    /// 401 (this project's name): the customer token was minted with another API key.
    TokenKeyMismatch = "TokenKeyMismatch", Inferred => "use the customer token only with the API key that minted it",
    /// 401 (this project's name): the customer token is unknown or expired.
    InvalidToken = "InvalidToken", Inferred => "authorize the customer again to get a fresh token",
    /// 404 (this project's name): no such customer.
    UserNotFound = "UserNotFound", Inferred => "check the customer id",
    /// 400 (this project's name): the routing number is invalid or not accepted.
    InvalidRoutingNumber = "InvalidRoutingNumber", Inferred => "ask the customer for another bank account",
    /// 409 (this project's name): the transaction id already holds another order.
    DuplicateTransaction = "DuplicateTransaction", Inferred => "use a new transaction id for a different order",
    /// 409 (this project's name): the customer already has this payment method.
    DuplicatePaymentMethod = "DuplicatePaymentMethod", Inferred => "use the existing payment method",
    /// 400 (this project's name): a field does not match the spec.
    ValidationError = "ValidationError", Inferred => "fix the field named in the message",
    /// 409 (sandbox only): the transaction's every unit was canceled.
    TransactionCanceled = "TransactionCanceled", Sandbox => "create a new lease for the order",
    /// 409 (sandbox only): the transaction lacks the item, line or units the operation names.
    ItemsUnavailable = "ItemsUnavailable", Sandbox => "read the transaction and name only lines and units it still holds",
    /// 409 (sandbox only): no identity verification is pending.
    VerificationNotPending = "VerificationNotPending", Sandbox => "read the customer's verification status first",
    /// 401 (sandbox only): a wrong or expired passcode.
    InvalidPasscode = "InvalidPasscode", Sandbox => "request a new passcode and try again",
    /// 404 (sandbox only): no such agreement.
    AgreementNotFound = "AgreementNotFound", Sandbox => "check the agreement id",
    /// 404 (sandbox only): no such payment method.
    PaymentMethodNotFound = "PaymentMethodNotFound", Sandbox => "check the payment method id",
    /// 404 (sandbox only): no such prequalification.
    PrequalNotFound = "PrequalNotFound", Sandbox => "start the prequalification again",
    /// Any status (sandbox only): a fault injected through the sandbox's admin API.
    SandboxFault = "SandboxFault", Sandbox => "a test injected this fault on purpose",
}

impl ErrorCode {
    /// The code for a string FlexShopper sent.
    pub fn from_text(s: &str) -> Self {
        Self::KNOWN
            .iter()
            .find(|c| matches!(c.wire(), RawCode::Text(t) if t == s))
            .cloned()
            .unwrap_or_else(|| ErrorCode::Other(RawCode::Text(s.to_string())))
    }

    /// The code for an integer FlexShopper sent.
    pub fn from_number(n: i64) -> Self {
        Self::KNOWN
            .iter()
            .find(|c| c.wire() == RawCode::Number(n))
            .cloned()
            .unwrap_or(ErrorCode::Other(RawCode::Number(n)))
    }

    /// The code from a JSON value (string or integer).
    pub(crate) fn from_json(v: &serde_json::Value) -> Option<Self> {
        match v {
            serde_json::Value::String(s) => Some(Self::from_text(s)),
            serde_json::Value::Number(n) => n.as_i64().map(Self::from_number),
            _ => None,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.wire().fmt(f)
    }
}

/// The lease journey cannot continue as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WorkflowError {
    /// The customer's decision does not allow a lease.
    #[error(
        "the customer is not approved (decision {status}); a lease can only be created after an approved decision"
    )]
    NotApproved {
        /// The decision status FlexShopper reported.
        status: String,
    },
    /// The customer was approved, but FlexShopper put a spending hold on the account.
    #[error(
        "the customer's decision is on a spending hold: FlexShopper approved them but blocks new leases until the customer contacts FlexShopper to lift the hold"
    )]
    SpendingHold,
    /// The transaction is not at the step the caller expected.
    #[error(
        "transaction {transaction_id} is at step {found:?}, not {expected}; resume it with FlexShopper::resume to continue from where it is"
    )]
    WrongStep {
        /// The transaction.
        transaction_id: String,
        /// What the caller expected.
        expected: &'static str,
        /// Where the transaction is.
        found: JourneyStep,
    },
    /// A transaction id already holds another order (another customer or other items):
    /// the lease found there is not this order's. Nothing was re-sent.
    #[error(
        "transaction {transaction_id} already holds another order ({reason}); use a new transaction id"
    )]
    TransactionConflict {
        /// The transaction.
        transaction_id: String,
        /// What differs.
        reason: String,
    },
    /// Whether a call whose answer was lost took effect cannot be established from
    /// documented fields; the original error is returned instead of resending.
    #[error("could not establish whether {operation} took effect: {why}")]
    Unconfirmed {
        /// The operation.
        operation: &'static str,
        /// Why it cannot be established.
        why: &'static str,
    },
    /// FlexShopper's answer lacks something the journey needs.
    #[error("FlexShopper's answer lacks {what}; read the transaction again and resume")]
    Incomplete {
        /// What is missing.
        what: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The crate's codes and the spec's `x-error-codes` registry agree, code by code,
    /// on the code and on where it comes from.
    #[test]
    fn known_codes_match_the_spec_registry() {
        let spec: serde_json::Value =
            serde_norway::from_str(include_str!("../../../spec/flexshopper.yaml")).unwrap();
        let registry = spec
            .pointer("/components/schemas/ErrorCode/x-error-codes")
            .and_then(serde_json::Value::as_array)
            .expect("the spec has an error code registry");
        let from_spec: std::collections::BTreeSet<(String, String)> = registry
            .iter()
            .map(|e| {
                let code = match &e["code"] {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (code, e["source"].as_str().unwrap().to_owned())
            })
            .collect();
        let from_crate: std::collections::BTreeSet<(String, String)> = ErrorCode::KNOWN
            .iter()
            .map(|c| {
                (
                    c.wire().to_string(),
                    format!("{:?}", c.source()).to_lowercase(),
                )
            })
            .collect();
        assert_eq!(from_crate, from_spec);
    }

    #[test]
    fn every_known_code_round_trips_through_its_wire_value() {
        for code in ErrorCode::KNOWN {
            let back = match code.wire() {
                RawCode::Text(s) => ErrorCode::from_text(&s),
                RawCode::Number(n) => ErrorCode::from_number(n),
            };
            assert_eq!(&back, code);
        }
    }

    #[test]
    fn unknown_codes_are_kept_verbatim() {
        assert_eq!(
            ErrorCode::from_number(42),
            ErrorCode::Other(RawCode::Number(42))
        );
        assert_eq!(ErrorCode::from_text("X").to_string(), "X");
    }

    #[test]
    fn api_error_display_is_one_actionable_sentence() {
        let e = ApiError::new(
            "signLease",
            402,
            Some(ErrorCode::PaymentRequired),
            "Pay first",
        );
        let s = e.to_string();
        assert!(s.starts_with("FlexShopper refused signLease with HTTP 402 PaymentRequired"));
        assert!(s.contains("collect the first payment"));
        assert!(!s.contains('\n'));
    }

    #[test]
    fn retryability_follows_status() {
        let e = |s| Error::from(ApiError::new("getTransaction", s, None, ""));
        assert!(e(503).is_retryable() && !e(503).may_have_been_applied());
        assert!(e(500).may_have_been_applied());
        assert!(!e(400).is_retryable());
    }
}
