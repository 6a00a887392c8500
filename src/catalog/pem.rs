//! PEM private keys of any origin, plain and password-protected.

use crate::catalog::build::PEM_BLOCK;
use crate::detect::rule::{Rule, Scope, base};
use crate::detect::validate;
use crate::finding::Severity;

/// The scope of a base64-encoded key: from its first characters to the end
/// of its line (a 4096-bit RSA key is about 4,400 characters encoded).
const ENCODED_PEM: Scope = Scope::NearKeyword {
    before: 8,
    after: 16_400,
};

/// The rules of this file, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
pub fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(Rule {
        id: "pem-private-key",
        exchange: "pem",
        severity: High,
        description: "PEM private key (RSA, EC, DSA, OpenSSH or PKCS#8), multi-line or with \\n escapes",
        keywords: &["private key-----"],
        // The body may be split across string literals joined by `+`, `,` or
        // adjacency (`"-----BEGIN …-----\n" +\n "MIIE…\n" +\n …`). Some
        // tools write six dashes (`------END RSA PRIVATE KEY------`). A
        // key cut off before its END line inside a one-line string (a test's
        // "truncated key" case) still holds the private scalar: it ends at
        // the string's closing quote.
        pattern: r#"(?P<secret>-----BEGIN (?:RSA |EC |DSA |OPENSSH )?PRIVATE KEY-{5,}(?:(?:[A-Za-z0-9+/=\r\n \t"'`,]|\\+[rn]){64,}?-{5,}END (?:RSA |EC |DSA |OPENSSH )?PRIVATE KEY-{5,}|(?:\\+[rn])+(?:[A-Za-z0-9+/=]|\\+[rn]){64,}["']))"#.into(),
        scope: PEM_BLOCK,
        validate: Some(validate::pem_body),
        generic: true,
        examples: &[
            "key = \"-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAu8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFRIBXuDL7Dxtp\\n-----END RSA PRIVATE KEY-----\"",
            // Split across concatenated literals (JS, Java).
            "const key = \"-----BEGIN RSA PRIVATE KEY-----\\n\" +\n  \"MIIEowIBAAKCAQEAu8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0Rl\\n\" +\n  \"gLKOmxgJTeKdNnFRIBXuDL7Dxtp4Fk2Nw8Qz\\n\" +\n  \"-----END RSA PRIVATE KEY-----\";",
            // Cut off before its END line, in a one-line string.
            "client.secret = \"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIBq7Kx2VmN9pQ4rT8wZ1cL6yH3jF5dS0aG7uE2iO9nWvoAoGCCqGSM49\\nAwEHoUQDQgAE4Lq8Vz\"",
            // Six dashes, as some tools write them.
            "------BEGIN RSA PRIVATE KEY------\nMIIEowIBAAKCAQEAu8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKt\nJ0RlgLKOmxgJTeKdNnFRIBXuDL7Dxtp\n------END RSA PRIVATE KEY------",
            // Python's adjacent literals.
            "KEY = (\n    '-----BEGIN PRIVATE KEY-----\\n'\n    'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKjMzEf\\n'\n    '-----END PRIVATE KEY-----\\n'\n)",
        ],
        negatives: &[
            "\"secret\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBABACAFQA<...>s8KX8=\\n-----END PRIVATE KEY-----\"",
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0Rl\n-----END PUBLIC KEY-----",
            // Cut off, but only a stub before the quote.
            "secret = \"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEI...\"",
            // A header and a footer with code between: a template, no key.
            "pem = \"-----BEGIN RSA PRIVATE KEY-----\\n\" + wrapKeyBodyIntoSixtyFourCharacterLines + \"\\n-----END RSA PRIVATE KEY-----\"",
        ],
        remediation: "Replace this key pair: generate a new private key, register its public key where the \
                      old one was used (for an exchange API key, delete the old key there), and keep the new \
                      private key out of the repository."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "pem-private-key-base64",
        exchange: "pem",
        severity: High,
        description: "PEM private key base64-encoded whole (LS0tLS1CRUdJTi…), as Kubernetes secrets and kubeconfigs hold it",
        // base64 of `-----BEGIN `, at the start of an encoding.
        keywords: &["LS0tLS1CRUdJTi"],
        pattern: r"(?m)(?:^|[^A-Za-z0-9+/])(?P<secret>LS0tLS1CRUdJTi[A-Za-z0-9+/]{80,}={0,2})(?:[^A-Za-z0-9+/=]|$)".into(),
        scope: ENCODED_PEM,
        validate: Some(validate::base64_pem_private_key),
        examples: &[
            "  client-key-data: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2UUlCQURBTkJna3Foa2lHOXcwQkFRRUZBQVNDUHRZZ2ptVWhCZWwzMWlFbDJocENoWWdDZnJMMXNwTngKbnlWbWloQS8yTzc2VU1GeEZrTS9SNUtqcDF2UnQrMWZqT1JTLzZpbEk4aWhONUtYU2M3VHZvL2hCS3FGWVkvawotLS0tLUVORCBQUklWQVRFIEtFWS0tLS0tCg==",
            "TLS_KEY_B64=\"LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFdlFJQkFEQU5CZ2txaGtpRzl3MEJBUUVGQUFTQ3Y1WkpyM0oxVFdEdGt3dEREYit4SEthczFWT3FnNllZClpZbjlaaHlpQTR1b1JnbmF0bVVkakFXdEdTVThwbys3OTlOa3NuUkg5dWNBVXNkTWxIVXZUQ1FDeUVaRHovVGQKLS0tLS1FTkQgUlNBIFBSSVZBVEUgS0VZLS0tLS0K\"",
        ],
        negatives: &[
            // A certificate, an encrypted key, and a stub.
            "  client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUV2UUlCQURBTkJna3Foa2lHOXcwQkFRRUZBQVNDZEo4SHlTNVNVa0NuRDh6UkE5YTlTa3BYejl3M1FsWTcKWmt1dnFkdDdzOFN0cWNibnIzeUJkR0JMRVBIMXFoVDYxcXRjNHhhdHdzOHBoUDluaEZ5SmZtNWRpNFB6SjU5RgotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==",
            "key_b64: LS0tLS1CRUdJTiBFTkNSWVBURUQgUFJJVkFURSBLRVktLS0tLQpNSUlFdlFJQkFEQU5CZ2txaGtpRzl3MEJBUUVGQUFTQ0h6NXIxcFk0T2pFMmpCTXB0VXNHcjdDbVkrdUN1M1pSCjF6VE9sVWNSNjRjWFFMaW9EbmtISWZ4SXEySFp0L1BsSmh4MmpJY2xIa0NpSHA2YlIxSXFmRW91SGd4ek5OQUwKLS0tLS1FTkQgRU5DUllQVEVEIFBSSVZBVEUgS0VZLS0tLS0K",
            "stub: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFcEFJQkFBS0NBUUVBLi4uCihrZXkgbWF0ZXJpYWwgcmVtb3ZlZCBmcm9tIHRoZSBkb2NzOyBzZWUgdGhlIGt1YmVybmV0ZXMgZ3VpZGUgZm9yIGhvdyB0byBjcmVhdGUgb25lKQotLS0tLUVORCBSU0EgUFJJVkFURSBLRVktLS0tLQo=",
        ],
        remediation: "Replace this key pair: generate a new private key, register its public key where the \
                      old one was used, and keep the new private key (encoded or not) out of the repository."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "der-private-key",
        exchange: "pem",
        severity: High,
        description: "RSA, EC or Ed25519 private key as bare base64 DER, without PEM lines (MIIE…, MHcC…, MC4C…), as LBank hands out its RSA API keys",
        // One line, or wrapped over lines in a multi-line string. After the
        // value stands a blank, a quote, a closing bracket, `,`, `;`, `#` or
        // the line's end: `next_key:` on the next line is not more key.
        // The DER header's base64, by structure: PKCS#8 RSA (its algorithm
        // identifier), PKCS#1 RSA (version 0, then a modulus of 512, 1024 or
        // 2048+ bits), SEC1 and PKCS#8 P-256 EC keys, PKCS#8 Ed25519 keys
        // (version 0, or 1 with the public key after: RFC 8410).
        keywords: &[
            "IBADANBgkqhkiG9w0BAQEFAASC",
            "IBAAKC",
            "IBAAKB",
            "IBAAJB",
            "MHcCAQEEI",
            "MIGHAgEAMBMGByqGSM49",
            "MC4CAQAwBQYDK2VwBCIEI",
            "MFECAQEwBQYDK2VwBCIEI",
        ],
        pattern: r#"(?m)(?:^|[^A-Za-z0-9+/])(?P<secret>(?:MI[IJK][A-Za-z0-9+/]{3}IB(?:ADANBgkqhkiG9w0BAQEFAASC|AAK[BC]|AAJB)|MHcCAQEEI|MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg|MC4CAQAwBQYDK2VwBCIEI|MFECAQEwBQYDK2VwBCIEI)(?:[A-Za-z0-9+/]|\\n){40,}(?:(?:\r\n?|\n)[ \t]*[A-Za-z0-9+/]{4,})*={0,2})(?:[ \t\r\n"'`,;)\]}#]|$)"#.into(),
        scope: Scope::Span {
            before: 16,
            after: 16_400,
        },
        validate: Some(validate::der_private_key),
        // Inside a PEM block, the PEM rule (earlier in order) keeps the key.
        generic: true,
        examples: &[
            "rsa_secret_key = \"MIIBOgIBAAJBAOfu52Fe818w5JtILhXK51AHIB4SYXsP7afhZHeW/wIr6o7QKoKhdZMPIzfNN5TFIggAbWsa8MDL1iVliqwsn6oH0TxEfjMFHu75WmDlYUPWxDvK12wAipsKa1/JMxVKbeKEBKiXxSUmLmp8B7y+6EH3RcVdTp90f2FRZMb3KNcYNTcTgnrIg9f7llkjQHT1JY9saAgjidLkfx4XWpC8Qy+5RuapRxEJ87efEQom9iKfo0UlJue8FkKutCvyJ9UP/wfDwgYkKS47g9Wpxurh7CoPniz2C3U5/viCBbyaSWdWr+L/e6fPgGXcZm3EcKJrRUT+sxQgjVY55vGMbdPD/KHnpCYQjhWPtZ4JRc/oYQyIeUgYO+Q3vCdlZvODWwXxEltzi7FRyXIs0sZC5uhkA8Cv7ado\"",
            "LBANK_PRIVATE_KEY=MIIBOgIBAAJBAOfu52Fe818w5JtILhXK51AHIB4SYXsP7afhZHeW/wIr6o7QKoKhdZMPIzfNN5TFIggAbWsa8MDL1iVliqwsn6oH0TxEfjMFHu75WmDlYUPWxDvK12wAipsKa1/JMxVKbeKEBKiXxSUmLmp8B7y+6EH3RcVdTp90f2FRZMb3KNcYNTcTgnrIg9f7llkjQHT1JY9saAgjidLkfx4XWpC8Qy+5RuapRxEJ87efEQom9iKfo0UlJue8FkKutCvyJ9UP/wfDwgYkKS47g9Wpxurh7CoPniz2C3U5/viCBbyaSWdWr+L/e6fPgGXcZm3EcKJrRUT+sxQgjVY55vGMbdPD/KHnpCYQjhWPtZ4JRc/oYQyIeUgYO+Q3vCdlZvODWwXxEltzi7FRyXIs0sZC5uhkA8Cv7ado",
            // Wrapped in a multi-line string, and in a YAML block before the next key.
            "self.rsa_secret_key = \"\"\"MIIBOgIBAAJBAOfu52Fe818w5JtILhXK51AHIB4SYXsP7afhZHeW/wIr6o7QKoKh\n        dZMPIzfNN5TFIggAbWsa8MDL1iVliqwsn6oH0TxEfjMFHu75WmDlYUPWxDvK12wA\n        ipsKa1/JMxVKbeKEBKiXxSUmLmp8B7y+6EH3RcVdTp90f2FRZMb3KNcYNTcTgnrI\n        g9f7llkjQHT1JY9saAgjidLkfx4XWpC8Qy+5RuapRxEJ87efEQom9iKfo0UlJue8\n        FkKutCvyJ9UP/wfDwgYkKS47g9Wpxurh7CoPniz2C3U5/viCBbyaSWdWr+L/e6fP\n        gGXcZm3EcKJrRUT+sxQgjVY55vGMbdPD/KHnpCYQjhWPtZ4JRc/oYQyIeUgYO+Q3\n        vCdlZvODWwXxEltzi7FRyXIs0sZC5uhkA8Cv7ado\"\"\"",
            "lbank:\n  rsa_key: |\n    MIIBOgIBAAJBAOfu52Fe818w5JtILhXK51AHIB4SYXsP7afhZHeW/wIr6o7QKoKh\n    dZMPIzfNN5TFIggAbWsa8MDL1iVliqwsn6oH0TxEfjMFHu75WmDlYUPWxDvK12wA\n    ipsKa1/JMxVKbeKEBKiXxSUmLmp8B7y+6EH3RcVdTp90f2FRZMb3KNcYNTcTgnrI\n    g9f7llkjQHT1JY9saAgjidLkfx4XWpC8Qy+5RuapRxEJ87efEQom9iKfo0UlJue8\n    FkKutCvyJ9UP/wfDwgYkKS47g9Wpxurh7CoPniz2C3U5/viCBbyaSWdWr+L/e6fP\n    gGXcZm3EcKJrRUT+sxQgjVY55vGMbdPD/KHnpCYQjhWPtZ4JRc/oYQyIeUgYO+Q3\n    vCdlZvODWwXxEltzi7FRyXIs0sZC5uhkA8Cv7ado\n  next_key: abc",
            // Ed25519 (PKCS#8), as Binance's Ed25519 API keys are generated.
            "ED25519_PRIVATE_KEY=MC4CAQAwBQYDK2VwBCIEIG6sEk/cpJv9GByHNFigFenYqdU47b7yYTn5EZiX9k35",
            "signer_key = \"MFECAQEwBQYDK2VwBCIEIAbqL9hk4k8VKXSHnWE8GKyf4pvW5+QEOMVsbtCYlbssgSEAcd2Ok+HUcVv4kq53rA6zqRLtYqg7zZACcuaWnmYWqUk=\"",
            "\"ec_key\": \"MHcCAQEEIDI/bXzHLJ6khgiyKhPhr9eM+Q5vINsRWKtH8Ezh/CxxoAoGCCqGSM49AwEHoUQDQgAE4JRUg5/DaptIi/5m0joCwQ4WzT77L1Uh6tPOiX7y/EGt3vOiN2LWD4VCCxJjT3QGkaS1ff81/z6AZd8LwNNRaA==\"",
        ],
        negatives: &[
            // Inside PEM lines, the key is the PEM rule's.
            "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAOfu52Fe818w5JtILhXK51AHIB4SYXsP7afhZHeW/wIr6o7QKoKh\ndZMPIzfNN5TFIggAbWsa8MDL1iVliqwsn6oH0TxEfjMFHu75WmDlYUPWxDvK12wA\nipsKa1/JMxVKbeKEBKiXxSUmLmp8B7y+6EH3RcVdTp90f2FRZMb3KNcYNTcTgnrI\ng9f7llkjQHT1JY9saAgjidLkfx4XWpC8Qy+5RuapRxEJ87efEQom9iKfo0UlJue8\nFkKutCvyJ9UP/wfDwgYkKS47g9Wpxurh7CoPniz2C3U5/viCBbyaSWdWr+L/e6fP\ngGXcZm3EcKJrRUT+sxQgjVY55vGMbdPD/KHnpCYQjhWPtZ4JRc/oYQyIeUgYO+Q3\nvCdlZvODWwXxEltzi7FRyXIs0sZC5uhkA8Cv7ado\n-----END RSA PRIVATE KEY-----",
            // Cut short (its DER length says more), and a public key.
            "rsa_secret_key = \"MIIBOgIBAAJBAOfu52Fe818w5JtILhXK51AHIB4SYXsP7afhZHeW/wIr6o7QKoKhdZMPIzfNN5TFIggAbWsa8MDL1iVliqwsn6oH0TxEfjMFHu75WmDlYUPWxDvK12wAipsKa1/JMxVKbeKEBKiXxSUmLmp8B7y+6EH3RcVdTp90f2FRZMb3KNcYNTcTgnrIg9f7llkjQHT1JY9saAgjidLkfx4XWpC8Qy+5RuapRxEJ87efEQom9iKfo0UlJue8FkKutCvyJ9UP/wfDwgYkKS47g9Wpxurh7CoPniz2C3U5\"",
            // An Ed25519 public key, and a private one cut short.
            "ed25519_public_key: MCowBQYDK2VwAyEADvXLN1ZDlvVQJ5DNODaWpyX4sTLchS6SQaOcPcpoyh0=",
            "ed25519_private_key = \"MC4CAQAwBQYDK2VwBCIEILvLbE52R8BQiqG4ewqYmjZnmAD+re929Gj74Q\"",
            "public_key: MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAb25Fd7FcoaFjb2MxRHpDLYTGMd7XQGbOCTFmt7g7r2Ak9jYME/ZLYV46aFhQkDAfROwnMafI79q13Gu/BhRmXNDouL3PY1QwB6Urz2GuhI87Uc9EqL3dXM9pXiSumvAzBbYZdouZrG7PXSfH/m09ygs6N3mD480ZZMAFMoSAja7UM+MnF8VRxfFW/R3b/deRzJ+7kveKkZcNB30VUNHHG6HLGaMlctv0gHwXMu9JfToZ1ek8aBq2Tz+64kfV6YbWukaUQXr2Op4=",
        ],
        remediation: "Replace this key pair: create a new key (on the exchange, for an exchange's RSA key), \
                      delete the old one there, and keep the new private key out of the repository."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "pem-encrypted-private-key",
        exchange: "pem",
        severity: Low,
        description: "Password-protected PEM private key (safe only while its password is strong)",
        keywords: &["encrypted private key-----", "Proc-Type: 4,ENCRYPTED"],
        pattern: r"(?P<secret>-----BEGIN (?:ENCRYPTED PRIVATE KEY-----|(?:RSA |EC |DSA )?PRIVATE KEY-----(?:\\+[rn]|[\r\n])+Proc-Type: 4,ENCRYPTED)(?:[A-Za-z0-9+/=,:\- \t\r\n]|\\+[rn]){64,}?-----END (?:ENCRYPTED |RSA |EC |DSA )?PRIVATE KEY-{5,})".into(),
        scope: PEM_BLOCK,
        validate: Some(validate::pem_body),
        examples: &[
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQIu8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2is\n-----END ENCRYPTED PRIVATE KEY-----",
            // OpenSSL's legacy form, with header lines.
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: DES-EDE3-CBC,4E1B2C6F8A0D3E57\n\nq8Lm2Xk9Rp4Wn7Bj3Hc1Dg5Fs0Ay2uKm8Rt6Zq4Lx9Vw3Pn7Bm1Hj5Ck0Ds8Gf2Tz6Yb\n-----END RSA PRIVATE KEY-----",
        ],
        negatives: &["-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF...\n-----END ENCRYPTED PRIVATE KEY-----"],
        remediation: "Move the encrypted key out of the repository; if its password is weak or was ever \
                      committed too, replace the key pair."
            .into(),
        ..base()
    });
    rules
}
