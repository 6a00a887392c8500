//! Coinbase: its exchange record (revoke page, env-name tokens, permission
//! model and native permission names) and its detection rules.

use crate::catalog::build::{AROUND, KEY_NAME, PEM_BLOCK, SECRET_NAME, Part, exchange_remediation, n, pem};
use crate::catalog::{Exchange, Model};
use crate::checks::permissions::Scope::*;
use crate::detect::rule::{Rule, base};
use crate::detect::validate;
use crate::finding::Severity;
use crate::verify::{self, Answer, Clock, Credential, Grant, Method, Request, Verifier, sign};

/// Coinbase: what keyaudit knows about it.
pub static EXCHANGE: Exchange = Exchange {
    id: "coinbase",
    name: "Coinbase",
    api_page: "https://portal.cdp.coinbase.com/ (project -> API Keys)",
    env_tokens: &["COINBASE", "CDP"],
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
    rules,
    verify: Some(Verifier {
        method: Method::Get,
        host: HOST,
        path: PATH,
        doc: "https://docs.cdp.coinbase.com/advanced-trade/reference/retailbrokerageapi_getapikeypermissions",
        parts: &[
            ("coinbase-cdp-key-name", verify::Part::Key),
            ("coinbase-cdp-private-key", verify::Part::Secret),
        ],
        needs_passphrase: false,
        sign: sign_request,
        read: |_, status, body| read_answer(status, body),
    }),
};

/// Coinbase's detection rules, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(Rule {
        id: "coinbase-cdp-key-name",
        exchange: "coinbase",
        severity: High,
        description: "Coinbase CDP API key name (organizations/{uuid}/apiKeys/{uuid})",
        keywords: &["apikeys"],
        pattern: r"(?P<secret>organizations\\?/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\?/apiKeys\\?/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})".into(),
        scope: AROUND,
        group: Some("coinbase"),
        examples: &[r#"{"name": "organizations/f88c422b-cca2-492b-83a5-6cc1057a40b2/apiKeys/86ce03f9-1a4f-44f9-a651-1445b9f3635c"}"#],
        negatives: &[
            r#"{"name": "organizations/8f1ac569-ed29-48ae-b989-6798a975afab/apiKeys/87d98ae9-f31f-42ee-9b69-723d3ff9dd77"}"#,
            r#"{"name": "organizations/{org_id}/apiKeys/{key_id}"}"#,
        ],
        remediation: exchange_remediation("coinbase"),
        ..base()
    });
    rules.push(Rule {
        id: "coinbase-cdp-private-key",
        exchange: "coinbase",
        severity: Critical,
        description: "Coinbase CDP ECDSA private key (SEC1 EC PEM) next to a Coinbase key name",
        keywords: &["ec private key-----"],
        pattern: pem("EC ", "MHcCAQEEI"),
        scope: PEM_BLOCK,
        context: &["coinbase", "apikeys", "cdp"],
        validate: Some(validate::pem_body),
        group: Some("coinbase"),
        examples: &["{\"name\": \"organizations/f88c422b-cca2-492b-83a5-6cc1057a40b2/apiKeys/86ce03f9-1a4f-44f9-a651-1445b9f3635c\",\n \"privateKey\": \"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIGr9XvUN61LEphAU08/OHXCWwi+oGwodM+qTdF7LYQoRd6CpbxTmIiseAoAoGCCqGSM49\\nAwEHoUQDQgAEVKI5nM/J/MLaMc490Wa9zTozhH5buwf9B8pHeEIxsZr0WHLO77n8WfT5XRQ4Gjp4MlY0e5/85pzXAHrop1jMpA==\\n-----END EC PRIVATE KEY-----\\n\"}"],
        negatives: &["coinbase: \"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIJsB+NpntMgnAHSo16vS6ies3V6nu/liXhPMd7s7+lZ6oAoGCCqGSM49\\n.......\\n-----END EC PRIVATE KEY-----\""],
        remediation: exchange_remediation("coinbase"),
        ..base()
    });
    rules.push(Part {
        id: "coinbase-api-secret",
        exchange: "coinbase",
        severity: Critical,
        description: "Coinbase CDP Ed25519 secret or Coinbase Exchange secret (base64 of 64 bytes) near the word Coinbase",
        context: &["coinbase", "cdp_"],
        name: SECRET_NAME,
        value: r"[A-Za-z0-9+/]{86}==",
        min_entropy: 4.5,
        examples: &[r#"CDP_API_KEY_SECRET="VKI5nM/J/MLaMc490Wa9zTozhH5buwf9B8pHeEIxsZr0WHLO77n8WfT5XRQ4Gjp4MlY0e5/85pzXAHrop1jMpA==""#],
        negatives: &[r#"coinbase_secret: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx==""#],
    }
    .rule());
    rules.push(Part {
        id: "coinbase-legacy-api-key",
        exchange: "coinbase",
        severity: Medium,
        description: "Coinbase legacy v2 API key (16 alphanumerics; all expired in February 2025)",
        context: &["coinbase"],
        name: KEY_NAME,
        value: r"[A-Za-z0-9]{16}",
        min_entropy: 3.3,
        examples: &[r#"COINBASE_API_KEY=mF4RPAfqoQB7xoFc"#],
        negatives: &[r#"COINBASE_API_KEY=g3BLnUYMOQsIo9V5"#, r#"coinbase_api_key = "mF4RPAfqoQB7xoFcXY""#],
    }
    .rule());
    rules.push(Part {
        id: "coinbase-legacy-api-secret",
        exchange: "coinbase",
        severity: Medium,
        description: "Coinbase legacy v2 API secret (32 alphanumerics; all expired in February 2025)",
        context: &["coinbase"],
        name: SECRET_NAME,
        value: r"[A-Za-z0-9]{32}",
        min_entropy: 3.8,
        examples: &[r#"COINBASE_API_SECRET=BUSZGi6HWGK10Zb0RLZ5TR9SPofbciOx"#],
        negatives: &[r#"COINBASE_API_SECRET=M4009eFnOoPwhNoMwJlsAHgIgleGVFPl"#],
    }
    .rule());
    rules
}

/// Coinbase Advanced Trade's API host: the JWT's `uri` names it.
const HOST: &str = "api.coinbase.com";
/// "Get API Key Permissions": `can_view`, `can_trade`, `can_transfer`.
const PATH: &str = "/api/v3/brokerage/key_permissions";

/// A CDP key name as it may sit in JSON (`organizations\/…\/apiKeys\/…`).
fn key_name(key: &str) -> String {
    key.trim().trim_matches('"').replace("\\/", "/")
}

/// `Authorization: Bearer <JWT>`, the JWT ES256-signed with the key's
/// P-256 private key: header `kid` = key name, `nonce` = fresh hex; claims
/// `sub` = key name, `iss` "cdp", `nbf` = now, `exp` = now + 120,
/// `uri` = "GET api.coinbase.com/api/v3/brokerage/key_permissions"
/// (EXCHANGES.md section 4 [S], the key format section 1 [D]).
fn sign_request(credential: &Credential, clock: &Clock) -> Result<Request, String> {
    let key = sign::p256_key(&credential.secret)?;
    let name = key_name(&credential.key);
    let now = clock.unix_ms / 1000;
    let mut header = serde_json::Map::new();
    header.insert("kid".into(), name.clone().into());
    header.insert("nonce".into(), clock.nonce.clone().into());
    header.insert("typ".into(), "JWT".into());
    let claims = serde_json::json!({
        "sub": name,
        "iss": "cdp",
        "nbf": now,
        "exp": now + 120,
        "uri": format!("GET {HOST}{PATH}"),
    });
    let jwt = sign::es256_jwt(&key, header, &claims);
    Ok(Request {
        path_and_query: PATH.to_string(),
        headers: vec![("Authorization", format!("Bearer {jwt}"))],
        body: Vec::new(),
        content_type: None,
    })
}

/// 200 with `can_view` → granted: each `can_*` flag that is true. A 401
/// does not say why (unknown or deleted key, wrong private key, expired
/// JWT, IP not allowed): refused, never revoked, so a live key is not
/// taken for a dead one. An error object (`error`, `message`) → refused.
fn read_answer(status: u16, body: &[u8]) -> Answer {
    if matches!(status, 401 | 403) {
        let message = std::str::from_utf8(body).unwrap_or("").trim();
        let message = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_string))
            .unwrap_or_else(|| message.lines().next().unwrap_or("").to_string());
        return Answer::Refused {
            reason: verify::reason(&status.to_string(), &message),
        };
    }
    let value = match sign::json(status, body) {
        Ok(value) => value,
        Err(answer) => return answer,
    };
    if status == 200
        && let Some(object) = value.as_object()
        && object.get("can_view").is_some_and(|v| v.is_boolean())
    {
        let mut natives = Vec::new();
        for flag in ["can_view", "can_trade", "can_transfer"] {
            match object.get(flag) {
                Some(serde_json::Value::Bool(true)) => natives.push(flag.to_string()),
                Some(serde_json::Value::Bool(false)) | None => {}
                Some(_) => return sign::garbage(status, "a can_* field is not true or false"),
            }
        }
        return Answer::Granted(Grant {
            natives,
            ip_restricted: None,
            expires_ms: None,
            disabled: false,
        });
    }
    let error = value.get("error").and_then(sign::text);
    let message = value.get("message").and_then(|m| m.as_str());
    if status != 200 && (error.is_some() || message.is_some()) {
        return Answer::Refused {
            reason: verify::reason(&error.unwrap_or_default(), message.unwrap_or("")),
        };
    }
    sign::garbage(status, "no can_view in the answer")
}

#[cfg(test)]
mod verify_tests {
    use super::*;
    use base64::Engine as _;
    use p256::ecdsa::signature::Verifier as _;

    const NAME: &str = "organizations/8f1ac569-ed29-48ae-b989-6798a975afab/apiKeys/87d98ae9-f31f-42ee-9b69-723d3ff9dd77";

    fn throwaway() -> (p256::ecdsa::SigningKey, String) {
        let mut bytes = [0u8; 32];
        loop {
            getrandom::fill(&mut bytes).unwrap();
            if let Ok(key) = p256::ecdsa::SigningKey::from_slice(&bytes) {
                let pem = p256::SecretKey::from(&key).to_sec1_pem(Default::default()).unwrap();
                // As a CDP key file or .env holds it: one line, literal \n.
                return (key, pem.trim_end().replace('\n', "\\n"));
            }
        }
    }

    #[test]
    fn signs_a_jwt_the_public_key_verifies() {
        let (key, pem) = throwaway();
        let credential = Credential {
            key: NAME.replace('/', "\\/"),
            secret: pem,
            passphrase: None,
        };
        let clock = Clock {
            unix_ms: 1_700_000_000_999,
            nonce: "0123456789abcdef0123456789abcdef".into(),
        };
        let request = sign_request(&credential, &clock).unwrap();
        assert_eq!(request.path_and_query, "/api/v3/brokerage/key_permissions");
        assert_eq!(request.headers.len(), 1);
        assert_eq!(request.headers[0].0, "Authorization");
        let jwt = request.headers[0].1.strip_prefix("Bearer ").unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header: serde_json::Value = serde_json::from_slice(&b64.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["kid"], NAME);
        assert_eq!(header["nonce"], "0123456789abcdef0123456789abcdef");
        let claims: serde_json::Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(
            claims,
            serde_json::json!({"sub": NAME, "iss": "cdp", "nbf": 1_700_000_000u64, "exp": 1_700_000_120u64, "uri": "GET api.coinbase.com/api/v3/brokerage/key_permissions"})
        );
        let signature = p256::ecdsa::Signature::from_slice(&b64.decode(parts[2]).unwrap()).unwrap();
        let input = format!("{}.{}", parts[0], parts[1]);
        key.verifying_key().verify(input.as_bytes(), &signature).unwrap();
        let (other, _) = throwaway();
        assert!(other.verifying_key().verify(input.as_bytes(), &signature).is_err());
        let bad = Credential { secret: "-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIJsB.......\\n-----END EC PRIVATE KEY-----".into(), ..credential };
        assert!(sign_request(&bad, &clock).is_err());
    }

    #[test]
    fn reads_the_documented_answers() {
        let body = br#"{"can_view":true,"can_trade":true,"can_transfer":false,"portfolio_uuid":"8f1ac569-ed29-48ae-b989-6798a975afab","portfolio_type":"DEFAULT"}"#;
        let Answer::Granted(grant) = read_answer(200, body) else {
            panic!("not granted")
        };
        assert_eq!(grant.natives, ["can_view", "can_trade"]);
        assert_eq!(grant.ip_restricted, None);
        for native in &grant.natives {
            assert!(crate::checks::permissions::resolve(&EXCHANGE, native).is_some(), "{native}");
        }
        let Answer::Granted(grant) = read_answer(200, br#"{"can_view":true,"can_trade":false,"can_transfer":true}"#) else {
            panic!("not granted")
        };
        assert_eq!(grant.natives, ["can_view", "can_transfer"]);
        let refused = read_answer(401, b"Unauthorized\n");
        assert!(matches!(&refused, Answer::Refused { reason } if reason == "code 401: Unauthorized"), "{refused:?}");
        assert!(matches!(read_answer(403, b""), Answer::Refused { .. }));
        assert!(matches!(read_answer(400, br#"{"error":"INVALID_ARGUMENT","message":"bad"}"#), Answer::Refused { .. }));
        for garbage in [&b"<html>"[..], b"{}", b"[]", br#"{"can_view":"yes"}"#, br#"{"can_view":true,"can_trade":1}"#] {
            assert!(matches!(read_answer(200, garbage), Answer::Garbage { .. }), "{garbage:?}");
        }
        assert!(matches!(read_answer(500, b"oops"), Answer::Garbage { .. }));
    }
}
