//! Validation before sending: every rule FlexShopper's API enforces and the spec
//! documents, checked locally so a bad request never leaves the process. Errors name
//! the field path (`application.mobilePhone`, `order.items[0].cost`) and the reason.

use rust_decimal::Decimal;
use std::fmt;

/// One field that failed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The JSON path of the field, as FlexShopper names it (`bankAccount.routing`).
    pub field: String,
    /// Why it was refused (never the value itself: it may be secret).
    pub reason: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// Input refused before sending: one or more fields with their reasons.
///
/// ```
/// use flexshopper::validate;
/// let err = validate::Checker::new("customer").email("email", "not-an-email").finish().unwrap_err();
/// assert_eq!(err.errors[0].field, "customer.email");
/// assert_eq!(err.to_string(), "customer.email: must be an email address like name@example.com; fix this field and try again");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    /// The fields that failed, in the order they were checked.
    pub errors: Vec<FieldError>,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list: Vec<String> = self.errors.iter().map(ToString::to_string).collect();
        let what = if self.errors.len() == 1 {
            "fix this field"
        } else {
            "fix these fields"
        };
        write!(f, "{}; {what} and try again", list.join("; "))
    }
}

impl ValidationError {
    /// One failed field.
    pub fn field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            errors: vec![FieldError {
                field: field.into(),
                reason: reason.into(),
            }],
        }
    }
}

/// Collects field errors under a path prefix; `finish` returns them all at once so the
/// user can fix every field in one go.
#[derive(Debug)]
pub struct Checker {
    prefix: String,
    errors: Vec<FieldError>,
}

impl Checker {
    /// A checker whose fields are reported under `prefix` (`""` for none).
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
            errors: Vec::new(),
        }
    }

    fn path(&self, field: &str) -> String {
        if self.prefix.is_empty() {
            field.to_string()
        } else {
            format!("{}.{field}", self.prefix)
        }
    }

    /// Records a failure of `field` unless `ok`.
    pub fn check(mut self, ok: bool, field: &str, reason: &str) -> Self {
        if !ok {
            let field = self.path(field);
            self.errors.push(FieldError {
                field,
                reason: reason.to_string(),
            });
        }
        self
    }

    /// A non-empty string.
    pub fn required(self, field: &str, value: &str) -> Self {
        self.check(!value.trim().is_empty(), field, "is required")
    }

    /// An email address.
    pub fn email(self, field: &str, value: &str) -> Self {
        self.check(
            is_email(value),
            field,
            "must be an email address like name@example.com",
        )
    }

    /// A 10-digit US phone number.
    pub fn phone(self, field: &str, value: &str) -> Self {
        self.check(
            digits(value, 10),
            field,
            "must be 10 digits, without spaces or punctuation",
        )
    }

    /// A two-letter upper-case state code.
    pub fn region(self, field: &str, value: &str) -> Self {
        let ok = value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase());
        self.check(ok, field, "must be a two-letter state code like FL")
    }

    /// A US ZIP code (`12345` or `12345-6789`).
    pub fn postal_code(self, field: &str, value: &str) -> Self {
        let ok = match value.split_once('-') {
            Some((zip, plus4)) => digits(zip, 5) && digits(plus4, 4),
            None => digits(value, 5),
        };
        self.check(ok, field, "must be a ZIP code like 33401 or 33401-1234")
    }

    /// A calendar date `YYYY-MM-DD`.
    pub fn date(self, field: &str, value: &str) -> Self {
        let ok = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok();
        self.check(ok, field, "must be a date like 1990-04-30")
    }

    /// A 9-digit SSN (the value is never echoed).
    pub fn ssn(self, field: &str, value: &str) -> Self {
        self.check(digits(value, 9), field, "must be 9 digits")
    }

    /// An ABA routing number with a valid checksum.
    pub fn routing_number(self, field: &str, value: &str) -> Self {
        let reason = routing_number_problem(value);
        self.check(reason.is_none(), field, reason.unwrap_or(""))
    }

    /// A bank account number (4 to 17 digits; the value is never echoed).
    pub fn account_number(self, field: &str, value: &str) -> Self {
        let ok = (4..=17).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit());
        self.check(ok, field, "must be 4 to 17 digits")
    }

    /// A non-negative amount of dollars with at most two decimals.
    pub fn amount(self, field: &str, value: Decimal) -> Self {
        self.check(!value.is_sign_negative(), field, "must not be negative")
    }

    /// Ok if nothing failed.
    pub fn finish(self) -> Result<(), ValidationError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError {
                errors: self.errors,
            })
        }
    }

    /// Merges the failures of a nested checker.
    pub fn merge(mut self, nested: Result<(), ValidationError>) -> Self {
        if let Err(e) = nested {
            self.errors.extend(e.errors);
        }
        self
    }
}

fn digits(value: &str, n: usize) -> bool {
    value.len() == n && value.bytes().all(|b| b.is_ascii_digit())
}

fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(char::is_whitespace)
}

/// Why a routing number is not a valid ABA number, or `None` if it is.
///
/// ABA checksum: 3·(d1+d4+d7) + 7·(d2+d5+d8) + 1·(d3+d6+d9) ≡ 0 (mod 10).
///
/// ```
/// use flexshopper::validate::routing_number_problem;
/// assert_eq!(routing_number_problem("021000021"), None); // JPMorgan Chase
/// assert!(routing_number_problem("021000022").is_some());
/// ```
pub fn routing_number_problem(value: &str) -> Option<&'static str> {
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Some("must contain only digits");
    }
    if value.len() != 9 {
        return Some("must be 9 digits");
    }
    let sum: u32 = value
        .bytes()
        .zip([3, 7, 1].iter().cycle())
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    (!sum.is_multiple_of(10)).then_some("fails the ABA routing number checksum")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(r: Result<(), ValidationError>) -> Vec<String> {
        r.err()
            .map(|e| e.errors.into_iter().map(|f| f.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn every_bad_field_is_reported_with_its_path() {
        let r = Checker::new("application")
            .email("email", "x@")
            .phone("mobilePhone", "555-1234")
            .region("regionAbbr", "fl")
            .postal_code("postalCode", "3340")
            .date("dateOfBirth", "1990-13-01")
            .ssn("ssn", "12345678")
            .routing_number("bankAccount.routing", "123456789")
            .amount("expectedPurchaseAmount", Decimal::NEGATIVE_ONE)
            .finish();
        assert_eq!(
            fields(r),
            [
                "application.email",
                "application.mobilePhone",
                "application.regionAbbr",
                "application.postalCode",
                "application.dateOfBirth",
                "application.ssn",
                "application.bankAccount.routing",
                "application.expectedPurchaseAmount"
            ]
        );
    }

    #[test]
    fn good_values_pass() {
        let r = Checker::new("")
            .email("email", "jane@example.com")
            .phone("phone", "3055550100")
            .region("region", "FL")
            .postal_code("zip", "33401-1234")
            .date("dob", "1990-04-30")
            .ssn("ssn", "123456789")
            .routing_number("routing", "021000021")
            .account_number("account", "000123456789")
            .finish();
        assert!(r.is_ok());
    }

    #[test]
    fn routing_checksum_uses_weights_3_7_1() {
        assert_eq!(routing_number_problem("011000015"), None);
        assert_eq!(routing_number_problem("084009519"), None); // valid checksum; the sandbox deny-lists it
        assert_eq!(routing_number_problem("12345678"), Some("must be 9 digits"));
        assert_eq!(
            routing_number_problem("12345678a"),
            Some("must contain only digits")
        );
    }

    #[test]
    fn reasons_never_echo_the_value() {
        let e = Checker::new("").ssn("ssn", "98765").finish().unwrap_err();
        assert!(!e.to_string().contains("98765"));
    }
}
