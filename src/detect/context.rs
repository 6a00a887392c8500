//! Where a match stands says what it is likely to be: a value in a test, in
//! documentation or in an example is usually a stand-in, though a real key
//! there is still a leak. [`context_of`] reads the path (folders and file
//! names) and the match's line (markers such as `# noqa: mock`); findings
//! carry the answer as `context` with a lower confidence, and reports show
//! the others first. Nothing is dropped for its context.

use serde::Serialize;

/// What the place of a finding says it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Context {
    /// Tests, fixtures and mocks.
    Test,
    /// Documentation.
    Docs,
    /// Examples, samples, demos, tutorials and templates.
    Example,
}

impl Context {
    pub fn as_str(self) -> &'static str {
        match self {
            Context::Test => "test",
            Context::Docs => "docs",
            Context::Example => "example",
        }
    }
}

const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "spec",
    "specs",
    "testing",
    "testdata",
    "test_data",
    "test-data",
    "fixtures",
    "fixture",
    "mocks",
    "mock",
    "__mocks__",
    "e2e",
    "unittests",
];
const DOCS_DIRS: &[&str] = &["docs", "doc", "documentation", "wiki", "website", "site"];
const EXAMPLE_DIRS: &[&str] = &[
    "examples",
    "example",
    "samples",
    "sample",
    "demo",
    "demos",
    "tutorial",
    "tutorials",
    "templates",
    "template",
    "config_examples",
];
const DOCS_EXTENSIONS: &[&str] = &["md", "markdown", "rst", "adoc", "mdx"];

/// The context of a match at `path` whose line is `line`, if any.
pub fn context_of(path: &str, line: &[u8]) -> Option<Context> {
    marker(line).or_else(|| from_path(path))
}

/// A marker on the line: `noqa: mock` (hummingbot's way of marking test
/// values), or a comment saying `example`, `dummy` or `mock`.
fn marker(line: &[u8]) -> Option<Context> {
    let lower = String::from_utf8_lossy(line).to_ascii_lowercase();
    if lower.contains("noqa: mock") || lower.contains("noqa:mock") {
        return Some(Context::Test);
    }
    let comment = ["# ", "// ", "/* ", "<!-- ", "-- "]
        .iter()
        .filter_map(|open| lower.rfind(open).map(|at| &lower[at + open.len()..]))
        .next()?;
    let first = comment
        .split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| !w.is_empty())?;
    match first {
        "example" | "sample" | "dummy" => Some(Context::Example),
        "mock" | "test" | "fake" => Some(Context::Test),
        _ => None,
    }
}

/// A Java, Kotlin or C# test class file: `ExchangeTest.java`, `BotTests.cs`.
fn camel_test(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name);
    let rest = stem
        .strip_suffix("Tests")
        .or_else(|| stem.strip_suffix("Test"));
    rest.is_some_and(|r| r.ends_with(|c: char| c.is_ascii_alphanumeric()))
}

fn from_path(path: &str) -> Option<Context> {
    let lower = path.to_ascii_lowercase();
    let mut parts: Vec<&str> = lower.split('/').collect();
    let name = parts.pop().unwrap_or("");
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let is_test_file = stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_tests")
        || stem.ends_with(".test")
        || stem.ends_with(".spec")
        || stem.ends_with("_spec")
        || stem == "conftest"
        || camel_test(path);
    if is_test_file || parts.iter().any(|p| TEST_DIRS.contains(p)) {
        return Some(Context::Test);
    }
    let example_name = ["example", "sample", "template", "demo"]
        .iter()
        .any(|w| name.contains(w));
    if example_name || parts.iter().any(|p| EXAMPLE_DIRS.contains(p)) {
        return Some(Context::Example);
    }
    if DOCS_EXTENSIONS.contains(&ext)
        || parts.iter().any(|p| DOCS_DIRS.contains(p))
        || built_docs_site(&parts, name, ext)
    {
        return Some(Context::Docs);
    }
    None
}

/// A documentation site as a docs generator builds it (a `gh-pages`
/// branch): its search index, or web pages under a version folder
/// (`en/2019.10/rest-api/index.html`, `latest/…`, `v2.1/…`, `en/develop/…`).
fn built_docs_site(dirs: &[&str], name: &str, ext: &str) -> bool {
    let version = |dir: &&str| {
        let d = dir.strip_prefix('v').unwrap_or(dir);
        matches!(*dir, "latest" | "stable")
            || (d.contains('.')
                && d.split('.')
                    .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())))
    };
    // A branch alias (mike's `en/develop/…`) right under a language folder.
    let alias = dirs.windows(2).any(|pair| {
        pair[0].len() == 2
            && pair[0].bytes().all(|b| b.is_ascii_lowercase())
            && matches!(pair[1], "develop" | "dev" | "main" | "master" | "next")
    });
    name == "search_index.json"
        || (matches!(ext, "html" | "htm" | "json" | "xml") && (alias || dirs.iter().any(version)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_say_test_docs_or_example() {
        for (path, want) in [
            ("test/connector/test_binance.py", Some(Context::Test)),
            ("tests/conftest.py", Some(Context::Test)),
            ("src/bot_test.go", Some(Context::Test)),
            ("web/app.spec.ts", Some(Context::Test)),
            ("src/ExchangeTests.cs", Some(Context::Test)),
            ("fixtures/leaky-bot/config.py", Some(Context::Test)),
            ("en/develop/rest-api/index.html", Some(Context::Docs)),
            ("src/main/resources/app.xml", None),
            ("config/dev/settings.xml", None),
            ("docs/configuration.md", Some(Context::Docs)),
            ("README.md", Some(Context::Docs)),
            ("en/2019.10/docs/index.html", Some(Context::Docs)),
            (
                "config_examples/config_binance.example.json",
                Some(Context::Example),
            ),
            ("examples/grid.py", Some(Context::Example)),
            ("user_data/config.json.sample", Some(Context::Example)),
            ("en/2019.10/search/search_index.json", Some(Context::Docs)),
            ("en/2022.10/rest-api/index.html", Some(Context::Docs)),
            (
                "latest/strategy-customization/index.html",
                Some(Context::Docs),
            ),
            ("site/search/search_index.json", Some(Context::Docs)),
            ("web/v2.1/app.js", None),
            ("releases/1.2/config.json5", None),
            ("bot/config.py", None),
            ("freqtrade/exchange/binance.py", None),
            ("contest/latest.py", None),
            ("src/attestation.rs", None),
            ("user_data/strategies/latest.json", None),
        ] {
            assert_eq!(context_of(path, b"key = 'x'"), want, "{path}");
        }
    }

    #[test]
    fn markers_on_the_line_win() {
        let mock = b"api_secret = \"abc\"  # noqa: mock";
        assert_eq!(context_of("bot/config.py", mock), Some(Context::Test));
        let example = b"API_KEY=abc  # example only";
        assert_eq!(context_of("bot/.env.prod", example), Some(Context::Example));
        let js = b"const key = 'abc'; // dummy key for the demo";
        assert_eq!(context_of("src/a.js", js), Some(Context::Example));
        // A comment that merely mentions a word later is not a marker.
        let other = b"KEY = 'abc'  # rotate this; not an example";
        assert_eq!(context_of("bot/config.py", other), None);
        // A URL fragment is not a comment.
        assert_eq!(context_of("bot/a.py", b"u = 'https://x/#example'"), None);
    }
}
