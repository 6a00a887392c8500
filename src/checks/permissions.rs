//! The permission vocabulary: canonical scopes (EXCHANGES.md section 0), and
//! the logic that reads each exchange's native permission names (the web
//! page's label and the API's name, each mapped to the *set* of canonical
//! scopes it grants; EXCHANGES.md sections 2 and 3). The native names are
//! data in each exchange's `catalog` file; `keyaudit rules --permissions`
//! prints them and the manifest check judges each name by the worst member
//! of its set.
//!
//! Names are compared in a normal form (see [`normalize`]), so "Enable
//! Withdrawals", `enableWithdrawals`, `enable_withdrawals` and
//! `ENABLE-WITHDRAWALS` are one name. An exchange's own names win over the
//! canonical ones: KuCoin's "Transfer" is a withdrawal permission.
//!
//! Where EXCHANGES.md marks an extra scope as recalled and unconfirmed ([R]),
//! it is left out (OKX trade → transfer, Kraken orders → margin), so that an
//! unconfirmed guess never turns every key on an exchange into a finding.
//! This module does no I/O.

use serde::Serialize;

/// A canonical permission scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    Read,
    SpotTrade,
    MarginTrade,
    FuturesTrade,
    Transfer,
    Withdraw,
    Deposit,
    Admin,
    Earn,
    Convert,
    P2p,
    Pay,
    Card,
    Other,
}

/// How the manifest check treats a scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// `read` and `spot-trade`: what a trading bot needs.
    Needed,
    /// Margin, futures and other products: high unless the manifest's `allow` lists them.
    Beyond,
    /// Moving funds between the user's own accounts: high.
    Transfer,
    /// Funds can leave the exchange (or a key can mint one that can): critical, always.
    Withdraw,
}

/// Canonical scopes with the spellings accepted for them (the first is the canonical name).
pub const CANONICAL: &[(Scope, &[&str])] = &[
    (Scope::Read, &["read", "read-only"]),
    (Scope::SpotTrade, &["spot-trade", "trade", "spot"]),
    (Scope::MarginTrade, &["margin-trade", "margin"]),
    (
        Scope::FuturesTrade,
        &[
            "futures-trade",
            "futures",
            "derivatives-trade",
            "derivatives",
        ],
    ),
    (
        Scope::Transfer,
        &[
            "transfer",
            "universal-transfer",
            "internal-transfer",
            "inner-transfer",
            "sub-account-transfer",
            "subaccount-transfer",
            "account-transfer",
            "wallet-transfer",
        ],
    ),
    (Scope::Withdraw, &["withdraw", "withdrawal", "withdrawals"]),
    (Scope::Deposit, &["deposit"]),
    (Scope::Admin, &["admin", "manage-keys"]),
    (Scope::Earn, &["earn"]),
    (Scope::Convert, &["convert"]),
    (Scope::P2p, &["p2p"]),
    (Scope::Pay, &["pay"]),
    (Scope::Card, &["card"]),
    (Scope::Other, &["other"]),
];

impl Scope {
    /// The canonical name, as written in a manifest and in reports.
    pub fn as_str(self) -> &'static str {
        CANONICAL
            .iter()
            .find(|(s, _)| *s == self)
            .map(|(_, names)| names[0])
            .expect("every scope has a canonical row")
    }

    pub fn class(self) -> Class {
        match self {
            Scope::Read | Scope::SpotTrade => Class::Needed,
            Scope::Transfer => Class::Transfer,
            Scope::Withdraw | Scope::Admin => Class::Withdraw,
            Scope::MarginTrade
            | Scope::FuturesTrade
            | Scope::Deposit
            | Scope::Earn
            | Scope::Convert
            | Scope::P2p
            | Scope::Pay
            | Scope::Card
            | Scope::Other => Class::Beyond,
        }
    }

    /// True for the scopes that place orders.
    pub fn is_trade(self) -> bool {
        matches!(
            self,
            Scope::SpotTrade | Scope::MarginTrade | Scope::FuturesTrade
        )
    }

    /// A canonical scope by any accepted spelling.
    pub fn parse(name: &str) -> Option<Scope> {
        let n = normalize(name);
        CANONICAL
            .iter()
            .find(|(_, names)| names.iter().any(|c| normalize(c) == n))
            .map(|(s, _)| *s)
    }
}

pub use crate::catalog::{Exchange, Model, Native, Variants};

use Scope::*;

/// The normal form of a permission name: ASCII letters and digits, lowercase,
/// with `&` read as "and"; everything else (spaces, dashes, underscores, colons,
/// dots, slashes) is dropped. Dropping separators also makes camelCase, snake_case
/// and kebab-case spellings of one name equal.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c == '&' {
            out.push_str("and");
        } else if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// What a permission name in a manifest resolved to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub scopes: Vec<Scope>,
    /// True when the name is the exchange's own (not a canonical scope).
    pub native: bool,
}

const READ_SUFFIXES: &[&str] = &["read", "readonly"];
const WRITE_SUFFIXES: &[&str] = &["write", "readwrite"];

/// Resolves a permission name for an exchange: its own names first, then canonical scopes.
pub fn resolve(exchange: &Exchange, name: &str) -> Option<Resolved> {
    let n = normalize(name);
    if n.is_empty() {
        return None;
    }
    for native in exchange.natives {
        for candidate in native.names {
            let base = normalize(candidate);
            let scopes = if n == base {
                Some(with_read(native))
            } else if native.variants == Variants::ReadWrite {
                n.strip_prefix(base.as_str()).and_then(|suffix| {
                    if READ_SUFFIXES.contains(&suffix) {
                        Some(vec![Read])
                    } else if WRITE_SUFFIXES.contains(&suffix) {
                        Some(with_read(native))
                    } else {
                        None
                    }
                })
            } else {
                None
            };
            if let Some(scopes) = scopes {
                return Some(Resolved {
                    scopes,
                    native: true,
                });
            }
        }
    }
    Scope::parse(name).map(|s| Resolved {
        scopes: vec![s],
        native: false,
    })
}

fn with_read(native: &Native) -> Vec<Scope> {
    let mut scopes = native.scopes.to_vec();
    if native.variants == Variants::ReadWrite && !scopes.contains(&Read) {
        scopes.insert(0, Read);
    }
    scopes
}

/// Every name a manifest may use for `exchange`, as written in the table.
pub fn known_names(exchange: &Exchange) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = exchange
        .natives
        .iter()
        .flat_map(|n| n.names.iter().copied())
        .collect();
    names.extend(CANONICAL.iter().map(|(_, spellings)| spellings[0]));
    names
}

/// One row of `keyaudit rules --permissions`.
#[derive(Debug, Serialize)]
pub struct ListedExchange {
    pub id: &'static str,
    pub name: &'static str,
    pub model: Model,
    pub ip_allowlist: bool,
    pub permissions: Vec<ListedNative>,
}

#[derive(Debug, Serialize)]
pub struct ListedNative {
    pub names: &'static [&'static str],
    /// True when `NAME:read` and `NAME:write` (or `read_write`) variants are accepted too.
    pub read_write_variants: bool,
    pub scopes: Vec<Scope>,
}

#[derive(Debug, Serialize)]
pub struct ListedScope {
    pub scope: Scope,
    pub spellings: &'static [&'static str],
    /// What the manifest check makes of it.
    pub verdict: &'static str,
}

/// The whole mapping table, as `keyaudit rules --permissions` shows it.
#[derive(Debug, Serialize)]
pub struct Listing {
    pub scopes: Vec<ListedScope>,
    pub exchanges: Vec<ListedExchange>,
}

/// The mapping table in a form a reporter can print.
pub fn listing() -> Listing {
    Listing {
        scopes: CANONICAL
            .iter()
            .map(|(scope, spellings)| ListedScope {
                scope: *scope,
                spellings,
                verdict: match scope.class() {
                    Class::Needed => "needed",
                    Class::Beyond if *scope == Deposit => "low (moves nothing out)",
                    Class::Beyond => "high unless the key's allow lists it",
                    Class::Transfer => "high",
                    Class::Withdraw => "critical, always",
                },
            })
            .collect(),
        exchanges: crate::catalog::EXCHANGES
            .iter()
            .map(|e| ListedExchange {
                id: e.id,
                name: e.name,
                model: e.model,
                ip_allowlist: e.ip_allowlist,
                permissions: e
                    .natives
                    .iter()
                    .map(|n| ListedNative {
                        names: n.names,
                        read_write_variants: n.variants == Variants::ReadWrite,
                        scopes: with_read(n),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Levenshtein distance between two strings, by characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Up to three of `candidates` nearest to `name`, compared in normal form:
/// close by edit distance, or one containing the other.
pub fn suggest<'a>(name: &str, candidates: &[&'a str]) -> Vec<&'a str> {
    let n = normalize(name);
    let mut scored: Vec<(usize, &'a str)> = candidates
        .iter()
        .filter_map(|c| {
            let cn = normalize(c);
            if cn.is_empty() || n.is_empty() {
                return None;
            }
            let d = edit_distance(&n, &cn);
            let limit = (n.len().max(cn.len()) / 3).max(2);
            if d <= limit {
                Some((d, *c))
            } else if cn.contains(&n) || n.contains(&cn) {
                Some((limit + 1, *c))
            } else {
                None
            }
        })
        .collect();
    scored.sort_by_key(|(d, _)| *d);
    let mut out: Vec<&'a str> = Vec::new();
    for (_, c) in scored {
        if !out.iter().any(|o| normalize(o) == normalize(c)) {
            out.push(c);
        }
        if out.len() == 3 {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests;
