//! Credentials of services and bot frameworks other than exchanges: Telegram
//! bot tokens, OctoBot's and Hummingbot's stored exchange keys.

use crate::catalog::build::{assign, bare};
use crate::detect::rule::{Rule, base};
use crate::finding::Severity;

/// The rules of this file, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
pub fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
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
    rules
}
