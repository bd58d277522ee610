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
        Value::Object(m) if !m.is_empty() => {
            line(out, indent, &format!("{key}:"));
            write_value(out, v, indent + 2);
        }
        Value::Array(items) if items.iter().any(|i| i.is_object()) => {
            line(out, indent, &format!("{key}:"));
            write_value(out, v, indent + 2);
        }
        _ => line(out, indent, &format!("{key}: {}", scalar(v))),
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

/// Renders a header and rows as aligned columns.
pub fn table<H: AsRef<str>>(columns: &[H], rows: &[Vec<String>], indent: usize) -> String {
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([c.as_ref().chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let render_row = |values: &[&str]| {
        values
            .iter()
            .zip(&widths)
            .map(|(v, w)| format!("{v:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let header: Vec<&str> = columns.iter().map(AsRef::as_ref).collect();
    let mut out = String::new();
    line(&mut out, indent, &render_row(&header));
    for row in rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        line(&mut out, indent, &render_row(&cells));
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
            v => out.push((name, scalar(v))),
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
        assert_eq!(out, "minimumOrderValue: 49.95\n");
    }

    #[test]
    fn a_list_of_records_becomes_an_aligned_table() {
        let out =
            human(&json!({"data": [{"id": "a", "type": "card"}, {"id": "bb", "label": "x"}]}));
        assert_eq!(out, "id  type  label\na   card\nbb        x\n");
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
