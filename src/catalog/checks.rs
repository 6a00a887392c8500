//! The metadata of the env and manifest checks' rules: id, severity (the
//! highest a finding of the rule is given), check and description. Their
//! findings are made in `checks/env.rs` and `checks/manifest/`, which own
//! the ids; this list is what `keyaudit rules` and SARIF describe them by.

use crate::checks::{env, manifest};
use crate::finding::Check::{self, *};
use crate::finding::Severity::{self, *};
use crate::verify::keys::rule as verify;

/// One check rule: id, severity, check, description.
pub(super) const CHECK_RULES: &[(&str, Severity, Check, &str)] = &[
    (env::TRACKED, Critical, Env, "a .env file is tracked by git"),
    (
        env::COMMITTED,
        Critical,
        Env,
        "a .env file was in some commit of history",
    ),
    (
        env::NOT_IGNORED,
        High,
        Env,
        "a .env file that git does not ignore",
    ),
    (
        env::GITIGNORE_MISSING,
        Medium,
        Env,
        "nothing ignores .env: the next one will be committed",
    ),
    (
        env::EXAMPLE_VALUE,
        High,
        Env,
        ".env.example (or .sample, .template) holds a real-looking value",
    ),
    (
        env::TRACED,
        Critical,
        Env,
        "a value from your gitignored .env found in the tree, index or history",
    ),
    (
        env::SHARED,
        High,
        Env,
        "one credential in the .env files of two bots",
    ),
    (
        env::PRINTED,
        Medium,
        Env,
        "code prints or logs a credential variable",
    ),
    (
        manifest::rule::WITHDRAW,
        Critical,
        Manifest,
        "a key may withdraw (or administer keys)",
    ),
    (
        manifest::rule::TRANSFER,
        High,
        Manifest,
        "a key may move funds between accounts",
    ),
    (
        manifest::rule::BEYOND_TRADE,
        High,
        Manifest,
        "a key may do more than read + trade",
    ),
    (
        manifest::rule::MISSING_SCOPE,
        Medium,
        Manifest,
        "a key lacks read or trade",
    ),
    (
        manifest::rule::SHARED_KEY,
        High,
        Manifest,
        "one key name or env variable declared for two bots",
    ),
    (
        manifest::rule::NO_IP_ALLOWLIST,
        Medium,
        Manifest,
        "a key has no IP allowlist (low where the exchange has none)",
    ),
    (
        manifest::rule::NO_PERMISSION_MODEL,
        Low,
        Manifest,
        "the exchange cannot limit a key's permissions",
    ),
    (
        manifest::rule::UNDECLARED_KEY,
        Low,
        Manifest,
        "the code reads an exchange credential no [[key]] declares",
    ),
    (
        manifest::rule::UNUSED_ENV,
        Low,
        Manifest,
        "a declared env variable that nothing reads",
    ),
    (
        manifest::rule::MISSING,
        Low,
        Manifest,
        "no permission manifest",
    ),
    (
        verify::WITHDRAW,
        Critical,
        Manifest,
        "--verify: the exchange says the key can withdraw",
    ),
    (
        verify::TRANSFER,
        High,
        Manifest,
        "--verify: the exchange says the key can transfer funds, and the manifest does not declare it",
    ),
    (
        verify::WIDER,
        High,
        Manifest,
        "--verify: the exchange grants the key more than the manifest declares",
    ),
    (
        verify::NOT_GRANTED,
        Low,
        Manifest,
        "--verify: a declared permission the exchange does not grant",
    ),
    (
        verify::NO_IP,
        Medium,
        Manifest,
        "--verify: the exchange has no IP allowlist on the key",
    ),
    (
        verify::EXPIRING,
        Medium,
        Manifest,
        "--verify: the key is disabled, expired or expires within 30 days",
    ),
    (
        verify::REJECTED,
        High,
        Manifest,
        "--verify: the exchange rejects the key (revoked, rotated, wrong secret or passphrase)",
    ),
    (
        verify::UNVERIFIED,
        Low,
        Manifest,
        "--verify: the key could not be verified (network, timeout, unexpected answer)",
    ),
];
