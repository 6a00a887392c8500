//! Detection: the rule type and a pure engine that turns bytes into matches
//! (the built-in rules are data in `catalog`). Nothing under `detect/`
//! touches the file system, git or a terminal, so every rule can be tested on
//! string literals.

pub mod context;
pub mod devkeys;
pub mod engine;
pub mod entropy;
pub mod placeholder;
pub mod rule;
pub mod stats;
pub mod surroundings;
pub mod validate;

pub use engine::{Engine, Match, PathSignature};
pub use rule::{FileKind, Files, Rule, Scope};
