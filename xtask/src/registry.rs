//! Builds `registry.rs`: a by-name index over the generated `types` module, so tests
//! can pin every type's JSON Schema and round-trip every spec example, and apps can
//! publish schemas, without anyone maintaining a list of types by hand.

use anyhow::{Context, Result, ensure};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Item, Visibility};

/// The public structs and enums directly inside `pub mod types`, sorted by name.
/// Submodules (`builder`, `error`) hold helpers, not wire types, and are skipped.
pub fn type_names(client: &syn::File) -> Result<Vec<String>> {
    let (_, items) = client
        .items
        .iter()
        .find_map(|item| match item {
            Item::Mod(module) if module.ident == "types" => module.content.as_ref(),
            _ => None,
        })
        .context("the generated client has no inline `mod types`")?;
    let mut names: Vec<String> = items.iter().filter_map(public_type_name).collect();
    names.sort();
    ensure!(!names.is_empty(), "the generated `types` module is empty");
    Ok(names)
}

fn public_type_name(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) if is_public(&s.vis) => Some(s.ident.to_string()),
        Item::Enum(e) if is_public(&e.vis) => Some(e.ident.to_string()),
        _ => None,
    }
}

fn is_public(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

pub fn render(names: &[String]) -> TokenStream {
    let idents: Vec<_> = names.iter().map(|name| format_ident!("{name}")).collect();
    quote! {
        //! A by-name index over [`crate::types`]: every generated wire type, its JSON
        //! Schema, and a JSON round trip through it.

        #[cfg(feature = "schemars")]
        use crate::schema::root_schema_for;
        use crate::types;

        /// The name of every type in [`crate::types`], sorted.
        pub const TYPE_NAMES: &[&str] = &[#(#names),*];

        /// The JSON Schema (draft-07, derived by schemars, money as numbers) of the
        /// type called `name`, or `None` if no generated type has that name. Needs the
        /// `schemars` feature (the snapshot tests enable it).
        #[cfg(feature = "schemars")]
        pub fn json_schema(name: &str) -> Option<schemars::schema::RootSchema> {
            let schema = match name {
                #(#names => root_schema_for::<types::#idents>(),)*
                _ => return None,
            };
            Some(schema)
        }

        /// Deserializes `value` into the type called `name` and serializes it back,
        /// showing what the client would send or keep of it. `None` if no generated
        /// type has that name.
        pub fn roundtrip(
            name: &str,
            value: serde_json::Value,
        ) -> Option<Result<serde_json::Value, serde_json::Error>> {
            let result = match name {
                #(#names => roundtrip_as::<types::#idents>(value),)*
                _ => return None,
            };
            Some(result)
        }

        fn roundtrip_as<T>(value: serde_json::Value) -> Result<serde_json::Value, serde_json::Error>
        where
            T: serde::de::DeserializeOwned + serde::Serialize,
        {
            let typed: T = serde_json::from_value(value)?;
            serde_json::to_value(&typed)
        }
    }
}
