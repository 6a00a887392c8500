//! OKX: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{API_KEY_NAME, PASS_NAME, Part, SECRET_NAME, n};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::Rule;
use crate::finding::Severity;
use crate::verify::{self, Answer, Clock, Credential, Grant, Method, Request, Verifier, sign};

/// OKX: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "okx",
    name: "OKX",
    api_page: "https://www.okx.com/account/my-api",
    env_tokens: &["OKX", "OKEX"],
    model: Model::Toggles,
    ip_allowlist: true,
    natives: &[
        n(&["Read", "read_only"], &[Read]),
        // One toggle for every instrument type.
        n(&["Trade"], &[SpotTrade, MarginTrade, FuturesTrade]),
        n(&["Withdraw"], &[Withdraw]),
    ],
    rules,
    verify: Some(Verifier {
        method: Method::Get,
        host: "www.okx.com",
        path: PATH,
        doc: "https://www.okx.com/docs-v5/en/#trading-account-rest-api-get-account-configuration",
        parts: &[
            ("okx-api-key", verify::Part::Key),
            ("okx-api-secret", verify::Part::Secret),
            ("okx-api-passphrase", verify::Part::Passphrase),
        ],
        needs_passphrase: true,
        sign: sign_request,
        read: |_, status, body| read_answer(status, body),
    }),
};

/// OKX's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(
        Part {
            id: "okx-api-key",
            exchange: "okx",
            severity: High,
            description: "OKX API key (UUID) assigned to a key field near the word OKX",
            context: &["okx", "okex"],
            name: API_KEY_NAME,
            value: r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            min_entropy: 3.0,
            examples: &[r#"OKX_API_KEY="86ce03f9-1a4f-44f9-a651-1445b9f3635c""#],
            negatives: &[
                r#"trace_id = "86ce03f9-1a4f-44f9-a651-1445b9f3635c""#,
                r#"{"exchange": "okx", "clOrdId": "86ce03f9-1a4f-44f9-a651-1445b9f3635c"}"#,
            ],
        }
        .rule(),
    );
    rules.push(Part {
        id: "okx-api-secret",
        exchange: "okx",
        severity: Critical,
        description: "OKX API secret (32 uppercase hex) assigned to a secret field near the word OKX",
        context: &["okx", "okex"],
        name: SECRET_NAME,
        value: r"[0-9A-F]{32}",
        min_entropy: 3.0,
        examples: &[r#"okx = ccxt.okx({"apiKey": "86ce03f9-1a4f-44f9-a651-1445b9f3635c", "secret": "4D6608697A8D41BED440E50454F31AF3"})"#],
        negatives: &[
            r#"OKX_SECRET_KEY=22582BD0CFF14C41EDBF1AB98506286D"#,
            r#"md5 = "4D6608697A8D41BED440E50454F31AF3""#,
        ],
    }
    .rule());
    rules.push(
        Part {
            id: "okx-api-passphrase",
            exchange: "okx",
            severity: High,
            description: "OKX API passphrase (chosen by the user) assigned near the word OKX",
            context: &["okx", "okex"],
            name: PASS_NAME,
            value: r"[A-Za-z0-9!@#%^&*_+\-=,?]{8,32}",
            min_entropy: 2.5,
            examples: &[r#"OKX_PASSPHRASE=Gr1dB0t#Okx77"#],
            negatives: &[r#"OKX_PASSPHRASE=your-passphrase"#],
        }
        .rule(),
    );
    rules
}

/// "Get account configuration": `perm` and `ip` of the calling key.
const PATH: &str = "/api/v5/account/config";

/// `OK-ACCESS-SIGN` = base64 HMAC-SHA256(secret, timestamp + METHOD +
/// requestPath + body) with an ISO-8601 millisecond UTC timestamp, the
/// passphrase in plain text (EXCHANGES.md section 4 [D]).
fn sign_request(credential: &Credential, clock: &Clock) -> Result<Request, String> {
    let passphrase = credential
        .passphrase
        .clone()
        .ok_or_else(|| "an OKX key needs its passphrase".to_string())?;
    let timestamp = sign::iso8601_ms(clock.unix_ms);
    let payload = format!("{timestamp}GET{PATH}");
    let signature = sign::hmac_sha256_base64(credential.secret.as_bytes(), payload.as_bytes());
    Ok(Request {
        path_and_query: PATH.to_string(),
        headers: vec![
            ("OK-ACCESS-KEY", credential.key.clone()),
            ("OK-ACCESS-SIGN", signature),
            ("OK-ACCESS-TIMESTAMP", timestamp),
            ("OK-ACCESS-PASSPHRASE", passphrase),
        ],
        body: Vec::new(),
        content_type: None,
    })
}

/// The envelope every answer comes in.
const ENVELOPE: sign::Envelope = sign::Envelope {
    code: "code",
    message: "msg",
    ok: "0",
    revoked: &["50111", "50119"],
};

/// `code` "0" → granted: the `perm` names (`read_only,trade,withdraw`) in
/// the catalog's spelling, `ip` non-empty restricts. 50111 (invalid
/// OK-ACCESS-KEY) and 50119 (key does not exist) → revoked; anything else
/// (50113 signature, 50105 passphrase, 50110 IP, 50102 timestamp) → refused.
fn read_answer(status: u16, body: &[u8]) -> Answer {
    let value = match sign::open(status, body, &ENVELOPE) {
        Ok(value) => value,
        Err(answer) => return answer,
    };
    let Some(config) = value.get("data").and_then(|d| d.as_array()).and_then(|d| d.first()) else {
        return sign::garbage(status, "no data in the answer");
    };
    let Some(perm) = config.get("perm").and_then(|p| p.as_str()) else {
        return sign::garbage(status, "no perm in the answer");
    };
    let natives = sign::native_list(&EXCHANGE, perm);
    let ip_restricted = match config.get("ip") {
        None => None,
        Some(ip) => match ip.as_str() {
            Some(ip) => Some(!ip.trim().is_empty()),
            None => return sign::garbage(status, "ip is not text"),
        },
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

    #[test]
    fn signs_timestamp_method_and_path() {
        let credential = Credential {
            key: "86ce03f9-1a4f-44f9-a651-1445b9f3635c".into(),
            secret: "22582BD0CFF14C41EDBF1AB98506286D".into(),
            passphrase: Some("Gr1dB0t#Okx77".into()),
        };
        let clock = Clock {
            unix_ms: 1_607_418_537_715,
            nonce: "0".repeat(32),
        };
        let request = sign_request(&credential, &clock).unwrap();
        assert_eq!(request.path_and_query, "/api/v5/account/config");
        let header = |name: &str| {
            request.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()).unwrap()
        };
        assert_eq!(request.headers.len(), 4);
        assert_eq!(header("OK-ACCESS-KEY"), credential.key);
        assert_eq!(header("OK-ACCESS-TIMESTAMP"), "2020-12-08T09:08:57.715Z");
        assert_eq!(header("OK-ACCESS-PASSPHRASE"), "Gr1dB0t#Okx77");
        use hmac::{KeyInit, Mac};
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(credential.secret.as_bytes()).unwrap();
        mac.update(b"2020-12-08T09:08:57.715ZGET/api/v5/account/config");
        let signature = base64::engine::general_purpose::STANDARD.decode(header("OK-ACCESS-SIGN")).unwrap();
        mac.verify_slice(&signature).unwrap();
        let without = Credential { passphrase: None, ..credential };
        assert!(sign_request(&without, &clock).is_err());
    }

    #[test]
    fn reads_the_documented_answers() {
        let body = br#"{"code":"0","data":[{"acctLv":"2","autoLoan":false,"ctIsoMode":"automatic","greeksType":"PA","ip":"","kycLv":"3","label":"bot","level":"Lv1","levelTmp":"","mainUid":"44705892343619584","mgnIsoMode":"automatic","perm":"read_only,trade","posMode":"long_short_mode","uid":"44705892343619584"}],"msg":""}"#;
        let Answer::Granted(grant) = read_answer(200, body) else {
            panic!("not granted")
        };
        assert_eq!(grant.natives, ["read_only", "Trade"]);
        assert_eq!(grant.ip_restricted, Some(false));
        let body = br#"{"code":"0","data":[{"perm":"read_only,trade,withdraw","ip":"203.0.113.7,198.51.100.2"}],"msg":""}"#;
        let Answer::Granted(grant) = read_answer(200, body) else {
            panic!("not granted")
        };
        assert_eq!(grant.natives, ["read_only", "Trade", "Withdraw"]);
        assert_eq!(grant.ip_restricted, Some(true));
        for native in &grant.natives {
            assert!(crate::checks::permissions::resolve(&EXCHANGE, native).is_some(), "{native}");
        }
        for code in ["50111", "50119"] {
            let body = format!(r#"{{"msg":"Invalid OK-ACCESS-KEY","code":"{code}"}}"#);
            assert!(matches!(read_answer(401, body.as_bytes()), Answer::Revoked { .. }), "{code}");
        }
        for code in ["50113", "50105", "50110", "50102"] {
            let body = format!(r#"{{"msg":"Invalid Sign","code":"{code}"}}"#);
            assert!(matches!(read_answer(401, body.as_bytes()), Answer::Refused { .. }), "{code}");
        }
        for garbage in [&b"<html>"[..], b"{}", br#"{"code":"0","data":[]}"#, br#"{"code":"0","data":[{"ip":""}]}"#, br#"{"code":"0","data":[{"perm":"trade","ip":[]}]}"#, br#"{"code":"0","data":{}}"#] {
            assert!(matches!(read_answer(200, garbage), Answer::Garbage { .. }), "{garbage:?}");
        }
    }
}
