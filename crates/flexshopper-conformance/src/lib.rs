//! Holding a FlexShopper server to `spec/flexshopper.yaml`.
//!
//! * [`spec`]: the spec compiled into JSON Schema validators (draft 7, formats checked),
//!   per operation: parameters, request body, and every documented response.
//! * [`check`]: one request or one response against them: violations name the JSON
//!   path, the schema that failed and the observed value; fields the spec does not
//!   describe are listed.
//! * [`redact`]: what may be shown of a request or response (secrets and personal data
//!   replaced by placeholders of the same shape).
//! * [`probe`]: the documented journey against a live server, every response checked.
//! * [`record`]: a validating proxy that writes redacted request/response fixtures.
//! * [`fixture`]: the fixture format, replayed by this crate's tests.
//!
//! ```
//! use flexshopper_conformance::{check::check_response, redact::Redactor, spec::Spec};
//! let spec = Spec::embedded();
//! let op = spec.operation("getLeaseSettings").unwrap();
//! let headers = [("content-type".to_owned(), "application/json".to_owned())];
//! let check = check_response(spec, op, 200, &headers, br#"{"data":{"minimumOrderValue":"x"}}"#, &Redactor::default());
//! assert_eq!(check.violations[0].path, "/data/minimumOrderValue");
//! ```

pub mod check;
pub mod fixture;
pub mod probe;
pub mod record;
pub mod redact;
pub mod spec;
