//! `--verify`: ask an exchange what a key can really do. The only part of
//! keyaudit that touches the network, and only when asked.
//!
//! - Here: the types every exchange's verifier is made of. A [`Verifier`]
//!   lives in the exchange's catalog file (`catalog/exchanges/<id>.rs`): its
//!   one read-only endpoint, the rule ids whose matches are the parts of a
//!   credential, a pure `sign` (credential + clock → request) and a pure
//!   `read` (status + body → [`Answer`]). Neither does I/O.
//! - `sign`: the signing primitives the verifiers share (HMAC, ES256 JWT).
//! - `http`: the transport: the exchange's own host over TLS, or an
//!   override given on the command line or in the environment (never by a
//!   file in the scanned repository), with bounded timeouts and a request
//!   budget.
//! - `run`: verifying a batch of credentials and judging the answers.
//!
//! Secrets never leave through here except in the signed request to the
//! exchange's host: a [`Credential`]'s `Debug` is redacted, and an error body
//! is never echoed (a verifier reduces it to the exchange's error code and a
//! scrubbed message).

pub mod http;
pub mod keys;
pub mod leaks;
pub mod session;
pub mod sign;

use std::fmt;

/// One part of a credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    /// The public identifier: API key, key id, CDP key name.
    Key,
    /// The signing secret (or private key PEM).
    Secret,
    /// The passphrase some exchanges add (OKX, KuCoin, Bitget, Coinbase Exchange).
    Passphrase,
}

/// A credential to verify. Its `Debug` shows no secret.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Credential {
    pub key: String,
    pub secret: String,
    pub passphrase: Option<String>,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("key", &crate::redact::redact(self.key.as_bytes()))
            .field("secret", &"…")
            .field("passphrase", &self.passphrase.as_ref().map(|_| "…"))
            .finish()
    }
}

/// The time and randomness a signature needs, given to `sign` so that
/// signing stays a pure function (and tests can fix them).
#[derive(Clone, Debug)]
pub struct Clock {
    /// Milliseconds since the Unix epoch.
    pub unix_ms: u64,
    /// 32 lowercase hex digits, fresh for each request.
    pub nonce: String,
}

/// The HTTP method of a verifier's endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// A signed request, without its host: the transport alone decides where it goes.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    /// The endpoint's path with its query string (`/sapi/v1/…?timestamp=…&signature=…`).
    pub path_and_query: String,
    /// Header names and values (the transport adds `Host`, `User-Agent` and
    /// `Content-Length`).
    pub headers: Vec<(&'static str, String)>,
    /// The body, empty for none, with its content type when not empty.
    pub body: Vec<u8>,
    pub content_type: Option<&'static str>,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Headers and bodies carry keys, passphrases and signatures.
        f.debug_struct("Request")
            .field("path", &self.path_and_query.split('?').next())
            .field("headers", &self.headers.len())
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// What a key can do, as the exchange reported it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grant {
    /// The exchange's own names of what the key may do (`enableWithdrawals`,
    /// `SpotTrade`, `withdraw-funds`, `can_transfer`), each one resolved
    /// through the exchange's catalog record to canonical scopes; a name the
    /// catalog does not know counts as `other` (beyond read + trade).
    pub natives: Vec<String>,
    /// Whether the key only works from an IP allowlist; `None` when the
    /// answer does not say.
    pub ip_restricted: Option<bool>,
    /// When the key (or, on Binance, its trading permission) stops working,
    /// in milliseconds since the Unix epoch; `None` for never or unknown.
    pub expires_ms: Option<u64>,
    /// True when the exchange reports the key as disabled or frozen.
    pub disabled: bool,
}

/// How the exchange answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The key works, and can do this.
    Granted(Grant),
    /// The exchange does not know the key (deleted, revoked, never existed).
    Revoked { reason: String },
    /// The exchange knows the key, or may, but refused this call: a wrong
    /// signature or passphrase, an IP not on the key's allowlist, a missing
    /// permission. The key may still be live.
    Refused { reason: String },
    /// The answer could not be read (not the documented shape).
    Garbage { reason: String },
}

/// One exchange's read-only "what can this key do" endpoint, and how to
/// call it and read its answer (EXCHANGES.md section 4).
#[derive(Debug)]
pub struct Verifier {
    pub method: Method,
    /// The exchange's API host (`api.binance.com`): the only host its keys are sent to.
    pub host: &'static str,
    /// The endpoint's path (`/sapi/v1/account/apiRestrictions`).
    pub path: &'static str,
    /// Where the endpoint is documented.
    pub doc: &'static str,
    /// Rule ids whose matches are this exchange's credential parts, for
    /// pairing the parts a scan found together (`scan --verify`).
    pub parts: &'static [(&'static str, Part)],
    /// True when a passphrase is part of every credential (OKX, KuCoin).
    pub needs_passphrase: bool,
    /// Signs a request for the endpoint; `Err` says why this credential
    /// cannot be signed (e.g. a secret that is not valid base64).
    pub sign: fn(&Credential, &Clock) -> Result<Request, String>,
    /// Reads the exchange's answer (HTTP status and body) to a call made
    /// with the credential (an answer may list several keys: BitMEX).
    pub read: fn(&Credential, u16, &[u8]) -> Answer,
}

/// An exchange error reduced to what may be shown: its code and message,
/// cut short, with every run of 16 or more key-like characters (letters,
/// digits, `+/=_-`) redacted and quoted values scrubbed. Bodies are never
/// echoed whole (an error page can reflect what was sent).
pub fn reason(code: &str, message: &str) -> String {
    let message: String = message.chars().take(160).collect();
    let text = if code.is_empty() {
        message
    } else if message.is_empty() {
        format!("code {code}")
    } else {
        format!("code {code}: {message}")
    };
    let keylike = |c: char| c.is_ascii_alphanumeric() || "+/=_-".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if keylike(c) {
            run.push(c);
            continue;
        }
        if run.len() >= 16 {
            out.push_str(&crate::redact::redact(run.as_bytes()));
        } else {
            out.push_str(&run);
        }
        run.clear();
        out.push(c);
    }
    out.pop();
    crate::redact::scrub(&crate::redact::sanitize(&out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_never_echoes_a_key_like_value() {
        let key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
        let shown = reason(
            "-2015",
            &format!("Invalid API-key {key}, IP, or permissions"),
        );
        assert!(!shown.contains(key), "{}", shown.len());
        assert!(shown.starts_with("code -2015: Invalid API-key "), "{shown}");
        assert!(shown.ends_with(", IP, or permissions"), "{shown}");
        assert_eq!(reason("", "API key is invalid."), "API key is invalid.");
    }

    #[test]
    fn debug_output_shows_no_secret() {
        let credential = Credential {
            key: "k".repeat(40),
            secret: "SECRETSECRETSECRET".into(),
            passphrase: Some("PASSPHRASE123".into()),
        };
        let shown = format!("{credential:?}");
        assert!(!shown.contains("SECRETSECRET") && !shown.contains("PASSPHRASE1"));
        assert!(!shown.contains(&"k".repeat(40)));
    }
}
