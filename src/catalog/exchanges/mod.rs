//! The exchanges, one file each (its record and its detection rules), and
//! the one list that names them. The list's order is the order of
//! `keyaudit rules`, of `rules --permissions` and of the exchanges' rules in
//! the engine (overlap resolution depends on it): add a new exchange's file
//! and its name at the end of the list.

use super::Exchange;

/// Declares each exchange's module and lists its record, in order.
macro_rules! exchanges {
    ($($id:ident),* $(,)?) => {
        $(mod $id;)*
        /// Every exchange, in the catalog's order.
        pub static ALL: &[&Exchange] = &[$(&$id::EXCHANGE),*];
    };
}

exchanges![
    binance,
    coinbase,
    kraken,
    kucoin,
    okx,
    bybit,
    bitfinex,
    gemini,
    bitget,
    gate,
    htx,
    bitstamp,
    cryptocom,
    mexc,
    deribit,
    bitmex,
    alpaca,
    hyperliquid,
];
