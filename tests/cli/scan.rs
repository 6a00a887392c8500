//! Working-tree scans: classification (tree / ignored), findings, exit codes.

use crate::support::*;

#[test]
fn key_in_tracked_file_is_a_leak_and_in_ignored_env_is_not() {
    let mut repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write(
        "bot/config.py",
        "exchange = ccxt.binance({\n    'apiKey': 'u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJ',\n})\n",
    );
    repo.commit_all("bot");
    repo.write(
        ".env",
        "BYBIT_API_SECRET=uNGMGmSrCGIZEG8pSH4487q7J58m1CiAhzCu\n",
    );
    let (code, report) = json_report(repo.path(), &["scan", "."]);
    assert_eq!(code, 1);
    let found = findings(&report);
    assert!(
        found.contains(&(
            "binance-api-key".into(),
            "tree".into(),
            "bot/config.py".into(),
            2
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "bybit-api-secret".into(),
            "ignored".into(),
            ".env".into(),
            1
        )),
        "{found:?}"
    );
    assert_eq!(report["summary"]["findings"], 1);
    assert_eq!(report["summary"]["ignored_findings"], 1);
}
