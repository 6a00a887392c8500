//! Kraken: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{KEY_NAME, Part, SECRET_NAME, n};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::Rule;
use crate::finding::Severity;
use crate::verify::{self, Answer, Clock, Credential, Grant, Method, Request, Verifier, sign};

/// Kraken: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "kraken",
    name: "Kraken",
    api_page: "https://www.kraken.com/u/security/api",
    env_tokens: &["KRAKEN"],
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
    rules,
    verify: Some(Verifier {
        method: Method::Post,
        host: "api.kraken.com",
        path: PATH,
        doc: "https://docs.kraken.com/api-reference/account-data/get-api-key-info",
        parts: &[
            ("kraken-api-key", verify::Part::Key),
            ("kraken-private-key", verify::Part::Secret),
        ],
        needs_passphrase: false,
        sign: sign_request,
        read: |_, status, body| read_answer(status, body),
    }),
};

/// Kraken's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(
        Part {
            id: "kraken-api-key",
            exchange: "kraken",
            severity: High,
            description: "Kraken API key (56 base64 characters) near the word Kraken",
            context: &["kraken"],
            name: KEY_NAME,
            value: r"[A-Za-z0-9+/]{54,56}={0,2}",
            min_entropy: 4.3,
            examples: &[
                r#"KRAKEN_API_KEY=Gr9XvUN61LEphAU08/OHXCWwi+oGwodM+qTdF7LYQoRd6CpbxTmIiseA"#,
            ],
            negatives: &[
                r#"KRAKEN_API_KEY=4/SDrDBcOOPnm3nPlNfEMMJDeRcIVqPz+QhRxIodyZbI9po/aVRiHsgX"#,
            ],
        }
        .rule(),
    );
    rules.push(Part {
        id: "kraken-private-key",
        exchange: "kraken",
        severity: Critical,
        description: "Kraken API private key (88 base64 characters = 64 bytes) near the word Kraken",
        context: &["kraken"],
        name: SECRET_NAME,
        value: r"[A-Za-z0-9+/]{86}==",
        min_entropy: 4.5,
        examples: &[r#"kraken:
  api_secret: VKI5nM/J/MLaMc490Wa9zTozhH5buwf9B8pHeEIxsZr0WHLO77n8WfT5XRQ4Gjp4MlY0e5/85pzXAHrop1jMpA=="#],
        negatives: &[r#"KRAKEN_PRIVATE_KEY=kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="#],
    }
    .rule());
    rules
}

/// "Get API Key Info" (needs no permission): the calling key's own
/// permissions, IP allowlist and expiry.
const PATH: &str = "/0/private/GetApiKeyInfo";

/// A form body `nonce=…` (milliseconds: increasing, and no larger than the
/// millisecond nonces most bots send with the same key), `API-Sign` =
/// base64 HMAC-SHA512(base64-decoded secret, path ‖ SHA256(nonce ‖ body))
/// (EXCHANGES.md section 4 [D], section 5 vector [V]).
fn sign_request(credential: &Credential, clock: &Clock) -> Result<Request, String> {
    let secret = sign::base64_decode(&credential.secret)?;
    let nonce = clock.unix_ms.to_string();
    let body = format!("nonce={nonce}");
    Ok(Request {
        path_and_query: PATH.to_string(),
        headers: vec![
            ("API-Key", credential.key.clone()),
            ("API-Sign", api_sign(&secret, PATH, &nonce, &body)),
        ],
        body: body.into_bytes(),
        content_type: Some("application/x-www-form-urlencoded"),
    })
}

/// Kraken's `API-Sign` of one request.
fn api_sign(secret: &[u8], path: &str, nonce: &str, body: &str) -> String {
    let mut message = path.as_bytes().to_vec();
    message.extend(sign::sha256(format!("{nonce}{body}").as_bytes()));
    sign::hmac_sha512_base64(secret, &message)
}

/// `error` empty → granted: `permissions[]` slugs, `ipAllowlist` non-empty
/// restricts, `validUntil` non-zero (seconds) expires. `EAPI:Invalid key`
/// → revoked; any other error (`EAPI:Invalid signature`, `EAPI:Invalid
/// nonce`, `EGeneral:Permission denied`) → refused.
fn read_answer(status: u16, body: &[u8]) -> Answer {
    let value = match sign::json(status, body) {
        Ok(value) => value,
        Err(answer) => return answer,
    };
    let Some(errors) = value.get("error").and_then(|e| e.as_array()) else {
        return sign::garbage(status, "no error list in the answer");
    };
    if !errors.is_empty() {
        let texts: Vec<&str> = errors.iter().filter_map(|e| e.as_str()).collect();
        let reason = verify::reason("", &texts.join("; "));
        return if texts.iter().any(|t| t.trim() == "EAPI:Invalid key") {
            Answer::Revoked { reason }
        } else {
            Answer::Refused { reason }
        };
    }
    let Some(result) = value.get("result").filter(|r| r.is_object()) else {
        return sign::garbage(status, "no result in the answer");
    };
    let Some(permissions) = result.get("permissions").and_then(|p| p.as_array()) else {
        return sign::garbage(status, "no permissions in the answer");
    };
    let mut natives: Vec<String> = Vec::new();
    for name in permissions {
        let Some(name) = name.as_str().filter(|n| !n.is_empty()) else {
            return sign::garbage(status, "a permission is not a name");
        };
        if !natives.iter().any(|n| n == name) {
            natives.push(name.to_string());
        }
    }
    let ip_restricted = match result.get("ipAllowlist") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Array(ips)) => Some(!ips.is_empty()),
        Some(serde_json::Value::String(ips)) => Some(!ips.trim().is_empty()),
        Some(_) => return sign::garbage(status, "ipAllowlist is not a list"),
    };
    let expires_ms = match result.get("validUntil") {
        None | Some(serde_json::Value::Null) => None,
        Some(until) => match sign::integer(until) {
            Some(0) => None,
            // Seconds, as Kraken's other timestamps; a value already in
            // milliseconds is kept.
            Some(secs) if secs < 100_000_000_000 => Some(secs * 1000),
            Some(ms) => Some(ms),
            None => return sign::garbage(status, "validUntil is not a time"),
        },
    };
    Answer::Granted(Grant {
        natives,
        ip_restricted,
        expires_ms,
        disabled: false,
    })
}

#[cfg(test)]
mod verify_tests {
    use super::*;
    use base64::Engine as _;

    const SECRET: &str = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==";

    #[test]
    fn official_vector_reproduces() {
        let secret = sign::base64_decode(SECRET).unwrap();
        let body = "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25";
        assert_eq!(
            api_sign(&secret, "/0/private/AddOrder", "1616492376594", body),
            "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="
        );
    }

    #[test]
    fn signs_the_nonce_body() {
        let credential = Credential {
            key: "4/SDrDBcOOPnm3nPlNfEMMJDeRcIVqPz+QhRxIodyZbI9po/aVRiHsgX".into(),
            secret: SECRET.into(),
            passphrase: None,
        };
        let clock = Clock {
            unix_ms: 1_616_492_376_594,
            nonce: "0".repeat(32),
        };
        let request = sign_request(&credential, &clock).unwrap();
        assert_eq!(request.path_and_query, "/0/private/GetApiKeyInfo");
        assert_eq!(request.body, b"nonce=1616492376594");
        assert_eq!(request.content_type, Some("application/x-www-form-urlencoded"));
        assert_eq!(request.headers.len(), 2);
        assert_eq!(request.headers[0], ("API-Key", credential.key.clone()));
        // Recomputed independently of the signer.
        use hmac::{KeyInit, Mac};
        use sha2::Digest;
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut mac = hmac::Hmac::<sha2::Sha512>::new_from_slice(&b64.decode(SECRET).unwrap()).unwrap();
        mac.update(b"/0/private/GetApiKeyInfo");
        mac.update(&sha2::Sha256::digest(b"1616492376594nonce=1616492376594"));
        assert_eq!(request.headers[1].0, "API-Sign");
        mac.verify_slice(&b64.decode(&request.headers[1].1).unwrap()).unwrap();
        let bad = Credential { secret: "not base64!".into(), ..credential };
        assert!(sign_request(&bad, &clock).is_err());
    }

    #[test]
    fn reads_the_documented_answers() {
        let body = br#"{"error":[],"result":{"apiKeyName":"bot","apiKey":"4/SDrDBcOOPnm3nPlNfEMMJDeRcIVqPz+QhRxIodyZbI9po/aVRiHsgX","nonce":"1716990615474","nonceWindow":0,"permissions":["query-funds","withdraw-funds","query-open-trades","modify-trades"],"iban":"AB12 C345 DEFG HIJK","validUntil":"0","queryFrom":"0","queryTo":"0","createdTime":"1716990582","modifiedTime":"1716990582","ipAllowlist":[],"lastUsed":"1716990615"}}"#;
        let Answer::Granted(grant) = read_answer(200, body) else {
            panic!("not granted")
        };
        assert_eq!(grant.natives, ["query-funds", "withdraw-funds", "query-open-trades", "modify-trades"]);
        assert_eq!((grant.ip_restricted, grant.expires_ms), (Some(false), None));
        for native in &grant.natives {
            assert!(crate::checks::permissions::resolve(&EXCHANGE, native).is_some(), "{native}");
        }
        let body = br#"{"error":[],"result":{"permissions":["query-funds"],"validUntil":"1893456000","ipAllowlist":["203.0.113.7/32"]}}"#;
        let Answer::Granted(grant) = read_answer(200, body) else {
            panic!("not granted")
        };
        assert_eq!((grant.ip_restricted, grant.expires_ms), (Some(true), Some(1_893_456_000_000)));
        assert!(matches!(read_answer(200, br#"{"error":["EAPI:Invalid key"]}"#), Answer::Revoked { .. }));
        for error in ["EAPI:Invalid signature", "EAPI:Invalid nonce", "EGeneral:Permission denied"] {
            let body = format!(r#"{{"error":["{error}"]}}"#);
            let answer = read_answer(200, body.as_bytes());
            assert!(matches!(&answer, Answer::Refused { reason } if reason == error), "{answer:?}");
        }
        for garbage in [&b"<html>"[..], b"{}", br#"{"error":[]}"#, br#"{"error":[],"result":{}}"#, br#"{"error":[],"result":{"permissions":[1]}}"#, br#"{"error":[],"result":{"permissions":[],"validUntil":"soon"}}"#, br#"{"error":"x"}"#] {
            assert!(matches!(read_answer(200, garbage), Answer::Garbage { .. }), "{garbage:?}");
        }
    }
}
