//! The built-in rules, as data.
//!
//! Each rule has a stable kebab-case id (`<exchange>-<part>`, never reused), a
//! severity, the exchange it belongs to, prefilter keywords, a pattern whose
//! `secret` group is the secret (and whose `name` group, where present, is the
//! field it is assigned to), context keywords that must be near when the value
//! alone is not distinctive, examples it must find and look-alikes it must not.
//! One unit test runs every example; `keyaudit rules` prints this table.

use crate::finding::{Check, Severity, Source};

use super::validate;

/// Which files a rule applies to, judged from the path alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// Source code, JSON and notebooks: a value is a quoted literal, and an
    /// unquoted right-hand side is an expression.
    Code,
    /// `.env`, YAML, INI, shell, Markdown and the rest: values may stand unquoted.
    Config,
}

impl FileKind {
    /// Source code and JSON by extension; everything else (`.env`, YAML,
    /// INI, shell, Dockerfiles, Markdown, text, no extension) may hold
    /// unquoted values.
    pub fn of(path: &str) -> FileKind {
        const CODE: &[&str] = &[
            "py", "pyw", "ipynb", "js", "mjs", "cjs", "jsx", "ts", "tsx", "vue", "svelte", "rs",
            "go", "java", "kt", "kts", "scala", "rb", "php", "cs", "c", "cc", "cpp", "h", "hpp",
            "swift", "dart", "lua", "sol", "json",
        ];
        let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        if !name.starts_with(".env") && CODE.contains(&ext) {
            FileKind::Code
        } else {
            FileKind::Config
        }
    }
}

/// Which file kinds a rule runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Files {
    Any,
    ConfigOnly,
    CodeOnly,
}

impl Files {
    pub fn admits(self, kind: FileKind) -> bool {
        match self {
            Files::Any => true,
            Files::ConfigOnly => kind == FileKind::Config,
            Files::CodeOnly => kind == FileKind::Code,
        }
    }
}

/// Where in the content a rule's regex runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Over the whole content (rules whose keyword may be far from the match).
    Whole,
    /// Only near each keyword hit: `before` bytes before it to `after` bytes
    /// after it, clipped to the hit's line. For single-line `name = value`
    /// patterns whose name contains the keyword, this finds exactly what a
    /// whole-content run finds, at a fraction of the cost on common keywords.
    NearKeyword { before: usize, after: usize },
}

/// The scope of `name = value` rules: a name of up to 40 + keyword + 40
/// characters, an operator, quotes and a value of up to 256 characters.
const NEAR_NAME: Scope = Scope::NearKeyword {
    before: 64,
    after: 512,
};

/// One detection rule.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: &'static str,
    /// Exchange id (`binance`), or a kind of credential for non-exchange rules.
    pub exchange: &'static str,
    pub severity: Severity,
    pub description: &'static str,
    /// The rule runs only on content containing one of these (ASCII case-insensitive).
    pub keywords: &'static [&'static str],
    /// Regex (bytes); group `secret` is the secret, group `name` the field name.
    pub pattern: String,
    /// When non-empty, one of these must occur within the engine's context window.
    pub context: &'static [&'static str],
    /// Minimum Shannon entropy (bits per byte) of the secret; 0 for none.
    pub min_entropy: f64,
    pub validate: Option<fn(&[u8]) -> bool>,
    /// The match is dropped when its `name` group contains one of these (case-insensitive).
    pub not_names: &'static [&'static str],
    pub files: Files,
    pub scope: Scope,
    /// A generic rule yields to any exchange rule matching the same span.
    pub generic: bool,
    /// Parts of one credential share a group; finding two raises confidence.
    pub group: Option<&'static str>,
    /// A wallet private key: the engine derives its address and looks for it
    /// in the same content (a match proves the key real).
    pub wallet: bool,
    pub examples: &'static [&'static str],
    pub negatives: &'static [&'static str],
    pub remediation: String,
    /// The check a match of this rule is a finding of.
    pub check: Check,
    /// The sources where a match counts; elsewhere it is dropped where it is
    /// found (a traced `.env` value is where it belongs in a gitignored file).
    pub sources: &'static [Source],
    /// The match is the secret itself; `false` when it only names one (a
    /// printed variable): the finding then carries the match as its subject.
    pub is_secret: bool,
}

/// Every source content is scanned from.
pub const ALL_SOURCES: &[Source] = &[
    Source::Tree,
    Source::Staged,
    Source::History,
    Source::Ignored,
];

/// Exchanges: id, display name, where the user revokes a key (EXCHANGES.md section 6).
pub const EXCHANGES: &[(&str, &str, &str)] = &[
    (
        "binance",
        "Binance",
        "https://www.binance.com/en/my/settings/api-management",
    ),
    (
        "coinbase",
        "Coinbase",
        "https://portal.cdp.coinbase.com/ (project -> API Keys)",
    ),
    ("kraken", "Kraken", "https://www.kraken.com/u/security/api"),
    ("kucoin", "KuCoin", "https://www.kucoin.com/account/api"),
    ("okx", "OKX", "https://www.okx.com/account/my-api"),
    (
        "bybit",
        "Bybit",
        "https://www.bybit.com/app/user/api-management",
    ),
    ("bitfinex", "Bitfinex", "https://setting.bitfinex.com/api"),
    (
        "gemini",
        "Gemini",
        "https://exchange.gemini.com/settings/api",
    ),
    ("bitget", "Bitget", "https://www.bitget.com/account/newapi"),
    ("gate", "Gate", "https://www.gate.com/myaccount/apikeys"),
    ("htx", "HTX", "https://www.htx.com/en-us/apikey/"),
    (
        "bitstamp",
        "Bitstamp",
        "https://www.bitstamp.net/settings/api/",
    ),
    (
        "cryptocom",
        "Crypto.com",
        "https://crypto.com/exchange/user/settings/api-management",
    ),
    ("mexc", "MEXC", "https://www.mexc.com/user/openapi"),
    (
        "deribit",
        "Deribit",
        "https://www.deribit.com/account/BTC/api",
    ),
    ("bitmex", "BitMEX", "https://www.bitmex.com/app/apiKeys"),
    (
        "alpaca",
        "Alpaca",
        "https://app.alpaca.markets/ (API Keys; paper and live separately)",
    ),
    (
        "hyperliquid",
        "Hyperliquid",
        "https://app.hyperliquid.xyz/API",
    ),
];

/// Display name of an exchange id, or the id itself.
pub fn exchange_name(id: &str) -> &str {
    EXCHANGES
        .iter()
        .find(|(i, _, _)| *i == id)
        .map(|(_, n, _)| *n)
        .unwrap_or(id)
}

fn exchange_remediation(id: &str) -> String {
    let (_, name, url) = EXCHANGES
        .iter()
        .find(|(i, _, _)| *i == id)
        .expect("every exchange rule names a listed exchange");
    format!(
        "Revoke this key on {name}'s API management page ({url}), create a new one with read + trade only \
         (never withdraw), and load it from a gitignored .env file. Deleting the file does not help: \
         the key stays in git history."
    )
}

/// A quote opening or closing a value, possibly backslash-escaped (code inside JSON).
const Q: &str = r#"(?:\\{0,3}["'`])"#;
/// Characters of an identifier or dotted path used as a field name.
const ID: &str = r"[A-Za-z0-9_.\-]";

/// Field names that hold the key id (the public half).
const KEY_NAME: &str = r"(?:key|api|access)";
/// Key-id field names for exchanges whose key looks like a database or request id
/// (KuCoin's 24 hex is a MongoDB ObjectId, OKX's key a UUID, Gate's an MD5-like
/// 32 hex): `id`, `oid`, `clOrdId`, `user_id` and `account` are left out.
const API_KEY_NAME: &str = r"(?:key|api)";
/// A key-id field whose name says it holds the secret half is the secret's rule's business.
const NOT_KEY_NAMES: &[&str] = &["secret", "private", "priv", "pass", "sign"];
/// Field names that hold the secret half.
const SECRET_NAME: &str = r"(?:secret|private|priv|signing)";
/// Field names that hold a passphrase.
const PASS_NAME: &str = r"(?:passphrase|password|passwd|pass|pwd)";

/// `NAME <op> VALUE` for every syntax the scanner reads: Python and JS
/// assignments and keyword arguments, JSON and dict entries, YAML, TOML, INI
/// and .env lines, and JSON-escaped code (notebooks). `quoted` makes the quote
/// before the value mandatory.
///
/// The opening quote is captured as group `open`: in source code an unquoted
/// value is an expression (`api_key = config.key`), not a literal, so the
/// engine drops unquoted matches in code files.
fn assign(name: &str, value: &str, quoted: bool) -> String {
    let open = if quoted {
        format!("(?P<open>{Q})")
    } else {
        format!("(?P<open>{Q})?")
    };
    format!(
        r"(?m)(?i:(?P<name>{ID}{{0,40}}?{name}{ID}{{0,40}})){Q}?[ \t]{{0,8}}(?:=>|:=|=|:)[ \t]{{0,8}}{open}(?P<secret>{value})(?:{Q}|[^A-Za-z0-9+/=_\-]|$)"
    )
}

/// A value standing on its own, bounded by characters outside its alphabet.
fn bare(value: &str) -> String {
    format!(r"(?m)(?:^|[^A-Za-z0-9_\-])(?P<secret>{value})(?:[^A-Za-z0-9_\-]|$)")
}

/// A PEM private key, multi-line or one line with literal `\n` escapes.
fn pem(label: &str, body_start: &str) -> String {
    format!(
        r"(?P<secret>-----BEGIN {label}PRIVATE KEY-----(?:\\+[rn]|[\r\n \t])*{body_start}(?:[A-Za-z0-9+/=\r\n \t]|\\+[rn]){{16,9000}}?-----END {label}PRIVATE KEY-----)"
    )
}

/// Field names that never hold a secret although they contain a credential
/// word (`public_key`, `cache_key`, `token_address`, `private_key_path`).
pub fn is_non_secret_name(name: &[u8]) -> bool {
    const NOT_SECRET: &[&str] = &[
        "public",
        "pubkey",
        "pub_key",
        "cache",
        "sort",
        "primary",
        "foreign",
        "partition",
        "idempot",
        "hash",
        "digest",
        "checksum",
        "integrity",
        "address",
        "tokenizer",
        "page",
        "continuation",
        "cursor",
        "ratelimit",
        "rate_limit",
        "tokenid",
        "token_id",
        "listenkey",
        "listen_key",
        "signature",
        "list",
        "max_token",
        "token_type",
        "token_count",
        "tokens",
        "path",
        "file",
        "url",
        "uri",
        "endpoint",
        "length",
        "size",
        "format",
        "version",
        "prefix",
        "header",
        "env_var",
        "envvar",
        "keyword",
        "keyboard",
        "monkey",
        "hotkey",
        "keys",
        "passport",
        "bypass",
        "compass",
        "passed",
        "passes",
        "author",
    ];
    let lower = name.to_ascii_lowercase();
    let text = String::from_utf8_lossy(&lower);
    NOT_SECRET.iter().any(|w| text.contains(w))
}

/// A rule with every optional field at its default, for `..base()`.
pub(crate) fn base() -> Rule {
    Rule {
        id: "",
        exchange: "",
        severity: Severity::High,
        description: "",
        keywords: &[],
        pattern: String::new(),
        context: &[],
        min_entropy: 0.0,
        validate: None,
        not_names: &[],
        files: Files::Any,
        scope: Scope::Whole,
        generic: false,
        group: None,
        wallet: false,
        examples: &[],
        negatives: &[],
        remediation: String::new(),
        check: Check::Leak,
        sources: ALL_SOURCES,
        is_secret: true,
    }
}

/// A part of an exchange credential recognised by its field name plus the
/// exchange's name nearby: the shape of most exchange keys, which have no prefix.
struct Part {
    id: &'static str,
    exchange: &'static str,
    severity: Severity,
    description: &'static str,
    /// Context words naming the exchange (also the prefilter keywords).
    context: &'static [&'static str],
    name: &'static str,
    value: &'static str,
    min_entropy: f64,
    examples: &'static [&'static str],
    negatives: &'static [&'static str],
}

impl Part {
    fn rule(self) -> Rule {
        Rule {
            id: self.id,
            exchange: self.exchange,
            severity: self.severity,
            description: self.description,
            keywords: self.context,
            pattern: assign(self.name, self.value, false),
            context: self.context,
            min_entropy: self.min_entropy,
            validate: Some(validate::letters_and_digits),
            not_names: if self.name == KEY_NAME || self.name == API_KEY_NAME {
                NOT_KEY_NAMES
            } else {
                &[]
            },
            group: Some(self.exchange),
            examples: self.examples,
            negatives: self.negatives,
            remediation: exchange_remediation(self.exchange),
            ..base()
        }
    }
}

/// Every built-in rule.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
pub fn builtin() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();

    // ---- Binance: 64 alphanumerics for key and secret, told apart by field name.
    rules.push(Part {
        id: "binance-api-key",
        exchange: "binance",
        severity: High,
        description: "Binance API key (64 alphanumerics) assigned near the word Binance",
        context: &["binance"],
        name: KEY_NAME,
        value: r"[A-Za-z0-9]{60,64}",
        min_entropy: 4.0,
        examples: &[
            r#"BINANCE_API_KEY=u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJ"#,
            r#"exchange = ccxt.binance({'apiKey': 'u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJ'})"#,
        ],
        negatives: &[
            r#"BINANCE_API_KEY=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"#,
            r#"binance_api_key = os.getenv("BINANCE_API_KEY")"#,
            r#"api_key: u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJ"#,
            r#""integrity": "sha512-e228f219e9cb0eb53f16947ccf25ec84d8dbc74254770f58904dba41ecccc3fc" binance"#,
        ],
    }
    .rule());
    rules.push(Part {
        id: "binance-api-secret",
        exchange: "binance",
        severity: Critical,
        description: "Binance API secret (64 alphanumerics) assigned near the word Binance",
        context: &["binance"],
        name: SECRET_NAME,
        value: r"[A-Za-z0-9]{60,64}",
        min_entropy: 4.0,
        examples: &[
            r#"BINANCE_API_SECRET="TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ""#,
            "{\"exchange\": {\"name\": \"binance\",\n  \"secret\": \"TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ\"}}",
        ],
        negatives: &[
            r#"BINANCE_API_SECRET="NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j""#,
            r#"binance secret = "your_binance_secret_here_0000000000000000000000000000000000000""#,
            r#"secret: TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ"#,
        ],
    }
    .rule());
    rules.push(Rule {
        id: "binance-private-key",
        exchange: "binance",
        severity: Critical,
        description: "Binance Ed25519 API private key (PKCS#8 PEM) near the word Binance",
        keywords: &["private key-----"],
        pattern: pem("", "MC4CAQAwBQYDK2VwBCIEI"),
        context: &["binance"],
        group: Some("binance"),
        examples: &["binance:\n  private_key: \"-----BEGIN PRIVATE KEY-----\\nMC4CAQAwBQYDK2VwBCIEIHd0f8Jz3yq9Xb2mVt7Kp4LQwEr5sN1aUc6oYi8gTe0\\n-----END PRIVATE KEY-----\""],
        negatives: &["binance:\n  public_key: \"-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEAgmDRTtj2FA+wzJUIlAL9ly1eovjLBu7uXUFR+jFULmg=\\n-----END PUBLIC KEY-----\""],
        remediation: exchange_remediation("binance"),
        ..base()
    });

    // ---- Coinbase
    rules.push(Rule {
        id: "coinbase-cdp-key-name",
        exchange: "coinbase",
        severity: High,
        description: "Coinbase CDP API key name (organizations/{uuid}/apiKeys/{uuid})",
        keywords: &["apikeys"],
        pattern: r"(?P<secret>organizations\\?/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\?/apiKeys\\?/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})".into(),
        group: Some("coinbase"),
        examples: &[r#"{"name": "organizations/f88c422b-cca2-492b-83a5-6cc1057a40b2/apiKeys/86ce03f9-1a4f-44f9-a651-1445b9f3635c"}"#],
        negatives: &[
            r#"{"name": "organizations/8f1ac569-ed29-48ae-b989-6798a975afab/apiKeys/87d98ae9-f31f-42ee-9b69-723d3ff9dd77"}"#,
            r#"{"name": "organizations/{org_id}/apiKeys/{key_id}"}"#,
        ],
        remediation: exchange_remediation("coinbase"),
        ..base()
    });
    rules.push(Rule {
        id: "coinbase-cdp-private-key",
        exchange: "coinbase",
        severity: Critical,
        description: "Coinbase CDP ECDSA private key (SEC1 EC PEM) next to a Coinbase key name",
        keywords: &["ec private key-----"],
        pattern: pem("EC ", "MHcCAQEEI"),
        context: &["coinbase", "apikeys", "cdp"],
        validate: Some(validate::pem_body),
        group: Some("coinbase"),
        examples: &["{\"name\": \"organizations/f88c422b-cca2-492b-83a5-6cc1057a40b2/apiKeys/86ce03f9-1a4f-44f9-a651-1445b9f3635c\",\n \"privateKey\": \"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIGr9XvUN61LEphAU08/OHXCWwi+oGwodM+qTdF7LYQoRd6CpbxTmIiseAoAoGCCqGSM49\\nAwEHoUQDQgAEVKI5nM/J/MLaMc490Wa9zTozhH5buwf9B8pHeEIxsZr0WHLO77n8WfT5XRQ4Gjp4MlY0e5/85pzXAHrop1jMpA==\\n-----END EC PRIVATE KEY-----\\n\"}"],
        negatives: &["coinbase: \"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIJsB+NpntMgnAHSo16vS6ies3V6nu/liXhPMd7s7+lZ6oAoGCCqGSM49\\n.......\\n-----END EC PRIVATE KEY-----\""],
        remediation: exchange_remediation("coinbase"),
        ..base()
    });
    rules.push(Part {
        id: "coinbase-api-secret",
        exchange: "coinbase",
        severity: Critical,
        description: "Coinbase CDP Ed25519 secret or Coinbase Exchange secret (base64 of 64 bytes) near the word Coinbase",
        context: &["coinbase", "cdp_"],
        name: SECRET_NAME,
        value: r"[A-Za-z0-9+/]{86}==",
        min_entropy: 4.5,
        examples: &[r#"CDP_API_KEY_SECRET="VKI5nM/J/MLaMc490Wa9zTozhH5buwf9B8pHeEIxsZr0WHLO77n8WfT5XRQ4Gjp4MlY0e5/85pzXAHrop1jMpA==""#],
        negatives: &[r#"coinbase_secret: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx==""#],
    }
    .rule());
    rules.push(Part {
        id: "coinbase-legacy-api-key",
        exchange: "coinbase",
        severity: Medium,
        description: "Coinbase legacy v2 API key (16 alphanumerics; all expired in February 2025)",
        context: &["coinbase"],
        name: KEY_NAME,
        value: r"[A-Za-z0-9]{16}",
        min_entropy: 3.3,
        examples: &[r#"COINBASE_API_KEY=mF4RPAfqoQB7xoFc"#],
        negatives: &[r#"COINBASE_API_KEY=g3BLnUYMOQsIo9V5"#, r#"coinbase_api_key = "mF4RPAfqoQB7xoFcXY""#],
    }
    .rule());
    rules.push(Part {
        id: "coinbase-legacy-api-secret",
        exchange: "coinbase",
        severity: Medium,
        description: "Coinbase legacy v2 API secret (32 alphanumerics; all expired in February 2025)",
        context: &["coinbase"],
        name: SECRET_NAME,
        value: r"[A-Za-z0-9]{32}",
        min_entropy: 3.8,
        examples: &[r#"COINBASE_API_SECRET=BUSZGi6HWGK10Zb0RLZ5TR9SPofbciOx"#],
        negatives: &[r#"COINBASE_API_SECRET=M4009eFnOoPwhNoMwJlsAHgIgleGVFPl"#],
    }
    .rule());

    // ---- Kraken
    rules.push(
        Part {
            id: "kraken-api-key",
            exchange: "kraken",
            severity: High,
            description: "Kraken API key (56 base64 characters) near the word Kraken",
            context: &["kraken"],
            name: KEY_NAME,
            value: r"[A-Za-z0-9+/]{54,56}={0,2}",
            min_entropy: 4.3,
            examples: &[
                r#"KRAKEN_API_KEY=Gr9XvUN61LEphAU08/OHXCWwi+oGwodM+qTdF7LYQoRd6CpbxTmIiseA"#,
            ],
            negatives: &[
                r#"KRAKEN_API_KEY=4/SDrDBcOOPnm3nPlNfEMMJDeRcIVqPz+QhRxIodyZbI9po/aVRiHsgX"#,
            ],
        }
        .rule(),
    );
    rules.push(Part {
        id: "kraken-private-key",
        exchange: "kraken",
        severity: Critical,
        description: "Kraken API private key (88 base64 characters = 64 bytes) near the word Kraken",
        context: &["kraken"],
        name: SECRET_NAME,
        value: r"[A-Za-z0-9+/]{86}==",
        min_entropy: 4.5,
        examples: &[r#"kraken:
  api_secret: VKI5nM/J/MLaMc490Wa9zTozhH5buwf9B8pHeEIxsZr0WHLO77n8WfT5XRQ4Gjp4MlY0e5/85pzXAHrop1jMpA=="#],
        negatives: &[r#"KRAKEN_PRIVATE_KEY=kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="#],
    }
    .rule());

    // ---- KuCoin: a 24-hex key is also a MongoDB ObjectId; the field name and the word KuCoin decide.
    rules.push(
        Part {
            id: "kucoin-api-key",
            exchange: "kucoin",
            severity: High,
            description: "KuCoin API key (24 hex) assigned to a key field near the word KuCoin",
            context: &["kucoin"],
            name: API_KEY_NAME,
            value: r"[0-9a-f]{24}",
            min_entropy: 3.0,
            examples: &[
                r#"KUCOIN_API_KEY=23c6f5da2cec255404e4fb44"#,
                r#"kucoin = ccxt.kucoin({"apiKey": "23c6f5da2cec255404e4fb44"})"#,
            ],
            negatives: &[
                r#"KUCOIN_API_KEY=5c2db93503aa674c74a31734"#,
                r#"{"_id": {"$oid": "23c6f5da2cec255404e4fb44"}}"#,
                r#"{"_id": {"$oid": "23c6f5da2cec255404e4fb44"}, "exchange": "kucoin"}"#,
                r#"{"exchange": "kucoin", "orderId": "23c6f5da2cec255404e4fb44"}"#,
            ],
        }
        .rule(),
    );
    rules.push(
        Part {
            id: "kucoin-api-secret",
            exchange: "kucoin",
            severity: Critical,
            description: "KuCoin API secret (UUID) assigned to a secret field near the word KuCoin",
            context: &["kucoin"],
            name: SECRET_NAME,
            value: r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            min_entropy: 3.0,
            examples: &[r#"kucoin_api_secret: "f88c422b-cca2-492b-83a5-6cc1057a40b2""#],
            negatives: &[
                r#"kucoin_api_secret: "f03a5284-5c39-4aaa-9b20-dea10bdcf8e3""#,
                r#"request_id = "f88c422b-cca2-492b-83a5-6cc1057a40b2" # kucoin"#,
            ],
        }
        .rule(),
    );
    rules.push(
        Part {
            id: "kucoin-api-passphrase",
            exchange: "kucoin",
            severity: High,
            description: "KuCoin API passphrase (chosen by the user) assigned near the word KuCoin",
            context: &["kucoin"],
            name: PASS_NAME,
            value: r"[A-Za-z0-9!@#%^&*_+\-=,?]{7,32}",
            min_entropy: 2.5,
            examples: &[r#"KUCOIN_API_PASSPHRASE=Tr4d1ngB0t!2024"#],
            negatives: &[
                r#"KUCOIN_API_PASSPHRASE=Abc123456"#,
                r#"kucoin_passphrase = os.getenv("KUCOIN_PASSPHRASE")"#,
            ],
        }
        .rule(),
    );

    // ---- OKX
    rules.push(
        Part {
            id: "okx-api-key",
            exchange: "okx",
            severity: High,
            description: "OKX API key (UUID) assigned to a key field near the word OKX",
            context: &["okx", "okex"],
            name: API_KEY_NAME,
            value: r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            min_entropy: 3.0,
            examples: &[r#"OKX_API_KEY="86ce03f9-1a4f-44f9-a651-1445b9f3635c""#],
            negatives: &[
                r#"trace_id = "86ce03f9-1a4f-44f9-a651-1445b9f3635c""#,
                r#"{"exchange": "okx", "clOrdId": "86ce03f9-1a4f-44f9-a651-1445b9f3635c"}"#,
            ],
        }
        .rule(),
    );
    rules.push(Part {
        id: "okx-api-secret",
        exchange: "okx",
        severity: Critical,
        description: "OKX API secret (32 uppercase hex) assigned to a secret field near the word OKX",
        context: &["okx", "okex"],
        name: SECRET_NAME,
        value: r"[0-9A-F]{32}",
        min_entropy: 3.0,
        examples: &[r#"okx = ccxt.okx({"apiKey": "86ce03f9-1a4f-44f9-a651-1445b9f3635c", "secret": "4D6608697A8D41BED440E50454F31AF3"})"#],
        negatives: &[
            r#"OKX_SECRET_KEY=22582BD0CFF14C41EDBF1AB98506286D"#,
            r#"md5 = "4D6608697A8D41BED440E50454F31AF3""#,
        ],
    }
    .rule());
    rules.push(
        Part {
            id: "okx-api-passphrase",
            exchange: "okx",
            severity: High,
            description: "OKX API passphrase (chosen by the user) assigned near the word OKX",
            context: &["okx", "okex"],
            name: PASS_NAME,
            value: r"[A-Za-z0-9!@#%^&*_+\-=,?]{8,32}",
            min_entropy: 2.5,
            examples: &[r#"OKX_PASSPHRASE=Gr1dB0t#Okx77"#],
            negatives: &[r#"OKX_PASSPHRASE=your-passphrase"#],
        }
        .rule(),
    );

    // ---- Bybit
    rules.push(
        Part {
            id: "bybit-api-key",
            exchange: "bybit",
            severity: High,
            description: "Bybit API key (18 alphanumerics) near the word Bybit",
            context: &["bybit"],
            name: KEY_NAME,
            value: r"[A-Za-z0-9]{18}",
            min_entropy: 3.2,
            examples: &[r#"BYBIT_API_KEY=4JdpmrcXgGCJbW56eC"#],
            negatives: &[
                r#"BYBIT_API_KEY=xxxxxxxxxxxxxxxxxx"#,
                r#"BYBIT_API_KEY=4JdpmrcXgGCJbW56eCQ"#,
            ],
        }
        .rule(),
    );
    rules.push(
        Part {
            id: "bybit-api-secret",
            exchange: "bybit",
            severity: Critical,
            description: "Bybit API secret (36 alphanumerics) near the word Bybit",
            context: &["bybit"],
            name: SECRET_NAME,
            value: r"[A-Za-z0-9]{36}",
            min_entropy: 3.8,
            examples: &[r#"BYBIT_API_SECRET=uNGMGmSrCGIZEG8pSH4487q7J58m1CiAhzCu"#],
            negatives: &[r#"BYBIT_API_SECRET=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"#],
        }
        .rule(),
    );

    // ---- Bitfinex
    rules.push(
        Part {
            id: "bitfinex-api-key",
            exchange: "bitfinex",
            severity: High,
            description: "Bitfinex API key (43 base64url characters) near the word Bitfinex",
            context: &["bitfinex", "bfx"],
            name: KEY_NAME,
            value: r"[A-Za-z0-9_\-]{43}",
            min_entropy: 4.0,
            examples: &[r#"BFX_API_KEY=jE2jBMptUsGr7CmY_uCu3ZR1zTOlUcR64cXQLioDnkH"#],
            negatives: &[r#"BFX_API_KEY=jE2jBMptUsGr7CmY_uCu3ZR1zTOlUcR64cXQLioDnkHab"#],
        }
        .rule(),
    );
    rules.push(
        Part {
            id: "bitfinex-api-secret",
            exchange: "bitfinex",
            severity: Critical,
            description: "Bitfinex API secret (43 base64url characters) near the word Bitfinex",
            context: &["bitfinex", "bfx"],
            name: SECRET_NAME,
            value: r"[A-Za-z0-9_\-]{43}",
            min_entropy: 4.0,
            examples: &[r#"bitfinex_api_secret = "IfxIq2HZt-PlJhx2jIclHkCiHp6bR1IqfEouHgxzNNA""#],
            negatives: &[r#"bitfinex_api_secret = "IfxIq2HZt-PlJhx2jIclHkCiHp6bR1IqfEouHgx""#],
        }
        .rule(),
    );

    // ---- Gemini
    rules.push(Rule {
        id: "gemini-api-key",
        exchange: "gemini",
        severity: High,
        description: "Gemini API key (account- or master- followed by 20 alphanumerics)",
        keywords: &["account-", "master-"],
        pattern: bare(r"(?:account|master)-[A-Za-z0-9]{20}"),
        min_entropy: 3.5,
        validate: Some(validate::letters_and_digits),
        group: Some("gemini"),
        examples: &[r#"GEMINI_API_KEY=account-sCGRlrwZbqcabUGJmGE9"#],
        negatives: &[
            r#"git checkout master-featurebranchnamesss"#,
            r#"key = "account-sCGRlrwZbqcabUGJmGE9x""#,
        ],
        remediation: exchange_remediation("gemini"),
        ..base()
    });
    rules.push(
        Part {
            id: "gemini-api-secret",
            exchange: "gemini",
            severity: Critical,
            description: "Gemini API secret (27-28 alphanumerics) near the word Gemini",
            context: &["gemini"],
            name: SECRET_NAME,
            value: r"[A-Za-z0-9]{27,28}",
            min_entropy: 3.8,
            examples: &[r#"GEMINI_API_SECRET=7CgQ0PBQFI14zGtSnovm14TUOizw"#],
            negatives: &[r#"GEMINI_API_SECRET=7CgQ0PBQFI14zGtSnovm14TUOizwQQQ"#],
        }
        .rule(),
    );

    // ---- Bitget
    rules.push(Rule {
        id: "bitget-api-key",
        exchange: "bitget",
        severity: High,
        description: "Bitget API key (bg_ followed by 32 hex)",
        keywords: &["bg_"],
        pattern: bare(r"bg_[0-9a-f]{32}"),
        min_entropy: 3.0,
        group: Some("bitget"),
        examples: &[r#"BITGET_API_KEY=bg_14028d512c9791e558e08baa7196b50a"#],
        negatives: &[
            r#"BITGET_API_KEY=bg_xxx"#,
            r#"color = "bg_14028d512c9791e558e08baa7196b50a9""#,
        ],
        remediation: exchange_remediation("bitget"),
        ..base()
    });
    rules.push(Part {
        id: "bitget-api-secret",
        exchange: "bitget",
        severity: Critical,
        description: "Bitget API secret (64 lowercase hex) near the word Bitget",
        context: &["bitget"],
        name: SECRET_NAME,
        value: r"[0-9a-f]{64}",
        min_entropy: 3.5,
        examples: &[r#"BITGET_SECRET_KEY=e228f219e9cb0eb53f16947ccf25ec84d8dbc74254770f58904dba41ecccc3fc"#],
        negatives: &[r#"sha256 = "e228f219e9cb0eb53f16947ccf25ec84d8dbc74254770f58904dba41ecccc3fc""#],
    }
    .rule());
    rules.push(
        Part {
            id: "bitget-api-passphrase",
            exchange: "bitget",
            severity: High,
            description: "Bitget API passphrase (chosen by the user) assigned near the word Bitget",
            context: &["bitget"],
            name: PASS_NAME,
            value: r"[A-Za-z0-9!@#%^&*_+\-=,?]{8,32}",
            min_entropy: 2.5,
            examples: &[r#"BITGET_PASSPHRASE=Bg8tPass2024x"#],
            negatives: &[r#"BITGET_PASSPHRASE=${BITGET_PASSPHRASE}"#],
        }
        .rule(),
    );

    // ---- Gate
    const GATE: &[&str] = &[
        "gateio",
        "gate.io",
        "gate_io",
        "gate-io",
        "gate.com",
        "ccxt.gate",
        "\"gate\"",
        "'gate'",
        "gate_api",
    ];
    rules.push(
        Part {
            id: "gate-api-key",
            exchange: "gate",
            severity: High,
            description: "Gate API key (32 hex) near the word Gate.io",
            context: GATE,
            name: API_KEY_NAME,
            value: r"[0-9a-f]{32}",
            min_entropy: 3.3,
            examples: &[r#"GATEIO_API_KEY=1626e53a13043b026c48bbf33feff924"#],
            negatives: &[
                r#"aggregate_key = "1626e53a13043b026c48bbf33feff924""#,
                r#"{"exchange": "gateio", "user_id": "1626e53a13043b026c48bbf33feff924"}"#,
            ],
        }
        .rule(),
    );
    rules.push(Part {
        id: "gate-api-secret",
        exchange: "gate",
        severity: Critical,
        description: "Gate API secret (64 hex) near the word Gate.io",
        context: GATE,
        name: SECRET_NAME,
        value: r"[0-9a-f]{64}",
        min_entropy: 3.5,
        examples: &[r#"GATE_IO_SECRET=e228f219e9cb0eb53f16947ccf25ec84d8dbc74254770f58904dba41ecccc3fc"#],
        negatives: &[r#"navigate_secret = "e228f219e9cb0eb53f16947ccf25ec84d8dbc74254770f58904dba41ecccc3fc""#],
    }
    .rule());

    // ---- HTX (Huobi)
    rules.push(Part {
        id: "htx-access-key",
        exchange: "htx",
        severity: High,
        description: "HTX (Huobi) AccessKey (8-10-8-5 dash-separated groups) near the word HTX or Huobi",
        context: &["htx", "huobi"],
        name: KEY_NAME,
        value: r"[0-9a-f]{8}-[a-z0-9]{8,10}-[0-9a-f]{8}-[0-9a-f]{5}",
        min_entropy: 3.0,
        examples: &[r#"HUOBI_ACCESS_KEY=71948d33-et7myqoaa8-9e8a7f77-0d910"#],
        negatives: &[r#"HUOBI_ACCESS_KEY=e2xxxxxx-99xxxxxx-84xxxxxx-7xxxx"#],
    }
    .rule());
    rules.push(Part {
        id: "htx-secret-key",
        exchange: "htx",
        severity: Critical,
        description: "HTX (Huobi) SecretKey (8-10-8-5 dash-separated groups) near the word HTX or Huobi",
        context: &["htx", "huobi"],
        name: SECRET_NAME,
        value: r"[0-9a-f]{8}-[a-z0-9]{8,10}-[0-9a-f]{8}-[0-9a-f]{5}",
        min_entropy: 3.0,
        examples: &[r#"htx_secret_key: "71948d33-et7myqoaa8-9e8a7f77-0d910""#],
        negatives: &[r#"htx_secret_key: "b0xxxxxx-c6xxxxxx-94xxxxxx-dxxxx""#],
    }
    .rule());

    // ---- Bitstamp
    rules.push(
        Part {
            id: "bitstamp-api-key",
            exchange: "bitstamp",
            severity: High,
            description: "Bitstamp API key (32 alphanumerics) near the word Bitstamp",
            context: &["bitstamp"],
            name: KEY_NAME,
            value: r"[A-Za-z0-9]{32}",
            min_entropy: 3.8,
            examples: &[r#"BITSTAMP_API_KEY=9gy1CJdObOIRpFqaDZeV7G5IfQHeVVEq"#],
            negatives: &[r#"BITSTAMP_API_KEY=9gy1CJdObOIRpFqaDZeV7G5IfQHeVVEqZ"#],
        }
        .rule(),
    );
    rules.push(
        Part {
            id: "bitstamp-api-secret",
            exchange: "bitstamp",
            severity: Critical,
            description: "Bitstamp API secret (32 alphanumerics) near the word Bitstamp",
            context: &["bitstamp"],
            name: SECRET_NAME,
            value: r"[A-Za-z0-9]{32}",
            min_entropy: 3.8,
            examples: &[r#"BITSTAMP_API_SECRET=BUSZGi6HWGK10Zb0RLZ5TR9SPofbciOx"#],
            negatives: &[r#"BITSTAMP_API_SECRET=BUSZGi6HWGK10Zb0RLZ5TR9"#],
        }
        .rule(),
    );

    // ---- Crypto.com
    rules.push(
        Part {
            id: "cryptocom-api-key",
            exchange: "cryptocom",
            severity: High,
            description: "Crypto.com Exchange API key (22 alphanumerics) near the word Crypto.com",
            context: &["crypto.com", "cryptocom", "crypto_com"],
            name: KEY_NAME,
            value: r"[A-Za-z0-9]{22}",
            min_entropy: 3.5,
            examples: &[r#"CRYPTO_COM_API_KEY=yfErGPmpGXafq0fjzLczbt"#],
            negatives: &[r#"CRYPTO_COM_API_KEY=yfErGPmpGXafq0fjzLczbtQ"#],
        }
        .rule(),
    );
    rules.push(Rule {
        id: "cryptocom-api-secret",
        exchange: "cryptocom",
        severity: Critical,
        description: "Crypto.com Exchange API secret (cxakp_ followed by 22 alphanumerics)",
        keywords: &["cxakp_"],
        pattern: bare(r"cxakp_[A-Za-z0-9]{22}"),
        min_entropy: 3.5,
        validate: Some(validate::letters_and_digits),
        group: Some("cryptocom"),
        examples: &[r#"CRYPTO_COM_API_SECRET=cxakp_tOofL9H2WjQ5TY4MyWuUFj"#],
        negatives: &[r#"CRYPTO_COM_API_SECRET=cxakp_xxxxxxxxxxxxxxxxxxxxxx"#],
        remediation: exchange_remediation("cryptocom"),
        ..base()
    });

    // ---- MEXC
    rules.push(Rule {
        id: "mexc-api-key",
        exchange: "mexc",
        severity: High,
        description: "MEXC API key (mx0vgl followed by 12 alphanumerics)",
        keywords: &["mx0vgl"],
        pattern: bare(r"mx0vgl[A-Za-z0-9]{12}"),
        min_entropy: 3.0,
        validate: Some(validate::letters_and_digits),
        group: Some("mexc"),
        examples: &[r#"MEXC_API_KEY=mx0vglsUNPjc01T5GO"#],
        negatives: &[
            r#"MEXC_API_KEY=mx0v..."#,
            r#"MEXC_API_KEY=mx0vglsUNPjc01T5GOabc"#,
        ],
        remediation: exchange_remediation("mexc"),
        ..base()
    });
    rules.push(
        Part {
            id: "mexc-api-secret",
            exchange: "mexc",
            severity: Critical,
            description: "MEXC API secret (32 lowercase hex) near the word MEXC",
            context: &["mexc"],
            name: SECRET_NAME,
            value: r"[0-9a-f]{32}",
            min_entropy: 3.3,
            examples: &[r#"MEXC_SECRET_KEY=1626e53a13043b026c48bbf33feff924"#],
            negatives: &[r#"etag_secret = "1626e53a13043b026c48bbf33feff924""#],
        }
        .rule(),
    );

    // ---- Deribit
    rules.push(
        Part {
            id: "deribit-client-id",
            exchange: "deribit",
            severity: Medium,
            description: "Deribit API client_id (8-10 characters) near the word Deribit",
            context: &["deribit"],
            name: r"(?:client[_\-]?id|key)",
            value: r"[A-Za-z0-9_\-]{8,10}",
            min_entropy: 2.8,
            examples: &[r#"DERIBIT_CLIENT_ID=Ze2qpU9noV"#],
            negatives: &[r#"DERIBIT_CLIENT_ID=TiA4AyLPq3"#],
        }
        .rule(),
    );
    rules.push(Part {
        id: "deribit-client-secret",
        exchange: "deribit",
        severity: Critical,
        description: "Deribit API client_secret (43 base64url characters) near the word Deribit",
        context: &["deribit"],
        name: SECRET_NAME,
        value: r"[A-Za-z0-9_\-]{43}",
        min_entropy: 4.0,
        examples: &[r#"DERIBIT_CLIENT_SECRET=6-Wj9KfzjsQGMrb9h_ImB_LK777pzNk8cL6j5IXAAjl"#],
        negatives: &[r#"DERIBIT_CLIENT_SECRET=SjM57m1T2CfXZ4vZ76X1APjqRlJdtzHI8IwVXoQnfoM"#],
    }
    .rule());

    // ---- BitMEX
    rules.push(
        Part {
            id: "bitmex-api-key",
            exchange: "bitmex",
            severity: High,
            description: "BitMEX API key (24 base64url characters) near the word BitMEX",
            context: &["bitmex"],
            name: KEY_NAME,
            value: r"[A-Za-z0-9_\-]{24}",
            min_entropy: 3.5,
            examples: &[r#"BITMEX_API_KEY=sHUqJoUD-_Ydua_5ZMs1SWOp"#],
            negatives: &[r#"BITMEX_API_KEY=LAqUlngMIQkIUjXMUreyu3qn"#],
        }
        .rule(),
    );
    rules.push(
        Part {
            id: "bitmex-api-secret",
            exchange: "bitmex",
            severity: Critical,
            description: "BitMEX API secret (48 base64url characters) near the word BitMEX",
            context: &["bitmex"],
            name: SECRET_NAME,
            value: r"[A-Za-z0-9_\-]{48}",
            min_entropy: 4.0,
            examples: &[r#"BITMEX_API_SECRET=QaPRYpzbLGViYXjU2JgJngKtFI3OyV2dZAkg05rK_gqv81RK"#],
            negatives: &[r#"BITMEX_API_SECRET=chNOOS4KvNXR_Xq4k4c9qsfoKWvnDecLATCRlcBwyKDYnWgO"#],
        }
        .rule(),
    );

    // ---- Alpaca
    rules.push(Rule {
        id: "alpaca-api-key-id",
        exchange: "alpaca",
        severity: High,
        description: "Alpaca API key id (PK or AK followed by 18 or 24 uppercase alphanumerics) near the word Alpaca or APCA",
        keywords: &["alpaca", "apca"],
        pattern: bare(r"(?:PK|AK)[A-Z0-9]{18}(?:[A-Z0-9]{6})?"),
        context: &["alpaca", "apca"],
        min_entropy: 3.3,
        validate: Some(validate::letters_and_digits),
        group: Some("alpaca"),
        examples: &[r#"APCA_API_KEY_ID=PKTQQZPT49ZHKKEN659O"#],
        negatives: &[r#"APCA_API_KEY_ID=PKxxxxxxxxxxxxxxxx"#, r#"ID=PKTQQZPT49ZHKKEN659O"#],
        remediation: exchange_remediation("alpaca"),
        ..base()
    });
    rules.push(Part {
        id: "alpaca-api-secret",
        exchange: "alpaca",
        severity: Critical,
        description: "Alpaca API secret key (40 or 44 alphanumerics) near the word Alpaca or APCA",
        context: &["alpaca", "apca"],
        name: SECRET_NAME,
        value: r"[A-Za-z0-9]{40}(?:[A-Za-z0-9]{4})?",
        min_entropy: 4.0,
        examples: &[r#"APCA_API_SECRET_KEY=C6vWCBiJmpflvJfupxqZKm4bV3AyAVHnyrvWdFrK"#],
        negatives: &[r#"APCA_API_SECRET_KEY=C6vWCBiJmpflvJfupxqZKm4bV3AyAVHnyrvWdFrKa"#],
    }
    .rule());

    // ---- Hyperliquid and EVM wallets
    rules.push(Rule {
        id: "hyperliquid-private-key",
        exchange: "hyperliquid",
        severity: Critical,
        description: "Hyperliquid wallet private key (64 hex) near the word Hyperliquid",
        keywords: &["hyperliquid"],
        pattern: assign(r"(?:secret|private|priv|pk)", r"(?:0x)?[0-9a-fA-F]{64}", false),
        context: &["hyperliquid"],
        validate: Some(validate::evm_private_key),
        min_entropy: 3.3,
        group: Some("hyperliquid"),
        examples: &[r#"HYPERLIQUID_PRIVATE_KEY=0xcc6577428c2f6d6bc64e5a22fac180d6b2e6e1b465e551305fd2d2490ca4c616"#],
        negatives: &[r#"hyperliquid_tx_hash = "0xcc6577428c2f6d6bc64e5a22fac180d6b2e6e1b465e551305fd2d2490ca4c616""#],
        remediation: "Move the funds to a new wallet now: a leaked wallet key cannot be revoked. For API \
                      (agent) wallets, remove the agent on https://app.hyperliquid.xyz/API and approve a new one."
            .into(),
        wallet: true,
        ..base()
    });
    rules.push(Rule {
        id: "evm-private-key",
        exchange: "wallet",
        severity: Critical,
        description: "EVM wallet private key (64 hex in the secp256k1 range) assigned to a private-key field",
        keywords: &["priv", "secret", "pk", "wallet", "key"],
        pattern: assign(r"(?:private[_\-.]?key|privkey|priv[_\-]?key|secret[_\-.]?key|wallet[_\-.]?key|\bpk\b|signer[_\-.]?key|eth[_\-.]?key)", r"(?:0x)?[0-9a-fA-F]{64}", false),
        validate: Some(validate::evm_private_key),
        min_entropy: 3.3,
        scope: NEAR_NAME,
        generic: true,
        examples: &[r#"PRIVATE_KEY=0xcc6577428c2f6d6bc64e5a22fac180d6b2e6e1b465e551305fd2d2490ca4c616"#],
        negatives: &[
            r#"PRIVATE_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"#,
            r#"private_key_hash = "cc6577428c2f6d6bc64e5a22fac180d6b2e6e1b465e551305fd2d2490ca4c616""#,
            r#"tx = "0xcc6577428c2f6d6bc64e5a22fac180d6b2e6e1b465e551305fd2d2490ca4c616""#,
        ],
        remediation: "Move the funds to a new wallet now: a leaked wallet key cannot be revoked, and anyone \
                      with a clone can sign with it."
            .into(),
        wallet: true,
        ..base()
    });
    rules.push(Rule {
        id: "bip39-mnemonic",
        exchange: "wallet",
        severity: Critical,
        description: "BIP39 seed phrase (12-24 English words with a valid checksum) near the word mnemonic or seed",
        keywords: &["mnemonic", "seed", "phrase", "recovery"],
        pattern: r"(?:^|[^a-z])(?P<secret>(?:[a-z]{3,8}[ \t]+){11,23}[a-z]{3,8})(?:[^a-z]|$)".into(),
        context: &["mnemonic", "seed", "phrase", "recovery"],
        validate: Some(validate::bip39_mnemonic),
        examples: &[
            r#"MNEMONIC="inherit unaware want sunset jazz right arena fan coral lazy general victory""#,
            r#"seed_phrase: "pave unusual slim couch cave must funny delay together minimum live cradle rent will soldier waste oval course chief amateur embody marine destroy cinnamon""#,
        ],
        negatives: &[
            r#"MNEMONIC="test test test test test test test test test test test junk""#,
            r#"seed = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon""#,
            r#"mnemonic = "inherit unaware want sunset jazz right arena fan coral lazy general general""#,
        ],
        remediation: "Move the funds to a wallet with a new seed phrase now: a leaked seed phrase controls \
                      every account derived from it and cannot be revoked."
            .into(),
        ..base()
    });

    // ---- Keys that are not tied to one exchange
    rules.push(Rule {
        id: "pem-private-key",
        exchange: "pem",
        severity: High,
        description: "PEM private key (RSA, EC, DSA, OpenSSH or PKCS#8), multi-line or with \\n escapes",
        keywords: &["private key-----"],
        pattern: r"(?P<secret>-----BEGIN (?:RSA |EC |DSA |OPENSSH )?PRIVATE KEY-----(?:[A-Za-z0-9+/=\r\n \t]|\\+[rn]){64,12000}?-----END (?:RSA |EC |DSA |OPENSSH )?PRIVATE KEY-----)".into(),
        validate: Some(validate::pem_body),
        generic: true,
        examples: &["key = \"-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAu8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFRIBXuDL7Dxtp\\n-----END RSA PRIVATE KEY-----\""],
        negatives: &[
            "\"secret\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBABACAFQA<...>s8KX8=\\n-----END PRIVATE KEY-----\"",
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0Rl\n-----END PUBLIC KEY-----",
        ],
        remediation: "Replace this key pair: generate a new private key, register its public key where the \
                      old one was used (for an exchange API key, delete the old key there), and keep the new \
                      private key out of the repository."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "pem-encrypted-private-key",
        exchange: "pem",
        severity: Low,
        description: "Password-protected PEM private key (safe only while its password is strong)",
        keywords: &["encrypted private key-----", "proc-type: 4,encrypted"],
        pattern: r"(?P<secret>-----BEGIN (?:ENCRYPTED PRIVATE KEY-----|(?:RSA |EC |DSA )?PRIVATE KEY-----(?:\\+[rn]|[\r\n])+Proc-Type: 4,ENCRYPTED)(?:[A-Za-z0-9+/=,:\- \t\r\n]|\\+[rn]){64,12000}?-----END (?:ENCRYPTED |RSA |EC |DSA )?PRIVATE KEY-----)".into(),
        validate: Some(validate::pem_body),
        examples: &["-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQIu8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2is\n-----END ENCRYPTED PRIVATE KEY-----"],
        negatives: &["-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF...\n-----END ENCRYPTED PRIVATE KEY-----"],
        remediation: "Move the encrypted key out of the repository; if its password is weak or was ever \
                      committed too, replace the key pair."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "telegram-bot-token",
        exchange: "telegram",
        severity: High,
        description: "Telegram bot token (bot id, colon, 35 characters starting with AA)",
        keywords: &[":aa"],
        pattern: bare(r"[0-9]{5,16}:AA[A-Za-z0-9_\-]{33}"),
        min_entropy: 3.5,
        examples: &[r#""telegram": {"enabled": true, "token": "7312984402:AAUqBlIFXZ53Ncqe28_ajY75FnCttn6kfaq"}"#],
        negatives: &[r#"token = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw""#, r#"time = "12:AAUqBlIFXZ53Ncqe28_ajY75FnCttn6kfaq""#],
        remediation: "Revoke the token with @BotFather (/revoke), then put the new one in .env.".into(),
        ..base()
    });
    rules.push(Rule {
        id: "octobot-encrypted-secret",
        exchange: "octobot",
        severity: Critical,
        description: "OctoBot exchange credential: Fernet-encrypted with a key published in OctoBot-Commons, so readable by anyone",
        keywords: &["gaaaaa"],
        pattern: assign(r"(?:key|secret|password|uid)", r"gAAAAA[A-Za-z0-9_\-]{60,}={0,2}", true),
        group: Some("octobot"),
        examples: &[r#""api-secret": "gAAAAABlR4NQ0u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFRIBXu==""#],
        negatives: &[r#""api-secret": "YOUR_EXCHANGE_API_SECRET_ENCRYPTED""#, r#""cookie": "gAAAAABlR4NQ0u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJ==""#],
        remediation: "OctoBot's encryption key is public: treat this as a plaintext leak. Revoke the key on \
                      the exchange's API management page and create a new one with read + trade only."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "hummingbot-encrypted-key",
        exchange: "hummingbot",
        severity: Low,
        description: "Hummingbot password-encrypted exchange key (Ethereum v3 keyfile as hex): not plaintext, but open to offline guessing",
        keywords: &["7b2263727970746f223a207b"],
        pattern: r"(?P<secret>7b2263727970746f223a207b[0-9a-f]{200,})".into(),
        examples: &["binance_api_key: 7b2263727970746f223a207b22636970686572223a20226165732d3132382d637472222c202263697068657274657874223a20223965386137663737306439313061626364656630313233343536373839616263646566303132333435363738396162636465663031323334353637383961626364656630313233343536373839616263646566222c20226369706865727061726d73223a207b226976223a20223731393438643333227d7d7d"],
        negatives: &["binance_api_key: 7b2263727970746f223a207b"],
        remediation: "Keep hummingbot's conf/ out of git; if the hummingbot password is weak, revoke the \
                      exchange key and create a new one."
            .into(),
        ..base()
    });

    // ---- Generic: a high-entropy value assigned to a credential-named field.
    const GENERIC_NAME: &str = r"(?:api[_.\-]?key|apikey|api[_.\-]?secret|secret|passphrase|password|private[_.\-]?key|privkey|access[_.\-]?key|access[_.\-]?token|auth[_.\-]?token|token|client[_.\-]?secret|\bkey\b)";
    rules.push(Rule {
        id: "generic-api-secret",
        exchange: "generic",
        severity: High,
        description: "High-entropy quoted value assigned to a key/secret/token/passphrase field (Python, JS/TS, JSON, YAML, TOML)",
        keywords: &["key", "secret", "token", "pass"],
        pattern: assign(GENERIC_NAME, r"[A-Za-z0-9+/=_\-]{16,256}", true),
        min_entropy: 3.5,
        validate: Some(validate::generic_value),
        scope: NEAR_NAME,
        generic: true,
        examples: &[
            r#"exchange = ccxt.phemex({"apiKey": "Qd8Mj7zdnbMjAdTdlzC5T4uUhf7kvmlP7HVDctQUy1xv"})"#,
            r#"{"key": "SvTAxRzmaZsV2GenFmtX0moDoqW4sg8NFNl5oFA6"}"#,
        ],
        negatives: &[
            r#"api_key = os.getenv("EXCHANGE_API_KEY")"#,
            r#"{"key": "welcome_message_title"}"#,
            r#"cache_key = "Qd8Mj7zdnbMjAdTdlzC5T4uUhf7kvmlP7HVDctQUy1xv""#,
            r#""integrity": "sha512-Qd8Mj7zdnbMjAdTdlzC5T4uUhf7kvmlP7HVDctQUy1xv""#,
            r#"api_key = "your_api_key_here_1234567890""#,
            r#""next_page_token": "QlRDL1VTRHxNfDIwMjItMDctMjFUMDU6MDE6MDAuMDAwMDAwMDAwWg==""#,
            r#""token": "0x680dee9edfff0c397736e10b017cf6a0aee4ba31""#,
            r#""token": "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJiMXgtYXV0aC1zZXJ2aWNlIn0.5FSyrihzc1""#,
            r#"'key': '9e58cc35-5b5e-4133-92ec-166e3f077cb8'"#,
            r#"GET_TOKEN_DAILY_YIELD = "/v5/earn/token/yield2""#,
            r#""listenKey": "T3ee22BIYuWqmvne0HNq2A2WsFlEtLhvWCtItw6ffhhdmjifQ2tRbuKkTHhr""#,
            r#"api_key = config.api_key_v2_for_prod"#,
        ],
        remediation: "Revoke this credential where it was issued and create a new one; load it from a \
                      gitignored .env file instead of the source."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "generic-env-secret",
        exchange: "generic",
        severity: High,
        description: "High-entropy unquoted value assigned to a key/secret/token/passphrase variable (.env, YAML, INI)",
        keywords: &["key", "secret", "token", "pass"],
        pattern: assign(GENERIC_NAME, r"[A-Za-z0-9+/=_\-]{16,256}", false),
        min_entropy: 3.5,
        validate: Some(validate::generic_value),
        files: Files::ConfigOnly,
        scope: NEAR_NAME,
        generic: true,
        examples: &["PHEMEX_API_SECRET=Qd8Mj7zdnbMjAdTdlzC5T4uUhf7kvmlP7HVDctQUy1xv"],
        negatives: &["PHEMEX_API_SECRET=${PHEMEX_API_SECRET}", "PHEMEX_API_KEY_ENV=PHEMEX_API_KEY_VAR"],
        remediation: "Revoke this credential where it was issued and create a new one; keep the file that \
                      holds it gitignored."
            .into(),
        ..base()
    });

    rules
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Engine;

    /// Runs every rule's examples (must be found by that rule) and negatives
    /// (must not be found by that rule), through the whole engine.
    #[test]
    fn every_rule_finds_its_examples_and_not_its_look_alikes() {
        let engine = Engine::default();
        let mut failures = Vec::new();
        for rule in engine.rules() {
            assert!(!rule.examples.is_empty(), "{} has no example", rule.id);
            assert!(!rule.negatives.is_empty(), "{} has no look-alike", rule.id);
            for ex in rule.examples {
                // Unquoted examples are .env lines; quoted ones are code.
                let path = if rule.files == Files::ConfigOnly || !ex.contains(['"', '\'', '`']) {
                    ".env"
                } else {
                    "config.py"
                };
                let found = engine.scan(path, ex.as_bytes());
                if !found.iter().any(|m| engine.rule(m.rule).id == rule.id) {
                    let ids: Vec<_> = found.iter().map(|m| engine.rule(m.rule).id).collect();
                    failures.push(format!(
                        "{}: missed example {ex:?} as {path} (found {ids:?})",
                        rule.id
                    ));
                }
            }
            // A look-alike must not match in any kind of file.
            for neg in rule.negatives {
                for path in [".env", "config.py"] {
                    let found = engine.scan(path, neg.as_bytes());
                    if found.iter().any(|m| engine.rule(m.rule).id == rule.id) {
                        failures.push(format!("{}: matched look-alike {neg:?} as {path}", rule.id));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    }

    #[test]
    fn ids_are_unique_kebab_case_and_exchanges_known() {
        let rules = builtin();
        let mut ids: Vec<_> = rules.iter().map(|r| r.id).collect();
        for id in &ids {
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{id} is not kebab-case"
            );
        }
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!(n, ids.len(), "duplicate rule ids");
        for r in &rules {
            assert!(!r.remediation.is_empty(), "{} has no remediation", r.id);
            assert!(!r.description.is_empty(), "{} has no description", r.id);
        }
        for (id, _, _) in EXCHANGES {
            assert!(
                rules.iter().any(|r| r.exchange == *id),
                "no rule for exchange {id}"
            );
        }
    }

    #[test]
    fn non_secret_names() {
        assert!(is_non_secret_name(b"public_key"));
        assert!(is_non_secret_name(b"private_key_path"));
        assert!(!is_non_secret_name(b"BINANCE_API_SECRET"));
        assert!(!is_non_secret_name(b"apiKey"));
    }

    #[test]
    fn file_kinds() {
        assert_eq!(FileKind::of(".env.production"), FileKind::Config);
        assert_eq!(FileKind::of("conf/bot.yml"), FileKind::Config);
        assert_eq!(FileKind::of("bot/config.py"), FileKind::Code);
        assert_eq!(FileKind::of("user_data/config.json"), FileKind::Code);
        assert_eq!(FileKind::of("deploy/run.sh"), FileKind::Config);
        assert_eq!(FileKind::of("Dockerfile"), FileKind::Config);
    }
}
