//! The rule type and what a rule says about where it applies: [`Rule`],
//! [`Files`], [`FileKind`] and [`Scope`]. The rules themselves are data in
//! `catalog`; the engine (`engine.rs`) runs them.

use crate::finding::{Check, Severity, Source};

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
            "py", "pyw", "pyx", "pxd", "pyi", "ipynb", "js", "mjs", "cjs", "jsx", "ts", "tsx",
            "vue", "svelte", "rs", "go", "java", "kt", "kts", "scala", "rb", "php", "cs", "c",
            "cc", "cpp", "h", "hpp", "swift", "dart", "lua", "sol", "json",
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

/// Where in the content a rule's regex runs. Every built-in rule runs in
/// bounded windows around its keywords' hits, never over a whole piece of
/// content; only custom rules (whose keywords may lie anywhere) use `Whole`.
/// Windows are searched as spans of the content, so `^`, `$` and the
/// boundary characters a pattern consumes see the bytes around them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Over the whole content.
    Whole,
    /// Only near each keyword hit: `before` bytes before it to `after` bytes
    /// after it, clipped to the hit's line. For single-line patterns that
    /// contain the keyword (a prefix like `ghp_`, a field name), this finds
    /// exactly what a whole-content run finds.
    NearKeyword { before: usize, after: usize },
    /// A `name = value` rule ([`crate::catalog`]'s `assign`): like
    /// `NearKeyword { before: 64, after: 512 }`, but only around hits that
    /// stand in a field name followed by an assignment operator (`=`, `:`,
    /// `=>`, `:=`, after an optional closing quote) and, in code, by a
    /// quote: the cheap second anchor that keeps common words (`key`,
    /// `token`) from costing a regex run each.
    Assignment,
    /// `before` bytes before each keyword hit to `after` bytes after its
    /// end, across lines: for matches that span lines (PEM blocks) or that
    /// only need a context word within [`CONTEXT_WINDOW`] bytes.
    ///
    /// [`CONTEXT_WINDOW`]: crate::detect::engine::CONTEXT_WINDOW
    Span { before: usize, after: usize },
}

/// See [`Rule::rejects`]: (field name in lowercase, value, the rule's exchange) → drop the match.
pub type Rejects = fn(name: &[u8], value: &[u8], exchange: &str) -> bool;

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
    /// The match is dropped when this says its `name` group (lowercase) and
    /// value are not this rule's: a field naming another exchange than the
    /// rule's (`ascend_ex_secret_key` is no Binance secret, whatever stands
    /// nearby), a hash under a bare `key` for the generic rules. Called with
    /// the rule's `exchange`.
    pub rejects: Option<Rejects>,
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

/// Field names that never hold a secret although they contain a credential
/// word (`public_key`, `cache_key`, `token_address`, `private_key_path`).
pub fn is_non_secret_name(name: &[u8]) -> bool {
    const NOT_SECRET: &[&str] = &[
        "public",
        "pubkey",
        // Codes exchanges give partners to ship in their software.
        "broker",
        "partner",
        // A file name as the key (`0024_api_key_verification.sql`: a checksum map).
        ".sql",
        ".py",
        ".js",
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
        // The name of a secret in a vault (`LLM_SECRET_NAME`), not its value.
        "secret_name",
        "secretname",
        // A per-session anti-forgery token, not a credential.
        "csrf",
        "xsrf",
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
        rejects: None,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_secret_names() {
        assert!(is_non_secret_name(b"public_key"));
        assert!(is_non_secret_name(b"private_key_path"));
        assert!(!is_non_secret_name(b"BINANCE_API_SECRET"));
        assert!(!is_non_secret_name(b"apiKey"));
        assert!(is_non_secret_name(b"broker-key"));
        assert!(is_non_secret_name(b"0024_api_key_verification.sql"));
    }

    #[test]
    fn file_kinds() {
        assert_eq!(FileKind::of(".env.production"), FileKind::Config);
        assert_eq!(FileKind::of("conf/bot.yml"), FileKind::Config);
        assert_eq!(FileKind::of("bot/config.py"), FileKind::Code);
        // Cython is Python: `self._token_forwarder = Forwarder(` is code, not a value.
        assert_eq!(FileKind::of("wallet/web3_wallet.pyx"), FileKind::Code);
        assert_eq!(FileKind::of("user_data/config.json"), FileKind::Code);
        assert_eq!(FileKind::of("deploy/run.sh"), FileKind::Config);
        assert_eq!(FileKind::of("Dockerfile"), FileKind::Config);
    }
}
