//! Rendering results: one JSON document with `--json`, otherwise a readable summary
//! (key/value lines for objects, tables for lists of records).

use serde_json::Value;
use std::fmt::Write;

/// Renders `value` for a person: the `data` envelope is unwrapped, objects become
/// `key: value` lines, lists of objects become tables.
pub fn human(value: &Value) -> String {
    let value = match value {
        Value::Object(m) if m.len() == 1 && m.contains_key("data") => &m["data"],
        v => v,
    };
    let mut out = String::new();
    write_value(&mut out, value, 0);
    out
}

fn write_value(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if map.is_empty() => line(out, indent, "(done: nothing to report)"),
        Value::Object(map) => {
            for (key, v) in map {
                write_field(out, key, v, indent);
            }
        }
        Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => {
            write_table(out, items, indent)
        }
        Value::Array(items) if items.is_empty() => line(out, indent, "(none)"),
        v => line(out, indent, &scalar(v)),
    }
}

fn write_field(out: &mut String, key: &str, v: &Value, indent: usize) {
    match v {
        Value::String(s) if key == "contract" => line(
            out,
            indent,
            &format!(
                "{key}: (base64 contract, {} characters; --json prints it)",
                s.len()
            ),
        ),
        Value::Object(m) if !m.is_empty() => {
            line(out, indent, &format!("{key}:"));
            write_value(out, v, indent + 2);
        }
        Value::Array(items) if items.iter().any(|i| i.is_object()) => {
            line(out, indent, &format!("{key}:"));
            write_value(out, v, indent + 2);
        }
        _ => line(out, indent, &format!("{key}: {}", with_unit(key, v))),
    }
}

/// The money fields of the spec and their units: dollars everywhere except the three
/// fields FlexShopper documents in cents, and two whose unit is undocumented.
const DOLLAR_FIELDS: &[&str] = &[
    "amount",
    "availableBalance",
    "availableLimit",
    "availableWeeklyLimit",
    "availableWeeklySpending",
    "cashPrice",
    "cost",
    "costOfRental",
    "expectedPurchaseAmount",
    "itemCredit",
    "limit",
    "minimumOrderValue",
    "monthlyIncome",
    "payTomorrowTaxTotal",
    "payment",
    "shippingCost",
    "shippingCredit",
    "spendingLimit",
    "total",
    "totalDiscount",
];
const CENT_FIELDS: &[&str] = &["pastDue", "purchaseSalesTax", "purchaseTotal"];
const UNDOCUMENTED_UNIT_FIELDS: &[&str] = &["earlyPayoff", "estimatedOwnership"];

/// A value with its unit when the field is money: `$99.99`, `$99.99 (9999 cents)`.
fn with_unit(key: &str, v: &Value) -> String {
    let Value::Number(n) = v else {
        return scalar(v);
    };
    let Ok(d) = n.to_string().parse::<rust_decimal::Decimal>() else {
        return scalar(v);
    };
    if DOLLAR_FIELDS.contains(&key) {
        format!("${d:.2}")
    } else if CENT_FIELDS.contains(&key) {
        format!("${:.2} ({d} cents)", d / rust_decimal::Decimal::ONE_HUNDRED)
    } else if UNDOCUMENTED_UNIT_FIELDS.contains(&key) {
        format!("{d} (unit undocumented: dollars or cents)")
    } else {
        scalar(v)
    }
}

/// A table whose columns are the records' fields (nested objects flattened to dotted
/// names), in first-seen order.
fn write_table(out: &mut String, rows: &[Value], indent: usize) {
    let flat: Vec<Vec<(String, String)>> = rows.iter().map(|r| flatten(r, "", 0)).collect();
    let mut columns: Vec<String> = Vec::new();
    for row in &flat {
        for (key, _) in row {
            if !columns.contains(key) {
                columns.push(key.clone());
            }
        }
    }
    let cells: Vec<Vec<String>> = flat
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|c| {
                    row.iter()
                        .find(|(k, _)| k == c)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect();
    out.push_str(&table(&columns, &cells, indent));
}

/// Renders a header and rows as aligned columns (comfy-table: wide characters such as
/// `×` or CJK text keep the columns aligned).
pub fn table<H: AsRef<str>>(columns: &[H], rows: &[Vec<String>], indent: usize) -> String {
    let mut t = comfy_table::Table::new();
    t.load_style(comfy_table::presets::NOTHING)
        .set_header(columns.iter().map(AsRef::as_ref).collect::<Vec<_>>());
    for row in rows {
        t.add_row(row.clone());
    }
    for column in t.column_iter_mut() {
        column.set_padding((0, 2));
    }
    let mut out = String::new();
    for l in t.lines() {
        line(&mut out, indent, l.trim_end());
    }
    out
}

/// Table cells for the curated listings: a missing value is `-`, a timestamp shows its
/// day, money shows dollars and cents.
pub mod cell {
    use rust_decimal::Decimal;

    pub fn text(value: Option<String>) -> String {
        value.unwrap_or_else(|| "-".to_string())
    }

    pub fn day(timestamp: Option<&str>) -> String {
        text(timestamp.map(|t| t.chars().take(10).collect()))
    }

    pub fn dollars(amount: Option<Decimal>) -> String {
        text(amount.map(|d| format!("${d:.2}")))
    }
}

/// A record's fields as `(dotted.name, text)`: nested objects become dotted columns
/// (two levels deep), lists of records become a count, deeper structure compact JSON.
fn flatten(value: &Value, prefix: &str, depth: usize) -> Vec<(String, String)> {
    let Value::Object(map) = value else {
        return vec![(prefix.to_string(), scalar(value))];
    };
    let mut out = Vec::new();
    for (key, v) in map {
        let name = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match v {
            Value::Object(_) if depth < 1 => out.extend(flatten(v, &name, depth + 1)),
            Value::Array(items) if items.iter().any(Value::is_object) => {
                let noun = if items.len() == 1 { "item" } else { "items" };
                out.push((name, format!("{} {noun}", items.len())));
            }
            Value::Array(items) => {
                out.push((name, items.iter().map(scalar).collect::<Vec<_>>().join(",")))
            }
            Value::String(s) if key == "contract" => {
                out.push((name, format!("({} chars)", s.len())))
            }
            v => out.push((name, with_unit(key, v))),
        }
    }
    out
}

/// Scalars as text; nested structures inside a table cell as compact JSON.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        v => v.to_string(),
    }
}

fn line(out: &mut String, indent: usize, text: &str) {
    let _ = writeln!(out, "{:indent$}{text}", "");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_data_envelope_is_unwrapped_into_key_value_lines() {
        let out = human(&json!({"data": {"minimumOrderValue": 49.95}}));
        assert_eq!(out, "minimumOrderValue: $49.95\n");
    }

    #[test]
    fn a_list_of_records_becomes_an_aligned_table() {
        let out =
            human(&json!({"data": [{"id": "a", "type": "card"}, {"id": "bb", "label": "x"}]}));
        assert_eq!(out, "id  type  label\na   card\nbb        x\n");
    }

    #[test]
    fn wide_characters_keep_columns_aligned() {
        let out = table(
            &["sku", "n"],
            &[
                vec!["电视机".into(), "1".into()],
                vec!["TV".into(), "2".into()],
            ],
            0,
        );
        assert_eq!(out, "sku     n\n电视机  1\nTV      2\n");
    }

    #[test]
    fn money_states_its_unit_and_the_contract_is_not_dumped() {
        let out =
            human(&json!({"data": {"purchaseTotal": 9999, "cost": 99.99, "contract": "PGh0bWw+"}}));
        assert_eq!(
            out,
            "contract: (base64 contract, 8 characters; --json prints it)\ncost: $99.99\npurchaseTotal: $99.99 (9999 cents)\n"
        );
    }

    /// Every money field of the generated types has a unit here: a new one in the spec
    /// fails this test until it is listed.
    #[test]
    fn every_money_field_of_the_spec_has_a_unit() {
        let generated = include_str!("../../flexshopper-api/src/generated.rs");
        let mut missing = Vec::new();
        for l in generated.lines() {
            let l = l.trim();
            let Some(rest) = l.strip_prefix("pub ") else {
                continue;
            };
            let Some((name, ty)) = rest.split_once(": ") else {
                continue;
            };
            let money = ty.contains("Dollars") || ty.contains("Cents");
            if !money
                || name.contains(' ')
                || !name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            {
                continue;
            }
            let camel: String = name
                .split('_')
                .enumerate()
                .map(|(i, w)| {
                    if i == 0 {
                        w.to_string()
                    } else {
                        w[..1].to_uppercase() + &w[1..]
                    }
                })
                .collect();
            let known = [DOLLAR_FIELDS, CENT_FIELDS, UNDOCUMENTED_UNIT_FIELDS].concat();
            if !known.contains(&camel.as_str()) {
                missing.push(camel);
            }
        }
        assert!(
            missing.is_empty(),
            "money fields without a unit: {missing:?}"
        );
    }

    #[test]
    fn nested_records_become_dotted_columns_and_lists_a_count() {
        let rows = json!({"data": [{"id": "t", "lease": {"status": "signed"}, "items": [{"sku": "A"}, {"sku": "B"}]}]});
        assert_eq!(
            human(&rows),
            "id  items    lease.status\nt   2 items  signed\n"
        );
    }
}
