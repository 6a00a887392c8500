//! The findings of a valid manifest: what each key may do, what it lacks,
//! and names or env variables declared for two keys or bots.

use super::*;

pub(super) fn exchange_page(id: &str) -> (&'static str, &'static str) {
    catalog::exchange(id)
        .map(|e| (e.name, e.api_page))
        .unwrap_or(("the exchange", "its API management page"))
}

/// A manifest finding at `pos` of the manifest `path`.
pub fn finding(
    rule: &str,
    severity: Severity,
    source: Source,
    path: &str,
    pos: Option<Pos>,
    message: String,
    remediation: String,
) -> Finding {
    Finding {
        check: Check::Manifest,
        rule: rule.to_string(),
        severity,
        confidence: Confidence::High,
        message,
        location: Location {
            source,
            path: path.to_string(),
            line: pos.map(|p| p.line),
            column: pos.map(|p| p.column),
            commit: None,
            author: None,
            date: None,
            introduced: None,
        },
        secret: None,
        subject: None,
        remediation,
        context: None,
        verification: None,
        rank: Default::default(),
    }
}

/// Scopes as `read + spot-trade`, or `nothing`.
pub fn scope_list(scopes: &[Scope]) -> String {
    if scopes.is_empty() {
        return "nothing".into();
    }
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The worst class among a permission's scopes, ignoring those the key's `allow` lists.
pub(super) fn worst(permission: &Permission, allow: &[Scope]) -> Option<Class> {
    permission
        .scopes
        .iter()
        .filter(|s| !allow.contains(s))
        .map(|s| s.class())
        .filter(|c| *c != Class::Needed)
        .max()
}

/// The findings of a valid manifest. `path` is the manifest as reports show it.
pub fn evaluate(manifest: &Manifest, path: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for key in &manifest.keys {
        evaluate_key(key, path, &mut out);
    }
    shared(manifest, path, &mut out);
    out
}

pub(super) fn evaluate_key(key: &Key, path: &str, out: &mut Vec<Finding>) {
    let (exchange, url) = exchange_page(key.exchange.id);
    let name = &key.name.value;
    // Group the permissions by their worst (non-allowed) class.
    let mut by_class: BTreeMap<Class, Vec<&Permission>> = BTreeMap::new();
    for perm in &key.permissions {
        if let Some(class) = worst(perm, &key.allow) {
            by_class.entry(class).or_default().push(perm);
        }
    }
    let describe = |perms: &[&Permission]| {
        perms
            .iter()
            .map(|p| {
                if p.scopes.len() == 1
                    && permissions::normalize(&p.name.value)
                        == permissions::normalize(p.scopes[0].as_str())
                {
                    format!("\"{}\"", p.name.value)
                } else {
                    format!("\"{}\" ({})", p.name.value, scope_list(&p.scopes))
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(perms) = by_class.get(&Class::Withdraw) {
        let admin = perms.iter().all(|p| !p.scopes.contains(&Scope::Withdraw));
        let what = if admin {
            "can manage keys or account settings, which is as good as withdraw (it can create a key that withdraws)"
        } else {
            "can withdraw funds"
        };
        let extra = if key.exchange.id == "hyperliquid" {
            " On Hyperliquid, give the bot an API (agent) wallet, never the master wallet's key."
        } else {
            ""
        };
        out.push(finding(
            rule::WITHDRAW,
            Severity::Critical,
            Source::Manifest,
            path,
            Some(perms[0].name.pos),
            format!("key \"{name}\" ({exchange}) {what}: {}", describe(perms)),
            format!(
                "On {exchange}'s API management page ({url}) turn off withdrawals and key management for this key, \
                 or better, replace it with a new key that has read + trade only. Nothing can allow withdraw \
                 on a bot's key.{extra}"
            ),
        ).about(name));
    }
    if let Some(perms) = by_class.get(&Class::Transfer) {
        out.push(finding(
            rule::TRANSFER,
            Severity::High,
            Source::Manifest,
            path,
            Some(perms[0].name.pos),
            format!(
                "key \"{name}\" ({exchange}) can move funds between accounts: {}",
                describe(perms)
            ),
            format!(
                "On {exchange}'s API management page ({url}) turn off transfer permissions for this key; \
                 a trading bot needs read + trade only."
            ),
        ).about(name));
    }
    if let Some(perms) = by_class.get(&Class::Beyond) {
        let extra: Vec<Scope> = {
            let mut v: Vec<Scope> = perms
                .iter()
                .flat_map(|p| p.scopes.iter().copied())
                .filter(|s| s.class() == Class::Beyond && !key.allow.contains(s))
                .collect();
            v.sort();
            v.dedup();
            v
        };
        let severity = if extra.iter().all(|s| *s == Scope::Deposit) {
            Severity::Low
        } else {
            Severity::High
        };
        let trades: Vec<&str> = extra
            .iter()
            .filter(|s| s.is_trade())
            .map(|s| s.as_str())
            .collect();
        let allow_hint = if trades.is_empty() {
            String::new()
        } else {
            format!(
                " If the bot does trade them, say so: allow = [{}] in this [[key]].",
                quote_list(&trades)
            )
        };
        out.push(finding(
            rule::BEYOND_TRADE,
            severity,
            Source::Manifest,
            path,
            Some(perms[0].name.pos),
            format!(
                "key \"{name}\" ({exchange}) can do more than read + trade ({}): {}",
                scope_list(&extra),
                describe(perms)
            ),
            format!(
                "On {exchange}'s API management page ({url}) turn off what the bot does not use.{allow_hint}"
            ),
        ).about(name));
    }
    if key.exchange.model == Model::Toggles {
        let granted: Vec<Scope> = key
            .permissions
            .iter()
            .flat_map(|p| p.scopes.iter().copied())
            .collect();
        let mut missing = Vec::new();
        if !granted.contains(&Scope::Read) {
            missing.push("read");
        }
        if !granted.iter().any(|s| s.is_trade()) {
            missing.push("trade");
        }
        if !missing.is_empty() {
            out.push(finding(
                rule::MISSING_SCOPE,
                Severity::Medium,
                Source::Manifest,
                path,
                Some(key.permissions_pos),
                format!(
                    "key \"{name}\" ({exchange}) declares no {} permission; a trading bot's key needs read + trade",
                    missing.join(" or ")
                ),
                format!(
                    "Check the key on {exchange}'s API management page ({url}) and list what it really has \
                     (for example \"read\", \"spot-trade\"). A manifest that lists less than the key has hides risks."
                ),
            ).about(name));
        }
    }
    if key.exchange.model == Model::None {
        out.push(finding(
            rule::NO_PERMISSION_MODEL,
            Severity::Low,
            Source::Manifest,
            path,
            Some(key.exchange_pos),
            format!(
                "key \"{name}\": {exchange} keys cannot be limited; a key can do whatever its account can"
            ),
            format!(
                "Keep only what the bot needs in the account this key belongs to, use paper keys for tests, \
                 and rotate the key on {exchange}'s page ({url})."
            ),
        ).about(name));
    }
    let open = match &key.ip_allowlist {
        None => Some((key.name.pos, "has no ip_allowlist")),
        Some(list) if list.value.is_empty() => Some((list.pos, "has an empty ip_allowlist")),
        Some(list) if list.value.iter().any(|e| allows_everything(e)) => {
            Some((list.pos, "has an ip_allowlist that lets any address in"))
        }
        Some(_) => None,
    };
    if let Some((pos, what)) = open {
        let (severity, message, remediation) = if key.exchange.ip_allowlist {
            let expiry = match key.exchange.id {
                "binance" => {
                    " Binance also unchecks trading on unrestricted keys after 30 days and deletes idle ones."
                }
                "bybit" => " Bybit also invalidates keys with no IP after 90 days.",
                "okx" => " OKX also deletes trading keys with no bound IP after 14 days.",
                _ => "",
            };
            (
                Severity::Medium,
                format!("key \"{name}\" ({exchange}) {what}: a leaked copy works from anywhere"),
                format!(
                    "On {exchange}'s API management page ({url}) restrict the key to the bot's server addresses \
                     and list them in ip_allowlist.{expiry}"
                ),
            )
        } else {
            (
                Severity::Low,
                format!(
                    "key \"{name}\" ({exchange}) {what}; {exchange} keys cannot be limited to IP addresses"
                ),
                format!(
                    "{exchange} offers no IP allowlist, so keep the key out of every file but a gitignored .env \
                     and rotate it on {url} when in doubt."
                ),
            )
        };
        out.push(
            finding(
                rule::NO_IP_ALLOWLIST,
                severity,
                Source::Manifest,
                path,
                Some(pos),
                message,
                remediation,
            )
            .about(name),
        );
    }
}

/// One key name or env variable declared for two keys or bots.
pub(super) fn shared(manifest: &Manifest, path: &str, out: &mut Vec<Finding>) {
    let remediation = "Give every bot its own key (create one per bot on the exchange's API page) so one \
                       leak or one revocation touches one bot only.";
    let mut names: HashMap<&str, &Key> = HashMap::new();
    let mut envs: HashMap<&str, &Key> = HashMap::new();
    for key in &manifest.keys {
        match names.get(key.name.value.as_str()) {
            Some(first) => out.push(finding(
                rule::SHARED_KEY,
                Severity::High,
                Source::Manifest,
                path,
                Some(key.name.pos),
                format!(
                    "key \"{}\" is declared twice (bots \"{}\" and \"{}\"): one dedicated key per bot",
                    key.name.value, first.bot.value, key.bot.value
                ),
                remediation.into(),
            ).about(&key.name.value)),
            None => {
                names.insert(&key.name.value, key);
            }
        }
        let mut own: Vec<&str> = Vec::new();
        for env in &key.env {
            if own.contains(&env.value.as_str()) {
                continue;
            }
            own.push(&env.value);
            match envs.get(env.value.as_str()) {
                Some(first) => out.push(finding(
                    rule::SHARED_KEY,
                    Severity::High,
                    Source::Manifest,
                    path,
                    Some(env.pos),
                    format!(
                        "env variable {} is declared for key \"{}\" (bot \"{}\") and key \"{}\" (bot \"{}\"): \
                         one dedicated key per bot",
                        env.value, first.name.value, first.bot.value, key.name.value, key.bot.value
                    ),
                    remediation.into(),
                ).about(&format!("{} {}", key.name.value, env.value))),
                None => {
                    envs.insert(&env.value, key);
                }
            }
        }
    }
}
