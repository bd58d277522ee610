//! Reading request bodies and item lists given on the command line.

use crate::error::CliError;
use serde::de::DeserializeOwned;
use std::io::Read;

/// Parses `--body` (a file, `-` for stdin, or inline JSON) into a generated request type.
/// A mismatch names the JSON path of the offending field.
pub fn body<T: DeserializeOwned>(arg: &str) -> Result<T, CliError> {
    let text = read_body_text(arg)?;
    let mut de = serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "body".to_string()
        } else {
            format!("body.{path}")
        };
        CliError::usage(field, e.into_inner().to_string())
    })
}

/// Like [`body`], for request bodies that carry secrets (SSN, account numbers, card
/// tokens): only from a file or stdin, never inline on the command line.
pub fn secret_body<T: DeserializeOwned>(arg: &str) -> Result<T, CliError> {
    let trimmed = arg.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return Err(CliError::usage(
            "body",
            "this body carries secrets, which are not accepted on the command line (shell history): give a file, or `-` and write it on stdin",
        ));
    }
    body(arg)
}

fn read_body_text(arg: &str) -> Result<String, CliError> {
    let trimmed = arg.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return Ok(arg.to_string());
    }
    if arg == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| CliError::usage("body", format!("cannot read stdin: {e}")))?;
        return Ok(s);
    }
    std::fs::read_to_string(arg)
        .map_err(|e| CliError::usage("body", format!("cannot read {arg}: {e}")))
}

/// Splits an `--item` value on `:`; `\:` is a literal colon and `\\` a backslash
/// (`'TV-55:55\: TV:499'` has the description `55: TV`).
pub fn item_fields(arg: &str) -> Result<Vec<String>, CliError> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = arg.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ (':' | '\\')) => field.push(e),
                other => {
                    return Err(CliError::usage(
                        "item",
                        format!(
                            "`{arg}` has `\\{}`: only `\\:` (a colon) and `\\\\` (a backslash) are escapes",
                            other.map(String::from).unwrap_or_default()
                        ),
                    ));
                }
            },
            ':' => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    Ok(fields)
}

/// Parses `SKU` or `SKU:QUANTITY` (`\:` for a colon in the SKU).
pub fn sku_quantity(arg: &str) -> Result<(String, Option<u32>), CliError> {
    let fields = item_fields(arg)?;
    let (sku, qty) = match fields.as_slice() {
        [sku] => (sku.as_str(), None),
        [sku, q] => (sku.as_str(), Some(q.as_str())),
        _ => {
            return Err(CliError::usage(
                "item",
                format!("`{arg}` is not SKU[:QUANTITY] (write `\\:` for a colon in the SKU)"),
            ));
        }
    };
    if sku.is_empty() {
        return Err(CliError::usage("item", format!("`{arg}` has an empty SKU")));
    }
    let qty = qty
        .map(|q| match q.parse::<u32>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(CliError::usage(
                "item",
                format!("`{q}` in `{arg}` is not a positive quantity"),
            )),
        })
        .transpose()?;
    Ok((sku.to_string(), qty))
}

/// A secret flag's value: `-` reads one line from stdin, no flag reads the environment
/// variable; any other value is refused, because a secret on the command line lands in
/// shell history and process listings.
pub fn secret(flag: &str, env: &str, value: Option<&str>) -> Result<String, CliError> {
    let text = match value {
        Some("-") => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| CliError::usage(flag, format!("cannot read stdin: {e}")))?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
        Some(_) => {
            return Err(CliError::usage(
                flag,
                format!(
                    "a secret is not accepted as a flag value (shell history): set {env}, or pass `--{flag} -` and write it on stdin"
                ),
            ));
        }
        None => std::env::var(env).map_err(|_| {
            CliError::usage(
                flag,
                format!("required: set {env}, or pass `--{flag} -` and write it on stdin"),
            )
        })?,
    };
    let text = text.trim().to_string();
    if text.is_empty() {
        return Err(CliError::usage(flag, "must not be empty"));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_colon_is_escaped_with_a_backslash() {
        assert_eq!(
            item_fields(r"TV-55:55\: TV\\x:499").unwrap(),
            ["TV-55", r"55: TV\x", "499"]
        );
        assert!(item_fields(r"TV\n:x").is_err());
    }

    #[test]
    fn a_secret_flag_value_is_refused_but_stdin_is_not() {
        let err = secret("customer-token", "NO_SUCH_VAR_X", Some("eyJ.secret")).unwrap_err();
        assert!(
            err.to_string().contains("not accepted as a flag value"),
            "{err}"
        );
        let err = secret("customer-token", "NO_SUCH_VAR_X", None).unwrap_err();
        assert!(err.to_string().contains("NO_SUCH_VAR_X"), "{err}");
    }

    use super::*;

    #[test]
    fn a_sku_with_and_without_quantity_parses() {
        assert_eq!(sku_quantity("TV-55:2").unwrap(), ("TV-55".into(), Some(2)));
        assert_eq!(sku_quantity("TV-55").unwrap(), ("TV-55".into(), None));
    }

    #[test]
    fn a_zero_quantity_is_refused_naming_the_item() {
        let err = sku_quantity("TV-55:0").unwrap_err();
        assert!(err.to_string().starts_with("item:"), "{err}");
    }

    #[test]
    fn a_mistyped_body_names_the_field_path() {
        let err = body::<flexshopper::api::types::RefundRequest>(
            r#"{"items":[{"lineNumber":"x","sku":"A"}]}"#,
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with("body.items[0].lineNumber:"),
            "{err}"
        );
    }
}
