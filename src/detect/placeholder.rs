//! Values that look like secrets but are not: templates, stand-ins, environment
//! references and published documentation example keys (EXCHANGES.md section 9).
//!
//! Every rule's candidate passes through [`is_placeholder`]; a rule never has to
//! repeat these checks.

use super::entropy;

/// Published example keys from exchange documentation, SDK docs and bot
/// frameworks. Exact matches are never reported.
const KNOWN_EXAMPLES: &[&str] = &[
    // Binance
    "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
    "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
    "CAvIjXy3F44yW6Pou5k8Dy1swsYDWJZLeoK2r8G4cFDnE9nosRppc2eKc1T8TRTQ",
    "4yNzx3yWC5bS6YTwEkSRaC0nRmSQIIStAUOh1b6kqaBrTLIhjCpI5lJH8q8R8WNO",
    "Fhs4lGae2qAi6VNjbJjebUAwXrIChb7mlf372UOICMwdKaNdNBGKtfdeUff2TTTT",
    "7f3fc79c57d7a70d2b644ad4589672f4a5d55a62af2a336a0af7d4896f8d48b8",
    "k5V49ldtn4tszj6W3hystegdfvmGbqDzjmkCtpTvC0G74WhK7yd4rfCTo4lShf",
    // KuCoin
    "5c2db93503aa674c74a31734",
    "f03a5284-5c39-4aaa-9b20-dea10bdcf8e3",
    "QWIxMjM0NTY3OCkoKiZeJSQjQA==",
    "671afb36cee20f00015cfaf1",
    "662afc7e873b9300018e41a1",
    "Abc123456",
    "11223344",
    // Kraken
    "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==",
    "4/SDrDBcOOPnm3nPlNfEMMJDeRcIVqPz+QhRxIodyZbI9po/aVRiHsgX",
    "rRra59qKQs3y1egAgSaG0RJlBcbq97wTUXSxXxPdhRZdv7z9ijZRWgrf",
    "rttp4AzwRfYEdQ7R7X8Z/04Y4TZPa97pqCypi3xXxAqftygftnI6H9yGV+OcUOOJeFtZkr8mVwbAndU3Kz4Q+eG",
    // Coinbase
    "g3BLnUYMOQsIo9V5",
    "M4009eFnOoPwhNoMwJlsAHgIgleGVFPl",
    "organizations/8f1ac569-ed29-48ae-b989-6798a975afab/apiKeys/87d98ae9-f31f-42ee-9b69-723d3ff9dd77",
    "k7b9f2d7e8h1g3j4",
    "S9vP3rK2sLqR7xW1yZ0aB5cD6fE8gH9i",
    // OKX
    "22582BD0CFF14C41EDBF1AB98506286D",
    // BitMEX
    "LAqUlngMIQkIUjXMUreyu3qn",
    "chNOOS4KvNXR_Xq4k4c9qsfoKWvnDecLATCRlcBwyKDYnWgO",
    // Deribit
    "TiA4AyLPq3",
    "aD-KFx-H",
    "1sXMQBhM",
    "SjM57m1T2CfXZ4vZ76X1APjqRlJdtzHI8IwVXoQnfoM",
    "mwNOvbUVyQczytQ5IVM8CbzmgqNJ81WvLKfu6MXcJPs",
    "B6RsF9rrLY5ezEGBQkyLlV-UC7whyPJ34BMA-kKYpes",
    // freqtrade docs' "fake" pair
    "af8ddd35195e9dc500b9a6f799f6f5c93d89193b",
    "08a9dc6db3d7b53e1acebd9275677f4b0a04f1a5",
    // Telegram docs
    "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
    "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11",
    // web3.js documentation (privateKeyToAccount)
    "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318",
    "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318",
    // Hardhat / Anvil / Foundry default account #0
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    // FastAPI documentation, "OAuth2 with Password, Bearer with JWT tokens": SECRET_KEY
    "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7",
    // Solana's public program ids (System, SPL Token, Token-2022, Associated Token Account)
    "11111111111111111111111111111111",
    "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
    "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb",
    "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL",
    // The analytics source key in the script of every Cloudflare error page
    // (`Sparrow-Source-Key`), in saved copies of those pages.
    "c771f0e4b54944bebf4261d44bd79a1e",
    // CoinMarketCap's sandbox API key (sandbox-api.coinmarketcap.com)
    "b54bcf4d-1bca-4e8e-9a24-22ff2c3d462c",
    // gitleaks' global allowlist
    "014df517-39d1-4453-b7b3-9930c563627c",
];

/// Well-known test mnemonics: Hardhat's default and the official BIP39 English
/// test vectors (as shipped in the `bip39` crate's tests).
const KNOWN_MNEMONICS: &[&str] = &[
    "test test test test test test test test test test test junk",
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
    "legal winner thank year wave sausage worth useful legal winner thank yellow",
    "letter advice cage absurd amount doctor acoustic avoid letter advice cage above",
    "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong",
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon agent",
    "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal will",
    "letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic avoid letter always",
    "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo when",
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art",
    "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title",
    "letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic bless",
    "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote",
    "ozone drill grab fiber curtain grace pudding thank cruise elder eight picnic",
    "gravity machine north sort system female filter attitude volume fold club stay feature office ecology stable narrow fog",
    "hamster diagram private dutch cause delay private meat slide toddler razor book happy fancy gospel tennis maple dilemma loan word shrug inflict delay length",
    "scheme spot photo card baby mountain device kick cradle pact join borrow",
    "horn tenant knee talent sponsor spell gate clip pulse soap slush warm silver nephew swap uncle crack brave",
    "panda eyebrow bullet gorilla call smoke muffin taste mesh discover soft ostrich alcohol speed nation flash devote level hobby quick inner drive ghost inside",
    "cat swing flag economy stadium alone churn speed unique patch report train",
    "light rule cinnamon wrap drastic word pride squirrel upgrade then income fatal apart sustain crack supply proud access",
    "all hour make first leader extend hole alien behind guard gospel lava path output census museum junior mass reopen famous sing advance salt reform",
    "vessel ladder alter error federal sibling chat ability sun glass valve picture",
    "scissors invite lock maple supreme raw rapid void congress muscle digital elegant little brisk hair mango congress clump",
    "void come effort suffer camp survey warrior heavy shoot primary clutch crush open amazing screen patrol group space point ten exist slush involve unfold",
    "getter advice cage absurd amount doctor acoustic avoid letter advice cage above",
    "letter advice cagex absurd amount doctor acoustic avoid letter advice cage above",
    "primary advice cage absurd amount doctor acoustic avoid letter advice cage above",
];

/// Words that mark a hand-written stand-in. Checked case-insensitively as substrings.
const STAND_IN_WORDS: &[&str] = &[
    "your",
    "example",
    "sample",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "dummy",
    "fake",
    "redacted",
    "sentinel",
    "xxxx",
    "****",
    "....",
    "…",
    "<",
    ">",
    "${",
    "{{",
    "}}",
    "%(",
    "replace",
    "insert",
    "todo",
    "fixme",
    "secret_here",
    "key_here",
    "here_",
    "abcdefghij",
    "0123456789",
    "1234567890",
    "test_key",
    "testkey",
    "mykey",
    "my_key",
    "my-key",
    "nokey",
    "no key",
    "api_key_hier",
];

/// True when `value` is a template, a stand-in or a published example.
pub fn is_placeholder(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return true;
    }
    if KNOWN_EXAMPLES.contains(&trimmed) || super::devkeys::is_dev_chain_key(trimmed.as_bytes()) {
        return true;
    }
    let normalized = trimmed.split_whitespace().collect::<Vec<_>>().join(" ");
    if KNOWN_MNEMONICS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(&normalized))
    {
        return true;
    }
    // Environment and template references: $VAR, %VAR%, @VAR@.
    if trimmed.starts_with('$')
        || (trimmed.starts_with('%') && trimmed.ends_with('%'))
        || (trimmed.starts_with('@') && trimmed.ends_with('@'))
    {
        return true;
    }
    let lower = trimmed.to_ascii_lowercase();
    if STAND_IN_WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    // Masked by hand in a logged or documented response: `2fFZuXXX_CXB5XXXDG…`.
    if text.matches("XXX").count() >= 2 {
        return true;
    }
    // One character repeated over half the value (`aaaa…`, `0000…`), or a typed run.
    let bytes = trimmed.as_bytes();
    if entropy::longest_run(bytes) * 2 > bytes.len() || entropy::longest_sequence(bytes) >= 8 {
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stand_ins_are_placeholders() {
        for v in [
            "your_api_key_here",
            "YOUR_BINANCE_API_KEY_ENCRYPTED",
            "<API_KEY>",
            "${BINANCE_SECRET}",
            "$BINANCE_SECRET",
            "{{ secrets.KEY }}",
            "changeme",
            "xxxxxxxxxxxxxxxxxx",
            "7hQmXXX_Rk2pXXXWvNcXXXLsYtBnq",
            "0000000000000000000000000000000000000000",
            "abcdefghijklmnopqrstuvwxyz123456",
            "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
            "test test test test test test test test test test test junk",
        ] {
            assert!(is_placeholder(v.as_bytes()), "{v} should be a placeholder");
        }
    }

    #[test]
    fn generated_keys_are_not_placeholders() {
        for v in [
            "Q7tKz2mWv9RbX4nLp8YcJ3hG6sDf1AeU5oVi0BwNqZr7TyHk2MxCgE9uPl4SjOd6",
            "3f9a1c7e5b2d4f60",
            "bg_7c1e4a9f3b2d8e6f0a5c1b7d9e3f2a4c",
            // One `XXX` in a random value is chance, not a mask.
            "Kp4XXX9mWq2LbT7vRs1NcZ8yHj3Gd",
        ] {
            assert!(!is_placeholder(v.as_bytes()), "{v} is not a placeholder");
        }
    }
}
