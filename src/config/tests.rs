//! Unit tests of `keyaudit.toml` parsing, sizes and line/column lookups.

use super::*;

#[test]
fn sizes() {
    assert_eq!(parse_size("16MiB"), Some(16 << 20));
    assert_eq!(parse_size("512"), Some(512));
    assert_eq!(parse_size("2 G"), Some(2 << 30));
    assert_eq!(parse_size("lots"), None);
}

#[test]
fn parses_scan_section_and_keeps_manifest_tables() {
    let c = parse(
        Path::new("k.toml"),
        "[scan]\nmax_file_size = \"1MiB\"\n\n[[key]]\nname = \"a\"\n",
    )
    .unwrap();
    assert_eq!(c.max_file_size, Some(1 << 20));
}

#[test]
fn errors_carry_line_and_column() {
    let e = parse(Path::new("k.toml"), "[scan]\nmax_file_sise = 3\n").unwrap_err();
    assert_eq!((e.line, e.column), (2, 1));
    assert!(e.to_string().starts_with("k.toml:2:1: "), "{e}");
    let e = parse(Path::new("k.toml"), "[scan]\nmax_file_size = \"big\"\n").unwrap_err();
    assert_eq!((e.line, e.column), (2, 17));
    let e = parse(Path::new("k.toml"), "[scan\n").unwrap_err();
    assert_eq!(e.line, 1);
}

#[test]
fn lines_agree_with_a_plain_count() {
    let text = "ab\néé\n\n日本語x\r\nlast".repeat(40);
    let lines = Lines::new(&text);
    for offset in (0..=text.len()).filter(|o| text.is_char_boundary(*o)) {
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
        assert_eq!(lines.line_col(offset), (line, column), "offset {offset}");
    }
    assert_eq!(Lines::new("").line_col(5), (1, 1));
}
