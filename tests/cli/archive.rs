//! Archives as a source: a zip, a tar.gz (and one nested in the other) in
//! the working tree, the index and history, read in memory member by member
//! at `user.zip!user/config.json`; zip bombs, corrupt and encrypted archives
//! skipped with a reason while every other member is still read.

use std::io::{Cursor, Write};

use crate::support::*;

/// The Binance rule's own JSON example (synthetic): `binance-api-secret` on
/// the third line, column 14.
const CONFIG_JSON: &str = "{\n\"exchange\": {\"name\": \"binance\",\n  \"secret\": \"TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ\"}}\n";
const RULE: &str = "binance-api-secret";
/// Its secret's first characters: no output may hold more of it.
const SECRET_HEAD: &str = "TeKdNnFRIBXuDL7D";
const DOTENV: &str =
    "# keys\nBINANCE_API_SECRET=TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ\n";

fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in members {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn tar_gz_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (name, bytes) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, *bytes).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap()
}

/// The maintainer's user folder, zipped: a key in `user/config.json`.
fn user_zip() -> Vec<u8> {
    zip_of(&[
        ("user/", b""),
        ("user/readme.txt", b"my folder\n"),
        ("user/config.json", CONFIG_JSON.as_bytes()),
    ])
}

fn scan(repo: &TestRepo, args: &[&str]) -> (i32, serde_json::Value) {
    json_report(repo.path(), args)
}

#[test]
fn a_key_in_a_zip_in_the_working_tree_is_found_at_its_member_path_and_line() {
    let repo = TestRepo::new();
    repo.write_bytes("user.zip", &user_zip());
    let (code, report) = scan(&repo, &["scan", "."]);
    assert_eq!(code, 1, "{}", warnings_text(&report));
    assert_eq!(
        findings(&report),
        vec![(
            RULE.into(),
            "tree".into(),
            "user.zip!user/config.json".into(),
            3
        )]
    );
    assert_eq!(report["findings"][0]["location"]["column"], 14);
    assert_eq!(report["summary"]["skipped"]["binary"], 0);
    // The human report names the member too, and never the whole secret.
    let out = keyaudit(repo.path()).args(["scan", "."]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("user.zip!user/config.json"), "{text}");
    assert!(!text.contains(SECRET_HEAD));
}

#[test]
fn a_zip_committed_then_deleted_is_found_in_history_at_the_commit_that_added_it() {
    let mut repo = TestRepo::new();
    repo.write("README.md", "# bot\n");
    repo.commit_all("readme");
    repo.write_bytes("user.zip", &user_zip());
    let added = repo.commit_all("add my user folder");
    repo.remove("user.zip");
    repo.commit_all("oops");
    let (code, report) = scan(&repo, &["scan", "--history", "."]);
    assert_eq!(code, 1, "{}", warnings_text(&report));
    assert_eq!(
        history_findings(&report),
        vec![(
            RULE.into(),
            "user.zip!user/config.json".into(),
            3,
            added.to_string()
        )]
    );
    let loc = &report["findings"][0]["location"];
    assert_eq!(loc["author"], "Ada Trader <ada@example.com>");
    assert_eq!(loc["date"], "2026-01-01T00:02:00Z");
}

#[test]
fn a_new_version_of_a_zip_is_read_whole_not_against_the_one_before() {
    let mut repo = TestRepo::new();
    let filler: String = (0..2000).map(|i| format!("line {i}\n")).collect();
    repo.write_bytes(
        "user.zip",
        &zip_of(&[("user/notes.txt", filler.as_bytes())]),
    );
    repo.commit_all("notes");
    repo.write_bytes(
        "user.zip",
        &zip_of(&[
            ("user/notes.txt", filler.as_bytes()),
            ("user/config.json", CONFIG_JSON.as_bytes()),
        ]),
    );
    let added = repo.commit_all("config");
    repo.remove("user.zip");
    repo.commit_all("gone");
    let (_, report) = scan(&repo, &["scan", "--history", "."]);
    assert_eq!(
        history_findings(&report),
        vec![(
            RULE.into(),
            "user.zip!user/config.json".into(),
            3,
            added.to_string()
        )]
    );
}

#[test]
fn a_tar_gz_with_a_dotenv_and_a_zip_nested_in_a_tar_gz_are_found() {
    let repo = TestRepo::new();
    repo.write_bytes(
        "backup.tar.gz",
        &tar_gz_of(&[("./deploy/.env", DOTENV.as_bytes())]),
    );
    repo.write_bytes(
        "release.tgz",
        &tar_gz_of(&[
            ("notes.txt", b"nothing\n"),
            ("bundle/user.zip", &user_zip()),
        ]),
    );
    let (code, report) = scan(&repo, &["scan", "."]);
    assert_eq!(code, 1, "{}", warnings_text(&report));
    let mut found = findings(&report);
    found.sort();
    assert_eq!(
        found,
        vec![
            (
                RULE.into(),
                "tree".into(),
                "backup.tar.gz!deploy/.env".into(),
                2
            ),
            (
                RULE.into(),
                "tree".into(),
                "release.tgz!bundle/user.zip!user/config.json".into(),
                3
            ),
        ]
    );
}

#[test]
fn a_gzip_of_one_file_is_read_as_that_file() {
    let repo = TestRepo::new();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(CONFIG_JSON.as_bytes()).unwrap();
    repo.write_bytes("config.json.gz", &gz.finish().unwrap());
    let (_, report) = scan(&repo, &["scan", "."]);
    assert_eq!(
        findings(&report),
        vec![(
            RULE.into(),
            "tree".into(),
            "config.json.gz!config.json".into(),
            3
        )]
    );
}

#[test]
fn a_staged_zip_is_read_from_the_index() {
    let mut repo = TestRepo::new();
    repo.write("README.md", "# bot\n");
    repo.commit_all("readme");
    repo.write_bytes("user.zip", &user_zip());
    repo.stage("user.zip");
    // The working copy moves on: what is staged is what counts.
    repo.write_bytes("user.zip", &zip_of(&[("user/readme.txt", b"clean\n")]));
    let (code, report) = scan(&repo, &["scan", "--staged", "."]);
    assert_eq!(code, 1, "{}", warnings_text(&report));
    assert_eq!(
        findings(&report),
        vec![(
            RULE.into(),
            "staged".into(),
            "user.zip!user/config.json".into(),
            3
        )]
    );
}

#[test]
fn a_zip_bomb_member_is_skipped_with_its_reason_and_the_others_still_read() {
    let repo = TestRepo::new();
    let zeros = vec![0u8; 8 << 20];
    repo.write_bytes(
        "user.zip",
        &zip_of(&[
            ("user/zeros.bin", &zeros),
            ("user/config.json", CONFIG_JSON.as_bytes()),
        ]),
    );
    let (code, report) = scan(&repo, &["scan", "."]);
    // Exit status as for any skip: the finding decides it.
    assert_eq!(code, 1);
    assert_eq!(
        findings(&report),
        vec![(
            RULE.into(),
            "tree".into(),
            "user.zip!user/config.json".into(),
            3
        )]
    );
    let warnings = warnings_text(&report);
    assert!(
        warnings.contains("user.zip!user/zeros.bin")
            && warnings.contains("more than 200 times its compressed size"),
        "{warnings}"
    );
    assert_eq!(report["summary"]["skipped"]["unreadable"], 1);

    // Without the finding, a skip alone leaves the run clean.
    let clean = TestRepo::new();
    clean.write_bytes("bomb.zip", &zip_of(&[("zeros.bin", &zeros)]));
    let (code, report) = scan(&clean, &["scan", "."]);
    assert_eq!(code, 0, "{}", warnings_text(&report));
    assert_eq!(report["summary"]["skipped"]["unreadable"], 1);
}

#[test]
fn a_tar_gz_bomb_is_refused_with_its_reason() {
    let repo = TestRepo::new();
    let zeros = vec![0u8; 8 << 20];
    repo.write_bytes(
        "dump.tar.gz",
        &tar_gz_of(&[(".env", DOTENV.as_bytes()), ("zeros.bin", &zeros)]),
    );
    let (code, report) = scan(&repo, &["scan", "."]);
    assert_eq!(code, 1, "{}", warnings_text(&report));
    assert_eq!(
        findings(&report),
        vec![(RULE.into(), "tree".into(), "dump.tar.gz!.env".into(), 2)]
    );
    let warnings = warnings_text(&report);
    assert!(warnings.contains("a zip bomb?"), "{warnings}");
}

/// Sets the "encrypted" flag on `name`'s local and central headers.
fn encrypt(zip: &mut [u8], name: &str) {
    let mut flagged = 0;
    for at in 0..zip.len().saturating_sub(46) {
        let (flag, name_len, name_at) = match &zip[at..at + 4] {
            b"PK\x03\x04" => (at + 6, at + 26, at + 30),
            b"PK\x01\x02" => (at + 8, at + 28, at + 46),
            _ => continue,
        };
        let len = u16::from_le_bytes([zip[name_len], zip[name_len + 1]]) as usize;
        if zip.get(name_at..name_at + len) == Some(name.as_bytes()) {
            zip[flag] |= 1;
            flagged += 1;
        }
    }
    assert_eq!(flagged, 2);
}

#[test]
fn corrupt_and_encrypted_zips_are_skipped_with_a_reason() {
    let repo = TestRepo::new();
    let mut locked = zip_of(&[
        ("locked/config.json", CONFIG_JSON.as_bytes()),
        ("open/.env", DOTENV.as_bytes()),
    ]);
    encrypt(&mut locked, "locked/config.json");
    repo.write_bytes("locked.zip", &locked);
    let whole = user_zip();
    repo.write_bytes("cut.zip", &whole[..whole.len() - 40]);
    let (code, report) = scan(&repo, &["scan", "."]);
    assert_eq!(code, 1, "{}", warnings_text(&report));
    assert_eq!(
        findings(&report),
        vec![(RULE.into(), "tree".into(), "locked.zip!open/.env".into(), 2)]
    );
    let warnings = warnings_text(&report);
    assert!(
        warnings.contains("locked.zip!locked/config.json") && warnings.contains("encrypted"),
        "{warnings}"
    );
    assert!(
        warnings.contains("cut.zip") && warnings.contains("corrupt or truncated zip"),
        "{warnings}"
    );
    assert_eq!(report["summary"]["skipped"]["unreadable"], 2);
    // The zip that could not be opened counts as skipped, not as scanned.
    assert_eq!(report["summary"]["files_scanned"], 1);
}

#[test]
fn a_binary_member_is_skipped_as_binary_and_odd_names_are_only_labels() {
    let repo = TestRepo::new();
    repo.write_bytes(
        "odd.zip",
        &zip_of(&[
            ("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0"),
            ("../../etc/evil\x1b[31m.env", DOTENV.as_bytes()),
        ]),
    );
    let (code, report) = scan(&repo, &["scan", "."]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["skipped"]["binary"], 1);
    assert_eq!(
        findings(&report),
        vec![(
            RULE.into(),
            "tree".into(),
            "odd.zip!../../etc/evil\u{FFFD}[31m.env".into(),
            2
        )]
    );
    assert!(!repo.path().join("../../etc/evil").exists());
}

#[test]
fn exclude_matches_an_archive_or_a_member_path() {
    let repo = TestRepo::new();
    repo.write_bytes("user.zip", &user_zip());
    for pattern in ["user.zip", "config.json", "user.zip!user/config.json"] {
        let (code, report) = scan(&repo, &["scan", ".", "--exclude", pattern]);
        assert_eq!(code, 0, "--exclude {pattern}: {:?}", findings(&report));
        assert!(report["summary"]["skipped"]["excluded"].as_u64().unwrap() >= 1);
    }
    let (code, _) = scan(&repo, &["scan", ".", "--exclude", "readme.txt"]);
    assert_eq!(code, 1);
}

#[test]
fn json_and_sarif_show_the_member_path_and_never_the_secret() {
    let repo = TestRepo::new();
    repo.write_bytes("user.zip", &user_zip());
    for format in ["json", "sarif"] {
        let out = keyaudit(repo.path())
            .args(["scan", ".", "--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("user.zip!user/config.json"), "{format}");
        assert!(!text.contains(SECRET_HEAD), "{format} prints the secret");
        assert!(!String::from_utf8_lossy(&out.stderr).contains(SECRET_HEAD));
    }
}
