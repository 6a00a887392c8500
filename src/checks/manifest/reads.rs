//! The env variables the code reads (in the files of the run's one walk;
//! nothing is walked here), which of them look like an exchange's
//! credentials, and the cross-check with the ones the manifest declares.

use super::*;

/// One place where code reads an env variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvRead {
    pub name: String,
    /// Relative to the root, with '/' separators.
    pub path: String,
    pub line: usize,
    pub column: usize,
}

pub(super) const NAME: &str = r"([A-Za-z_][A-Za-z0-9_]*)";

/// Env reads in code: Python, JavaScript, Rust, Go, Ruby, PHP, Deno.
pub(super) static CODE_READS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        format!(r#"(?:getenv|Getenv|environ\.get|env\.get|env::var|env::var_os|ENV\.fetch|LookupEnv)\s*\(\s*["'`]{NAME}["'`]"#),
        format!(r#"(?:environ|ENV|process\.env)\s*\[\s*["'`]{NAME}["'`]\s*\]"#),
        format!(r"process\.env\.{NAME}"),
    ]
    .iter()
    .map(|p| Regex::new(p).expect("built-in env-read pattern compiles"))
    .collect()
});

/// `${X}`, `${X:-default}` and the like, in compose and other YAML files.
pub(super) static YAML_READS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"\$\{{{NAME}(?:[:?+-][^}}]*)?\}}"))
        .expect("built-in env-read pattern compiles")
});

pub(super) const MAX_READ_FILE: u64 = 1 << 20;

pub(super) const CREDENTIAL_WORDS: &[&str] = &["KEY", "SECRET", "PASSPHRASE", "PASSWORD", "TOKEN"];

/// The exchange an env variable's name points at, when the name looks like an
/// exchange credential: an exchange's name as one `_`-separated part
/// (`BINANCE_API_SECRET`, `CRYPTO_COM_API_KEY`) and a credential word
/// (key, secret, passphrase, password, token) somewhere in it. Names such as
/// `BINANCE_API_URL` or `GATEWAY_KEY` are not credentials of an exchange.
pub fn credential_exchange(name: &str) -> Option<&'static str> {
    let upper = name.to_ascii_uppercase();
    if !CREDENTIAL_WORDS.iter().any(|w| upper.contains(w)) {
        return None;
    }
    let parts: Vec<&str> = upper.split('_').filter(|p| !p.is_empty()).collect();
    if parts.windows(2).any(|w| w == ["CRYPTO", "COM"]) {
        return Some("cryptocom");
    }
    parts
        .iter()
        .find_map(|part| catalog::exchange_of_env_token(part))
}

pub(super) fn is_yaml(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.ends_with(".yml") || name.ends_with(".yaml") || name.contains("compose")
}

/// Every env variable read in the text files of the walk under `dir` (below
/// 1 MiB, read through the sources' gate: UTF-16 decoded, binary left out),
/// sorted by path (relative to `dir`), line and column. Unreadable and
/// binary files are passed over: this is advice, not a leak scan.
pub fn env_reads(tree: &Tree, dir: &Path) -> Vec<EnvRead> {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut out = Vec::new();
    for entry in tree.entries.iter().filter(|e| e.abs.starts_with(&dir)) {
        let _ = gate::read(Content::File(&entry.abs), MAX_READ_FILE, |bytes, _| {
            let text = String::from_utf8_lossy(bytes);
            let mut rel = None;
            let lines = Lines::new(&text);
            let mut found = |m: regex::Match<'_>| {
                let (line, column) = lines.line_col(m.start());
                out.push(EnvRead {
                    name: m.as_str().to_string(),
                    path: rel
                        .get_or_insert_with(|| relative(&dir, &entry.abs))
                        .clone(),
                    line,
                    column,
                });
            };
            for re in CODE_READS.iter() {
                for cap in re.captures_iter(&text) {
                    if let Some(m) = cap.get(1) {
                        found(m);
                    }
                }
            }
            if is_yaml(entry.name()) {
                for cap in YAML_READS.captures_iter(&text) {
                    if let Some(m) = cap.get(1) {
                        found(m);
                    }
                }
            }
        });
    }
    out.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    out.dedup();
    out
}

/// The env-variable reads of the workspace's files (none when its tree
/// cannot be walked: the leak scan says why).
pub(super) fn workspace_reads(ws: &Workspace, dir: &Path) -> Vec<EnvRead> {
    ws.tree()
        .map(|tree| env_reads(tree, dir))
        .unwrap_or_default()
}

/// Cross-checks declared env variables with the ones the code reads, in
/// time linear in their number.
pub fn cross_check(manifest: &Manifest, reads: &[EnvRead], path: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let declared: HashSet<&str> = manifest
        .keys
        .iter()
        .flat_map(|k| k.env.iter().map(|e| e.value.as_str()))
        .collect();
    let read_names: HashSet<&str> = reads.iter().map(|r| r.name.as_str()).collect();
    let mut reported: HashSet<&str> = HashSet::new();
    for read in reads {
        if declared.contains(read.name.as_str()) || reported.contains(read.name.as_str()) {
            continue;
        }
        let Some(id) = credential_exchange(&read.name) else {
            continue;
        };
        reported.insert(&read.name);
        let (exchange, _) = exchange_page(id);
        out.push(
            finding(
                rule::UNDECLARED_KEY,
                Severity::Low,
                Source::Tree,
                &read.path,
                Some(Pos {
                    line: read.line,
                    column: read.column,
                }),
                format!(
                    "undeclared key: {} is read here and looks like a {exchange} credential, \
                 but no [[key]] in {path} declares it",
                    read.name
                ),
                format!(
                    "Add {} to the env list of the [[key]] table for that key (or a new one), \
                 so that its permissions are checked.",
                    read.name
                ),
            )
            .about(&read.name),
        );
    }
    for key in &manifest.keys {
        for env in &key.env {
            if read_names.contains(env.value.as_str()) {
                continue;
            }
            out.push(
                finding(
                    rule::UNUSED_ENV,
                    Severity::Low,
                    Source::Manifest,
                    path,
                    Some(env.pos),
                    format!(
                        "env variable {} of key \"{}\" is read nowhere in the code",
                        env.value, key.name.value
                    ),
                    "Correct the name in the manifest, or remove it if the bot no longer uses it \
                 (and revoke the key if nothing uses it)."
                        .into(),
                )
                // One variable may be listed by two keys: each is its own finding.
                .about(&format!("{} {}", key.name.value, env.value)),
            );
        }
    }
    out
}
