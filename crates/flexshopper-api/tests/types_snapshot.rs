//! Pins the public wire types generated from the spec. `cargo xtask generate --check`
//! already guards the whole file; this snapshot turns a spec edit into a focused,
//! reviewable diff of type changes without the client's method bodies.

use syn::{File, Item, ItemMod};

/// The generated `types` module without its `builder` submodule: the builders are
/// mechanical mirrors of the types and would double the snapshot.
fn types_module() -> ItemMod {
    let file = syn::parse_file(include_str!("../src/generated.rs"))
        .expect("generated.rs parses as a Rust file");
    let mut types = file
        .items
        .into_iter()
        .find_map(|item| match item {
            Item::Mod(module) if module.ident == "types" => Some(module),
            _ => None,
        })
        .expect("generated.rs has a `types` module");
    if let Some((_, items)) = &mut types.content {
        items.retain(|item| !matches!(item, Item::Mod(module) if module.ident == "builder"));
    }
    types
}

#[test]
fn generated_types_match_snapshot() {
    let file = File {
        shebang: None,
        attrs: Vec::new(),
        items: vec![Item::Mod(types_module())],
    };
    insta::assert_snapshot!("generated_types", prettyplease::unparse(&file));
}
