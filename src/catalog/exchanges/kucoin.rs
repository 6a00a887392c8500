//! KuCoin: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.
//!
//! a 24-hex key is also a MongoDB ObjectId; the field name and the word KuCoin decide.

use crate::catalog::build::{API_KEY_NAME, PASS_NAME, Part, SECRET_NAME, n};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::Rule;
use crate::finding::Severity;

/// KuCoin: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "kucoin",
    name: "KuCoin",
    api_page: "https://www.kucoin.com/account/api",
    env_tokens: &["KUCOIN"],
    model: Model::Toggles,
    ip_allowlist: true,
    natives: &[
        n(&["General"], &[Read]),
        n(&["Spot"], &[SpotTrade]),
        n(&["Margin"], &[MarginTrade]),
        n(&["Futures"], &[FuturesTrade]),
        n(&["Earn"], &[Earn]),
        n(&["InnerTransfer", "Inner Transfer"], &[Transfer]),
        // KuCoin's "Transfer" withdraws: "allows you to withdraw assets,
        // acquire deposit addresses, cancel withdrawals".
        n(&["Transfer"], &[Withdraw, Deposit]),
    ],
    rules,
    verify: None,
};

/// KuCoin's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
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
    rules
}
