//! `--verify`'s session for a run (the transport with its overrides, each one
//! announced on stderr), and `keyaudit verify --list`: every endpoint
//! `--verify` may call.

use std::io::Write;
use std::time::Duration;

use anyhow::{Result, bail};
use serde::Serialize;

use super::pipeline::emit;
use crate::catalog::EXCHANGES;
use crate::cli::{Format, Global, VerifyArgs, VerifyMode};
use crate::exit::ExitStatus;
use crate::verify::http::{self, Transport};
use crate::verify::session::Session;

/// The ids of the exchanges `--verify` can ask.
fn verifiable() -> Vec<&'static str> {
    EXCHANGES
        .iter()
        .filter(|e| e.verify.is_some())
        .map(|e| e.id)
        .collect()
}

/// The transport's overrides from `--verify-url` and the process environment
/// (never from a file: a repository must not redirect keys).
fn transport(global: &Global) -> Result<Transport> {
    let overrides = http::overrides(&global.verify_url, std::env::vars(), &verifiable())
        .map_err(anyhow::Error::msg)?;
    let timeout = global
        .verify_timeout
        .map_or(http::DEFAULT_TIMEOUT, Duration::from_secs);
    Ok(Transport::new(overrides, timeout))
}

/// The session `--verify` asks for, or `None` without it. Every override is
/// announced on stderr, even with `--quiet`: keys go somewhere unusual.
pub(super) fn session(global: &Global) -> Result<Option<Session>> {
    let Some(mode) = global.verify else {
        if !global.verify_url.is_empty() {
            bail!("--verify-url is only used with --verify");
        }
        return Ok(None);
    };
    let transport = transport(global)?;
    let mut err = std::io::stderr().lock();
    for (id, o) in transport.overrides() {
        let host = crate::catalog::exchange(id)
            .and_then(|e| e.verify.as_ref())
            .map_or("", |v| v.host);
        writeln!(
            err,
            "warning: --verify: {} keys are sent to {} ({}), not to {host}",
            crate::catalog::exchange_name(id),
            crate::redact::sanitize(&o.base),
            o.origin
        )
        .ok();
    }
    Ok(Some(Session::new(transport, mode == VerifyMode::Strict)))
}

/// One endpoint `--verify` may call.
#[derive(Serialize)]
struct Endpoint {
    exchange: &'static str,
    name: &'static str,
    method: &'static str,
    url: String,
    documented: &'static str,
    parts: Vec<&'static str>,
    overridden_by: Option<String>,
}

/// `keyaudit verify --list`.
pub(super) fn list(global: &Global, args: &VerifyArgs) -> Result<ExitStatus> {
    if !args.list {
        bail!(
            "nothing to do\nhint: `keyaudit verify --list` lists the endpoints; verify keys with \
             `keyaudit scan --verify`, `keyaudit manifest --verify` or `keyaudit audit --verify`"
        );
    }
    let transport = transport(global)?;
    let endpoints: Vec<Endpoint> = EXCHANGES
        .iter()
        .filter_map(|e| e.verify.as_ref().map(|v| (e, v)))
        .map(|(e, v)| {
            let mut parts = vec!["key", "secret"];
            if v.needs_passphrase {
                parts.push("passphrase");
            }
            Endpoint {
                exchange: e.id,
                name: e.name,
                method: v.method.as_str(),
                url: format!("{}{}", transport.base(e.id, v.host), v.path),
                documented: v.doc,
                parts,
                overridden_by: transport.override_for(e.id).map(|o| o.origin.clone()),
            }
        })
        .collect();
    let unverifiable: Vec<&str> = EXCHANGES
        .iter()
        .filter(|e| e.verify.is_none())
        .map(|e| e.id)
        .collect();
    emit(&global.output, |w| {
        if global.format == Format::Human {
            writeln!(
                w,
                "Read-only endpoints `--verify` may call (one request per credential, at most {} per run;\n\
                 a key is sent only to its own exchange's host, over TLS):\n",
                http::MAX_REQUESTS
            )?;
            for e in &endpoints {
                writeln!(w, "  {:<10} {:<5} {}", e.exchange, e.method, e.url)?;
                writeln!(
                    w,
                    "  {:<10}       needs {}; documented at {}",
                    "",
                    e.parts.join(" + "),
                    e.documented
                )?;
                if let Some(origin) = &e.overridden_by {
                    writeln!(w, "  {:<10}       OVERRIDDEN by {origin}", "")?;
                }
            }
            writeln!(
                w,
                "\nNot verifiable (no documented read-only endpoint for a key's own permissions): {}",
                unverifiable.join(", ")
            )?;
        } else {
            #[derive(Serialize)]
            struct Listing<'a> {
                endpoints: &'a [Endpoint],
                max_requests: usize,
                not_verifiable: &'a [&'a str],
            }
            serde_json::to_writer_pretty(
                &mut *w,
                &Listing {
                    endpoints: &endpoints,
                    max_requests: http::MAX_REQUESTS,
                    not_verifiable: &unverifiable,
                },
            )?;
            writeln!(w)?;
        }
        Ok(())
    })?;
    Ok(ExitStatus::Clean)
}
