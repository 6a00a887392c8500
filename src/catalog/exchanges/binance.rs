//! Binance: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.
//!
//! 64 alphanumerics for key and secret, told apart by field name.

use crate::catalog::build::{KEY_NAME, Part, SECRET_NAME, exchange_remediation, n, pem};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::{Rule, base};
use crate::finding::Severity;

/// Binance: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "binance",
    name: "Binance",
    api_page: "https://www.binance.com/en/my/settings/api-management",
    env_tokens: &["BINANCE", "BINANCEUS"],
    model: Model::Toggles,
    ip_allowlist: true,
    natives: &[
        n(&["Enable Reading", "enableReading"], &[Read]),
        n(&["Enable FIX Read Only", "enableFixReadOnly"], &[Read]),
        n(
            &[
                "Enable Spot & Margin Trading",
                "enableSpotAndMarginTrading",
                "Spot & Margin Trading",
            ],
            &[SpotTrade, MarginTrade],
        ),
        n(
            &["Enable FIX API Trade", "enableFixApiTrade"],
            &[SpotTrade, MarginTrade],
        ),
        n(
            &[
                "Enable Margin Loan, Repay & Transfer",
                "enableMargin",
                "Enable Margin",
            ],
            &[MarginTrade, Transfer],
        ),
        n(&["Enable Futures", "enableFutures"], &[FuturesTrade]),
        n(
            &[
                "Enable European Options",
                "enableVanillaOptions",
                "Enable Vanilla Options",
            ],
            &[FuturesTrade],
        ),
        n(
            &[
                "Enable Portfolio Margin Trading",
                "enablePortfolioMarginTrading",
            ],
            &[FuturesTrade, MarginTrade],
        ),
        n(
            &["Permits Universal Transfer", "permitsUniversalTransfer"],
            &[Transfer],
        ),
        n(
            &["Enable Internal Transfer", "enableInternalTransfer"],
            &[Transfer],
        ),
        n(&["Enable Withdrawals", "enableWithdrawals"], &[Withdraw]),
        // A restriction, not a capability.
        n(&["Enable Symbol Whitelist", "enableSymbolWhitelist"], &[]),
    ],
    rules,
    verify: None,
};

/// Binance's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(Part {
        id: "binance-api-key",
        exchange: "binance",
        severity: High,
        description: "Binance API key (64 alphanumerics) assigned near the word Binance",
        context: &["binance"],
        name: KEY_NAME,
        value: r"[A-Za-z0-9]{60,64}",
        min_entropy: 4.0,
        examples: &[
            r#"BINANCE_API_KEY=u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJ"#,
            r#"exchange = ccxt.binance({'apiKey': 'u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJ'})"#,
        ],
        negatives: &[
            r#"BINANCE_API_KEY=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"#,
            r#"binance_api_key = os.getenv("BINANCE_API_KEY")"#,
            r#"api_key: u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJ"#,
            r#""integrity": "sha512-e228f219e9cb0eb53f16947ccf25ec84d8dbc74254770f58904dba41ecccc3fc" binance"#,
        ],
    }
    .rule());
    rules.push(Part {
        id: "binance-api-secret",
        exchange: "binance",
        severity: Critical,
        description: "Binance API secret (64 alphanumerics) assigned near the word Binance",
        context: &["binance"],
        name: SECRET_NAME,
        value: r"[A-Za-z0-9]{60,64}",
        min_entropy: 4.0,
        examples: &[
            r#"BINANCE_API_SECRET="TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ""#,
            "{\"exchange\": {\"name\": \"binance\",\n  \"secret\": \"TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ\"}}",
        ],
        negatives: &[
            r#"BINANCE_API_SECRET="NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j""#,
            r#"binance secret = "your_binance_secret_here_0000000000000000000000000000000000000""#,
            r#"secret: TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ"#,
        ],
    }
    .rule());
    rules.push(Rule {
        id: "binance-private-key",
        exchange: "binance",
        severity: Critical,
        description: "Binance Ed25519 API private key (PKCS#8 PEM) near the word Binance",
        keywords: &["private key-----"],
        pattern: pem("", "MC4CAQAwBQYDK2VwBCIEI"),
        context: &["binance"],
        group: Some("binance"),
        examples: &["binance:\n  private_key: \"-----BEGIN PRIVATE KEY-----\\nMC4CAQAwBQYDK2VwBCIEIHd0f8Jz3yq9Xb2mVt7Kp4LQwEr5sN1aUc6oYi8gTe0\\n-----END PRIVATE KEY-----\""],
        negatives: &["binance:\n  public_key: \"-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEAgmDRTtj2FA+wzJUIlAL9ly1eovjLBu7uXUFR+jFULmg=\\n-----END PUBLIC KEY-----\""],
        remediation: exchange_remediation("binance"),
        ..base()
    });
    rules
}
