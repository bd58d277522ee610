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

/// A table whose columns are the keys of the records, in first-seen order.
fn write_table(out: &mut String, rows: &[Value], indent: usize) {
    let mut columns: Vec<&str> = Vec::new();
    for row in rows.iter().filter_map(Value::as_object) {
        for key in row.keys() {
            if !columns.contains(&key.as_str()) {
                columns.push(key);
            }
        }
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|c| row.get(*c).map(scalar).unwrap_or_default())
                .collect()
        })
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            cells
                .iter()
                .map(|r| r[i].chars().count())
                .chain([c.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let render_row = |values: Vec<&str>| {
        values
            .iter()
            .zip(&widths)
            .map(|(v, w)| format!("{v:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    line(out, indent, &render_row(columns.clone()));
    for row in &cells {
        line(
            out,
            indent,
            &render_row(row.iter().map(String::as_str).collect()),
        );
    }
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
}
