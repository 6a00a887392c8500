//! The permission vocabulary: canonical scopes (EXCHANGES.md section 0) and,
//! per exchange, every native permission name (the web page's label and the
//! API's name) mapped to the *set* of canonical scopes it grants
//! (EXCHANGES.md sections 2 and 3). This table is the one place the mapping
//! lives; `keyaudit rules --permissions` prints it and the manifest check
//! judges each name by the worst member of its set.
//!
//! Names are compared in a normal form (see [`normalize`]), so "Enable
//! Withdrawals", `enableWithdrawals`, `enable_withdrawals` and
//! `ENABLE-WITHDRAWALS` are one name. An exchange's own names win over the
//! canonical ones: KuCoin's "Transfer" is a withdrawal permission.
//!
//! Where EXCHANGES.md marks an extra scope as recalled and unconfirmed ([R]),
//! it is left out (OKX trade → transfer, Kraken orders → margin), so that an
//! unconfirmed guess never turns every key on an exchange into a finding.
//! This module does no I/O.

use serde::Serialize;

/// A canonical permission scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    Read,
    SpotTrade,
    MarginTrade,
    FuturesTrade,
    Transfer,
    Withdraw,
    Deposit,
    Admin,
    Earn,
    Convert,
    P2p,
    Pay,
    Card,
    Other,
}

/// How the manifest check treats a scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// `read` and `spot-trade`: what a trading bot needs.
    Needed,
    /// Margin, futures and other products: high unless the manifest's `allow` lists them.
    Beyond,
    /// Moving funds between the user's own accounts: high.
    Transfer,
    /// Funds can leave the exchange (or a key can mint one that can): critical, always.
    Withdraw,
}

/// Canonical scopes with the spellings accepted for them (the first is the canonical name).
pub const CANONICAL: &[(Scope, &[&str])] = &[
    (Scope::Read, &["read", "read-only"]),
    (Scope::SpotTrade, &["spot-trade", "trade", "spot"]),
    (Scope::MarginTrade, &["margin-trade", "margin"]),
    (
        Scope::FuturesTrade,
        &[
            "futures-trade",
            "futures",
            "derivatives-trade",
            "derivatives",
        ],
    ),
    (
        Scope::Transfer,
        &[
            "transfer",
            "universal-transfer",
            "internal-transfer",
            "inner-transfer",
            "sub-account-transfer",
            "subaccount-transfer",
            "account-transfer",
            "wallet-transfer",
        ],
    ),
    (Scope::Withdraw, &["withdraw", "withdrawal", "withdrawals"]),
    (Scope::Deposit, &["deposit"]),
    (Scope::Admin, &["admin", "manage-keys"]),
    (Scope::Earn, &["earn"]),
    (Scope::Convert, &["convert"]),
    (Scope::P2p, &["p2p"]),
    (Scope::Pay, &["pay"]),
    (Scope::Card, &["card"]),
    (Scope::Other, &["other"]),
];

impl Scope {
    /// The canonical name, as written in a manifest and in reports.
    pub fn as_str(self) -> &'static str {
        CANONICAL
            .iter()
            .find(|(s, _)| *s == self)
            .map(|(_, names)| names[0])
            .expect("every scope has a canonical row")
    }

    pub fn class(self) -> Class {
        match self {
            Scope::Read | Scope::SpotTrade => Class::Needed,
            Scope::Transfer => Class::Transfer,
            Scope::Withdraw | Scope::Admin => Class::Withdraw,
            Scope::MarginTrade
            | Scope::FuturesTrade
            | Scope::Deposit
            | Scope::Earn
            | Scope::Convert
            | Scope::P2p
            | Scope::Pay
            | Scope::Card
            | Scope::Other => Class::Beyond,
        }
    }

    /// True for the scopes that place orders.
    pub fn is_trade(self) -> bool {
        matches!(
            self,
            Scope::SpotTrade | Scope::MarginTrade | Scope::FuturesTrade
        )
    }

    /// A canonical scope by any accepted spelling.
    pub fn parse(name: &str) -> Option<Scope> {
        let n = normalize(name);
        CANONICAL
            .iter()
            .find(|(_, names)| names.iter().any(|c| normalize(c) == n))
            .map(|(s, _)| *s)
    }
}

/// How an exchange lets a key be limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// All or nothing: a key can do whatever its account can.
    None,
    /// A few fixed roles, each a bundle of scopes.
    Role,
    /// Independent toggles (or scopes) per capability.
    Toggles,
}

impl Model {
    pub fn as_str(self) -> &'static str {
        match self {
            Model::None => "none",
            Model::Role => "role",
            Model::Toggles => "toggles",
        }
    }
}

/// Whether a native name also comes in read and write variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variants {
    /// The names only, as listed.
    Plain,
    /// `NAME:read` / `NAME read only` grant `read`; `NAME:write` /
    /// `NAME:read_write` grant read plus the scopes; bare `NAME` counts as write
    /// (the worse reading). Bitfinex, Deribit, Gate, MEXC.
    ReadWrite,
}

/// One native permission: its spellings (UI label and API name) and what it grants.
#[derive(Debug)]
pub struct Native {
    pub names: &'static [&'static str],
    pub scopes: &'static [Scope],
    pub variants: Variants,
}

/// One exchange's permission vocabulary.
#[derive(Debug)]
pub struct Exchange {
    /// The exchange id, as in `detect::rules::EXCHANGES`.
    pub id: &'static str,
    pub model: Model,
    /// True when a key can be limited to a list of IP addresses.
    pub ip_allowlist: bool,
    pub natives: &'static [Native],
}

use Scope::*;

const fn n(names: &'static [&'static str], scopes: &'static [Scope]) -> Native {
    Native {
        names,
        scopes,
        variants: Variants::Plain,
    }
}

const fn rw(names: &'static [&'static str], scopes: &'static [Scope]) -> Native {
    Native {
        names,
        scopes,
        variants: Variants::ReadWrite,
    }
}

/// Every exchange's permission names and what they grant (EXCHANGES.md sections 2 and 3).
pub const EXCHANGES: &[Exchange] = &[
    Exchange {
        id: "binance",
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
    },
    Exchange {
        id: "coinbase",
        model: Model::Toggles,
        ip_allowlist: true,
        natives: &[
            n(&["view", "can_view"], &[Read]),
            // Also trades US derivatives where the account has them.
            n(&["trade", "can_trade"], &[SpotTrade, FuturesTrade]),
            // "Move funds between accounts and portfolios, and send crypto onchain".
            n(&["transfer", "can_transfer"], &[Withdraw, Transfer]),
            // Coinbase Exchange: user settings and preferences.
            n(&["Manage"], &[Admin]),
        ],
    },
    Exchange {
        id: "kraken",
        model: Model::Toggles,
        ip_allowlist: true,
        natives: &[
            n(&["Query Funds", "query-funds"], &[Read]),
            n(
                &["Query Open Orders & Trades", "query-open-trades"],
                &[Read],
            ),
            n(
                &["Query Closed Orders & Trades", "query-closed-trades"],
                &[Read],
            ),
            n(&["Query Ledger Entries", "query-ledger"], &[Read]),
            n(&["Export Data", "export-data"], &[Read]),
            n(
                &["Access WebSockets API", "Get WebSocket Token", "websockets"],
                &[Read],
            ),
            n(
                &["Create & Modify Orders", "modify-trades", "modify-orders"],
                &[SpotTrade],
            ),
            n(
                &["Cancel/Close Orders", "cancel-trades", "cancel-orders"],
                &[SpotTrade],
            ),
            n(&["Deposit Funds", "deposit-funds"], &[Deposit]),
            n(&["Withdraw Funds", "withdraw-funds"], &[Withdraw]),
            n(&["Earn", "Earn Funds", "earn-funds"], &[Earn]),
            // Kraken Futures.
            n(&["General API: Read Only", "general-read-only"], &[Read]),
            // "all endpoints, excluding digital asset withdrawals": wallet transfers included.
            n(
                &["General API: Full Access", "general-full-access"],
                &[Read, FuturesTrade, Transfer],
            ),
            n(
                &["Withdrawal API: Full Access", "withdrawal-full-access"],
                &[Withdraw],
            ),
        ],
    },
    Exchange {
        id: "kucoin",
        model: Model::Toggles,
        ip_allowlist: true,
        natives: &[
            n(&["General"], &[Read]),
            n(&["Spot"], &[SpotTrade]),
            n(&["Margin"], &[MarginTrade]),
            n(&["Futures"], &[FuturesTrade]),
            n(&["Earn"], &[Earn]),
            n(&["InnerTransfer", "Inner Transfer"], &[Transfer]),
            // KuCoin's "Transfer" withdraws: "allows you to withdraw assets,
            // acquire deposit addresses, cancel withdrawals".
            n(&["Transfer"], &[Withdraw, Deposit]),
        ],
    },
    Exchange {
        id: "okx",
        model: Model::Toggles,
        ip_allowlist: true,
        natives: &[
            n(&["Read", "read_only"], &[Read]),
            // One toggle for every instrument type.
            n(&["Trade"], &[SpotTrade, MarginTrade, FuturesTrade]),
            n(&["Withdraw"], &[Withdraw]),
        ],
    },
    Exchange {
        id: "bybit",
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
    },
    Exchange {
        id: "bitfinex",
        model: Model::Toggles,
        ip_allowlist: true,
        natives: &[
            rw(&["account", "Account Info"], &[Admin]),
            rw(&["history", "Account History"], &[]),
            rw(&["orders", "Orders"], &[SpotTrade]),
            rw(&["positions", "Margin Trading"], &[MarginTrade]),
            rw(&["funding", "Margin Funding"], &[Earn]),
            rw(&["settings", "Settings"], &[Admin]),
            // "transferring between your wallets".
            rw(&["wallets", "Wallets"], &[Transfer]),
            rw(&["withdraw", "Withdraw"], &[Withdraw]),
            rw(&["ui_withdraw"], &[Withdraw]),
            rw(&["bfxpay", "Bitfinex Pay"], &[Pay]),
        ],
    },
    Exchange {
        id: "gemini",
        model: Model::Role,
        ip_allowlist: true,
        natives: &[
            n(&["Auditor"], &[Read]),
            n(&["Trader"], &[Read, SpotTrade]),
            n(&["Fund Manager"], &[Withdraw, Transfer]),
            n(&["Administrator"], &[Admin]),
        ],
    },
    Exchange {
        id: "bitget",
        model: Model::Toggles,
        ip_allowlist: true,
        natives: &[
            n(&["Read-only"], &[Read]),
            // The switch that makes product toggles writable; grants nothing by itself.
            n(&["Read & Write"], &[Read]),
            n(&["Spot Trade", "Spot Trading"], &[SpotTrade]),
            n(&["Margin Trading"], &[MarginTrade]),
            n(
                &["Futures Orders", "Futures Holdings", "Futures Trading"],
                &[FuturesTrade],
            ),
            n(&["Copy Trading"], &[FuturesTrade]),
            n(&["Wallet: Transfer"], &[Transfer]),
            n(&["Wallet: Withdraw"], &[Withdraw]),
            n(&["P2P Trading"], &[P2p]),
        ],
    },
    Exchange {
        id: "gate",
        model: Model::Toggles,
        ip_allowlist: true,
        natives: &[
            rw(&["wallet"], &[Transfer]),
            rw(&["spot"], &[SpotTrade, MarginTrade]),
            rw(&["futures"], &[FuturesTrade]),
            rw(&["delivery"], &[FuturesTrade]),
            rw(&["options"], &[FuturesTrade]),
            rw(&["earn"], &[Earn]),
            rw(&["account"], &[Admin]),
            rw(&["unified"], &[MarginTrade]),
            rw(&["loan"], &[MarginTrade]),
            n(&["Withdrawal", "withdraw"], &[Withdraw]),
        ],
    },
    Exchange {
        id: "htx",
        model: Model::Toggles,
        ip_allowlist: true,
        natives: &[
            n(&["Read-only", "readOnly"], &[Read]),
            // The trade ("transaction") permission: "place order, cancel order and transfer".
            n(
                &["Trade", "Transaction"],
                &[SpotTrade, MarginTrade, Transfer],
            ),
            n(&["Withdraw"], &[Withdraw]),
        ],
    },
    Exchange {
        id: "bitstamp",
        model: Model::Toggles,
        ip_allowlist: true,
        natives: &[
            n(&["Account balance"], &[Read]),
            n(&["User transactions"], &[Read]),
            n(&["Open orders"], &[Read]),
            n(
                &[
                    "Buy limit order",
                    "Buy market order",
                    "Sell limit order",
                    "Sell market order",
                    "Cancel order",
                ],
                &[SpotTrade],
            ),
            n(
                &[
                    "Withdrawal requests",
                    "Crypto withdrawal",
                    "Bank withdrawal",
                ],
                &[Withdraw],
            ),
            n(&["Deposit address"], &[Deposit]),
            n(
                &[
                    "Sub account transfer",
                    "Transfer to main account",
                    "Transfer from main account",
                ],
                &[Transfer],
            ),
        ],
    },
    Exchange {
        id: "cryptocom",
        model: Model::Toggles,
        ip_allowlist: true,
        natives: &[
            n(&["Can Read"], &[Read]),
            // Unified account: the same orders reach derivatives.
            n(&["Can Trade"], &[SpotTrade, FuturesTrade]),
            n(&["Can Transfer"], &[Transfer]),
            n(&["Can Withdraw"], &[Withdraw]),
        ],
    },
    Exchange {
        id: "mexc",
        model: Model::Toggles,
        ip_allowlist: true,
        natives: &[
            rw(&["SPOT_ACCOUNT"], &[Admin]),
            rw(&["SPOT_DEAL"], &[SpotTrade]),
            rw(&["CONTRACT_ACCOUNT"], &[Admin]),
            rw(&["CONTRACT_DEAL"], &[FuturesTrade]),
            rw(&["SPOT_WITHDRAW"], &[Withdraw]),
            rw(&["SPOT_TRANSFER"], &[Transfer]),
            rw(&["SPOT_DEPOSIT"], &[Deposit]),
        ],
    },
    Exchange {
        id: "deribit",
        model: Model::Toggles,
        ip_allowlist: true,
        natives: &[
            // account:read_write can create API keys.
            rw(&["account"], &[Admin]),
            rw(&["trade"], &[FuturesTrade]),
            rw(&["wallet"], &[Withdraw, Transfer]),
            rw(&["block_trade"], &[FuturesTrade]),
            rw(&["custody"], &[Other]),
        ],
    },
    Exchange {
        id: "bitmex",
        model: Model::Toggles,
        ip_allowlist: true,
        natives: &[
            n(&["Order", "order"], &[FuturesTrade]),
            n(&["Order Cancel", "orderCancel"], &[FuturesTrade]),
            n(&["Withdraw", "withdraw"], &[Withdraw]),
        ],
    },
    Exchange {
        id: "alpaca",
        model: Model::None,
        ip_allowlist: false,
        natives: &[n(&["Trading API key", "Full Access"], &[Read, SpotTrade])],
    },
    Exchange {
        id: "hyperliquid",
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
    },
];

/// An exchange's vocabulary by id.
pub fn exchange(id: &str) -> Option<&'static Exchange> {
    EXCHANGES.iter().find(|e| e.id == id)
}

/// The normal form of a permission name: ASCII letters and digits, lowercase,
/// with `&` read as "and"; everything else (spaces, dashes, underscores, colons,
/// dots, slashes) is dropped. Dropping separators also makes camelCase, snake_case
/// and kebab-case spellings of one name equal.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c == '&' {
            out.push_str("and");
        } else if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// What a permission name in a manifest resolved to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub scopes: Vec<Scope>,
    /// True when the name is the exchange's own (not a canonical scope).
    pub native: bool,
}

const READ_SUFFIXES: &[&str] = &["read", "readonly"];
const WRITE_SUFFIXES: &[&str] = &["write", "readwrite"];

/// Resolves a permission name for an exchange: its own names first, then canonical scopes.
pub fn resolve(exchange: &Exchange, name: &str) -> Option<Resolved> {
    let n = normalize(name);
    if n.is_empty() {
        return None;
    }
    for native in exchange.natives {
        for candidate in native.names {
            let base = normalize(candidate);
            let scopes = if n == base {
                Some(with_read(native))
            } else if native.variants == Variants::ReadWrite {
                n.strip_prefix(base.as_str()).and_then(|suffix| {
                    if READ_SUFFIXES.contains(&suffix) {
                        Some(vec![Read])
                    } else if WRITE_SUFFIXES.contains(&suffix) {
                        Some(with_read(native))
                    } else {
                        None
                    }
                })
            } else {
                None
            };
            if let Some(scopes) = scopes {
                return Some(Resolved {
                    scopes,
                    native: true,
                });
            }
        }
    }
    Scope::parse(name).map(|s| Resolved {
        scopes: vec![s],
        native: false,
    })
}

fn with_read(native: &Native) -> Vec<Scope> {
    let mut scopes = native.scopes.to_vec();
    if native.variants == Variants::ReadWrite && !scopes.contains(&Read) {
        scopes.insert(0, Read);
    }
    scopes
}

/// Every name a manifest may use for `exchange`, as written in the table.
pub fn known_names(exchange: &Exchange) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = exchange
        .natives
        .iter()
        .flat_map(|n| n.names.iter().copied())
        .collect();
    names.extend(CANONICAL.iter().map(|(_, spellings)| spellings[0]));
    names
}

/// One row of `keyaudit rules --permissions`.
#[derive(Debug, Serialize)]
pub struct ListedExchange {
    pub id: &'static str,
    pub name: &'static str,
    pub model: Model,
    pub ip_allowlist: bool,
    pub permissions: Vec<ListedNative>,
}

#[derive(Debug, Serialize)]
pub struct ListedNative {
    pub names: &'static [&'static str],
    /// True when `NAME:read` and `NAME:write` (or `read_write`) variants are accepted too.
    pub read_write_variants: bool,
    pub scopes: Vec<Scope>,
}

#[derive(Debug, Serialize)]
pub struct ListedScope {
    pub scope: Scope,
    pub spellings: &'static [&'static str],
    /// What the manifest check makes of it.
    pub verdict: &'static str,
}

/// The whole mapping table, as `keyaudit rules --permissions` shows it.
#[derive(Debug, Serialize)]
pub struct Listing {
    pub scopes: Vec<ListedScope>,
    pub exchanges: Vec<ListedExchange>,
}

/// The mapping table in a form a reporter can print.
pub fn listing() -> Listing {
    Listing {
        scopes: CANONICAL
            .iter()
            .map(|(scope, spellings)| ListedScope {
                scope: *scope,
                spellings,
                verdict: match scope.class() {
                    Class::Needed => "needed",
                    Class::Beyond if *scope == Deposit => "low (moves nothing out)",
                    Class::Beyond => "high unless the key's allow lists it",
                    Class::Transfer => "high",
                    Class::Withdraw => "critical, always",
                },
            })
            .collect(),
        exchanges: EXCHANGES
            .iter()
            .map(|e| ListedExchange {
                id: e.id,
                name: crate::detect::rules::exchange_name(e.id),
                model: e.model,
                ip_allowlist: e.ip_allowlist,
                permissions: e
                    .natives
                    .iter()
                    .map(|n| ListedNative {
                        names: n.names,
                        read_write_variants: n.variants == Variants::ReadWrite,
                        scopes: with_read(n),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The mapping table as text for people.
pub fn render(listing: &Listing) -> String {
    use std::fmt::Write as _;
    let mut out = String::from("CANONICAL SCOPES\n");
    for s in &listing.scopes {
        let mut line = format!("  {:<14} {:<38}", s.scope.as_str(), s.verdict);
        if s.spellings.len() > 1 {
            line.push_str(&format!(" also: {}", s.spellings[1..].join(", ")));
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    for e in &listing.exchanges {
        let _ = writeln!(
            out,
            "\n{} ({}): model {}, IP allowlist {}",
            e.name,
            e.id,
            e.model.as_str(),
            if e.ip_allowlist { "yes" } else { "no" }
        );
        for p in &e.permissions {
            let names = p
                .names
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(" / ");
            let rw = if p.read_write_variants {
                " (:read, :write)"
            } else {
                ""
            };
            let scopes = if p.scopes.is_empty() {
                "(a restriction: grants nothing)".to_string()
            } else {
                p.scopes
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" + ")
            };
            let _ = writeln!(out, "  {names}{rw} -> {scopes}");
        }
    }
    out
}

/// Levenshtein distance between two strings, by characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Up to three of `candidates` nearest to `name`, compared in normal form:
/// close by edit distance, or one containing the other.
pub fn suggest<'a>(name: &str, candidates: &[&'a str]) -> Vec<&'a str> {
    let n = normalize(name);
    let mut scored: Vec<(usize, &'a str)> = candidates
        .iter()
        .filter_map(|c| {
            let cn = normalize(c);
            if cn.is_empty() || n.is_empty() {
                return None;
            }
            let d = edit_distance(&n, &cn);
            let limit = (n.len().max(cn.len()) / 3).max(2);
            if d <= limit {
                Some((d, *c))
            } else if cn.contains(&n) || n.contains(&cn) {
                Some((limit + 1, *c))
            } else {
                None
            }
        })
        .collect();
    scored.sort_by_key(|(d, _)| *d);
    let mut out: Vec<&'a str> = Vec::new();
    for (_, c) in scored {
        if !out.iter().any(|o| normalize(o) == normalize(c)) {
            out.push(c);
        }
        if out.len() == 3 {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(exchange_id: &str, name: &str) -> Vec<Scope> {
        resolve(exchange(exchange_id).unwrap(), name)
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
        assert_eq!(resolve(exchange("binance").unwrap(), "--"), None);
    }

    #[test]
    fn every_exchange_in_the_table_is_a_known_exchange_and_every_rule_exchange_has_a_row() {
        let ids: Vec<&str> = crate::detect::rules::EXCHANGES
            .iter()
            .map(|(id, _, _)| *id)
            .collect();
        for e in EXCHANGES {
            assert!(ids.contains(&e.id), "{}", e.id);
        }
        for id in ids {
            assert!(exchange(id).is_some(), "{id} has no permission row");
        }
    }

    #[test]
    fn no_native_name_means_two_things_on_one_exchange() {
        for e in EXCHANGES {
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
        let binance = known_names(exchange("binance").unwrap());
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
}
