//! The transport of `--verify`: one signed request to one exchange's host.
//!
//! Where a request goes is decided here alone. By default it is the host the
//! exchange's catalog record names, over TLS (rustls with the webpki roots;
//! no OpenSSL). For tests and testnets an exchange's base URL can be
//! overridden on the command line (`--verify-url binance=URL`) or in the
//! process environment (`KEYAUDIT_VERIFY_URL_BINANCE`), never by
//! `keyaudit.toml` or any other file of the scanned repository, so a
//! hostile pull request cannot redirect keys; every override is announced on
//! stderr. An override must be `https://`, or plain `http://` to a loopback
//! address. Redirects are never followed (a redirect could carry the signed
//! headers elsewhere), every call has a bounded timeout, a run makes at most
//! [`MAX_REQUESTS`] calls, and an answer is read up to [`MAX_BODY`] bytes.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::{Method, Request};

/// The most requests one run sends, whatever it found.
pub const MAX_REQUESTS: usize = 20;

/// The most bytes of an answer that are read.
pub const MAX_BODY: u64 = 256 * 1024;

/// The default bound on one call, connection to last byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The prefix of the environment variables that override an exchange's base URL.
pub const ENV_PREFIX: &str = "KEYAUDIT_VERIFY_URL_";

/// Where an exchange's requests go instead of its own host, and who said so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    /// `scheme://host[:port]`, without a trailing slash.
    pub base: String,
    /// `--verify-url` or the environment variable's name.
    pub origin: String,
}

/// Checks an override URL: `https://host[:port]`, or `http://` to a loopback
/// address (127.0.0.1, ::1, localhost). No path, query, user or password.
pub fn parse_override(url: &str) -> Result<String, String> {
    let url = url.trim().trim_end_matches('/');
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| "expected http(s)://HOST[:PORT]".to_string())?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return Err("expected http(s)://HOST[:PORT], without a path, query or user".into());
    }
    let host = match rest.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => rest.rsplit_once(':').map_or(rest, |(host, _)| host),
    };
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match scheme {
        "https" => Ok(url.to_string()),
        "http" if loopback => Ok(url.to_string()),
        "http" => Err("plain http is allowed to a loopback address only (127.0.0.1, ::1, localhost); use https".into()),
        _ => Err("expected http(s)://HOST[:PORT]".into()),
    }
}

/// The overrides from `--verify-url EXCHANGE=URL` (each exchange id checked
/// against `known`) and from `KEYAUDIT_VERIFY_URL_<EXCHANGE>` in `env`; the
/// command line wins over the environment.
pub fn overrides(
    flags: &[String],
    env: impl IntoIterator<Item = (String, String)>,
    known: &[&str],
) -> Result<BTreeMap<String, Override>, String> {
    let mut out = BTreeMap::new();
    let check = |id: &str| {
        known
            .iter()
            .find(|k| k.eq_ignore_ascii_case(id))
            .map(|k| k.to_string())
            .ok_or_else(|| {
                format!(
                    "{}: no --verify adapter for this exchange; known: {}",
                    crate::redact::quote(id),
                    known.join(", ")
                )
            })
    };
    for (name, value) in env {
        let Some(id) = name.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        let id = check(id).map_err(|e| format!("{name}: {e}"))?;
        let base = parse_override(&value).map_err(|e| format!("{name}: {e}"))?;
        out.insert(id, Override { base, origin: name });
    }
    for flag in flags {
        let (id, url) = flag
            .split_once('=')
            .ok_or_else(|| "--verify-url: expected EXCHANGE=URL".to_string())?;
        let id = check(id).map_err(|e| format!("--verify-url: {e}"))?;
        let base = parse_override(url).map_err(|e| format!("--verify-url {id}: {e}"))?;
        let origin = "--verify-url".to_string();
        out.insert(id, Override { base, origin });
    }
    Ok(out)
}

/// Why a call produced no answer to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The run's request budget is spent.
    Budget,
    /// No answer within the timeout, no connection, a TLS error, an answer too large.
    Network(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Budget => write!(
                f,
                "the run's budget of {MAX_REQUESTS} verification requests is spent"
            ),
            Failure::Network(why) => write!(f, "{why}"),
        }
    }
}

/// Sends signed requests: the one place keyaudit opens a network connection.
pub struct Transport {
    agent: ureq::Agent,
    /// For loopback overrides: no proxy from the environment in between.
    direct: ureq::Agent,
    overrides: BTreeMap<String, Override>,
    sent: AtomicUsize,
    timeout: Duration,
}

impl Transport {
    pub fn new(overrides: BTreeMap<String, Override>, timeout: Duration) -> Transport {
        let config = |proxy: bool| {
            let builder = ureq::Agent::config_builder()
                .timeout_global(Some(timeout))
                .http_status_as_error(false)
                .max_redirects(0)
                .max_redirects_will_error(false)
                .user_agent(concat!("keyaudit/", env!("CARGO_PKG_VERSION")));
            let builder = if proxy { builder } else { builder.proxy(None) };
            ureq::Agent::new_with_config(builder.build())
        };
        Transport {
            agent: config(true),
            direct: config(false),
            overrides,
            sent: AtomicUsize::new(0),
            timeout,
        }
    }

    /// The override for an exchange, if any.
    pub fn override_for(&self, exchange: &str) -> Option<&Override> {
        self.overrides.get(exchange)
    }

    /// Every override, for the warnings printed at the start of a run.
    pub fn overrides(&self) -> impl Iterator<Item = (&String, &Override)> {
        self.overrides.iter()
    }

    /// The base URL an exchange's requests go to.
    pub fn base(&self, exchange: &str, host: &str) -> String {
        match self.overrides.get(exchange) {
            Some(o) => o.base.clone(),
            None => format!("https://{host}"),
        }
    }

    /// Sends `request` to `exchange`'s endpoint; returns the status and the body.
    pub fn send(
        &self,
        exchange: &str,
        host: &str,
        method: Method,
        request: &Request,
    ) -> Result<(u16, Vec<u8>), Failure> {
        if self.sent.fetch_add(1, Ordering::SeqCst) >= MAX_REQUESTS {
            return Err(Failure::Budget);
        }
        let url = format!("{}{}", self.base(exchange, host), request.path_and_query);
        let loopback = self
            .overrides
            .get(exchange)
            .is_some_and(|o| o.base.starts_with("http://"));
        let agent = if loopback { &self.direct } else { &self.agent };
        let result = match method {
            Method::Get => {
                let mut builder = agent.get(&url);
                for (name, value) in &request.headers {
                    builder = builder.header(*name, value);
                }
                builder.call()
            }
            Method::Post => {
                let mut builder = agent.post(&url);
                for (name, value) in &request.headers {
                    builder = builder.header(*name, value);
                }
                if let Some(content_type) = request.content_type {
                    builder = builder.content_type(content_type);
                }
                builder.send(&request.body[..])
            }
        };
        let mut response = result.map_err(|e| self.failure(e))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| self.failure(e))?;
        Ok((status, body))
    }

    /// A transport error in words that hold no URL (a query string carries a
    /// signature) and no header.
    fn failure(&self, error: ureq::Error) -> Failure {
        let why = match error {
            ureq::Error::Timeout(_) => format!("no answer within {} s", self.timeout.as_secs_f32()),
            ureq::Error::Io(e) => format!("network error: {}", e.kind()),
            ureq::Error::HostNotFound => "host not found".into(),
            ureq::Error::ConnectionFailed => "connection failed".into(),
            ureq::Error::BodyExceedsLimit(_) => format!("answer larger than {MAX_BODY} bytes"),
            ureq::Error::Tls(e) => format!("TLS error: {e}"),
            ureq::Error::Rustls(e) => format!("TLS error: {e}"),
            ureq::Error::TooManyRedirects | ureq::Error::RedirectFailed => {
                "the server answered with a redirect (not followed)".into()
            }
            _ => "HTTP error".into(),
        };
        Failure::Network(why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_are_https_or_loopback_only() {
        assert!(parse_override("http://127.0.0.1:8080").is_ok());
        assert!(parse_override("http://[::1]:8080/").is_ok());
        assert!(parse_override("http://localhost:1").is_ok());
        assert!(parse_override("https://testnet.binance.vision").is_ok());
        assert!(parse_override("http://evil.example.com").is_err());
        assert!(parse_override("http://127.0.0.1.evil.example:80").is_err());
        assert!(parse_override("https://a.example/path").is_err());
        assert!(parse_override("https://user@a.example").is_err());
        assert!(parse_override("ftp://127.0.0.1").is_err());
        assert!(parse_override("127.0.0.1:80").is_err());
    }

    #[test]
    fn flags_win_over_the_environment_and_unknown_exchanges_are_refused() {
        let env = vec![
            (
                "KEYAUDIT_VERIFY_URL_BINANCE".to_string(),
                "http://127.0.0.1:1".to_string(),
            ),
            ("PATH".to_string(), "/bin".to_string()),
        ];
        let flags = vec!["binance=http://127.0.0.1:2".to_string()];
        let got = overrides(&flags, env.clone(), &["binance", "okx"]).unwrap();
        assert_eq!(got["binance"].base, "http://127.0.0.1:2");
        assert_eq!(got.len(), 1);
        let only_env = overrides(&[], env, &["binance"]).unwrap();
        assert_eq!(only_env["binance"].origin, "KEYAUDIT_VERIFY_URL_BINANCE");
        assert!(overrides(&["nope=https://a.example".into()], vec![], &["binance"]).is_err());
        assert!(overrides(&["binance".into()], vec![], &["binance"]).is_err());
    }
}
