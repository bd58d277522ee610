//! Redaction: what a report, a log line or a fixture may show of a request or a
//! response. Secret and personal fields are replaced by placeholders of the same type
//! and shape (an email stays an email, digits stay digits), so a redacted fixture
//! still validates against the spec and still deserializes; every secret value seen is
//! also remembered and replaced wherever else it appears (in a query string, inside a
//! contract, in an echoed header).

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// The placeholder for a secret with no better shape.
pub const REDACTED: &str = "[REDACTED]";

/// Headers whose value is always a secret.
const SECRET_HEADERS: [&str; 5] = [
    "authorization",
    "customer-token",
    "cookie",
    "set-cookie",
    "proxy-authorization",
];

/// Redacts values by field name and by value. `Default` knows no values yet.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: BTreeSet<String>,
}

/// The replacement for field `key` of `object`: `code` is secret where it is an auth
/// code (a string without the `message` an error code comes with).
fn field_placeholder(object: &Map<String, Value>, key: &str, value: &Value) -> Option<Value> {
    if key == "code" && value.is_string() && !object.contains_key("message") {
        return Some(Value::String(REDACTED.into()));
    }
    placeholder(key, value)
}

/// The replacement for a field called `key`, if it is secret or personal.
fn placeholder(key: &str, value: &Value) -> Option<Value> {
    let k: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    let s = |v: &str| Some(Value::String(v.to_owned()));
    let digits = |n: usize| Some(Value::String("0".repeat(n)));
    let replacement = match k.as_str() {
        "authorization" | "customertoken" | "token" | "apikey" | "password" | "secret"
        | "authcode" | "childkey" => s(REDACTED),
        "passcode" => digits(6),
        "ssn" | "last4ssn" | "ssnlast4" => digits(value.as_str().map_or(9, str::len).clamp(4, 9)),
        "account" | "accountnumber" | "bankaccountnumber" | "cardnumber" => digits(8),
        "lastfour" => digits(4),
        "firstsix" => digits(6),
        "routing" | "routingnumber" => None,
        "email" => s("redacted@example.com"),
        "firstname" | "lastname" | "middlename" | "name" | "nameoncard" | "fullname" => {
            s("Redacted")
        }
        "street1" | "street2" | "address1" | "address2" => s("1 Redacted St"),
        "dateofbirth" | "dob" | "birthdate" => s("1970-01-01"),
        "driverslicensenumber" => s(REDACTED),
        "contract" => s("PGh0bWw+PGJvZHk+cmVkYWN0ZWQ8L2JvZHk+PC9odG1sPg=="),
        _ if k.contains("phone") => s("5555550100"),
        _ => None,
    };
    match (value, replacement) {
        // Numbers and booleans keep their type; objects and arrays are walked instead.
        (Value::String(_), r) => r,
        (Value::Number(_), Some(Value::String(d))) if d.chars().all(|c| c == '0') => {
            Some(Value::from(0))
        }
        _ => None,
    }
}

impl Redactor {
    /// Remembers `secret` (at least 4 characters) so that it is replaced wherever it
    /// appears.
    pub fn remember(&mut self, secret: &str) {
        if secret.chars().count() >= 4 && secret != REDACTED {
            self.secrets.insert(secret.to_owned());
        }
    }

    /// Remembers every secret field value in `value` (by field name).
    pub fn learn(&mut self, value: &Value) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    if let Value::String(s) = v
                        && field_placeholder(map, k, v).is_some()
                    {
                        self.remember(s);
                    }
                    self.learn(v);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.learn(v)),
            _ => {}
        }
    }

    /// Remembers a header's value if the header is secret.
    pub fn learn_header(&mut self, name: &str, value: &str) {
        if SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            self.remember(value);
        }
    }

    /// `value` with secret fields replaced and remembered secrets scrubbed.
    pub fn value(&self, value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let v = field_placeholder(map, k, v).unwrap_or_else(|| self.value(v));
                        (k.clone(), v)
                    })
                    .collect::<Map<_, _>>(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.value(v)).collect()),
            Value::String(s) => Value::String(self.text(s)),
            other => other.clone(),
        }
    }

    /// A header's value as it may be shown.
    pub fn header(&self, name: &str, value: &str) -> Value {
        if SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            Value::String(REDACTED.into())
        } else {
            Value::String(self.text(value))
        }
    }

    /// A query string with secret parameters and remembered secrets replaced.
    pub fn query(&self, query: &str) -> String {
        query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) => {
                    let decoded = Value::String(v.to_owned());
                    match placeholder(k, &decoded) {
                        Some(Value::String(p)) => format!("{k}={}", p.replace('@', "%40")),
                        _ => format!("{k}={}", self.text(v)),
                    }
                }
                None => self.text(pair),
            })
            .collect::<Vec<_>>()
            .join("&")
    }

    /// `text` with every remembered secret replaced.
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        // Longest first, so that a secret containing another is replaced whole.
        let mut secrets: Vec<&String> = self.secrets.iter().collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        for secret in secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
            let encoded = secret.replace('@', "%40");
            if encoded != *secret && out.contains(&encoded) {
                out = out.replace(&encoded, REDACTED);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_fields_keep_their_shape() {
        let r = Redactor::default();
        let v = r.value(&json!({
            "email": "jane@shop.test", "ssn": "123456789", "mobilePhone": "5615550100",
            "ach": {"account": "12345678901", "routing": "021000021"}, "token": "tok-1",
            "firstName": "Jane", "amount": 12.5, "items": [{"lastFour": "4242"}]
        }));
        assert_eq!(
            v,
            json!({
                "email": "redacted@example.com", "ssn": "000000000", "mobilePhone": "5555550100",
                "ach": {"account": "00000000", "routing": "021000021"}, "token": REDACTED,
                "firstName": "Redacted", "amount": 12.5, "items": [{"lastFour": "0000"}]
            })
        );
    }

    #[test]
    fn a_learnt_secret_is_scrubbed_everywhere() {
        let mut r = Redactor::default();
        r.learn(&json!({"email": "jane@shop.test", "lastName": "Doe-Smith"}));
        r.learn_header("Authorization", "key-123");
        assert_eq!(
            r.text("Dear Doe-Smith, key-123"),
            "Dear [REDACTED], [REDACTED]"
        );
        assert_eq!(
            r.query("email=jane%40shop.test&page=2"),
            "email=redacted%40example.com&page=2"
        );
        assert_eq!(r.header("authorization", "key-123"), json!(REDACTED));
        assert_eq!(
            r.value(&json!({"note": "for jane@shop.test"})),
            json!({"note": "for [REDACTED]"})
        );
    }

    #[test]
    fn an_error_code_is_not_a_secret() {
        let r = Redactor::default();
        let codes =
            json!({"error": {"code": "LeaseNotFound", "message": "m"}, "other": {"code": 11503}});
        assert_eq!(r.value(&codes), codes);
        assert_eq!(
            r.value(&json!({"code": "00b070fc"})),
            json!({"code": REDACTED})
        );
    }
}
