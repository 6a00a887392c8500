//! Credentials of services and bot frameworks other than exchanges: Telegram
//! bot tokens, OctoBot's and Hummingbot's stored exchange keys, Slack,
//! Discord and DingTalk webhooks, GitHub, OpenAI and Anthropic keys, AWS
//! access keys, Infura, Alchemy and QuickNode RPC keys and URLs, block
//! explorer keys (Etherscan and its family), market-data keys (CoinGecko,
//! CoinMarketCap, CryptoCompare), SendGrid and Twilio credentials, and
//! Polymarket's CLOB API credentials.

use crate::catalog::build::{AROUND, NEAR_CONTEXT, NEAR_NAME, Q, assign, assign_or, bare};
use crate::detect::rule::{Rule, Scope, base};
use crate::detect::validate;
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
    rules.extend(chain_data_and_messaging());
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
        pattern: r"(?:https|wss)://[a-z0-9\-]+\.infura\.io/(?:ws/)?v3/(?P<secret>[0-9a-f]{32})".into(),
        scope: AROUND,
        min_entropy: 3.0,
        examples: &[
            "RPC_URL=https://mainnet.infura.io/v3/7f3a9c1e5b2d4f8a6c0e1b3d5f7a9c2e",
            "WS_RPC = \"wss://arbitrum-mainnet.infura.io/ws/v3/20bff02a2a0ee4cf43b7e467331322b3\"",
        ],
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
        pattern: r"(?:https|wss)://[a-z0-9\-]+\.(?:g\.alchemy\.com|alchemyapi\.io)/v2/(?P<secret>[A-Za-z0-9_\-]{32})".into(),
        scope: AROUND,
        min_entropy: 3.5,
        examples: &[
            "ETH_RPC = \"https://eth-mainnet.g.alchemy.com/v2/Vq3Lm8Xz2Rk7Tn4Wc9Pb1Hd6Fs5Gy0Ae\"",
            "BASE_WS=wss://base-mainnet.g.alchemy.com/v2/vC9MMW84QUynSIXvebQJAEo3UuW1ZGGg",
        ],
        negatives: &["ETH_RPC = \"https://eth-mainnet.g.alchemy.com/v2/your-api-key\""],
        remediation: "Rotate the key in the Alchemy dashboard (https://dashboard.alchemy.com/) and keep the RPC URL in .env."
            .into(),
        ..base()
    });
    rules
}

/// Block explorers that issue Etherscan-style keys (34 uppercase letters and
/// digits), as they appear in variable names and API hosts.
const EXPLORERS: &str = "(?:etherscan|bscscan|polygonscan|arbiscan|basescan|ftmscan|celoscan|lineascan|scrollscan|blastscan|gnosisscan|moonscan|cronoscan|apescan|sonicscan)";

/// A UUID: the shape of CoinMarketCap's and Polymarket's API keys, a secret
/// only under their names.
const UUID: &str = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

/// Words near a Polymarket CLOB credential: its SDK's names and env prefixes.
const POLYMARKET: &[&str] = &["polymarket", "clob", "poly_", "apicreds"];

/// Block-explorer, market-data and RPC-provider keys, transactional mail and
/// SMS credentials, and Polymarket's CLOB API credentials: each known by its
/// documented prefix or URL, or by its service's name where its value has no
/// shape of its own (a UUID, 32 or 64 hex).
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
fn chain_data_and_messaging() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(Rule {
        id: "infura-api-key",
        exchange: "infura",
        severity: Medium,
        description: "Infura project id or secret (32 hex) assigned to an Infura-named variable (INFURA_KEY, WEB3_INFURA_PROJECT_ID)",
        keywords: &["infura"],
        pattern: assign(r"infura[A-Za-z0-9_.\-]{0,24}?(?:key|id|secret|token)", "[0-9a-f]{32}", false),
        scope: NEAR_NAME,
        min_entropy: 3.0,
        validate: Some(validate::letters_and_digits),
        examples: &[
            "INFURA_KEY=0e6b270860e803d18fa7184915bc0930",
            r#"WEB3_INFURA_PROJECT_ID = "ae7dafbcd6289eeeec5ac1a25a066b42""#,
        ],
        negatives: &[
            "INFURA_KEY=${INFURA_KEY}",
            "INFURA_KEY=your-infura-project-id",
            r#"infura_key = os.environ["INFURA_KEY"]"#,
            "INFURA_NETWORK_ID=1",
            r#"commit = "0e6b270860e803d18fa7184915bc0930""#,
        ],
        remediation: "Delete the key in the Infura dashboard (https://app.infura.io/), create a new one with allowed \
                      origins or a key secret, and keep it in .env."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "quicknode-endpoint",
        exchange: "quicknode",
        severity: Medium,
        description: "QuickNode RPC endpoint URL with its token (https://<name>.<chain>.quiknode.pro/<token>/)",
        keywords: &["quiknode.pro"],
        pattern: r"(?:https|wss)://[a-z0-9\-]+(?:\.[a-z0-9\-]+)*?\.quiknode\.pro/(?P<secret>[A-Za-z0-9]{32,64})(?:[^A-Za-z0-9]|$)".into(),
        scope: AROUND,
        min_entropy: 3.0,
        validate: Some(validate::letters_and_digits),
        examples: &[
            "RPC_URL=https://wild-frosty-meadow.bsc.quiknode.pro/e096270a124a53ccc4bb86ac5550908fd2894ef7/",
            r#"ws = "wss://quiet-sparkling-river.solana-mainnet.quiknode.pro/fdnbq14TCwwJXT6egTATB8ldpKjGK2Ax""#,
        ],
        negatives: &[
            "RPC_URL=https://your-endpoint.quiknode.pro/your-token/",
            "RPC_URL=https://wild-frosty-meadow.quiknode.pro/${QUICKNODE_TOKEN}/",
            "https://www.quicknode.com/docs/ethereum/eth_blockNumber",
        ],
        remediation: "Rotate the endpoint's token in the QuickNode dashboard (https://dashboard.quicknode.com/, \
                      Endpoint > Security), and keep the endpoint URL in .env."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "etherscan-api-key",
        exchange: "etherscan",
        severity: Medium,
        description: "Etherscan-family block explorer API key (Etherscan, BscScan, PolygonScan, Arbiscan, BaseScan…: \
                      34 uppercase letters and digits) under the explorer's name or on its API URL",
        keywords: &[
            "etherscan", "bscscan", "polygonscan", "arbiscan", "basescan", "ftmscan", "celoscan", "lineascan",
            "scrollscan", "blastscan", "gnosisscan", "moonscan", "cronoscan", "apescan", "sonicscan",
        ],
        pattern: assign_or(
            EXPLORERS,
            &format!(
                // The API URL's query; a Hardhat `etherscan: { apiKey: … }`
                // block; Foundry's `[etherscan]` table.
                r"(?i:{EXPLORERS})\.[a-z.]{{2,12}}/[^\s'`<>]{{0,200}}?[?&](?i:apikey)=|(?i:{EXPLORERS}){Q}?[ \t]*[:=][ \t]*\{{[^}}]{{0,200}}?[:=][ \t]*{Q}|\[(?i:etherscan)[^\]\r\n]{{0,40}}\][^\[]{{0,300}}?\bkey[ \t]*=[ \t]*{Q}"
            ),
            "[A-Z0-9]{34}",
        ),
        // Across lines: a Hardhat or Foundry block puts the key below the explorer's name.
        scope: Scope::Span { before: 96, after: 512 },
        min_entropy: 3.5,
        validate: Some(validate::letters_and_digits),
        examples: &[
            "ETHERSCAN_API_KEY=3XRILAV63FV9CYK21KKPDHI6EYGSNO0FRN",
            r#"bscscan_key = "ZRVCMA0DY5IBP1HAHMMVAFI8B6F58M0EZM""#,
            r#"url = "https://api.etherscan.io/v2/api?chainid=1&module=account&action=balance&address=0x00&apikey=3XRILAV63FV9CYK21KKPDHI6EYGSNO0FRN""#,
            "etherscan: {\n    apiKey: \"ZRVCMA0DY5IBP1HAHMMVAFI8B6F58M0EZM\",\n  },",
            "[etherscan]\nmainnet = { key = \"3XRILAV63FV9CYK21KKPDHI6EYGSNO0FRN\" }",
        ],
        negatives: &[
            "ETHERSCAN_API_KEY=YourApiKeyToken",
            r#"url = f"https://api.etherscan.io/v2/api?chainid=1&apikey={ETHERSCAN_API_KEY}""#,
            "api_key = \"3XRILAV63FV9CYK21KKPDHI6EYGSNO0FRN\"",
            "ETHERSCAN_API_KEY=ABCDEFGHIJKLMNOPQRSTUVWXYZ01234567",
            "etherscan_tx = 0x3f9a1c7e5b2d8f4a6c0e9b1d7f3a5c8e2b4d6f0a9c1e3b5d7f2a4c6e8b0d1f3a",
        ],
        remediation: "Delete the key in the Etherscan API dashboard (https://etherscan.io/apidashboard), create a \
                      new one and keep it in .env."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "coingecko-api-key",
        exchange: "coingecko",
        severity: Medium,
        description: "CoinGecko API key (CG- and 20 to 30 letters and digits), sent as x-cg-demo-api-key or x-cg-pro-api-key",
        keywords: &["cg-"],
        pattern: bare("CG-[A-Za-z0-9]{20,30}"),
        scope: AROUND,
        min_entropy: 3.5,
        validate: Some(validate::letters_and_digits),
        examples: &[
            "COINGECKO_API_KEY=CG-OWfSLjl8MU9cdrJRM2jVrVKc",
            r#"headers = {"x-cg-pro-api-key": "CG-OWfSLjl8MU9cdrJRM2jVrVKc"}"#,
        ],
        negatives: &[
            "COINGECKO_API_KEY=CG-xxxxxxxxxxxxxxxxxxxxxxxx",
            "COINGECKO_API_KEY=CG-YOUR_API_KEY",
            "--cg-color-primary: #0a0a0a;",
            "id: MCG-OWfSLjl8MU9cdrJRM2jVrVKc",
        ],
        remediation: "Delete the key in the CoinGecko developer dashboard (https://www.coingecko.com/en/developers/dashboard), \
                      create a new one and keep it in .env."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "coinmarketcap-api-key",
        exchange: "coinmarketcap",
        severity: Medium,
        description: "CoinMarketCap API key (a UUID) under a CoinMarketCap name (X-CMC_PRO_API_KEY, CMC_API_KEY, coinmarketcap_key)",
        keywords: &["coinmarketcap", "cmc"],
        pattern: assign(r"(?:coinmarketcap|\bcmc)[A-Za-z0-9_.\-]{0,20}?(?:key|token)", UUID, false),
        scope: NEAR_NAME,
        min_entropy: 3.0,
        examples: &[
            r#"headers = {"X-CMC_PRO_API_KEY": "67019017-b499-4178-9e60-81741f0fd9e9"}"#,
            "CMC_API_KEY=2967c63d-3c9e-4381-a7f8-ec98f36face1",
        ],
        negatives: &[
            r#"headers = {"X-CMC_PRO_API_KEY": "b54bcf4d-1bca-4e8e-9a24-22ff2c3d462c"}"#,
            r#"order_id = "67019017-b499-4178-9e60-81741f0fd9e9""#,
            r#"api_key = "67019017-b499-4178-9e60-81741f0fd9e9""#,
            r#"headers = {"X-CMC_PRO_API_KEY": os.environ["CMC_API_KEY"]}"#,
            "CMC_API_KEY=00000000-0000-0000-0000-000000000000",
        ],
        remediation: "Regenerate the key in the CoinMarketCap developer portal (https://pro.coinmarketcap.com/account) \
                      and keep it in .env."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "cryptocompare-api-key",
        exchange: "cryptocompare",
        severity: Medium,
        description: "CryptoCompare API key (64 hex) under a CryptoCompare name, in an `Apikey` authorization header or on its API URL",
        keywords: &["cryptocompare", "crypto_compare", "crypto-compare", "apikey "],
        pattern: assign_or(
            r"crypto[_\-]?compare",
            r"(?i:cryptocompare\.com)/[^\s'`<>]{0,200}?[?&](?i:api_key)=|\bApikey[ \t]+",
            "[0-9a-f]{64}",
        ),
        scope: AROUND,
        min_entropy: 3.0,
        validate: Some(validate::letters_and_digits),
        examples: &[
            "CRYPTOCOMPARE_API_KEY=1b2b3be6c60ca0d367e8a299310cdfb72d73cbb49580158534011e6c90b94f84",
            r#"url = "https://min-api.cryptocompare.com/data/price?fsym=BTC&tsyms=USD&api_key=1b2b3be6c60ca0d367e8a299310cdfb72d73cbb49580158534011e6c90b94f84""#,
            r#"headers = {"authorization": "Apikey 6d01bfb1bced6352b87f50a75016a94a9c12c7ee1a546c4c1c49df53f88bb061"}"#,
        ],
        negatives: &[
            "CRYPTOCOMPARE_API_KEY=your_cryptocompare_key",
            r#"url = f"https://min-api.cryptocompare.com/data/price?fsym=BTC&api_key={key}""#,
            r#"sha = "1b2b3be6c60ca0d367e8a299310cdfb72d73cbb49580158534011e6c90b94f84""#,
            r#"headers = {"authorization": "Apikey {your_api_key}"}"#,
        ],
        remediation: "Delete the key on the CryptoCompare API keys page (https://www.cryptocompare.com/cryptopian/api-keys), \
                      create a new one and keep it in .env."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "sendgrid-api-key",
        exchange: "sendgrid",
        severity: High,
        description: "SendGrid API key (SG., 22 characters, a dot, 43 characters): sends mail as the account",
        keywords: &["sg."],
        pattern: bare(r"SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}"),
        scope: AROUND,
        min_entropy: 4.0,
        examples: &["SENDGRID_API_KEY=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"],
        negatives: &[
            "SENDGRID_API_KEY=SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "SENDGRID_API_KEY='<your SendGrid API key>'",
            "msg.lLpi15sXvJ-SmgJqwkuCbz.w86Xkw9Hid3NiMiCrnm_6h_gdVF6DV-Fekg00ikyexk",
        ],
        remediation: "Delete the key in SendGrid (https://app.sendgrid.com/settings/api_keys), create a new one with \
                      Mail Send only, and keep it in .env."
            .into(),
        ..base()
    });
    const TWILIO_REMEDIATION: &str = "Rotate the credential in the Twilio console (https://console.twilio.com/: \
                                      API keys & tokens; promote the secondary auth token), then keep it in .env.";
    rules.push(Rule {
        id: "twilio-account-sid",
        exchange: "twilio",
        severity: Low,
        description: "Twilio account SID (AC and 32 hex) near the word Twilio: an identifier, the public half of account credentials",
        keywords: &["twilio"],
        pattern: bare("AC[0-9a-fA-F]{32}"),
        scope: NEAR_CONTEXT,
        min_entropy: 3.0,
        validate: Some(validate::letters_and_digits),
        group: Some("twilio"),
        examples: &["TWILIO_ACCOUNT_SID=AC20bff02a2a0ee4cf43b7e467331322b3"],
        negatives: &[
            "TWILIO_ACCOUNT_SID=ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "TWILIO_ACCOUNT_SID=ac20bff02a2a0ee4cf43b7e467331322b3",
            "commit AC20bff02a2a0ee4cf43b7e467331322b3",
        ],
        remediation: TWILIO_REMEDIATION.into(),
        ..base()
    });
    rules.push(Rule {
        id: "twilio-api-key-sid",
        exchange: "twilio",
        severity: Medium,
        description: "Twilio API key SID (SK and 32 hex) near the word Twilio: names an API key, whose secret is its pair",
        keywords: &["twilio"],
        pattern: bare("SK[0-9a-fA-F]{32}"),
        scope: NEAR_CONTEXT,
        min_entropy: 3.0,
        validate: Some(validate::letters_and_digits),
        group: Some("twilio"),
        examples: &["TWILIO_API_KEY=SK0e6b270860e803d18fa7184915bc0930"],
        negatives: &[
            "TWILIO_API_KEY=SKXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "commit SK0e6b270860e803d18fa7184915bc0930",
        ],
        remediation: TWILIO_REMEDIATION.into(),
        ..base()
    });
    rules.push(Rule {
        id: "twilio-auth-token",
        exchange: "twilio",
        severity: High,
        description: "Twilio auth token or API key secret (32 characters) under a Twilio name, or an auth_token/api_secret near the word Twilio",
        keywords: &["twilio", "auth", "api"],
        pattern: assign(
            r"(?:twilio[A-Za-z0-9_.\-]{0,30}?(?:token|secret)|auth[_\-.]?token|api[_\-.]?secret)",
            "[A-Za-z0-9]{32}",
            false,
        ),
        context: &["twilio"],
        scope: NEAR_NAME,
        min_entropy: 3.0,
        validate: Some(validate::letters_and_digits),
        group: Some("twilio"),
        examples: &[
            "TWILIO_AUTH_TOKEN=ae7dafbcd6289eeeec5ac1a25a066b42",
            "from twilio.rest import Client\nauth_token = \"0e6b270860e803d18fa7184915bc0930\"",
        ],
        negatives: &[
            "TWILIO_AUTH_TOKEN=your_auth_token",
            "auth_token = \"0e6b270860e803d18fa7184915bc0930\"",
            "TWILIO_AUTH_TOKEN=[AuthToken]",
        ],
        remediation: TWILIO_REMEDIATION.into(),
        ..base()
    });
    const POLYMARKET_REMEDIATION: &str = "Revoke the API key (the CLOB client's delete_api_key / deleteApiKey, signed \
                                          with the wallet), create new credentials and keep them in .env; if the \
                                          wallet key leaked too, move the funds first.";
    rules.push(Rule {
        id: "polymarket-api-key",
        exchange: "polymarket",
        severity: Medium,
        description: "Polymarket CLOB API key (a UUID) under a key name near POLY_/CLOB_/Polymarket",
        keywords: &["key", "api"],
        pattern: assign(r"(?:key|api)", UUID, false),
        context: POLYMARKET,
        not_names: &["secret", "private", "priv", "pass", "cmc", "coinmarketcap"],
        scope: NEAR_NAME,
        min_entropy: 3.0,
        group: Some("polymarket"),
        examples: &[
            "POLY_API_KEY=67019017-b499-4178-9e60-81741f0fd9e9",
            r#"creds = ApiCreds(api_key="2967c63d-3c9e-4381-a7f8-ec98f36face1", api_secret=s, api_passphrase=p)"#,
        ],
        negatives: &[
            "POLY_API_KEY=${POLY_API_KEY}",
            r#"api_key = "67019017-b499-4178-9e60-81741f0fd9e9""#,
            r#"CLOB_API_URL = "https://clob.polymarket.com"  # order id 67019017-b499-4178-9e60-81741f0fd9e9"#,
        ],
        remediation: POLYMARKET_REMEDIATION.into(),
        ..base()
    });
    rules.push(Rule {
        id: "polymarket-api-secret",
        exchange: "polymarket",
        severity: High,
        description: "Polymarket CLOB API secret (base64url of 32 bytes) under a secret name near POLY_/CLOB_/Polymarket",
        keywords: &["secret"],
        pattern: assign("secret", "[A-Za-z0-9_\\-]{43}=", false),
        context: POLYMARKET,
        scope: NEAR_NAME,
        min_entropy: 4.0,
        validate: Some(validate::letters_and_digits),
        group: Some("polymarket"),
        examples: &["CLOB_SECRET=LVQlv61YvpkNi0ftWAaUL4nH86vDGHQiVzW_iyLnbDc="],
        negatives: &[
            "CLOB_SECRET=",
            "CLOB_SECRET=your-clob-secret",
            "secret = \"LVQlv61YvpkNi0ftWAaUL4nH86vDGHQiVzW_iyLnbDc=\"",
        ],
        remediation: POLYMARKET_REMEDIATION.into(),
        ..base()
    });
    rules.push(Rule {
        id: "polymarket-api-passphrase",
        exchange: "polymarket",
        severity: High,
        description: "Polymarket CLOB API passphrase under a passphrase name near POLY_/CLOB_/Polymarket",
        keywords: &["passphrase", "pass_phrase", "pass-phrase"],
        pattern: assign(r"pass[_\-]?phrase", "[A-Za-z0-9_\\-]{16,128}", false),
        context: POLYMARKET,
        scope: NEAR_NAME,
        min_entropy: 3.5,
        validate: Some(validate::letters_and_digits),
        group: Some("polymarket"),
        examples: &["POLY_PASSPHRASE=6d01bfb1bced6352b87f50a75016a94a9c12c7ee1a546c4c1c49df53f88bb061"],
        negatives: &[
            "POLY_PASSPHRASE=your_passphrase_here",
            "passphrase = \"6d01bfb1bced6352b87f50a75016a94a9c12c7ee1a546c4c1c49df53f88bb061\"",
        ],
        remediation: POLYMARKET_REMEDIATION.into(),
        ..base()
    });
    rules
}
