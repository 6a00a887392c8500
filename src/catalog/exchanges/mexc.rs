//! MEXC: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{AROUND, SECRET_NAME, Part, bare, exchange_remediation, rw};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::{Rule, base};
use crate::detect::validate;
use crate::finding::Severity;

/// MEXC: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "mexc",
    name: "MEXC",
    api_page: "https://www.mexc.com/user/openapi",
    env_tokens: &["MEXC"],
    model: Model::Toggles,
    ip_allowlist: true,
    natives: &[
        rw(&["SPOT_ACCOUNT"], &[Admin]),
        rw(&["SPOT_DEAL"], &[SpotTrade]),
        rw(&["CONTRACT_ACCOUNT"], &[Admin]),
        rw(&["CONTRACT_DEAL"], &[FuturesTrade]),
        rw(&["SPOT_WITHDRAW"], &[Withdraw]),
        rw(&["SPOT_TRANSFER"], &[Transfer]),
        rw(&["SPOT_DEPOSIT"], &[Deposit]),
    ],
    rules,
    verify: None,
};

/// MEXC's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(Rule {
        id: "mexc-api-key",
        exchange: "mexc",
        severity: High,
        description: "MEXC API key (mx0vgl followed by 12 alphanumerics)",
        keywords: &["mx0vgl"],
        pattern: bare(r"mx0vgl[A-Za-z0-9]{12}"),
        scope: AROUND,
        min_entropy: 3.0,
        validate: Some(validate::letters_and_digits),
        group: Some("mexc"),
        examples: &[r#"MEXC_API_KEY=mx0vglsUNPjc01T5GO"#],
        negatives: &[
            r#"MEXC_API_KEY=mx0v..."#,
            r#"MEXC_API_KEY=mx0vglsUNPjc01T5GOabc"#,
        ],
        remediation: exchange_remediation("mexc"),
        ..base()
    });
    rules.push(
        Part {
            id: "mexc-api-secret",
            exchange: "mexc",
            severity: Critical,
            description: "MEXC API secret (32 lowercase hex) near the word MEXC",
            context: &["mexc"],
            name: SECRET_NAME,
            value: r"[0-9a-f]{32}",
            min_entropy: 3.3,
            examples: &[r#"MEXC_SECRET_KEY=1626e53a13043b026c48bbf33feff924"#],
            negatives: &[r#"etag_secret = "1626e53a13043b026c48bbf33feff924""#],
        }
        .rule(),
    );
    rules
}
