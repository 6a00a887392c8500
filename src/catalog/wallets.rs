//! Wallet keys not tied to one exchange: EVM private keys and BIP39 seed phrases.

use crate::catalog::build::{NEAR_CONTEXT, NEAR_NAME, assign};
use crate::detect::rule::{Rule, base};
use crate::detect::validate;
use crate::finding::Severity;

/// The rules of this file, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
pub fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(Rule {
        id: "evm-private-key",
        exchange: "wallet",
        severity: Critical,
        description: "EVM wallet private key (64 hex in the secp256k1 range) assigned to a private-key field",
        keywords: &["priv", "pk", "wallet", "key"],
        // A wallet's name for its key. Not `secret_key`: that is what web
        // frameworks call their signing secret (`SECRET_KEY`, `jwt_secret_key`,
        // 64 hex as often as not), which the generic rules report for what
        // its name says.
        pattern: assign(r"(?:private[_\-.]?key|privkey|priv[_\-]?key|wallet[_\-.]?(?:key|secret)|\bpk\b|\bp_?key\b|signer[_\-.]?key|eth[_\-.]?key)", r"(?:0x)?[0-9a-fA-F]{64}", false),
        validate: Some(validate::evm_private_key),
        min_entropy: 3.3,
        scope: NEAR_NAME,
        generic: true,
        examples: &[
            r#"PRIVATE_KEY=0xcc6577428c2f6d6bc64e5a22fac180d6b2e6e1b465e551305fd2d2490ca4c616"#,
            r#"wallet_secret = "5f3c91d2a47be08e6d1f2c9a0b7e43d18c6a5f20e9b17d4c3a8f6e2d1b0c9a7e""#,
            r#"pkey = "9A4E2C7B1D5F3A8E6C0B2D4F7A9C1E3B5D8F0A2C4E6B9D1F3A5C7E0B2D4F6A8C""#,
        ],
        negatives: &[
            r#"PRIVATE_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"#,
            r#"private_key_hash = "cc6577428c2f6d6bc64e5a22fac180d6b2e6e1b465e551305fd2d2490ca4c616""#,
            r#"pkey_digest = "9a4e2c7b1d5f3a8e6c0b2d4f7a9c1e3b5d8f0a2c4e6b9d1f3a5c7e0b2d4f6a8c""#,
            r#"tx = "0xcc6577428c2f6d6bc64e5a22fac180d6b2e6e1b465e551305fd2d2490ca4c616""#,
            r#""jwt_secret_key": "5f3c91d2a47be08e6d1f2c9a0b7e43d18c6a5f20e9b17d4c3a8f6e2d1b0c9a7e","#,
            r#"SECRET_KEY = "5f3c91d2a47be08e6d1f2c9a0b7e43d18c6a5f20e9b17d4c3a8f6e2d1b0c9a7e""#,
        ],
        remediation: "Move the funds to a new wallet now: a leaked wallet key cannot be revoked, and anyone \
                      with a clone can sign with it."
            .into(),
        wallet: true,
        ..base()
    });
    rules.push(Rule {
        id: "bip39-mnemonic",
        exchange: "wallet",
        severity: Critical,
        description: "BIP39 seed phrase (12-24 English words with a valid checksum) near the word mnemonic or seed",
        keywords: &["mnemonic", "seed", "phrase", "recovery"],
        pattern: r"(?:^|[^a-z])(?P<secret>(?:[a-z]{3,8}[ \t]+){11,23}[a-z]{3,8})(?:[^a-z]|$)".into(),
        scope: NEAR_CONTEXT,
        context: &["mnemonic", "seed", "phrase", "recovery"],
        validate: Some(validate::bip39_mnemonic),
        examples: &[
            r#"MNEMONIC="inherit unaware want sunset jazz right arena fan coral lazy general victory""#,
            r#"seed_phrase: "pave unusual slim couch cave must funny delay together minimum live cradle rent will soldier waste oval course chief amateur embody marine destroy cinnamon""#,
        ],
        negatives: &[
            r#"MNEMONIC="test test test test test test test test test test test junk""#,
            r#"seed = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon""#,
            r#"mnemonic = "inherit unaware want sunset jazz right arena fan coral lazy general general""#,
        ],
        remediation: "Move the funds to a wallet with a new seed phrase now: a leaked seed phrase controls \
                      every account derived from it and cannot be revoked."
            .into(),
        ..base()
    });
    rules
}
