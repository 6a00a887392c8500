//! Gate: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{API_KEY_NAME, Part, SECRET_NAME, n, rw};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::Rule;
use crate::finding::Severity;

/// Gate: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "gate",
    name: "Gate",
    api_page: "https://www.gate.com/myaccount/apikeys",
    env_tokens: &["GATE", "GATEIO"],
    model: Model::Toggles,
    ip_allowlist: true,
    natives: &[
        rw(&["wallet"], &[Transfer]),
        rw(&["spot"], &[SpotTrade, MarginTrade]),
        rw(&["futures"], &[FuturesTrade]),
        rw(&["delivery"], &[FuturesTrade]),
        rw(&["options"], &[FuturesTrade]),
        rw(&["earn"], &[Earn]),
        rw(&["account"], &[Admin]),
        rw(&["unified"], &[MarginTrade]),
        rw(&["loan"], &[MarginTrade]),
        n(&["Withdrawal", "withdraw"], &[Withdraw]),
    ],
    rules,
    verify: None,
};

/// Gate's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    const GATE: &[&str] = &[
        "gateio",
        "gate.io",
        "gate_io",
        "gate-io",
        "gate.com",
        "ccxt.gate",
        "\"gate\"",
        "'gate'",
        "gate_api",
    ];
    rules.push(
        Part {
            id: "gate-api-key",
            exchange: "gate",
            severity: High,
            description: "Gate API key (32 hex) near the word Gate.io",
            context: GATE,
            name: API_KEY_NAME,
            value: r"[0-9a-f]{32}",
            min_entropy: 3.3,
            examples: &[r#"GATEIO_API_KEY=1626e53a13043b026c48bbf33feff924"#],
            negatives: &[
                r#"aggregate_key = "1626e53a13043b026c48bbf33feff924""#,
                r#"{"exchange": "gateio", "user_id": "1626e53a13043b026c48bbf33feff924"}"#,
            ],
        }
        .rule(),
    );
    rules.push(Part {
        id: "gate-api-secret",
        exchange: "gate",
        severity: Critical,
        description: "Gate API secret (64 hex) near the word Gate.io",
        context: GATE,
        name: SECRET_NAME,
        value: r"[0-9a-f]{64}",
        min_entropy: 3.5,
        examples: &[r#"GATE_IO_SECRET=e228f219e9cb0eb53f16947ccf25ec84d8dbc74254770f58904dba41ecccc3fc"#],
        negatives: &[r#"navigate_secret = "e228f219e9cb0eb53f16947ccf25ec84d8dbc74254770f58904dba41ecccc3fc""#],
    }
    .rule());
    rules
}
