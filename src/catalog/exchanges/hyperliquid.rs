//! Hyperliquid: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{NEAR_NAME, assign, n};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::{Rule, base};
use crate::detect::validate;
use crate::finding::Severity;

/// Hyperliquid: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "hyperliquid",
    name: "Hyperliquid",
    api_page: "https://app.hyperliquid.xyz/API",
    env_tokens: &["HYPERLIQUID"],
    model: Model::Role,
    ip_allowlist: false,
    natives: &[
        // The wallet itself: withdraws, transfers and approves agents.
        n(
            &["master", "Master Key", "Master Wallet"],
            &[Withdraw, Transfer, Admin],
        ),
        // "can only sign L1 actions, not transfers or withdrawals".
        n(
            &["agent", "API Wallet", "Agent Wallet"],
            &[Read, SpotTrade, FuturesTrade],
        ),
    ],
    rules,
    verify: None,
};

/// Hyperliquid's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(Rule {
        id: "hyperliquid-private-key",
        exchange: "hyperliquid",
        severity: Critical,
        description: "Hyperliquid wallet private key (64 hex) near the word Hyperliquid",
        keywords: &["secret", "priv", "pk"],
        pattern: assign(r"(?:secret|private|priv|pk)", r"(?:0x)?[0-9a-fA-F]{64}", false),
        scope: NEAR_NAME,
        context: &["hyperliquid"],
        validate: Some(validate::evm_private_key),
        min_entropy: 3.3,
        group: Some("hyperliquid"),
        examples: &[r#"HYPERLIQUID_PRIVATE_KEY=0xcc6577428c2f6d6bc64e5a22fac180d6b2e6e1b465e551305fd2d2490ca4c616"#],
        negatives: &[r#"hyperliquid_tx_hash = "0xcc6577428c2f6d6bc64e5a22fac180d6b2e6e1b465e551305fd2d2490ca4c616""#],
        remediation: "Move the funds to a new wallet now: a leaked wallet key cannot be revoked. For API \
                      (agent) wallets, remove the agent on https://app.hyperliquid.xyz/API and approve a new one."
            .into(),
        wallet: true,
        ..base()
    });
    rules
}
