//! Credentials of services and bot frameworks other than exchanges: Telegram
//! bot tokens, OctoBot's and Hummingbot's stored exchange keys, Slack,
//! Discord and DingTalk webhooks, GitHub, OpenAI and Anthropic keys, AWS
//! access keys, Infura and Alchemy RPC keys.

use crate::catalog::build::{AROUND, NEAR_NAME, assign, bare};
use crate::detect::rule::{Rule, base};
use crate::finding::Severity;

/// What to do about either part of a leaked AWS access key.
const AWS_REMEDIATION: &str = "Deactivate and delete the access key in IAM (https://console.aws.amazon.com/iam/), \
                               check CloudTrail for its use, and give the bot a role or a new key with the least policy.";

/// The rules of this file, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
pub fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(Rule {
        id: "telegram-bot-token",
        exchange: "telegram",
        severity: High,
        description: "Telegram bot token (bot id, colon, 35 characters starting with AA)",
        keywords: &[":aa"],
        pattern: bare(r"[0-9]{5,16}:AA[A-Za-z0-9_\-]{33}"),
        scope: AROUND,
        min_entropy: 3.5,
        examples: &[r#""telegram": {"enabled": true, "token": "7312984402:AAUqBlIFXZ53Ncqe28_ajY75FnCttn6kfaq"}"#],
        negatives: &[r#"token = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw""#, r#"time = "12:AAUqBlIFXZ53Ncqe28_ajY75FnCttn6kfaq""#],
        remediation: "Revoke the token with @BotFather (/revoke), then put the new one in .env.".into(),
        ..base()
    });
    rules.push(Rule {
        id: "octobot-encrypted-secret",
        exchange: "octobot",
        severity: Critical,
        description: "OctoBot exchange credential: Fernet-encrypted with a key published in OctoBot-Commons, so readable by anyone",
        keywords: &["gaaaaa"],
        pattern: assign(r"(?:key|secret|password|uid)", r"gAAAAA[A-Za-z0-9_\-]{60,}={0,2}", true),
        // On the value's line, as far as the longest value.
        scope: crate::detect::rule::Scope::NearKeyword { before: 160, after: 3072 },
        group: Some("octobot"),
        examples: &[r#""api-secret": "gAAAAABlR4NQ0u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFRIBXu==""#],
        negatives: &[r#""api-secret": "YOUR_EXCHANGE_API_SECRET_ENCRYPTED""#, r#""cookie": "gAAAAABlR4NQ0u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJ==""#],
        remediation: "OctoBot's encryption key is public: treat this as a plaintext leak. Revoke the key on \
                      the exchange's API management page and create a new one with read + trade only."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "hummingbot-encrypted-key",
        exchange: "hummingbot",
        severity: Low,
        description: "Hummingbot password-encrypted exchange key (Ethereum v3 keyfile as hex): not plaintext, but open to offline guessing",
        keywords: &["7b2263727970746f223a207b"],
        pattern: r"(?P<secret>7b2263727970746f223a207b[0-9a-f]{200,})".into(),
        // On the value's line, as far as the longest value.
        scope: crate::detect::rule::Scope::NearKeyword { before: 0, after: 16_384 },
        examples: &["binance_api_key: 7b2263727970746f223a207b22636970686572223a20226165732d3132382d637472222c202263697068657274657874223a20223965386137663737306439313061626364656630313233343536373839616263646566303132333435363738396162636465663031323334353637383961626364656630313233343536373839616263646566222c20226369706865727061726d73223a207b226976223a20223731393438643333227d7d7d"],
        negatives: &["binance_api_key: 7b2263727970746f223a207b"],
        remediation: "Keep hummingbot's conf/ out of git; if the hummingbot password is weak, revoke the \
                      exchange key and create a new one."
            .into(),
        ..base()
    });
    rules.extend(webhooks_and_platform_keys());
    rules
}

/// Webhook URLs, code-hosting and AI-platform keys, cloud access keys and
/// RPC provider URLs: what a bot repository holds besides exchange keys.
/// Each is known by its documented prefix or URL shape.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn webhooks_and_platform_keys() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(Rule {
        id: "slack-webhook",
        exchange: "slack",
        severity: High,
        description: "Slack incoming webhook URL (hooks.slack.com/services/T…/B…/…): anyone holding it can post to the channel",
        keywords: &["hooks.slack.com"],
        pattern: r"(?P<secret>https://hooks\.slack\.com/services/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{24})".into(),
        scope: AROUND,
        min_entropy: 3.5,
        examples: &["SLACK_WEBHOOK=https://hooks.slack.com/services/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"],
        negatives: &[
            "SLACK_WEBHOOK=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            "url: https://hooks.slack.com/services/YOUR/WEBHOOK/URL",
        ],
        remediation: "Regenerate the webhook in the Slack app's Incoming Webhooks page (https://api.slack.com/apps), \
                      then keep the new URL in .env."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "discord-webhook",
        exchange: "discord",
        severity: High,
        description: "Discord webhook URL (discord.com/api/webhooks/ID/TOKEN): anyone holding it can post to the channel",
        keywords: &["discord"],
        pattern: r"(?P<secret>https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_\-]{60,68})".into(),
        scope: AROUND,
        min_entropy: 3.5,
        examples: &["DISCORD_WEBHOOK_URL = \"https://discord.com/api/webhooks/1187364029481736192/Xq7_mB2kLz9Rv4Tn8Wc1Pd6Hs3Jf5Gy0Ae2Ku9Ox4Ni7Ql1Mb8Vt3Zr6Sw5Yh2Dg9CkEu\""],
        negatives: &[
            "url = f\"https://discord.com/api/webhooks/{webhook_id}/{webhook_token}\"",
            "https://discord.com/api/webhooks/1187364029481736192/",
        ],
        remediation: "Delete the webhook in the channel's Integrations settings and create a new one; keep its URL in .env."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "dingtalk-webhook",
        exchange: "dingtalk",
        severity: High,
        description: "DingTalk robot webhook access token (oapi.dingtalk.com/robot/send?access_token=…)",
        keywords: &["dingtalk.com/robot"],
        pattern: r"https://oapi\.dingtalk\.com/robot/send\?access_token=(?P<secret>[0-9a-f]{64})".into(),
        scope: AROUND,
        min_entropy: 3.0,
        examples: &["webhook: https://oapi.dingtalk.com/robot/send?access_token=3f9a1c7e5b2d8f4a6c0e9b1d7f3a5c8e2b4d6f0a9c1e3b5d7f2a4c6e8b0d1f3a"],
        negatives: &["webhook: https://oapi.dingtalk.com/robot/send?access_token=xxxxxxxx"],
        remediation: "Remove the robot from the DingTalk group and add a new one (with a signing secret); keep its URL in .env."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "github-token",
        exchange: "github",
        severity: High,
        description: "GitHub token (ghp_, gho_, ghu_, ghs_, ghr_ classic and app tokens, github_pat_ fine-grained)",
        keywords: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
        pattern: bare(r"gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}"),
        scope: AROUND,
        min_entropy: 4.0,
        examples: &[
            "GITHUB_TOKEN=ghp_R7kQm2Xv9Lp4Tz8Wn3Bj6Hc1Dg5Fs0AyE2uK",
            "token: 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",
        ],
        negatives: &[
            "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "GITHUB_TOKEN=${{ secrets.GITHUB_TOKEN }}",
        ],
        remediation: "Revoke the token at https://github.com/settings/tokens (or the app's settings), create a new one \
                      with the least scope, and keep it in the CI's secret store or .env."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "openai-api-key",
        exchange: "openai",
        severity: High,
        description: "OpenAI API key (sk-proj-, sk-svcacct-, sk-admin-, or a legacy sk- key with the T3BlbkFJ marker)",
        keywords: &["sk-proj-", "sk-svcacct-", "sk-admin-", "t3blbkfj"],
        pattern: bare(r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,200}|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}"),
        scope: AROUND,
        min_entropy: 4.0,
        examples: &[
            "OPENAI_API_KEY=sk-proj-Vq3Lm8Xz2Rk7Tn4Wc9Pb1Hd6Fs5Gy0Ae2Ku9Ox4Ni7Ql1Mb8Vt3Zr6Sw5Yh2Dg9Ck",
            "openai.api_key = \"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\"",
        ],
        negatives: &["OPENAI_API_KEY=sk-proj-your-openai-api-key-here-0000000000000000000000"],
        remediation: "Revoke the key at https://platform.openai.com/api-keys and create a new one; keep it in .env."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "anthropic-api-key",
        exchange: "anthropic",
        severity: High,
        description: "Anthropic API key (sk-ant-api03- or sk-ant-admin01-, ending in AA)",
        keywords: &["sk-ant-"],
        pattern: bare(r"sk-ant-(?:api03|admin01)-[A-Za-z0-9_\-]{80,110}AA"),
        scope: AROUND,
        min_entropy: 4.0,
        examples: &["ANTHROPIC_API_KEY=sk-ant-api03-Vq3Lm8Xz2Rk7Tn4Wc9Pb1Hd6Fs5Gy0Ae2Ku9Ox4Ni7Ql1Mb8Vt3Zr6Sw5Yh2Dg9Ck_Tq4Lz8Xm2Rv7Kn3Wb9Pc1Hf6Ds5Gj0AA"],
        negatives: &["ANTHROPIC_API_KEY=sk-ant-api03-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxAA"],
        remediation: "Revoke the key at https://console.anthropic.com/settings/keys and create a new one; keep it in .env."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "aws-access-key-id",
        exchange: "aws",
        severity: High,
        description: "AWS access key id (AKIA… long-term, ASIA… temporary): half of an AWS credential",
        keywords: &["akia", "asia"],
        pattern: bare(r"(?:AKIA|ASIA)[A-Z2-7]{16}"),
        scope: AROUND,
        min_entropy: 3.0,
        group: Some("aws"),
        examples: &["aws_access_key_id = AKIA4QXRZ7LM2KD6PWNB"],
        negatives: &[
            "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
            "TZ = \"ASIA/TOKYO\"  # ASIAPACIFICREGIONSX",
        ],
        remediation: AWS_REMEDIATION.into(),
        ..base()
    });
    rules.push(Rule {
        id: "aws-secret-access-key",
        exchange: "aws",
        severity: Critical,
        description: "AWS secret access key (40 base64 characters) assigned to an aws_secret_access_key-style name",
        keywords: &["secret_access_key", "secretaccesskey", "secret-access-key"],
        pattern: assign(r"secret_?-?access_?-?key", r"[A-Za-z0-9/+]{40}", false),
        scope: NEAR_NAME,
        min_entropy: 4.0,
        group: Some("aws"),
        examples: &["aws_secret_access_key = 7Kq2Xv9Lp4Tz8Wn3Bj6Hc1Dg5Fs0AyE2uKm8Rt/Z"],
        negatives: &["aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
        remediation: AWS_REMEDIATION.into(),
        ..base()
    });
    rules.push(Rule {
        id: "infura-project-id",
        exchange: "infura",
        severity: Medium,
        description: "Infura project id in an RPC URL (…infura.io/v3/<32 hex>): the key that spends the project's quota",
        keywords: &["infura.io"],
        pattern: r"https://[a-z0-9\-]+\.infura\.io/(?:ws/)?v3/(?P<secret>[0-9a-f]{32})".into(),
        scope: AROUND,
        min_entropy: 3.0,
        examples: &["RPC_URL=https://mainnet.infura.io/v3/7f3a9c1e5b2d4f8a6c0e1b3d5f7a9c2e"],
        negatives: &["RPC_URL=https://mainnet.infura.io/v3/${INFURA_PROJECT_ID}"],
        remediation: "Delete the key in the Infura dashboard (https://app.infura.io/), create a new one with allowed \
                      origins or a key secret, and keep the RPC URL in .env."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "alchemy-api-key",
        exchange: "alchemy",
        severity: Medium,
        description: "Alchemy API key in an RPC URL (…g.alchemy.com/v2/<key>)",
        keywords: &["alchemy.com/v2/", "alchemyapi.io/v2/"],
        pattern: r"https://[a-z0-9\-]+\.(?:g\.alchemy\.com|alchemyapi\.io)/v2/(?P<secret>[A-Za-z0-9_\-]{32})".into(),
        scope: AROUND,
        min_entropy: 3.5,
        examples: &["ETH_RPC = \"https://eth-mainnet.g.alchemy.com/v2/Vq3Lm8Xz2Rk7Tn4Wc9Pb1Hd6Fs5Gy0Ae\""],
        negatives: &["ETH_RPC = \"https://eth-mainnet.g.alchemy.com/v2/your-api-key\""],
        remediation: "Rotate the key in the Alchemy dashboard (https://dashboard.alchemy.com/) and keep the RPC URL in .env."
            .into(),
        ..base()
    });
    rules
}
