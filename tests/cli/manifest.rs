//! `keyaudit manifest`: the permission manifest's findings, its exit-2 errors
//! (with file, line, column and nearest names), the env-variable cross-check,
//! `--init` and `rules --permissions`.

use crate::support::*;

/// A `[[key]]` table with an IP allowlist; `perms` is the TOML list's inside.
fn key(name: &str, exchange: &str, bot: &str, env: &str, perms: &str) -> String {
    format!(
        "[[key]]\nname = \"{name}\"\nexchange = \"{exchange}\"\nbot = \"{bot}\"\nenv = [{env}]\n\
         permissions = [{perms}]\nip_allowlist = [\"203.0.113.7\"]\n\n"
    )
}

/// A repository whose bot reads the given env variables.
fn repo_reading(vars: &[&str]) -> TestRepo {
    let repo = TestRepo::new();
    let code: String = vars
        .iter()
        .map(|v| format!("{} = os.getenv(\"{v}\")\n", v.to_lowercase()))
        .collect();
    repo.write("bot.py", &format!("import os\n{code}"));
    repo
}

/// (rule, severity, line, column) of every finding, in report order.
fn manifest_findings(report: &serde_json::Value) -> Vec<(String, String, u64, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["check"], "manifest", "{f}");
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap_or(0),
                f["location"]["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn stderr_of(repo: &TestRepo, args: &[&str]) -> (i32, String) {
    let out = keyaudit(repo.path()).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn clean_manifest_has_no_findings_and_exits_0() {
    let repo = repo_reading(&["BINANCE_API_KEY", "BINANCE_API_SECRET"]);
    repo.write(
        "keyaudit.toml",
        &format!(
            "[scan]\nmax_file_size = \"1MiB\"\n\n{}",
            key(
                "grid-binance",
                "binance",
                "grid-bot",
                "\"BINANCE_API_KEY\", \"BINANCE_API_SECRET\"",
                "\"Enable Reading\", \"spot-trade\""
            )
        ),
    );
    let (code, report) = json_report(repo.path(), &["manifest", "."]);
    assert_eq!(manifest_findings(&report), vec![]);
    assert_eq!(code, 0);
}

#[test]
fn withdraw_in_every_spelling_is_critical_at_its_line_and_column() {
    // Each key's permissions are on line 6 + 8 * index, after `permissions = ["read", `.
    let cases = [
        ("binance", "Enable Withdrawals"),
        ("binance", "enableWithdrawals"),
        ("binance", "enable_withdrawals"),
        ("binance", "ENABLE-WITHDRAWALS"),
        ("binance", "withdraw"),
        ("kraken", "Withdraw Funds"),
        ("kraken", "withdraw-funds"),
        ("bybit", "Wallet: Withdrawal"),
        ("coinbase", "transfer"),
        ("kucoin", "Transfer"),
        ("okx", "Withdraw"),
        ("gemini", "Administrator"),
        ("deribit", "account:read_write"),
        ("hyperliquid", "master"),
        ("binance", "admin"),
    ];
    let mut text = String::new();
    for (i, (exchange, perm)) in cases.iter().enumerate() {
        text.push_str(&key(
            &format!("k{i}"),
            exchange,
            &format!("bot{i}"),
            "",
            &format!("\"read\", \"{perm}\""),
        ));
    }
    let repo = TestRepo::new();
    repo.write("keyaudit.toml", &text);
    let (code, report) = json_report(repo.path(), &["manifest", "."]);
    assert_eq!(code, 1);
    let withdraw: Vec<(u64, u64)> = manifest_findings(&report)
        .into_iter()
        .filter(|(rule, severity, _, _)| rule == "manifest-withdraw" && severity == "critical")
        .map(|(_, _, line, column)| (line, column))
        .collect();
    let expected: Vec<(u64, u64)> = (0..cases.len() as u64).map(|i| (6 + 8 * i, 24)).collect();
    assert_eq!(withdraw, expected);
    let f = &report["findings"][0];
    assert_eq!(f["location"]["source"], "manifest");
    assert_eq!(f["location"]["path"], "keyaudit.toml");
    assert!(f["secret"].is_null());
    assert!(
        f["remediation"]
            .as_str()
            .unwrap()
            .contains("https://www.binance.com/en/my/settings/api-management"),
        "{f}"
    );
}

#[test]
fn withdraw_cannot_be_allowed() {
    let repo = TestRepo::new();
    repo.write(
        "keyaudit.toml",
        &key("k", "binance", "b", "", "\"read\", \"spot-trade\"")
            .replace("ip_allowlist", "allow = [\"withdraw\"]\nip_allowlist"),
    );
    let (code, stderr) = stderr_of(&repo, &["manifest", "."]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("keyaudit.toml:7:10:"), "{stderr}");
    assert!(stderr.contains("cannot be allowed"), "{stderr}");
}

#[test]
fn transfer_is_high_and_one_toggle_is_judged_by_its_worst_scope() {
    let repo = TestRepo::new();
    repo.write(
        "keyaudit.toml",
        &format!(
            "{}{}",
            key(
                "universal",
                "binance",
                "a",
                "",
                "\"read\", \"spot-trade\", \"permitsUniversalTransfer\""
            ),
            // Margin loan also transfers: transfer wins even where margin is allowed.
            key("margin", "binance", "b", "", "\"read\", \"enableMargin\"")
                .replace("ip_allowlist", "allow = [\"margin-trade\"]\nip_allowlist"),
        ),
    );
    let (code, report) = json_report(repo.path(), &["manifest", "."]);
    assert_eq!(code, 1);
    assert_eq!(
        manifest_findings(&report),
        vec![
            ("manifest-transfer".into(), "high".into(), 6, 38),
            ("manifest-transfer".into(), "high".into(), 14, 24),
        ]
    );
}

#[test]
fn futures_is_beyond_trade_unless_allowed() {
    let repo = TestRepo::new();
    let futures = key(
        "futures",
        "bybit",
        "perp-bot",
        "",
        "\"readOnly\", \"Contract: Orders\"",
    );
    repo.write("keyaudit.toml", &futures);
    let (code, report) = json_report(repo.path(), &["manifest", "."]);
    assert_eq!(code, 1);
    assert_eq!(
        manifest_findings(&report),
        vec![("manifest-beyond-trade".into(), "high".into(), 6, 28)]
    );
    assert!(
        report["findings"][0]["remediation"]
            .as_str()
            .unwrap()
            .contains("allow = [\"futures-trade\"]")
    );
    repo.write(
        "keyaudit.toml",
        &futures.replace("ip_allowlist", "allow = [\"futures-trade\"]\nip_allowlist"),
    );
    let (code, report) = json_report(repo.path(), &["manifest", "."]);
    assert_eq!(manifest_findings(&report), vec![]);
    assert_eq!(code, 0);
}

#[test]
fn missing_read_or_trade_is_medium_except_where_the_model_cannot_separate_them() {
    let repo = TestRepo::new();
    let alpaca = key("paper", "alpaca", "c", "", "");
    repo.write(
        "keyaudit.toml",
        &format!(
            "{}{}{alpaca}",
            key("no-read", "kraken", "a", "", "\"Create & Modify Orders\""),
            key("no-trade", "kucoin", "b", "", "\"General\""),
        ),
    );
    let (code, report) = json_report(repo.path(), &["manifest", "."]);
    assert_eq!(code, 1);
    let found = manifest_findings(&report);
    assert_eq!(
        found,
        vec![
            ("manifest-missing-scope".into(), "medium".into(), 6, 15),
            ("manifest-missing-scope".into(), "medium".into(), 14, 15),
            ("manifest-no-permission-model".into(), "low".into(), 19, 12),
        ]
    );
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(messages[0].contains("no read permission"), "{messages:?}");
    assert!(messages[1].contains("no trade permission"), "{messages:?}");
}

#[test]
fn one_key_name_or_env_variable_for_two_bots_is_high() {
    let repo = repo_reading(&["BINANCE_API_KEY", "BYBIT_API_KEY", "BYBIT_API_KEY_2"]);
    repo.write(
        "keyaudit.toml",
        &format!(
            "{}{}{}",
            key(
                "main",
                "binance",
                "grid-bot",
                "\"BINANCE_API_KEY\"",
                "\"read\", \"trade\""
            ),
            key(
                "main",
                "bybit",
                "dca-bot",
                "\"BYBIT_API_KEY\"",
                "\"read\", \"trade\""
            ),
            key(
                "other",
                "binance",
                "arb-bot",
                "\"BYBIT_API_KEY_2\", \"BINANCE_API_KEY\"",
                "\"read\", \"trade\""
            ),
        ),
    );
    let (code, report) = json_report(repo.path(), &["manifest", "."]);
    assert_eq!(code, 1);
    assert_eq!(
        manifest_findings(&report),
        vec![
            ("manifest-shared-key".into(), "high".into(), 10, 8),
            ("manifest-shared-key".into(), "high".into(), 21, 27),
        ]
    );
    let env_msg = report["findings"][1]["message"].as_str().unwrap();
    assert!(
        env_msg.contains("BINANCE_API_KEY")
            && env_msg.contains("grid-bot")
            && env_msg.contains("arb-bot"),
        "{env_msg}"
    );
}

#[test]
fn no_ip_allowlist_is_medium_or_low_where_the_exchange_has_none() {
    let repo = TestRepo::new();
    let without = |k: String| k.replace("ip_allowlist = [\"203.0.113.7\"]\n", "");
    repo.write(
        "keyaudit.toml",
        &format!(
            "{}{}{}",
            without(key("okx", "okx", "a", "", "\"read_only\", \"spot-trade\"")),
            key("empty", "gate", "b", "", "\"spot:read\", \"spot-trade\"")
                .replace("[\"203.0.113.7\"]", "[]"),
            without(key("hl", "hyperliquid", "c", "", "\"agent\""))
                .replace("permissions", "allow = [\"futures-trade\"]\npermissions"),
        ),
    );
    let (code, report) = json_report(repo.path(), &["manifest", "."]);
    assert_eq!(code, 1);
    assert_eq!(
        manifest_findings(&report),
        vec![
            ("manifest-no-ip-allowlist".into(), "medium".into(), 2, 8),
            ("manifest-no-ip-allowlist".into(), "medium".into(), 14, 16),
            ("manifest-no-ip-allowlist".into(), "low".into(), 17, 8),
        ]
    );
}

#[test]
fn malformed_toml_exits_2_with_line_and_column() {
    let repo = TestRepo::new();
    repo.write(
        "keyaudit.toml",
        "[[key]]\nname = \"a\"\nexchange = \"binance\nbot = \"b\"\n",
    );
    let (code, stderr) = stderr_of(&repo, &["manifest", "."]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("keyaudit.toml:3:"), "{stderr}");
}

#[test]
fn unknown_permission_exits_2_with_the_nearest_names() {
    let repo = TestRepo::new();
    repo.write(
        "keyaudit.toml",
        &key("k", "binance", "b", "", "\"read\", \"enableWithdrawl\""),
    );
    let (code, stderr) = stderr_of(&repo, &["manifest", "."]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("keyaudit.toml:6:24: unknown permission \"enableWithdrawl\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("did you mean \"Enable Withdrawals\""),
        "{stderr}"
    );
}

#[test]
fn unknown_exchange_exits_2_with_the_nearest_ids() {
    let repo = TestRepo::new();
    repo.write("keyaudit.toml", &key("k", "kucion", "b", "", "\"read\""));
    let (code, stderr) = stderr_of(&repo, &["manifest", "."]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("keyaudit.toml:3:12: unknown exchange \"kucion\""),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean \"kucoin\""), "{stderr}");
}

#[test]
fn missing_field_wrong_type_and_unknown_key_exit_2() {
    let repo = TestRepo::new();
    let cases = [
        (
            key("k", "okx", "b", "", "\"read\"").replace("bot = \"b\"\n", ""),
            "missing field `bot`",
            1,
        ),
        (
            key("k", "okx", "b", "", "\"read\"").replace("env = []", "env = \"OKX_KEY\""),
            "invalid type",
            5,
        ),
        (
            key("k", "okx", "b", "", "\"read\"").replace("env = []", "envs = []"),
            "unknown field `envs`",
            5,
        ),
    ];
    for (text, message, line) in cases {
        repo.write("keyaudit.toml", &text);
        let (code, stderr) = stderr_of(&repo, &["manifest", "."]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(message), "{stderr}");
        assert!(
            stderr.contains(&format!("keyaudit.toml:{line}:")),
            "{stderr}"
        );
    }
}

#[test]
fn no_manifest_is_a_single_low_finding_pointing_at_init() {
    let repo = repo_reading(&["BINANCE_API_KEY"]);
    let (code, report) = json_report(repo.path(), &["manifest", "."]);
    assert_eq!(code, 0);
    assert_eq!(
        manifest_findings(&report),
        vec![("manifest-missing".into(), "low".into(), 0, 0)]
    );
    assert!(
        report["findings"][0]["remediation"]
            .as_str()
            .unwrap()
            .contains("keyaudit manifest --init")
    );
}

#[test]
fn init_writes_a_template_with_the_detected_exchanges_and_refuses_to_overwrite() {
    let repo = repo_reading(&["KUCOIN_API_KEY", "KUCOIN_API_PASSPHRASE", "LOG_LEVEL"]);
    repo.write(
        "docker-compose.yml",
        "services:\n  bot:\n    environment:\n      - BYBIT_API_SECRET=${BYBIT_API_SECRET}\n",
    );
    let out = keyaudit(repo.path())
        .args(["manifest", "--init", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("bybit, kucoin"));
    let text = std::fs::read_to_string(repo.path().join("keyaudit.toml")).unwrap();
    assert!(text.contains("exchange = \"kucoin\""), "{text}");
    assert!(
        text.contains("env = [\"KUCOIN_API_KEY\", \"KUCOIN_API_PASSPHRASE\"]"),
        "{text}"
    );
    assert!(text.contains("env = [\"BYBIT_API_SECRET\"]"), "{text}");
    assert!(!text.contains("LOG_LEVEL"), "{text}");
    assert!(text.contains("\"InnerTransfer\""), "{text}");
    // The template is a valid manifest: its only findings are the empty allowlists.
    let (code, report) = json_report(repo.path(), &["manifest", "."]);
    assert_eq!(code, 1);
    let rules: Vec<String> = manifest_findings(&report)
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(
        rules,
        ["manifest-no-ip-allowlist", "manifest-no-ip-allowlist"]
    );
    // Never overwritten.
    std::fs::write(repo.path().join("keyaudit.toml"), "# mine\n").unwrap();
    let (code, stderr) = stderr_of(&repo, &["manifest", "--init", "."]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(repo.path().join("keyaudit.toml")).unwrap(),
        "# mine\n"
    );
}

#[test]
fn undeclared_and_unused_env_variables_are_low() {
    let repo = TestRepo::new();
    repo.write(
        "bot/main.py",
        "import os\nkey = os.getenv(\"BINANCE_API_KEY\")\nsecret = os.environ[\"BINANCE_API_SECRET\"]\nurl = os.getenv(\"BINANCE_API_URL\")\n",
    );
    repo.write(
        "web/index.js",
        "const okx = { apiKey: process.env.OKX_API_KEY, password: process.env['OKX_PASSPHRASE'] };\n",
    );
    repo.write(
        "keyaudit.toml",
        &key(
            "k",
            "binance",
            "b",
            "\"BINANCE_API_KEY\", \"BINANCE_API_SECRET\", \"OKX_API_KEY\", \"BINANCE_KEY_OLD\"",
            "\"read\", \"trade\"",
        ),
    );
    let (code, report) = json_report(repo.path(), &["manifest", "."]);
    assert_eq!(code, 0, "low findings do not fail the run");
    let found = findings(&report);
    assert_eq!(
        found,
        vec![
            (
                "manifest-unused-env".into(),
                "manifest".into(),
                "keyaudit.toml".into(),
                5
            ),
            (
                "manifest-undeclared-key".into(),
                "tree".into(),
                "web/index.js".into(),
                1
            ),
        ]
    );
    let undeclared = &report["findings"][1];
    assert!(
        undeclared["message"]
            .as_str()
            .unwrap()
            .contains("OKX_PASSPHRASE")
    );
    assert_eq!(undeclared["location"]["column"], 71);
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("BINANCE_KEY_OLD")
    );
}

#[test]
fn manifest_flag_reads_another_file_and_a_missing_one_exits_2() {
    let repo = TestRepo::new();
    repo.write(
        "ops/keys.toml",
        &key(
            "k",
            "binance",
            "b",
            "",
            "\"read\", \"trade\", \"enableWithdrawals\"",
        ),
    );
    let (code, report) = json_report(
        repo.path(),
        &["manifest", "--manifest", "ops/keys.toml", "."],
    );
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![(
            "manifest-withdraw".into(),
            "manifest".into(),
            "ops/keys.toml".into(),
            6
        )]
    );
    let (code, stderr) = stderr_of(&repo, &["manifest", "--manifest", "nope.toml", "."]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("nope.toml"), "{stderr}");
}

#[test]
fn rules_permissions_lists_the_mapping_table() {
    let repo = TestRepo::new();
    let out = keyaudit(repo.path())
        .args(["rules", "--permissions"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("\"Enable Withdrawals\" / \"enableWithdrawals\" -> withdraw"),
        "{text}"
    );
    assert!(text.contains("KuCoin (kucoin)"), "{text}");
    let out = keyaudit(repo.path())
        .args(["rules", "--permissions", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kucoin = json["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "kucoin")
        .unwrap();
    let transfer = kucoin["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["names"][0] == "Transfer")
        .unwrap();
    assert!(
        transfer["scopes"]
            .as_array()
            .unwrap()
            .contains(&"withdraw".into())
    );
    assert_eq!(
        json["exchanges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == "alpaca")
            .unwrap()["ip_allowlist"],
        false
    );
}

#[test]
fn native_read_and_trade_names_in_several_spellings_are_clean() {
    let repo = TestRepo::new();
    repo.write(
        "keyaudit.toml",
        &[
            key(
                "a",
                "binance",
                "a",
                "",
                "\"enable_reading\", \"ENABLE-SPOT-AND-MARGIN-TRADING\"",
            )
            .replace("ip_allowlist", "allow = [\"margin-trade\"]\nip_allowlist"),
            key(
                "b",
                "kraken",
                "b",
                "",
                "\"Query Funds\", \"query-open-trades\", \"createAndModifyOrders\", \"cancel-trades\"",
            ),
            key("c", "mexc", "c", "", "\"SPOT_ACCOUNT_READ\", \"spot-deal-write\""),
            key("d", "coinbase", "d", "", "\"can_view\", \"Trade\"")
                .replace("ip_allowlist", "allow = [\"futures\"]\nip_allowlist"),
            key("e", "gemini", "e", "", "\"trader\""),
        ]
        .concat(),
    );
    let (code, report) = json_report(repo.path(), &["manifest", "."]);
    assert_eq!(manifest_findings(&report), vec![]);
    assert_eq!(code, 0);
}

#[test]
fn two_findings_of_one_rule_on_one_line_are_reported_together() {
    let repo = TestRepo::new();
    repo.write(
        "bot.py",
        "k, s = os.getenv(\"KRAKEN_API_KEY\"), os.getenv(\"KRAKEN_API_SECRET\")\n",
    );
    repo.write(
        "keyaudit.toml",
        &key(
            "k",
            "binance",
            "b",
            "\"BINANCE_KEY\", \"BINANCE_SECRET\"",
            "\"read\", \"trade\"",
        ),
    );
    let (_, report) = json_report(repo.path(), &["manifest", "."]);
    let found = findings(&report);
    assert_eq!(
        found,
        vec![
            (
                "manifest-undeclared-key".into(),
                "tree".into(),
                "bot.py".into(),
                1
            ),
            (
                "manifest-unused-env".into(),
                "manifest".into(),
                "keyaudit.toml".into(),
                5
            ),
        ]
    );
    let undeclared = report["findings"][0]["message"].as_str().unwrap();
    assert!(
        undeclared.contains("KRAKEN_API_KEY") && undeclared.contains("KRAKEN_API_SECRET"),
        "{undeclared}"
    );
    let unused = report["findings"][1]["message"].as_str().unwrap();
    assert!(
        unused.contains("BINANCE_KEY ") && unused.contains("BINANCE_SECRET"),
        "{unused}"
    );
}

#[test]
fn config_flag_names_the_manifest_too() {
    let repo = TestRepo::new();
    repo.write(
        "ci/keyaudit.toml",
        &format!(
            "[scan]\nmax_file_size = 1000\n\n{}",
            key(
                "k",
                "okx",
                "b",
                "",
                "\"read\", \"spot-trade\", \"withdraw\""
            )
        ),
    );
    let (code, report) = json_report(
        repo.path(),
        &["manifest", "--config", "ci/keyaudit.toml", "."],
    );
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![(
            "manifest-withdraw".into(),
            "manifest".into(),
            "ci/keyaudit.toml".into(),
            9
        )]
    );
}
