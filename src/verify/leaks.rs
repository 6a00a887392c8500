//! `scan --verify`: leaked exchange credentials whose parts were found
//! together, asked about, and their findings told what the exchange said.
//!
//! While the sources scan, the [`Collector`] (attached to the engine, so every
//! source feeds it) keeps, for each piece of content, each exchange's key
//! paired with the nearest secret (and passphrase) of the same exchange; the
//! parts are the matches of the rules a verifier lists. Nothing is sent then.
//! After the scan, [`Collector::verify`] asks each distinct credential once
//! (within the run's request budget), and [`apply`] sets each finding that
//! holds one of its parts: a live key that can withdraw is critical; a revoked
//! one drops to low.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use super::Part;
use super::session::{Session, Status, Verification};
use crate::catalog::{EXCHANGES, Exchange};
use crate::checks::permissions::Scope;
use crate::detect::{Engine, Match};
use crate::finding::{Finding, Severity};

/// The most distinct credentials one run keeps (far above the request budget).
const MAX_CREDENTIALS: usize = 200;

/// The parts of credentials found together, by credential, with the
/// fingerprints of the findings that hold them.
pub struct Collector {
    /// Rule id → its exchange and the part its matches are.
    parts: HashMap<&'static str, (&'static Exchange, Part)>,
    found: Mutex<BTreeMap<(&'static str, super::Credential), BTreeSet<String>>>,
}

impl Default for Collector {
    fn default() -> Self {
        Collector::new()
    }
}

impl Collector {
    pub fn new() -> Collector {
        let parts = EXCHANGES
            .iter()
            .filter_map(|e| e.verify.as_ref().map(|v| (*e, v)))
            .flat_map(|(e, v)| v.parts.iter().map(move |&(rule, part)| (rule, (e, part))))
            .collect();
        Collector {
            parts,
            found: Mutex::new(BTreeMap::new()),
        }
    }

    /// Keeps the credentials in one piece of content: `findings[i]` is the
    /// finding of `matches[i]`.
    pub fn offer(&self, engine: &Engine, bytes: &[u8], matches: &[Match], findings: &[Finding]) {
        // Per exchange: (part, start, value, fingerprint) of each match.
        let mut by_exchange: BTreeMap<&'static str, Vec<Found<'_>>> = BTreeMap::new();
        for (m, f) in matches.iter().zip(findings) {
            let Some(&(exchange, part)) = self.parts.get(engine.rule(m.rule).id) else {
                continue;
            };
            let (Ok(value), Some(secret)) =
                (std::str::from_utf8(&bytes[m.start..m.end]), &f.secret)
            else {
                continue;
            };
            by_exchange.entry(exchange.id).or_default().push(Found {
                part,
                start: m.start,
                value,
                fingerprint: &secret.fingerprint,
            });
        }
        for (id, found) in by_exchange {
            let nearest = |part: Part, at: usize| {
                found
                    .iter()
                    .filter(|p| p.part == part)
                    .min_by_key(|p| p.start.abs_diff(at))
            };
            for key in found.iter().filter(|p| p.part == Part::Key) {
                let Some(secret) = nearest(Part::Secret, key.start) else {
                    continue;
                };
                let passphrase = nearest(Part::Passphrase, key.start);
                let credential = super::Credential {
                    key: key.value.to_string(),
                    secret: secret.value.to_string(),
                    passphrase: passphrase.map(|p| p.value.to_string()),
                };
                let Ok(mut kept) = self.found.lock() else {
                    return;
                };
                if kept.len() >= MAX_CREDENTIALS && !kept.contains_key(&(id, credential.clone())) {
                    continue;
                }
                let fingerprints = kept.entry((id, credential)).or_default();
                fingerprints.insert(key.fingerprint.to_string());
                fingerprints.insert(secret.fingerprint.to_string());
                if let Some(p) = passphrase {
                    fingerprints.insert(p.fingerprint.to_string());
                }
            }
        }
    }

    /// Asks about every credential kept, and returns each part's fingerprint
    /// with its verification. A part in two credentials (one key committed
    /// with two secrets) gets the better-established answer: live, then
    /// revoked, then the rest.
    pub fn verify(&self, session: &Session) -> HashMap<String, Verification> {
        let found = self.found.lock().map(|f| f.clone()).unwrap_or_default();
        let mut out: HashMap<String, Verification> = HashMap::new();
        for ((id, credential), fingerprints) in found {
            let Some(exchange) = crate::catalog::exchange(id) else {
                continue;
            };
            let verification = session.check(exchange, &credential).verification;
            for fingerprint in fingerprints {
                let better = out
                    .get(&fingerprint)
                    .is_none_or(|old| rank(verification.status) < rank(old.status));
                if better {
                    out.insert(fingerprint, verification.clone());
                }
            }
        }
        out
    }
}

/// One credential part matched in a piece of content.
struct Found<'a> {
    part: Part,
    start: usize,
    value: &'a str,
    fingerprint: &'a str,
}

fn rank(status: Status) -> u8 {
    match status {
        Status::Live => 0,
        Status::Revoked => 1,
        Status::Unverifiable => 2,
        Status::Error => 3,
    }
}

/// Tells each finding that holds a verified part what the exchange said:
/// its `verification`, and its severity, message and remediation.
pub fn apply(findings: &mut [Finding], verified: &HashMap<String, Verification>) {
    for finding in findings {
        let Some(v) = finding
            .secret
            .as_ref()
            .and_then(|s| verified.get(&s.fingerprint))
        else {
            continue;
        };
        let name = crate::catalog::exchange_name(v.exchange);
        match v.status {
            Status::Live => {
                let withdraw = v
                    .scopes
                    .iter()
                    .any(|s| matches!(s, Scope::Withdraw | Scope::Admin));
                finding.severity = if withdraw {
                    Severity::Critical
                } else {
                    finding.severity.max(Severity::High)
                };
                let can = if v.scopes.is_empty() {
                    "no permission reported".to_string()
                } else {
                    v.scopes
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" + ")
                };
                finding.message = if withdraw {
                    format!(
                        "{} (verified live on {name}: it can WITHDRAW; {can})",
                        finding.message
                    )
                } else {
                    format!("{} (verified live on {name}: {can})", finding.message)
                };
                finding.remediation = format!(
                    "This key works now: revoke it before anything else. {}",
                    finding.remediation
                );
            }
            Status::Revoked => {
                finding.severity = Severity::Low;
                finding.message = format!("{} (verified: revoked on {name})", finding.message);
                finding.remediation = format!(
                    "{name} no longer accepts this key: it is revoked. Nothing to do but clean it from \
                     history if you want it gone (git filter-repo), and make sure the bot uses its new key."
                );
            }
            Status::Unverifiable | Status::Error => {
                finding.message =
                    format!("{} (not verified: {})", finding.message, v.status.as_str());
            }
        }
        finding.verification = Some(v.clone());
    }
}
