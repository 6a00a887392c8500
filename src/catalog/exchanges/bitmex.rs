//! BitMEX: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{KEY_NAME, Part, SECRET_NAME, n};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::Rule;
use crate::finding::Severity;

/// BitMEX: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "bitmex",
    name: "BitMEX",
    api_page: "https://www.bitmex.com/app/apiKeys",
    env_tokens: &["BITMEX"],
    model: Model::Toggles,
    ip_allowlist: true,
    natives: &[
        n(&["Order", "order"], &[FuturesTrade]),
        n(&["Order Cancel", "orderCancel"], &[FuturesTrade]),
        n(&["Withdraw", "withdraw"], &[Withdraw]),
    ],
    rules,
    verify: None,
};

/// BitMEX's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(
        Part {
            id: "bitmex-api-key",
            exchange: "bitmex",
            severity: High,
            description: "BitMEX API key (24 base64url characters) near the word BitMEX",
            context: &["bitmex"],
            name: KEY_NAME,
            value: r"[A-Za-z0-9_\-]{24}",
            min_entropy: 3.5,
            examples: &[r#"BITMEX_API_KEY=sHUqJoUD-_Ydua_5ZMs1SWOp"#],
            negatives: &[r#"BITMEX_API_KEY=LAqUlngMIQkIUjXMUreyu3qn"#],
        }
        .rule(),
    );
    rules.push(
        Part {
            id: "bitmex-api-secret",
            exchange: "bitmex",
            severity: Critical,
            description: "BitMEX API secret (48 base64url characters) near the word BitMEX",
            context: &["bitmex"],
            name: SECRET_NAME,
            value: r"[A-Za-z0-9_\-]{48}",
            min_entropy: 4.0,
            examples: &[r#"BITMEX_API_SECRET=QaPRYpzbLGViYXjU2JgJngKtFI3OyV2dZAkg05rK_gqv81RK"#],
            negatives: &[r#"BITMEX_API_SECRET=chNOOS4KvNXR_Xq4k4c9qsfoKWvnDecLATCRlcBwyKDYnWgO"#],
        }
        .rule(),
    );
    rules
}
