//! Tokens that are public by design or close to it: a PostHog project key is
//! sent by every browser that loads the page, a Coveralls repository token
//! only uploads coverage, a CircleCI status token only reads build badges.
//! They are reported (a token in a repository is still worth knowing about,
//! and a personal token pasted where a status token belongs is not harmless)
//! but at low severity, under their own names, so the generic rules do not
//! call them high-severity API secrets. PostHog's personal key, which is
//! secret, is here too, beside its public sibling.

use crate::catalog::build::{AROUND, NEAR_NAME, assign, bare};
use crate::detect::rule::{Rule, base};
use crate::finding::Severity;

/// The rules of this file, in the engine's order.
#[allow(clippy::vec_init_then_push)] // one push per rule keeps each rule a self-contained block
pub fn rules() -> Vec<Rule> {
    use Severity::*;
    let mut rules: Vec<Rule> = Vec::new();
    rules.push(Rule {
        id: "posthog-project-key",
        exchange: "posthog",
        severity: Low,
        description: "PostHog project API key (phc_…): a client-side key, public by design, that only sends events and reads feature flags",
        keywords: &["phc_"],
        pattern: bare(r"phc_[A-Za-z0-9]{32,50}"),
        scope: AROUND,
        min_entropy: 3.5,
        examples: &[
            r#"posthog.init('phc_q8RkT3vWz5LmN2pXc7HbJ4yGd9FsA6eKu1oVi0BwQnZ', {api_host: 'https://eu.i.posthog.com'})"#,
            r#"self._api_key = "phc_Zt4Kq9Wm2Lx7Bv3Nc8Hj5Rp1Gd6Fs0AyE2uKm8RtYw""#,
        ],
        negatives: &[
            r#"POSTHOG_KEY = "phc_your_project_api_key_here_0000000000000""#,
            r#"key = "phc_q8RkT3vWz5""#,
            r#"url = "https://example.com/phc_q8RkT3vWz5LmN2pXc7HbJ4yGd9FsA6eKu1oVi0BwQnZ_archive""#,
        ],
        remediation: "Public by design: PostHog's project key ships in every page that sends events. Nothing to \
                      revoke unless it is abused; then rotate it in Project settings (https://app.posthog.com/project/settings). \
                      Keep personal keys (phx_) out of the repository."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "posthog-personal-api-key",
        exchange: "posthog",
        severity: High,
        description: "PostHog personal API key (phx_…): the account's access to the private API (persons, insights, flags)",
        keywords: &["phx_"],
        pattern: bare(r"phx_[A-Za-z0-9]{32,50}"),
        scope: AROUND,
        min_entropy: 3.5,
        examples: &["POSTHOG_PERSONAL_API_KEY=phx_Hq3Lw8Zr5Tk2Vn9Bx4Mc7Gd1Js6Fp0AyE2uKm8RtQ"],
        negatives: &[
            "POSTHOG_PERSONAL_API_KEY=phx_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "POSTHOG_PERSONAL_API_KEY=phx_1234567890abcdef",
        ],
        remediation: "Delete the key under Personal API keys in PostHog's account settings \
                      (https://app.posthog.com/settings/user-api-keys) and create a scoped one kept in .env."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "coveralls-repo-token",
        exchange: "coveralls",
        severity: Low,
        description: "Coveralls repository token: lets its holder upload coverage reports for this repository, nothing more",
        keywords: &["repo_token"],
        pattern: assign(r"(?:coveralls_)?repo_token", r"[A-Za-z0-9]{32,40}", false),
        scope: NEAR_NAME,
        context: &["coveralls"],
        min_entropy: 3.5,
        examples: &[
            "service_name: travis-ci\nrepo_token: Kq7Wz2Lm9Tx4Bv8Nc3Hj6Rp1Gd5Fs0AyE\n# coveralls",
            "env:\n  COVERALLS_REPO_TOKEN: Zt4Kq9Wm2Lx7Bv3Nc8Hj5Rp1Gd6Fs0AyE",
        ],
        negatives: &[
            "env:\n  COVERALLS_REPO_TOKEN: ${{ secrets.COVERALLS_REPO_TOKEN }}",
            "repo_token: Kq7Wz2Lm9Tx4Bv8Nc3Hj6Rp1Gd5Fs0AyE",
        ],
        remediation: "Regenerate the repository token in the repository's settings on coveralls.io, and pass it \
                      from the CI's secret store."
            .into(),
        ..base()
    });
    rules.push(Rule {
        id: "circleci-status-token",
        exchange: "circleci",
        severity: Low,
        description: "CircleCI project token in a status-badge URL (circle-token=…): meant to be a Status-scope token, which only reads build status",
        keywords: &["circle-token="],
        pattern: r"circle-token=(?P<secret>[0-9a-f]{40})(?:[^0-9a-zA-Z]|$)".into(),
        scope: AROUND,
        min_entropy: 3.0,
        examples: &[
            "[![CircleCI](https://circleci.com/gh/acme/bot.svg?style=svg&circle-token=3f9a1c7e5b2d4f608a1c3e5b7d9f0a2c4e6b8d1f)](https://circleci.com/gh/acme/bot)",
        ],
        negatives: &[
            "https://circleci.com/gh/acme/bot.svg?style=svg&circle-token=<STATUS_TOKEN>",
            "https://circleci.com/gh/acme/bot.svg?style=svg&circle-token=3f9a1c7e5b2d",
        ],
        remediation: "Check the token's scope in the project's API permissions on CircleCI: a Status token is \
                      meant for badges; any other scope (or a personal token) must be deleted and replaced."
            .into(),
        ..base()
    });
    rules
}
