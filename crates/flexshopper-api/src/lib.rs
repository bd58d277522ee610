//! Low-level FlexShopper API client and wire types.
//!
//! Everything in this crate is generated from `spec/flexshopper.yaml` by
//! [progenitor](https://github.com/oxidecomputer/progenitor) 0.15.1: the builder-style
//! [`Client`], the [`types`] it sends and receives, and the by-name [`registry`] of
//! those types. Regenerate with `cargo xtask generate`; CI runs
//! `cargo xtask generate --check` and fails when the committed files are stale.
//! Never edit `src/generated.rs` or `src/registry.rs` by hand: change the spec. The
//! only hand-written code is glue such as `src/schema.rs` (how the registry derives
//! JSON Schemas).
//!
//! Applications should normally use the `flexshopper` crate, which wraps this one
//! with sessions, the lease workflow, retries and typed errors.

// The generated code follows progenitor's style, not ours: clippy's default groups are
// silenced for it (rustc's own lints still apply), and it is formatted by prettyplease,
// so rustfmt must leave it alone or `cargo xtask generate --check` would always fail.
#[allow(clippy::all)]
#[rustfmt::skip]
mod generated;

pub use generated::*;

#[rustfmt::skip]
pub mod registry;

#[cfg(feature = "schemars")]
mod schema;
