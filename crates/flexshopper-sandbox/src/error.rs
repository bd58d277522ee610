//! One error type, rendered the way FlexShopper renders errors.
//!
//! Two shapes exist on the wire: the documented envelope
//! `{"error":{"statusCode","code","message","data"}}` (code a string or an integer) and
//! the API gateway's bare `{"message": ...}` for authentication failures.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The logical error code: FlexShopper uses strings and, for payment methods, integers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Code {
    Str(&'static str),
    Int(i64),
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
    /// The gateway (Kong) shape: `{"message": ...}`.
    Gateway { status: StatusCode, message: String },
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Envelope {
            status,
            code: Code::Str(code),
            message: message.into(),
            data: json!({}),
        }
    }

    pub fn numeric(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
        ApiError::Envelope {
            status,
            code: Code::Int(code),
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

    /// 400 ValidationError; `message` should start with the offending field path.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "ValidationError", message)
    }

    pub fn no_api_key() -> Self {
        ApiError::Gateway {
            status: StatusCode::UNAUTHORIZED,
            message: "No API key found in request".into(),
        }
    }

    pub fn invalid_api_key() -> Self {
        ApiError::Gateway {
            status: StatusCode::UNAUTHORIZED,
            message: "Invalid authentication credentials".into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Envelope { status, .. } | ApiError::Gateway { status, .. } => *status,
        }
    }

    /// The code as a string, for tests and logs.
    pub fn code(&self) -> Option<String> {
        match self {
            ApiError::Envelope {
                code: Code::Str(s), ..
            } => Some((*s).to_owned()),
            ApiError::Envelope {
                code: Code::Int(i), ..
            } => Some(i.to_string()),
            ApiError::Gateway { .. } => None,
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
                let code = match code {
                    Code::Str(s) => json!(s),
                    Code::Int(i) => json!(i),
                };
                json!({"error": {"statusCode": status.as_u16(), "code": code, "message": message, "data": data}})
            }
            ApiError::Gateway { message, .. } => json!({ "message": message }),
        }
    }

    // The named errors, so handlers and rules never spell a code twice.
    pub fn user_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "UserNotFound",
            "The user was not found",
        )
    }
    pub fn lease_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "LeaseNotFound",
            "The lease requested was not found",
        )
    }
    pub fn transaction_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "TransactionNotFound",
            "The transaction with the provided id was not found",
        )
    }
    pub fn not_found_route() -> Self {
        Self::new(StatusCode::NOT_FOUND, "NotFound", "No such route")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status(), axum::Json(self.body())).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
