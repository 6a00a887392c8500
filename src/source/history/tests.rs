//! Unit tests of the history scan's dates and ranges.

use super::*;

#[test]
fn rfc3339_dates() {
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339(1_767_225_660), "2026-01-01T00:01:00Z");
    assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
}

#[test]
fn ranges() {
    assert_eq!(
        Revisions::parse_range("main..feature").unwrap(),
        Revisions::Range {
            from: "main".into(),
            to: "feature".into()
        }
    );
    assert_eq!(
        Revisions::parse_range("v1..").unwrap(),
        Revisions::Range {
            from: "v1".into(),
            to: "HEAD".into()
        }
    );
    assert!(Revisions::parse_range("main").is_err());
    assert!(Revisions::parse_range("a...b").is_err());
}
