//! How [`crate::registry`] derives JSON Schemas.
//!
//! schemars describes `rust_decimal::Decimal` as a pattern-checked *string*, but this
//! workspace enables rust_decimal's `serde-float` feature, so money (the spec's
//! `Dollars`) travels as a JSON *number*. Published schemas must describe the wire,
//! so every Decimal schema is rewritten to `{"type": "number"}`.

use schemars::JsonSchema;
use schemars::r#gen::SchemaSettings;
use schemars::schema::{InstanceType, RootSchema, SchemaObject, SingleOrVec};
use schemars::visit::{Visitor, visit_schema_object};

/// The draft-07 root schema of `T`, with Decimal described as a number.
pub(crate) fn root_schema_for<T: JsonSchema>() -> RootSchema {
    SchemaSettings::draft07()
        .with_visitor(DecimalAsNumber::new())
        .into_generator()
        .into_root_schema_for::<T>()
}

/// Recognises schemars' Decimal schema by its type and pattern (taken from schemars
/// itself rather than copied, so an upstream change cannot silently unmatch it).
#[derive(Debug, Clone)]
struct DecimalAsNumber {
    decimal: SchemaObject,
}

impl DecimalAsNumber {
    fn new() -> Self {
        let mut generator = SchemaSettings::draft07().into_generator();
        let decimal = rust_decimal::Decimal::json_schema(&mut generator).into_object();
        Self { decimal }
    }

    /// A Decimal, or an `Option<Decimal>` (schemars then adds `null` to the types).
    fn is_decimal(&self, schema: &SchemaObject) -> bool {
        let is_string = match &schema.instance_type {
            Some(SingleOrVec::Single(single)) => **single == InstanceType::String,
            Some(SingleOrVec::Vec(types)) => types.contains(&InstanceType::String),
            None => false,
        };
        is_string && schema.string == self.decimal.string
    }
}

impl Visitor for DecimalAsNumber {
    fn visit_schema_object(&mut self, schema: &mut SchemaObject) {
        if self.is_decimal(schema) {
            schema.string = None;
            schema.instance_type = schema.instance_type.take().map(|types| match types {
                SingleOrVec::Single(_) => InstanceType::Number.into(),
                SingleOrVec::Vec(types) => types
                    .into_iter()
                    .map(number_for_string)
                    .collect::<Vec<_>>()
                    .into(),
            });
        }
        visit_schema_object(self, schema);
    }
}

fn number_for_string(instance_type: InstanceType) -> InstanceType {
    match instance_type {
        InstanceType::String => InstanceType::Number,
        other => other,
    }
}
