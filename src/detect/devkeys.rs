//! The private keys every local development chain hands out by default:
//! Hardhat's and Anvil's (Foundry) twenty accounts from the mnemonic
//! "test test … junk", and Ganache's ten in deterministic mode. They are
//! published in every such tool's startup banner, so they are examples, not
//! leaks. They are derived here (BIP39 seed, then BIP32 along
//! m/44'/60'/0'/0/i) rather than listed, once per process.

use std::collections::HashSet;
use std::sync::LazyLock;

use hmac::{Hmac, KeyInit, Mac};
use k256::elliptic_curve::sec1::ToSec1Point;
use sha2::Sha512;

/// The development chains' mnemonics and how many accounts each hands out.
const CHAINS: &[(&str, u32)] = &[
    // Hardhat, Anvil (Foundry)
    (
        "test test test test test test test test test test test junk",
        20,
    ),
    // Ganache `--deterministic`
    (
        "myth like bonus scare over problem client lizard pioneer submit female collect",
        10,
    ),
];

static KEYS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    CHAINS
        .iter()
        .flat_map(|&(mnemonic, count)| account_keys(mnemonic, count))
        .map(hex)
        .collect()
});

/// True when `value` (64 hex digits, `0x` optional, any case) is one of the
/// development chains' default private keys.
pub fn is_dev_chain_key(value: &[u8]) -> bool {
    let hex = value.strip_prefix(b"0x").unwrap_or(value);
    hex.len() == 64
        && std::str::from_utf8(hex).is_ok_and(|h| KEYS.contains(&h.to_ascii_lowercase()))
}

fn hex(bytes: [u8; 32]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac512(key: &[u8], parts: &[&[u8]]) -> [u8; 64] {
    let mut mac = <Hmac<Sha512> as KeyInit>::new_from_slice(key).expect("HMAC takes any key");
    for part in parts {
        mac.update(part);
    }
    let mut out = [0u8; 64];
    out.copy_from_slice(&mac.finalize().into_bytes());
    out
}

/// The private keys of accounts 0..count of `mnemonic` (no passphrase) on
/// the Ethereum path m/44'/60'/0'/0/i.
fn account_keys(mnemonic: &str, count: u32) -> Vec<[u8; 32]> {
    let Ok(parsed) = bip39::Mnemonic::parse_normalized(mnemonic) else {
        return Vec::new();
    };
    let master = split(&hmac512(b"Bitcoin seed", &[&parsed.to_seed("")]));
    const HARD: u32 = 0x8000_0000;
    let Some(parent) = [44 | HARD, 60 | HARD, HARD, 0]
        .into_iter()
        .try_fold(master, child)
    else {
        return Vec::new();
    };
    (0..count)
        .filter_map(|i| child(parent, i).map(|(key, _)| key))
        .collect()
}

/// BIP32 private child derivation: (key, chain code) to the child `step`
/// (hardened when its top bit is set).
fn child((key, chain): ([u8; 32], [u8; 32]), step: u32) -> Option<([u8; 32], [u8; 32])> {
    let derived = if step & 0x8000_0000 != 0 {
        hmac512(&chain, &[&[0u8], &key, &step.to_be_bytes()])
    } else {
        let secret = k256::SecretKey::from_slice(&key).ok()?;
        let public = secret.public_key().to_sec1_point(true);
        hmac512(&chain, &[public.as_bytes(), &step.to_be_bytes()])
    };
    let (tweak, next_chain) = split(&derived);
    let sum = *k256::SecretKey::from_slice(&tweak)
        .ok()?
        .to_nonzero_scalar()
        + *k256::SecretKey::from_slice(&key).ok()?.to_nonzero_scalar();
    Some((sum.to_bytes().into(), next_chain))
}

fn split(bytes: &[u8; 64]) -> ([u8; 32], [u8; 32]) {
    let mut left = [0u8; 32];
    let mut right = [0u8; 32];
    left.copy_from_slice(&bytes[..32]);
    right.copy_from_slice(&bytes[32..]);
    (left, right)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_the_published_accounts() {
        // Hardhat's accounts #0 and #1 and Ganache's #0, as their banners print them.
        for key in [
            "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
            "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
            "0x4F3EDF983AC636A65A842CE7C78D9AA706D3B113BCE9C46F30D7D21715B23B1D",
        ] {
            assert!(is_dev_chain_key(key.as_bytes()), "{}", &key[..10]);
        }
        assert_eq!(KEYS.len(), 30);
    }

    #[test]
    fn other_keys_are_not_dev_chain_keys() {
        assert!(!is_dev_chain_key(
            b"0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
        ));
        assert!(!is_dev_chain_key(
            b"ac0974bec39a17e36ba4a6b4d238ff944bacb478"
        ));
        assert!(!is_dev_chain_key(b""));
    }

    #[test]
    fn the_wallet_rule_does_not_report_a_dev_chain_account() {
        let engine = crate::detect::Engine::default();
        let keys = account_keys(CHAINS[0].0, 20);
        let seventh = hex(keys[7]);
        let found = |text: &str| {
            engine
                .scan("deploy.env", text.as_bytes())
                .iter()
                .filter(|m| engine.rule(m.rule).id == "evm-private-key")
                .count()
        };
        assert_eq!(found(&format!("PRIVATE_KEY=0x{seventh}\n")), 0);
        // One digit changed: a key nobody published.
        let changed = format!(
            "{}{}",
            &seventh[..63],
            if seventh.ends_with('1') { '2' } else { '1' }
        );
        assert_eq!(found(&format!("PRIVATE_KEY=0x{changed}\n")), 1);
    }
}
