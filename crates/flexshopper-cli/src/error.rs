//! What can go wrong in a command, the exit code each outcome maps to, and its
//! `--json` rendering (the `error` object of `output.schema.json`).

use serde_json::{Value, json};
use std::process::ExitCode;

/// A failed command. Usage and validation problems (and requests refused before
/// sending) exit 2; everything the server or the network said exits 1.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad flags or a bad request body; nothing was sent.
    #[error("{field}: {reason}")]
    Usage { field: String, reason: String },
    /// The API, the transport or the workflow failed.
    #[error(transparent)]
    Api(#[from] flexshopper::Error),
    /// The command's own output already says what went wrong (the conformance report,
    /// the recorder's lines); with `--json` that report is the run's one document.
    #[error("{0}")]
    Reported(String),
    /// A local I/O problem (e.g. writing the contract file).
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// The server answered, but some of the lines named were not applied (cancel,
    /// return): the command did not do everything it was asked.
    #[error("{operation}: {failed} of {asked} line(s) were not applied (see `failed`)")]
    Partial {
        operation: &'static str,
        failed: usize,
        asked: usize,
        /// The server's answer, printed as the document's `result`.
        result: Value,
    },
    /// A failed `lease-flow`: the report of the steps that ran, and why it stopped.
    #[error("{source}")]
    Journey {
        report: Box<Value>,
        #[source]
        source: Box<CliError>,
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

    /// 2 for anything the user can fix in the command line or input (nothing was sent),
    /// 1 otherwise.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Journey { source, .. } => source.exit_code(),
            e if e.kind().is_usage() => ExitCode::from(2),
            _ => ExitCode::from(1),
        }
    }

    /// What kind of failure this is (the `error.kind` of the JSON document).
    pub fn kind(&self) -> Kind {
        use flexshopper::Error as E;
        match self {
            CliError::Usage { .. } => Kind::Usage,
            CliError::Io { .. } => Kind::Io,
            CliError::Reported(_) => Kind::Violation,
            CliError::Partial { .. } => Kind::Partial,
            CliError::Journey { source, .. } => source.kind(),
            CliError::Api(e) => match e {
                E::Validation(_) => Kind::Validation,
                E::TokenKeyMismatch { .. } => Kind::Refused,
                E::Config { .. } => Kind::Usage,
                E::Api(_) => Kind::Api,
                E::Workflow(_) => Kind::Workflow,
                E::Timeout { .. } => Kind::Timeout,
                E::Decode { .. } => Kind::Decode,
                _ => Kind::Transport,
            },
        }
    }

    /// The `error` object of the JSON document.
    pub fn error_json(&self) -> Value {
        if let CliError::Journey { source, .. } = self {
            return source.error_json();
        }
        let mut e = json!({"kind": self.kind().as_str(), "message": self.to_string()});
        match self {
            CliError::Usage { field, reason } => {
                e["field"] = json!(field);
                e["reason"] = json!(reason);
            }
            CliError::Api(err) => {
                if let Some(status) = err.status() {
                    e["status"] = json!(status);
                }
                if let Some(code) = err.code() {
                    e["code"] = json!(code.to_string());
                }
                if let flexshopper::Error::Validation(v) = err
                    && let Some(first) = v.errors.first()
                {
                    e["field"] = json!(first.field);
                    e["reason"] = json!(first.reason);
                }
                e["mayHaveBeenApplied"] = json!(err.may_have_been_applied());
            }
            CliError::Partial {
                operation,
                failed,
                asked,
                ..
            } => {
                e["operation"] = json!(operation);
                e["failed"] = json!(failed);
                e["asked"] = json!(asked);
            }
            CliError::Io { .. } | CliError::Journey { .. } | CliError::Reported(_) => {}
        }
        e
    }

    /// The whole `--json` document for this failure: exactly what is printed.
    pub fn to_json(&self) -> Value {
        match self {
            CliError::Journey { report, .. } => (**report).clone(),
            CliError::Partial { result, .. } => {
                json!({"ok": false, "result": result, "error": self.error_json()})
            }
            _ => json!({"ok": false, "error": self.error_json()}),
        }
    }
}

/// The kinds of failure, as `error.kind` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Bad flags, arguments or input; nothing was sent.
    Usage,
    /// The crate's validation refused a field before sending.
    Validation,
    /// Refused before sending: the customer token belongs to another API key.
    Refused,
    /// FlexShopper answered with an error status.
    Api,
    /// The journey cannot continue (e.g. the decision is not an approval).
    Workflow,
    /// Some lines of a cancel or return were not applied.
    Partial,
    /// The connection failed.
    Transport,
    /// The request timed out.
    Timeout,
    /// The answer could not be read.
    Decode,
    /// A local file could not be read or written.
    Io,
    /// The server broke the spec (conformance, record); the report names how.
    Violation,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Usage => "usage",
            Kind::Validation => "validation",
            Kind::Refused => "refused",
            Kind::Api => "api",
            Kind::Workflow => "workflow",
            Kind::Partial => "partial",
            Kind::Transport => "transport",
            Kind::Timeout => "timeout",
            Kind::Decode => "decode",
            Kind::Io => "io",
            Kind::Violation => "violation",
        }
    }

    /// The user can fix it in the command line or input, and nothing was sent.
    pub fn is_usage(self) -> bool {
        matches!(self, Kind::Usage | Kind::Validation | Kind::Refused)
    }
}

/// The document for a command line clap refused (unknown flag, bad value, missing
/// argument): `--json` gets JSON for these too.
pub fn clap_error_json(e: &clap::Error) -> Value {
    use clap::error::{ContextKind, ContextValue};
    let field = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        _ => "command line".to_string(),
    };
    let message = e.render().to_string();
    let reason = message
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .to_string();
    json!({"ok": false, "error": {"kind": "usage", "field": field, "reason": reason, "message": message}})
}
