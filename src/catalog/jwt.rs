//! JSON Web Tokens: a signed bearer credential (`eyJ…` header, payload and
//! signature) that grants whatever its payload claims until it expires. API
//! servers of trading bots hand them out; tests and documentation show them.
//! Supabase project keys are JWTs too, told apart by their claims: the
//! `anon` key is public by design, the `service_role` key bypasses row
//! level security.

use crate::catalog::build::bare;
use crate::detect::rule::{Rule, Scope, base};
use crate::detect::validate;
use crate::finding::Severity;

/// A JWT from its header on.
const JWT: &str =
    r"eyJ[A-Za-z0-9_\-]{8,}={0,2}\.eyJ[A-Za-z0-9_\-]{8,}={0,2}\.[A-Za-z0-9_\-]{16,}={0,2}";

/// From the header on, as far as a long token reaches.
const FROM_HEADER: Scope = Scope::NearKeyword {
    before: 1,
    after: 4096,
};

const SUPABASE_ANON: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6ImtxenZ0cm14cGx3Ym5oZHllY3NhIiwicm9sZSI6ImFub24iLCJpYXQiOjE3NjcyMjU2MDAsImV4cCI6MjA4MjU4NTYwMH0.YRzyXrdhcpCmjmCQI-jWio3bZaQ1S9JGenKwm83iV_U";
const SUPABASE_SERVICE: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6ImtxenZ0cm14cGx3Ym5oZHllY3NhIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImlhdCI6MTc2NzIyNTYwMCwiZXhwIjoyMDgyNTg1NjAwfQ.TuY_dmXt0VDzWS3_O90dinrdmAyijWn1UvBVOYktMC4";

/// The rules of this file, in the engine's order.
pub fn rules() -> Vec<Rule> {
    vec![
        Rule {
            id: "supabase-service-role-key",
            exchange: "supabase",
            severity: Severity::Critical,
            description: "Supabase service_role key (a JWT of role service_role): full access to the project's data, past row level security",
            keywords: &["eyJ"],
            pattern: bare(JWT),
            scope: FROM_HEADER,
            validate: Some(validate::supabase_service_key),
            examples: &[SUPABASE_SERVICE],
            negatives: &[SUPABASE_ANON],
            remediation: "Rotate the project's JWT secret or API keys in the Supabase dashboard (Project Settings, API), \
                          and keep the service_role key on the server, in .env."
                .into(),
            ..base()
        },
        Rule {
            id: "supabase-anon-key",
            exchange: "supabase",
            severity: Severity::Low,
            description: "Supabase anon key (a JWT of role anon): public by design, shipped in web clients; row level security guards the data",
            keywords: &["eyJ"],
            pattern: bare(JWT),
            scope: FROM_HEADER,
            validate: Some(validate::supabase_anon_key),
            examples: &[SUPABASE_ANON],
            negatives: &[SUPABASE_SERVICE],
            remediation: "Public by design: check that row level security is on for every table the anon role \
                          can reach (Supabase dashboard, Authentication, Policies)."
                .into(),
            ..base()
        },
        Rule {
            id: "jwt",
            exchange: "jwt",
            severity: Severity::Medium,
            description: "JSON Web Token (header with its alg, payload, signature): a bearer credential until it expires",
            keywords: &["eyJ"],
            pattern: bare(JWT),
            scope: FROM_HEADER,
            validate: Some(validate::jwt),
            examples: &[
                r#"headers = {"Authorization": "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJib3QtNyIsInNjb3BlIjoidHJhZGUiLCJpYXQiOjE3NjcyMjU2MDB9.cl8sdlU215Pg759UbwYHyRjw3w2T4zu0PpxnGSeQIy8"}"#,
                "access_token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJvcHMiLCJleHAiOjE3NjcyMjkyMDB9.4nQMjrcyi-kO7NAvKFXLgybvY7E8ck1bRiB1vXR6wHg",
            ],
            negatives: &[
                // A header alone, a token without a signature, and base64 that is no JSON.
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
                "token = eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJvcHMifQ.",
                "data = eyJ0aGlzIGlzIG5vdCBqc29u.eyJhbHNvIG5vdCBqc29uIGF0IGFsbA.c2lnbmF0dXJlc2lnbmF0dXJl",
                SUPABASE_ANON,
            ],
            remediation: "Revoke the token where it was issued (or rotate the signing secret that made it), and \
                          keep tokens out of the repository: fetch them at run time."
                .into(),
            ..base()
        },
    ]
}
