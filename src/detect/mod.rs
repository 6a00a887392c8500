//! Detection: built-in rules as data, and a pure engine that turns bytes into
//! matches. Nothing under `detect/` touches the file system, git or a terminal,
//! so every rule can be tested on string literals.

pub mod engine;
pub mod entropy;
pub mod placeholder;
pub mod rules;
pub mod validate;

pub use engine::{Engine, Match};
pub use rules::{FileKind, Rule};
