//! Service credentials, passwords and database URLs (issue 9): each found in
//! the file kinds a bot repository keeps it in, in the working tree and in
//! history, and none of their look-alikes (a UUID without a name, a hash,
//! a placeholder, a prompt, a templated URL).

use crate::support::*;

/// Synthetic values, random-looking, of each service's documented shape.
const ETHERSCAN: &str = "Q4N7XK2M9RB5TW1LZC8HV3JD6FP0GYSE4U";
const CMC: &str = "4f1c9e27-83ab-4d5e-b6c0-2a97e4d1f358";
const SENDGRID: &str = "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";
const INFURA: &str = "3c8e1f7a9b2d4c6e0f5a7b9d1c3e5f72";
const SMTP_PASS: &str = "Zr7!kQ2mVx9w";
const DB_PASS: &str = "Hb4tNq8Lw2Xs";
const JWT: &str = "x9Kq2LmT7vR4pW8zN3bJ6hC1dG5fS0Ae";

#[test]
fn service_keys_passwords_and_database_urls_are_found_and_their_look_alikes_are_not() {
    let mut repo = TestRepo::new();
    repo.write(
        "deploy/bot.env.yml",
        &format!("ETHERSCAN_API_KEY: {ETHERSCAN}\nINFURA_KEY: {INFURA}\nSMTP_PASS: {SMTP_PASS}\n"),
    );
    repo.write(
        "bot/prices.py",
        &format!(
            "import requests\n\nHEADERS = {{\"X-CMC_PRO_API_KEY\": \"{CMC}\"}}\nsg = SendGridAPIClient(\"{SENDGRID}\")\nJWT_SECRET = \"{JWT}\"\n"
        ),
    );
    // Look-alikes: none of these may be reported.
    repo.write(
        "bot/lookalikes.py",
        &format!(
            "order_id = \"{CMC}\"\n\
             password = getpass(\"Enter your password: \")\n\
             password = os.environ[\"DB_PASSWORD\"]\n\
             db_url = \"postgresql+psycopg2://user:password@localhost:5432/freqtrade\"\n\
             db_url = f\"postgresql://{{user}}:{{password}}@{{host}}/{{db}}\"\n\
             url = \"https://api.etherscan.io/v2/api?chainid=1&apikey={{ETHERSCAN_API_KEY}}\"\n\
             commit = \"{INFURA}\"\n\
             SECRET_KEY = os.environ[\"SECRET_KEY\"]\n"
        ),
    );
    repo.commit_all("bot");
    // A database URL committed once, then deleted: history keeps it.
    repo.write(
        "docker-compose.yml",
        &format!(
            "services:\n  bot:\n    environment:\n      - DB_URL=postgresql://trader:{DB_PASS}@db:5432/trades\n"
        ),
    );
    repo.commit_all("compose");
    repo.remove("docker-compose.yml");
    repo.commit_all("no compose");

    let found = json_findings(
        repo.path(),
        &["audit", ".", "--format", "json"],
        &[ETHERSCAN, CMC, SENDGRID, INFURA, SMTP_PASS, DB_PASS, JWT],
    );
    assert_found(
        &found,
        &[
            ("etherscan-api-key", "tree", "deploy/bot.env.yml", 1),
            ("infura-api-key", "tree", "deploy/bot.env.yml", 2),
            ("password-assignment", "tree", "deploy/bot.env.yml", 3),
            ("coinmarketcap-api-key", "tree", "bot/prices.py", 3),
            ("sendgrid-api-key", "tree", "bot/prices.py", 4),
            ("jwt-signing-secret", "tree", "bot/prices.py", 5),
            ("database-url-password", "history", "docker-compose.yml", 4),
        ],
    );
    let noise: Vec<_> = found
        .iter()
        .filter(|(_, _, path, _)| path == "bot/lookalikes.py")
        .collect();
    assert!(noise.is_empty(), "look-alikes reported: {noise:?}");
    let leaks = found
        .iter()
        .filter(|(rule, ..)| !rule.starts_with("env-") && !rule.starts_with("manifest-"))
        .count();
    assert_eq!(leaks, 7, "{found:?}");
}
