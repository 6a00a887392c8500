//! Bitstamp: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{KEY_NAME, Part, SECRET_NAME, n};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::Rule;
use crate::finding::Severity;

/// Bitstamp: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "bitstamp",
    name: "Bitstamp",
    api_page: "https://www.bitstamp.net/settings/api/",
    env_tokens: &["BITSTAMP"],
    model: Model::Toggles,
    ip_allowlist: true,
    natives: &[
        n(&["Account balance"], &[Read]),
        n(&["User transactions"], &[Read]),
        n(&["Open orders"], &[Read]),
        n(
            &[
                "Buy limit order",
                "Buy market order",
                "Sell limit order",
                "Sell market order",
                "Cancel order",
            ],
            &[SpotTrade],
        ),
        n(
            &[
                "Withdrawal requests",
                "Crypto withdrawal",
                "Bank withdrawal",
            ],
            &[Withdraw],
        ),
        n(&["Deposit address"], &[Deposit]),
        n(
            &[
                "Sub account transfer",
                "Transfer to main account",
                "Transfer from main account",
            ],
            &[Transfer],
        ),
    ],
    rules,
    verify: None,
};

/// Bitstamp's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
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
    rules
}
