//! What can go wrong in a command, and the exit code each outcome maps to.

use std::process::ExitCode;

/// A failed command. Usage and validation problems exit 2; everything the server or the
/// network said exits 1.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad flags or a bad request body; nothing was sent.
    #[error("{field}: {reason}")]
    Usage { field: String, reason: String },
    /// The API, the transport or the workflow failed.
    #[error(transparent)]
    Api(#[from] flexshopper::Error),
    /// The command's output already says what went wrong (e.g. the conformance report);
    /// exits 1.
    #[error("{0}")]
    Reported(String),
    /// A local I/O problem (e.g. writing the contract file).
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

/// A failed journey step is an API error here; the CLI does not retry the step.
impl<L> From<flexshopper::StepError<L>> for CliError {
    fn from(e: flexshopper::StepError<L>) -> Self {
        CliError::Api(e.into())
    }
}

impl CliError {
    pub fn usage(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Usage {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// 2 for anything the user can fix in the command line or input, 1 otherwise.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Usage { .. } => ExitCode::from(2),
            CliError::Api(flexshopper::Error::Validation(_)) => ExitCode::from(2),
            CliError::Api(_) | CliError::Io { .. } | CliError::Reported(_) => ExitCode::from(1),
        }
    }

    /// A machine-readable rendering for `--json`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            CliError::Usage { field, reason } => {
                serde_json::json!({"ok": false, "kind": "usage", "field": field, "reason": reason})
            }
            CliError::Api(e) => serde_json::json!({
                "ok": false,
                "kind": api_kind(e),
                "status": e.status(),
                "code": e.code().map(|c| c.to_string()),
                "message": e.to_string(),
            }),
            CliError::Io { .. } => {
                serde_json::json!({"ok": false, "kind": "io", "message": self.to_string()})
            }
            CliError::Reported(message) => {
                serde_json::json!({"ok": false, "kind": "reported", "message": message})
            }
        }
    }
}

fn api_kind(e: &flexshopper::Error) -> &'static str {
    match e {
        flexshopper::Error::Validation(_) => "validation",
        flexshopper::Error::Api(_) => "api",
        _ => "transport",
    }
}
