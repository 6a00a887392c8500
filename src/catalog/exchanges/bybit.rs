//! Bybit: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{KEY_NAME, Part, SECRET_NAME, n};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::Rule;
use crate::finding::Severity;
use crate::verify::{self, Answer, Clock, Credential, Grant, Method, Request, Verifier, sign};

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
    verify: Some(Verifier {
        method: Method::Get,
        host: "api.bybit.com",
        path: PATH,
        doc: "https://bybit-exchange.github.io/docs/v5/user/apikey-info",
        parts: &[
            ("bybit-api-key", verify::Part::Key),
            ("bybit-api-secret", verify::Part::Secret),
        ],
        needs_passphrase: false,
        sign: sign_request,
        read: |_, status, body| read_answer(status, body),
    }),
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

/// "Get API Key Information" ("Any permission can access").
const PATH: &str = "/v5/user/query-api";
const RECV_WINDOW: &str = "5000";

/// `X-BAPI-SIGN` = lowercase hex HMAC-SHA256(secret, timestamp + apiKey +
/// recvWindow + queryString), the query string empty here (EXCHANGES.md
/// section 4 [V]).
fn sign_request(credential: &Credential, clock: &Clock) -> Result<Request, String> {
    let timestamp = clock.unix_ms.to_string();
    let payload = format!("{timestamp}{}{RECV_WINDOW}", credential.key);
    let signature = sign::hmac_sha256_hex(credential.secret.as_bytes(), payload.as_bytes());
    Ok(Request {
        path_and_query: PATH.to_string(),
        headers: vec![
            ("X-BAPI-API-KEY", credential.key.clone()),
            ("X-BAPI-TIMESTAMP", timestamp),
            ("X-BAPI-RECV-WINDOW", RECV_WINDOW.to_string()),
            ("X-BAPI-SIGN", signature),
        ],
        body: Vec::new(),
        content_type: None,
    })
}

/// The envelope every answer comes in.
const ENVELOPE: sign::Envelope = sign::Envelope {
    code: "retCode",
    message: "retMsg",
    ok: "0",
    revoked: &["10003"],
};

/// `retCode` 0 → granted: `readOnly` 1 is read only, else every name in the
/// `permissions` groups; `ips` other than `["*"]` restricts; `expiredAt`
/// (set for keys with no IP bound) expires. 10003 (invalid key) → revoked;
/// anything else (10004 signature, 10010 IP, 10002 timestamp) → refused.
fn read_answer(status: u16, body: &[u8]) -> Answer {
    let value = match sign::open(status, body, &ENVELOPE) {
        Ok(value) => value,
        Err(answer) => return answer,
    };
    let Some(result) = value.get("result").filter(|r| r.is_object()) else {
        return sign::garbage(status, "no result in the answer");
    };
    let Some(read_only) = result.get("readOnly").and_then(sign::flag) else {
        return sign::garbage(status, "no readOnly in the answer");
    };
    let mut natives = Vec::new();
    if read_only {
        natives.push("readOnly".to_string());
    } else {
        let Some(groups) = result.get("permissions").and_then(|p| p.as_object()) else {
            return sign::garbage(status, "no permissions in the answer");
        };
        for names in groups.values() {
            let Some(names) = names.as_array() else {
                return sign::garbage(status, "a permission group is not a list");
            };
            for name in names {
                let Some(name) = name.as_str().filter(|n| !n.is_empty()) else {
                    return sign::garbage(status, "a permission is not a name");
                };
                if !natives.iter().any(|n| n == name) {
                    natives.push(name.to_string());
                }
            }
        }
    }
    let ip_restricted = match result.get("ips") {
        None | Some(serde_json::Value::Null) => false,
        Some(serde_json::Value::String(ip)) => !ip.is_empty() && ip != "*",
        Some(serde_json::Value::Array(ips)) => ips
            .iter()
            .any(|ip| ip.as_str().is_some_and(|ip| !ip.is_empty() && ip != "*")),
        Some(_) => return sign::garbage(status, "ips is not a list"),
    };
    let expires_ms = result
        .get("expiredAt")
        .and_then(|e| e.as_str())
        .and_then(sign::rfc3339_ms);
    Answer::Granted(Grant {
        natives,
        ip_restricted: Some(ip_restricted),
        expires_ms,
        disabled: false,
    })
}

#[cfg(test)]
mod verify_tests {
    use super::*;

    #[test]
    fn signs_timestamp_key_and_window() {
        let credential = Credential {
            key: "XXXXXXXXXX".into(),
            secret: "s".repeat(36),
            passphrase: None,
        };
        let clock = Clock {
            unix_ms: 1_658_384_314_791,
            nonce: "0".repeat(32),
        };
        let request = sign_request(&credential, &clock).unwrap();
        assert_eq!(request.path_and_query, "/v5/user/query-api");
        let header = |name: &str| {
            request.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()).unwrap()
        };
        assert_eq!(request.headers.len(), 4);
        assert_eq!(header("X-BAPI-API-KEY"), "XXXXXXXXXX");
        assert_eq!(header("X-BAPI-TIMESTAMP"), "1658384314791");
        assert_eq!(header("X-BAPI-RECV-WINDOW"), "5000");
        use hmac::{KeyInit, Mac};
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(credential.secret.as_bytes()).unwrap();
        mac.update(b"1658384314791XXXXXXXXXX5000");
        assert_eq!(header("X-BAPI-SIGN"), sign::hex(&mac.finalize().into_bytes()));
    }

    #[test]
    fn reads_the_documented_answers() {
        let body = br#"{"retCode":0,"retMsg":"","result":{"id":"13770661","note":"bot","apiKey":"XXXXXXXXXX","readOnly":0,"secret":"","permissions":{"ContractTrade":["Order","Position"],"Spot":["SpotTrade"],"Wallet":["AccountTransfer","SubMemberTransfer"],"Options":[],"Derivatives":[],"CopyTrading":[],"BlockTrade":[],"Exchange":[],"NFT":[],"Affiliate":[]},"ips":["*"],"type":1,"deadlineDay":66,"expiredAt":"2023-12-22T07:20:25Z","createdAt":"2022-10-16T02:24:40Z","unified":0,"uta":0,"userID":24617703,"isMaster":true},"retExtInfo":{},"time":1697525990798}"#;
        let Answer::Granted(grant) = read_answer(200, body) else {
            panic!("not granted")
        };
        assert_eq!(grant.natives, ["Order", "Position", "SpotTrade", "AccountTransfer", "SubMemberTransfer"]);
        assert_eq!(grant.ip_restricted, Some(false));
        assert_eq!(grant.expires_ms, Some(1_703_229_625_000));
        for native in &grant.natives {
            assert!(crate::checks::permissions::resolve(&EXCHANGE, native).is_some(), "{native}");
        }
        let body = br#"{"retCode":0,"retMsg":"OK","result":{"readOnly":1,"permissions":{"Wallet":["Withdraw"]},"ips":["203.0.113.7"],"expiredAt":""}}"#;
        let Answer::Granted(grant) = read_answer(200, body) else {
            panic!("not granted")
        };
        assert_eq!(grant.natives, ["readOnly"]);
        assert_eq!((grant.ip_restricted, grant.expires_ms), (Some(true), None));
        let body = br#"{"retCode":0,"result":{"readOnly":0,"permissions":{"Wallet":["Withdraw"]}}}"#;
        let Answer::Granted(grant) = read_answer(200, body) else {
            panic!("not granted")
        };
        assert_eq!((grant.natives.as_slice(), grant.ip_restricted), (&["Withdraw".to_string()][..], Some(false)));

        assert!(matches!(read_answer(401, br#"{"retCode":10003,"retMsg":"API key is invalid.","result":{},"time":1}"#), Answer::Revoked { .. }));
        for code in [10004, 10010, 10002] {
            let body = format!(r#"{{"retCode":{code},"retMsg":"error sign!"}}"#);
            assert!(matches!(read_answer(200, body.as_bytes()), Answer::Refused { .. }), "{code}");
        }
        for garbage in [&b"not json"[..], b"{}", br#"{"retCode":0}"#, br#"{"retCode":0,"result":{"readOnly":0}}"#, br#"{"retCode":0,"result":{"readOnly":0,"permissions":{"Spot":"SpotTrade"}}}"#, br#"{"retCode":0,"result":{"readOnly":0,"permissions":{"Spot":[1]}}}"#, br#"{"retCode":0,"result":{"readOnly":0,"permissions":{},"ips":7}}"#] {
            assert!(matches!(read_answer(200, garbage), Answer::Garbage { .. }), "{garbage:?}");
        }
    }
}
