//! Unit tests of the manifest check: parsing, evaluation, env reads, template.

use super::*;

fn manifest(text: &str) -> Result<Manifest, ManifestError> {
    parse(Path::new("keyaudit.toml"), text)
}

fn rules_of(text: &str) -> Vec<(String, Severity, Option<usize>)> {
    let m = manifest(text).unwrap_or_else(|e| panic!("{e}"));
    evaluate(&m, "keyaudit.toml")
        .into_iter()
        .map(|f| (f.rule, f.severity, f.location.line))
        .collect()
}

fn invalid(text: &str) -> (usize, usize, String) {
    match manifest(text) {
        Err(ManifestError::Invalid {
            line,
            column,
            message,
            hint,
            ..
        }) => (line, column, format!("{message}\n{hint}")),
        other => panic!("expected an invalid manifest, got {other:?}"),
    }
}

const GOOD: &str = r#"
[[key]]
name = "grid"
exchange = "binance"
bot = "grid-bot"
env = ["BINANCE_API_KEY"]
permissions = ["Enable Reading", "spot-trade"]
ip_allowlist = ["203.0.113.7"]
"#;

#[test]
fn a_read_and_trade_key_with_an_allowlist_is_clean() {
    assert_eq!(rules_of(GOOD), vec![]);
}

#[test]
fn withdraw_is_critical_at_its_position_and_cannot_be_allowed() {
    let text = GOOD.replace("\"spot-trade\"]", "\"spot-trade\", \"ENABLE_WITHDRAWALS\"]");
    assert_eq!(
        rules_of(&text),
        vec![(rule::WITHDRAW.into(), Severity::Critical, Some(7))]
    );
    let text = GOOD.replace("ip_allowlist", "allow = [\"withdraw\"]\nip_allowlist");
    let (line, _, msg) = invalid(&text);
    assert_eq!(line, 8);
    assert!(msg.contains("cannot be allowed"), "{msg}");
}

#[test]
fn worst_member_decides() {
    // enableMargin grants margin-trade + transfer: transfer (high) wins.
    let text = GOOD.replace("\"spot-trade\"]", "\"spot-trade\", \"enableMargin\"]");
    assert_eq!(
        rules_of(&text),
        vec![(rule::TRANSFER.into(), Severity::High, Some(7))]
    );
    // Coinbase transfer withdraws.
    let text = GOOD.replace("binance", "coinbase").replace(
        "\"Enable Reading\", \"spot-trade\"",
        "\"view\", \"transfer\"",
    );
    assert!(rules_of(&text).contains(&(rule::WITHDRAW.into(), Severity::Critical, Some(7))));
}

#[test]
fn futures_counts_as_trade_only_where_allowed() {
    let text = GOOD.replace("\"spot-trade\"]", "\"spot-trade\", \"enableFutures\"]");
    assert_eq!(
        rules_of(&text),
        vec![(rule::BEYOND_TRADE.into(), Severity::High, Some(7))]
    );
    let text = text.replace("ip_allowlist", "allow = [\"futures-trade\"]\nip_allowlist");
    assert_eq!(rules_of(&text), vec![]);
}

#[test]
fn missing_scopes_except_where_the_model_cannot_separate_them() {
    let text = GOOD.replace("\"Enable Reading\", ", "");
    assert_eq!(
        rules_of(&text),
        vec![(rule::MISSING_SCOPE.into(), Severity::Medium, Some(7))]
    );
    let text = r#"
[[key]]
name = "hl"
exchange = "hyperliquid"
bot = "perp-bot"
permissions = ["agent"]
allow = ["futures-trade"]
"#;
    assert_eq!(
        rules_of(text),
        vec![(rule::NO_IP_ALLOWLIST.into(), Severity::Low, Some(3))]
    );
}

#[test]
fn no_ip_allowlist_is_medium_and_a_wildcard_counts_as_none() {
    let text = GOOD.replace("ip_allowlist = [\"203.0.113.7\"]\n", "");
    assert_eq!(
        rules_of(&text),
        vec![(rule::NO_IP_ALLOWLIST.into(), Severity::Medium, Some(3))]
    );
    let text = GOOD.replace("\"203.0.113.7\"", "\"0.0.0.0/0\"");
    assert_eq!(
        rules_of(&text),
        vec![(rule::NO_IP_ALLOWLIST.into(), Severity::Medium, Some(8))]
    );
    let (line, column, msg) = invalid(&GOOD.replace("203.0.113.7", "my server"));
    assert_eq!((line, column), (8, 17));
    assert!(msg.contains("not an IP address"), "{msg}");
}

#[test]
fn shared_names_and_env_variables() {
    let second = GOOD.replace("grid-bot", "dca-bot");
    let found = rules_of(&format!("{GOOD}{second}"));
    assert_eq!(
        found,
        vec![
            (rule::SHARED_KEY.into(), Severity::High, Some(11)),
            (rule::SHARED_KEY.into(), Severity::High, Some(14)),
        ]
    );
}

#[test]
fn errors_name_line_column_and_nearest_names() {
    let (line, column, msg) = invalid(&GOOD.replace("\"spot-trade\"", "\"enableWithdrawl\""));
    assert_eq!((line, column), (7, 34));
    assert!(msg.contains("\"Enable Withdrawals\""), "{msg}");
    let (line, column, msg) = invalid(&GOOD.replace("\"binance\"", "\"binanse\""));
    assert_eq!((line, column), (4, 12));
    assert!(msg.contains("did you mean \"binance\""), "{msg}");
    let (line, _, msg) = invalid(&GOOD.replace("bot = ", "bots = "));
    assert_eq!(line, 5);
    assert!(msg.contains("bots"), "{msg}");
    let (_, _, msg) = invalid(&GOOD.replace("bot = \"grid-bot\"\n", ""));
    assert!(msg.contains("missing field `bot`"), "{msg}");
    let (line, _, msg) = invalid(&GOOD.replace("[\"BINANCE_API_KEY\"]", "\"BINANCE_API_KEY\""));
    assert_eq!(line, 6);
    assert!(msg.contains("invalid type"), "{msg}");
    let (line, _, _) = invalid("[[key]]\nname = \"a\n");
    assert_eq!(line, 2);
}

#[test]
fn exchange_names_are_normalised() {
    let text = GOOD.replace("\"binance\"", "\"Binance\"");
    assert_eq!(rules_of(&text), vec![]);
    let m = manifest(&GOOD.replace("\"binance\"", "\"Crypto.com\"").replace(
        "\"Enable Reading\", \"spot-trade\"",
        "\"Can Read\", \"trade\"",
    ))
    .unwrap();
    assert_eq!(m.keys[0].exchange.id, "cryptocom");
}

#[test]
fn other_sections_are_left_to_config() {
    let m = manifest("[scan]\nmax_file_size = 3\n").unwrap();
    assert!(m.keys.is_empty());
}

#[test]
fn credential_env_names() {
    assert_eq!(credential_exchange("BINANCE_API_SECRET"), Some("binance"));
    assert_eq!(credential_exchange("okx_passphrase"), Some("okx"));
    assert_eq!(credential_exchange("CRYPTO_COM_API_KEY"), Some("cryptocom"));
    assert_eq!(credential_exchange("APCA_API_KEY_ID"), Some("alpaca"));
    assert_eq!(credential_exchange("BINANCE_API_URL"), None);
    assert_eq!(credential_exchange("GATEWAY_KEY"), None);
    assert_eq!(credential_exchange("API_KEY"), None);
}

#[test]
fn env_read_patterns() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bot.py"),
        "import os\nk = os.getenv(\"A_KEY\")\ns = os.environ['B_KEY']\nt = os.environ.get('C_KEY', '')\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bot.js"),
        "const k = process.env.D_KEY;\nconst s = process.env[\"E_KEY\"];\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("main.rs"),
        "let k = std::env::var(\"F_KEY\")?;\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("docker-compose.yml"),
        "environment:\n  - K=${G_KEY}\n  - S=${H_KEY:-x}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "${I_KEY}\n").unwrap();
    std::fs::create_dir(dir.path().join("node_modules")).unwrap();
    std::fs::write(dir.path().join("node_modules/x.js"), "process.env.J_KEY\n").unwrap();
    let ws = Workspace::open(dir.path(), &Default::default());
    let reads = env_reads(ws.tree().unwrap(), dir.path());
    let names: Vec<String> = reads.into_iter().map(|r| r.name).collect();
    assert_eq!(
        names,
        [
            "D_KEY", "E_KEY", "A_KEY", "B_KEY", "C_KEY", "G_KEY", "H_KEY", "F_KEY"
        ]
    );
}

#[test]
fn the_template_is_a_valid_manifest() {
    let reads = vec![EnvRead {
        name: "BYBIT_API_KEY".into(),
        path: "bot.py".into(),
        line: 1,
        column: 1,
    }];
    let (text, exchanges, vars) = template("my bot", &reads);
    assert_eq!((exchanges, vars), (vec!["bybit"], 1));
    let m = manifest(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(m.keys[0].bot.value, "my-bot");
    let (empty, _, _) = template("x", &[]);
    assert!(manifest(&empty).unwrap().keys.is_empty());
}
