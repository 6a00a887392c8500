//! Generic rules: a high-entropy value assigned to a credential-named field,
//! for credentials no specific rule knows. They yield to any specific rule
//! matching the same span.

use crate::catalog::build::{NEAR_NAME, assign_whole};
use crate::detect::rule::{Files, Rule, base};
use crate::detect::validate;
use crate::finding::Severity;

/// Field names that hold a credential of any kind.
const GENERIC_NAME: &str = r"(?:api[_.\-]?key|apikey|api[_.\-]?secret|secret|passphrase|password|private[_.\-]?key|privkey|access[_.\-]?key|access[_.\-]?token|auth[_.\-]?token|token|client[_.\-]?secret|\bkey\b)";

/// A generic credential value: a key id and secret as two UUIDs joined by a
/// dot (LI.FI's keys), or a run of base64/base64url/hex characters.
const GENERIC_VALUE: &str = r"(?:[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\.[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|[A-Za-z0-9+/=_\-]{16,256})";

/// The rules of this file, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
pub fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(Rule {
        id: "generic-api-secret",
        exchange: "generic",
        severity: High,
        description: "High-entropy quoted value assigned to a key/secret/token/passphrase field (Python, JS/TS, Go, Rust, C#, Java, PHP, JSON, YAML, TOML, XML, getenv defaults)",
        keywords: &["key", "secret", "token", "pass"],
        pattern: assign_whole(GENERIC_NAME, GENERIC_VALUE, true),
        min_entropy: 3.5,
        validate: Some(validate::generic_value),
        rejects: Some(digest_under_bare_key),
        scope: NEAR_NAME,
        generic: true,
        examples: &[
            r#"exchange = ccxt.phemex({"apiKey": "Qd8Mj7zdnbMjAdTdlzC5T4uUhf7kvmlP7HVDctQUy1xv"})"#,
            r#"{"key": "SvTAxRzmaZsV2GenFmtX0moDoqW4sg8NFNl5oFA6"}"#,
            r#"api_secret = "k3_9fq2z_0x7mpl_4r8tzw1""#,
            r#"var apiToken string = "Hq3Lw8Zr5Tk2Vn9Bx4Mc7Gd1Js6Fp0A""#,
            r#"LIFI_API_KEY = "7c2e9a41-5b3d-4f80-9e16-2a8c4d7b0f53.e5a1c9d7-3f28-4b6e-a0d4-91c7f2e8b536""#,
            r#"api_secret: str = "Zt4Kq9Wm2Lx7Bv3Nc8Hj5Rp1Gd6Fs0Ay""#,
            r#"const API_KEY: &'static str = "Wn3Bj6Hc1Dg5Fs0AyE2uKm8RtQz7Xv9Lp";"#,
            r#"secret = os.getenv("API_SECRET", "Rv8Wn3Bj6Hc1Dg5Fs0AyE2uKm8RtQz7X")"#,
            r#"System.setProperty("API_TOKEN", "Lp4Tz8Wn3Bj6Hc1Dg5Fs0AyE2uKm8Rt");"#,
            r#"$apiToken .= "Bx4Mc7Gd1Js6Fp0AyE2uKm8RtQwZt4Kq";"#,
            r#"const token = process.env.BOT_TOKEN || "Gd1Js6Fp0AyE2uKm8RtQwZt4Kq9Wm2Lx";"#,
            r#"<add key="ApiToken" value="Fs0AyE2uKm8RtQz7Xv9Lp4Tz8Wn3Bj6H" />"#,
            r#"buildConfigField "String", "API_SECRET", "\"Km8RtQz7Xv9Lp4Tz8Wn3Bj6HFs0AyE2u\"""#,
            // Wrapped by Prettier onto the next line.
            "export const privateKey =\n  'Lp4Tz8Wn3Bj6HFs0AyE2uKm8RtQz7Xv9';",
        ],
        negatives: &[
            r#"api_key = os.getenv("EXCHANGE_API_KEY")"#,
            r#"{"key": "welcome_message_title"}"#,
            r#"cache_key = "Qd8Mj7zdnbMjAdTdlzC5T4uUhf7kvmlP7HVDctQUy1xv""#,
            r#""integrity": "sha512-Qd8Mj7zdnbMjAdTdlzC5T4uUhf7kvmlP7HVDctQUy1xv""#,
            r#"api_key = "your_api_key_here_1234567890""#,
            r#""next_page_token": "QlRDL1VTRHxNfDIwMjItMDctMjFUMDU6MDE6MDAuMDAwMDAwMDAwWg==""#,
            r#""token": "0x680dee9edfff0c397736e10b017cf6a0aee4ba31""#,
            r#""token": "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJiMXgtYXV0aC1zZXJ2aWNlIn0.5FSyrihzc1""#,
            r#"'key': '9e58cc35-5b5e-4133-92ec-166e3f077cb8'"#,
            r#"GET_TOKEN_DAILY_YIELD = "/v5/earn/token/yield2""#,
            r#""listenKey": "T3ee22BIYuWqmvne0HNq2A2WsFlEtLhvWCtItw6ffhhdmjifQ2tRbuKkTHhr""#,
            r#"api_key = config.api_key_v2_for_prod"#,
            r#"ConfigVar(key="order_2_refresh_tolerance_pct", prompt="How far may prices move?")"#,
            r#"{"key": "exchange_order_cancel_on_exit_v2", "type": "bool"}"#,
            r#"SECRET_KEY = "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7""#,
            r#"{"0031_add_api_key_rotation.sql": "5f0c1e7a9b2d4c6e8f1a3b5d7c9e0f2a4b6d8c1e3f5a7b9d0c2e4f6a8b1d3c5e"}"#,
            r#""broker-key": "Zt7Qm2Xk9Lp4Rv8Wn3Bj6Hc1Dg5Fs0Ay""#,
            r#"record_key = "ETHUSDT-2021-08-16T23:00:00+00:00""#,
            r#"SOLANA_TOKEN_PROGRAM: TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"#,
            r#"outputToken: 1f9840a85d5af5bf1d1762f925bdaddc4201f984.factory.bridge.near"#,
            r#""access_token": "_eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln""#,
            r#"secret = os.getenv("API_SECRET", default_secret_from_vault)"#,
            r#""password": "3d1f0e6a9c7b5e2d4f8a1c3e5b7d9f0a2c4e6b8d1f3a5c7e9b0d2f4a6c8e1b3d""#,
            r#"var apiToken string = os.Getenv("API_TOKEN_FOR_THE_BOT_X1")"#,
            r#"for token in tokens: print("Hq3Lw8Zr5Tk2Vn9Bx4Mc7Gd1Js6Fp0A")"#,
            r#"VAULT_SECRET_NAME = "Hq3Lw8Zr5Tk2Vn9Bx4Mc7Gd1Js6Fp0A""#,
            r#"csrf_token = "Kd8Wq2Nz5Xv7Bm3Lp9Rt4Yh6Jc1Gf0Ae""#,
        ],
        remediation: "Revoke this credential where it was issued and create a new one; load it from a \
                      gitignored .env file instead of the source."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "generic-env-secret",
        exchange: "generic",
        severity: High,
        description: "High-entropy unquoted value assigned to a key/secret/token/passphrase variable (.env, YAML, INI, Makefile, XML)",
        keywords: &["key", "secret", "token", "pass"],
        pattern: assign_whole(GENERIC_NAME, GENERIC_VALUE, false),
        min_entropy: 3.5,
        validate: Some(validate::generic_value),
        rejects: Some(digest_under_bare_key),
        files: Files::ConfigOnly,
        scope: NEAR_NAME,
        generic: true,
        examples: &[
            "PHEMEX_API_SECRET=Qd8Mj7zdnbMjAdTdlzC5T4uUhf7kvmlP7HVDctQUy1xv",
            "API_TOKEN ?= Hq3Lw8Zr5Tk2Vn9Bx4Mc7Gd1Js6Fp0AyE2u",
            "BOT_SECRET ::= Zt4Kq9Wm2Lx7Bv3Nc8Hj5Rp1Gd6Fs0AyE2",
            "<apiToken>Wn3Bj6Hc1Dg5Fs0AyE2uKm8RtQz7Xv9Lp</apiToken>",
            "<apiToken>\n    Wn3Bj6Hc1Dg5Fs0AyE2uKm8RtQz7Xv9Lp\n</apiToken>",
        ],
        negatives: &[
            // Blanks alone set nothing outside an `ENV` instruction.
            "BOT_API_SECRET Tz8Wn3Bj6Hc1Dg5Fs0AyE2uKm8RtQz7X",
            "RUN echo BOT_API_SECRET Tz8Wn3Bj6Hc1Dg5Fs0AyE2uKm8RtQz7X",
            // A YAML block under a secret's name: its first key is no value.
            "api_secrets:\n  Tz8Wn3Bj6Hc1Dg5Fs0AyE2uKm8RtQz7X: enabled",
            "PHEMEX_API_SECRET=${PHEMEX_API_SECRET}",
            "PHEMEX_API_KEY_ENV=PHEMEX_API_KEY_VAR",
            "<apiToken>${API_TOKEN_FROM_THE_ENVIRONMENT}</apiToken>",
        ],
        remediation: "Revoke this credential where it was issued and create a new one; keep the file that \
                      holds it gitignored."
            .into(),
        ..base()
    });
    rules
}

/// A field named just `key` holding a lowercase hex digest (32, 40 or 64
/// digits: MD5, SHA-1, SHA-256) is a record's hash or cache key (passivbot's
/// config hashes), not a credential: a credential's field says what it is
/// (`api_key`, `secret_key`). The generic rules' `rejects`.
fn digest_under_bare_key(name: &[u8], value: &[u8], _exchange: &str) -> bool {
    let bare = name
        .iter()
        .copied()
        .filter(|b| b.is_ascii_alphanumeric() || *b == b'_');
    let digest = matches!(value.len(), 32 | 40 | 64)
        && value
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b));
    // Under a bare `key` (passivbot's config hashes), or under a password
    // name (OctoBot keeps its web interface password as a SHA-256).
    digest && (bare.eq(b"key".iter().copied()) || crate::catalog::passwords::is_password_name(name))
}
