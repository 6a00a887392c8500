//! Coinbase: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{KEY_NAME, Part, SECRET_NAME, exchange_remediation, n, pem};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::{Rule, base};
use crate::detect::validate;
use crate::finding::Severity;

/// Coinbase: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "coinbase",
    name: "Coinbase",
    api_page: "https://portal.cdp.coinbase.com/ (project -> API Keys)",
    env_tokens: &["COINBASE", "CDP"],
    model: Model::Toggles,
    ip_allowlist: true,
    natives: &[
        n(&["view", "can_view"], &[Read]),
        // Also trades US derivatives where the account has them.
        n(&["trade", "can_trade"], &[SpotTrade, FuturesTrade]),
        // "Move funds between accounts and portfolios, and send crypto onchain".
        n(&["transfer", "can_transfer"], &[Withdraw, Transfer]),
        // Coinbase Exchange: user settings and preferences.
        n(&["Manage"], &[Admin]),
    ],
    rules,
    verify: None,
};

/// Coinbase's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(Rule {
        id: "coinbase-cdp-key-name",
        exchange: "coinbase",
        severity: High,
        description: "Coinbase CDP API key name (organizations/{uuid}/apiKeys/{uuid})",
        keywords: &["apikeys"],
        pattern: r"(?P<secret>organizations\\?/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\?/apiKeys\\?/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})".into(),
        group: Some("coinbase"),
        examples: &[r#"{"name": "organizations/f88c422b-cca2-492b-83a5-6cc1057a40b2/apiKeys/86ce03f9-1a4f-44f9-a651-1445b9f3635c"}"#],
        negatives: &[
            r#"{"name": "organizations/8f1ac569-ed29-48ae-b989-6798a975afab/apiKeys/87d98ae9-f31f-42ee-9b69-723d3ff9dd77"}"#,
            r#"{"name": "organizations/{org_id}/apiKeys/{key_id}"}"#,
        ],
        remediation: exchange_remediation("coinbase"),
        ..base()
    });
    rules.push(Rule {
        id: "coinbase-cdp-private-key",
        exchange: "coinbase",
        severity: Critical,
        description: "Coinbase CDP ECDSA private key (SEC1 EC PEM) next to a Coinbase key name",
        keywords: &["ec private key-----"],
        pattern: pem("EC ", "MHcCAQEEI"),
        context: &["coinbase", "apikeys", "cdp"],
        validate: Some(validate::pem_body),
        group: Some("coinbase"),
        examples: &["{\"name\": \"organizations/f88c422b-cca2-492b-83a5-6cc1057a40b2/apiKeys/86ce03f9-1a4f-44f9-a651-1445b9f3635c\",\n \"privateKey\": \"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIGr9XvUN61LEphAU08/OHXCWwi+oGwodM+qTdF7LYQoRd6CpbxTmIiseAoAoGCCqGSM49\\nAwEHoUQDQgAEVKI5nM/J/MLaMc490Wa9zTozhH5buwf9B8pHeEIxsZr0WHLO77n8WfT5XRQ4Gjp4MlY0e5/85pzXAHrop1jMpA==\\n-----END EC PRIVATE KEY-----\\n\"}"],
        negatives: &["coinbase: \"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIJsB+NpntMgnAHSo16vS6ies3V6nu/liXhPMd7s7+lZ6oAoGCCqGSM49\\n.......\\n-----END EC PRIVATE KEY-----\""],
        remediation: exchange_remediation("coinbase"),
        ..base()
    });
    rules.push(Part {
        id: "coinbase-api-secret",
        exchange: "coinbase",
        severity: Critical,
        description: "Coinbase CDP Ed25519 secret or Coinbase Exchange secret (base64 of 64 bytes) near the word Coinbase",
        context: &["coinbase", "cdp_"],
        name: SECRET_NAME,
        value: r"[A-Za-z0-9+/]{86}==",
        min_entropy: 4.5,
        examples: &[r#"CDP_API_KEY_SECRET="VKI5nM/J/MLaMc490Wa9zTozhH5buwf9B8pHeEIxsZr0WHLO77n8WfT5XRQ4Gjp4MlY0e5/85pzXAHrop1jMpA==""#],
        negatives: &[r#"coinbase_secret: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx==""#],
    }
    .rule());
    rules.push(Part {
        id: "coinbase-legacy-api-key",
        exchange: "coinbase",
        severity: Medium,
        description: "Coinbase legacy v2 API key (16 alphanumerics; all expired in February 2025)",
        context: &["coinbase"],
        name: KEY_NAME,
        value: r"[A-Za-z0-9]{16}",
        min_entropy: 3.3,
        examples: &[r#"COINBASE_API_KEY=mF4RPAfqoQB7xoFc"#],
        negatives: &[r#"COINBASE_API_KEY=g3BLnUYMOQsIo9V5"#, r#"coinbase_api_key = "mF4RPAfqoQB7xoFcXY""#],
    }
    .rule());
    rules.push(Part {
        id: "coinbase-legacy-api-secret",
        exchange: "coinbase",
        severity: Medium,
        description: "Coinbase legacy v2 API secret (32 alphanumerics; all expired in February 2025)",
        context: &["coinbase"],
        name: SECRET_NAME,
        value: r"[A-Za-z0-9]{32}",
        min_entropy: 3.8,
        examples: &[r#"COINBASE_API_SECRET=BUSZGi6HWGK10Zb0RLZ5TR9SPofbciOx"#],
        negatives: &[r#"COINBASE_API_SECRET=M4009eFnOoPwhNoMwJlsAHgIgleGVFPl"#],
    }
    .rule());
    rules
}
