//! The permission manifest: `[[key]]` tables in `keyaudit.toml` (or the file
//! named by `--manifest`), parsed with positions and checked against the
//! permission vocabulary in [`super::permissions`] (SPEC.md, "Permission
//! manifest").
//!
//! A manifest that cannot be read as one (malformed TOML, a missing field, a
//! wrong type, an unknown key, exchange or permission name) is a
//! [`ManifestError`] naming the file, line and column with the nearest known
//! names: exit 2. A valid manifest yields findings (check `manifest`), each at
//! the manifest line and column it is about. The cross-check reads the files
//! of the run's one walk (`source::walk`, so `--exclude` applies) for env
//! variables the code reads and compares them with the declared ones. `--init` writes a commented template.
//!
//! Left to others: the `[scan]` section (`config.rs`), `.env` files (the env
//! check), printing (`app.rs`).

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use super::permissions::{self, Class, Exchange, Model, Scope};
use crate::config::{Lines, folder_of};
use crate::detect::rules::EXCHANGES as EXCHANGE_PAGES;
use crate::finding::{Check, Confidence, Finding, Location, Severity, Source};
use crate::redact;
use crate::source::Workspace;
use crate::source::gate::{self, Content};
use crate::source::walk::{Tree, relative};

/// The manifest's default file name, at the repository root.
pub const DEFAULT_FILE: &str = "keyaudit.toml";

/// Rule ids of manifest findings (stable; never reused).
pub mod rule {
    pub const WITHDRAW: &str = "manifest-withdraw";
    pub const TRANSFER: &str = "manifest-transfer";
    pub const BEYOND_TRADE: &str = "manifest-beyond-trade";
    pub const MISSING_SCOPE: &str = "manifest-missing-scope";
    pub const SHARED_KEY: &str = "manifest-shared-key";
    pub const NO_IP_ALLOWLIST: &str = "manifest-no-ip-allowlist";
    pub const NO_PERMISSION_MODEL: &str = "manifest-no-permission-model";
    pub const MISSING: &str = "manifest-missing";
    pub const UNDECLARED_KEY: &str = "manifest-undeclared-key";
    pub const UNUSED_ENV: &str = "manifest-unused-env";
}

/// Why the manifest could not be checked (exit 2).
#[derive(Debug)]
pub enum ManifestError {
    /// The file could not be read (or, for `--init`, written).
    Io {
        path: PathBuf,
        action: &'static str,
        source: std::io::Error,
    },
    /// The file is not a valid manifest; the position is 1-based.
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
        hint: String,
    },
    /// `--init` would overwrite this file.
    Exists { path: PathBuf },
    /// The file is not one keyaudit reads or writes (a symlink the
    /// repository supplies, a FIFO, too large): see [`crate::files`].
    File(crate::files::FileError),
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ManifestError::Io {
                path,
                action,
                source,
            } => write!(f, "cannot {action} {}: {source}", path.display()),
            ManifestError::Invalid {
                path,
                line,
                column,
                message,
                hint,
            } => write!(
                f,
                "{}:{line}:{column}: {}\nhint: {hint}",
                path.display(),
                message.trim_end()
            ),
            ManifestError::Exists { path } => write!(
                f,
                "{} already exists; not overwriting it\nhint: add [[key]] tables to it by hand, \
                 or write the template elsewhere with --manifest FILE",
                path.display()
            ),
            ManifestError::File(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ManifestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ManifestError::Io { source, .. } => Some(source),
            ManifestError::File(e) => e.source(),
            _ => None,
        }
    }
}

// ---- Parsing ----------------------------------------------------------------

/// Only `key` is read here; the other sections belong to `config.rs`, which rejects unknown ones.
#[derive(Deserialize)]
struct RawFile {
    #[serde(default)]
    key: Vec<Spanned<RawKey>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKey {
    name: Spanned<String>,
    exchange: Spanned<String>,
    bot: Spanned<String>,
    #[serde(default)]
    env: Vec<Spanned<String>>,
    permissions: Spanned<Vec<Spanned<String>>>,
    ip_allowlist: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    allow: Vec<Spanned<String>>,
}

/// A 1-based line and column in the manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct At<T> {
    pub value: T,
    pub pos: Pos,
}

/// One declared permission, resolved.
#[derive(Clone, Debug)]
pub struct Permission {
    pub name: At<String>,
    pub scopes: Vec<Scope>,
}

/// One `[[key]]` table, validated.
#[derive(Debug)]
pub struct Key {
    pub name: At<String>,
    pub exchange: &'static Exchange,
    pub exchange_pos: Pos,
    pub bot: At<String>,
    pub env: Vec<At<String>>,
    pub permissions: Vec<Permission>,
    pub permissions_pos: Pos,
    /// `None` when the field is absent.
    pub ip_allowlist: Option<At<Vec<String>>>,
    pub allow: Vec<Scope>,
}

/// A parsed manifest.
#[derive(Debug)]
pub struct Manifest {
    pub keys: Vec<Key>,
}

const FIELDS_HINT: &str = "a [[key]] table has name, exchange, bot and permissions, and optionally \
env, ip_allowlist and allow; see `keyaudit manifest --init` for a commented template";

struct Parser<'a> {
    path: &'a Path,
    lines: Lines<'a>,
}

impl Parser<'_> {
    fn pos(&self, offset: usize) -> Pos {
        let (line, column) = self.lines.line_col(offset);
        Pos { line, column }
    }

    fn at<T: Clone>(&self, s: &Spanned<T>) -> At<T> {
        At {
            value: s.get_ref().clone(),
            pos: self.pos(s.span().start),
        }
    }

    fn error(&self, offset: usize, message: String, hint: String) -> ManifestError {
        let pos = self.pos(offset);
        ManifestError::Invalid {
            path: self.path.to_path_buf(),
            line: pos.line,
            column: pos.column,
            message,
            hint,
        }
    }
}

fn quote_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn did_you_mean(names: &[&str]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!("did you mean {}? ", quote_list(names))
    }
}

/// Parses the text of a manifest file. `path` is only used in error messages.
/// An error quotes what the file holds only through [`redact::quote`] and
/// [`redact::scrub`]: a secret pasted where a name belongs stays redacted.
pub fn parse(path: &Path, text: &str) -> Result<Manifest, ManifestError> {
    let p = Parser {
        path,
        lines: Lines::new(text),
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        p.error(
            e.span().map_or(0, |s| s.start),
            redact::scrub(e.message()),
            FIELDS_HINT.to_string(),
        )
    })?;
    let mut keys = Vec::new();
    for raw_key in raw.key {
        let raw_key = raw_key.into_inner();
        keys.push(validate_key(&p, raw_key)?);
    }
    Ok(Manifest { keys })
}

fn find_exchange(name: &str) -> Option<&'static Exchange> {
    let n = permissions::normalize(name);
    EXCHANGE_PAGES
        .iter()
        .find(|(id, display, _)| {
            permissions::normalize(id) == n || permissions::normalize(display) == n
        })
        .and_then(|(id, _, _)| permissions::exchange(id))
}

fn validate_key(p: &Parser<'_>, raw: RawKey) -> Result<Key, ManifestError> {
    let exchange = find_exchange(raw.exchange.get_ref()).ok_or_else(|| {
        let ids: Vec<&str> = permissions::EXCHANGES.iter().map(|e| e.id).collect();
        let near = permissions::suggest(raw.exchange.get_ref(), &ids);
        p.error(
            raw.exchange.span().start,
            format!("unknown exchange {}", redact::quote(raw.exchange.get_ref())),
            format!("{}known exchanges: {}", did_you_mean(&near), ids.join(", ")),
        )
    })?;
    let display = crate::detect::rules::exchange_name(exchange.id);
    let mut resolved = Vec::new();
    for perm in raw.permissions.get_ref() {
        let Some(r) = permissions::resolve(exchange, perm.get_ref()) else {
            let known = permissions::known_names(exchange);
            let near = permissions::suggest(perm.get_ref(), &known);
            return Err(p.error(
                perm.span().start,
                format!(
                    "unknown permission {} for {display}",
                    redact::quote(perm.get_ref())
                ),
                format!(
                    "{}write a canonical scope (read, spot-trade, margin-trade, futures-trade, \
                     transfer, withdraw, ...) or one of {display}'s own names; \
                     `keyaudit rules --permissions` lists them",
                    did_you_mean(&near)
                ),
            ));
        };
        resolved.push(Permission {
            name: p.at(perm),
            scopes: r.scopes,
        });
    }
    let mut allow = Vec::new();
    for entry in &raw.allow {
        let Some(scope) = Scope::parse(entry.get_ref()) else {
            let canon: Vec<&str> = permissions::CANONICAL.iter().map(|(_, n)| n[0]).collect();
            let near = permissions::suggest(entry.get_ref(), &canon);
            return Err(p.error(
                entry.span().start,
                format!("unknown scope {} in allow", redact::quote(entry.get_ref())),
                format!(
                    "{}allow takes canonical scopes such as \"margin-trade\" and \"futures-trade\"",
                    did_you_mean(&near)
                ),
            ));
        };
        let refusal = match scope.class() {
            Class::Beyond => None,
            Class::Needed => {
                Some("needs no allow: read and spot trading are what a bot's key is for")
            }
            Class::Transfer => Some(
                "cannot be allowed: a trading bot's key never needs to move funds between accounts",
            ),
            Class::Withdraw => {
                Some("cannot be allowed: nothing justifies a bot's key that can withdraw")
            }
        };
        if let Some(why) = refusal {
            return Err(p.error(
                entry.span().start,
                format!("{} in allow {why}", redact::quote(entry.get_ref())),
                "allow takes margin-trade, futures-trade, deposit, earn, convert, p2p, pay, card or other".into(),
            ));
        }
        allow.push(scope);
    }
    for env in &raw.env {
        if !is_env_name(env.get_ref()) {
            return Err(p.error(
                env.span().start,
                format!(
                    "{} in env is not an environment variable name",
                    redact::quote(env.get_ref())
                ),
                "env lists the names the bot reads its key from, such as \"BINANCE_API_KEY\", \
                 never their values"
                    .into(),
            ));
        }
    }
    let ip_allowlist = match &raw.ip_allowlist {
        None => None,
        Some(list) => {
            for entry in list.get_ref() {
                if !is_ip_or_cidr(entry.get_ref()) {
                    return Err(p.error(
                        entry.span().start,
                        format!(
                            "{} in ip_allowlist is not an IP address or CIDR range",
                            redact::quote(entry.get_ref())
                        ),
                        "write addresses like \"203.0.113.7\", \"2001:db8::1\" or \"203.0.113.0/24\"".into(),
                    ));
                }
            }
            Some(At {
                value: list.get_ref().iter().map(|s| s.get_ref().clone()).collect(),
                pos: p.pos(list.span().start),
            })
        }
    };
    Ok(Key {
        name: p.at(&raw.name),
        exchange,
        exchange_pos: p.pos(raw.exchange.span().start),
        bot: p.at(&raw.bot),
        env: raw.env.iter().map(|e| p.at(e)).collect(),
        permissions: resolved,
        permissions_pos: p.pos(raw.permissions.span().start),
        ip_allowlist,
        allow,
    })
}

/// A variable name as shells and `.env` files write it: `[A-Za-z_][A-Za-z0-9_]*`.
fn is_env_name(text: &str) -> bool {
    let mut bytes = text.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// An IP address, an `ADDRESS/PREFIX` range, or `*` (which allows everything).
fn is_ip_or_cidr(text: &str) -> bool {
    if text == "*" {
        return true;
    }
    match text.split_once('/') {
        None => text.parse::<IpAddr>().is_ok(),
        Some((addr, prefix)) => match (addr.parse::<IpAddr>(), prefix.parse::<u8>()) {
            (Ok(IpAddr::V4(_)), Ok(n)) => n <= 32,
            (Ok(IpAddr::V6(_)), Ok(n)) => n <= 128,
            _ => false,
        },
    }
}

/// An allowlist entry that lets any address in.
fn allows_everything(entry: &str) -> bool {
    matches!(entry, "*" | "0.0.0.0/0" | "::/0")
}

// ---- Findings ---------------------------------------------------------------

fn exchange_page(id: &str) -> (&'static str, &'static str) {
    EXCHANGE_PAGES
        .iter()
        .find(|(i, _, _)| *i == id)
        .map(|(_, name, url)| (*name, *url))
        .unwrap_or(("the exchange", "its API management page"))
}

fn finding(
    rule: &str,
    severity: Severity,
    source: Source,
    path: &str,
    pos: Option<Pos>,
    message: String,
    remediation: String,
) -> Finding {
    Finding {
        check: Check::Manifest,
        rule: rule.to_string(),
        severity,
        confidence: Confidence::High,
        message,
        location: Location {
            source,
            path: path.to_string(),
            line: pos.map(|p| p.line),
            column: pos.map(|p| p.column),
            commit: None,
            author: None,
            date: None,
        },
        secret: None,
        subject: None,
        remediation,
    }
}

fn scope_list(scopes: &[Scope]) -> String {
    if scopes.is_empty() {
        return "nothing".into();
    }
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The worst class among a permission's scopes, ignoring those the key's `allow` lists.
fn worst(permission: &Permission, allow: &[Scope]) -> Option<Class> {
    permission
        .scopes
        .iter()
        .filter(|s| !allow.contains(s))
        .map(|s| s.class())
        .filter(|c| *c != Class::Needed)
        .max()
}

/// The findings of a valid manifest. `path` is the manifest as reports show it.
pub fn evaluate(manifest: &Manifest, path: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for key in &manifest.keys {
        evaluate_key(key, path, &mut out);
    }
    shared(manifest, path, &mut out);
    out
}

fn evaluate_key(key: &Key, path: &str, out: &mut Vec<Finding>) {
    let (exchange, url) = exchange_page(key.exchange.id);
    let name = &key.name.value;
    // Group the permissions by their worst (non-allowed) class.
    let mut by_class: BTreeMap<Class, Vec<&Permission>> = BTreeMap::new();
    for perm in &key.permissions {
        if let Some(class) = worst(perm, &key.allow) {
            by_class.entry(class).or_default().push(perm);
        }
    }
    let describe = |perms: &[&Permission]| {
        perms
            .iter()
            .map(|p| {
                if p.scopes.len() == 1
                    && permissions::normalize(&p.name.value)
                        == permissions::normalize(p.scopes[0].as_str())
                {
                    format!("\"{}\"", p.name.value)
                } else {
                    format!("\"{}\" ({})", p.name.value, scope_list(&p.scopes))
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(perms) = by_class.get(&Class::Withdraw) {
        let admin = perms.iter().all(|p| !p.scopes.contains(&Scope::Withdraw));
        let what = if admin {
            "can manage keys or account settings, which is as good as withdraw (it can create a key that withdraws)"
        } else {
            "can withdraw funds"
        };
        let extra = if key.exchange.id == "hyperliquid" {
            " On Hyperliquid, give the bot an API (agent) wallet, never the master wallet's key."
        } else {
            ""
        };
        out.push(finding(
            rule::WITHDRAW,
            Severity::Critical,
            Source::Manifest,
            path,
            Some(perms[0].name.pos),
            format!("key \"{name}\" ({exchange}) {what}: {}", describe(perms)),
            format!(
                "On {exchange}'s API management page ({url}) turn off withdrawals and key management for this key, \
                 or better, replace it with a new key that has read + trade only. Nothing can allow withdraw \
                 on a bot's key.{extra}"
            ),
        ).about(name));
    }
    if let Some(perms) = by_class.get(&Class::Transfer) {
        out.push(finding(
            rule::TRANSFER,
            Severity::High,
            Source::Manifest,
            path,
            Some(perms[0].name.pos),
            format!(
                "key \"{name}\" ({exchange}) can move funds between accounts: {}",
                describe(perms)
            ),
            format!(
                "On {exchange}'s API management page ({url}) turn off transfer permissions for this key; \
                 a trading bot needs read + trade only."
            ),
        ).about(name));
    }
    if let Some(perms) = by_class.get(&Class::Beyond) {
        let extra: Vec<Scope> = {
            let mut v: Vec<Scope> = perms
                .iter()
                .flat_map(|p| p.scopes.iter().copied())
                .filter(|s| s.class() == Class::Beyond && !key.allow.contains(s))
                .collect();
            v.sort();
            v.dedup();
            v
        };
        let severity = if extra.iter().all(|s| *s == Scope::Deposit) {
            Severity::Low
        } else {
            Severity::High
        };
        let trades: Vec<&str> = extra
            .iter()
            .filter(|s| s.is_trade())
            .map(|s| s.as_str())
            .collect();
        let allow_hint = if trades.is_empty() {
            String::new()
        } else {
            format!(
                " If the bot does trade them, say so: allow = [{}] in this [[key]].",
                quote_list(&trades)
            )
        };
        out.push(finding(
            rule::BEYOND_TRADE,
            severity,
            Source::Manifest,
            path,
            Some(perms[0].name.pos),
            format!(
                "key \"{name}\" ({exchange}) can do more than read + trade ({}): {}",
                scope_list(&extra),
                describe(perms)
            ),
            format!(
                "On {exchange}'s API management page ({url}) turn off what the bot does not use.{allow_hint}"
            ),
        ).about(name));
    }
    if key.exchange.model == Model::Toggles {
        let granted: Vec<Scope> = key
            .permissions
            .iter()
            .flat_map(|p| p.scopes.iter().copied())
            .collect();
        let mut missing = Vec::new();
        if !granted.contains(&Scope::Read) {
            missing.push("read");
        }
        if !granted.iter().any(|s| s.is_trade()) {
            missing.push("trade");
        }
        if !missing.is_empty() {
            out.push(finding(
                rule::MISSING_SCOPE,
                Severity::Medium,
                Source::Manifest,
                path,
                Some(key.permissions_pos),
                format!(
                    "key \"{name}\" ({exchange}) declares no {} permission; a trading bot's key needs read + trade",
                    missing.join(" or ")
                ),
                format!(
                    "Check the key on {exchange}'s API management page ({url}) and list what it really has \
                     (for example \"read\", \"spot-trade\"). A manifest that lists less than the key has hides risks."
                ),
            ).about(name));
        }
    }
    if key.exchange.model == Model::None {
        out.push(finding(
            rule::NO_PERMISSION_MODEL,
            Severity::Low,
            Source::Manifest,
            path,
            Some(key.exchange_pos),
            format!(
                "key \"{name}\": {exchange} keys cannot be limited; a key can do whatever its account can"
            ),
            format!(
                "Keep only what the bot needs in the account this key belongs to, use paper keys for tests, \
                 and rotate the key on {exchange}'s page ({url})."
            ),
        ).about(name));
    }
    let open = match &key.ip_allowlist {
        None => Some((key.name.pos, "has no ip_allowlist")),
        Some(list) if list.value.is_empty() => Some((list.pos, "has an empty ip_allowlist")),
        Some(list) if list.value.iter().any(|e| allows_everything(e)) => {
            Some((list.pos, "has an ip_allowlist that lets any address in"))
        }
        Some(_) => None,
    };
    if let Some((pos, what)) = open {
        let (severity, message, remediation) = if key.exchange.ip_allowlist {
            let expiry = match key.exchange.id {
                "binance" => {
                    " Binance also unchecks trading on unrestricted keys after 30 days and deletes idle ones."
                }
                "bybit" => " Bybit also invalidates keys with no IP after 90 days.",
                "okx" => " OKX also deletes trading keys with no bound IP after 14 days.",
                _ => "",
            };
            (
                Severity::Medium,
                format!("key \"{name}\" ({exchange}) {what}: a leaked copy works from anywhere"),
                format!(
                    "On {exchange}'s API management page ({url}) restrict the key to the bot's server addresses \
                     and list them in ip_allowlist.{expiry}"
                ),
            )
        } else {
            (
                Severity::Low,
                format!(
                    "key \"{name}\" ({exchange}) {what}; {exchange} keys cannot be limited to IP addresses"
                ),
                format!(
                    "{exchange} offers no IP allowlist, so keep the key out of every file but a gitignored .env \
                     and rotate it on {url} when in doubt."
                ),
            )
        };
        out.push(
            finding(
                rule::NO_IP_ALLOWLIST,
                severity,
                Source::Manifest,
                path,
                Some(pos),
                message,
                remediation,
            )
            .about(name),
        );
    }
}

/// One key name or env variable declared for two keys or bots.
fn shared(manifest: &Manifest, path: &str, out: &mut Vec<Finding>) {
    let remediation = "Give every bot its own key (create one per bot on the exchange's API page) so one \
                       leak or one revocation touches one bot only.";
    let mut names: HashMap<&str, &Key> = HashMap::new();
    let mut envs: HashMap<&str, &Key> = HashMap::new();
    for key in &manifest.keys {
        match names.get(key.name.value.as_str()) {
            Some(first) => out.push(finding(
                rule::SHARED_KEY,
                Severity::High,
                Source::Manifest,
                path,
                Some(key.name.pos),
                format!(
                    "key \"{}\" is declared twice (bots \"{}\" and \"{}\"): one dedicated key per bot",
                    key.name.value, first.bot.value, key.bot.value
                ),
                remediation.into(),
            ).about(&key.name.value)),
            None => {
                names.insert(&key.name.value, key);
            }
        }
        let mut own: Vec<&str> = Vec::new();
        for env in &key.env {
            if own.contains(&env.value.as_str()) {
                continue;
            }
            own.push(&env.value);
            match envs.get(env.value.as_str()) {
                Some(first) => out.push(finding(
                    rule::SHARED_KEY,
                    Severity::High,
                    Source::Manifest,
                    path,
                    Some(env.pos),
                    format!(
                        "env variable {} is declared for key \"{}\" (bot \"{}\") and key \"{}\" (bot \"{}\"): \
                         one dedicated key per bot",
                        env.value, first.name.value, first.bot.value, key.name.value, key.bot.value
                    ),
                    remediation.into(),
                ).about(&env.value)),
                None => {
                    envs.insert(&env.value, key);
                }
            }
        }
    }
}

// ---- Env variables the code reads ---------------------------------------------

/// One place where code reads an env variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvRead {
    pub name: String,
    /// Relative to the root, with '/' separators.
    pub path: String,
    pub line: usize,
    pub column: usize,
}

const NAME: &str = r"([A-Za-z_][A-Za-z0-9_]*)";

/// Env reads in code: Python, JavaScript, Rust, Go, Ruby, PHP, Deno.
static CODE_READS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        format!(r#"(?:getenv|Getenv|environ\.get|env\.get|env::var|env::var_os|ENV\.fetch|LookupEnv)\s*\(\s*["'`]{NAME}["'`]"#),
        format!(r#"(?:environ|ENV|process\.env)\s*\[\s*["'`]{NAME}["'`]\s*\]"#),
        format!(r"process\.env\.{NAME}"),
    ]
    .iter()
    .map(|p| Regex::new(p).expect("built-in env-read pattern compiles"))
    .collect()
});

/// `${X}`, `${X:-default}` and the like, in compose and other YAML files.
static YAML_READS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"\$\{{{NAME}(?:[:?+-][^}}]*)?\}}"))
        .expect("built-in env-read pattern compiles")
});

const MAX_READ_FILE: u64 = 1 << 20;

/// Exchange-name tokens that may appear in env variable names, and their exchange ids.
const NAME_TOKENS: &[(&str, &str)] = &[
    ("BINANCE", "binance"),
    ("BINANCEUS", "binance"),
    ("COINBASE", "coinbase"),
    ("CDP", "coinbase"),
    ("KRAKEN", "kraken"),
    ("KUCOIN", "kucoin"),
    ("OKX", "okx"),
    ("OKEX", "okx"),
    ("BYBIT", "bybit"),
    ("BITFINEX", "bitfinex"),
    ("BFX", "bitfinex"),
    ("GEMINI", "gemini"),
    ("BITGET", "bitget"),
    ("GATE", "gate"),
    ("GATEIO", "gate"),
    ("HTX", "htx"),
    ("HUOBI", "htx"),
    ("BITSTAMP", "bitstamp"),
    ("CRYPTOCOM", "cryptocom"),
    ("MEXC", "mexc"),
    ("DERIBIT", "deribit"),
    ("BITMEX", "bitmex"),
    ("ALPACA", "alpaca"),
    ("APCA", "alpaca"),
    ("HYPERLIQUID", "hyperliquid"),
];

const CREDENTIAL_WORDS: &[&str] = &["KEY", "SECRET", "PASSPHRASE", "PASSWORD", "TOKEN"];

/// The exchange an env variable's name points at, when the name looks like an
/// exchange credential: an exchange's name as one `_`-separated part
/// (`BINANCE_API_SECRET`, `CRYPTO_COM_API_KEY`) and a credential word
/// (key, secret, passphrase, password, token) somewhere in it. Names such as
/// `BINANCE_API_URL` or `GATEWAY_KEY` are not credentials of an exchange.
pub fn credential_exchange(name: &str) -> Option<&'static str> {
    let upper = name.to_ascii_uppercase();
    if !CREDENTIAL_WORDS.iter().any(|w| upper.contains(w)) {
        return None;
    }
    let parts: Vec<&str> = upper.split('_').filter(|p| !p.is_empty()).collect();
    if parts.windows(2).any(|w| w == ["CRYPTO", "COM"]) {
        return Some("cryptocom");
    }
    parts.iter().find_map(|part| {
        NAME_TOKENS
            .iter()
            .find(|(token, _)| part == token)
            .map(|(_, id)| *id)
    })
}

fn is_yaml(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.ends_with(".yml") || name.ends_with(".yaml") || name.contains("compose")
}

/// Every env variable read in the text files of the walk under `dir` (below
/// 1 MiB, read through the sources' gate: UTF-16 decoded, binary left out),
/// sorted by path (relative to `dir`), line and column. Unreadable and
/// binary files are passed over: this is advice, not a leak scan.
pub fn env_reads(tree: &Tree, dir: &Path) -> Vec<EnvRead> {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut out = Vec::new();
    for entry in tree.entries.iter().filter(|e| e.abs.starts_with(&dir)) {
        let _ = gate::read(Content::File(&entry.abs), MAX_READ_FILE, |bytes, _| {
            let text = String::from_utf8_lossy(bytes);
            let mut rel = None;
            let lines = Lines::new(&text);
            let mut found = |m: regex::Match<'_>| {
                let (line, column) = lines.line_col(m.start());
                out.push(EnvRead {
                    name: m.as_str().to_string(),
                    path: rel
                        .get_or_insert_with(|| relative(&dir, &entry.abs))
                        .clone(),
                    line,
                    column,
                });
            };
            for re in CODE_READS.iter() {
                for cap in re.captures_iter(&text) {
                    if let Some(m) = cap.get(1) {
                        found(m);
                    }
                }
            }
            if is_yaml(entry.name()) {
                for cap in YAML_READS.captures_iter(&text) {
                    if let Some(m) = cap.get(1) {
                        found(m);
                    }
                }
            }
        });
    }
    out.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    out.dedup();
    out
}

/// The env-variable reads of the workspace's files (none when its tree
/// cannot be walked: the leak scan says why).
fn workspace_reads(ws: &Workspace, dir: &Path) -> Vec<EnvRead> {
    ws.tree()
        .map(|tree| env_reads(tree, dir))
        .unwrap_or_default()
}

/// Cross-checks declared env variables with the ones the code reads, in
/// time linear in their number.
pub fn cross_check(manifest: &Manifest, reads: &[EnvRead], path: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let declared: HashSet<&str> = manifest
        .keys
        .iter()
        .flat_map(|k| k.env.iter().map(|e| e.value.as_str()))
        .collect();
    let read_names: HashSet<&str> = reads.iter().map(|r| r.name.as_str()).collect();
    let mut reported: HashSet<&str> = HashSet::new();
    for read in reads {
        if declared.contains(read.name.as_str()) || reported.contains(read.name.as_str()) {
            continue;
        }
        let Some(id) = credential_exchange(&read.name) else {
            continue;
        };
        reported.insert(&read.name);
        let (exchange, _) = exchange_page(id);
        out.push(
            finding(
                rule::UNDECLARED_KEY,
                Severity::Low,
                Source::Tree,
                &read.path,
                Some(Pos {
                    line: read.line,
                    column: read.column,
                }),
                format!(
                    "undeclared key: {} is read here and looks like a {exchange} credential, \
                 but no [[key]] in {path} declares it",
                    read.name
                ),
                format!(
                    "Add {} to the env list of the [[key]] table for that key (or a new one), \
                 so that its permissions are checked.",
                    read.name
                ),
            )
            .about(&read.name),
        );
    }
    for key in &manifest.keys {
        for env in &key.env {
            if read_names.contains(env.value.as_str()) {
                continue;
            }
            out.push(
                finding(
                    rule::UNUSED_ENV,
                    Severity::Low,
                    Source::Manifest,
                    path,
                    Some(env.pos),
                    format!(
                        "env variable {} of key \"{}\" is read nowhere in the code",
                        env.value, key.name.value
                    ),
                    "Correct the name in the manifest, or remove it if the bot no longer uses it \
                 (and revoke the key if nothing uses it)."
                        .into(),
                )
                .about(&env.value),
            );
        }
    }
    out
}

// ---- Entry points -------------------------------------------------------------

/// The manifest as reports show it: relative to the root where it lies inside.
fn display_path(root: &Path, file: &Path) -> String {
    if let Ok(rel) = file.strip_prefix(root) {
        return relative(Path::new(""), rel);
    }
    if let (Ok(r), Ok(f)) = (root.canonicalize(), file.canonicalize())
        && let Ok(rel) = f.strip_prefix(&r)
    {
        return relative(Path::new(""), rel);
    }
    file.to_string_lossy().replace('\\', "/")
}

fn missing(path: &str) -> Finding {
    finding(
        rule::MISSING,
        Severity::Low,
        Source::Manifest,
        path,
        None,
        format!(
            "no permission manifest: no [[key]] table in {path} says which permissions the bot's exchange keys have"
        ),
        "Run `keyaudit manifest --init` to write a commented keyaudit.toml that lists the exchanges and env \
         variables this repository uses, then fill in each key's permissions as its exchange's API page shows \
         them. keyaudit then checks them: read + trade only, never withdraw, one key per bot, an IP allowlist."
            .into(),
    ).about("")
}

/// The manifest check on the repository at `root`: `manifest` is `--manifest
/// FILE`, else `keyaudit.toml` at the root. A repository with no manifest (or
/// one with no `[[key]]` table) gets a single low finding saying how to write
/// one. A named file that cannot be read, and an invalid manifest, are errors.
pub fn check(ws: &Workspace, manifest: Option<&Path>) -> Result<Vec<Finding>, ManifestError> {
    let dir = folder_of(ws.root());
    use crate::files::{self, Origin};
    let (file, origin) = match manifest {
        Some(path) => (path.to_path_buf(), Origin::CommandLine),
        None => (dir.join(DEFAULT_FILE), Origin::Repository),
    };
    let text = match files::read(&file, "manifest", origin, files::MAX_CONFIG_SIZE) {
        Ok(text) => text,
        Err(e) if origin == Origin::Repository && e.is_not_found() => {
            return Ok(vec![missing(DEFAULT_FILE)]);
        }
        Err(e) => return Err(ManifestError::File(e)),
    };
    let parsed = parse(&file, &text)?;
    let shown = display_path(dir, &file);
    if parsed.keys.is_empty() {
        return Ok(vec![missing(&shown)]);
    }
    let mut findings = evaluate(&parsed, &shown);
    findings.extend(cross_check(&parsed, &workspace_reads(ws, dir), &shown));
    Ok(merge_same_line(findings))
}

/// Joins findings of one rule on one line (two shared env variables in one
/// `env` list, two undeclared variables read on one line of code) into one,
/// since a report keeps a single secret-less finding per rule, path and line.
fn merge_same_line(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut at: HashMap<(String, String, usize), usize> = HashMap::new();
    for f in findings {
        let Some(line) = f.location.line else {
            out.push(f);
            continue;
        };
        match at.entry((f.rule.clone(), f.location.path.clone(), line)) {
            Entry::Occupied(i) => {
                let o = &mut out[*i.get()];
                o.message = format!("{}; {}", o.message, f.message);
                o.severity = o.severity.max(f.severity);
                if let (Some(a), Some(b)) = (&mut o.subject, &f.subject) {
                    a.push(',');
                    a.push_str(b);
                }
            }
            Entry::Vacant(slot) => {
                slot.insert(out.len());
                out.push(f);
            }
        }
    }
    out
}

/// What `--init` wrote.
#[derive(Debug)]
pub struct Written {
    pub path: PathBuf,
    /// Exchange ids found in the code's env variables.
    pub exchanges: Vec<&'static str>,
    pub env_vars: usize,
}

/// `keyaudit manifest --init`: writes a commented template listing the
/// exchanges and credential env variables found in the code. Never overwrites.
pub fn init(ws: &Workspace, manifest: Option<&Path>) -> Result<Written, ManifestError> {
    let dir = folder_of(ws.root());
    let path = manifest.map_or_else(|| dir.join(DEFAULT_FILE), Path::to_path_buf);
    if path.exists() {
        return Err(ManifestError::Exists { path });
    }
    let reads = workspace_reads(ws, dir);
    let bot = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "bot".into());
    let (text, exchanges, env_vars) = template(&bot, &reads);
    use crate::files::{self, Existing, FileErrorKind};
    match files::write(&path, "manifest", Existing::Keep, &text) {
        Ok(()) => {}
        Err(e) if matches!(&e.kind, FileErrorKind::Io(io) if io.kind() == std::io::ErrorKind::AlreadyExists) =>
        {
            return Err(ManifestError::Exists { path });
        }
        Err(e) => return Err(ManifestError::File(e)),
    }
    Ok(Written {
        path,
        exchanges,
        env_vars,
    })
}

/// `text` as `# ` comment lines of at most about 78 characters.
fn comment_wrapped(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::from("#");
    for word in text.split(' ') {
        if line.len() > 1 && line.len() + 1 + word.len() > 78 {
            out.push_str(&line);
            out.push('\n');
            line = String::from("#");
        }
        line.push(' ');
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// The template's text, the exchanges it lists and how many env variables.
pub fn template(bot: &str, reads: &[EnvRead]) -> (String, Vec<&'static str>, usize) {
    let bot: String = bot
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let bot = if bot.is_empty() {
        "bot".to_string()
    } else {
        bot
    };
    let mut by_exchange: BTreeMap<&'static str, Vec<&str>> = BTreeMap::new();
    let mut listed: HashSet<&str> = HashSet::new();
    for read in reads {
        if let Some(id) = credential_exchange(&read.name)
            && listed.insert(&read.name)
        {
            by_exchange.entry(id).or_default().push(&read.name);
        }
    }
    let mut t = String::from(
        "# keyaudit permission manifest: one [[key]] table per exchange API key.\n\
         #\n\
         # keyaudit checks what each key may do: read + trade only, never withdraw\n\
         # or transfer; one dedicated key per bot; an IP allowlist where the exchange\n\
         # has one. Write permissions as canonical scopes (read, spot-trade,\n\
         # margin-trade, futures-trade, transfer, withdraw, deposit, admin, earn, ...)\n\
         # or with the exchange's own names, as its API page shows them:\n\
         # `keyaudit rules --permissions` lists every name. Check with `keyaudit manifest`.\n",
    );
    if by_exchange.is_empty() {
        t.push_str(
            "#\n\
             # No exchange credentials were found in the code's env variables. Example:\n\
             #\n\
             # [[key]]\n\
             # name = \"grid-bot-binance\"             # unique\n\
             # exchange = \"binance\"                  # a known exchange id (`keyaudit rules`)\n\
             # bot = \"grid-bot\"                      # the one bot that uses this key\n\
             # env = [\"BINANCE_API_KEY\", \"BINANCE_API_SECRET\"]   # where the bot reads it\n\
             # permissions = [\"read\", \"spot-trade\"] # what the key really has\n\
             # ip_allowlist = [\"203.0.113.7\"]        # the bot server's addresses\n\
             # allow = [\"futures-trade\"]             # margin/futures trading the bot needs\n",
        );
    }
    let mut env_vars = 0;
    for (id, vars) in &by_exchange {
        env_vars += vars.len();
        let (name, url) = exchange_page(id);
        let natives: Vec<&str> = permissions::exchange(id)
            .map(|e| e.natives.iter().map(|n| n.names[0]).collect())
            .unwrap_or_default();
        let env = vars
            .iter()
            .map(|v| format!("\"{v}\""))
            .collect::<Vec<_>>()
            .join(", ");
        t.push_str(&format!(
            "\n[[key]]\n\
             name = \"{bot}-{id}\"   # unique\n\
             exchange = \"{id}\"\n\
             bot = \"{bot}\"   # the one bot that uses this key\n\
             env = [{env}]   # found in the code\n\
             # EDIT: the permissions this key really has on {name}'s API page\n\
             # ({url}).\n\
             {}\
             permissions = [\"read\", \"spot-trade\"]\n\
             # EDIT: the addresses the key is restricted to on that page.\n\
             ip_allowlist = []\n\
             # allow = [\"futures-trade\"]   # margin or futures trading this bot does\n",
            comment_wrapped(&format!("{name}'s own names: {}.", quote_list(&natives)))
        ));
    }
    (t, by_exchange.keys().copied().collect(), env_vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(text: &str) -> Result<Manifest, ManifestError> {
        parse(Path::new("keyaudit.toml"), text)
    }

    fn rules_of(text: &str) -> Vec<(String, Severity, Option<usize>)> {
        let m = manifest(text).unwrap_or_else(|e| panic!("{e}"));
        evaluate(&m, "keyaudit.toml")
            .into_iter()
            .map(|f| (f.rule, f.severity, f.location.line))
            .collect()
    }

    fn invalid(text: &str) -> (usize, usize, String) {
        match manifest(text) {
            Err(ManifestError::Invalid {
                line,
                column,
                message,
                hint,
                ..
            }) => (line, column, format!("{message}\n{hint}")),
            other => panic!("expected an invalid manifest, got {other:?}"),
        }
    }

    const GOOD: &str = r#"
[[key]]
name = "grid"
exchange = "binance"
bot = "grid-bot"
env = ["BINANCE_API_KEY"]
permissions = ["Enable Reading", "spot-trade"]
ip_allowlist = ["203.0.113.7"]
"#;

    #[test]
    fn a_read_and_trade_key_with_an_allowlist_is_clean() {
        assert_eq!(rules_of(GOOD), vec![]);
    }

    #[test]
    fn withdraw_is_critical_at_its_position_and_cannot_be_allowed() {
        let text = GOOD.replace("\"spot-trade\"]", "\"spot-trade\", \"ENABLE_WITHDRAWALS\"]");
        assert_eq!(
            rules_of(&text),
            vec![(rule::WITHDRAW.into(), Severity::Critical, Some(7))]
        );
        let text = GOOD.replace("ip_allowlist", "allow = [\"withdraw\"]\nip_allowlist");
        let (line, _, msg) = invalid(&text);
        assert_eq!(line, 8);
        assert!(msg.contains("cannot be allowed"), "{msg}");
    }

    #[test]
    fn worst_member_decides() {
        // enableMargin grants margin-trade + transfer: transfer (high) wins.
        let text = GOOD.replace("\"spot-trade\"]", "\"spot-trade\", \"enableMargin\"]");
        assert_eq!(
            rules_of(&text),
            vec![(rule::TRANSFER.into(), Severity::High, Some(7))]
        );
        // Coinbase transfer withdraws.
        let text = GOOD.replace("binance", "coinbase").replace(
            "\"Enable Reading\", \"spot-trade\"",
            "\"view\", \"transfer\"",
        );
        assert!(rules_of(&text).contains(&(rule::WITHDRAW.into(), Severity::Critical, Some(7))));
    }

    #[test]
    fn futures_counts_as_trade_only_where_allowed() {
        let text = GOOD.replace("\"spot-trade\"]", "\"spot-trade\", \"enableFutures\"]");
        assert_eq!(
            rules_of(&text),
            vec![(rule::BEYOND_TRADE.into(), Severity::High, Some(7))]
        );
        let text = text.replace("ip_allowlist", "allow = [\"futures-trade\"]\nip_allowlist");
        assert_eq!(rules_of(&text), vec![]);
    }

    #[test]
    fn missing_scopes_except_where_the_model_cannot_separate_them() {
        let text = GOOD.replace("\"Enable Reading\", ", "");
        assert_eq!(
            rules_of(&text),
            vec![(rule::MISSING_SCOPE.into(), Severity::Medium, Some(7))]
        );
        let text = r#"
[[key]]
name = "hl"
exchange = "hyperliquid"
bot = "perp-bot"
permissions = ["agent"]
allow = ["futures-trade"]
"#;
        assert_eq!(
            rules_of(text),
            vec![(rule::NO_IP_ALLOWLIST.into(), Severity::Low, Some(3))]
        );
    }

    #[test]
    fn no_ip_allowlist_is_medium_and_a_wildcard_counts_as_none() {
        let text = GOOD.replace("ip_allowlist = [\"203.0.113.7\"]\n", "");
        assert_eq!(
            rules_of(&text),
            vec![(rule::NO_IP_ALLOWLIST.into(), Severity::Medium, Some(3))]
        );
        let text = GOOD.replace("\"203.0.113.7\"", "\"0.0.0.0/0\"");
        assert_eq!(
            rules_of(&text),
            vec![(rule::NO_IP_ALLOWLIST.into(), Severity::Medium, Some(8))]
        );
        let (line, column, msg) = invalid(&GOOD.replace("203.0.113.7", "my server"));
        assert_eq!((line, column), (8, 17));
        assert!(msg.contains("not an IP address"), "{msg}");
    }

    #[test]
    fn shared_names_and_env_variables() {
        let second = GOOD.replace("grid-bot", "dca-bot");
        let found = rules_of(&format!("{GOOD}{second}"));
        assert_eq!(
            found,
            vec![
                (rule::SHARED_KEY.into(), Severity::High, Some(11)),
                (rule::SHARED_KEY.into(), Severity::High, Some(14)),
            ]
        );
    }

    #[test]
    fn errors_name_line_column_and_nearest_names() {
        let (line, column, msg) = invalid(&GOOD.replace("\"spot-trade\"", "\"enableWithdrawl\""));
        assert_eq!((line, column), (7, 34));
        assert!(msg.contains("\"Enable Withdrawals\""), "{msg}");
        let (line, column, msg) = invalid(&GOOD.replace("\"binance\"", "\"binanse\""));
        assert_eq!((line, column), (4, 12));
        assert!(msg.contains("did you mean \"binance\""), "{msg}");
        let (line, _, msg) = invalid(&GOOD.replace("bot = ", "bots = "));
        assert_eq!(line, 5);
        assert!(msg.contains("bots"), "{msg}");
        let (_, _, msg) = invalid(&GOOD.replace("bot = \"grid-bot\"\n", ""));
        assert!(msg.contains("missing field `bot`"), "{msg}");
        let (line, _, msg) = invalid(&GOOD.replace("[\"BINANCE_API_KEY\"]", "\"BINANCE_API_KEY\""));
        assert_eq!(line, 6);
        assert!(msg.contains("invalid type"), "{msg}");
        let (line, _, _) = invalid("[[key]]\nname = \"a\n");
        assert_eq!(line, 2);
    }

    #[test]
    fn exchange_names_are_normalised() {
        let text = GOOD.replace("\"binance\"", "\"Binance\"");
        assert_eq!(rules_of(&text), vec![]);
        let m = manifest(&GOOD.replace("\"binance\"", "\"Crypto.com\"").replace(
            "\"Enable Reading\", \"spot-trade\"",
            "\"Can Read\", \"trade\"",
        ))
        .unwrap();
        assert_eq!(m.keys[0].exchange.id, "cryptocom");
    }

    #[test]
    fn other_sections_are_left_to_config() {
        let m = manifest("[scan]\nmax_file_size = 3\n").unwrap();
        assert!(m.keys.is_empty());
    }

    #[test]
    fn credential_env_names() {
        assert_eq!(credential_exchange("BINANCE_API_SECRET"), Some("binance"));
        assert_eq!(credential_exchange("okx_passphrase"), Some("okx"));
        assert_eq!(credential_exchange("CRYPTO_COM_API_KEY"), Some("cryptocom"));
        assert_eq!(credential_exchange("APCA_API_KEY_ID"), Some("alpaca"));
        assert_eq!(credential_exchange("BINANCE_API_URL"), None);
        assert_eq!(credential_exchange("GATEWAY_KEY"), None);
        assert_eq!(credential_exchange("API_KEY"), None);
    }

    #[test]
    fn env_read_patterns() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("bot.py"),
            "import os\nk = os.getenv(\"A_KEY\")\ns = os.environ['B_KEY']\nt = os.environ.get('C_KEY', '')\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("bot.js"),
            "const k = process.env.D_KEY;\nconst s = process.env[\"E_KEY\"];\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("main.rs"),
            "let k = std::env::var(\"F_KEY\")?;\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("docker-compose.yml"),
            "environment:\n  - K=${G_KEY}\n  - S=${H_KEY:-x}\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("notes.txt"), "${I_KEY}\n").unwrap();
        std::fs::create_dir(dir.path().join("node_modules")).unwrap();
        std::fs::write(dir.path().join("node_modules/x.js"), "process.env.J_KEY\n").unwrap();
        let ws = Workspace::open(dir.path(), &Default::default());
        let reads = env_reads(ws.tree().unwrap(), dir.path());
        let names: Vec<String> = reads.into_iter().map(|r| r.name).collect();
        assert_eq!(
            names,
            [
                "D_KEY", "E_KEY", "A_KEY", "B_KEY", "C_KEY", "G_KEY", "H_KEY", "F_KEY"
            ]
        );
    }

    #[test]
    fn the_template_is_a_valid_manifest() {
        let reads = vec![EnvRead {
            name: "BYBIT_API_KEY".into(),
            path: "bot.py".into(),
            line: 1,
            column: 1,
        }];
        let (text, exchanges, vars) = template("my bot", &reads);
        assert_eq!((exchanges, vars), (vec!["bybit"], 1));
        let m = manifest(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(m.keys[0].bot.value, "my-bot");
        let (empty, _, _) = template("x", &[]);
        assert!(manifest(&empty).unwrap().keys.is_empty());
    }
}
