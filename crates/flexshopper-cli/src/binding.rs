//! Customer tokens bound to the API key that minted them.
//!
//! FlexShopper suspends both merchant accounts when a customer token is used with
//! another API key. The CLI therefore never prints a bare token: a token it mints is
//! printed as `fsk1.<key fingerprint>.<token>` (the fingerprint is 16 hex digits of a
//! SHA-256 of the key, not the key), and a token given to a command must carry that
//! prefix. Before anything is sent the fingerprint is compared with the current API
//! key's; a mismatch is refused (exit 2). A token minted elsewhere is bound by writing
//! the prefix yourself, which the error message spells out with this key's fingerprint.

use crate::error::CliError;
use flexshopper::KeyFingerprint;
use serde_json::Value;

const PREFIX: &str = "fsk1";

/// The printable form of a token minted with the key of `fingerprint`.
pub fn bind(fingerprint: KeyFingerprint, token: &str) -> String {
    format!("{PREFIX}.{fingerprint}.{token}")
}

/// The bare token of `bound`, if it was minted with the key of `client`; refused
/// otherwise, before anything is sent.
pub fn unbind(
    client: KeyFingerprint,
    bound: &str,
    operation: &'static str,
) -> Result<String, CliError> {
    let unbound = || {
        CliError::usage(
            "customer-token",
            format!(
                "not bound to an API key: give a token printed by this CLI ({PREFIX}.<key fingerprint>.<token>); for a token minted elsewhere with this API key, prefix it with `{PREFIX}.{client}.` (FlexShopper suspends accounts that use a token with another key)"
            ),
        )
    };
    let mut parts = bound.splitn(3, '.');
    let (Some(PREFIX), Some(fp), Some(token)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(unbound());
    };
    let minted_by: KeyFingerprint = fp.parse().map_err(|_| unbound())?;
    if minted_by != client {
        return Err(flexshopper::Error::TokenKeyMismatch {
            operation,
            session_key: minted_by,
            client_key: client,
        }
        .into());
    }
    if token.is_empty() {
        return Err(CliError::usage(
            "customer-token",
            "the token after the prefix is empty",
        ));
    }
    Ok(token.to_string())
}

/// Rewrites every `token` string under `value` into its bound form.
pub fn bind_tokens(fingerprint: KeyFingerprint, value: &mut Value) {
    walk(value, &mut |t| *t = bind(fingerprint, t));
}

/// Replaces every `token` string under `value` with a note saying how to mint one: for
/// commands whose purpose is not handing out a token.
pub fn withhold_tokens(value: &mut Value, how: &str) {
    walk(value, &mut |t| *t = format!("(not printed; {how})"));
}

fn walk(value: &mut Value, f: &mut dyn FnMut(&mut String)) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match v {
                    Value::String(s) if k == "token" => f(s),
                    v => walk(v, f),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| walk(v, f)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flexshopper::ApiKey;

    fn fp(key: &str) -> KeyFingerprint {
        KeyFingerprint::of(&ApiKey::new(key))
    }

    #[test]
    fn a_bound_token_round_trips_with_its_own_key() {
        let bound = bind(fp("a"), "eyJ.x.y");
        assert_eq!(unbind(fp("a"), &bound, "getAgreements").unwrap(), "eyJ.x.y");
    }

    #[test]
    fn token_from_another_key_is_refused_before_sending() {
        let err = unbind(fp("b"), &bind(fp("a"), "t"), "getAgreements").unwrap_err();
        assert!(matches!(
            err,
            CliError::Api(flexshopper::Error::TokenKeyMismatch { .. })
        ));
        assert_eq!(err.error_json()["kind"], "refused");
    }

    #[test]
    fn an_unbound_token_is_refused_naming_this_keys_prefix() {
        let err = unbind(fp("a"), "eyJ.x.y", "getAgreements").unwrap_err();
        assert!(
            err.to_string().contains(&format!("fsk1.{}.", fp("a"))),
            "{err}"
        );
    }
}
