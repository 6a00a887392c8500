//! Validators: checks a candidate must pass beyond its pattern, where the
//! format carries its own proof (a BIP39 checksum, the secp256k1 key range, a
//! PEM body of real length).

use super::entropy;

/// A BIP39 English mnemonic of 12, 15, 18, 21 or 24 words with a valid checksum.
pub fn bip39_mnemonic(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    if ![12, 15, 18, 21, 24].contains(&words.len()) {
        return false;
    }
    bip39::Mnemonic::parse_in_normalized(bip39::Language::English, &words.join(" ")).is_ok()
}

/// The order of the secp256k1 group: a private key lies in [1, N-1].
const SECP256K1_N: &str = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

/// 64 hex digits (optionally `0x`-prefixed) in the secp256k1 private key range,
/// mixing letters and digits the way random keys do.
pub fn evm_private_key(value: &[u8]) -> bool {
    let hex = value.strip_prefix(b"0x").unwrap_or(value);
    if hex.len() != 64 || !hex.iter().all(u8::is_ascii_hexdigit) {
        return false;
    }
    let lower = hex.to_ascii_lowercase();
    let zero = lower.iter().all(|&b| b == b'0');
    !zero && lower.as_slice() < SECP256K1_N.as_bytes() && entropy::has_letters_and_digits(hex)
}

/// Letters and digits both present: a generated key, not a word or a number.
pub fn letters_and_digits(value: &[u8]) -> bool {
    entropy::has_letters_and_digits(value)
}

/// A value the generic rules may report: a generated-looking token, not one
/// of the common look-alikes that get assigned to `token`/`key` fields: a
/// UUID (request and order ids), an EVM address (`0x` + 40 hex: public), a
/// URL path (`/v5/earn/token`), a setting's name (`market_1_slippage_buffer`), or a JWT's header (the value pattern stops at
/// the first `.` of a JWT, leaving only its public, base64-JSON header).
pub fn generic_value(value: &[u8]) -> bool {
    let is_uuid = value.len() == 36
        && value.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    let is_address = value.len() == 42
        && value.starts_with(b"0x")
        && value[2..].iter().all(u8::is_ascii_hexdigit);
    let is_path = value.contains(&b'/')
        && value
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"/-_".contains(b));
    let is_jwt_header = value.starts_with(b"eyJ");
    // `AlphaBizTokenPriceV5`, `userToken2`: letters with at most a short number at
    // the end is a name (a type, a variable), not generated key material.
    let letters = value.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let is_identifier =
        value.len() - letters <= 3 && value[letters..].iter().all(u8::is_ascii_digit);
    // `market_1_slippage_buffer`, `order-refresh-tolerance`: lowercase words
    // joined by `_` or `-` name a setting; a generated token with separators
    // has segments that are not words.
    // Record keys built of such words, tickers and intervals
    // (`mock_connector_BTC-USDT_1m`) are names too.
    let segments: Vec<&[u8]> = value.split(|b| *b == b'_' || *b == b'-').collect();
    // A word (`slippage`) or a ticker (`USDT`).
    let word = |s: &&[u8]| {
        (s.len() >= 2 && s.iter().all(u8::is_ascii_lowercase))
            || (s.len() >= 2 && s.len() <= 6 && s.iter().all(u8::is_ascii_uppercase))
    };
    // A part of a name: a word, a ticker, a number or a short tag (`1m`, `v2`, `24h`).
    let name_part = |s: &&[u8]| {
        word(s)
            || (s.len() <= 3
                && s.iter()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
            || (!s.is_empty() && s.iter().all(u8::is_ascii_digit))
    };
    let is_setting_name = segments.len() >= 3
        && segments.iter().all(name_part)
        && segments.iter().filter(|s| word(s)).count() * 2 >= segments.len();
    // `BTCUSDT-2021-08-16T23:00:00`: a record key with a date in it.
    let has_date = value.windows(10).any(|w| {
        w.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
    });
    entropy::has_letters_and_digits(value)
        && !is_setting_name
        && !has_date
        && !is_uuid
        && !is_address
        && !is_path
        && !is_jwt_header
        && !is_identifier
}

/// The claims of a JSON Web Token: `Some` when the header decodes
/// (base64url) to a JSON object naming its `alg`, the payload to a JSON
/// object, and a signature follows.
fn jwt_claims(value: &[u8]) -> Option<serde_json::Value> {
    use base64::Engine as _;
    let mut parts = value.split(|&b| b == b'.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    let object = |part: &[u8]| {
        let part: Vec<u8> = part.iter().copied().filter(|&b| b != b'=').collect();
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .ok()
            .and_then(|json| serde_json::from_slice::<serde_json::Value>(&json).ok())
            .filter(serde_json::Value::is_object)
    };
    if signature.len() < 16 || object(header)?.get("alg").is_none() {
        return None;
    }
    object(payload)
}

/// The role of a Supabase project key (a JWT its project issues: `anon`,
/// `service_role`).
fn supabase_role(claims: &serde_json::Value) -> Option<&str> {
    (claims.get("iss")?.as_str()? == "supabase").then_some(())?;
    claims.get("role")?.as_str()
}

/// A JSON Web Token other than a Supabase project key.
pub fn jwt(value: &[u8]) -> bool {
    jwt_claims(value)
        .is_some_and(|claims| !matches!(supabase_role(&claims), Some("anon" | "service_role")))
}

/// A Supabase `anon` key: public by design (it ships in web clients; row
/// level security guards the data).
pub fn supabase_anon_key(value: &[u8]) -> bool {
    jwt_claims(value).is_some_and(|claims| supabase_role(&claims) == Some("anon"))
}

/// A Supabase `service_role` key: bypasses row level security.
pub fn supabase_service_key(value: &[u8]) -> bool {
    jwt_claims(value).is_some_and(|claims| supabase_role(&claims) == Some("service_role"))
}

/// A PEM private key whose body holds at least 64 base64 characters with a
/// run of 40 unbroken (a real key's line, not a `MIIE…<...>` stub, and not
/// code between a header and a footer: `"…-----\n" + body + "\n-----END…"`).
/// The body is what stands between the BEGIN line and `-----END` (or the
/// value's end, for a key cut off before it), without the `Name: value`
/// header lines of a legacy encrypted key (`Proc-Type`, `DEK-Info`).
pub fn pem_body(value: &[u8]) -> bool {
    use memchr::memmem::find;
    let Some(begin) = find(value, b"KEY-----") else {
        return false;
    };
    let body = &value[begin + 8..];
    let body = &body[..find(body, b"-----END").unwrap_or(body.len())];
    let is_base64 = |b: &u8| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/';
    let (mut count, mut longest) = (0, 0);
    // Lines end at a line break or at a `\n` / `\r` escape.
    for line in body.split(|&b| b == b'\n' || b == b'\r' || b == b'\\') {
        let line = match line.first() {
            Some(b'n' | b'r') if line.len() > 1 && is_base64(&line[1]) => &line[1..],
            _ => line,
        };
        if line.contains(&b':') {
            continue;
        }
        count += line.iter().filter(|b| is_base64(b)).count();
        let run = line
            .split(|b| !is_base64(b))
            .map(<[u8]>::len)
            .max()
            .unwrap_or(0);
        longest = longest.max(run);
    }
    count >= 64 && longest >= 40
}

/// A PEM private key (not an encrypted one) base64-encoded whole, as
/// Kubernetes secrets and kubeconfigs hold it (`LS0tLS1CRUdJTi…`): the
/// decoded text opens with a `-----BEGIN … PRIVATE KEY-----` line and has a
/// real key's body.
pub fn base64_pem_private_key(value: &[u8]) -> bool {
    let Some(text) = standard_base64(value) else {
        return false;
    };
    let first_line = text.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let first_line = first_line.strip_suffix(b"\r").unwrap_or(first_line);
    first_line.starts_with(b"-----BEGIN ")
        && first_line.ends_with(b"PRIVATE KEY-----")
        && memchr::memmem::find(&text, b"ENCRYPTED").is_none()
        && pem_body(&text)
}

/// Standard base64, with or without its `=` padding.
fn standard_base64(text: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine as _;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const ENGINE: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    ENGINE.decode(text).ok()
}

/// A private key as bare base64 DER: the decoded bytes are one DER
/// SEQUENCE whose length is exactly theirs, opening with a version INTEGER
/// (0 for PKCS#1 and PKCS#8, 1 for SEC1 EC keys). Line breaks, their `\n`
/// escapes and indentation between lines are dropped first.
pub fn der_private_key(value: &[u8]) -> bool {
    let text: Vec<u8> = value
        .split(|&b| b == b'\\')
        .enumerate()
        .flat_map(|(i, part)| {
            if i > 0 {
                part.get(1..).unwrap_or(&[])
            } else {
                part
            }
        })
        .copied()
        .filter(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        .collect();
    let Some(der) = standard_base64(&text) else {
        return false;
    };
    let (length, header) = match der.get(..4) {
        Some([0x30, 0x82, hi, lo]) => ((usize::from(*hi) << 8) | usize::from(*lo), 4),
        Some([0x30, 0x81, len, _]) => (usize::from(*len), 3),
        Some([0x30, len, _, _]) if *len < 0x80 => (usize::from(*len), 2),
        _ => return false,
    };
    der.len() == header + length
        && matches!(der.get(header..header + 3), Some([0x02, 0x01, 0x00 | 0x01]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bip39_checksums() {
        assert!(bip39_mnemonic(
            b"legal winner thank year wave sausage worth useful legal winner thank yellow"
        ));
        assert!(bip39_mnemonic(b"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"));
        assert!(!bip39_mnemonic(b"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon"));
        assert!(!bip39_mnemonic(
            b"the quick brown fox jumps over the lazy dog and then some more"
        ));
    }

    #[test]
    fn evm_key_range() {
        assert!(evm_private_key(
            b"0xcc6577428c2f6d6bc64e5a22fac180d6b2e6e1b465e551305fd2d2490ca4c616"
        ));
        assert!(!evm_private_key(
            b"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
        ));
        assert!(!evm_private_key(
            b"0000000000000000000000000000000000000000000000000000000000000000"
        ));
        assert!(!evm_private_key(b"4c0883a6910293"));
    }

    #[test]
    fn generic_values() {
        assert!(generic_value(
            b"Qd8Mj7zdnbMjAdTdlzC5T4uUhf7kvmlP7HVDctQUy1xv"
        ));
        assert!(!generic_value(b"9e58cc35-5b5e-4133-92ec-166e3f077cb8"));
        assert!(!generic_value(
            b"0x680dee9edfff0c397736e10b017cf6a0aee4ba31"
        ));
        assert!(!generic_value(b"/v5/earn/token/yield2"));
        assert!(!generic_value(b"eyJhbGciOiJFUzI1NiJ9"));
        assert!(!generic_value(b"welcome_message_title"));
        assert!(!generic_value(b"AlphaBizTokenPriceV5"));
        assert!(generic_value(b"AlphaBizTokenPrice5V"));
    }

    #[test]
    fn pem_needs_a_body() {
        assert!(!pem_body(b"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBABACAFQA<...>s8KX8=\\n-----END PRIVATE KEY-----"));
        let body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKjMzEfYyjiWA4R4";
        assert!(pem_body(
            format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----").as_bytes()
        ));
    }
}

/// The Ethereum address (20 bytes) of a secp256k1 private key given as 64 hex
/// digits (optionally `0x`-prefixed): Keccak-256 of the uncompressed public
/// key, last 20 bytes.
pub fn evm_address(private_key: &[u8]) -> Option<[u8; 20]> {
    use k256::elliptic_curve::sec1::ToSec1Point;
    use sha3::{Digest, Keccak256};
    let hex = private_key.strip_prefix(b"0x").unwrap_or(private_key);
    if hex.len() != 64 {
        return None;
    }
    let mut bytes = [0u8; 32];
    for (i, pair) in hex.chunks(2).enumerate() {
        let text = std::str::from_utf8(pair).ok()?;
        bytes[i] = u8::from_str_radix(text, 16).ok()?;
    }
    let secret = k256::SecretKey::from_slice(&bytes).ok()?;
    let point = secret.public_key().to_sec1_point(false);
    let hash = Keccak256::digest(&point.as_bytes()[1..]);
    let mut address = [0u8; 20];
    address.copy_from_slice(&hash[12..]);
    Some(address)
}

#[cfg(test)]
mod address_tests {
    use super::evm_address;

    #[test]
    fn hardhat_account_zero() {
        let address =
            evm_address(b"0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
                .unwrap();
        let hex: String = address.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "f39fd6e51aad88f6f4ce6ab8827279cfffb92266");
        assert!(evm_address(b"00").is_none());
        assert!(evm_address(&[b'0'; 64]).is_none());
    }
}

#[cfg(test)]
mod generic_tests {
    use super::generic_value;
    use crate::detect::entropy::shannon;

    #[test]
    fn setting_names_are_not_generic_secrets() {
        for name in [
            "order_2_refresh_tolerance_pct",
            "exchange_order_cancel_on_exit_v2",
            "position-size-limit-usd-24h",
        ] {
            // Varied enough to pass the entropy floor: the shape rejects it.
            assert!(shannon(name.as_bytes()) >= 3.5, "{name}");
            assert!(!generic_value(name.as_bytes()), "{name}");
        }
        // Record keys and test stand-ins made of words, tickers, tags and dates.
        for name in [
            "mock_connector_BTC-USDT_15m",
            "test-api-key-perpetual-12345",
            "ETHUSDT-2021-08-16T23",
        ] {
            assert!(!generic_value(name.as_bytes()), "{name}");
        }
        for token in [
            "k3_9fq2z_0x7mpl_4r8tzw1",
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "Xk92_LmQp-7vTz_R4wN",
        ] {
            assert!(generic_value(token.as_bytes()), "{token}");
        }
    }
}
