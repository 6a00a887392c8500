//! Unit tests of the `.env` check: file kinds, credential names, the print
//! rule and `.gitignore` lines.

use super::*;

#[test]
fn env_file_kinds() {
    assert_eq!(env_kind(".env"), Some(EnvKind::Secrets));
    assert_eq!(env_kind(".env.production"), Some(EnvKind::Secrets));
    assert_eq!(env_kind("prod.env"), Some(EnvKind::Secrets));
    assert_eq!(env_kind(".env.example"), Some(EnvKind::Template));
    assert_eq!(env_kind(".env.sample"), Some(EnvKind::Template));
    assert_eq!(
        env_kind(".env.production.template"),
        Some(EnvKind::Template)
    );
    assert_eq!(env_kind(".environment"), None);
    assert_eq!(env_kind("config.py"), None);
}

#[test]
fn credential_names() {
    assert!(is_credential_name("BINANCE_API_SECRET"));
    assert!(is_credential_name("OKX_PASSPHRASE"));
    assert!(is_credential_name("PK"));
    assert!(!is_credential_name("DATABASE_HOST"));
    assert!(!is_credential_name("LOG_LEVEL"));
    assert!(!is_credential_name("PUBLIC_KEY"));
}

#[test]
fn print_rule_finds_printed_credentials_only() {
    let engine = Engine::new(vec![print_rule()]);
    let hits = |code: &str| engine.scan("bot.py", code.as_bytes()).len();
    assert_eq!(hits("print(api_secret)"), 1);
    assert_eq!(hits("logger.info(f\"using {API_SECRET}\")"), 1);
    assert_eq!(hits("console.log(process.env.BINANCE_SECRET)"), 1);
    assert_eq!(hits("logging.debug(\"key %s\", exchange.apiKey)"), 1);
    assert_eq!(hits("println!(\"{}\", secret_key);"), 1);
    assert_eq!(hits("print(len(api_secret))"), 0);
    assert_eq!(hits("print(\"set BINANCE_API_SECRET in .env\")"), 0);
    assert_eq!(hits("print(f\"{api_key[:4]}…\")"), 0);
    assert_eq!(hits("print(api_secret is None)"), 0);
    assert_eq!(hits("api_secret = os.getenv('X')"), 0);
    // Documentation that shows the mistake is not the mistake.
    assert!(engine.scan("README.md", b"print(api_secret)").is_empty());
}

#[test]
fn ignore_lines() {
    assert_eq!(ignore_line(".env"), ".env");
    assert_eq!(ignore_line(".env.local"), ".env.*");
    assert_eq!(ignore_line("prod.env"), "*.env");
}
