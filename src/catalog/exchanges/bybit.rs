//! Bybit: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{KEY_NAME, Part, SECRET_NAME, n};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::Rule;
use crate::finding::Severity;

/// Bybit: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "bybit",
    name: "Bybit",
    api_page: "https://www.bybit.com/app/user/api-management",
    env_tokens: &["BYBIT"],
    model: Model::Toggles,
    ip_allowlist: true,
    natives: &[
        n(&["Read-Only", "readOnly"], &[Read]),
        n(&["Spot: Trade", "SpotTrade"], &[SpotTrade]),
        n(
            &["Contract: Orders", "ContractTrade: Order", "Order"],
            &[FuturesTrade],
        ),
        n(
            &["Contract: Positions", "ContractTrade: Position", "Position"],
            &[FuturesTrade],
        ),
        n(&["Options: Trade", "OptionsTrade"], &[FuturesTrade]),
        n(&["Derivatives: Trade", "DerivativesTrade"], &[FuturesTrade]),
        n(&["BlockTrade", "Block Trade"], &[FuturesTrade]),
        n(&["CopyTrading", "Copy Trading"], &[FuturesTrade]),
        n(
            &["Wallet: Account Transfer", "AccountTransfer"],
            &[Transfer],
        ),
        n(
            &[
                "Wallet: Subaccount Transfer",
                "SubMemberTransfer",
                "SubMemberTransferList",
            ],
            &[Transfer],
        ),
        n(&["Wallet: Withdrawal", "Withdraw"], &[Withdraw]),
        n(&["Exchange: Convert", "ExchangeHistory"], &[Convert]),
        n(&["Earn"], &[Earn]),
        n(&["Fiat P2P: Order", "FiatP2POrder"], &[P2p]),
        n(&["Fiat P2P: Advertising", "Advertising"], &[P2p]),
        n(&["FiatBitPay", "FaitPayOrder", "FiatPayOrder"], &[Pay]),
        n(&["FiatConvertBroker", "FiatConvertBrokerOrder"], &[Convert]),
        n(&["BitCard"], &[Card]),
        n(&["ByXPost"], &[Other]),
        n(&["Affiliate"], &[Other]),
        n(&["NFT"], &[Other]),
    ],
    rules,
    verify: None,
};

/// Bybit's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(
        Part {
            id: "bybit-api-key",
            exchange: "bybit",
            severity: High,
            description: "Bybit API key (18 alphanumerics) near the word Bybit",
            context: &["bybit"],
            name: KEY_NAME,
            value: r"[A-Za-z0-9]{18}",
            min_entropy: 3.2,
            examples: &[r#"BYBIT_API_KEY=4JdpmrcXgGCJbW56eC"#],
            negatives: &[
                r#"BYBIT_API_KEY=xxxxxxxxxxxxxxxxxx"#,
                r#"BYBIT_API_KEY=4JdpmrcXgGCJbW56eCQ"#,
            ],
        }
        .rule(),
    );
    rules.push(
        Part {
            id: "bybit-api-secret",
            exchange: "bybit",
            severity: Critical,
            description: "Bybit API secret (36 alphanumerics) near the word Bybit",
            context: &["bybit"],
            name: SECRET_NAME,
            value: r"[A-Za-z0-9]{36}",
            min_entropy: 3.8,
            examples: &[r#"BYBIT_API_SECRET=uNGMGmSrCGIZEG8pSH4487q7J58m1CiAhzCu"#],
            negatives: &[r#"BYBIT_API_SECRET=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"#],
        }
        .rule(),
    );
    rules
}
