//! Tests of the flexshopper crate against the embedded sandbox (one binary, so the
//! workspace links once).

mod fixtures;

mod decisions;
mod errors;
mod faults;
mod journey;
mod merchant;
mod redaction;
mod sessions;
