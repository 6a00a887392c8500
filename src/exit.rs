//! The exit status as a type: clean (0), findings at or above the `--fail-on`
//! threshold (1), could not run (2). The mapping to numbers lives here only.

use crate::finding::{Finding, Severity};

/// The lowest severity that fails a run, or never.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    At(Severity),
    Never,
}

impl FailOn {
    /// True when `finding` fails the run. Findings in gitignored files never do.
    pub fn fails(self, finding: &Finding) -> bool {
        match self {
            FailOn::Never => false,
            FailOn::At(min) => finding.is_leak() && finding.severity >= min,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    Clean,
    Findings,
    Error,
}

impl ExitStatus {
    pub fn code(self) -> i32 {
        match self {
            ExitStatus::Clean => 0,
            ExitStatus::Findings => 1,
            ExitStatus::Error => 2,
        }
    }

    pub fn from_findings(findings: &[Finding], fail_on: FailOn) -> ExitStatus {
        if findings.iter().any(|f| fail_on.fails(f)) {
            ExitStatus::Findings
        } else {
            ExitStatus::Clean
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Source;

    fn finding(severity: Severity, source: Source) -> Finding {
        Finding {
            severity,
            ..Finding::sample("r", "p", source, None)
        }
    }

    #[test]
    fn threshold() {
        let low = [finding(Severity::Low, Source::Tree)];
        let high = [finding(Severity::High, Source::Tree)];
        let ignored = [finding(Severity::Critical, Source::Ignored)];
        let medium = FailOn::At(Severity::Medium);
        assert_eq!(ExitStatus::from_findings(&low, medium), ExitStatus::Clean);
        assert_eq!(
            ExitStatus::from_findings(&high, medium),
            ExitStatus::Findings
        );
        assert_eq!(
            ExitStatus::from_findings(&high, FailOn::At(Severity::Critical)),
            ExitStatus::Clean
        );
        assert_eq!(
            ExitStatus::from_findings(&high, FailOn::Never),
            ExitStatus::Clean
        );
        assert_eq!(
            ExitStatus::from_findings(&low, FailOn::At(Severity::Low)),
            ExitStatus::Findings
        );
        assert_eq!(
            ExitStatus::from_findings(&ignored, FailOn::At(Severity::Low)),
            ExitStatus::Clean
        );
        assert_eq!(ExitStatus::Error.code(), 2);
    }
}
