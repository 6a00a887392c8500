//! KuCoin: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.
//!
//! a 24-hex key is also a MongoDB ObjectId; the field name and the word KuCoin decide.

use crate::catalog::build::{API_KEY_NAME, PASS_NAME, Part, SECRET_NAME, n};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::Rule;
use crate::finding::Severity;
use crate::verify::{self, Answer, Clock, Credential, Grant, Method, Request, Verifier, sign};

/// KuCoin: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "kucoin",
    name: "KuCoin",
    api_page: "https://www.kucoin.com/account/api",
    env_tokens: &["KUCOIN"],
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
    rules,
    verify: Some(Verifier {
        method: Method::Get,
        host: "api.kucoin.com",
        path: PATH,
        doc: "https://www.kucoin.com/docs-new (Account Info: Get API Key Info)",
        parts: &[
            ("kucoin-api-key", verify::Part::Key),
            ("kucoin-api-secret", verify::Part::Secret),
            ("kucoin-api-passphrase", verify::Part::Passphrase),
        ],
        needs_passphrase: true,
        sign: sign_request,
        read: |_, status, body| read_answer(status, body),
    }),
};

/// KuCoin's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(
        Part {
            id: "kucoin-api-key",
            exchange: "kucoin",
            severity: High,
            description: "KuCoin API key (24 hex) assigned to a key field near the word KuCoin",
            context: &["kucoin"],
            name: API_KEY_NAME,
            value: r"[0-9a-f]{24}",
            min_entropy: 3.0,
            examples: &[
                r#"KUCOIN_API_KEY=23c6f5da2cec255404e4fb44"#,
                r#"kucoin = ccxt.kucoin({"apiKey": "23c6f5da2cec255404e4fb44"})"#,
            ],
            negatives: &[
                r#"KUCOIN_API_KEY=5c2db93503aa674c74a31734"#,
                r#"{"_id": {"$oid": "23c6f5da2cec255404e4fb44"}}"#,
                r#"{"_id": {"$oid": "23c6f5da2cec255404e4fb44"}, "exchange": "kucoin"}"#,
                r#"{"exchange": "kucoin", "orderId": "23c6f5da2cec255404e4fb44"}"#,
            ],
        }
        .rule(),
    );
    rules.push(
        Part {
            id: "kucoin-api-secret",
            exchange: "kucoin",
            severity: Critical,
            description: "KuCoin API secret (UUID) assigned to a secret field near the word KuCoin",
            context: &["kucoin"],
            name: SECRET_NAME,
            value: r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            min_entropy: 3.0,
            examples: &[r#"kucoin_api_secret: "f88c422b-cca2-492b-83a5-6cc1057a40b2""#],
            negatives: &[
                r#"kucoin_api_secret: "f03a5284-5c39-4aaa-9b20-dea10bdcf8e3""#,
                r#"request_id = "f88c422b-cca2-492b-83a5-6cc1057a40b2" # kucoin"#,
            ],
        }
        .rule(),
    );
    rules.push(
        Part {
            id: "kucoin-api-passphrase",
            exchange: "kucoin",
            severity: High,
            description: "KuCoin API passphrase (chosen by the user) assigned near the word KuCoin",
            context: &["kucoin"],
            name: PASS_NAME,
            value: r"[A-Za-z0-9!@#%^&*_+\-=,?]{7,32}",
            min_entropy: 2.5,
            examples: &[r#"KUCOIN_API_PASSPHRASE=Tr4d1ngB0t!2024"#],
            negatives: &[
                r#"KUCOIN_API_PASSPHRASE=Abc123456"#,
                r#"kucoin_passphrase = os.getenv("KUCOIN_PASSPHRASE")"#,
            ],
        }
        .rule(),
    );
    rules
}

/// "Get API Key Info": the calling key's `permission` and `ipWhitelist`.
const PATH: &str = "/api/v1/user/api-key";

/// `KC-API-SIGN` = base64 HMAC-SHA256(secret, timestamp + METHOD +
/// endpoint + body), `KC-API-PASSPHRASE` = base64 HMAC-SHA256(secret, passphrase)
/// with `KC-API-KEY-VERSION: 2` (EXCHANGES.md section 4 [V]).
fn sign_request(credential: &Credential, clock: &Clock) -> Result<Request, String> {
    let passphrase = credential
        .passphrase
        .as_deref()
        .ok_or_else(|| "a KuCoin key needs its passphrase".to_string())?;
    let secret = credential.secret.as_bytes();
    let timestamp = clock.unix_ms.to_string();
    let payload = format!("{timestamp}GET{PATH}");
    Ok(Request {
        path_and_query: PATH.to_string(),
        headers: vec![
            ("KC-API-KEY", credential.key.clone()),
            ("KC-API-SIGN", sign::hmac_sha256_base64(secret, payload.as_bytes())),
            ("KC-API-TIMESTAMP", timestamp),
            ("KC-API-PASSPHRASE", sign::hmac_sha256_base64(secret, passphrase.as_bytes())),
            ("KC-API-KEY-VERSION", "2".to_string()),
        ],
        body: Vec::new(),
        content_type: None,
    })
}

/// The envelope every answer comes in.
const ENVELOPE: sign::Envelope = sign::Envelope {
    code: "code",
    message: "msg",
    ok: "200000",
    revoked: &["400003"],
};

/// `code` "200000" → granted: the `permission` names (`General,Spot,…`),
/// `ipWhitelist` non-empty restricts. 400003 (key does not exist) →
/// revoked; anything else (400004 passphrase, 400005 signature, 400006 IP,
/// 400002 timestamp) → refused.
fn read_answer(status: u16, body: &[u8]) -> Answer {
    let value = match sign::open(status, body, &ENVELOPE) {
        Ok(value) => value,
        Err(answer) => return answer,
    };
    let Some(data) = value.get("data").filter(|d| d.is_object()) else {
        return sign::garbage(status, "no data in the answer");
    };
    let Some(permission) = data.get("permission").and_then(|p| p.as_str()) else {
        return sign::garbage(status, "no permission in the answer");
    };
    let natives = sign::native_list(&EXCHANGE, permission);
    let ip_restricted = match data.get("ipWhitelist") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(ips)) => Some(!ips.trim().is_empty()),
        Some(_) => return sign::garbage(status, "ipWhitelist is not text"),
    };
    Answer::Granted(Grant {
        natives,
        ip_restricted,
        expires_ms: None,
        disabled: false,
    })
}

#[cfg(test)]
mod verify_tests {
    use super::*;
    use base64::Engine as _;

    const SECRET: &str = "f03a5284-5c39-4aaa-9b20-dea10bdcf8e3";

    #[test]
    fn official_vector_and_derived_passphrase_reproduce() {
        let payload = r#"1547015186532POST/api/v1/deposit-addresses{"currency":"BTC"}"#;
        assert_eq!(
            sign::hmac_sha256_base64(SECRET.as_bytes(), payload.as_bytes()),
            "7QP/oM0ykidMdrfNEUmng8eZjg/ZvPafjIqmxiVfYu4="
        );
        assert_eq!(
            sign::hmac_sha256_base64(SECRET.as_bytes(), b"Abc123456"),
            "BKrtDi9RgDYbLigltBjNLvwvVf6/iCxWK6slmjr8DF8="
        );
    }

    #[test]
    fn signs_with_the_v2_passphrase() {
        let credential = Credential {
            key: "5c2db93503aa674c74a31734".into(),
            secret: SECRET.into(),
            passphrase: Some("Abc123456".into()),
        };
        let clock = Clock {
            unix_ms: 1_547_015_186_532,
            nonce: "0".repeat(32),
        };
        let request = sign_request(&credential, &clock).unwrap();
        assert_eq!(request.path_and_query, "/api/v1/user/api-key");
        let header = |name: &str| {
            request.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()).unwrap()
        };
        assert_eq!(request.headers.len(), 5);
        assert_eq!(header("KC-API-KEY"), "5c2db93503aa674c74a31734");
        assert_eq!(header("KC-API-TIMESTAMP"), "1547015186532");
        assert_eq!(header("KC-API-KEY-VERSION"), "2");
        assert_eq!(header("KC-API-PASSPHRASE"), "BKrtDi9RgDYbLigltBjNLvwvVf6/iCxWK6slmjr8DF8=");
        use hmac::{KeyInit, Mac};
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(b"1547015186532GET/api/v1/user/api-key");
        let signature = base64::engine::general_purpose::STANDARD.decode(header("KC-API-SIGN")).unwrap();
        mac.verify_slice(&signature).unwrap();
        let without = Credential { passphrase: None, ..credential };
        assert!(sign_request(&without, &clock).is_err());
    }

    #[test]
    fn reads_the_documented_answers() {
        let body = br#"{"code":"200000","data":{"remark":"bot","apiKey":"5c2db93503aa674c74a31734","apiVersion":3,"permission":"General,Futures,Spot,Earn,InnerTransfer,Transfer,Margin","ipWhitelist":"203.**.154,103.**.34","isMaster":false,"createdAt":1729145568000,"uid":1234}}"#;
        let Answer::Granted(grant) = read_answer(200, body) else {
            panic!("not granted")
        };
        assert_eq!(grant.natives, ["General", "Futures", "Spot", "Earn", "InnerTransfer", "Transfer", "Margin"]);
        assert_eq!(grant.ip_restricted, Some(true));
        for native in &grant.natives {
            assert!(crate::checks::permissions::resolve(&EXCHANGE, native).is_some(), "{native}");
        }
        let body = br#"{"code":"200000","data":{"permission":"General,Spot","ipWhitelist":""}}"#;
        let Answer::Granted(grant) = read_answer(200, body) else {
            panic!("not granted")
        };
        assert_eq!((grant.natives.len(), grant.ip_restricted), (2, Some(false)));
        assert!(matches!(read_answer(401, br#"{"code":"400003","msg":"KC-API-KEY not exists"}"#), Answer::Revoked { .. }));
        for code in ["400004", "400005", "400006", "400002"] {
            let body = format!(r#"{{"code":"{code}","msg":"Signature verification failed"}}"#);
            assert!(matches!(read_answer(401, body.as_bytes()), Answer::Refused { .. }), "{code}");
        }
        for garbage in [&b"<html>"[..], b"{}", br#"{"code":"200000"}"#, br#"{"code":"200000","data":{}}"#, br#"{"code":"200000","data":{"permission":"General","ipWhitelist":[]}}"#, br#"{"code":null}"#] {
            assert!(matches!(read_answer(200, garbage), Answer::Garbage { .. }), "{garbage:?}");
        }
    }
}
