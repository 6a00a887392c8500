//! Alpaca: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{NEAR_CONTEXT, SECRET_NAME, Part, bare, exchange_remediation, n};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::{Rule, base};
use crate::detect::validate;
use crate::finding::Severity;

/// Alpaca: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "alpaca",
    name: "Alpaca",
    api_page: "https://app.alpaca.markets/ (API Keys; paper and live separately)",
    env_tokens: &["ALPACA", "APCA"],
    model: Model::None,
    ip_allowlist: false,
    natives: &[n(&["Trading API key", "Full Access"], &[Read, SpotTrade])],
    rules,
    verify: None,
};

/// Alpaca's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(Rule {
        id: "alpaca-api-key-id",
        exchange: "alpaca",
        severity: High,
        description: "Alpaca API key id (PK or AK followed by 18 or 24 uppercase alphanumerics) near the word Alpaca or APCA",
        keywords: &["alpaca", "apca"],
        pattern: bare(r"(?:PK|AK)[A-Z0-9]{18}(?:[A-Z0-9]{6})?"),
        scope: NEAR_CONTEXT,
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
    rules
}
