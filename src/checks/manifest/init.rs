//! `manifest --init`: a commented template listing the exchanges and
//! credential env variables found in the code, written where none is.

use super::*;

/// What `--init` wrote.
#[derive(Debug)]
pub struct Written {
    pub path: PathBuf,
    /// Exchange ids found in the code's env variables.
    pub exchanges: Vec<&'static str>,
    pub env_vars: usize,
}

/// `keyaudit manifest --init`: writes a commented template listing the
/// exchanges and credential env variables found in the code. Never overwrites.
pub fn init(ws: &Workspace, manifest: Option<&Path>) -> Result<Written, ManifestError> {
    let dir = folder_of(ws.root());
    let path = manifest.map_or_else(|| dir.join(DEFAULT_FILE), Path::to_path_buf);
    if path.exists() {
        return Err(ManifestError::Exists { path });
    }
    let reads = workspace_reads(ws, dir);
    let bot = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "bot".into());
    let (text, exchanges, env_vars) = template(&bot, &reads);
    use crate::files::{self, Existing, FileErrorKind};
    match files::write(&path, "manifest", Existing::Keep, &text) {
        Ok(()) => {}
        Err(e) if matches!(&e.kind, FileErrorKind::Io(io) if io.kind() == std::io::ErrorKind::AlreadyExists) =>
        {
            return Err(ManifestError::Exists { path });
        }
        Err(e) => return Err(ManifestError::File(e)),
    }
    Ok(Written {
        path,
        exchanges,
        env_vars,
    })
}

/// `text` as `# ` comment lines of at most about 78 characters.
pub(super) fn comment_wrapped(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::from("#");
    for word in text.split(' ') {
        if line.len() > 1 && line.len() + 1 + word.len() > 78 {
            out.push_str(&line);
            out.push('\n');
            line = String::from("#");
        }
        line.push(' ');
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// The template's text, the exchanges it lists and how many env variables.
pub fn template(bot: &str, reads: &[EnvRead]) -> (String, Vec<&'static str>, usize) {
    let bot: String = bot
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let bot = if bot.is_empty() {
        "bot".to_string()
    } else {
        bot
    };
    let mut by_exchange: BTreeMap<&'static str, Vec<&str>> = BTreeMap::new();
    let mut listed: HashSet<&str> = HashSet::new();
    for read in reads {
        if let Some(id) = credential_exchange(&read.name)
            && listed.insert(&read.name)
        {
            by_exchange.entry(id).or_default().push(&read.name);
        }
    }
    let mut t = String::from(
        "# keyaudit permission manifest: one [[key]] table per exchange API key.\n\
         #\n\
         # keyaudit checks what each key may do: read + trade only, never withdraw\n\
         # or transfer; one dedicated key per bot; an IP allowlist where the exchange\n\
         # has one. Write permissions as canonical scopes (read, spot-trade,\n\
         # margin-trade, futures-trade, transfer, withdraw, deposit, admin, earn, ...)\n\
         # or with the exchange's own names, as its API page shows them:\n\
         # `keyaudit rules --permissions` lists every name. Check with `keyaudit manifest`.\n",
    );
    if by_exchange.is_empty() {
        t.push_str(
            "#\n\
             # No exchange credentials were found in the code's env variables. Example:\n\
             #\n\
             # [[key]]\n\
             # name = \"grid-bot-binance\"             # unique\n\
             # exchange = \"binance\"                  # a known exchange id (`keyaudit rules`)\n\
             # bot = \"grid-bot\"                      # the one bot that uses this key\n\
             # env = [\"BINANCE_API_KEY\", \"BINANCE_API_SECRET\"]   # where the bot reads it\n\
             # permissions = [\"read\", \"spot-trade\"] # what the key really has\n\
             # ip_allowlist = [\"203.0.113.7\"]        # the bot server's addresses\n\
             # allow = [\"futures-trade\"]             # margin/futures trading the bot needs\n",
        );
    }
    let mut env_vars = 0;
    for (id, vars) in &by_exchange {
        env_vars += vars.len();
        let (name, url) = exchange_page(id);
        let natives: Vec<&str> = catalog::exchange(id)
            .map(|e| e.natives.iter().map(|n| n.names[0]).collect())
            .unwrap_or_default();
        let env = vars
            .iter()
            .map(|v| format!("\"{v}\""))
            .collect::<Vec<_>>()
            .join(", ");
        t.push_str(&format!(
            "\n[[key]]\n\
             name = \"{bot}-{id}\"   # unique\n\
             exchange = \"{id}\"\n\
             bot = \"{bot}\"   # the one bot that uses this key\n\
             env = [{env}]   # found in the code\n\
             # EDIT: the permissions this key really has on {name}'s API page\n\
             # ({url}).\n\
             {}\
             permissions = [\"read\", \"spot-trade\"]\n\
             # EDIT: the addresses the key is restricted to on that page.\n\
             ip_allowlist = []\n\
             # allow = [\"futures-trade\"]   # margin or futures trading this bot does\n",
            comment_wrapped(&format!("{name}'s own names: {}.", quote_list(&natives)))
        ));
    }
    (t, by_exchange.keys().copied().collect(), env_vars)
}
