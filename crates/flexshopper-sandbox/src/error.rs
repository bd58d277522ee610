//! One error type, rendered the way FlexShopper renders errors.
//!
//! Three shapes exist on the wire: the documented envelope
//! `{"error":{"statusCode","code","message","data"}}` (code a string or an integer), the
//! request validator's `{"statusCode","message"}` (FlexShopper's server answered an empty
//! shipment that way), and the API gateway's bare `{"message": ...}` for authentication
//! failures, unknown routes and the sandbox's own admin API.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Every error code the sandbox sends. Each one is registered, with its provenance, in
/// the spec's `x-error-codes` registry (`components.schemas.ErrorCode`); a test compares
/// [`Code::ALL`] with it, status included. An envelope can only be built from a `Code`,
/// so the sandbox cannot send an unregistered code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    UserAlreadyExists,
    LeaseNotFound,
    TransactionNotFound,
    PaymentRequired,
    LeaseExpired,
    LeaseAmountNotSatisfied,
    ExceedSpendingLimitError,
    /// 11503, "Payment method is not primary eligible".
    NotPrimaryEligible,
    /// 11505, "Bank is not accepted".
    BankNotAccepted,
    /// 11506, "Bank requires verification".
    BankRequiresVerification,
    SpendingHold,
    NoDecision,
    LeaseNotSigned,
    TransactionNotFinalized,
    TokenKeyMismatch,
    InvalidToken,
    UserNotFound,
    InvalidRoutingNumber,
    DuplicateTransaction,
    DuplicatePaymentMethod,
    ValidationError,
    TransactionCanceled,
    VerificationNotPending,
    InvalidPasscode,
    AgreementNotFound,
    PaymentMethodNotFound,
    PrequalNotFound,
    ItemsUnavailable,
    /// Any status: the admin API chooses it.
    SandboxFault,
}

impl Code {
    pub const ALL: &'static [Code] = &[
        Code::UserAlreadyExists,
        Code::LeaseNotFound,
        Code::TransactionNotFound,
        Code::PaymentRequired,
        Code::LeaseExpired,
        Code::LeaseAmountNotSatisfied,
        Code::ExceedSpendingLimitError,
        Code::NotPrimaryEligible,
        Code::BankNotAccepted,
        Code::BankRequiresVerification,
        Code::SpendingHold,
        Code::NoDecision,
        Code::LeaseNotSigned,
        Code::TransactionNotFinalized,
        Code::TokenKeyMismatch,
        Code::InvalidToken,
        Code::UserNotFound,
        Code::InvalidRoutingNumber,
        Code::DuplicateTransaction,
        Code::DuplicatePaymentMethod,
        Code::ValidationError,
        Code::TransactionCanceled,
        Code::VerificationNotPending,
        Code::InvalidPasscode,
        Code::AgreementNotFound,
        Code::PaymentMethodNotFound,
        Code::PrequalNotFound,
        Code::ItemsUnavailable,
        Code::SandboxFault,
    ];

    /// The `code` as sent: a string, or an integer for the documented payment-method codes.
    pub fn wire(self) -> Value {
        match self {
            Code::NotPrimaryEligible => json!(11503),
            Code::BankNotAccepted => json!(11505),
            Code::BankRequiresVerification => json!(11506),
            other => json!(format!("{other:?}")),
        }
    }

    /// The HTTP status the registry gives the code (`SandboxFault`: 503 unless chosen).
    pub fn status(self) -> StatusCode {
        use Code::*;
        match self {
            LeaseAmountNotSatisfied
            | ExceedSpendingLimitError
            | NotPrimaryEligible
            | BankNotAccepted
            | BankRequiresVerification
            | InvalidRoutingNumber
            | ValidationError => StatusCode::BAD_REQUEST,
            TokenKeyMismatch | InvalidToken | InvalidPasscode => StatusCode::UNAUTHORIZED,
            PaymentRequired => StatusCode::PAYMENT_REQUIRED,
            SpendingHold | NoDecision => StatusCode::FORBIDDEN,
            LeaseNotFound
            | TransactionNotFound
            | UserNotFound
            | AgreementNotFound
            | PaymentMethodNotFound
            | PrequalNotFound => StatusCode::NOT_FOUND,
            UserAlreadyExists
            | LeaseNotSigned
            | TransactionNotFinalized
            | DuplicateTransaction
            | DuplicatePaymentMethod
            | TransactionCanceled
            | VerificationNotPending
            | ItemsUnavailable => StatusCode::CONFLICT,
            LeaseExpired => StatusCode::GONE,
            SandboxFault => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The documented envelope.
    Envelope {
        status: StatusCode,
        code: Code,
        message: String,
        data: Value,
    },
    /// The request validator's shape: `{"statusCode", "message"}`.
    Validator { status: StatusCode, message: String },
    /// The gateway (Kong) shape: `{"message": ...}`.
    Gateway { status: StatusCode, message: String },
}

impl ApiError {
    /// The envelope with the code's registered status.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        ApiError::Envelope {
            status: code.status(),
            code,
            message: message.into(),
            data: json!({}),
        }
    }

    /// Attach details (`error.data`).
    pub fn with_data(mut self, value: Value) -> Self {
        if let ApiError::Envelope { data, .. } = &mut self {
            *data = value;
        }
        self
    }

    /// Another status than the code's own (fault injection).
    pub fn with_status(mut self, new: StatusCode) -> Self {
        match &mut self {
            ApiError::Envelope { status, .. }
            | ApiError::Validator { status, .. }
            | ApiError::Gateway { status, .. } => *status = new,
        }
        self
    }

    /// 400 ValidationError; `message` should start with the offending field path.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(Code::ValidationError, message)
    }

    /// A bare `{"message"}` body: the gateway's shape, also used by the admin API.
    pub fn plain(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError::Gateway {
            status,
            message: message.into(),
        }
    }

    pub fn no_api_key() -> Self {
        Self::plain(StatusCode::UNAUTHORIZED, "No API key found in request")
    }

    pub fn invalid_api_key() -> Self {
        Self::plain(
            StatusCode::UNAUTHORIZED,
            "Invalid authentication credentials",
        )
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Envelope { status, .. }
            | ApiError::Validator { status, .. }
            | ApiError::Gateway { status, .. } => *status,
        }
    }

    /// The code as a string, for tests and logs.
    pub fn code(&self) -> Option<String> {
        match self {
            ApiError::Envelope { code, .. } => Some(match code.wire() {
                Value::String(s) => s,
                other => other.to_string(),
            }),
            ApiError::Validator { .. } | ApiError::Gateway { .. } => None,
        }
    }

    pub fn body(&self) -> Value {
        match self {
            ApiError::Envelope {
                status,
                code,
                message,
                data,
            } => {
                json!({"error": {"statusCode": status.as_u16(), "code": code.wire(), "message": message, "data": data}})
            }
            ApiError::Validator { status, message } => {
                json!({"statusCode": status.as_u16(), "message": message})
            }
            ApiError::Gateway { message, .. } => json!({ "message": message }),
        }
    }

    // The named errors, so handlers and rules never spell a message twice.
    pub fn user_not_found() -> Self {
        Self::new(Code::UserNotFound, "The user was not found")
    }
    pub fn lease_not_found() -> Self {
        Self::new(Code::LeaseNotFound, "The lease requested was not found")
    }
    pub fn transaction_not_found() -> Self {
        Self::new(
            Code::TransactionNotFound,
            "The transaction with the provided id was not found",
        )
    }
    /// 409: a well-formed request naming items (SKUs, lines, units) the transaction does
    /// not have in the state the operation needs.
    pub fn items_unavailable(message: impl Into<String>) -> Self {
        Self::new(Code::ItemsUnavailable, message)
    }
    /// Kong's answer for a path no route serves.
    pub fn not_found_route() -> Self {
        Self::plain(StatusCode::NOT_FOUND, "no Route matched with those values")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status(), axum::Json(self.body())).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_payment_method_codes_are_integers() {
        assert_eq!(Code::NotPrimaryEligible.wire(), json!(11503));
        assert_eq!(Code::BankNotAccepted.wire(), json!(11505));
        assert_eq!(Code::BankRequiresVerification.wire(), json!(11506));
        assert_eq!(Code::LeaseNotFound.wire(), json!("LeaseNotFound"));
    }

    #[test]
    fn the_validator_shape_has_no_code() {
        let e = ApiError::Validator {
            status: StatusCode::BAD_REQUEST,
            message: "m".into(),
        };
        assert_eq!(e.body(), json!({"statusCode": 400, "message": "m"}));
        assert_eq!(e.code(), None);
    }
}
