//! Secrets: the API key, customer tokens, passcodes, SSNs and account numbers.
//!
//! Each secret is its own type whose `Debug` and `Display` print `[REDACTED]`, so a
//! secret cannot reach a log line, a tracing field or an error message by accident.
//! The value is only read through [`ExposeSecret`] at the moment a request is built.

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::fmt;

/// What every secret prints instead of its value.
pub const REDACTED: &str = "[REDACTED]";

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(SecretString);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(SecretString::from(value.into()))
            }

            /// The secret value, for the one place that must send it.
            #[allow(dead_code)] // not every secret is sent by this crate
            pub(crate) fn expose(&self) -> &str {
                self.0.expose_secret()
            }

            /// The secret value, e.g. to store it encrypted. Never log it.
            pub fn expose_secret(&self) -> &str {
                self.0.expose_secret()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({REDACTED})", stringify!($name))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(REDACTED)
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::new(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::new(value)
            }
        }
    };
}

secret_type!(
    /// The merchant API key, sent raw in `Authorization`.
    ///
    /// ```
    /// let key = flexshopper::ApiKey::new("sk-live-123");
    /// assert_eq!(format!("{key:?}"), "ApiKey([REDACTED])");
    /// assert_eq!(key.to_string(), "[REDACTED]");
    /// ```
    ApiKey
);
secret_type!(
    /// A customer token (JWT), valid only with the API key that minted it.
    ///
    /// ```
    /// let token = flexshopper::CustomerToken::new("eyJhbGciOi");
    /// assert!(!format!("{token:?}").contains("eyJ"));
    /// ```
    CustomerToken
);
secret_type!(
    /// A one-time passcode sent to a customer by SMS or email.
    ///
    /// ```
    /// assert_eq!(flexshopper::Passcode::new("123456").to_string(), "[REDACTED]");
    /// ```
    Passcode
);
secret_type!(
    /// A US Social Security number (9 digits).
    ///
    /// ```
    /// assert_eq!(format!("{:?}", flexshopper::Ssn::new("123456789")), "Ssn([REDACTED])");
    /// ```
    Ssn
);
secret_type!(
    /// A bank account number (4 to 17 digits).
    ///
    /// ```
    /// assert_eq!(format!("{:?}", flexshopper::AccountNumber::new("000123456789")), "AccountNumber([REDACTED])");
    /// ```
    AccountNumber
);
secret_type!(
    /// A card token issued by a payment gateway (Clover, LoanPaymentPro).
    ///
    /// ```
    /// assert_eq!(flexshopper::CardToken::new("tok_123").to_string(), "[REDACTED]");
    /// ```
    CardToken
);

secret_type!(
    /// A one-time LoanPaymentPro child key for tokenizing a card.
    ///
    /// ```
    /// assert_eq!(flexshopper::ChildKey::new("2ea9a2db").to_string(), "[REDACTED]");
    /// ```
    ChildKey
);

secret_type!(
    /// A temporary auth code with which the Payment Plugin modal signs a customer in.
    ///
    /// ```
    /// assert_eq!(flexshopper::AuthCode::new("SflKxwRJ").to_string(), "[REDACTED]");
    /// ```
    AuthCode
);

/// A non-secret fingerprint of an API key, used to bind customer sessions to the key
/// that minted them without keeping a second copy of the key.
///
/// ```
/// use flexshopper::{ApiKey, KeyFingerprint};
/// let a = KeyFingerprint::of(&ApiKey::new("key-a"));
/// assert_eq!(a, KeyFingerprint::of(&ApiKey::new("key-a")));
/// assert_ne!(a, KeyFingerprint::of(&ApiKey::new("key-b")));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyFingerprint([u8; 8]);

impl KeyFingerprint {
    /// The fingerprint of `key`: the first 8 bytes of its SHA-256 under a domain prefix.
    pub fn of(key: &ApiKey) -> Self {
        let digest = Sha256::new()
            .chain_update(b"flexshopper-rs key fingerprint\0")
            .chain_update(key.expose().as_bytes())
            .finalize();
        let mut out = [0u8; 8];
        out.copy_from_slice(&digest[..8]);
        Self(out)
    }
}

/// Reads a fingerprint back from its 16 hex digits (as [`fmt::Display`] prints it), e.g.
/// one stored next to a customer token.
///
/// ```
/// use flexshopper::{ApiKey, KeyFingerprint};
/// let fp = KeyFingerprint::of(&ApiKey::new("key-a"));
/// assert_eq!(fp.to_string().parse::<KeyFingerprint>(), Ok(fp));
/// assert!("not-hex".parse::<KeyFingerprint>().is_err());
/// ```
impl std::str::FromStr for KeyFingerprint {
    type Err = crate::ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || crate::ValidationError::field("keyFingerprint", "must be 16 hex digits");
        if s.len() != 16 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let mut out = [0u8; 8];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        Ok(Self(out))
    }
}

impl fmt::Debug for KeyFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyFingerprint({self})")
    }
}

impl fmt::Display for KeyFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_secret_type_redacts_debug_and_display() {
        let shown = [
            format!("{:?} {}", ApiKey::new("K-SECRET"), ApiKey::new("K-SECRET")),
            format!(
                "{:?} {}",
                CustomerToken::new("T-SECRET"),
                CustomerToken::new("T-SECRET")
            ),
            format!(
                "{:?} {}",
                Passcode::new("P-SECRET"),
                Passcode::new("P-SECRET")
            ),
            format!("{:?} {}", Ssn::new("S-SECRET"), Ssn::new("S-SECRET")),
            format!(
                "{:?} {}",
                AccountNumber::new("A-SECRET"),
                AccountNumber::new("A-SECRET")
            ),
            format!(
                "{:?} {}",
                CardToken::new("C-SECRET"),
                CardToken::new("C-SECRET")
            ),
        ];
        for s in shown {
            assert!(!s.contains("SECRET"), "{s}");
            assert!(s.contains(REDACTED));
        }
    }

    #[test]
    fn fingerprint_does_not_contain_the_key() {
        let fp = KeyFingerprint::of(&ApiKey::new("abcdef"));
        assert_eq!(fp.to_string().len(), 16);
        assert!(!fp.to_string().contains("abcdef"));
    }
}
