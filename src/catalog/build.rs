//! The helpers rule files are written with: field-name fragments, the
//! `name = value`, bare-value and PEM pattern builders, [`Part`] (an exchange
//! credential known by its field name and the exchange's name nearby), the
//! revoke-page remediation, and the constructors of native permission rows.

use super::{Native, Variants};
use crate::checks::permissions::Scope;
use crate::detect::rule::{Rule, Scope as RuleScope, base};
use crate::detect::validate;
use crate::finding::Severity;

/// The scope of `name = value` rules: a name of up to 40 + keyword + 40
/// characters, an operator, quotes and a value of up to 256 characters,
/// around each keyword that stands in a field name before an operator.
pub(crate) const NEAR_NAME: RuleScope = RuleScope::Assignment;

/// The scope of a value that holds its keyword (a prefix like `ghp_`, a host
/// like `hooks.slack.com`): a few bytes before the keyword to a few hundred
/// after it, on its line.
pub(crate) const AROUND: RuleScope = RuleScope::NearKeyword {
    before: 96,
    after: 320,
};

/// The scope of a PEM block: from its `BEGIN` line's keyword (`PRIVATE
/// KEY-----`) to its end, across lines.
pub(crate) const PEM_BLOCK: RuleScope = RuleScope::Span {
    before: 64,
    after: 13_000,
};

/// The scope of a value found only by a context word within the engine's
/// context window (640 bytes), plus the longest such value, across lines.
pub(crate) const NEAR_CONTEXT: RuleScope = RuleScope::Span {
    before: 1024,
    after: 1024,
};

/// The literals every match of a field-name pattern starts with (`key`,
/// `api` and `access` for [`KEY_NAME`]), lowercase: the keywords of a
/// [`Part`], whose exchange's name is its context, not its keyword.
fn name_keywords(name: &str) -> &'static [&'static str] {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::parse(name).expect("field-name patterns are valid");
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
    let literals = seq
        .literals()
        .filter(|ls| !ls.is_empty() && ls.iter().all(|l| !l.as_bytes().is_empty()))
        .expect("every field-name pattern starts with a literal");
    let mut words: Vec<&'static str> = literals
        .iter()
        .map(|l| {
            let word = String::from_utf8_lossy(l.as_bytes()).to_ascii_lowercase();
            &*Box::leak(word.into_boxed_str())
        })
        .collect();
    words.sort_unstable();
    words.dedup();
    Box::leak(words.into_boxed_slice())
}

/// The remediation of an exchange key: revoke it on the exchange's API page.
pub(crate) fn exchange_remediation(id: &str) -> String {
    let ex = super::exchange(id).expect("every exchange rule names a listed exchange");
    let (name, url) = (ex.name, ex.api_page);
    format!(
        "Revoke this key on {name}'s API management page ({url}), create a new one with read + trade only \
         (never withdraw), and load it from a gitignored .env file. Deleting the file does not help: \
         the key stays in git history."
    )
}

/// Exchanges keyaudit has no rules for, as their names appear in variable
/// names (squashed: lowercase letters and digits only). With every catalog
/// exchange's id and env tokens, they tell a credential's field name that
/// names another exchange.
const OTHER_EXCHANGES: &[&str] = &[
    "ascendex",
    "bitmart",
    "phemex",
    "probit",
    "huobi",
    "okex",
    "poloniex",
    "bittrex",
    "hitbtc",
    "bithumb",
    "upbit",
    "coinex",
    "lbank",
    "whitebit",
    "bingx",
    "blofin",
    "gateio",
    "okcoin",
    "bitflyer",
    "coincheck",
    "btcturk",
    "bitvavo",
    "bitpanda",
    "indodax",
    "wazirx",
    "coindcx",
    "bitso",
    "novadax",
    "latoken",
    "digifinex",
    "hotbit",
    "bibox",
    "dydx",
    "vertex",
    "injective",
    "hashkey",
    "btcmarkets",
    "coinone",
    "bitrue",
    "woox",
    "backpack",
    "paradex",
    "polymarket",
    "aevo",
    "apex",
    "pionex",
    "coinw",
    "toobit",
    "weex",
    "bitunix",
];

/// Every exchange's names as they appear squashed in field names: each
/// catalog exchange's id and env tokens (with its id), then the others
/// (id `""`). Built once.
static EXCHANGE_NAMES: std::sync::LazyLock<Vec<(&'static str, String)>> =
    std::sync::LazyLock::new(|| {
        super::EXCHANGES
            .iter()
            .flat_map(|e| {
                std::iter::once(e.id.to_string())
                    .chain(e.env_tokens.iter().map(|t| t.to_ascii_lowercase()))
                    .filter(|n| n.len() >= 3)
                    .map(move |n| (e.id, n))
            })
            .chain(OTHER_EXCHANGES.iter().map(|n| ("", n.to_string())))
            .collect()
    });

/// True when `name` (a field name, lowercase) names an exchange other than
/// `exchange` and not `exchange` itself: `ascend_ex_secret_key` for a Binance
/// rule. Compared squashed (`ascend_ex`, `AscendEX` and `ascendex` are one).
/// The exchange rules' `rejects`.
pub(crate) fn names_other_exchange(name: &[u8], _value: &[u8], exchange: &str) -> bool {
    let squashed: String = name
        .iter()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(|b| b.to_ascii_lowercase() as char)
        .collect();
    let (own, others): (Vec<_>, Vec<_>) = EXCHANGE_NAMES
        .iter()
        .filter(|(_, n)| squashed.contains(n.as_str()))
        .partition(|(e, _)| *e == exchange);
    own.is_empty() && !others.is_empty()
}

/// A quote opening or closing a value, possibly backslash-escaped (code inside JSON).
pub(crate) const Q: &str = r#"(?:\\{0,3}["'`])"#;
/// Characters of an identifier or dotted path used as a field name.
pub(crate) const ID: &str = r"[A-Za-z0-9_.\-]";

/// Field names that hold the key id (the public half).
pub(crate) const KEY_NAME: &str = r"(?:key|api|access)";
/// Key-id field names for exchanges whose key looks like a database or request id
/// (KuCoin's 24 hex is a MongoDB ObjectId, OKX's key a UUID, Gate's an MD5-like
/// 32 hex): `id`, `oid`, `clOrdId`, `user_id` and `account` are left out.
pub(crate) const API_KEY_NAME: &str = r"(?:key|api)";
/// A key-id field whose name says it holds the secret half is the secret's rule's business.
const NOT_KEY_NAMES: &[&str] = &["secret", "private", "priv", "pass", "sign"];
/// Field names that hold the secret half.
pub(crate) const SECRET_NAME: &str = r"(?:secret|private|priv|signing)";
/// Field names that hold a passphrase.
pub(crate) const PASS_NAME: &str = r"(?:passphrase|password|passwd|pass|pwd)";

/// `NAME <op> VALUE` for every syntax the scanner reads: Python and JS
/// assignments and keyword arguments, JSON and dict entries, YAML, TOML, INI
/// and .env lines, and JSON-escaped code (notebooks). `quoted` makes the quote
/// before the value mandatory.
///
/// The opening quote is captured as group `open`: in source code an unquoted
/// value is an expression (`api_key = config.key`), not a literal, so the
/// engine drops unquoted matches in code files.
pub(crate) fn assign(name: &str, value: &str, quoted: bool) -> String {
    assign_ending(name, value, quoted, r"[^A-Za-z0-9+/=_\-]")
}

/// [`assign`] for the generic rules: the value must also not go on after a
/// dot (`eyJ…` stopping at a JWT's first `.`, `<40 hex>.factory.bridge.near`
/// are pieces of something longer, not a secret of their own).
pub(crate) fn assign_whole(name: &str, value: &str, quoted: bool) -> String {
    assign_ending(
        name,
        value,
        quoted,
        r"[^A-Za-z0-9+/=_\-.]|\.(?:[^A-Za-z0-9]|$)",
    )
}

/// [`assign`] with `end` as what may follow an unquoted value (besides a
/// quote and the line's end).
pub(crate) fn assign_ending(name: &str, value: &str, quoted: bool, end: &str) -> String {
    let open = if quoted {
        format!("(?P<open>{Q})")
    } else {
        format!("(?P<open>{Q})?")
    };
    format!(
        r"(?m)(?i:(?P<name>{ID}{{0,40}}?{name}{ID}{{0,40}}))(?:{}){open}(?P<secret>{value})(?:{Q}|{end}|$)",
        operator()
    )
}

/// What stands between a field's name and its value, in every syntax the
/// scanner reads (the engine's `assigned_at` accepts a superset):
/// - `=`, `:`, `=>`, `:=`; Makefile's `?=`, `::=`, `:::=`, `+=`; PHP's `.=`;
///   a default after `||` or `??` (`process.env.API_SECRET || "…"`);
/// - a typed declaration: Go's `var apiToken string =`, Python's and
///   TypeScript's `api_key: str =`, Rust's `API_KEY: &'static str =`;
/// - a quoted name and value as arguments: `os.getenv("API_SECRET", "…")`,
///   `System.setProperty("API_TOKEN", "…")`, `os.Setenv("API_TOKEN", "…")`;
/// - XML: `<apiToken>…</apiToken>` (the value on the element's line or
///   the next), `<add key="DbPassword" value="…"/>`;
/// - Gradle's `buildConfigField "String", "API_TOKEN", "\"…\""` (a Java
///   string literal inside a Groovy one);
/// - a value wrapped onto the next line, as Prettier writes a long one
///   (`export const privateKey =\n  '…';`); the engine keeps such a match
///   only when the value is quoted;
/// - blanks alone: a Dockerfile's legacy `ENV API_SECRET value`. The engine
///   keeps such a match only on an `ENV` line.
fn operator() -> String {
    [
        format!(
            r"{Q}?[ \t]{{0,8}}(?:=>|:{{0,3}}=|[?.+]=|\|\||\?\?|:)(?:[ \t]{{0,8}}|[ \t]{{0,8}}(?:\r\n?|\n)[ \t]{{0,24}})"
        ),
        r"(?:[ \t]*:[ \t]*|[ \t]+)&?(?:'static[ \t]+)?[A-Za-z_][A-Za-z0-9_<>\[\]]{0,24}[ \t]*=[ \t]{0,8}".to_string(),
        format!(r"{Q}[ \t]*,[ \t]*"),
        format!(r#"{Q}[ \t]*,[ \t]*""#),
        format!(r">[ \t]*(?:(?:\r\n?|\n)[ \t]{{0,24}})?|{Q}[ \t]+value[ \t]*=[ \t]*"),
        r"[ \t]{1,8}".to_string(),
    ]
    .join("|")
}

/// [`assign`] (with an optional opening quote) or any of `others`, then
/// `value`: one credential met in several shapes with one `secret` group.
/// Each of `others` is a regex that ends where the value starts (a URL's
/// `apikey=`, a config block's `{ apiKey: "`); it captures no `name`, so an
/// unquoted value after it counts in code too.
pub(crate) fn assign_or(name: &str, others: &str, value: &str) -> String {
    format!(
        r"(?m)(?:(?i:(?P<name>{ID}{{0,40}}?{name}{ID}{{0,40}}))(?:{op})(?P<open>{Q})?|{others})(?P<secret>{value})(?:{Q}|[^A-Za-z0-9+/=_\-]|$)",
        op = operator()
    )
}

/// A value standing on its own, bounded by characters outside its alphabet.
pub(crate) fn bare(value: &str) -> String {
    format!(r"(?m)(?:^|[^A-Za-z0-9_\-])(?P<secret>{value})(?:[^A-Za-z0-9_\-]|$)")
}

/// A PEM private key, multi-line or one line with literal `\n` escapes.
pub(crate) fn pem(label: &str, body_start: &str) -> String {
    format!(
        r"(?P<secret>-----BEGIN {label}PRIVATE KEY-----(?:\\+[rn]|[\r\n \t])*{body_start}(?:[A-Za-z0-9+/=\r\n \t]|\\+[rn]){{16,}}?-----END {label}PRIVATE KEY-----)"
    )
}

/// A part of an exchange credential recognised by its field name plus the
/// exchange's name nearby: the shape of most exchange keys, which have no prefix.
pub(crate) struct Part {
    pub(crate) id: &'static str,
    pub(crate) exchange: &'static str,
    pub(crate) severity: Severity,
    pub(crate) description: &'static str,
    /// Context words naming the exchange (also the prefilter keywords).
    pub(crate) context: &'static [&'static str],
    pub(crate) name: &'static str,
    pub(crate) value: &'static str,
    pub(crate) min_entropy: f64,
    pub(crate) examples: &'static [&'static str],
    pub(crate) negatives: &'static [&'static str],
}

impl Part {
    pub(crate) fn rule(self) -> Rule {
        Rule {
            id: self.id,
            exchange: self.exchange,
            severity: self.severity,
            description: self.description,
            keywords: name_keywords(self.name),
            pattern: assign(self.name, self.value, false),
            context: self.context,
            scope: NEAR_NAME,
            min_entropy: self.min_entropy,
            validate: Some(validate::letters_and_digits),
            not_names: if self.name == KEY_NAME || self.name == API_KEY_NAME {
                NOT_KEY_NAMES
            } else {
                &[]
            },
            rejects: Some(names_other_exchange),
            group: Some(self.exchange),
            examples: self.examples,
            negatives: self.negatives,
            remediation: exchange_remediation(self.exchange),
            ..base()
        }
    }
}

/// A native permission: its spellings and the scopes it grants.
pub(crate) const fn n(names: &'static [&'static str], scopes: &'static [Scope]) -> Native {
    Native {
        names,
        scopes,
        variants: Variants::Plain,
    }
}

/// A native permission that also comes in `:read` and `:write` variants.
pub(crate) const fn rw(names: &'static [&'static str], scopes: &'static [Scope]) -> Native {
    Native {
        names,
        scopes,
        variants: Variants::ReadWrite,
    }
}

#[cfg(test)]
mod tests {
    use super::names_other_exchange;

    #[test]
    fn field_names_start_with_their_keywords() {
        assert_eq!(
            super::name_keywords(super::KEY_NAME),
            ["access", "api", "key"]
        );
        assert_eq!(
            super::name_keywords(r"(?:client[_\-]?id|key)"),
            ["client-id", "client_id", "clientid", "key"]
        );
    }

    #[test]
    fn a_field_naming_another_exchange_is_foreign() {
        let foreign = |name: &[u8], exchange| names_other_exchange(name, b"", exchange);
        assert!(foreign(b"ascend_ex_secret_key", "binance"));
        assert!(foreign(b"kucoin_api_secret", "binance"));
        assert!(foreign(b"config.bybit.secret", "okx"));
        assert!(!foreign(b"binance_api_secret", "binance"));
        assert!(!foreign(b"secret", "binance"));
        assert!(!foreign(b"api_secret", "kucoin"));
        // Both named: the rule's own exchange keeps it.
        assert!(!foreign(b"binance_to_kucoin_secret", "kucoin"));
        assert!(!foreign(b"okex_secret_key", "okx"));
    }
}
