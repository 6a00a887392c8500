//! The engine's tests: positions and line endings, inline allow markers,
//! adjacent secrets, unquoted values by file kind, context distance, wallet
//! proofs, and robustness on truncated and random input.

use super::*;

#[test]
fn positions_are_one_based_and_count_characters() {
    let bytes = "a\nbé c\n".as_bytes();
    let mut ms = vec![Match {
        rule: 0,
        start: 6,
        end: 7,
        line: 0,
        column: 0,
        confidence: Confidence::Medium,
        proven_address: None,
    }];
    fill_positions(bytes, &mut ms);
    assert_eq!((ms[0].line, ms[0].column), (2, 4));
}

/// Found by the property test in tests/properties.rs: with `\r` line
/// endings every finding was reported on line 1, at a column counting
/// the whole file before it.
#[test]
fn every_line_ending_counts_as_one_break() {
    let engine = Engine::default();
    let key = "BYBIT_API_SECRET=uNGMGmSrCGIZEG8pSH4487q7J58m1CiAhzCu";
    for (text, line) in [
        (format!("a\rb\r{key}"), 3),
        (format!("a\r\nb\r\n{key}"), 3),
        (format!("a\r\n\r{key}"), 3),
        (format!("a\n\r\nb\r\r{key}"), 5),
    ] {
        let found = engine.scan(".env", text.as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line, found[0].column), (line, 18), "line {line}");
    }
    // The allow marker waives its own line only, whatever ends it.
    let allowed = format!("{key} # keyaudit:allow\r{key}\r");
    let found = engine.scan(".env", allowed.as_bytes());
    assert_eq!(found.iter().map(|m| m.line).collect::<Vec<_>>(), vec![2]);
}

#[test]
fn inline_allow_marker_waives_its_line_only() {
    let engine = Engine::default();
    let key = "BYBIT_API_SECRET=uNGMGmSrCGIZEG8pSH4487q7J58m1CiAhzCu";
    assert_eq!(engine.scan(".env", key.as_bytes()).len(), 1);
    let allowed = format!("{key} # keyaudit:allow\n{key}\n");
    let found = engine.scan(".env", allowed.as_bytes());
    assert_eq!(found.iter().map(|m| m.line).collect::<Vec<_>>(), vec![2]);
}

/// Found by the property test in tests/properties.rs: the boundary
/// character a pattern consumed after one secret could not start the
/// next, so the second of two values one character apart was lost.
#[test]
fn secrets_one_character_apart_are_each_found() {
    let engine = Engine::default();
    let mexc = "mx0vglsUNPjc01T5GO";
    let gemini = "account-sCGRlrwZbqcabUGJmGE9";
    for (text, want) in [
        (
            format!("MEXC_API_KEYS={mexc},{mexc}\n"),
            vec![(1, 15), (1, 34)],
        ),
        (
            format!("MEXC_API_KEY={mexc}\r{mexc}\r"),
            vec![(1, 14), (2, 1)],
        ),
        (
            format!("MEXC_API_KEY={mexc}\n{mexc}\n"),
            vec![(1, 14), (2, 1)],
        ),
        (format!("gemini {gemini} {gemini}"), vec![(1, 8), (1, 37)]),
    ] {
        let found = engine.scan(".env", text.as_bytes());
        let at: Vec<_> = found.iter().map(|m| (m.line, m.column)).collect();
        assert_eq!(at, want);
    }
}

#[test]
fn unquoted_values_count_in_config_files_only() {
    let engine = Engine::default();
    let line =
        "binance_secret = TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ\n";
    let ids = |path: &str| -> Vec<&str> {
        engine
            .scan(path, line.as_bytes())
            .iter()
            .map(|m| engine.rule(m.rule).id)
            .collect()
    };
    assert_eq!(ids("deploy/bot.env"), vec!["binance-api-secret"]);
    assert_eq!(ids("deploy/run.sh"), vec!["binance-api-secret"]);
    // In Python the right-hand side is an expression (a name), not a literal.
    assert!(ids("bot/config.py").is_empty());
    let quoted = line.replace("= ", "= '").replace('\n', "'\n");
    let found = engine.scan("bot/config.py", quoted.as_bytes());
    assert_eq!(found.len(), 1);
}

/// Malformed input never panics: every rule example cut at every byte
/// (splitting UTF-8 sequences and escapes), and pseudo-random bytes
/// seeded with keywords, in every kind of file.
#[test]
fn truncated_and_random_input_never_panics() {
    let engine = Engine::default();
    for rule in engine.rules() {
        for ex in rule.examples.iter().chain(rule.negatives) {
            let bytes = ex.as_bytes();
            for cut in 0..bytes.len() {
                for path in ["a.py", ".env"] {
                    for m in engine.scan(path, &bytes[..cut]) {
                        assert!(m.start < m.end && m.end <= cut);
                    }
                    engine.scan(path, &bytes[cut..]);
                }
            }
        }
    }
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let words: &[&[u8]] = &[
        b"binance",
        b"secret",
        b"key",
        b"=",
        b"\"",
        b"\n",
        b"-----BEGIN PRIVATE KEY-----",
        b"mnemonic",
        b"\xff\xfe",
    ];
    for _ in 0..200 {
        let mut bytes = Vec::new();
        for _ in 0..(next() % 400) {
            if next() % 4 == 0 {
                bytes.extend_from_slice(words[(next() % words.len() as u64) as usize]);
            } else {
                bytes.push((next() % 256) as u8);
            }
        }
        engine.scan("x.json", &bytes);
        engine.scan(".env", &bytes);
    }
}

#[test]
fn a_wallet_key_with_its_own_address_nearby_is_proven() {
    let engine = Engine::default();
    let key = "0xcc6577428c2f6d6bc64e5a22fac180d6b2e6e1b465e551305fd2d2490ca4c616";
    let address: String = validate::evm_address(key.as_bytes())
        .unwrap()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let config = format!(
        "{{\"hyperliquid\": {{\"secret_key\": \"{key}\",\n \"account_address\": \"0x{address}\"}}}}"
    );
    let found = engine.scan("config.json", config.as_bytes());
    assert_eq!(found.len(), 1);
    assert_eq!(engine.rule(found[0].rule).id, "hyperliquid-private-key");
    assert_eq!(found[0].confidence, Confidence::High);
    assert!(found[0].proven_address.is_some());
    // Another account's address proves nothing.
    let other = config.replace(&address[..6], "000000");
    let found = engine.scan("config.json", other.as_bytes());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].confidence, Confidence::Medium);
    assert!(found[0].proven_address.is_none());
}

#[test]
fn context_must_be_near() {
    let text = b"binance .......... KEY ......";
    assert_eq!(context_distance(text, 19, 22, &["binance"]), Some(12));
    assert_eq!(context_distance(text, 19, 22, &["kraken"]), None);
    assert_eq!(context_distance(text, 19, 22, &[]), Some(0));
}

#[test]
fn a_digest_under_a_bare_key_field_is_a_hash() {
    let engine = Engine::default();
    let generic = |text: &str| {
        engine
            .scan("live_settings/default.json", text.as_bytes())
            .iter()
            .filter(|m| engine.rule(m.rule).generic)
            .count()
    };
    let digest = "5f0c1e7a9b2d4c6e8f1a3b5d7c9e0f2a4b6d8c1e3f5a7b9d0c2e4f6a8b1d3c5e";
    assert_eq!(generic(&format!("{{\"key\": \"{digest}\"}}\n")), 0);
    // Named for what it holds, the same value is reported.
    assert_eq!(generic(&format!("{{\"api_key\": \"{digest}\"}}\n")), 1);
    // Under a bare `key`, a value that is not a hex digest is reported.
    assert_eq!(
        generic("{\"key\": \"SvTAxRzmaZsV2GenFmtX0moDoqW4sg8NFNl5oFA6\"}\n"),
        1
    );
}

#[test]
fn assignment_windows_need_an_operator_and_in_code_a_quote() {
    let at = |text: &str, word: &str, code: bool| {
        assigned_at(text.as_bytes(), text.find(word).unwrap(), code)
    };
    // Config files: any operator after the name (and an optional closing quote).
    assert!(at("API_KEY=abc", "KEY", false));
    assert!(at("\"api_key\": 1", "key", false));
    assert!(at("api_key  => x", "key", false));
    assert!(at("apiKey := x", "Key", false));
    assert!(!at("for key in keys:", "key", false));
    assert!(!at("api_key", "key", false));
    // Code: the value must open with a quote, escaped or not.
    assert!(at("api_key = \"abc\"", "key", true));
    assert!(at("{\\\"api_key\\\": \\\"abc\\\"}", "key", true));
    assert!(at("apiKey := `abc`", "Key", true));
    assert!(!at("api_key = config.key", "key", true));
    assert!(!at("if api_key == \"abc\":", "key", true));
    // Other syntaxes: typed declarations, Makefile and PHP operators,
    // defaults, arguments, XML.
    assert!(at("var apiToken string = \"abc\"", "Token", true));
    assert!(at("api_key: str = \"abc\"", "key", true));
    assert!(at("const API_KEY: &'static str = \"abc\";", "KEY", true));
    assert!(at("API_TOKEN ?= abc", "TOKEN", false));
    assert!(at("API_TOKEN :::= abc", "TOKEN", false));
    assert!(at("$apiToken .= \"abc\";", "Token", true));
    assert!(at("process.env.BOT_TOKEN || \"abc\"", "TOKEN", true));
    assert!(at("os.getenv(\"API_SECRET\", \"abc\")", "SECRET", true));
    assert!(at("<add key=\"DbPassword\" value=\"abc\"/>", "Pass", true));
    assert!(at("<apiToken>abc</apiToken>", "Token", false));
    assert!(!at("os.getenv(\"API_SECRET\", fallback)", "SECRET", true));
    assert!(!at("var apiToken string = os.Getenv(\"X\")", "Token", true));
    assert!(!at("for token in tokens:", "token", false));
    // A Dockerfile's legacy `ENV NAME value`; blanks alone elsewhere set nothing.
    assert!(at("ENV BOT_API_TOKEN abc", "TOKEN", false));
    assert!(at("  env BOT_API_TOKEN abc", "TOKEN", false));
    assert!(!at("RUN echo BOT_API_TOKEN abc", "TOKEN", false));
    assert!(!at("BOT_API_TOKEN abc", "TOKEN", false));
    // A quoted value wrapped onto the next line, with any line break.
    for br in ["\n", "\r\n", "\r"] {
        assert!(at(&format!("const privateKey ={br}  'abc';"), "Key", true));
    }
    assert!(!at("const privateKey =\n  loadKey();", "Key", true));
}

/// The legacy `ENV NAME value` form is read only as an `ENV` instruction:
/// at the start of its line, whatever the indentation and case.
#[test]
fn dockerfile_env_without_equals_sign() {
    let engine = Engine::default();
    let value = "Tz8Wn3Bj6Hc1Dg5Fs0AyE2uKm8RtQz7X";
    let found = |text: &str| -> Vec<&str> {
        engine
            .scan("Dockerfile", text.as_bytes())
            .iter()
            .map(|m| engine.rule(m.rule).id)
            .collect()
    };
    for line in [
        format!("ENV BOT_API_SECRET {value}"),
        format!("FROM python:3.12\n  env BOT_API_SECRET {value}\n"),
        format!("FROM python:3.12\r\nENV\tBOT_API_SECRET  \"{value}\"\r\n"),
    ] {
        // Quoted, the value is the quoted-value rule's.
        let want = if line.contains('"') {
            "generic-api-secret"
        } else {
            "generic-env-secret"
        };
        assert_eq!(found(&line), [want], "{line:?}");
    }
    for line in [
        format!("RUN echo BOT_API_SECRET {value}"),
        format!("# the BOT_API_SECRET {value}"),
        format!("LABEL ENV BOT_API_SECRET {value}"),
    ] {
        assert!(found(&line).is_empty(), "{line:?}");
    }
}

#[test]
fn changed_spans_are_what_a_new_version_adds() {
    // One edit: the span between the common prefix and suffix, whole lines.
    let base = "a = 1\nb = 2\nc = 3\n";
    let text = "a = 1\nb = 22\nc = 3\n";
    let spans = |base: &str, text: &str| -> Vec<(usize, usize)> {
        changed(base.as_bytes(), text.as_bytes())
            .iter()
            .map(|c| c.new)
            .collect()
    };
    assert_eq!(spans(base, text), vec![(6, 13)]);
    assert_eq!(changed(base.as_bytes(), text.as_bytes())[0].old, (6, 12));
    // Lines only deleted: an empty span at the seam.
    assert_eq!(spans(base, "a = 1\nc = 3\n"), vec![(6, 6)]);
    // Two edits far apart in a large file: two spans, not everything between.
    let lines: Vec<String> = (0..4000).map(|i| format!("value_{i} = {i}\n")).collect();
    let mut edited = lines.clone();
    edited[10] = "value_10 = changed\n".into();
    edited[3990] = "value_3990 = changed\n".into();
    let (base, text) = (lines.concat(), edited.concat());
    // Time enough for the diff however loaded the machine (a debug build,
    // tests in parallel): what is checked is where the seams are.
    let time = std::time::Duration::from_secs(60);
    let changes = changed_within(base.as_bytes(), text.as_bytes(), time);
    assert_eq!(changes.len(), 2, "{changes:?}");
    for (change, (want, was)) in changes.iter().zip([
        ("value_10 = changed\n", "value_10 = 10\n"),
        ("value_3990 = changed\n", "value_3990 = 3990\n"),
    ]) {
        assert_eq!(&text[change.new.0..change.new.1], want);
        assert_eq!(&base[change.old.0..change.old.1], was);
    }
}

#[test]
fn a_new_version_may_add_only_around_what_changed() {
    let engine = Engine::default();
    let filler: String = (0..800)
        .map(|i| format!("x_{i} = compute({i})\n"))
        .collect();
    let key = "BINANCE_API_SECRET = \"TeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZ\"\n";
    let base = format!("{key}{filler}");
    // An edit at the end, far from the key: nothing new.
    let far = format!("{base}y = 1\n");
    assert!(!engine.may_add(
        Source::History,
        "settings.py",
        far.as_bytes(),
        base.as_bytes()
    ));
    // A second key added at the end: something new.
    let added = format!("{base}{key}");
    assert!(engine.may_add(
        Source::History,
        "settings.py",
        added.as_bytes(),
        base.as_bytes()
    ));
    // A value that a context word added nearby makes a key.
    let bare = "bs_api_id = \"Ab3dEf7hIj1lMn0pQr5tUv9xYz2bCd4e\"\n";
    let base = format!("{filler}{bare}{filler}");
    let named = format!("{filler}# bitstamp\n{bare}{filler}");
    assert!(engine.scan("bot.py", base.as_bytes()).is_empty());
    assert!(engine.may_add(Source::History, "bot.py", named.as_bytes(), base.as_bytes()));
    // A PEM block whose body changed far from its keywords: scanned whole.
    let body: String = (0..60).map(|i| format!("{:064}\n", i)).collect();
    let pem = |body: &str| {
        format!("{filler}-----BEGIN PRIVATE KEY-----\n{body}-----END PRIVATE KEY-----\n{filler}")
    };
    let mut edited = body.clone();
    edited.replace_range(30 * 65..30 * 65 + 3, "abc");
    assert!(engine.may_add(
        Source::History,
        "key.txt",
        pem(&edited).as_bytes(),
        pem(&body).as_bytes()
    ));
    // A value given elsewhere as a public key is none; when the public name
    // goes, far away, the value becomes a secret, and the version adds it.
    let value = "Hq3Lw8Zr5Tk2Vn9Bx4Mc7Gd1Js6Fp0AyE2uKm8RtQw";
    let twin = format!("check(isPublicKey('{value}'))\n{filler}api_secret = '{value}'\n");
    let alone = twin.replace("isPublicKey", "isReady");
    assert!(engine.scan("test.ts", twin.as_bytes()).is_empty());
    assert!(!engine.scan("test.ts", alone.as_bytes()).is_empty());
    assert!(engine.may_add(
        Source::History,
        "test.ts",
        alone.as_bytes(),
        twin.as_bytes()
    ));
}

#[test]
fn partner_codes_and_public_keys_are_no_credentials() {
    let engine = Engine::default();
    // A partner key an exchange gave the project, shipped on purpose.
    let partner = "import ccxt\n\nclass Kucoin(Exchange):\n    SPOT_ID = \"AcmeBot\"\n    SPOT_PRIVATE_KEY = \"3b0e6d52-91f4-4c7a-a1d8-5f2e9c07b64e\"\n    IS_SPONSORING = True\n";
    assert!(
        engine
            .scan("exchanges/kucoin.py", partner.as_bytes())
            .is_empty()
    );
    let secret = partner.replace("IS_SPONSORING", "IS_ENABLED");
    assert!(
        !engine
            .scan("exchanges/kucoin.py", secret.as_bytes())
            .is_empty()
    );
    // The key of a public-key object in a mocked transaction.
    let tx = "{\"publicKey\": {\n  \"@type\": \"/chain.crypto.v1.ethsecp256k1.PubKey\",\n  \"key\": \"Aw9rT2kqLm3Xv8Pq1Zs0Hn4Bd7Fc6Gj5Kx2Ly8Mu1Nv\"\n}}\n";
    assert!(engine.scan("tx.json", tx.as_bytes()).is_empty());
    let private = tx
        .replace("publicKey", "signer")
        .replace("PubKey", "Signer");
    assert!(!engine.scan("tx.json", private.as_bytes()).is_empty());
}

/// The prefilter searches leftmost-longest; `hits` must still report every
/// occurrence an overlapping search would: a shorter keyword at the same
/// start (`api` in `apikey`), one starting inside another's match (`key`
/// in `pkey`, after `pk`), and repeats.
#[test]
fn keyword_hits_include_overlapping_occurrences() {
    use crate::detect::rule::base;
    let engine = Engine::new(vec![
        Rule {
            id: "a",
            keywords: &["pk", "key"],
            ..base()
        },
        Rule {
            id: "b",
            keywords: &["apikey", "api"],
            ..base()
        },
    ]);
    let mut found: Vec<(String, usize)> = Vec::new();
    let text = b"x PKEY apikey pk";
    engine.hits(text, |p, start| {
        let word = &text[start..start + engine.keywords.len_of(p)];
        found.push((String::from_utf8_lossy(word).to_ascii_lowercase(), start));
    });
    for want in [
        ("pk", 2),
        ("key", 3),
        ("api", 7),
        ("apikey", 7),
        ("key", 10),
        ("pk", 14),
    ] {
        assert!(
            found.contains(&(want.0.to_string(), want.1)),
            "{want:?} missing from {found:?}"
        );
    }
    assert_eq!(found.len(), 6, "{found:?}");
    // In order of start, so each pattern's positions are sorted.
    assert!(found.windows(2).all(|w| w[0].1 <= w[1].1), "{found:?}");
}

#[test]
fn every_wide_windowed_rule_s_examples_hold_a_far_keyword() {
    // A change far from its keyword inside a long match (a PEM block, a
    // long JWT or DER key) is caught only when `far` sees the keyword as
    // the match holds it: case-sensitive, so a keyword in mixed case
    // (`eyJ`, `Proc-Type: 4,ENCRYPTED`) must be spelled so in the catalog.
    let engine = Engine::default();
    let reach = engine
        .reach
        .as_ref()
        .expect("every built-in rule is windowed");
    let far = reach.far.as_ref().expect("some rules have wide windows");
    let mut checked = 0;
    for rule in crate::catalog::rules() {
        let (before, after) = match rule.scope {
            Scope::NearKeyword { before, after } | Scope::Span { before, after } => (before, after),
            _ => continue,
        };
        if before + after <= Reach::NEAR {
            continue;
        }
        for (n, example) in rule.examples.iter().enumerate() {
            assert!(
                far.is_match(example.as_bytes()),
                "{}: no far keyword in its example #{n}",
                rule.id
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked} examples");
}
