//! The permission vocabulary's tests: normal forms, native sets, read/write
//! variants, canonical spellings and suggestions.

use super::*;

fn scopes(exchange_id: &str, name: &str) -> Vec<Scope> {
    resolve(crate::catalog::exchange(exchange_id).unwrap(), name)
        .unwrap_or_else(|| panic!("{exchange_id}: {name} unknown"))
        .scopes
}

#[test]
fn normalize_folds_case_separators_and_camel_case() {
    let forms = [
        "Enable Withdrawals",
        "enableWithdrawals",
        "enable_withdrawals",
        "ENABLE-WITHDRAWALS",
        "enable withdrawals",
    ];
    for f in forms {
        assert_eq!(normalize(f), "enablewithdrawals", "{f}");
    }
    assert_eq!(
        normalize("Enable Spot & Margin Trading"),
        normalize("enableSpotAndMarginTrading")
    );
    assert_ne!(normalize("account:read"), normalize("account:read_write"));
}

#[test]
fn every_spelling_of_a_binance_withdrawal_toggle_is_withdraw() {
    for f in [
        "Enable Withdrawals",
        "enableWithdrawals",
        "enable_withdrawals",
        "ENABLE-WITHDRAWALS",
    ] {
        assert_eq!(scopes("binance", f), vec![Withdraw], "{f}");
    }
}

#[test]
fn native_sets() {
    assert_eq!(scopes("coinbase", "transfer"), vec![Withdraw, Transfer]);
    assert_eq!(scopes("coinbase", "can_transfer"), vec![Withdraw, Transfer]);
    assert!(scopes("kucoin", "Transfer").contains(&Withdraw));
    assert_eq!(scopes("kucoin", "InnerTransfer"), vec![Transfer]);
    assert_eq!(
        scopes("binance", "enableMargin"),
        vec![MarginTrade, Transfer]
    );
    assert_eq!(
        scopes("binance", "Permits Universal Transfer"),
        vec![Transfer]
    );
    assert_eq!(scopes("kraken", "Withdraw Funds"), vec![Withdraw]);
    assert_eq!(scopes("kraken", "withdraw-funds"), vec![Withdraw]);
    assert_eq!(scopes("bybit", "Wallet: Withdrawal"), vec![Withdraw]);
    assert_eq!(scopes("gemini", "Administrator"), vec![Admin]);
    assert!(scopes("hyperliquid", "master").contains(&Withdraw));
    assert!(scopes("htx", "trade").contains(&Transfer));
}

#[test]
fn read_write_variants() {
    assert_eq!(scopes("deribit", "account:read"), vec![Read]);
    assert_eq!(scopes("deribit", "account:read_write"), vec![Read, Admin]);
    assert_eq!(
        scopes("deribit", "wallet:read_write"),
        vec![Read, Withdraw, Transfer]
    );
    assert_eq!(scopes("mexc", "SPOT_DEAL_WRITE"), vec![Read, SpotTrade]);
    assert_eq!(scopes("mexc", "SPOT_DEAL_READ"), vec![Read]);
    assert_eq!(scopes("bitfinex", "orders:write"), vec![Read, SpotTrade]);
    assert_eq!(scopes("bitfinex", "Orders Read"), vec![Read]);
    // Bare names count as write.
    assert_eq!(scopes("bitfinex", "withdraw"), vec![Read, Withdraw]);
    assert_eq!(scopes("gate", "spot read only"), vec![Read]);
}

#[test]
fn canonical_names_and_spellings() {
    assert_eq!(scopes("binance", "trade"), vec![SpotTrade]);
    assert_eq!(scopes("binance", "spot_trade"), vec![SpotTrade]);
    assert_eq!(scopes("binance", "Universal Transfer"), vec![Transfer]);
    assert_eq!(scopes("binance", "sub-account-transfer"), vec![Transfer]);
    assert_eq!(scopes("binance", "WITHDRAW"), vec![Withdraw]);
    // Native names win: KuCoin's "transfer" is its withdrawal toggle.
    assert!(scopes("kucoin", "transfer").contains(&Withdraw));
    assert_eq!(Scope::parse("futures_trade"), Some(FuturesTrade));
    assert_eq!(Scope::parse("bogus"), None);
    assert_eq!(
        resolve(crate::catalog::exchange("binance").unwrap(), "--"),
        None
    );
}

#[test]
fn no_native_name_means_two_things_on_one_exchange() {
    for e in crate::catalog::EXCHANGES {
        let mut seen = std::collections::HashMap::new();
        for native in e.natives {
            for name in native.names {
                if let Some(other) = seen.insert(normalize(name), native.scopes) {
                    assert_eq!(other, native.scopes, "{}: {name}", e.id);
                }
            }
        }
    }
}

#[test]
fn edit_distance_and_suggestions() {
    assert_eq!(edit_distance("kitten", "sitting"), 3);
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(edit_distance("same", "same"), 0);
    let binance = known_names(crate::catalog::exchange("binance").unwrap());
    assert_eq!(
        suggest("enableWithdrawal", &binance).first(),
        Some(&"Enable Withdrawals")
    );
    assert_eq!(
        suggest("Enable Futurs", &binance).first(),
        Some(&"Enable Futures")
    );
    assert_eq!(suggest("spot-trde", &binance).first(), Some(&"spot-trade"));
    assert!(suggest("zzzzzzzzzzzz", &binance).is_empty());
}
