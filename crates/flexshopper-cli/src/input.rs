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

/// Parses `SKU` or `SKU:QUANTITY`.
pub fn sku_quantity(arg: &str) -> Result<(String, Option<u32>), CliError> {
    let (sku, qty) = match arg.rsplit_once(':') {
        Some((sku, q)) => (sku, Some(q)),
        None => (arg, None),
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

#[cfg(test)]
mod tests {
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
