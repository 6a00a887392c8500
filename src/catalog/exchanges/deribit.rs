//! Deribit: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{Part, SECRET_NAME, rw};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::Rule;
use crate::finding::Severity;

/// Deribit: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "deribit",
    name: "Deribit",
    api_page: "https://www.deribit.com/account/BTC/api",
    env_tokens: &["DERIBIT"],
    model: Model::Toggles,
    ip_allowlist: true,
    natives: &[
        // account:read_write can create API keys.
        rw(&["account"], &[Admin]),
        rw(&["trade"], &[FuturesTrade]),
        rw(&["wallet"], &[Withdraw, Transfer]),
        rw(&["block_trade"], &[FuturesTrade]),
        rw(&["custody"], &[Other]),
    ],
    rules,
    verify: None,
};

/// Deribit's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(
        Part {
            id: "deribit-client-id",
            exchange: "deribit",
            severity: Medium,
            description: "Deribit API client_id (8-10 characters) near the word Deribit",
            context: &["deribit"],
            name: r"(?:client[_\-]?id|key)",
            value: r"[A-Za-z0-9_\-]{8,10}",
            min_entropy: 2.8,
            examples: &[r#"DERIBIT_CLIENT_ID=Ze2qpU9noV"#],
            negatives: &[r#"DERIBIT_CLIENT_ID=TiA4AyLPq3"#],
        }
        .rule(),
    );
    rules.push(Part {
        id: "deribit-client-secret",
        exchange: "deribit",
        severity: Critical,
        description: "Deribit API client_secret (43 base64url characters) near the word Deribit",
        context: &["deribit"],
        name: SECRET_NAME,
        value: r"[A-Za-z0-9_\-]{43}",
        min_entropy: 4.0,
        examples: &[r#"DERIBIT_CLIENT_SECRET=6-Wj9KfzjsQGMrb9h_ImB_LK777pzNk8cL6j5IXAAjl"#],
        negatives: &[r#"DERIBIT_CLIENT_SECRET=SjM57m1T2CfXZ4vZ76X1APjqRlJdtzHI8IwVXoQnfoM"#],
    }
    .rule());
    rules
}
