//! The catalog's own checks: every rule finds its examples and not its
//! look-alikes, ids are unique and stable in order, every exchange is whole.

use super::*;
use crate::detect::{Engine, Files};

/// The built-in rules' ids in the engine's order, as before the catalog
/// split them over files. Overlap resolution depends on this order: a change
/// here must be deliberate.
const ORDER: &[&str] = &[
    "binance-api-key",
    "binance-api-secret",
    "binance-private-key",
    "coinbase-cdp-key-name",
    "coinbase-cdp-private-key",
    "coinbase-api-secret",
    "coinbase-legacy-api-key",
    "coinbase-legacy-api-secret",
    "kraken-api-key",
    "kraken-private-key",
    "kucoin-api-key",
    "kucoin-api-secret",
    "kucoin-api-passphrase",
    "okx-api-key",
    "okx-api-secret",
    "okx-api-passphrase",
    "bybit-api-key",
    "bybit-api-secret",
    "bitfinex-api-key",
    "bitfinex-api-secret",
    "gemini-api-key",
    "gemini-api-secret",
    "bitget-api-key",
    "bitget-api-secret",
    "bitget-api-passphrase",
    "gate-api-key",
    "gate-api-secret",
    "htx-access-key",
    "htx-secret-key",
    "bitstamp-api-key",
    "bitstamp-api-secret",
    "cryptocom-api-key",
    "cryptocom-api-secret",
    "mexc-api-key",
    "mexc-api-secret",
    "deribit-client-id",
    "deribit-client-secret",
    "bitmex-api-key",
    "bitmex-api-secret",
    "alpaca-api-key-id",
    "alpaca-api-secret",
    "hyperliquid-private-key",
    "evm-private-key",
    "bip39-mnemonic",
    "pem-private-key",
    "pem-private-key-base64",
    "der-private-key",
    "pem-encrypted-private-key",
    "telegram-bot-token",
    "octobot-encrypted-secret",
    "hummingbot-encrypted-key",
    "slack-webhook",
    "discord-webhook",
    "dingtalk-webhook",
    "github-token",
    "openai-api-key",
    "anthropic-api-key",
    "aws-access-key-id",
    "aws-secret-access-key",
    "infura-project-id",
    "alchemy-api-key",
    "infura-api-key",
    "quicknode-endpoint",
    "etherscan-api-key",
    "coingecko-api-key",
    "coinmarketcap-api-key",
    "cryptocompare-api-key",
    "sendgrid-api-key",
    "twilio-account-sid",
    "twilio-api-key-sid",
    "twilio-auth-token",
    "polymarket-api-key",
    "polymarket-api-secret",
    "polymarket-api-passphrase",
    "posthog-project-key",
    "posthog-personal-api-key",
    "coveralls-repo-token",
    "circleci-status-token",
    "supabase-service-role-key",
    "supabase-anon-key",
    "jwt",
    "jwt-signing-secret",
    "password-assignment",
    "credential-call-password",
    "database-url-password",
    "generic-api-secret",
    "generic-env-secret",
];

#[test]
fn rule_order_is_unchanged() {
    let ids: Vec<&str> = rules().iter().map(|r| r.id).collect();
    assert_eq!(ids, ORDER);
}

#[test]
fn the_rule_table_is_built_once() {
    let engines = [Engine::default(), Engine::default()];
    assert_eq!(engines[0].rules().len(), rules().len());
    assert!(!rule_infos().is_empty());
    assert!(rule_info("okx-api-key").is_some());
    assert!(std::ptr::eq(rules(), rules()));
    assert_eq!(
        crate::source::counts::get(crate::source::counts::Counter::RuleTables),
        1
    );
}

/// Runs every rule's examples (must be found by that rule) and negatives
/// (must not be found by that rule), through the whole engine.
#[test]
fn every_rule_finds_its_examples_and_not_its_look_alikes() {
    let engine = Engine::default();
    let mut failures = Vec::new();
    for rule in engine.rules() {
        assert!(!rule.examples.is_empty(), "{} has no example", rule.id);
        assert!(!rule.negatives.is_empty(), "{} has no look-alike", rule.id);
        for ex in rule.examples {
            // Unquoted examples are .env lines; quoted ones are code.
            let path = if rule.files == Files::ConfigOnly || !ex.contains(['"', '\'', '`']) {
                ".env"
            } else {
                "config.py"
            };
            let found = engine.scan(path, ex.as_bytes());
            if !found.iter().any(|m| engine.rule(m.rule).id == rule.id) {
                let ids: Vec<_> = found.iter().map(|m| engine.rule(m.rule).id).collect();
                failures.push(format!(
                    "{}: missed example {ex:?} as {path} (found {ids:?})",
                    rule.id
                ));
            }
        }
        // A look-alike must not match in any kind of file.
        for neg in rule.negatives {
            for path in [".env", "config.py"] {
                let found = engine.scan(path, neg.as_bytes());
                if found.iter().any(|m| engine.rule(m.rule).id == rule.id) {
                    failures.push(format!("{}: matched look-alike {neg:?} as {path}", rule.id));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn ids_are_unique_kebab_case_and_exchanges_known() {
    let rules = rules();
    let mut ids: Vec<_> = rules.iter().map(|r| r.id).collect();
    for id in &ids {
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{id} is not kebab-case"
        );
    }
    ids.sort();
    let n = ids.len();
    ids.dedup();
    assert_eq!(n, ids.len(), "duplicate rule ids");
    for r in rules {
        assert!(!r.remediation.is_empty(), "{} has no remediation", r.id);
        assert!(!r.description.is_empty(), "{} has no description", r.id);
    }
}

/// Each exchange's rules name it, and each exchange has a rule, a page, a
/// name token and at least one native permission.
#[test]
fn every_exchange_is_whole() {
    let mut ids: Vec<&str> = Vec::new();
    for e in EXCHANGES {
        assert!(!ids.contains(&e.id), "{} listed twice", e.id);
        ids.push(e.id);
        let rules = (e.rules)();
        assert!(!rules.is_empty(), "no rule for exchange {}", e.id);
        for r in &rules {
            assert_eq!(r.exchange, e.id, "{} is in {}'s file", r.id, e.id);
        }
        assert!(e.api_page.starts_with("https://"), "{}", e.id);
        assert!(!e.env_tokens.is_empty(), "{} has no env-name token", e.id);
        for t in e.env_tokens {
            assert!(
                t.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
                "{}: token {t}",
                e.id
            );
            assert_eq!(
                exchange_of_env_token(t),
                Some(e.id),
                "{t} names two exchanges"
            );
        }
        assert!(!e.natives.is_empty(), "{} has no permission row", e.id);
        assert_eq!(exchange_named(e.name).map(|x| x.id), Some(e.id));
    }
    // A rule that names an exchange is in that exchange's file.
    let in_files: usize = EXCHANGES.iter().map(|e| (e.rules)().len()).sum();
    let naming = rules()
        .iter()
        .filter(|r| exchange(r.exchange).is_some())
        .count();
    assert_eq!(in_files, naming);
}

#[test]
fn check_rule_ids_are_unique_kebab_case_and_apart_from_leak_rules() {
    let leak: Vec<&str> = rules().iter().map(|r| r.id).collect();
    let mut ids: Vec<&str> = checks::CHECK_RULES.iter().map(|r| r.0).collect();
    for id in &ids {
        assert!(
            id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{id}"
        );
        assert!(
            id.starts_with("env-") || id.starts_with("manifest-"),
            "{id}"
        );
        assert!(!leak.contains(id), "{id} is also a leak rule");
    }
    ids.sort_unstable();
    let n = ids.len();
    ids.dedup();
    assert_eq!(n, ids.len(), "duplicate check rule ids");
    assert_eq!(rule_infos().len(), leak.len() + n);
}

#[test]
fn lookups() {
    assert_eq!(exchange_name("okx"), "OKX");
    assert_eq!(exchange_name("wallet"), "wallet");
    assert_eq!(
        exchange_named("Crypto.com").map(|e| e.id),
        Some("cryptocom")
    );
    assert_eq!(
        exchange_named("crypto-com").map(|e| e.id),
        Some("cryptocom")
    );
    assert_eq!(exchange_of_env_token("HUOBI"), Some("htx"));
    assert_eq!(exchange_of_env_token("API"), None);
    assert_eq!(
        rule_info(crate::checks::env::PRINTED).map(|r| r.check),
        Some(Check::Env)
    );
    assert_eq!(rule_info("okx-api-secret").map(|r| r.exchange), Some("okx"));
}

/// Issue 8: no built-in rule's regex runs over a whole piece of content;
/// each runs in windows around keywords found in one pass.
#[test]
fn every_rule_runs_in_windows_around_its_keywords() {
    for rule in crate::catalog::rules() {
        assert!(!rule.keywords.is_empty(), "{} has no keyword", rule.id);
        assert_ne!(
            rule.scope,
            crate::detect::Scope::Whole,
            "{} runs over whole contents",
            rule.id
        );
    }
}
