//! PEM private keys of any origin, plain and password-protected.

use crate::catalog::build::PEM_BLOCK;
use crate::detect::rule::{Rule, base};
use crate::detect::validate;
use crate::finding::Severity;

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
        pattern: r"(?P<secret>-----BEGIN (?:RSA |EC |DSA |OPENSSH )?PRIVATE KEY-----(?:[A-Za-z0-9+/=\r\n \t]|\\+[rn]){64,12000}?-----END (?:RSA |EC |DSA |OPENSSH )?PRIVATE KEY-----)".into(),
        scope: PEM_BLOCK,
        validate: Some(validate::pem_body),
        generic: true,
        examples: &["key = \"-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAu8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFRIBXuDL7Dxtp\\n-----END RSA PRIVATE KEY-----\""],
        negatives: &[
            "\"secret\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBABACAFQA<...>s8KX8=\\n-----END PRIVATE KEY-----\"",
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0Rl\n-----END PUBLIC KEY-----",
        ],
        remediation: "Replace this key pair: generate a new private key, register its public key where the \
                      old one was used (for an exchange API key, delete the old key there), and keep the new \
                      private key out of the repository."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "pem-encrypted-private-key",
        exchange: "pem",
        severity: Low,
        description: "Password-protected PEM private key (safe only while its password is strong)",
        keywords: &["encrypted private key-----", "proc-type: 4,encrypted"],
        pattern: r"(?P<secret>-----BEGIN (?:ENCRYPTED PRIVATE KEY-----|(?:RSA |EC |DSA )?PRIVATE KEY-----(?:\\+[rn]|[\r\n])+Proc-Type: 4,ENCRYPTED)(?:[A-Za-z0-9+/=,:\- \t\r\n]|\\+[rn]){64,12000}?-----END (?:ENCRYPTED |RSA |EC |DSA )?PRIVATE KEY-----)".into(),
        scope: PEM_BLOCK,
        validate: Some(validate::pem_body),
        examples: &["-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQIu8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2is\n-----END ENCRYPTED PRIVATE KEY-----"],
        negatives: &["-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF...\n-----END ENCRYPTED PRIVATE KEY-----"],
        remediation: "Move the encrypted key out of the repository; if its password is weak or was ever \
                      committed too, replace the key pair."
            .into(),
        ..base()
    });
    rules
}
