//! Kraken: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{KEY_NAME, Part, SECRET_NAME, n};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::Rule;
use crate::finding::Severity;

/// Kraken: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "kraken",
    name: "Kraken",
    api_page: "https://www.kraken.com/u/security/api",
    env_tokens: &["KRAKEN"],
    model: Model::Toggles,
    ip_allowlist: true,
    natives: &[
        n(&["Query Funds", "query-funds"], &[Read]),
        n(
            &["Query Open Orders & Trades", "query-open-trades"],
            &[Read],
        ),
        n(
            &["Query Closed Orders & Trades", "query-closed-trades"],
            &[Read],
        ),
        n(&["Query Ledger Entries", "query-ledger"], &[Read]),
        n(&["Export Data", "export-data"], &[Read]),
        n(
            &["Access WebSockets API", "Get WebSocket Token", "websockets"],
            &[Read],
        ),
        n(
            &["Create & Modify Orders", "modify-trades", "modify-orders"],
            &[SpotTrade],
        ),
        n(
            &["Cancel/Close Orders", "cancel-trades", "cancel-orders"],
            &[SpotTrade],
        ),
        n(&["Deposit Funds", "deposit-funds"], &[Deposit]),
        n(&["Withdraw Funds", "withdraw-funds"], &[Withdraw]),
        n(&["Earn", "Earn Funds", "earn-funds"], &[Earn]),
        // Kraken Futures.
        n(&["General API: Read Only", "general-read-only"], &[Read]),
        // "all endpoints, excluding digital asset withdrawals": wallet transfers included.
        n(
            &["General API: Full Access", "general-full-access"],
            &[Read, FuturesTrade, Transfer],
        ),
        n(
            &["Withdrawal API: Full Access", "withdrawal-full-access"],
            &[Withdraw],
        ),
    ],
    rules,
    verify: None,
};

/// Kraken's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(
        Part {
            id: "kraken-api-key",
            exchange: "kraken",
            severity: High,
            description: "Kraken API key (56 base64 characters) near the word Kraken",
            context: &["kraken"],
            name: KEY_NAME,
            value: r"[A-Za-z0-9+/]{54,56}={0,2}",
            min_entropy: 4.3,
            examples: &[
                r#"KRAKEN_API_KEY=Gr9XvUN61LEphAU08/OHXCWwi+oGwodM+qTdF7LYQoRd6CpbxTmIiseA"#,
            ],
            negatives: &[
                r#"KRAKEN_API_KEY=4/SDrDBcOOPnm3nPlNfEMMJDeRcIVqPz+QhRxIodyZbI9po/aVRiHsgX"#,
            ],
        }
        .rule(),
    );
    rules.push(Part {
        id: "kraken-private-key",
        exchange: "kraken",
        severity: Critical,
        description: "Kraken API private key (88 base64 characters = 64 bytes) near the word Kraken",
        context: &["kraken"],
        name: SECRET_NAME,
        value: r"[A-Za-z0-9+/]{86}==",
        min_entropy: 4.5,
        examples: &[r#"kraken:
  api_secret: VKI5nM/J/MLaMc490Wa9zTozhH5buwf9B8pHeEIxsZr0WHLO77n8WfT5XRQ4Gjp4MlY0e5/85pzXAHrop1jMpA=="#],
        negatives: &[r#"KRAKEN_PRIVATE_KEY=kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="#],
    }
    .rule());
    rules
}
