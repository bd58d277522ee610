//! Rules on JSON Schemas, walked in step on both sides. What a change means depends
//! on which way the data travels: a client *writes* requests, so narrowing what a
//! request accepts (a new required field, a removed enum value, a tighter limit) is
//! breaking and widening it additive; a client *reads* responses, so removing a field
//! or no longer promising it is breaking, and widening what may arrive (a new enum
//! value, a looser limit, a wider type) is breaking too, while narrowing it is
//! additive.
//!
//! Schemas are handled as JSON (openapiv3's serialisation of them), because the rules
//! are about keywords. `$ref`s into `#/components/schemas` are followed; a shared
//! component is located at its own path, so its change is reported once per
//! direction however many operations use it.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Map, Value};

use super::rules::member;
use super::{Change, Class};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Data the client sends.
    Request,
    /// Data the client receives.
    Response,
}

/// Where a schema sits and which way its data travels.
#[derive(Debug, Clone)]
pub struct At {
    pub path: String,
    pub direction: Direction,
}

impl At {
    fn side(&self) -> &'static str {
        match self.direction {
            Direction::Request => "request",
            Direction::Response => "response",
        }
    }

    /// Fewer values are allowed than before: breaking for what a client sends.
    fn narrowed(&self, what: String) -> Change {
        self.judged(
            Direction::Request,
            format!("{what} ({} narrowed)", self.side()),
        )
    }

    /// More values are allowed than before: breaking for what a client reads.
    fn widened(&self, what: String) -> Change {
        self.judged(
            Direction::Response,
            format!("{what} ({} widened)", self.side()),
        )
    }

    /// Breaking when the data travels in the `breaks` direction, additive otherwise.
    fn judged(&self, breaks: Direction, message: String) -> Change {
        let class = if self.direction == breaks {
            Class::Breaking
        } else {
            Class::Additive
        };
        Change::new(class, self.path.clone(), message)
    }

    fn breaking(&self, what: String) -> Change {
        Change::new(
            Class::Breaking,
            self.path.clone(),
            format!("{what} ({})", self.side()),
        )
    }

    fn child(&self, path: String) -> At {
        At {
            path,
            direction: self.direction,
        }
    }
}

/// Compares two schemas (resolving `$ref`s against each document) and returns every
/// change found in them and below them.
pub fn compare(
    base_doc: &Value,
    head_doc: &Value,
    base: &Value,
    head: &Value,
    path: &str,
    direction: Direction,
) -> Vec<Change> {
    let mut walker = Walker {
        base_doc,
        head_doc,
        seen: HashSet::new(),
        out: Vec::new(),
    };
    walker.compare(
        base,
        head,
        &At {
            path: path.to_string(),
            direction,
        },
    );
    walker.out
}

/// A leaf rule: compares one aspect of two (resolved) schemas.
type SchemaRule = fn(&Map<String, Value>, &Map<String, Value>, &At) -> Vec<Change>;

/// Leaf rules; properties, items, additionalProperties and compositions are walked by
/// [`Walker`].
pub const RULES: &[SchemaRule] = &[
    type_changed,
    format_changed,
    enum_changed,
    nullable_changed,
    limits_changed,
    pattern_changed,
    required_changed,
    docs_changed,
    unclassified_changed,
];

/// Keywords some rule (or the walker) looks at; anything else that differs is
/// reported by [`unclassified_changed`].
const CLASSIFIED: &[&str] = &[
    "type",
    "format",
    "enum",
    "nullable",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "uniqueItems",
    "pattern",
    "required",
    "properties",
    "items",
    "additionalProperties",
    "oneOf",
    "anyOf",
    "allOf",
    "$ref",
    "description",
    "title",
    "example",
    "externalDocs",
    "deprecated",
];

struct Walker<'a> {
    base_doc: &'a Value,
    head_doc: &'a Value,
    seen: HashSet<(String, String, Direction)>,
    out: Vec<Change>,
}

fn ref_name(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

fn lookup<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let mut current = schema;
    for _ in 0..8 {
        match ref_name(current).and_then(|n| doc.pointer(&format!("/components/schemas/{n}"))) {
            Some(next) => current = next,
            None => break,
        }
    }
    current
}

impl Walker<'_> {
    fn compare(&mut self, base: &Value, head: &Value, at: &At) {
        let at = match (ref_name(base), ref_name(head)) {
            (Some(b), Some(h)) => {
                if !self.seen.insert((b.into(), h.into(), at.direction)) {
                    return;
                }
                if b == h {
                    at.child(member("$.components.schemas", h))
                } else {
                    at.clone()
                }
            }
            _ => at.clone(),
        };
        let (base, head) = (lookup(self.base_doc, base), lookup(self.head_doc, head));
        let (Some(b), Some(h)) = (base.as_object(), head.as_object()) else {
            if base != head {
                self.out.push(at.breaking("schema changed".into()));
            }
            return;
        };
        for rule in RULES {
            self.out.extend(rule(b, h, &at));
        }
        self.properties(b, h, &at);
        if let (Some(bi), Some(hi)) = (b.get("items"), h.get("items")) {
            self.compare(bi, hi, &at.child(member(&at.path, "items")));
        } else if b.get("items") != h.get("items") {
            self.out
                .push(at.breaking("array items added or removed".into()));
        }
        self.additional_properties(b, h, &at);
        for keyword in ["oneOf", "anyOf", "allOf"] {
            self.composition(keyword, b, h, &at);
        }
    }

    /// A property removed: a client reading it breaks, a generated client sending it
    /// loses the field. A property added: additive in a response and when optional in
    /// a request; a new required request field is breaking.
    fn properties(&mut self, b: &Map<String, Value>, h: &Map<String, Value>, at: &At) {
        let empty = Map::new();
        let bp = b
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let hp = h
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let required = names(h.get("required"));
        for (name, bs) in bp {
            let here = at.child(member(&member(&at.path, "properties"), name));
            match hp.get(name) {
                None => self.out.push(Change::new(
                    Class::Breaking,
                    here.path,
                    format!("{} field `{name}` removed", at.side()),
                )),
                Some(hs) => self.compare(bs, hs, &here),
            }
        }
        for name in hp.keys().filter(|n| !bp.contains_key(*n)) {
            let here = member(&member(&at.path, "properties"), name);
            let change = match (at.direction, required.contains(name.as_str())) {
                (Direction::Request, true) => Change::new(
                    Class::Breaking,
                    here,
                    format!("new required request field `{name}`"),
                ),
                (Direction::Request, false) => Change::new(
                    Class::Additive,
                    here,
                    format!("new optional request field `{name}`"),
                ),
                (Direction::Response, _) => Change::new(
                    Class::Additive,
                    here,
                    format!("new response field `{name}`"),
                ),
            };
            self.out.push(change);
        }
    }

    /// Maps: a value schema is compared like `items`; `false` ↔ absent/`true` is a
    /// narrowing or widening of the allowed keys.
    fn additional_properties(&mut self, b: &Map<String, Value>, h: &Map<String, Value>, at: &At) {
        let (bv, hv) = (b.get("additionalProperties"), h.get("additionalProperties"));
        if bv == hv {
            return;
        }
        let closed = |v: Option<&Value>| v == Some(&Value::Bool(false));
        match (bv, hv) {
            (Some(bs @ Value::Object(_)), Some(hs @ Value::Object(_))) => {
                self.compare(bs, hs, &at.child(member(&at.path, "additionalProperties")));
            }
            _ if closed(hv) => self
                .out
                .push(at.narrowed("additional properties no longer allowed".into())),
            _ if closed(bv) => self
                .out
                .push(at.widened("additional properties now allowed".into())),
            _ => self
                .out
                .push(at.breaking("additionalProperties changed".into())),
        }
    }

    /// Alternatives (`oneOf`/`anyOf`): with the same count they are compared in order;
    /// added alternatives widen, removed ones narrow. Any other change to an `allOf` is
    /// breaking (no finer rule).
    fn composition(
        &mut self,
        keyword: &str,
        b: &Map<String, Value>,
        h: &Map<String, Value>,
        at: &At,
    ) {
        let empty = Vec::new();
        let bl = b.get(keyword).and_then(Value::as_array).unwrap_or(&empty);
        let hl = h.get(keyword).and_then(Value::as_array).unwrap_or(&empty);
        if bl.len() == hl.len() {
            for (i, (bs, hs)) in bl.iter().zip(hl).enumerate() {
                self.compare(
                    bs,
                    hs,
                    &at.child(format!("{}[{i}]", member(&at.path, keyword))),
                );
            }
        } else if keyword == "allOf" {
            self.out.push(at.breaking(format!(
                "allOf went from {} to {} schemas",
                bl.len(),
                hl.len()
            )));
        } else if hl.len() > bl.len() {
            self.out.push(at.widened(format!(
                "{keyword} alternatives went from {} to {}",
                bl.len(),
                hl.len()
            )));
        } else {
            self.out.push(at.narrowed(format!(
                "{keyword} alternatives went from {} to {}",
                bl.len(),
                hl.len()
            )));
        }
    }
}

fn names(list: Option<&Value>) -> BTreeSet<&str> {
    list.and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn types(s: &Map<String, Value>) -> Option<&str> {
    s.get("type").and_then(Value::as_str)
}

/// A changed type breaks, except integer → number (a widening) and number → integer
/// (a narrowing).
pub fn type_changed(b: &Map<String, Value>, h: &Map<String, Value>, at: &At) -> Vec<Change> {
    let (bt, ht) = (types(b), types(h));
    if bt == ht {
        return vec![];
    }
    let show = |t: Option<&str>| t.unwrap_or("any").to_string();
    let what = format!("type {} -> {}", show(bt), show(ht));
    vec![match (bt, ht) {
        (Some("integer"), Some("number")) | (Some(_), None) => at.widened(what),
        (Some("number"), Some("integer")) | (None, Some(_)) => at.narrowed(what),
        _ => at.breaking(what),
    }]
}

/// A format added narrows, one removed widens, one replaced breaks.
pub fn format_changed(b: &Map<String, Value>, h: &Map<String, Value>, at: &At) -> Vec<Change> {
    let (bf, hf) = (b.get("format"), h.get("format"));
    match (bf, hf) {
        _ if bf == hf => vec![],
        (None, Some(f)) => vec![at.narrowed(format!("format {f} added"))],
        (Some(f), None) => vec![at.widened(format!("format {f} removed"))],
        (Some(f), Some(g)) => vec![at.breaking(format!("format {f} -> {g}"))],
        (None, None) => vec![],
    }
}

/// Enum values removed narrow (a request value the server refuses, a response value a
/// client may rely on); added ones widen (a value a client cannot decode).
pub fn enum_changed(b: &Map<String, Value>, h: &Map<String, Value>, at: &At) -> Vec<Change> {
    let (be, he) = (b.get("enum"), h.get("enum"));
    if be == he {
        return vec![];
    }
    let values = |v: Option<&Value>| -> Vec<Value> {
        v.and_then(Value::as_array).cloned().unwrap_or_default()
    };
    let (bv, hv) = (values(be), values(he));
    let mut out = Vec::new();
    match (be, he) {
        (None, Some(_)) => {
            out.push(at.narrowed(format!("enum {} introduced", Value::Array(hv.clone()))))
        }
        (Some(_), None) => out.push(at.widened("enum removed (any value allowed)".into())),
        _ => {
            let removed: Vec<&Value> = bv.iter().filter(|v| !hv.contains(v)).collect();
            let added: Vec<&Value> = hv.iter().filter(|v| !bv.contains(v)).collect();
            if !removed.is_empty() {
                out.push(at.narrowed(format!("enum value(s) {} removed", list(&removed))));
            }
            if !added.is_empty() {
                out.push(at.widened(format!("enum value(s) {} added", list(&added))));
            }
        }
    }
    out
}

fn list(values: &[&Value]) -> String {
    values
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `nullable: true` added widens; removed narrows.
pub fn nullable_changed(b: &Map<String, Value>, h: &Map<String, Value>, at: &At) -> Vec<Change> {
    let flag = |s: &Map<String, Value>| s.get("nullable").and_then(Value::as_bool).unwrap_or(false);
    match (flag(b), flag(h)) {
        (false, true) => vec![at.widened("now nullable".into())],
        (true, false) => vec![at.narrowed("no longer nullable".into())],
        _ => vec![],
    }
}

/// Lower bounds raised or added, upper bounds lowered or added, `uniqueItems` or an
/// exclusive bound switched on: narrowed; the opposite: widened.
pub fn limits_changed(b: &Map<String, Value>, h: &Map<String, Value>, at: &At) -> Vec<Change> {
    let mut out = Vec::new();
    let number = |s: &Map<String, Value>, k: &str| s.get(k).and_then(Value::as_f64);
    for (keyword, lower) in [
        ("minimum", true),
        ("minLength", true),
        ("minItems", true),
        ("minProperties", true),
        ("maximum", false),
        ("maxLength", false),
        ("maxItems", false),
        ("maxProperties", false),
    ] {
        let (bv, hv) = (number(b, keyword), number(h, keyword));
        let what = |x: Option<f64>| x.map_or_else(|| "none".to_string(), |x| x.to_string());
        let message = format!("{keyword} {} -> {}", what(bv), what(hv));
        let narrower = match (bv, hv) {
            (Some(x), Some(y)) if x == y => continue,
            (None, None) => continue,
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (Some(x), Some(y)) => (y > x) == lower,
        };
        out.push(if narrower {
            at.narrowed(message)
        } else {
            at.widened(message)
        });
    }
    for flag in ["uniqueItems", "exclusiveMinimum", "exclusiveMaximum"] {
        let on = |s: &Map<String, Value>| s.get(flag).and_then(Value::as_bool).unwrap_or(false);
        match (on(b), on(h)) {
            (false, true) => out.push(at.narrowed(format!("{flag} switched on"))),
            (true, false) => out.push(at.widened(format!("{flag} switched off"))),
            _ => {}
        }
    }
    out
}

/// A pattern added narrows, one removed widens, one replaced breaks (neither side's
/// language can be proved to contain the other's).
pub fn pattern_changed(b: &Map<String, Value>, h: &Map<String, Value>, at: &At) -> Vec<Change> {
    match (b.get("pattern"), h.get("pattern")) {
        (None, Some(p)) => vec![at.narrowed(format!("pattern {p} added"))],
        (Some(p), None) => vec![at.widened(format!("pattern {p} removed"))],
        (Some(p), Some(q)) if p != q => vec![at.breaking(format!("pattern {p} -> {q}"))],
        _ => vec![],
    }
}

/// For properties present on both sides: becoming required narrows a request (breaking)
/// and strengthens a response's promise (additive); no longer required widens a
/// request (additive) and breaks a response reader relying on the field.
pub fn required_changed(b: &Map<String, Value>, h: &Map<String, Value>, at: &At) -> Vec<Change> {
    let (br, hr) = (names(b.get("required")), names(h.get("required")));
    let exists = |name: &str| {
        b.get("properties").and_then(|p| p.get(name)).is_some()
            && h.get("properties").and_then(|p| p.get(name)).is_some()
    };
    let mut out = Vec::new();
    let field = |name: &str| member(&member(&at.path, "properties"), name);
    for name in hr.difference(&br).filter(|n| exists(n)) {
        let change = match at.direction {
            Direction::Request => Change::new(
                Class::Breaking,
                field(name),
                format!("request field `{name}` now required"),
            ),
            Direction::Response => Change::new(
                Class::Additive,
                field(name),
                format!("response field `{name}` now always present"),
            ),
        };
        out.push(change);
    }
    for name in br.difference(&hr).filter(|n| exists(n)) {
        let change = match at.direction {
            Direction::Request => Change::new(
                Class::Additive,
                field(name),
                format!("request field `{name}` now optional"),
            ),
            Direction::Response => Change::new(
                Class::Breaking,
                field(name),
                format!("response field `{name}` no longer always present"),
            ),
        };
        out.push(change);
    }
    out
}

/// Description, title, example, external docs, deprecation and `x-` extensions
/// (provenance, units) describe the schema without changing what is valid.
pub fn docs_changed(b: &Map<String, Value>, h: &Map<String, Value>, at: &At) -> Vec<Change> {
    let is_doc = |k: &str| {
        matches!(
            k,
            "description" | "title" | "example" | "externalDocs" | "deprecated"
        ) || k.starts_with("x-")
    };
    let changed: BTreeSet<&str> = b
        .keys()
        .chain(h.keys())
        .map(String::as_str)
        .filter(|k| is_doc(k) && b.get(*k) != h.get(*k))
        .collect();
    if changed.is_empty() {
        return vec![];
    }
    vec![Change::new(
        Class::Docs,
        at.path.clone(),
        format!(
            "{} changed",
            changed.into_iter().collect::<Vec<_>>().join(", ")
        ),
    )]
}

/// Any other keyword that differs (`default`, `readOnly`, `discriminator`, `not`, …):
/// no rule knows its meaning for clients, so it is reported as breaking for review.
pub fn unclassified_changed(
    b: &Map<String, Value>,
    h: &Map<String, Value>,
    at: &At,
) -> Vec<Change> {
    let changed: BTreeSet<&str> = b
        .keys()
        .chain(h.keys())
        .map(String::as_str)
        .filter(|k| !CLASSIFIED.contains(k) && !k.starts_with("x-") && b.get(*k) != h.get(*k))
        .collect();
    changed
        .into_iter()
        .map(|k| {
            at.breaking(format!(
                "`{k}` changed (no rule classifies it; review by hand)"
            ))
        })
        .collect()
}
