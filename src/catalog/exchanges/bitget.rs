//! Bitget: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{AROUND, PASS_NAME, SECRET_NAME, Part, bare, exchange_remediation, n};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::{Rule, base};
use crate::finding::Severity;

/// Bitget: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "bitget",
    name: "Bitget",
    api_page: "https://www.bitget.com/account/newapi",
    env_tokens: &["BITGET"],
    model: Model::Toggles,
    ip_allowlist: true,
    natives: &[
        n(&["Read-only"], &[Read]),
        // The switch that makes product toggles writable; grants nothing by itself.
        n(&["Read & Write"], &[Read]),
        n(&["Spot Trade", "Spot Trading"], &[SpotTrade]),
        n(&["Margin Trading"], &[MarginTrade]),
        n(
            &["Futures Orders", "Futures Holdings", "Futures Trading"],
            &[FuturesTrade],
        ),
        n(&["Copy Trading"], &[FuturesTrade]),
        n(&["Wallet: Transfer"], &[Transfer]),
        n(&["Wallet: Withdraw"], &[Withdraw]),
        n(&["P2P Trading"], &[P2p]),
    ],
    rules,
    verify: None,
};

/// Bitget's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(Rule {
        id: "bitget-api-key",
        exchange: "bitget",
        severity: High,
        description: "Bitget API key (bg_ followed by 32 hex)",
        keywords: &["bg_"],
        pattern: bare(r"bg_[0-9a-f]{32}"),
        scope: AROUND,
        min_entropy: 3.0,
        group: Some("bitget"),
        examples: &[r#"BITGET_API_KEY=bg_14028d512c9791e558e08baa7196b50a"#],
        negatives: &[
            r#"BITGET_API_KEY=bg_xxx"#,
            r#"color = "bg_14028d512c9791e558e08baa7196b50a9""#,
        ],
        remediation: exchange_remediation("bitget"),
        ..base()
    });
    rules.push(Part {
        id: "bitget-api-secret",
        exchange: "bitget",
        severity: Critical,
        description: "Bitget API secret (64 lowercase hex) near the word Bitget",
        context: &["bitget"],
        name: SECRET_NAME,
        value: r"[0-9a-f]{64}",
        min_entropy: 3.5,
        examples: &[r#"BITGET_SECRET_KEY=e228f219e9cb0eb53f16947ccf25ec84d8dbc74254770f58904dba41ecccc3fc"#],
        negatives: &[r#"sha256 = "e228f219e9cb0eb53f16947ccf25ec84d8dbc74254770f58904dba41ecccc3fc""#],
    }
    .rule());
    rules.push(
        Part {
            id: "bitget-api-passphrase",
            exchange: "bitget",
            severity: High,
            description: "Bitget API passphrase (chosen by the user) assigned near the word Bitget",
            context: &["bitget"],
            name: PASS_NAME,
            value: r"[A-Za-z0-9!@#%^&*_+\-=,?]{8,32}",
            min_entropy: 2.5,
            examples: &[r#"BITGET_PASSPHRASE=Bg8tPass2024x"#],
            negatives: &[r#"BITGET_PASSPHRASE=${BITGET_PASSPHRASE}"#],
        }
        .rule(),
    );
    rules
}
