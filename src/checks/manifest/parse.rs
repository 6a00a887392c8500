//! Parsing a manifest: the `[[key]]` tables read with their positions and
//! validated (names, exchanges, permissions, env variables, allowlists), or
//! a [`ManifestError`] at the file, line and column with the nearest names.

use super::*;

/// Only `key` is read here; the other sections belong to `config.rs`, which rejects unknown ones.
#[derive(Deserialize)]
pub(super) struct RawFile {
    #[serde(default)]
    key: Vec<Spanned<RawKey>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawKey {
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

pub(super) const FIELDS_HINT: &str = "a [[key]] table has name, exchange, bot and permissions, and optionally \
env, ip_allowlist and allow; see `keyaudit manifest --init` for a commented template";

pub(super) struct Parser<'a> {
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

pub(super) fn quote_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn did_you_mean(names: &[&str]) -> String {
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

pub(super) fn find_exchange(name: &str) -> Option<&'static Exchange> {
    catalog::exchange_named(name)
}

pub(super) fn validate_key(p: &Parser<'_>, raw: RawKey) -> Result<Key, ManifestError> {
    let exchange = find_exchange(raw.exchange.get_ref()).ok_or_else(|| {
        let ids: Vec<&str> = catalog::EXCHANGES.iter().map(|e| e.id).collect();
        let near = permissions::suggest(raw.exchange.get_ref(), &ids);
        p.error(
            raw.exchange.span().start,
            format!("unknown exchange {}", redact::quote(raw.exchange.get_ref())),
            format!("{}known exchanges: {}", did_you_mean(&near), ids.join(", ")),
        )
    })?;
    let display = catalog::exchange_name(exchange.id);
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
pub(super) fn is_env_name(text: &str) -> bool {
    let mut bytes = text.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// An IP address, an `ADDRESS/PREFIX` range, or `*` (which allows everything).
pub(super) fn is_ip_or_cidr(text: &str) -> bool {
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
pub(super) fn allows_everything(entry: &str) -> bool {
    matches!(entry, "*" | "0.0.0.0/0" | "::/0")
}
