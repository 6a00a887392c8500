//! One run's verification: every credential asked about once, through one
//! transport, its answer judged into a [`Verification`] (what every report
//! format shows) and kept with the grant the judgments need.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::http::{Failure, Transport};
use super::{Answer, Clock, Credential, Grant};
use crate::catalog::Exchange;
use crate::checks::permissions::{self, Scope};

/// What verifying a credential said, as reports show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The exchange accepted the key and said what it can do.
    Live,
    /// The exchange does not know the key (deleted or revoked).
    Revoked,
    /// The exchange could not be asked, or would not say: no endpoint, a
    /// part missing, a refused call (wrong signature or passphrase, an IP
    /// not on the key's allowlist), the request budget spent.
    Unverifiable,
    /// The call failed: network, timeout, an answer that is not the documented shape.
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Live => "live",
            Status::Revoked => "revoked",
            Status::Unverifiable => "unverifiable",
            Status::Error => "error",
        }
    }
}

/// A credential's verification, as it goes into every report format.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub status: Status,
    pub exchange: &'static str,
    /// The canonical scopes the key has (live keys only), in scope order.
    pub scopes: Vec<Scope>,
    /// Whether the key works from an IP allowlist only; null when unknown.
    pub ip_restricted: Option<bool>,
    /// Why the status is not `live`, in words that hold no secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A verification with what the judgments need beyond it.
#[derive(Clone, Debug)]
pub struct Checked {
    pub verification: Verification,
    /// The exchange's answer for a live key.
    pub grant: Option<Grant>,
    /// True when the exchange refused the call (the key may be live).
    pub refused: bool,
}

impl Checked {
    fn not(status: Status, exchange: &'static str, detail: String, refused: bool) -> Checked {
        Checked {
            verification: Verification {
                status,
                exchange,
                scopes: Vec::new(),
                ip_restricted: None,
                detail: Some(detail),
            },
            grant: None,
            refused,
        }
    }
}

/// The canonical scopes of a grant's native names, through the exchange's
/// catalog record; a name the catalog does not know is `other`.
pub fn scopes_of(exchange: &Exchange, grant: &Grant) -> Vec<Scope> {
    // A key the exchange answered for can read: the call itself was a read.
    let mut scopes: Vec<Scope> = std::iter::once(Scope::Read)
        .chain(grant.natives.iter().flat_map(|name| {
            permissions::resolve(exchange, name).map_or(vec![Scope::Other], |r| r.scopes)
        }))
        .collect();
    scopes.sort();
    scopes.dedup();
    scopes
}

/// One run's verifications.
pub struct Session {
    transport: Transport,
    /// `--verify=strict`: a credential that could not be verified fails the run.
    pub strict: bool,
    done: Mutex<HashMap<(&'static str, Credential), Checked>>,
}

impl Session {
    pub fn new(transport: Transport, strict: bool) -> Session {
        Session {
            transport,
            strict,
            done: Mutex::new(HashMap::new()),
        }
    }

    /// Asks `exchange` about `credential` (once per run: a credential met
    /// again gets the first answer).
    pub fn check(&self, exchange: &'static Exchange, credential: &Credential) -> Checked {
        let key = (exchange.id, credential.clone());
        if let Some(done) = self.done.lock().ok().and_then(|d| d.get(&key).cloned()) {
            return done;
        }
        let checked = self.ask(exchange, credential);
        if let Ok(mut done) = self.done.lock() {
            done.insert(key, checked.clone());
        }
        checked
    }

    /// Every verification that was not live or revoked: what `--verify=strict` fails on.
    pub fn unverified(&self) -> usize {
        self.done.lock().map_or(0, |done| {
            done.values()
                .filter(|c| matches!(c.verification.status, Status::Unverifiable | Status::Error))
                .count()
        })
    }

    fn ask(&self, exchange: &'static Exchange, credential: &Credential) -> Checked {
        let id = exchange.id;
        let Some(verifier) = &exchange.verify else {
            return Checked::not(
                Status::Unverifiable,
                id,
                format!(
                    "keyaudit cannot verify {} keys: no documented read-only endpoint reports a key's own permissions",
                    exchange.name
                ),
                false,
            );
        };
        if verifier.needs_passphrase && credential.passphrase.is_none() {
            return Checked::not(
                Status::Unverifiable,
                id,
                format!(
                    "a {} key is signed with its passphrase, which was not found",
                    exchange.name
                ),
                false,
            );
        }
        let request = match (verifier.sign)(credential, &clock()) {
            Ok(request) => request,
            Err(why) => return Checked::not(Status::Unverifiable, id, why, false),
        };
        let (status, body) = match self
            .transport
            .send(id, verifier.host, verifier.method, &request)
        {
            Ok(answer) => answer,
            Err(Failure::Budget) => {
                return Checked::not(Status::Unverifiable, id, Failure::Budget.to_string(), false);
            }
            Err(e) => return Checked::not(Status::Error, id, e.to_string(), false),
        };
        match (verifier.read)(credential, status, &body) {
            Answer::Granted(grant) => Checked {
                verification: Verification {
                    status: Status::Live,
                    exchange: id,
                    scopes: scopes_of(exchange, &grant),
                    ip_restricted: grant.ip_restricted,
                    detail: grant
                        .disabled
                        .then(|| "the exchange reports the key as disabled".into()),
                },
                grant: Some(grant),
                refused: false,
            },
            Answer::Revoked { reason } => Checked::not(
                Status::Revoked,
                id,
                format!("{} does not accept the key ({reason})", exchange.name),
                false,
            ),
            Answer::Refused { reason } => Checked::not(
                Status::Unverifiable,
                id,
                format!(
                    "{} refused the call ({reason}): a wrong secret or passphrase, or an IP allowlist that \
                     excludes this machine",
                    exchange.name
                ),
                true,
            ),
            Answer::Garbage { reason } => Checked::not(
                Status::Error,
                id,
                format!(
                    "{} answered in an unexpected shape (HTTP {status}; {reason})",
                    exchange.name
                ),
                false,
            ),
        }
    }
}

/// Now, with a fresh nonce.
fn clock() -> Clock {
    let unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let mut bytes = [0u8; 16];
    // Without randomness the nonce is still unique per call (time-based);
    // only Coinbase's JWT uses it, and the exchange checks it for replays.
    if getrandom::fill(&mut bytes).is_err() {
        bytes[..8].copy_from_slice(&unix_ms.to_le_bytes());
    }
    Clock {
        unix_ms,
        nonce: bytes.iter().map(|b| format!("{b:02x}")).collect(),
    }
}
