//! Durable state (`--data PATH`): the store's records in an embedded SQLite database.
//!
//! The domain rules never see the database. After a request changed the store, its
//! [`Changes`](crate::store::Changes) (rows of serialized records) go to one writer thread
//! that saves everything queued in one transaction and one fsync (group commit); the
//! request's response waits until its changes are saved ([`Durability`]). Loading reads the
//! rows back into a [`Snapshot`](crate::store::Snapshot), the same value the admin export
//! writes, and [`Store::restore`](crate::store::Store::restore) rebuilds the store from it.
//!
//! Faults, the request journal and FlexSDK browser sessions (modal checkouts, single-use
//! auth codes) stay in memory: they last minutes and a restart ends them.

mod database;
mod durability;

pub use database::{Database, OpenError, SCHEMA_VERSION};
pub use durability::{Durability, SaveError, durable_responses};
