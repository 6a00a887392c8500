//! OKX: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{API_KEY_NAME, PASS_NAME, Part, SECRET_NAME, n};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::Rule;
use crate::finding::Severity;

/// OKX: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "okx",
    name: "OKX",
    api_page: "https://www.okx.com/account/my-api",
    env_tokens: &["OKX", "OKEX"],
    model: Model::Toggles,
    ip_allowlist: true,
    natives: &[
        n(&["Read", "read_only"], &[Read]),
        // One toggle for every instrument type.
        n(&["Trade"], &[SpotTrade, MarginTrade, FuturesTrade]),
        n(&["Withdraw"], &[Withdraw]),
    ],
    rules,
    verify: None,
};

/// OKX's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(
        Part {
            id: "okx-api-key",
            exchange: "okx",
            severity: High,
            description: "OKX API key (UUID) assigned to a key field near the word OKX",
            context: &["okx", "okex"],
            name: API_KEY_NAME,
            value: r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            min_entropy: 3.0,
            examples: &[r#"OKX_API_KEY="86ce03f9-1a4f-44f9-a651-1445b9f3635c""#],
            negatives: &[
                r#"trace_id = "86ce03f9-1a4f-44f9-a651-1445b9f3635c""#,
                r#"{"exchange": "okx", "clOrdId": "86ce03f9-1a4f-44f9-a651-1445b9f3635c"}"#,
            ],
        }
        .rule(),
    );
    rules.push(Part {
        id: "okx-api-secret",
        exchange: "okx",
        severity: Critical,
        description: "OKX API secret (32 uppercase hex) assigned to a secret field near the word OKX",
        context: &["okx", "okex"],
        name: SECRET_NAME,
        value: r"[0-9A-F]{32}",
        min_entropy: 3.0,
        examples: &[r#"okx = ccxt.okx({"apiKey": "86ce03f9-1a4f-44f9-a651-1445b9f3635c", "secret": "4D6608697A8D41BED440E50454F31AF3"})"#],
        negatives: &[
            r#"OKX_SECRET_KEY=22582BD0CFF14C41EDBF1AB98506286D"#,
            r#"md5 = "4D6608697A8D41BED440E50454F31AF3""#,
        ],
    }
    .rule());
    rules.push(
        Part {
            id: "okx-api-passphrase",
            exchange: "okx",
            severity: High,
            description: "OKX API passphrase (chosen by the user) assigned near the word OKX",
            context: &["okx", "okex"],
            name: PASS_NAME,
            value: r"[A-Za-z0-9!@#%^&*_+\-=,?]{8,32}",
            min_entropy: 2.5,
            examples: &[r#"OKX_PASSPHRASE=Gr1dB0t#Okx77"#],
            negatives: &[r#"OKX_PASSPHRASE=your-passphrase"#],
        }
        .rule(),
    );
    rules
}
