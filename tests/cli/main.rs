//! The single integration-test binary: every test runs the real `keyaudit`
//! binary on real files and real git repositories built in temporary directories.

mod support;

mod archive;
mod baseline;
mod corrupt;
mod counts;
mod custom;
mod env;
mod exchange_mock;
mod exclude;
mod gate;
mod history;
mod hook;
mod hostile_values;
mod identity;
mod inputs;
mod integrations;
mod limits;
mod manifest;
mod report;
mod sarif;
mod scan;
mod services;
mod staged;
mod syntaxes;
mod verify;
