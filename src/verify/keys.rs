//! `manifest --verify`: each declared `[[key]]` whose env variables are set
//! (in the process environment, else in a gitignored `.env` of the working
//! tree, read with dotenvy and never put into the environment) is asked
//! about, and what the exchange grants is compared with what the manifest
//! declares. Findings (check `manifest`) stand at the key's `name`:
//! withdraw (critical, always), transfer (high), wider than declared (high),
//! declared but not granted (low), no IP restriction (medium), expiring or
//! disabled (medium), rejected (high), could not verify (low).

use std::collections::HashMap;

use super::session::{Checked, Session, Status};
use super::{Credential, Part};
use crate::checks::manifest::{Key, Manifest, finding as manifest_finding, scope_list};
use crate::checks::permissions::Scope;
use crate::finding::{Finding, Severity, Source};
use crate::source::walk::Status as FileStatus;
use crate::source::{Problem, Workspace};

/// Rule ids of `--verify`'s manifest findings (stable; never reused).
pub mod rule {
    pub const WITHDRAW: &str = "manifest-verify-withdraw";
    pub const TRANSFER: &str = "manifest-verify-transfer";
    pub const WIDER: &str = "manifest-verify-wider";
    pub const NOT_GRANTED: &str = "manifest-verify-not-granted";
    pub const NO_IP: &str = "manifest-verify-no-ip-restriction";
    pub const EXPIRING: &str = "manifest-verify-expiring";
    pub const REJECTED: &str = "manifest-verify-rejected";
    pub const UNVERIFIED: &str = "manifest-verify-failed";
}

/// A key whose credential stops working within this many days is reported.
const EXPIRY_WARNING_DAYS: u64 = 30;

/// What a run verified: findings, and the keys it could not ask about.
#[derive(Debug, Default)]
pub struct Verified {
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
}

/// The part an env variable holds, from the words of its name.
pub fn part_of(variable: &str) -> Part {
    let upper = variable.to_ascii_uppercase();
    let words: Vec<&str> = upper.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    if has(&["PASSPHRASE", "PASSWORD", "PASS", "PWD"]) {
        Part::Passphrase
    } else if has(&["SECRET", "PRIVATE", "PRIV", "PEM", "SIGNING"]) {
        Part::Secret
    } else {
        Part::Key
    }
}

/// Values of env variables: the process environment first, then the
/// gitignored `.env` files of the working tree (root first).
pub struct Values {
    files: Vec<HashMap<String, String>>,
}

impl Values {
    pub fn read(ws: &Workspace) -> Values {
        let mut env_files: Vec<_> = ws
            .tree()
            .map(|tree| {
                tree.entries
                    .iter()
                    .filter(|e| e.status == FileStatus::Ignored && is_env_file(e.name()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        env_files.sort_by_key(|e| (e.rel.matches('/').count(), e.rel.clone()));
        let files = env_files
            .into_iter()
            .filter_map(|e| {
                let iter = dotenvy::from_path_iter(&e.abs).ok()?;
                Some(iter.flatten().collect())
            })
            .collect();
        Values { files }
    }

    /// The value of `variable`: the environment's, else the first `.env`'s.
    fn get(&self, variable: &str) -> Option<String> {
        if let Ok(value) = std::env::var(variable)
            && !value.is_empty()
        {
            return Some(value);
        }
        self.files
            .iter()
            .find_map(|values| values.get(variable).filter(|v| !v.is_empty()).cloned())
    }
}

fn is_env_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower == ".env" || lower.starts_with(".env."))
        && !["example", "sample", "template", "dist"]
            .iter()
            .any(|w| lower.contains(w))
}

/// The credential a key's env variables hold, or why there is none.
fn credential(key: &Key, values: &Values) -> Result<Credential, String> {
    if key.env.is_empty() {
        return Err("it lists no env variables (add `env = [...]`)".into());
    }
    let mut parts: HashMap<Part, String> = HashMap::new();
    let mut unset = Vec::new();
    for variable in &key.env {
        match values.get(&variable.value) {
            Some(value) => {
                parts.entry(part_of(&variable.value)).or_insert(value);
            }
            None => unset.push(variable.value.as_str()),
        }
    }
    if !unset.is_empty() {
        return Err(format!(
            "{} not set (in the environment or a gitignored .env)",
            unset.join(", ")
        ));
    }
    match (parts.remove(&Part::Key), parts.remove(&Part::Secret)) {
        (Some(key), Some(secret)) => Ok(Credential {
            key,
            secret,
            passphrase: parts.remove(&Part::Passphrase),
        }),
        _ => Err("its env variables do not name both a key and a secret \
             (a name with SECRET or PRIVATE holds the secret, one with PASSPHRASE the passphrase)"
            .into()),
    }
}

/// Verifies each key of `manifest` (shown as `path`) and judges the answers.
pub fn check(manifest: &Manifest, path: &str, ws: &Workspace, session: &Session) -> Verified {
    let values = Values::read(ws);
    let mut out = Verified::default();
    for key in &manifest.keys {
        let exchange = key.exchange;
        let name = crate::redact::quote(&key.name.value);
        if exchange.verify.is_none() {
            out.problems.push(Problem {
                path: path.into(),
                reason: format!(
                    "key {name} not verified: keyaudit has no --verify adapter for {} (see `keyaudit verify --list`)",
                    exchange.name
                ),
            });
            continue;
        }
        let credential = match credential(key, &values) {
            Ok(credential) => credential,
            Err(why) => {
                out.problems.push(Problem {
                    path: path.into(),
                    reason: format!("key {name} not verified: {why}"),
                });
                continue;
            }
        };
        let checked = session.check(exchange, &credential);
        out.findings
            .extend(judge(key, &checked, path, session.strict));
    }
    out
}

fn finding(
    key: &Key,
    path: &str,
    rule: &str,
    severity: Severity,
    message: String,
    remediation: String,
) -> Finding {
    manifest_finding(
        rule,
        severity,
        Source::Manifest,
        path,
        Some(key.name.pos),
        message,
        remediation,
    )
    .about(&key.name.value)
}

/// The findings of one key's verification.
pub fn judge(key: &Key, checked: &Checked, path: &str, strict: bool) -> Vec<Finding> {
    let exchange = key.exchange;
    let (ex, page) = (exchange.name, exchange.api_page);
    let name = crate::redact::quote(&key.name.value);
    let v = &checked.verification;
    let mut out = Vec::new();
    let mut push = |rule: &str, severity: Severity, message: String, remediation: String| {
        let mut f = finding(key, path, rule, severity, message, remediation);
        f.verification = Some(v.clone());
        out.push(f);
    };
    let detail = v.detail.clone().unwrap_or_default();
    let Some(grant) = checked.grant.as_ref().filter(|_| v.status == Status::Live) else {
        if v.status == Status::Revoked || checked.refused {
            push(
                rule::REJECTED,
                Severity::High,
                format!("key {name}: {ex} rejected it: {detail}"),
                format!(
                    "The bot cannot use this key: it was revoked or rotated without updating the bot, or its \
                     secret or passphrase is wrong. Check the key on {page} and update the bot's .env."
                ),
            );
        } else {
            push(
                rule::UNVERIFIED,
                if strict {
                    Severity::High
                } else {
                    Severity::Low
                },
                format!("key {name}: could not verify with {ex}: {detail}"),
                "Run `keyaudit manifest --verify` again where the exchange is reachable; \
                 `--verify=strict` fails the run when a key cannot be verified."
                    .into(),
            );
        }
        return out;
    };
    let declared: Vec<Scope> = key
        .permissions
        .iter()
        .flat_map(|p| p.scopes.clone())
        .collect();
    let declared_list = scope_list(&{
        let mut d = declared.clone();
        d.sort();
        d.dedup();
        d
    });
    let granted = &v.scopes;
    let natives = |wanted: &[Scope]| -> String {
        let names: Vec<&str> = grant
            .natives
            .iter()
            .filter(|n| {
                crate::checks::permissions::resolve(exchange, n)
                    .map_or(vec![Scope::Other], |r| r.scopes)
                    .iter()
                    .any(|s| wanted.contains(s))
            })
            .map(|n| n.as_str())
            .collect();
        crate::redact::sanitize(&names.join(", "))
    };
    if granted
        .iter()
        .any(|s| matches!(s, Scope::Withdraw | Scope::Admin))
    {
        push(
            rule::WITHDRAW,
            Severity::Critical,
            format!(
                "key {name} can withdraw: {ex} grants {} (declared: {declared_list})",
                natives(&[Scope::Withdraw, Scope::Admin])
            ),
            format!(
                "Turn off withdrawals for this key on {page} now (or replace the key): a trading bot never needs them."
            ),
        );
    }
    if granted.contains(&Scope::Transfer) && !declared.contains(&Scope::Transfer) {
        push(
            rule::TRANSFER,
            Severity::High,
            format!(
                "key {name} can transfer funds between accounts: {ex} grants {} (declared: {declared_list})",
                natives(&[Scope::Transfer])
            ),
            format!("Turn off transfer permissions for this key on {page}."),
        );
    }
    // One native toggle can grant several scopes (Binance's spot toggle also
    // trades margin): a toggle that grants a declared scope is the declared
    // permission, whatever else it bundles; the others are wider.
    let resolved: Vec<(&str, Vec<Scope>)> = grant
        .natives
        .iter()
        .map(|n| {
            let scopes = crate::checks::permissions::resolve(exchange, n)
                .map_or(vec![Scope::Other], |r| r.scopes);
            (n.as_str(), scopes)
        })
        .collect();
    let covers_declared = |scopes: &[Scope]| {
        scopes
            .iter()
            .any(|s| *s != Scope::Read && (declared.contains(s) || key.allow.contains(s)))
    };
    // Toggles that withdraw or transfer have their own findings (KuCoin's
    // "Transfer" withdraws and deposits); deposit alone moves nothing out.
    let own_finding = |scopes: &[Scope]| {
        scopes
            .iter()
            .any(|s| matches!(s, Scope::Withdraw | Scope::Admin | Scope::Transfer))
    };
    let mut wider: Vec<Scope> = resolved
        .iter()
        .filter(|(_, scopes)| !covers_declared(scopes) && !own_finding(scopes))
        .flat_map(|(_, scopes)| scopes.iter().copied())
        .filter(|s| {
            !matches!(s, Scope::Read | Scope::Deposit)
                && !declared.contains(s)
                && !key.allow.contains(s)
        })
        .collect();
    wider.sort();
    wider.dedup();
    if !wider.is_empty() {
        push(
            rule::WIDER,
            Severity::High,
            format!(
                "key {name} can do more than declared: {ex} grants {} ({}; declared: {declared_list})",
                scope_list(&wider),
                natives(&wider)
            ),
            format!(
                "Turn these permissions off on {page}, or declare them in the manifest if the bot needs them."
            ),
        );
    }
    let missing: Vec<Scope> = {
        let mut m: Vec<Scope> = declared
            .iter()
            .copied()
            .filter(|s| !granted.contains(s))
            .collect();
        m.sort();
        m.dedup();
        m
    };
    if !missing.is_empty() {
        push(
            rule::NOT_GRANTED,
            Severity::Low,
            format!(
                "key {name}: declared {} but {ex} does not grant it",
                scope_list(&missing)
            ),
            "Correct the manifest, or grant the permission if the bot needs it.".into(),
        );
    }
    if exchange.ip_allowlist && grant.ip_restricted == Some(false) {
        let declared_ips = key
            .ip_allowlist
            .as_ref()
            .is_some_and(|l| !l.value.is_empty());
        push(
            rule::NO_IP,
            Severity::Medium,
            if declared_ips {
                format!(
                    "key {name}: the manifest declares an IP allowlist, but {ex} restricts the key to none"
                )
            } else {
                format!("key {name} works from any IP address: {ex} has no IP allowlist on it")
            },
            format!(
                "Restrict the key to the bot's server IPs on {page}: a leaked key then cannot be used elsewhere."
            ),
        );
    }
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let soon = grant
        .expires_ms
        .filter(|&at| at <= now_ms + EXPIRY_WARNING_DAYS * 86_400_000);
    if grant.disabled || soon.is_some() {
        let message = match soon {
            Some(at) if !grant.disabled && at <= now_ms => {
                format!("key {name}: {ex} says the key (or its trading permission) has expired")
            }
            Some(at) if !grant.disabled => format!(
                "key {name}: {ex} says the key (or its trading permission) expires in {} days",
                (at - now_ms) / 86_400_000
            ),
            _ => format!("key {name}: {ex} reports the key as disabled"),
        };
        push(
            rule::EXPIRING,
            Severity::Medium,
            message,
            format!(
                "Renew the key on {page} (an IP allowlist keeps Binance and Bybit keys from expiring), then update the bot's .env."
            ),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_say_which_part_they_hold() {
        for (name, part) in [
            ("BINANCE_API_KEY", Part::Key),
            ("COINBASE_API_KEY_NAME", Part::Key),
            ("KRAKEN_KEY_ID", Part::Key),
            ("BINANCE_API_SECRET", Part::Secret),
            ("COINBASE_API_PRIVATE_KEY", Part::Secret),
            ("KRAKEN_PRIV_KEY", Part::Secret),
            ("OKX_PASSPHRASE", Part::Passphrase),
            ("KUCOIN_API_PASSWORD", Part::Passphrase),
            ("okx-api-pass", Part::Passphrase),
        ] {
            assert_eq!(part_of(name), part, "{name}");
        }
    }

    #[test]
    fn env_files_are_the_real_ones_not_examples() {
        assert!(is_env_file(".env") && is_env_file(".env.production"));
        assert!(!is_env_file(".env.example") && !is_env_file(".env.sample"));
        assert!(!is_env_file("env") && !is_env_file(".envrc"));
    }
}
