//! Bitfinex: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{KEY_NAME, Part, SECRET_NAME, rw};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::Rule;
use crate::finding::Severity;

/// Bitfinex: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "bitfinex",
    name: "Bitfinex",
    api_page: "https://setting.bitfinex.com/api",
    env_tokens: &["BITFINEX", "BFX"],
    model: Model::Toggles,
    ip_allowlist: true,
    natives: &[
        rw(&["account", "Account Info"], &[Admin]),
        rw(&["history", "Account History"], &[]),
        rw(&["orders", "Orders"], &[SpotTrade]),
        rw(&["positions", "Margin Trading"], &[MarginTrade]),
        rw(&["funding", "Margin Funding"], &[Earn]),
        rw(&["settings", "Settings"], &[Admin]),
        // "transferring between your wallets".
        rw(&["wallets", "Wallets"], &[Transfer]),
        rw(&["withdraw", "Withdraw"], &[Withdraw]),
        rw(&["ui_withdraw"], &[Withdraw]),
        rw(&["bfxpay", "Bitfinex Pay"], &[Pay]),
    ],
    rules,
    verify: None,
};

/// Bitfinex's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(
        Part {
            id: "bitfinex-api-key",
            exchange: "bitfinex",
            severity: High,
            description: "Bitfinex API key (43 base64url characters) near the word Bitfinex",
            context: &["bitfinex", "bfx"],
            name: KEY_NAME,
            value: r"[A-Za-z0-9_\-]{43}",
            min_entropy: 4.0,
            examples: &[r#"BFX_API_KEY=jE2jBMptUsGr7CmY_uCu3ZR1zTOlUcR64cXQLioDnkH"#],
            negatives: &[r#"BFX_API_KEY=jE2jBMptUsGr7CmY_uCu3ZR1zTOlUcR64cXQLioDnkHab"#],
        }
        .rule(),
    );
    rules.push(
        Part {
            id: "bitfinex-api-secret",
            exchange: "bitfinex",
            severity: Critical,
            description: "Bitfinex API secret (43 base64url characters) near the word Bitfinex",
            context: &["bitfinex", "bfx"],
            name: SECRET_NAME,
            value: r"[A-Za-z0-9_\-]{43}",
            min_entropy: 4.0,
            examples: &[r#"bitfinex_api_secret = "IfxIq2HZt-PlJhx2jIclHkCiHp6bR1IqfEouHgxzNNA""#],
            negatives: &[r#"bitfinex_api_secret = "IfxIq2HZt-PlJhx2jIclHkCiHp6bR1IqfEouHgx""#],
        }
        .rule(),
    );
    rules
}
