//! What the exchanges' verifiers share: the signing primitives (HMAC-SHA256,
//! -384 and -512 as lowercase hex or base64, SHA-256, the ES256 JWT of a
//! Coinbase CDP key), the timestamp formats signatures are made over, and
//! the few helpers every `read` uses to take an answer apart without ever
//! panicking on a body that is not the documented shape.
//!
//! Everything here is pure: no clock, no randomness, no I/O (the caller
//! passes a [`super::Clock`]).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{KeyInit, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::Answer;

// ---------------------------------------------------------------------------
// Signing

/// HMAC-SHA256 of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac =
        hmac::Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// HMAC-SHA384 of `message` under `key`.
pub fn hmac_sha384(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac =
        hmac::Hmac::<Sha384>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// HMAC-SHA512 of `message` under `key`.
pub fn hmac_sha512(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac =
        hmac::Hmac::<Sha512>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// SHA-256 of `message`.
pub fn sha256(message: &[u8]) -> Vec<u8> {
    Sha256::digest(message).to_vec()
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes standard base64 (a Kraken private key); the error names no value.
pub fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    STANDARD
        .decode(text.trim())
        .map_err(|_| "the secret is not valid base64".to_string())
}

/// Lowercase hex HMAC-SHA256 (Binance, Bybit, BitMEX).
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    hex(&hmac_sha256(key, message))
}

/// Base64 HMAC-SHA256 (OKX, KuCoin).
pub fn hmac_sha256_base64(key: &[u8], message: &[u8]) -> String {
    base64(&hmac_sha256(key, message))
}

/// Base64 HMAC-SHA512 (Kraken).
pub fn hmac_sha512_base64(key: &[u8], message: &[u8]) -> String {
    base64(&hmac_sha512(key, message))
}

/// The P-256 private key of a Coinbase CDP secret: a SEC1
/// `-----BEGIN EC PRIVATE KEY-----` PEM (or PKCS#8 `BEGIN PRIVATE KEY`),
/// with real line breaks or with the literal `\n` escapes it has when it
/// sits in JSON or a `.env` file. The error names no part of the key.
pub fn p256_key(pem: &str) -> Result<p256::ecdsa::SigningKey, String> {
    let text = pem_text(pem);
    let secret = p256::SecretKey::from_pem(&text)
        .map_err(|_| "the secret is not a P-256 private key PEM (EC or PKCS#8)".to_string())?;
    Ok(p256::ecdsa::SigningKey::from(secret))
}

/// The Ed25519 private key of a PKCS#8 `-----BEGIN PRIVATE KEY-----` PEM
/// (Binance's self-generated API keys), written as [`p256_key`] accepts.
pub fn ed25519_key(pem: &str) -> Result<ed25519_dalek::SigningKey, String> {
    use ed25519_dalek::pkcs8::DecodePrivateKey;
    ed25519_dalek::SigningKey::from_pkcs8_pem(&pem_text(pem))
        .map_err(|_| "the secret is not an Ed25519 private key PEM (PKCS#8)".to_string())
}

/// base64 of the Ed25519 signature of `message`.
pub fn ed25519_base64(key: &ed25519_dalek::SigningKey, message: &[u8]) -> String {
    use ed25519_dalek::Signer;
    base64(&key.sign(message).to_bytes())
}

/// A PEM as it may sit in a file: quoted, with literal `\n` escapes or CRLF,
/// indented; returned with plain line breaks and a final one.
fn pem_text(pem: &str) -> String {
    let text = pem
        .trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .replace("\\r\\n", "\n")
        .replace("\\n", "\n")
        .replace("\r\n", "\n");
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("\n") + "\n"
}

/// A compact JWS signed with ES256: base64url(header) . base64url(claims) .
/// base64url(r ‖ s). `header` and `claims` are JSON objects; `alg` is set here.
pub fn es256_jwt(
    key: &p256::ecdsa::SigningKey,
    header: serde_json::Map<String, Value>,
    claims: &Value,
) -> String {
    use p256::ecdsa::signature::Signer;
    let mut header = header;
    header.insert("alg".into(), Value::from("ES256"));
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(Value::Object(header).to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature: p256::ecdsa::Signature = key.sign(signing_input.as_bytes());
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    )
}

// ---------------------------------------------------------------------------
// Time formats

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `unix_ms` as ISO-8601 UTC with milliseconds (`2020-12-08T09:08:57.715Z`), OKX's timestamp.
pub fn iso8601_ms(unix_ms: u64) -> String {
    let seconds = crate::source::history::rfc3339((unix_ms / 1000) as i64);
    let whole = seconds.strip_suffix('Z').unwrap_or(&seconds);
    format!("{whole}.{:03}Z", unix_ms % 1000)
}

/// Milliseconds since the Unix epoch of an RFC 3339 UTC time
/// (`2023-12-22T07:20:25Z`, fractional seconds allowed, `Z` or `+00:00`);
/// `None` for anything else.
pub fn rfc3339_ms(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = text.get(r)?;
        if !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &text[19..];
    let mut millis = 0u64;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let padded = format!("{:0<3}", &frac[..digits.min(3)]);
        millis = padded.parse().ok()?;
        rest = &frac[digits..];
    }
    if !matches!(rest, "Z" | "z" | "+00:00" | "-00:00") {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    let secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    u64::try_from(secs).ok().map(|s| s * 1000 + millis)
}

// ---------------------------------------------------------------------------
// Reading answers

/// The body as JSON, or the [`Answer::Garbage`] that says it is not.
pub fn json(status: u16, body: &[u8]) -> Result<Value, Answer> {
    serde_json::from_slice(body).map_err(|_| Answer::Garbage {
        reason: format!(
            "HTTP {status}: the answer is not JSON ({} bytes)",
            body.len()
        ),
    })
}

/// The envelope Bybit, OKX and KuCoin wrap every answer in: a code field
/// (`ok` on success) and a message field.
pub struct Envelope {
    pub code: &'static str,
    pub message: &'static str,
    pub ok: &'static str,
    /// Codes that say the exchange does not know the key.
    pub revoked: &'static [&'static str],
}

/// The body of a successful enveloped answer, or the answer it is instead:
/// garbage (not JSON, no code), revoked (a code in `revoked`) or refused
/// (any other code), the message shown only through [`verify::reason`].
///
/// [`verify::reason`]: super::reason
pub fn open(status: u16, body: &[u8], envelope: &Envelope) -> Result<Value, Answer> {
    let value = json(status, body)?;
    let Some(code) = value.get(envelope.code).and_then(text) else {
        return Err(garbage(
            status,
            &format!("no {} in the answer", envelope.code),
        ));
    };
    if code == envelope.ok {
        return Ok(value);
    }
    let message = value
        .get(envelope.message)
        .and_then(|m| m.as_str())
        .unwrap_or("");
    let reason = super::reason(&code, message);
    Err(if envelope.revoked.contains(&code.as_str()) {
        Answer::Revoked { reason }
    } else {
        Answer::Refused { reason }
    })
}

/// A comma-separated list of native permission names (`read_only,trade`,
/// `General,Spot`), each in `exchange`'s catalog spelling, each once.
pub fn native_list(exchange: &crate::catalog::Exchange, list: &str) -> Vec<String> {
    let mut natives: Vec<String> = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let name = native_name(exchange, name);
        if !natives.contains(&name) {
            natives.push(name);
        }
    }
    natives
}

/// The answer for a body that is JSON but not the documented shape.
pub fn garbage(status: u16, what: &str) -> Answer {
    Answer::Garbage {
        reason: format!("HTTP {status}: {what}"),
    }
}

/// A JSON value as text: a string as is, a number in decimal; `None` otherwise.
pub fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A JSON value as a non-negative integer: a number or a decimal string.
pub fn integer(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| *f >= 0.0 && f.fract() == 0.0 && *f < 1e19)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A JSON value as a flag: `true`/`false`, `1`/`0`, `"true"`/`"false"`, `"1"`/`"0"`.
pub fn flag(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_u64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Value::String(s) => match s.as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// The spelling `exchange`'s catalog record gives a native permission name
/// the exchange's API sent (`trade` → `Trade` on OKX), compared in the
/// permission-name normal form; the name as sent when the catalog does not
/// know it (the check then counts it as beyond read + trade).
pub fn native_name(exchange: &crate::catalog::Exchange, sent: &str) -> String {
    let normal = crate::checks::permissions::normalize(sent);
    exchange
        .natives
        .iter()
        .flat_map(|n| n.names.iter())
        .find(|name| crate::checks::permissions::normalize(name) == normal)
        .map(|name| name.to_string())
        .unwrap_or_else(|| sent.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let (key, data) = (b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex(&hmac_sha256(key, data)),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(&hmac_sha384(key, data)),
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649"
        );
        assert_eq!(
            hex(&hmac_sha512(key, data)),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
        assert_eq!(base64(b"hello"), "aGVsbG8=");
        assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
        assert!(base64_decode("not base64!").is_err());
    }

    #[test]
    fn times_format_and_parse() {
        assert_eq!(iso8601_ms(1_607_418_537_715), "2020-12-08T09:08:57.715Z");
        assert_eq!(iso8601_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601_ms(951_782_400_001), "2000-02-29T00:00:00.001Z");
        assert_eq!(
            rfc3339_ms("2020-12-08T09:08:57.715Z"),
            Some(1_607_418_537_715)
        );
        assert_eq!(rfc3339_ms("2023-12-22T07:20:25Z"), Some(1_703_229_625_000));
        assert_eq!(
            rfc3339_ms("2023-12-22T07:20:25.5+00:00"),
            Some(1_703_229_625_500)
        );
        for bad in [
            "",
            "2023-12-22",
            "2023-13-22T07:20:25Z",
            "2023-12-22T07:20:25+02:00",
            "２０２３-12-22T07:20:25Z",
            "2023-12-22T07:20:25.Z",
        ] {
            assert_eq!(rfc3339_ms(bad), None, "{bad}");
        }
    }

    fn throwaway_key() -> p256::ecdsa::SigningKey {
        let mut bytes = [0u8; 32];
        loop {
            getrandom::fill(&mut bytes).unwrap();
            if let Ok(key) = p256::ecdsa::SigningKey::from_slice(&bytes) {
                return key;
            }
        }
    }

    #[test]
    fn p256_key_reads_sec1_and_pkcs8_pems_with_real_or_escaped_newlines() {
        use p256::pkcs8::EncodePrivateKey;
        let key = throwaway_key();
        let secret = p256::SecretKey::from(&key);
        let sec1 = secret.to_sec1_pem(Default::default()).unwrap().to_string();
        assert!(sec1.starts_with("-----BEGIN EC PRIVATE KEY-----"));
        let pkcs8 = secret.to_pkcs8_pem(Default::default()).unwrap().to_string();
        let escaped = sec1.trim_end().replace('\n', "\\n");
        let crlf = sec1.replace('\n', "\r\n");
        for pem in [&sec1, &pkcs8, &escaped, &crlf, &format!("\"{escaped}\"")] {
            let read = p256_key(pem).unwrap();
            assert_eq!(read.to_bytes(), key.to_bytes());
        }
        let err = p256_key(
            "-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIJsB.......\\n-----END EC PRIVATE KEY-----",
        )
        .unwrap_err();
        assert!(!err.contains("MHcC"));
    }

    #[test]
    fn es256_jwt_verifies_with_the_public_key() {
        use p256::ecdsa::signature::Verifier;
        let key = throwaway_key();
        let mut header = serde_json::Map::new();
        header.insert("kid".into(), Value::from("k"));
        let claims = serde_json::json!({"sub": "k", "exp": 2});
        let jwt = es256_jwt(&key, header, &claims);
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let head: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(head["alg"], "ES256");
        assert_eq!(head["kid"], "k");
        let body: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(body, claims);
        let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        assert_eq!(sig.len(), 64);
        let sig = p256::ecdsa::Signature::from_slice(&sig).unwrap();
        let input = format!("{}.{}", parts[0], parts[1]);
        key.verifying_key().verify(input.as_bytes(), &sig).unwrap();
        assert!(key.verifying_key().verify(b"other", &sig).is_err());
    }

    #[test]
    fn readers_never_panic() {
        assert!(matches!(json(200, b"<html>"), Err(Answer::Garbage { .. })));
        assert_eq!(integer(&Value::from("1700000000")), Some(1_700_000_000));
        assert_eq!(integer(&Value::from(-1)), None);
        assert_eq!(integer(&serde_json::json!(1e300)), None);
        assert_eq!(flag(&Value::from(2)), None);
        assert_eq!(flag(&Value::from("1")), Some(true));
        assert_eq!(text(&Value::Null), None);
    }
}
