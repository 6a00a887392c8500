//! BitMEX: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{KEY_NAME, Part, SECRET_NAME, n};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::Rule;
use crate::finding::Severity;
use crate::verify::{self, Answer, Clock, Credential, Grant, Method, Request, Verifier, sign};

/// BitMEX: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "bitmex",
    name: "BitMEX",
    api_page: "https://www.bitmex.com/app/apiKeys",
    env_tokens: &["BITMEX"],
    model: Model::Toggles,
    ip_allowlist: true,
    natives: &[
        n(&["Order", "order"], &[FuturesTrade]),
        n(&["Order Cancel", "orderCancel"], &[FuturesTrade]),
        n(&["Withdraw", "withdraw"], &[Withdraw]),
    ],
    rules,
    verify: Some(Verifier {
        method: Method::Get,
        host: "www.bitmex.com",
        path: PATH,
        doc: "https://www.bitmex.com/api/explorer/#!/APIKey/APIKey_get",
        parts: &[
            ("bitmex-api-key", verify::Part::Key),
            ("bitmex-api-secret", verify::Part::Secret),
        ],
        needs_passphrase: false,
        sign: sign_request,
        read: |credential, status, body| read_for(&credential.key, status, body),
    }),
};

/// BitMEX's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(
        Part {
            id: "bitmex-api-key",
            exchange: "bitmex",
            severity: High,
            description: "BitMEX API key (24 base64url characters) near the word BitMEX",
            context: &["bitmex"],
            name: KEY_NAME,
            value: r"[A-Za-z0-9_\-]{24}",
            min_entropy: 3.5,
            examples: &[r#"BITMEX_API_KEY=sHUqJoUD-_Ydua_5ZMs1SWOp"#],
            negatives: &[r#"BITMEX_API_KEY=LAqUlngMIQkIUjXMUreyu3qn"#],
        }
        .rule(),
    );
    rules.push(
        Part {
            id: "bitmex-api-secret",
            exchange: "bitmex",
            severity: Critical,
            description: "BitMEX API secret (48 base64url characters) near the word BitMEX",
            context: &["bitmex"],
            name: SECRET_NAME,
            value: r"[A-Za-z0-9_\-]{48}",
            min_entropy: 4.0,
            examples: &[r#"BITMEX_API_SECRET=QaPRYpzbLGViYXjU2JgJngKtFI3OyV2dZAkg05rK_gqv81RK"#],
            negatives: &[r#"BITMEX_API_SECRET=chNOOS4KvNXR_Xq4k4c9qsfoKWvnDecLATCRlcBwyKDYnWgO"#],
        }
        .rule(),
    );
    rules
}

/// "Get your API Keys": every key of the calling key's account.
const PATH: &str = "/api/v1/apiKey";

/// `api-expires` = now + 60 s, `api-signature` = lowercase hex
/// HMAC-SHA256(secret, VERB + path + expires + body) (EXCHANGES.md section
/// 4 and the section 5 vectors [V]).
fn sign_request(credential: &Credential, clock: &Clock) -> Result<Request, String> {
    let expires = (clock.unix_ms / 1000 + 60).to_string();
    Ok(Request {
        path_and_query: PATH.to_string(),
        headers: vec![
            ("api-key", credential.key.clone()),
            ("api-expires", expires.clone()),
            (
                "api-signature",
                api_signature(&credential.secret, "GET", PATH, &expires, ""),
            ),
        ],
        body: Vec::new(),
        content_type: None,
    })
}

/// BitMEX's `api-signature` of one request.
fn api_signature(secret: &str, verb: &str, path: &str, expires: &str, body: &str) -> String {
    let message = format!("{verb}{path}{expires}{body}");
    sign::hmac_sha256_hex(secret.as_bytes(), message.as_bytes())
}

/// What one key of the answer's list can do.
fn grant_of(key: &serde_json::Value) -> Option<Grant> {
    let mut natives: Vec<String> = Vec::new();
    for name in key.get("permissions")?.as_array()? {
        // Strings; an old shape wraps each in an object.
        let name = name.as_str().or_else(|| name.get("name").and_then(|n| n.as_str()))?;
        if !name.is_empty() && !natives.iter().any(|n| n == name) {
            natives.push(name.to_string());
        }
    }
    let open = |cidr: &str| matches!(cidr.trim(), "" | "0.0.0.0/0" | "::/0");
    let mut cidrs: Vec<&str> = Vec::new();
    if let Some(cidr) = key.get("cidr").filter(|c| !c.is_null()) {
        cidrs.push(cidr.as_str()?);
    }
    if let Some(list) = key.get("cidrs").filter(|c| !c.is_null()) {
        for cidr in list.as_array()? {
            cidrs.push(cidr.as_str()?);
        }
    }
    let ip_restricted = (!cidrs.is_empty()).then(|| cidrs.iter().any(|c| !open(c)));
    let disabled = match key.get("enabled") {
        None | Some(serde_json::Value::Null) => false,
        Some(enabled) => !enabled.as_bool()?,
    };
    Some(Grant {
        natives,
        ip_restricted,
        expires_ms: None,
        disabled,
    })
}

/// Reads the answer for the key `id`: the list's entry whose `id` it is.
/// (The verifier's `read`.)
pub(crate) fn read_for(id: &str, status: u16, body: &[u8]) -> Answer {
    read_keys(Some(id), status, body)
}

/// 200 with the account's keys → granted. `read` is not told which key
/// called, so with one key in the list that key is read; with several, and
/// no way to tell them apart here, the worst case of them all (every
/// permission any has, restricted or disabled only when all are) — never a
/// silent pass. [`read_for`] picks the calling key by `id`. Errors
/// (`{"error": {"message", "name"}}`): "Invalid API Key" → revoked; any
/// other ("Signature not valid", an expired `api-expires`) → refused.
#[cfg(test)]
fn read_answer(status: u16, body: &[u8]) -> Answer {
    read_keys(None, status, body)
}

fn read_keys(id: Option<&str>, status: u16, body: &[u8]) -> Answer {
    let value = match sign::json(status, body) {
        Ok(value) => value,
        Err(answer) => return answer,
    };
    if let Some(error) = value.get("error").filter(|e| e.is_object()) {
        let message = error.get("message").and_then(|m| m.as_str()).unwrap_or("");
        let reason = verify::reason("", message);
        return if message.to_ascii_lowercase().contains("invalid api key") {
            Answer::Revoked { reason }
        } else {
            Answer::Refused { reason }
        };
    }
    let Some(keys) = value.as_array().filter(|k| status == 200 && !k.is_empty()) else {
        return sign::garbage(status, "no list of keys in the answer");
    };
    let mut grants = Vec::new();
    for key in keys {
        let Some(grant) = grant_of(key) else {
            return sign::garbage(status, "a key in the answer is not the documented shape");
        };
        let key_id = key.get("id").and_then(|i| i.as_str());
        if id.is_some() && key_id == id {
            return Answer::Granted(grant);
        }
        grants.push(grant);
    }
    if id.is_some() {
        return sign::garbage(status, "the calling key is not in the answer");
    }
    if grants.len() == 1 {
        return Answer::Granted(grants.remove(0));
    }
    let mut worst = Grant {
        natives: Vec::new(),
        ip_restricted: Some(true),
        expires_ms: None,
        disabled: true,
    };
    for grant in grants {
        for native in grant.natives {
            if !worst.natives.contains(&native) {
                worst.natives.push(native);
            }
        }
        worst.ip_restricted = match (worst.ip_restricted, grant.ip_restricted) {
            (Some(a), Some(b)) => Some(a && b),
            (Some(false), None) => Some(false),
            _ => None,
        };
        worst.disabled &= grant.disabled;
    }
    Answer::Granted(worst)
}

#[cfg(test)]
mod verify_tests {
    use super::*;

    const KEY: &str = "LAqUlngMIQkIUjXMUreyu3qn";
    const SECRET: &str = "chNOOS4KvNXR_Xq4k4c9qsfoKWvnDecLATCRlcBwyKDYnWgO";

    #[test]
    fn official_vectors_reproduce() {
        assert_eq!(
            api_signature(SECRET, "GET", "/api/v1/instrument", "1518064236", ""),
            "c7682d435d0cfe87c16098df34ef2eb5a549d4c5a3c2b1f0f77b8af73423bf00"
        );
        assert_eq!(
            api_signature(
                SECRET,
                "POST",
                "/api/v1/order",
                "1518064238",
                r#"{"symbol":"XBTM15","price":219.0,"clOrdID":"mm_bitmex_1a/oemUeQ4CAJZgP3fjHsA","orderQty":98}"#
            ),
            "1749cd2ccae4aa49048ae09f0b95110cee706e0944e6a14ad0b3a8cb45bd336b"
        );
        assert_eq!(
            api_signature(
                SECRET,
                "GET",
                "/api/v1/instrument?filter=%7B%22symbol%22%3A+%22XBTM15%22%7D",
                "1429631577690",
                ""
            ),
            "9f1753e2db64711e39d111bc2ecace3dc9e7f026e6f65b65c4f53d3d14a60e5f"
        );
    }

    #[test]
    fn signs_verb_path_and_expiry() {
        let credential = Credential {
            key: KEY.into(),
            secret: SECRET.into(),
            passphrase: None,
        };
        let clock = Clock {
            unix_ms: 1_518_064_176_500,
            nonce: "0".repeat(32),
        };
        let request = sign_request(&credential, &clock).unwrap();
        assert_eq!(request.path_and_query, "/api/v1/apiKey");
        assert_eq!(request.headers[0], ("api-key", KEY.to_string()));
        assert_eq!(request.headers[1], ("api-expires", "1518064236".to_string()));
        use hmac::{KeyInit, Mac};
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(b"GET/api/v1/apiKey1518064236");
        assert_eq!(request.headers[2], ("api-signature", sign::hex(&mac.finalize().into_bytes())));
        assert_eq!(request.headers.len(), 3);
    }

    #[test]
    fn reads_the_documented_answers() {
        let one = br#"[{"id":"LAqUlngMIQkIUjXMUreyu3qn","secret":"","name":"bot","nonce":0,"cidr":"0.0.0.0/0","cidrs":["0.0.0.0/0"],"permissions":["order","orderCancel"],"enabled":true,"userId":1,"created":"2018-02-08T04:30:36.000Z"}]"#;
        let Answer::Granted(grant) = read_answer(200, one) else {
            panic!("not granted")
        };
        assert_eq!(grant.natives, ["order", "orderCancel"]);
        assert_eq!((grant.ip_restricted, grant.disabled), (Some(false), false));
        for native in &grant.natives {
            assert!(crate::checks::permissions::resolve(&EXCHANGE, native).is_some(), "{native}");
        }
        let two = br#"[{"id":"AAAAAAAAAAAAAAAAAAAAAAAA","cidr":"203.0.113.7/32","permissions":["withdraw"],"enabled":false},{"id":"LAqUlngMIQkIUjXMUreyu3qn","cidrs":["203.0.113.7/32"],"permissions":[],"enabled":true}]"#;
        let Answer::Granted(mine) = read_for(KEY, 200, two) else {
            panic!("not granted")
        };
        assert_eq!((mine.natives.len(), mine.ip_restricted, mine.disabled), (0, Some(true), false));
        let Answer::Granted(other) = read_for("AAAAAAAAAAAAAAAAAAAAAAAA", 200, two) else {
            panic!("not granted")
        };
        assert_eq!((other.natives, other.ip_restricted, other.disabled), (vec!["withdraw".to_string()], Some(true), true));
        let Answer::Granted(worst) = read_answer(200, two) else {
            panic!("not granted")
        };
        assert_eq!((worst.natives, worst.ip_restricted, worst.disabled), (vec!["withdraw".to_string()], Some(true), false));
        assert!(matches!(read_for("nope", 200, two), Answer::Garbage { .. }));

        let revoked = read_answer(401, br#"{"error":{"message":"Invalid API Key.","name":"HTTPError"}}"#);
        assert!(matches!(&revoked, Answer::Revoked { reason } if reason == "Invalid API Key."), "{revoked:?}");
        for message in ["Signature not valid.", "This request has expired - `expires` is in the past. Current time: 1518064300"] {
            let body = serde_json::json!({"error": {"message": message, "name": "HTTPError"}}).to_string();
            assert!(matches!(read_answer(401, body.as_bytes()), Answer::Refused { .. }), "{message}");
        }
        for garbage in [&b"<html>"[..], b"{}", b"[]", br#"[{"id":"x"}]"#, br#"[{"permissions":"order"}]"#, br#"[{"permissions":[],"cidrs":"1.2.3.4"}]"#, br#"[{"permissions":[],"enabled":"yes"}]"#] {
            assert!(matches!(read_answer(200, garbage), Answer::Garbage { .. }), "{garbage:?}");
        }
    }
}
