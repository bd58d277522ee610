//! Tests of the flexshopper crate against the embedded sandbox (one binary, so the
//! workspace links once). The redaction test has its own binary: it captures tracing
//! output process-wide, which must not race with other tests' callsites.

mod fixtures;

mod decisions;
mod errors;
mod faults;
mod journey;
mod merchant;
mod sessions;
mod waterfall;
