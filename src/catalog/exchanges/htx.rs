//! HTX: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{KEY_NAME, Part, SECRET_NAME, n};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::Rule;
use crate::finding::Severity;

/// HTX: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "htx",
    name: "HTX",
    api_page: "https://www.htx.com/en-us/apikey/",
    env_tokens: &["HTX", "HUOBI"],
    model: Model::Toggles,
    ip_allowlist: true,
    natives: &[
        n(&["Read-only", "readOnly"], &[Read]),
        // The trade ("transaction") permission: "place order, cancel order and transfer".
        n(
            &["Trade", "Transaction"],
            &[SpotTrade, MarginTrade, Transfer],
        ),
        n(&["Withdraw"], &[Withdraw]),
    ],
    rules,
    verify: None,
};

/// HTX's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(Part {
        id: "htx-access-key",
        exchange: "htx",
        severity: High,
        description: "HTX (Huobi) AccessKey (8-10-8-5 dash-separated groups) near the word HTX or Huobi",
        context: &["htx", "huobi"],
        name: KEY_NAME,
        value: r"[0-9a-f]{8}-[a-z0-9]{8,10}-[0-9a-f]{8}-[0-9a-f]{5}",
        min_entropy: 3.0,
        examples: &[r#"HUOBI_ACCESS_KEY=71948d33-et7myqoaa8-9e8a7f77-0d910"#],
        negatives: &[r#"HUOBI_ACCESS_KEY=e2xxxxxx-99xxxxxx-84xxxxxx-7xxxx"#],
    }
    .rule());
    rules.push(Part {
        id: "htx-secret-key",
        exchange: "htx",
        severity: Critical,
        description: "HTX (Huobi) SecretKey (8-10-8-5 dash-separated groups) near the word HTX or Huobi",
        context: &["htx", "huobi"],
        name: SECRET_NAME,
        value: r"[0-9a-f]{8}-[a-z0-9]{8,10}-[0-9a-f]{8}-[0-9a-f]{5}",
        min_entropy: 3.0,
        examples: &[r#"htx_secret_key: "71948d33-et7myqoaa8-9e8a7f77-0d910""#],
        negatives: &[r#"htx_secret_key: "b0xxxxxx-c6xxxxxx-94xxxxxx-dxxxx""#],
    }
    .rule());
    rules
}
