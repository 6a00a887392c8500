//! Checks that are not leak scans: they look at how keys are declared and
//! used, and emit the same [`crate::finding::Finding`] as the scanners.
//!
//! - `env`: `.env` hygiene (ignored, untracked, never committed) and the
//!   user's own secrets traced through the repository.
//! - `permissions`: the permission vocabulary (canonical scopes, each
//!   exchange's native names) and nearest-name suggestions; pure data.
//! - `manifest`: the `[[key]]` permission manifest, checked against that
//!   vocabulary and cross-checked with the env variables the code reads.
//!
//! Their rules' metadata (id, severity, description) is in `catalog`.

pub mod env;
pub mod manifest;
pub mod permissions;
