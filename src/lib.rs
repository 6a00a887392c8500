//! keyaudit: a key-hygiene auditor for crypto trading bots.
//!
//! The crate is arranged as a pipeline with one currency, [`finding::Finding`]:
//! sources (`source`) yield content with provenance, the pure detection engine
//! (`detect`) turns bytes into matches with the rules of the `catalog` (every
//! fact about exchanges and rules, once), `app` turns matches into findings,
//! one ordered stage (`filters`) drops what is known or repeated, and
//! reporters (`report`) only format. `main.rs` is a thin shell around [`app::run`].

pub mod allow;
pub mod app;
pub mod baseline;
pub mod catalog;
pub mod checks;
pub mod cli;
pub mod config;
pub mod detect;
pub mod exit;
pub mod files;
pub mod filters;
pub mod finding;
pub mod hook;
pub mod redact;
pub mod report;
pub mod source;
pub mod verify;
