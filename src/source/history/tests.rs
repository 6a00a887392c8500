//! Unit tests of the history scan's dates and ranges, and of how the walk
//! hands its items over.

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

#[test]
fn the_walk_hands_items_over_in_batches_and_the_rest_when_it_ends() {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Item>>(16);
    let item = |n: u32| Item {
        oid: Oid::ZERO_SHA1,
        path: format!("f{n}"),
        commit: n,
        info: None,
        first: true,
        base: None,
    };
    let mut sink = Sink::new(tx);
    for n in 0..BATCH as u32 + 3 {
        sink.send(item(n));
    }
    // One full batch is out; the last three wait for more, or the end.
    let first = rx.try_recv().expect("a full batch is sent at once");
    assert_eq!(first.len(), BATCH);
    assert!(rx.try_recv().is_err(), "nothing more until the batch fills");
    drop(sink);
    let rest = rx.recv().expect("the rest is sent when the walk ends");
    assert_eq!(rest.len(), 3);
    assert!(rx.recv().is_err(), "then the channel closes");
    // In the walk's order.
    let order: Vec<u32> = first.iter().chain(&rest).map(|i| i.commit).collect();
    assert_eq!(order, (0..BATCH as u32 + 3).collect::<Vec<_>>());
}
