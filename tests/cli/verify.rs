//! `--verify` end to end: the real binary against local servers on
//! 127.0.0.1 that check signatures as each exchange documents and answer
//! with its documented shapes (`exchange_mock.rs`). No test reaches the
//! internet: every run that verifies names a local override, and the tests
//! that prove nothing is sent use a local server that counts what arrives.

use std::time::{Duration, Instant};

use crate::exchange_mock::{Account, Mock, Perms};
use crate::support::*;

/// A deterministic string of `len` letters and digits (no placeholder shape).
fn token(seed: u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ALPHABET[(x % ALPHABET.len() as u64) as usize] as char
        })
        .collect()
}

fn perms(trade: bool, transfer: bool, withdraw: bool, ip_restricted: bool) -> Perms {
    Perms {
        trade,
        transfer,
        withdraw,
        ip_restricted,
    }
}

/// A Binance account with a fresh key and secret.
fn binance_account(seed: u64, perms: Perms) -> Account {
    Account {
        key: token(seed, 64),
        secret: token(seed + 1000, 64),
        passphrase: None,
        perms,
    }
}

/// A repository whose manifest declares one Binance key (read + spot-trade,
/// an IP allowlist) read from two env variables, and whose gitignored `.env`
/// holds `account`'s key and secret.
fn manifest_repo(account: &Account) -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write(".gitignore", ".env\n")
        .write(
            "bot.py",
            "import os\nkey = os.getenv(\"BINANCE_API_KEY\")\nsecret = os.getenv(\"BINANCE_API_SECRET\")\n",
        )
        .write(
            "keyaudit.toml",
            "[[key]]\nname = \"grid\"\nexchange = \"binance\"\nbot = \"grid-bot\"\n\
             env = [\"BINANCE_API_KEY\", \"BINANCE_API_SECRET\"]\n\
             permissions = [\"read\", \"spot-trade\"]\nip_allowlist = [\"203.0.113.7\"]\n",
        );
    repo.commit_all("bot");
    repo.write(
        ".env",
        &format!(
            "BINANCE_API_KEY={}\nBINANCE_API_SECRET={}\n",
            account.key, account.secret
        ),
    );
    repo
}

/// Runs keyaudit in `repo` with `args`, `--format json` and `env`; returns
/// (exit code, report, stderr), checking that no output holds a secret.
fn run(
    repo: &TestRepo,
    args: &[&str],
    env: &[(&str, &str)],
    secrets: &[&str],
) -> (i32, serde_json::Value, String) {
    let mut cmd = keyaudit(repo.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = run_bounded(cmd, &all, Duration::from_secs(60));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    for (i, secret) in secrets.iter().enumerate() {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "secret #{i} ({} chars) printed",
            secret.len()
        );
    }
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout} / {stderr}"));
    (out.status.code().unwrap_or(-1), report, stderr)
}

/// (rule, severity) of every finding.
fn rules(report: &serde_json::Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn verify_rules(report: &serde_json::Value) -> Vec<(String, String)> {
    rules(report)
        .into_iter()
        .filter(|(rule, _)| rule.starts_with("manifest-verify-"))
        .collect()
}

#[test]
fn verify_list_names_each_exchange_host_and_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let out = keyaudit(dir.path())
        .args(["verify", "--list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for url in [
        "https://api.binance.com/sapi/v1/account/apiRestrictions",
        "https://api.bybit.com/v5/user/query-api",
        "https://www.okx.com/api/v5/account/config",
        "https://api.kraken.com/0/private/GetApiKeyInfo",
        "https://api.kucoin.com/api/v1/user/api-key",
        "https://api.coinbase.com/api/v3/brokerage/key_permissions",
    ] {
        assert!(text.contains(url), "{url} missing:\n{text}");
    }
    assert!(text.contains("Not verifiable"), "{text}");
    // An override shows in the list, marked as such.
    let out = keyaudit(dir.path())
        .env("KEYAUDIT_VERIFY_URL_BINANCE", "http://127.0.0.1:9")
        .args(["verify", "--list", "--format", "json"])
        .output()
        .unwrap();
    let listing: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let binance = listing["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["exchange"] == "binance")
        .unwrap()
        .clone();
    assert_eq!(
        binance["url"],
        "http://127.0.0.1:9/sapi/v1/account/apiRestrictions"
    );
    assert_eq!(binance["overridden_by"], "KEYAUDIT_VERIFY_URL_BINANCE");
}

#[test]
fn a_read_and_trade_key_with_an_ip_allowlist_passes() {
    let account = binance_account(1, perms(true, false, false, true));
    let secrets = [account.key.clone(), account.secret.clone()];
    let repo = manifest_repo(&account);
    let mock = Mock::exchange("binance", vec![account]);
    let url = format!("binance={}", mock.url);
    let (code, report, stderr) = run(
        &repo,
        &["manifest", "--verify", "--verify-url", &url],
        &[],
        &[&secrets[0], &secrets[1]],
    );
    assert_eq!(verify_rules(&report), vec![], "{report}");
    assert_eq!(code, 0, "{report}");
    assert_eq!((mock.hits(), mock.bad_signatures()), (1, 0));
    assert!(
        stderr.contains("warning: --verify: Binance keys are sent to http://127.0.0.1:"),
        "{stderr}"
    );
}

#[test]
fn withdraw_enabled_is_critical_and_no_ip_restriction_medium() {
    let account = binance_account(2, perms(true, false, true, false));
    let secrets = [account.key.clone(), account.secret.clone()];
    let repo = manifest_repo(&account);
    let mock = Mock::exchange("binance", vec![account]);
    let url = format!("binance={}", mock.url);
    let (code, report, _) = run(
        &repo,
        &["manifest", "--verify", "--verify-url", &url],
        &[],
        &[&secrets[0], &secrets[1]],
    );
    let found = verify_rules(&report);
    assert!(
        found.contains(&("manifest-verify-withdraw".into(), "critical".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("manifest-verify-no-ip-restriction".into(), "medium".into())),
        "{found:?}"
    );
    assert_eq!(code, 1);
    let withdraw = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "manifest-verify-withdraw")
        .unwrap();
    assert_eq!(withdraw["verification"]["status"], "live");
    assert_eq!(withdraw["verification"]["exchange"], "binance");
    assert!(
        withdraw["verification"]["scopes"]
            .as_array()
            .unwrap()
            .contains(&"withdraw".into())
    );
    assert_eq!(withdraw["location"]["path"], "keyaudit.toml");
    assert_eq!(withdraw["location"]["line"], 2);
}

#[test]
fn transfer_enabled_is_high_and_declared_but_missing_is_low() {
    // Read only at the exchange (no trade), transfer on: the manifest's
    // spot-trade is not granted, and transfer is.
    let account = binance_account(3, perms(false, true, false, true));
    let secrets = [account.key.clone(), account.secret.clone()];
    let repo = manifest_repo(&account);
    let mock = Mock::exchange("binance", vec![account]);
    let (_, report, _) = run(
        &repo,
        &["manifest", "--verify"],
        &[("KEYAUDIT_VERIFY_URL_BINANCE", &mock.url)],
        &[&secrets[0], &secrets[1]],
    );
    let found = verify_rules(&report);
    assert!(
        found.contains(&("manifest-verify-transfer".into(), "high".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("manifest-verify-not-granted".into(), "low".into())),
        "{found:?}"
    );
    assert!(!found.iter().any(|(r, _)| r == "manifest-verify-withdraw"));
}

#[test]
fn a_wrong_secret_is_rejected_as_the_exchange_says() {
    let account = binance_account(4, perms(true, false, false, true));
    let mut wrong = binance_account(4, perms(true, false, false, true));
    wrong.secret = token(99, 64);
    let secrets = [
        wrong.key.clone(),
        wrong.secret.clone(),
        account.secret.clone(),
    ];
    let repo = manifest_repo(&wrong);
    let mock = Mock::exchange("binance", vec![account]);
    let url = format!("binance={}", mock.url);
    let (code, report, _) = run(
        &repo,
        &["manifest", "--verify", "--verify-url", &url],
        &[],
        &[&secrets[0], &secrets[1], &secrets[2]],
    );
    assert_eq!(
        verify_rules(&report),
        vec![("manifest-verify-rejected".into(), "high".into())]
    );
    assert_eq!(code, 1);
    assert_eq!(mock.bad_signatures(), 1);
}

#[test]
fn a_hanging_exchange_times_out_within_the_bound() {
    let account = binance_account(5, perms(true, false, false, true));
    let secrets = [account.key.clone(), account.secret.clone()];
    let repo = manifest_repo(&account);
    let mock = Mock::hanging();
    let url = format!("binance={}", mock.url);
    let started = Instant::now();
    let (code, report, _) = run(
        &repo,
        &[
            "manifest",
            "--verify",
            "--verify-url",
            &url,
            "--verify-timeout",
            "1",
        ],
        &[],
        &[&secrets[0], &secrets[1]],
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(
        verify_rules(&report),
        vec![("manifest-verify-failed".into(), "low".into())]
    );
    let f = &report["findings"].as_array().unwrap()[0];
    assert_eq!(f["verification"]["status"], "error", "{f}");
    assert_eq!(code, 0, "could not verify is advice unless strict");
    // Strict: the same run fails, after writing its report.
    let (code, report, stderr) = run(
        &repo,
        &[
            "manifest",
            "--verify=strict",
            "--verify-url",
            &url,
            "--verify-timeout",
            "1",
        ],
        &[],
        &[&secrets[0], &secrets[1]],
    );
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        verify_rules(&report),
        vec![("manifest-verify-failed".into(), "high".into())]
    );
}

#[test]
fn garbage_from_the_exchange_is_could_not_verify() {
    let account = binance_account(6, perms(true, false, false, true));
    let secrets = [account.key.clone(), account.secret.clone()];
    let repo = manifest_repo(&account);
    let mock = Mock::garbage();
    let url = format!("binance={}", mock.url);
    let (code, report, _) = run(
        &repo,
        &["manifest", "--verify", "--verify-url", &url],
        &[],
        &[&secrets[0], &secrets[1]],
    );
    assert_eq!(
        verify_rules(&report),
        vec![("manifest-verify-failed".into(), "low".into())]
    );
    assert_eq!(code, 0);
    assert_eq!(mock.hits(), 1);
}

/// A repository that committed `account`'s key and secret in `config.py`.
fn leaky_repo(account: &Account) -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write(
        "config.py",
        &format!(
            "BINANCE_API_KEY = \"{}\"\nBINANCE_API_SECRET = \"{}\"\n",
            account.key, account.secret
        ),
    );
    repo.commit_all("config");
    repo
}

#[test]
fn a_leaked_pair_is_reported_live_or_revoked() {
    let live = binance_account(7, perms(true, false, true, false));
    let revoked = binance_account(8, perms(true, false, false, false));
    let secrets = [
        live.key.clone(),
        live.secret.clone(),
        revoked.key.clone(),
        revoked.secret.clone(),
    ];
    let mock = Mock::exchange("binance", vec![live.clone()]);
    let url = format!("binance={}", mock.url);

    let repo = leaky_repo(&live);
    let (code, report, _) = run(
        &repo,
        &["scan", "--history", "--verify", "--verify-url", &url],
        &[],
        &secrets.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(code, 1);
    let found = report["findings"].as_array().unwrap();
    assert_eq!(found.len(), 2, "{report}");
    for f in found {
        assert_eq!(f["verification"]["status"], "live", "{f}");
        assert_eq!(f["severity"], "critical", "{f}");
        assert!(f["message"].as_str().unwrap().contains("WITHDRAW"), "{f}");
        assert_eq!(f["verification"]["ip_restricted"], false);
    }
    assert_eq!(mock.hits(), 1, "one request for the pair, in both sources");

    let repo = leaky_repo(&revoked);
    let (code, report, _) = run(
        &repo,
        &["scan", "--verify", "--verify-url", &url],
        &[],
        &secrets.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let found = report["findings"].as_array().unwrap();
    assert_eq!(found.len(), 2, "{report}");
    for f in found {
        assert_eq!(f["verification"]["status"], "revoked", "{f}");
        assert_eq!(f["severity"], "low", "{f}");
        assert!(
            f["remediation"]
                .as_str()
                .unwrap()
                .contains("clean it from history"),
            "{f}"
        );
    }
    assert_eq!(code, 0, "a revoked key is low: advice");
}

#[test]
fn nothing_is_sent_without_verify() {
    let account = binance_account(9, perms(true, false, false, true));
    let repo = manifest_repo(&account);
    repo.write(
        "config.py",
        &format!(
            "BINANCE_API_KEY = \"{}\"\nBINANCE_API_SECRET = \"{}\"\n",
            account.key, account.secret
        ),
    );
    let mock = Mock::exchange("binance", vec![account.clone()]);
    let (_, report, _) = run(
        &repo,
        &["audit"],
        &[("KEYAUDIT_VERIFY_URL_BINANCE", &mock.url)],
        &[&account.key, &account.secret],
    );
    // The pair is found (as the .env's values, traced), and nothing is asked.
    assert_eq!(findings(&report).len(), 2, "{report}");
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f.get("verification").is_none())
    );
    assert_eq!(mock.hits(), 0);
}

#[test]
fn no_file_in_the_repository_can_redirect_a_key() {
    let account = binance_account(10, perms(true, false, false, true));
    let secrets = [account.key.clone(), account.secret.clone()];
    let repo = manifest_repo(&account);
    let trusted = Mock::exchange("binance", vec![account.clone()]);
    let hostile = Mock::exchange("binance", vec![account.clone()]);
    // The repository's gitignored .env (read for the key's values) names
    // the hostile server: it is a value source, never the process environment.
    repo.write(
        ".env",
        &format!(
            "BINANCE_API_KEY={}\nBINANCE_API_SECRET={}\nKEYAUDIT_VERIFY_URL_BINANCE={}\n",
            account.key, account.secret, hostile.url
        ),
    );
    let (_, report, _) = run(
        &repo,
        &["audit", "--verify"],
        &[("KEYAUDIT_VERIFY_URL_BINANCE", &trusted.url)],
        &[&secrets[0], &secrets[1]],
    );
    assert_eq!(verify_rules(&report), vec![], "{report}");
    assert_eq!((trusted.hits(), hostile.hits()), (1, 0));

    // keyaudit.toml has no say in where keys go: a [verify] table is an
    // error (exit 2) before anything is sent.
    let toml = std::fs::read_to_string(repo.path().join("keyaudit.toml")).unwrap();
    repo.write(
        "keyaudit.toml",
        &format!("{toml}\n[verify]\nbinance = \"{}\"\n", hostile.url),
    );
    let out = keyaudit(repo.path())
        .env("KEYAUDIT_VERIFY_URL_BINANCE", &trusted.url)
        .args(["manifest", "--verify"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("keyaudit.toml:"));
    assert_eq!((trusted.hits(), hostile.hits()), (1, 0));
}

#[test]
fn an_override_must_be_https_or_loopback() {
    let dir = tempfile::tempdir().unwrap();
    for url in ["binance=http://203.0.113.9:80", "nope=https://a.example"] {
        let out = keyaudit(dir.path())
            .args(["scan", "--verify", "--verify-url", url])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{url}");
    }
    let out = keyaudit(dir.path())
        .env("KEYAUDIT_VERIFY_URL_BINANCE", "http://evil.example")
        .args(["scan", "--verify"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("KEYAUDIT_VERIFY_URL_BINANCE"));
}

/// An account of `id` in the shapes the exchange issues, and the env
/// variables a manifest names for it.
fn exchange_account(id: &str, perms: Perms) -> (Account, Vec<&'static str>) {
    use crate::exchange_mock::{cdp_key_name, cdp_secret};
    let (key, secret, passphrase, env): (String, String, Option<String>, Vec<&str>) = match id {
        "bybit" => (
            token(21, 18),
            token(22, 36),
            None,
            vec!["BYBIT_API_KEY", "BYBIT_API_SECRET"],
        ),
        "okx" => (
            "3f1c9a2e-7b4d-4e8a-9c61-2d5f8b0a7e14".into(),
            "9A7C2E4F6B8D0A1C3E5F7A9B2D4C6E8F".into(),
            Some("Tr4deB0t!Okx".into()),
            vec!["OKX_API_KEY", "OKX_API_SECRET", "OKX_PASSPHRASE"],
        ),
        "kucoin" => (
            "6a7b8c9d0e1f2a3b4c5d6e7f".into(),
            "7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f".into(),
            Some("KuB0tPass7".into()),
            vec![
                "KUCOIN_API_KEY",
                "KUCOIN_API_SECRET",
                "KUCOIN_API_PASSPHRASE",
            ],
        ),
        "kraken" => (
            token(23, 56),
            // Kraken secrets are base64 of 64 bytes.
            "c2VjcmV0LWtyYWtlbi1rZXktZm9yLWtleWF1ZGl0LXRlc3RzLW9ubHktMDEyMzQ1Njc4OWFiY2RlZg=="
                .into(),
            None,
            vec!["KRAKEN_API_KEY", "KRAKEN_API_SECRET"],
        ),
        "coinbase" => (
            cdp_key_name(0x3c),
            cdp_secret(),
            None,
            vec!["COINBASE_API_KEY_NAME", "COINBASE_API_PRIVATE_KEY"],
        ),
        "bitmex" => (
            token(24, 24),
            token(25, 48),
            None,
            vec!["BITMEX_API_KEY", "BITMEX_API_SECRET"],
        ),
        _ => (
            token(26, 64),
            token(27, 64),
            None,
            vec!["BINANCE_API_KEY", "BINANCE_API_SECRET"],
        ),
    };
    (
        Account {
            key,
            secret,
            passphrase,
            perms,
        },
        env,
    )
}

#[test]
fn every_exchange_is_verified_end_to_end() {
    for id in [
        "binance", "bybit", "okx", "kucoin", "kraken", "coinbase", "bitmex",
    ] {
        for withdraw in [true, false] {
            let (account, env) = exchange_account(id, perms(true, false, withdraw, !withdraw));
            let mut values = vec![account.key.clone(), account.secret.clone()];
            values.extend(account.passphrase.clone());
            let mut repo = TestRepo::new();
            let list: Vec<String> = env.iter().map(|v| format!("\"{v}\"")).collect();
            // Bybit's and BitMEX's trade toggles trade contracts.
            let permissions = match id {
                "bybit" | "bitmex" => "\"read\", \"trade\", \"futures-trade\"",
                _ => "\"read\", \"trade\"",
            };
            repo.write(
                "keyaudit.toml",
                &format!(
                    "[[key]]\nname = \"bot-{id}\"\nexchange = \"{id}\"\nbot = \"bot\"\n\
                     env = [{}]\npermissions = [{permissions}]\nip_allowlist = [\"203.0.113.7\"]\n",
                    list.join(", ")
                ),
            );
            repo.commit_all("manifest");
            let mock = Mock::exchange(id, vec![account.clone()]);
            let url = format!("{id}={}", mock.url);
            let pairs: Vec<(&str, &str)> = env
                .iter()
                .zip(&values)
                .map(|(k, v)| (*k, v.as_str()))
                .collect();
            let (_, report, stderr) = run(
                &repo,
                &["manifest", "--verify", "--verify-url", &url],
                &pairs,
                &values.iter().map(String::as_str).collect::<Vec<_>>(),
            );
            assert_eq!(
                (id, mock.hits(), mock.bad_signatures()),
                (id, 1, 0),
                "{stderr}"
            );
            let found = verify_rules(&report);
            let critical = (
                "manifest-verify-withdraw".to_string(),
                "critical".to_string(),
            );
            assert_eq!(found.contains(&critical), withdraw, "{id}: {found:?}");
            assert!(
                !found.iter().any(|(r, _)| r == "manifest-verify-rejected"
                    || r == "manifest-verify-failed"
                    || r == "manifest-verify-wider"),
                "{id}: {found:?}"
            );
            // Coinbase's answer does not say whether the key is IP-restricted.
            let no_ip = found
                .iter()
                .any(|(r, _)| r == "manifest-verify-no-ip-restriction");
            assert_eq!(no_ip, withdraw && id != "coinbase", "{id}: {found:?}");
        }
    }
}

#[test]
fn a_leaked_okx_triple_is_verified_with_its_passphrase() {
    let (account, _) = exchange_account("okx", perms(true, false, false, true));
    let passphrase = account.passphrase.clone().unwrap();
    let mut repo = TestRepo::new();
    repo.write(
        "bot.env",
        &format!(
            "OKX_API_KEY={}\nOKX_API_SECRET={}\nOKX_API_PASSPHRASE={passphrase}\n",
            account.key, account.secret
        ),
    );
    repo.commit_all("bot");
    let mock = Mock::exchange("okx", vec![account.clone()]);
    let url = format!("okx={}", mock.url);
    let (_, report, _) = run(
        &repo,
        &["scan", "--verify", "--verify-url", &url],
        &[],
        &[&account.key, &account.secret, &passphrase],
    );
    let found = report["findings"].as_array().unwrap();
    assert_eq!(found.len(), 3, "{report}");
    for f in found {
        assert_eq!(f["verification"]["status"], "live", "{f}");
        assert_eq!(f["verification"]["ip_restricted"], true, "{f}");
        // Live is at least high; no withdraw, so nothing is raised to critical.
        let rule = f["rule"].as_str().unwrap();
        let want = if rule == "okx-api-secret" {
            "critical"
        } else {
            "high"
        };
        assert_eq!(f["severity"], want, "{f}");
        assert!(
            f["remediation"]
                .as_str()
                .unwrap()
                .starts_with("This key works now")
        );
    }
    assert_eq!((mock.hits(), mock.bad_signatures()), (1, 0));
    // The same pair without its passphrase cannot be signed: nothing is
    // sent, and the findings say why they are not verified.
    repo.write(
        "bot.env",
        &format!(
            "OKX_API_KEY={}\nOKX_API_SECRET={}\n",
            account.key, account.secret
        ),
    );
    let (_, report, _) = run(
        &repo,
        &["scan", "--verify", "--verify-url", &url],
        &[],
        &[&account.key, &account.secret, &passphrase],
    );
    for f in report["findings"].as_array().unwrap() {
        assert_eq!(f["verification"]["status"], "unverifiable", "{f}");
        assert!(
            f["verification"]["detail"]
                .as_str()
                .unwrap()
                .contains("passphrase"),
            "{f}"
        );
    }
    assert_eq!(mock.hits(), 1);
}

#[test]
fn a_leaked_binance_ed25519_key_is_verified() {
    use base64::Engine as _;
    // A PKCS#8 v1 Ed25519 key, as `openssl genpkey -algorithm ed25519`
    // writes it (Binance's instructions): the DER prefix, then the seed.
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend([11u8; 32]);
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(&der)
    );
    let account = Account {
        key: token(31, 64),
        secret: pem.clone(),
        passphrase: None,
        perms: perms(true, false, false, true),
    };
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let mut repo = TestRepo::new();
    repo.write(
        "config.yml",
        &format!(
            "binance:\n  api_key: \"{}\"\n  private_key: \"{}\"\n",
            account.key,
            pem.trim_end().replace('\n', "\\n")
        ),
    );
    repo.commit_all("config");
    let mock = Mock::exchange("binance", vec![account.clone()]);
    let url = format!("binance={}", mock.url);
    let (_, report, _) = run(
        &repo,
        &["scan", "--verify", "--verify-url", &url],
        &[],
        &[&account.key, &body],
    );
    let found = report["findings"].as_array().unwrap();
    let rules: Vec<&str> = found.iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(
        rules,
        ["binance-api-key", "binance-private-key"],
        "{report}"
    );
    for f in found {
        assert_eq!(f["verification"]["status"], "live", "{f}");
    }
    assert_eq!((mock.hits(), mock.bad_signatures()), (1, 0));
}
