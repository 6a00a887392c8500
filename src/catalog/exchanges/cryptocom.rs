//! Crypto.com: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{AROUND, KEY_NAME, Part, bare, exchange_remediation, n};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::{Rule, base};
use crate::detect::validate;
use crate::finding::Severity;

/// Crypto.com: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "cryptocom",
    name: "Crypto.com",
    api_page: "https://crypto.com/exchange/user/settings/api-management",
    env_tokens: &["CRYPTOCOM"],
    model: Model::Toggles,
    ip_allowlist: true,
    natives: &[
        n(&["Can Read"], &[Read]),
        // Unified account: the same orders reach derivatives.
        n(&["Can Trade"], &[SpotTrade, FuturesTrade]),
        n(&["Can Transfer"], &[Transfer]),
        n(&["Can Withdraw"], &[Withdraw]),
    ],
    rules,
    verify: None,
};

/// Crypto.com's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(
        Part {
            id: "cryptocom-api-key",
            exchange: "cryptocom",
            severity: High,
            description: "Crypto.com Exchange API key (22 alphanumerics) near the word Crypto.com",
            context: &["crypto.com", "cryptocom", "crypto_com"],
            name: KEY_NAME,
            value: r"[A-Za-z0-9]{22}",
            min_entropy: 3.5,
            examples: &[r#"CRYPTO_COM_API_KEY=yfErGPmpGXafq0fjzLczbt"#],
            negatives: &[r#"CRYPTO_COM_API_KEY=yfErGPmpGXafq0fjzLczbtQ"#],
        }
        .rule(),
    );
    rules.push(Rule {
        id: "cryptocom-api-secret",
        exchange: "cryptocom",
        severity: Critical,
        description: "Crypto.com Exchange API secret (cxakp_ followed by 22 alphanumerics)",
        keywords: &["cxakp_"],
        pattern: bare(r"cxakp_[A-Za-z0-9]{22}"),
        scope: AROUND,
        min_entropy: 3.5,
        validate: Some(validate::letters_and_digits),
        group: Some("cryptocom"),
        examples: &[r#"CRYPTO_COM_API_SECRET=cxakp_tOofL9H2WjQ5TY4MyWuUFj"#],
        negatives: &[r#"CRYPTO_COM_API_SECRET=cxakp_xxxxxxxxxxxxxxxxxxxxxx"#],
        remediation: exchange_remediation("cryptocom"),
        ..base()
    });
    rules
}
