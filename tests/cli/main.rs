//! The single integration-test binary: every test runs the real `keyaudit`
//! binary on real files and real git repositories built in temporary directories.

mod support;

mod baseline;
mod env;
mod exclude;
mod history;
mod hook;
mod hostile_values;
mod limits;
mod manifest;
mod report;
mod sarif;
mod scan;
mod staged;
