//! The catalog: every fact about exchanges and rules, once.
//!
//! - One [`Exchange`] record per exchange, each in its own file under
//!   `exchanges/` beside that exchange's detection rules: id, display name,
//!   API-management (revoke) page, the tokens that name it in env variables,
//!   its permission model and native permission names, IP allowlist support.
//! - The rules of credentials that belong to no exchange, by kind
//!   (`wallets`, `pem`, `services`, `passwords`, `generic`), and the metadata of the env
//!   and manifest checks' rules (`checks`).
//! - [`rules`]: the built-in rule table, built once per process; every
//!   engine is built from it. [`rule_infos`]: every rule's metadata (leak,
//!   env, manifest), which `keyaudit rules` and the SARIF reporter read.
//!
//! - [`custom_rules`]: the `[[rule]]` tables of `keyaudit.toml` as engine
//!   rules (kind `custom`), run beside the built-in ones;
//!   [`rule_infos_with`] and [`rule_info_in`] describe them with the rest.
//!
//! Adding an exchange: one file in `exchanges/` (copy a neighbour) and its
//! name at the end of the list in `exchanges/mod.rs`.

mod build;
mod checks;
mod exchanges;
mod generic;
mod jwt;
mod passwords;
mod pem;
mod public;
mod services;
mod wallets;

use std::sync::LazyLock;

use serde::Serialize;

use crate::checks::permissions::{Scope, normalize};
use crate::detect::Rule;
use crate::finding::{Check, Severity};

/// Every exchange, in the catalog's order.
pub use exchanges::ALL as EXCHANGES;

/// One exchange: what keyaudit knows about it, and its detection rules.
#[derive(Debug)]
pub struct Exchange {
    /// Stable id (`binance`): rule ids, manifests and reports use it.
    pub id: &'static str,
    /// Display name (`Binance`).
    pub name: &'static str,
    /// Where the user revokes a key and manages API keys (EXCHANGES.md section 6).
    pub api_page: &'static str,
    /// Upper-case `_`-separated parts of an env variable name that name this
    /// exchange (`BINANCE`, `BINANCEUS`).
    pub env_tokens: &'static [&'static str],
    /// How a key's permissions can be limited.
    pub model: Model,
    /// True when a key can be limited to a list of IP addresses.
    pub ip_allowlist: bool,
    /// Every native permission name and what it grants (EXCHANGES.md sections 2 and 3).
    pub natives: &'static [Native],
    /// The exchange's detection rules, in the engine's order.
    pub rules: fn() -> Vec<Rule>,
    /// How `--verify` asks the exchange what a key can do; `None` where no
    /// read-only endpoint for the calling key's permissions is documented.
    pub verify: Option<crate::verify::Verifier>,
}

/// How an exchange lets a key be limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// All or nothing: a key can do whatever its account can.
    None,
    /// A few fixed roles, each a bundle of scopes.
    Role,
    /// Independent toggles (or scopes) per capability.
    Toggles,
}

impl Model {
    pub fn as_str(self) -> &'static str {
        match self {
            Model::None => "none",
            Model::Role => "role",
            Model::Toggles => "toggles",
        }
    }
}

/// Whether a native name also comes in read and write variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variants {
    /// The names only, as listed.
    Plain,
    /// `NAME:read` / `NAME read only` grant `read`; `NAME:write` /
    /// `NAME:read_write` grant read plus the scopes; bare `NAME` counts as write
    /// (the worse reading). Bitfinex, Deribit, Gate, MEXC.
    ReadWrite,
}

/// One native permission: its spellings (UI label and API name) and what it grants.
#[derive(Debug)]
pub struct Native {
    pub names: &'static [&'static str],
    pub scopes: &'static [Scope],
    pub variants: Variants,
}

/// An exchange by id.
pub fn exchange(id: &str) -> Option<&'static Exchange> {
    EXCHANGES.iter().copied().find(|e| e.id == id)
}

/// An exchange by id or display name, compared in permission-name normal
/// form (`Crypto.com`, `cryptocom` and `CRYPTO-COM` are one).
pub fn exchange_named(name: &str) -> Option<&'static Exchange> {
    let n = normalize(name);
    EXCHANGES
        .iter()
        .copied()
        .find(|e| normalize(e.id) == n || normalize(e.name) == n)
}

/// Display name of an exchange id, or the id itself.
pub fn exchange_name(id: &str) -> &str {
    exchange(id).map(|e| e.name).unwrap_or(id)
}

/// The exchange whose env-name token is `part` (one upper-case `_`-separated
/// part of a variable name).
pub fn exchange_of_env_token(part: &str) -> Option<&'static str> {
    EXCHANGES
        .iter()
        .find(|e| e.env_tokens.contains(&part))
        .map(|e| e.id)
}

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(build_rules);

/// The built-in rules, in the engine's order: each exchange's in catalog
/// order, then wallets, PEM keys, other services, passwords and the generic rules.
/// Built once per process; every engine and reporter reads this table.
pub fn rules() -> &'static [Rule] {
    &RULES
}

fn build_rules() -> Vec<Rule> {
    crate::source::counts::bump(crate::source::counts::Counter::RuleTables);
    let mut rules: Vec<Rule> = EXCHANGES.iter().flat_map(|e| (e.rules)()).collect();
    rules.extend(wallets::rules());
    rules.extend(pem::rules());
    rules.extend(services::rules());
    rules.extend(public::rules());
    rules.extend(jwt::rules());
    rules.extend(passwords::rules());
    rules.extend(generic::rules());
    rules
}

/// The `[[rule]]` tables of a config as engine rules, in file order. Each
/// runs over the whole content of every file kind and source, where its
/// keywords occur; its regex has been checked (`config::compile_regex`).
/// Built once per run and kept for the whole process, as the built-in table is.
pub fn custom_rules(custom: &[crate::config::CustomRule]) -> &'static [Rule] {
    fn keep(text: &str) -> &'static str {
        Box::leak(text.to_owned().into_boxed_str())
    }
    let rules: Vec<Rule> = custom
        .iter()
        .map(|c| {
            let keywords: Vec<&'static str> = c.keywords.iter().map(|k| keep(k)).collect();
            Rule {
                id: keep(&c.id),
                exchange: "custom",
                severity: c.severity,
                description: keep(&c.description),
                keywords: Box::leak(keywords.into_boxed_slice()),
                pattern: c.regex.clone(),
                min_entropy: c.min_entropy,
                remediation: c.remediation.clone(),
                ..crate::detect::rule::base()
            }
        })
        .collect();
    Box::leak(rules.into_boxed_slice())
}

/// What `keyaudit rules` and the reporters say about one rule.
#[derive(Clone, Debug)]
pub struct RuleInfo {
    pub id: &'static str,
    pub check: Check,
    pub severity: Severity,
    /// The exchange id or kind of credential of a leak rule; `env` or
    /// `manifest` for a check's rule.
    pub exchange: &'static str,
    pub description: &'static str,
    /// Empty for the checks' rules: their findings carry their own.
    pub remediation: &'static str,
}

fn info_of(r: &'static Rule) -> RuleInfo {
    RuleInfo {
        id: r.id,
        check: r.check,
        severity: r.severity,
        exchange: r.exchange,
        description: r.description,
        remediation: &r.remediation,
    }
}

static RULE_INFOS: LazyLock<Vec<RuleInfo>> = LazyLock::new(|| {
    let leak = rules().iter().map(info_of);
    let checks = checks::CHECK_RULES
        .iter()
        .map(|&(id, severity, check, description)| RuleInfo {
            id,
            check,
            severity,
            exchange: match check {
                Check::Leak => "leak",
                Check::Env => "env",
                Check::Manifest => "manifest",
            },
            description,
            remediation: "",
        });
    leak.chain(checks).collect()
});

/// Every rule's metadata: the built-in leak rules, then the env and manifest
/// checks' rules.
pub fn rule_infos() -> &'static [RuleInfo] {
    &RULE_INFOS
}

/// One built-in rule's metadata by id.
pub fn rule_info(id: &str) -> Option<&'static RuleInfo> {
    rule_infos().iter().find(|r| r.id == id)
}

/// Every rule's metadata with the custom rules (see [`custom_rules`]) after
/// the built-in leak rules, before the checks' rules.
pub fn rule_infos_with(custom: &'static [Rule]) -> Vec<RuleInfo> {
    let (leaks, checks) = rule_infos().split_at(rules().len());
    leaks
        .iter()
        .cloned()
        .chain(custom.iter().map(info_of))
        .chain(checks.iter().cloned())
        .collect()
}

/// One rule's metadata by id: built-in, else one of `custom`.
pub fn rule_info_in(id: &str, custom: &'static [Rule]) -> Option<RuleInfo> {
    rule_info(id)
        .cloned()
        .or_else(|| custom.iter().find(|r| r.id == id).map(info_of))
}

#[cfg(test)]
mod tests;
