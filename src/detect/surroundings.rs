//! What stands around a value can say it is no credential although its name
//! and shape say it is: a partner code an exchange gives a bot project to
//! ship in its software (`SPOT_PRIVATE_KEY` beside `IS_SPONSORING = True`),
//! or a public key (the `key` of a `publicKey` object, or a value the same
//! content passes as a public key elsewhere). The engine drops such a value
//! for the rules that read a field's value (not for prefixed tokens, which say
//! what they are, nor for wallet keys, which are checked by derivation).
//!
//! Every check reads at most [`PARTNER_REACH`] bytes around the value, except
//! [`has_public_twin`], which reads the whole content; the history's delta
//! scan therefore scans a version whole when a changed or removed line held
//! a public-key word ([`names_public`]).

use memchr::memmem;

/// How far a partner word (`sponsor`, `partner`) may stand from the value.
/// Within the delta scan's margin, so an edit that removes the word is near
/// enough to have the value scanned again.
pub const PARTNER_REACH: usize = 384;

/// How far back the object holding a bare `key` may open.
const OBJECT_REACH: usize = 256;

/// How much of the line before another occurrence of the value may hold the
/// public-key name it is given under.
const TWIN_NAME_REACH: usize = 48;

/// True when a partner or sponsor word stands within [`PARTNER_REACH`] bytes
/// of the value: exchanges give bot projects broker and partner codes (a
/// KuCoin partner id and key, an OKX broker code) to ship in their code.
pub fn is_partner_code(bytes: &[u8], start: usize, end: usize) -> bool {
    let lo = start.saturating_sub(PARTNER_REACH);
    let hi = (end + PARTNER_REACH).min(bytes.len());
    let around = bytes[lo..hi].to_ascii_lowercase();
    [&b"sponsor"[..], b"partner"]
        .iter()
        .any(|word| memmem::find(&around, word).is_some())
}

/// True when a value named by a bare `key` stands in an object that is a
/// public key: `"publicKey": {"@type": "…PubKey", "key": "A4Lg…"}`.
pub fn in_public_key_object(bytes: &[u8], name: (usize, usize)) -> bool {
    if !bytes[name.0..name.1].eq_ignore_ascii_case(b"key") {
        return false;
    }
    let lo = name.0.saturating_sub(OBJECT_REACH);
    let Some(brace) = memchr::memrchr(b'{', &bytes[lo..name.0]).map(|i| lo + i) else {
        return false;
    };
    // The object must still be open at the name.
    if memchr::memchr(b'}', &bytes[brace..name.0]).is_some() {
        return false;
    }
    // A member before the key, or the object's own name (back to the
    // delimiter before it), says public key.
    let lo = brace.saturating_sub(64);
    let own = memchr::memrchr3(b',', b'{', b'[', &bytes[lo..brace]).map_or(lo, |i| lo + i + 1);
    names_public(&bytes[own..name.0])
}

/// True when the value occurs elsewhere in the content right after a public
/// key's name (`publicKey: '…'`, `isPublicKey('…')`, `pubkey = "…"`): a
/// test that hands a public key to a private-key field, or a key pair's
/// public half.
pub fn has_public_twin(bytes: &[u8], start: usize, end: usize) -> bool {
    let value = &bytes[start..end];
    if value.len() < 16 {
        return false;
    }
    memmem::find_iter(bytes, value)
        .filter(|&at| at != start)
        .any(|at| {
            let lo = at.saturating_sub(TWIN_NAME_REACH);
            let line = memchr::memrchr2(b'\n', b'\r', &bytes[lo..at]).map_or(lo, |i| lo + i + 1);
            names_public(&bytes[line..at])
        })
}

/// True when `text` holds a public-key word: `public_key`, `publicKey`,
/// `pubkey`, `PubKey`, `public-key`.
pub fn names_public(text: &[u8]) -> bool {
    let lower = text.to_ascii_lowercase();
    [&b"publickey"[..], b"public_key", b"public-key", b"pubkey"]
        .iter()
        .any(|word| memmem::find(&lower, word).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(text: &str, value: &str) -> (usize, usize) {
        let start = text.find(value).expect("value in text");
        (start, start + value.len())
    }

    #[test]
    fn a_value_beside_a_sponsor_flag_is_a_partner_code() {
        let text = "class Kucoin(Exchange):\n    SPOT_ID = \"BotName\"\n    SPOT_PRIVATE_KEY = \"3b0e6d52-91f4-4c7a-a1d8-5f2e9c07b64e\"\n    IS_SPONSORING = True\n";
        let (start, end) = span(text, "3b0e6d52");
        assert!(is_partner_code(text.as_bytes(), start, end + 28));
        let plain = text.replace("IS_SPONSORING", "IS_ENABLED");
        let (start, end) = span(&plain, "3b0e6d52");
        assert!(!is_partner_code(plain.as_bytes(), start, end + 28));
        // Beyond the reach, the word says nothing about this value.
        let far = format!("{plain}{}\nIS_SPONSORING = True\n", "# filler\n".repeat(60));
        let (start, end) = span(&far, "3b0e6d52");
        assert!(!is_partner_code(far.as_bytes(), start, end + 28));
    }

    #[test]
    fn the_key_of_a_public_key_object_is_public() {
        let text = "\"signerInfos\": [{\n  \"publicKey\": {\n    \"@type\": \"/chain.crypto.v1.ethsecp256k1.PubKey\",\n    \"key\": \"Aw9rT2kqLm3Xv8Pq1Zs0Hn4Bd7Fc6Gj5Kx2Ly8Mu1Nv\"\n  },\n";
        let name = span(text, "key\": \"Aw");
        assert!(in_public_key_object(text.as_bytes(), (name.0, name.0 + 3)));
        // A private key object, or a key after the public object closed, is not.
        let private = text
            .replace("publicKey", "privateKey")
            .replace("PubKey", "PrivKey");
        let name = span(&private, "key\": \"Aw");
        assert!(!in_public_key_object(
            private.as_bytes(),
            (name.0, name.0 + 3)
        ));
        let closed = "\"publicKey\": {\"type\": \"ed25519\"}, \"auth\": {\"key\": \"Aw9rT2kqLm3Xv8Pq1Zs0Hn4Bd7Fc6Gj\"}";
        let name = span(closed, "key\": \"Aw");
        assert!(!in_public_key_object(
            closed.as_bytes(),
            (name.0, name.0 + 3)
        ));
        // Only a bare `key` is read this way.
        let named = "\"publicKey\": {\"secret_key\": \"Aw9rT2kqLm3Xv8Pq1Zs0Hn4Bd7Fc6Gj\"}";
        let name = span(named, "secret_key");
        assert!(!in_public_key_object(
            named.as_bytes(),
            (name.0, name.0 + 10)
        ));
    }

    #[test]
    fn a_value_also_given_as_a_public_key_is_public() {
        let value = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin";
        let text = format!(
            "expect(isPublicKey('{value}')).toEqual(true);\n{}validate({{ privateKey: '{value}' }});\n",
            "// filler line\n".repeat(80)
        );
        let start = text.rfind(value).unwrap();
        assert!(has_public_twin(text.as_bytes(), start, start + value.len()));
        // The same value twice under private names is no public key.
        let twice = text.replace("isPublicKey", "isPrivateKey");
        let start = twice.rfind(value).unwrap();
        assert!(!has_public_twin(
            twice.as_bytes(),
            start,
            start + value.len()
        ));
        // The name must stand on the twin's line, just before it.
        let apart = text.replace("isPublicKey('", "isPublicKey(\n'");
        let start = apart.rfind(value).unwrap();
        assert!(!has_public_twin(
            apart.as_bytes(),
            start,
            start + value.len()
        ));
    }
}
