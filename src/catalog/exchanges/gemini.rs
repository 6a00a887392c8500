//! Gemini: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{AROUND, SECRET_NAME, Part, bare, exchange_remediation, n};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::{Rule, base};
use crate::detect::validate;
use crate::finding::Severity;

/// Gemini: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "gemini",
    name: "Gemini",
    api_page: "https://exchange.gemini.com/settings/api",
    env_tokens: &["GEMINI"],
    model: Model::Role,
    ip_allowlist: true,
    natives: &[
        n(&["Auditor"], &[Read]),
        n(&["Trader"], &[Read, SpotTrade]),
        n(&["Fund Manager"], &[Withdraw, Transfer]),
        n(&["Administrator"], &[Admin]),
    ],
    rules,
    verify: None,
};

/// Gemini's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(Rule {
        id: "gemini-api-key",
        exchange: "gemini",
        severity: High,
        description: "Gemini API key (account- or master- followed by 20 alphanumerics)",
        keywords: &["account-", "master-"],
        pattern: bare(r"(?:account|master)-[A-Za-z0-9]{20}"),
        scope: AROUND,
        min_entropy: 3.5,
        validate: Some(validate::letters_and_digits),
        group: Some("gemini"),
        examples: &[r#"GEMINI_API_KEY=account-sCGRlrwZbqcabUGJmGE9"#],
        negatives: &[
            r#"git checkout master-featurebranchnamesss"#,
            r#"key = "account-sCGRlrwZbqcabUGJmGE9x""#,
        ],
        remediation: exchange_remediation("gemini"),
        ..base()
    });
    rules.push(
        Part {
            id: "gemini-api-secret",
            exchange: "gemini",
            severity: Critical,
            description: "Gemini API secret (27-28 alphanumerics) near the word Gemini",
            context: &["gemini"],
            name: SECRET_NAME,
            value: r"[A-Za-z0-9]{27,28}",
            min_entropy: 3.8,
            examples: &[r#"GEMINI_API_SECRET=7CgQ0PBQFI14zGtSnovm14TUOizw"#],
            negatives: &[r#"GEMINI_API_SECRET=7CgQ0PBQFI14zGtSnovm14TUOizwQQQ"#],
        }
        .rule(),
    );
    rules
}
