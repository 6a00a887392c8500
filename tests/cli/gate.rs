//! The read gate and the exit code under pressure: a report whose reader
//! goes away early still exits with what it found, in every format; UTF-16
//! text is read, not skipped as binary; a huge binary file is never read whole.

use std::io::Read;
use std::process::Stdio;

use crate::support::*;

/// A Binance key the rules report (synthetic).
const KEY: &str = "u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJ";

fn config_py(key: &str) -> String {
    format!("exchange = ccxt.binance({{\n    'apiKey': '{key}',\n}})\n")
}

/// A repository whose report is far larger than a pipe's buffer: 400 files,
/// each with a different key.
fn many_findings() -> TestRepo {
    let mut repo = TestRepo::new();
    for i in 0..400 {
        // Vary the key per file so that none is folded into another.
        let key = format!("{:04}{}", i, &KEY[4..]);
        repo.write(&format!("bots/bot{i}/config.py"), &config_py(&key));
    }
    repo.commit_all("bots");
    repo
}

/// Runs keyaudit with stdout on a pipe that is read for `keep` bytes and then
/// closed (`| head -c keep`); returns the exit code.
fn exit_code_with_reader_gone(repo: &TestRepo, args: &[&str], keep: usize) -> i32 {
    let mut child = keyaudit_std(repo.path())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut head = vec![0u8; keep];
    stdout.read_exact(&mut head).unwrap();
    drop(stdout);
    child.wait().unwrap().code().unwrap_or(-1)
}

#[test]
fn a_closed_pipe_does_not_pass_a_leak_in_any_format() {
    let repo = many_findings();
    for format in ["human", "json", "sarif"] {
        for command in ["audit", "scan"] {
            let code = exit_code_with_reader_gone(&repo, &[command, ".", "--format", format], 200);
            assert_eq!(
                code, 1,
                "`keyaudit {command} --format {format} | head` must still exit 1"
            );
        }
    }
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut bytes = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in text.encode_utf16() {
        bytes.extend(if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    bytes
}

#[test]
fn utf16_text_with_a_byte_order_mark_is_scanned_in_tree_index_and_history() {
    let mut repo = TestRepo::new();
    let text = format!("# settings\r\n{}", config_py(KEY).replace('\n', "\r\n"));
    repo.write_bytes("bot/config_le.py", &utf16(&text, false));
    repo.write_bytes("bot/config_be.py", &utf16(&text, true));
    repo.commit_all("utf-16 configs");

    let (code, report) = json_report(repo.path(), &["scan", "."]);
    assert_eq!(code, 1);
    let found = findings(&report);
    for path in ["bot/config_le.py", "bot/config_be.py"] {
        assert!(
            found.contains(&("binance-api-key".into(), "tree".into(), path.into(), 3)),
            "{path}: {found:?}"
        );
    }
    assert_eq!(
        report["summary"]["skipped"]["binary"].as_u64().unwrap_or(0),
        0
    );

    // Deleted since: only history has it.
    repo.remove("bot/config_le.py").remove("bot/config_be.py");
    repo.commit_all("remove");
    let (code, report) = json_report(repo.path(), &["scan", ".", "--history"]);
    assert_eq!(code, 1);
    let found = history_findings(&report);
    for path in ["bot/config_le.py", "bot/config_be.py"] {
        assert!(
            found
                .iter()
                .any(|(rule, p, line, _)| rule == "binance-api-key" && p == path && *line == 3),
            "{path}: {found:?}"
        );
    }

    // Staged only.
    repo.write_bytes("bot/staged.py", &utf16(&config_py(KEY), false));
    repo.stage("bot/staged.py");
    let (code, report) = json_report(repo.path(), &["scan", ".", "--staged"]);
    assert_eq!(code, 1, "{report}");
    assert!(
        findings(&report).contains(&(
            "binance-api-key".into(),
            "staged".into(),
            "bot/staged.py".into(),
            2
        )),
        "{:?}",
        findings(&report)
    );
}

#[test]
fn binary_content_behind_a_utf16_mark_is_still_binary() {
    let mut repo = TestRepo::new();
    // FF FE, then UTF-16 code units that decode to NUL characters.
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(std::iter::repeat_n(0u8, 64));
    bytes.extend(config_py(KEY).as_bytes());
    repo.write_bytes("blob.bin", &bytes);
    repo.commit_all("binary");
    let (code, report) = json_report(repo.path(), &["scan", "."]);
    assert_eq!(code, 0, "{:?}", findings(&report));
    assert_eq!(report["summary"]["skipped"]["binary"], 1);
}

#[test]
fn a_binary_file_under_a_raised_cap_is_not_read_whole() {
    // 1 GiB of NULs (sparse on disk) under a 2 GiB cap, scanned with the
    // address space limited to 768 MiB: reading it whole would fail to
    // allocate; the binary test needs its first 8 KiB only.
    let repo = TestRepo::new();
    let file = std::fs::File::create(repo.path().join("disk.img")).unwrap();
    file.set_len(1 << 30).unwrap();
    drop(file);
    repo.write("bot/config.py", &config_py(KEY));
    let exe = env!("CARGO_BIN_EXE_keyaudit");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 786432 && exec \"$0\" scan . --max-file-size 2GiB --format json")
        .arg(exe)
        .current_dir(repo.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["skipped"]["binary"], 1);
    assert_eq!(report["summary"]["findings"], 1);
}
