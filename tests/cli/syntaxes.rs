//! Credentials in the less common syntaxes a bot repository holds them in
//! (issue 9): a Dockerfile's legacy `ENV NAME value`, Gradle's
//! `buildConfigField`, a value Prettier wrapped onto the next line, a
//! password passed to C#'s `NetworkCredential`, a PEM
//! key split across string literals, base64-encoded whole (a kubeconfig) or
//! cut off before its END line; each in the working tree and in history,
//! beside look-alikes written the same way that hold no credential.

use crate::support::*;

/// Synthetic values, random-looking.
const DOCKER_SECRET: &str = "Tq8vLm2Xk9Rp4Wn7Bj3Hc1Dg5Fs0Ay2uKm8";
const GRADLE_SECRET: &str = "Zr7kQ2mVx9wHb4tNq8Lw2Xs6Pd3Fy1Jc";
const WRAPPED_KEY: &str = "Wn3Bj6Hc1Dg5Fs0AyE2uKm8RtQz7Xv9Lp4Tz8";
const SMTP_PASSWORD: &str = "Zq8#mRt2Lp9xW";
/// A PEM body's first line: 64 base64 characters.
const PEM_LINE: &str = "MIIEowIBAAKCAQEAu8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAj";

fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn uncommon_syntaxes_are_read_and_their_look_alikes_are_not() {
    let mut repo = TestRepo::new();
    repo.write(
        "Dockerfile",
        &format!(
            "FROM python:3.12-slim\nENV BOT_API_SECRET {DOCKER_SECRET}\n\
             RUN echo BOT_API_SECRET {DOCKER_SECRET}x\n"
        ),
    );
    repo.write(
        "app/build.gradle",
        &format!(
            "android {{\n  defaultConfig {{\n    buildConfigField \"String\", \"API_SECRET\", \"\\\"{GRADLE_SECRET}\\\"\"\n  }}\n}}\n"
        ),
    );
    repo.write(
        "src/keys.ts",
        &format!(
            "export const privateKey =\n  '{WRAPPED_KEY}';\n\
             // Unquoted on the next line: an expression, not a value.\n\
             export const publicConfig =\n  loadConfigFromTheEnvironmentVariables();\n"
        ),
    );
    repo.write(
        "src/Signer.java",
        &format!(
            "class Signer {{\n  static final String KEY = \"-----BEGIN RSA PRIVATE KEY-----\\n\" +\n    \"{PEM_LINE}\\n\" +\n    \"{PEM_LINE}\\n\" +\n    \"-----END RSA PRIVATE KEY-----\";\n\
             static final String TEMPLATE = \"-----BEGIN RSA PRIVATE KEY-----\\n\" + wrapTheKeyBodyIntoSixtyFourCharacterLines + \"\\n-----END RSA PRIVATE KEY-----\";\n}}\n"
        ),
    );
    let pem =
        format!("-----BEGIN PRIVATE KEY-----\n{PEM_LINE}\n{PEM_LINE}\n-----END PRIVATE KEY-----\n");
    let cert =
        format!("-----BEGIN CERTIFICATE-----\n{PEM_LINE}\n{PEM_LINE}\n-----END CERTIFICATE-----\n");
    repo.write(
        "deploy/kubeconfig.yml",
        &format!(
            "users:\n- name: bot\n  user:\n    client-certificate-data: {}\n    client-key-data: {}\n",
            base64(cert.as_bytes()),
            base64(pem.as_bytes())
        ),
    );
    repo.write(
        "src/Mailer.cs",
        &format!(
            "var smtp = new SmtpClient(\"smtp.gmail.com\") {{\n    Credentials = new NetworkCredential(\"bot@example.org\", \"{SMTP_PASSWORD}\"),\n}};\n\
             var other = new NetworkCredential(user, Environment.GetEnvironmentVariable(\"SMTP_PASSWORD\"));\n"
        ),
    );
    repo.commit_all("bot");
    // A key cut off before its END line, committed once and then deleted.
    repo.write(
        "tests/test_auth.py",
        &format!(
            "client.secret = \"-----BEGIN EC PRIVATE KEY-----\\n{PEM_LINE}\\nAwEHoUQDQgAE\"\n"
        ),
    );
    repo.commit_all("auth test");
    repo.remove("tests/test_auth.py");
    repo.commit_all("drop test");

    let found = json_findings(
        repo.path(),
        &["scan", ".", "--history", "--format", "json"],
        &[
            DOCKER_SECRET,
            GRADLE_SECRET,
            WRAPPED_KEY,
            SMTP_PASSWORD,
            PEM_LINE,
        ],
    );
    assert_found(
        &found,
        &[
            ("generic-env-secret", "tree", "Dockerfile", 2),
            ("generic-api-secret", "tree", "app/build.gradle", 3),
            ("generic-api-secret", "tree", "src/keys.ts", 2),
            ("pem-private-key", "tree", "src/Signer.java", 2),
            ("credential-call-password", "tree", "src/Mailer.cs", 2),
            ("pem-private-key-base64", "tree", "deploy/kubeconfig.yml", 5),
            ("pem-private-key", "history", "tests/test_auth.py", 1),
        ],
    );
    // Nothing else: not the RUN line, the expression, the template, the
    // password read from the environment or the certificate.
    assert_eq!(found.len(), 7, "{found:?}");
}
