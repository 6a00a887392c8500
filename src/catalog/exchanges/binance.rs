//! Binance: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.
//!
//! 64 alphanumerics for key and secret, told apart by field name.

use crate::catalog::build::{KEY_NAME, PEM_BLOCK, SECRET_NAME, Part, exchange_remediation, n, pem};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::{Rule, base};
use crate::finding::Severity;
use crate::verify::{self, Answer, Clock, Credential, Grant, Method, Request, Verifier, sign};

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
    verify: Some(Verifier {
        method: Method::Get,
        host: "api.binance.com",
        path: PATH,
        doc: "https://developers.binance.com/docs/wallet/account/api-key-permission",
        parts: &[
            ("binance-api-key", verify::Part::Key),
            ("binance-api-secret", verify::Part::Secret),
            ("binance-private-key", verify::Part::Secret),
        ],
        needs_passphrase: false,
        sign: sign_request,
        read: |_, status, body| read_answer(status, body),
    }),
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
            // Another exchange's secret next to Binance's name is that exchange's.
            "binance_api_key = os.getenv(\"BINANCE_API_KEY\")\nascend_ex_secret_key = \"TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ\"",
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
        scope: PEM_BLOCK,
        context: &["binance"],
        group: Some("binance"),
        examples: &["binance:\n  private_key: \"-----BEGIN PRIVATE KEY-----\\nMC4CAQAwBQYDK2VwBCIEIHd0f8Jz3yq9Xb2mVt7Kp4LQwEr5sN1aUc6oYi8gTe0\\n-----END PRIVATE KEY-----\""],
        negatives: &["binance:\n  public_key: \"-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEAgmDRTtj2FA+wzJUIlAL9ly1eovjLBu7uXUFR+jFULmg=\\n-----END PUBLIC KEY-----\""],
        remediation: exchange_remediation("binance"),
        ..base()
    });
    rules
}

/// "Query API Key Permission" (USER_DATA, weight 1): the calling key's own toggles.
const PATH: &str = "/sapi/v1/account/apiRestrictions";

/// `timestamp` and `recvWindow` in the query, `signature` = lowercase hex
/// HMAC-SHA256(secret, query string) appended last, the key in `X-MBX-APIKEY`
/// (EXCHANGES.md section 4 [D], the signature as rest-api.md [V]). A secret
/// that is a private key PEM is an Ed25519 key: the signature is the base64
/// Ed25519 signature of the query string, percent-encoded (section 4 [V]).
fn sign_request(credential: &Credential, clock: &Clock) -> Result<Request, String> {
    let query = format!("timestamp={}&recvWindow=5000", clock.unix_ms);
    let signature = if credential.secret.contains("PRIVATE KEY") {
        let key = sign::ed25519_key(&credential.secret)?;
        sign::ed25519_base64(&key, query.as_bytes())
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    } else {
        sign::hmac_sha256_hex(credential.secret.as_bytes(), query.as_bytes())
    };
    Ok(Request {
        path_and_query: format!("{PATH}?{query}&signature={signature}"),
        headers: vec![("X-MBX-APIKEY", credential.key.clone())],
        body: Vec::new(),
        content_type: None,
    })
}

/// The boolean fields of the answer that grant something (section 2 [D]);
/// any other `enable…`/`permits…` field that is true is kept too, under
/// its own name (a toggle Binance adds later counts as beyond read + trade).
const TOGGLES: &[&str] = &[
    "enableReading",
    "enableSpotAndMarginTrading",
    "enableMargin",
    "enableFutures",
    "enableVanillaOptions",
    "enablePortfolioMarginTrading",
    "permitsUniversalTransfer",
    "enableInternalTransfer",
    "enableWithdrawals",
    "enableFixApiTrade",
    "enableFixReadOnly",
];

/// 200 with the toggles → granted; `{"code": …, "msg": …}` → -2014 (key
/// format) and -2008 (unknown key id) revoked, anything else (-2015 "invalid
/// API-key, IP, or permissions", -1022 signature, -1021 timestamp) refused.
fn read_answer(status: u16, body: &[u8]) -> Answer {
    let value = match sign::json(status, body) {
        Ok(value) => value,
        Err(answer) => return answer,
    };
    let Some(object) = value.as_object() else {
        return sign::garbage(status, "the answer is not a JSON object");
    };
    if let Some(code) = object.get("code").and_then(|c| c.as_i64()) {
        let message = object.get("msg").and_then(|m| m.as_str()).unwrap_or("");
        let reason = verify::reason(&code.to_string(), message);
        return match code {
            -2014 | -2008 => Answer::Revoked { reason },
            _ => Answer::Refused { reason },
        };
    }
    if status != 200 || !object.get("enableReading").is_some_and(|v| v.is_boolean()) {
        return sign::garbage(status, "no enableReading in the answer");
    }
    let mut natives: Vec<String> = TOGGLES
        .iter()
        .filter(|name| object.get(**name).and_then(|v| v.as_bool()) == Some(true))
        .map(|name| name.to_string())
        .collect();
    for (name, value) in object {
        let toggle = name.starts_with("enable") || name.starts_with("permits");
        if toggle && value.as_bool() == Some(true) && !natives.contains(name) {
            natives.push(name.clone());
        }
    }
    let expires_ms = object
        .get("tradingAuthorityExpirationTime")
        .and_then(sign::integer)
        .filter(|ms| *ms > 0);
    Answer::Granted(Grant {
        natives,
        ip_restricted: object.get("ipRestrict").and_then(|v| v.as_bool()),
        expires_ms,
        disabled: false,
    })
}

#[cfg(test)]
mod verify_tests {
    use super::*;

    const KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
    const SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

    #[test]
    fn an_ed25519_key_signs_the_query_with_ed25519() {
        use ed25519_dalek::pkcs8::EncodePrivateKey;
        use ed25519_dalek::{Signature, Verifier as _};
        let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let pem = key
            .to_pkcs8_pem(p256::pkcs8::LineEnding::LF)
            .unwrap()
            .to_string();
        // As it sits in a .env or JSON file: literal \n escapes.
        let escaped = pem.trim_end().replace('\n', "\\n");
        for secret in [pem.clone(), escaped] {
            let credential = Credential {
                key: KEY.into(),
                secret,
                passphrase: None,
            };
            let clock = Clock {
                unix_ms: 1_700_000_000_000,
                nonce: "0".repeat(32),
            };
            let request = sign_request(&credential, &clock).unwrap();
            let (path, query) = request.path_and_query.split_once('?').unwrap();
            assert_eq!(path, PATH);
            let (signed, signature) = query.rsplit_once("&signature=").unwrap();
            assert_eq!(signed, "timestamp=1700000000000&recvWindow=5000");
            let decoded = signature
                .replace("%2B", "+")
                .replace("%2F", "/")
                .replace("%3D", "=");
            assert!(!decoded.contains('%'));
            let bytes: [u8; 64] = sign::base64_decode(&decoded).unwrap().try_into().unwrap();
            key.verifying_key()
                .verify(signed.as_bytes(), &Signature::from_bytes(&bytes))
                .unwrap();
        }
        let broken = Credential {
            key: KEY.into(),
            secret: "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----".into(),
            passphrase: None,
        };
        let clock = Clock {
            unix_ms: 1,
            nonce: String::new(),
        };
        assert!(sign_request(&broken, &clock).is_err());
    }

    #[test]
    fn official_hmac_vectors_reproduce() {
        let payload = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
        assert_eq!(
            sign::hmac_sha256_hex(SECRET.as_bytes(), payload.as_bytes()),
            "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
        );
        let payload = "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
        assert_eq!(
            sign::hmac_sha256_hex(SECRET.as_bytes(), payload.as_bytes()),
            "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3"
        );
    }

    #[test]
    fn signs_the_query_with_the_secret() {
        let credential = Credential {
            key: KEY.into(),
            secret: SECRET.into(),
            passphrase: None,
        };
        let clock = Clock {
            unix_ms: 1_499_827_319_559,
            nonce: "0".repeat(32),
        };
        let request = sign_request(&credential, &clock).unwrap();
        assert_eq!(request.headers, vec![("X-MBX-APIKEY", KEY.to_string())]);
        assert!(request.body.is_empty() && request.content_type.is_none());
        let (path, query) = request.path_and_query.split_once('?').unwrap();
        assert_eq!(path, "/sapi/v1/account/apiRestrictions");
        let (signed, signature) = query.rsplit_once("&signature=").unwrap();
        assert!(signed.contains("timestamp=1499827319559") && signed.contains("recvWindow=5000"));
        // Recomputed independently of the signer.
        use hmac::{KeyInit, Mac};
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(signed.as_bytes());
        mac.verify_slice(&decode_hex(signature)).unwrap();
    }

    fn decode_hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn reads_the_documented_answers() {
        let body = br#"{"ipRestrict":false,"createTime":1623840271000,"enableReading":true,"enableWithdrawals":false,"enableInternalTransfer":true,"enableMargin":false,"enableFutures":false,"permitsUniversalTransfer":true,"enableVanillaOptions":false,"enableFixApiTrade":false,"enableFixReadOnly":true,"enableSpotAndMarginTrading":false,"enablePortfolioMarginTrading":true,"tradingAuthorityExpirationTime":1628985600000}"#;
        let Answer::Granted(grant) = read_answer(200, body) else {
            panic!("not granted")
        };
        assert_eq!(
            grant.natives,
            [
                "enableReading",
                "enablePortfolioMarginTrading",
                "permitsUniversalTransfer",
                "enableInternalTransfer",
                "enableFixReadOnly"
            ]
        );
        assert_eq!(grant.ip_restricted, Some(false));
        assert_eq!(grant.expires_ms, Some(1_628_985_600_000));
        for native in &grant.natives {
            assert!(crate::checks::permissions::resolve(&EXCHANGE, native).is_some(), "{native}");
        }
        let body = br#"{"ipRestrict":true,"enableReading":true,"enableWithdrawals":true,"enableNewThing":true,"tradingAuthorityExpirationTime":0}"#;
        let Answer::Granted(grant) = read_answer(200, body) else {
            panic!("not granted")
        };
        assert_eq!(grant.natives, ["enableReading", "enableWithdrawals", "enableNewThing"]);
        assert_eq!((grant.ip_restricted, grant.expires_ms), (Some(true), None));

        let revoked = read_answer(401, br#"{"code":-2008,"msg":"Invalid Api-Key ID."}"#);
        assert!(matches!(&revoked, Answer::Revoked { reason } if reason == "code -2008: Invalid Api-Key ID."), "{revoked:?}");
        assert!(matches!(read_answer(400, br#"{"code":-2014,"msg":"API-key format invalid."}"#), Answer::Revoked { .. }));
        for code in ["-2015", "-1022", "-1021"] {
            let body = format!(r#"{{"code":{code},"msg":"Invalid API-key, IP, or permissions for action."}}"#);
            assert!(matches!(read_answer(401, body.as_bytes()), Answer::Refused { .. }), "{code}");
        }
        for garbage in [&b"<html>502</html>"[..], b"[]", b"{}", br#"{"enableReading":"yes"}"#, b"", br#"{"code":"x"}"#] {
            assert!(matches!(read_answer(200, garbage), Answer::Garbage { .. }), "{garbage:?}");
        }
        assert!(matches!(read_answer(500, br#"{"enableReading":true}"#), Answer::Garbage { .. }));
    }
}
