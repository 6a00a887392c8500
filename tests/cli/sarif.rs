//! The SARIF 2.1.0 report: shape, rule index, locations, and what it leaves out.

use crate::support::*;

const SECRET: &str = "TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ";

#[test]
fn sarif_lists_each_used_rule_and_locates_each_result() {
    let mut repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write(
        "bot/my config.py",
        &format!("import ccxt\nexchange = ccxt.binance({{\n    'secret': '{SECRET}',\n}})\n"),
    );
    repo.commit_all("bot");
    repo.write(
        ".env",
        "BYBIT_API_SECRET=uNGMGmSrCGIZEG8pSH4487q7J58m1CiAhzCu\n",
    );
    let out = keyaudit(repo.path())
        .args(["scan", ".", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains(SECRET), "SARIF output holds a whole secret");
    let log: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "keyaudit");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    // The gitignored .env is where keys belong: not a result.
    assert_eq!(results.len(), 1, "{results:?}");
    let r = &results[0];
    assert_eq!(r["ruleId"], "binance-api-secret");
    let index = r["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "binance-api-secret");
    assert_eq!(r["level"], "error");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "bot/my%20config.py");
    assert_eq!(loc["region"]["startLine"], 3);
    assert_eq!(loc["region"]["startColumn"], 16);
    assert!(
        r["partialFingerprints"]["keyaudit/v2"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
}

#[test]
fn every_rule_has_a_full_description_and_every_result_a_region() {
    // GitHub code scanning refuses a rule without `fullDescription`, and
    // shows a result without a region nowhere: env findings are about whole files.
    let mut repo = TestRepo::new();
    repo.write(".env", &format!("BINANCE_API_SECRET={SECRET}\n"));
    repo.write("bot.py", "import os\nkey = os.getenv('BINANCE_API_KEY')\n");
    repo.commit_all("tracked .env");
    let out = keyaudit(repo.path())
        .args(["audit", ".", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"env-file-tracked"), "{ids:?}");
    for rule in rules {
        let full = rule["fullDescription"]["text"].as_str().unwrap_or("");
        let short = rule["shortDescription"]["text"].as_str().unwrap();
        assert!(full.len() > short.len(), "{}: {full:?}", rule["id"]);
    }
    for result in run["results"].as_array().unwrap() {
        let line = &result["locations"][0]["physicalLocation"]["region"]["startLine"];
        assert!(
            line.as_u64().is_some_and(|l| l >= 1),
            "{}",
            result["ruleId"]
        );
    }
}

#[test]
fn rules_in_sarif_describe_every_rule_without_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = keyaudit(dir.path())
        .args(["rules", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["results"].as_array().map(Vec::len), Some(0));
    let ids: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in [
        "binance-api-secret",
        "env-file-tracked",
        "manifest-withdraw",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    // The permission table has no SARIF form: an error, not JSON under another name.
    let out = keyaudit(dir.path())
        .args(["rules", "--permissions", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}
