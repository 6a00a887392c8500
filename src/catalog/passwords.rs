//! Credentials known by what their name says rather than by their shape:
//! web frameworks' signing secrets (`JWT_SECRET`, Django's and Flask's
//! `SECRET_KEY`), passwords and passphrases (`password`, `SMTP_PASS`,
//! `API_PASS`), and database and broker URLs with an embedded password
//! (`postgresql://user:pass@host/db`). Each yields to an exchange's rule on
//! the same value (an OKX passphrase stays an OKX passphrase), and each
//! drops what only stands in for a value: references (`${DB_PASS}`,
//! `os.environ[…]`, `config.password`), prompt texts, variable names and
//! the stand-ins documentation uses (`password`, `changeme`, `****`).

use crate::catalog::build::{AROUND, NEAR_NAME, assign, assign_ending};
use crate::detect::entropy;
use crate::detect::rule::{Rule, base};
use crate::finding::Severity;

/// A password's value: four groups of four lowercase letters (a Google app
/// password as shown), else 8 to 128 characters without blanks, quotes or `;`
/// (shorter ones are the stand-ins of tests and docs: `s3cret`, `abc123`).
const PASSWORD_VALUE: &str = r#"[a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4}|[^\s"'`\\;]{8,128}"#;

/// Database and message-broker URL schemes (with SQLAlchemy's `+driver`).
const DB_SCHEMES: &str = r"(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|cockroachdb|clickhouse|oracle)(?:\+[a-z0-9]+)?";

/// The rules of this file, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
pub fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(Rule {
        id: "jwt-signing-secret",
        exchange: "webapp",
        severity: High,
        description: "Web application signing secret (JWT_SECRET, jwt_secret_key, session/cookie secrets, Django's and \
                      Flask's SECRET_KEY): anyone holding it can forge logins",
        keywords: &["jwt", "session", "cookie", "secret_key", "secret-key"],
        pattern: assign(
            r"(?:jwt[_\-.]?(?:secret|signing|key)|(?:session|cookie)[_\-.]?secret|secret[_\-.]?key[_\-.]?base|app\.secret_key|(?-i:\bSECRET_KEY\b))",
            r#"[^\s"'`\\]{16,256}"#,
            true,
        ),
        scope: NEAR_NAME,
        min_entropy: 3.5,
        validate: Some(signing_secret_value),
        generic: true,
        examples: &[
            r#"SECRET_KEY = "q7#Lm2x!Rk9vT4pW8zN3bJ6hC1dG5fS0""#,
            r#"{"api_server": {"jwt_secret_key": "1bMAVVn0DF2AYKNIwgtp0wm60O7Q92ADHxgYjuz1"}}"#,
            r#"JWT_SECRET: "5f3c91d2a47be08e6d1f2c9a0b7e43d18c6a5f20e9b17d4c3a8f6e2d1b0c9a7e""#,
        ],
        negatives: &[
            r#"SECRET_KEY = os.environ["SECRET_KEY"]"#,
            r#"SECRET_KEY = "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7""#,
            r#""jwt_secret_key": "somethingrandomsomethingrandom""#,
            r#"BINANCE_SECRET_KEY = "1bMAVVn0DF2AYKNIwgtp0wm60O7Q92ADHxgYjuz1""#,
            r#"jwt_secret = "{{ jwt_secret_from_vault_store }}""#,
            r#"session_secret = "please-change-this-session-secret""#,
        ],
        remediation: "Generate a new signing secret (this logs every user out), deploy it from the environment or \
                      a secret store, and keep it out of the repository."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "password-assignment",
        exchange: "password",
        severity: High,
        description: "Password or passphrase assigned to a field whose name says so (password, passwd, pwd, passphrase, \
                      SMTP_PASS, API_PASS), in code or config",
        keywords: &["pass", "pwd"],
        // An unquoted password ends at a blank or `;` (a comment may follow).
        pattern: assign_ending(r"(?:pass|pwd)", PASSWORD_VALUE, false, r"[ \t;]|\r"),
        scope: NEAR_NAME,
        min_entropy: 2.5,
        validate: Some(password_value),
        rejects: Some(not_a_password_name),
        generic: true,
        examples: &[
            r#"smtp = {"host": "smtp.gmail.com", "user": "bot@example.org", "password": "vuni lulk rfrv aexg"}"#,
            "SMTP_PASS=V!BBXll5MXSW3w",
            "API_PASS=a07u5Ikb6SM",
            // Through the shared assignment reader: an XML setting, a getenv default.
            r#"<add key="DbPassword" value="Fs0AyE2uKm8RtQz7Xv9Lp4Tz8Wn3Bj6H" />"#,
            r#"smtp_password = os.getenv("SMTP_PASSWORD", "Vq7#mRt2Lp9x")"#,
            r#"db_password = "wuZ6476GFy""#,
            "  password: 31KTt4R5zS4Th1   # the bot account",
        ],
        negatives: &[
            // A shell test of a variable's value, and a password's SHA-256.
            r#"if test "$linkmode,$pass" = "prog,link"; then"#,
            r#"(0,r._)("input",{id:"password","onUpdate:modelValue":t[1]||(t[1]=e=>n.form.password=e)})"#,
            r#""password": "3d1f0e6a9c7b5e2d4f8a1c3e5b7d9f0a2c4e6b8d1f3a5c7e9b0d2f4a6c8e1b3d""#,
            r#"password = os.environ["DB_PASSWORD"]"#,
            r#"password = getpass("Enter your password: ")"#,
            r#"PASSWORD = "Enter your password""#,
            "password: ${DB_PASSWORD}",
            "password: <password>",
            r#""password": "********""#,
            r#""password": """#,
            r#""password": "SuperSecurePassword""#,
            "password=changeme",
            "password: secret",
            "DB_PASSWORD=POSTGRES_PASSWORD",
            "password: config.database.password",
            r#"password_prompt = "Password (again):""#,
            r#"passivbot_version = "v7.2.1b4""#,
            "compass_heading: 31KTt4R5zS4Th1",
            "PWD=/home/runner/work/bot",
            r#""password": "12345678901234""#,
            r#"PASSWORD_VERIFICATION_WORD = "HummingBot""#,
            r#"{"PASS": "0x22e65168c8705e95b2d08876c23a8c13e3ad72f3"}"#,
            r#"_TEST_WALLET_PASSPHRASE = "accountsCRUD1!""#,
            r#"env = {"BOT_PASSWORD": "s3cret1"}"#,
            "password: !vault |",
        ],
        remediation: "Change the password where it is used (the mail, database or exchange account), then load it \
                      from a gitignored .env file or a secret store."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "credential-call-password",
        exchange: "password",
        severity: High,
        description: "Password passed as the second argument of a credential constructor (C#'s \
                      NetworkCredential(user, \"…\"), Java's PasswordAuthentication(user, \"…\"), Python's \
                      HTTPBasicAuth(user, \"…\"))",
        keywords: &["credential(", "authentication(", "basicauth("],
        // `open` is the quote: the value is a literal in code.
        pattern: format!(
            r#"(?i:credential|authentication|basicauth)\([ \t]*[^,()\r\n]{{1,64}},[ \t]*(?P<open>["'])(?P<secret>{PASSWORD_VALUE})["']"#
        ),
        scope: AROUND,
        min_entropy: 2.5,
        validate: Some(password_value),
        generic: true,
        examples: &[
            r#"client.Credentials = new NetworkCredential("bot@example.org", "Vq7#mRt2Lp9x");"#,
            r#"return new PasswordAuthentication(user, "wuZ6476GFy".toCharArray());"#,
            r#"auth = HTTPBasicAuth(api_user, 'V!BBXll5MXSW3w')"#,
        ],
        negatives: &[
            r#"new NetworkCredential(user, Environment.GetEnvironmentVariable("SMTP_PASSWORD"))"#,
            r#"new NetworkCredential("user", "password")"#,
            r#"HTTPBasicAuth(user, "${API_PASSWORD}")"#,
            r#"new NetworkCredential(user, password)"#,
        ],
        remediation: "Change the password where it is used (the mail, database or exchange account), then load it \
                      from a gitignored .env file or a secret store."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "database-url-password",
        exchange: "database",
        severity: High,
        description: "Database or message-broker URL with an embedded password (postgresql://, mysql://, mongodb+srv://, \
                      redis://, amqp://)",
        keywords: &[
            "postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver", "cockroachdb",
            "clickhouse", "oracle",
        ],
        // The user is the `name` group, so that `rejects` can compare it with
        // the password (`scott:scott@` is a test's stand-in); the empty
        // `open` group tells the engine the value is a literal in code too.
        pattern: format!(
            r#"(?P<open>)(?i:\b{DB_SCHEMES})://(?P<name>[^:@/\s"'`]{{0,64}}):(?P<secret>[^@/\s"'`]{{4,128}})@(?:[A-Za-z0-9_\-.]+|\[[0-9A-Fa-f:]+\])"#
        ),
        scope: AROUND,
        min_entropy: 2.0,
        validate: Some(db_password),
        rejects: Some(password_is_user),
        examples: &[
            r#"db_url = "postgresql+psycopg2://trader:wXVBHfhY2xzi@db.internal:5432/trades""#,
            "MONGO_URI=mongodb+srv://bot:V!BBXll5MXSW3w@cluster0.ab1cd.mongodb.net/prod",
            "REDIS_URL=redis://:31KTt4R5zS4Th1@cache.internal:6379/0",
            "BROKER=amqp://worker:a07u5Ikb6SM@mq.internal:5672//",
        ],
        negatives: &[
            r#""db_url": "postgresql+psycopg2://user:password@localhost:5432/freqtrade""#,
            r#"db_url = f"postgresql://{user}:{password}@{host}/{db}""#,
            "DATABASE_URL=postgres://app:${DB_PASS}@db:5432/app",
            "DATABASE_URL=mysql://root:<password>@localhost/bot",
            "MONGO_URI=mongodb://admin:****@mongo:27017",
            "DATABASE_URL=postgresql://postgres:postgres@localhost:5432/postgres",
            "REDIS_URL=redis://localhost:6379/0",
            "DATABASE_URL=postgres://user:pass@host:5432/db",
            r#"url = "mysql://%s:%s@%s/%s" % (user, pw, host, db)"#,
            r#"("postgresql+psycopg2://scott123:scott123@host:1245/dbname", "masked")"#,
        ],
        remediation: "Change the database user's password, then keep the URL (or its password) in a gitignored \
                      .env file or a secret store; check the database's logs for logins you do not know."
            .into(),
        ..base()
    });
    rules
}

/// Words of a name that say it holds something about a password, not one:
/// a prompt, a rule, a flag, a file, a hash.
const ABOUT_A_PASSWORD: &[&str] = &[
    "prompt",
    "hint",
    "label",
    "placeholder",
    "field",
    "input",
    "policy",
    "regex",
    "pattern",
    "validat",
    "strength",
    "length",
    "reset",
    "forgot",
    "confirm",
    "enabled",
    "required",
    "mode",
    "method",
    "env",
    "var",
    "help",
    "message",
    "msg",
    "text",
    "title",
    "error",
    "question",
    "cmd",
    "command",
    "salt",
    "expir",
    "changed",
    "count",
    "attempt",
    "retr",
    "timeout",
    "template",
    "type",
    "widget",
    "form",
    "name",
    "_id",
    "encrypted",
    "protected",
    "manager",
    "store",
    "verif",
];

/// Words of a name that make its value a stand-in (`TEST_WALLET_PASSPHRASE`).
const STAND_IN_NAME_WORDS: &[&str] =
    &["test", "mock", "fake", "dummy", "example", "sample", "demo"];

/// A name none of whose words is a password word (`passivbot_version`,
/// `compass`, `passthrough`), or one that names something about a password
/// (`password_prompt`, `password_min_length`). `name` is lowercase: words
/// are split at `_`, `-`, `.` and other separators, and a word counts when
/// it is a password word or ends in one (`dbpassword`, `smtppass`).
/// True when a (lowercase) field name says it holds a password.
pub(crate) fn is_password_name(name: &[u8]) -> bool {
    let text = String::from_utf8_lossy(name);
    ["password", "passwd", "passphrase"]
        .iter()
        .any(|w| text.contains(w))
        || text.ends_with("pass")
        || text.ends_with("pwd")
}

fn not_a_password_name(name: &[u8], _value: &[u8], _exchange: &str) -> bool {
    let text = String::from_utf8_lossy(name);
    let word_says_password = |w: &str| {
        [
            "pass",
            "pwd",
            "pswd",
            "passwd",
            "password",
            "passphrase",
            "passwort",
        ]
        .contains(&w)
            || (["password", "passwd", "passphrase", "pass", "pwd"]
                .iter()
                .any(|p| w.ends_with(p))
                && !["compass", "bypass", "overpass", "underpass", "trespass"]
                    .iter()
                    .any(|p| w.ends_with(p)))
    };
    let says = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(word_says_password);
    let stand_in = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| STAND_IN_NAME_WORDS.contains(&w));
    !says || stand_in || ABOUT_A_PASSWORD.iter().any(|w| text.contains(w))
}

/// A database URL whose password is its user's name (`scott:scott@`): a
/// test's or a tutorial's stand-in. `user` is lowercase.
fn password_is_user(user: &[u8], password: &[u8], _exchange: &str) -> bool {
    user.eq_ignore_ascii_case(password)
}

/// Common passwords and the stand-ins documentation and defaults use:
/// a value containing one is not reported.
const STAND_IN_PASSWORDS: &[&str] = &[
    "pass",
    "pwd",
    "secret",
    "changeme",
    "change_me",
    "example",
    "sample",
    "dummy",
    "test",
    "demo",
    "default",
    "admin",
    "root",
    "guest",
    "qwerty",
    "letmein",
    "welcome",
    "foobar",
    "hunter2",
    "null",
    "none",
    "undefined",
    "required",
    "optional",
    "string",
    "empty",
    "masked",
    "hidden",
    "redacted",
    "user",
    "localhost",
    "postgres",
    "mysql",
    "redis",
    "mongo",
    "rabbit",
    "freqtrade",
    "whatever",
    "1234",
    "abcd",
    "abc123",
    "qwer",
];

/// `value` in lowercase with leetspeak undone (`s3cr3t` is `secret`,
/// `p@ss` is `pass`), for comparing with [`STAND_IN_PASSWORDS`].
fn plain_lowercase(value: &str) -> String {
    value
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            '3' => 'e',
            '4' | '@' => 'a',
            '0' => 'o',
            '1' | '!' => 'i',
            '5' | '$' => 's',
            '7' => 't',
            c => c,
        })
        .collect()
}

/// True when `value` holds a common password or a stand-in, as written or
/// in leetspeak.
fn holds_stand_in(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let plain = plain_lowercase(value);
    STAND_IN_PASSWORDS
        .iter()
        .any(|w| lower.contains(w) || plain.contains(w))
}

/// A value that could be a password: not a reference, an expression, a
/// path, a URL, a variable's name, a number or a stand-in, and varied
/// enough (two kinds of characters, or twelve characters or more).
fn password_value(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    let first = text.chars().next().unwrap_or(' ');
    let is_reference = "$%{<!@&*([:/.~\\|>".contains(first)
        || text.contains(['(', ')', '[', ']', '{', '}'])
        || text.contains("://");
    let is_dotted_path = text.contains('.')
        && text.split('.').all(|p| {
            !p.is_empty()
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && p.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        });
    let is_env_name = text.contains('_')
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    // `db_password_here`, `userPassword`: lowercase words joined by `_` or
    // `-`, or a camelCase name, without a digit: a name, not a password.
    let is_words = !text.contains(|c: char| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == '_' || c == '-')
        && (text.contains(['_', '-'])
            || text.chars().skip(1).any(|c| c.is_ascii_uppercase())
                && text.starts_with(|c: char| c.is_ascii_lowercase()));
    // `onUpdate:modelValue`, `xs:string`: letters joined by `:` name an
    // attribute or a type (a minified page's next key after `id:"password",`).
    let is_qualified_name = text.contains(':')
        && text
            .split(':')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphabetic()));
    let is_hex_number = text.starts_with("0x") && text[2..].chars().all(|c| c.is_ascii_hexdigit());
    // A password kept as its digest (OctoBot's web interface: SHA-256).
    let is_digest = matches!(text.len(), 32 | 40 | 64 | 128)
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
    // Letters alone: a word or a name (`HummingBot`), unless as long as a
    // generated one (a Google app password without its blanks).
    let is_short_word = text.chars().all(|c| c.is_ascii_alphabetic()) && text.len() < 16;
    let is_number = text
        .chars()
        .all(|c| c.is_ascii_digit() || ".:-+ ".contains(c));
    let classes = [
        text.chars().any(|c| c.is_ascii_lowercase()),
        text.chars().any(|c| c.is_ascii_uppercase()),
        text.chars().any(|c| c.is_ascii_digit()),
        text.chars().any(|c| !c.is_ascii_alphanumeric() && c != ' '),
    ]
    .iter()
    .filter(|&&b| b)
    .count();
    !is_reference
        && !is_dotted_path
        && !is_env_name
        && !is_words
        && !is_number
        && !is_hex_number
        && !is_digest
        && !is_qualified_name
        && !is_short_word
        && (classes >= 2 || text.len() >= 12)
        && !holds_stand_in(text)
}

/// A database URL's password part: not a template (`{password}`, `%s`,
/// `${DB_PASS}`), a stand-in (`password`, `****`) or a default
/// (`postgres`, `root`).
fn db_password(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    let is_template = text.contains(['{', '}', '$', '<', '>', '%', '*']);
    !is_template
        && (entropy::has_letters_and_digits(value) || text.len() >= 10)
        && !holds_stand_in(text)
}

/// A signing secret's value: varied (not a sentence or a name) and not a
/// reference.
fn signing_secret_value(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    let first = text.chars().next().unwrap_or(' ');
    !"$%{<!@&*(".contains(first)
        && !text.contains(['(', '{'])
        && entropy::has_letters_and_digits(value)
        && !STAND_IN_PASSWORDS
            .iter()
            .filter(|w| !["user", "pass"].contains(w))
            .any(|w| text.to_ascii_lowercase().contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_names() {
        for name in [
            "password",
            "smtp_pass",
            "api_pass",
            "dbpassword",
            "mail.passwd",
            "pwd",
            "api_passphrase",
        ] {
            assert!(!not_a_password_name(name.as_bytes(), b"", ""), "{name}");
        }
        for name in [
            "passivbot_version",
            "compass",
            "passthrough",
            "password_prompt",
            "password_min_length",
            "passenger",
            "_test_wallet_passphrase",
        ] {
            assert!(not_a_password_name(name.as_bytes(), b"", ""), "{name}");
        }
    }

    #[test]
    fn password_values() {
        for v in [
            "wuZ6476GFy",
            "V!BBXll5MXSW3w",
            "vuni lulk rfrv aexg",
            "a07u5Ikb6SM",
        ] {
            assert!(password_value(v.as_bytes()), "{v}");
        }
        for v in [
            "os.environ[\"X\"]",
            "config.db.password",
            "DB_PASSWORD",
            "db_password_here",
            "userPassword",
            "12345678",
            "2024-01-01",
            "hunter",
            "${X}",
            "/run/secrets/db",
            "Admin12345",
            "HummingBot",
            "0x22e65168c8705e95b2d08876c23a8c13e3ad72f3",
            "s3cr3tP4ss",
            "abcd1234",
        ] {
            assert!(!password_value(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn database_passwords() {
        assert!(db_password(b"wXVBHfhY2xzi"));
        assert!(db_password(b"a07u5Ikb6SM"));
        for v in [
            "password",
            "postgres",
            "{password}",
            "${DB_PASS}",
            "****",
            "%s",
            "pass",
            "s3cr3t",
        ] {
            assert!(!db_password(v.as_bytes()), "{v}");
        }
    }
}
