//! Plan-time Well-Architected checks: the linter's rules run on a composite's expansion
//! exactly as on hand-written resources, and each finding becomes a diagnostic.

use wellarch_blueprints::Expansion;
use wellarch_lint::rules::Finding;

use crate::diagnostics::Diagnostic;
use crate::provider_config::LintSettings;

/// Findings on `expansion` as diagnostics: warnings, or errors when the provider block
/// sets `well_architected { enforce = true }`.
pub fn check(address: &str, expansion: &Expansion, settings: &LintSettings) -> Vec<Diagnostic> {
    let disabled: Vec<String> = settings.disabled_rules.iter().cloned().collect();
    wellarch_lint::composite::lint_expansion(address, expansion, &disabled)
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| diagnostic(f, settings.enforce))
        .collect()
}

/// `SEC001 db-in-public-subnet: <message>`, with the child and the best practice in the
/// detail. No attribute path: a finding is about a generated child, not one attribute.
pub fn diagnostic(finding: &Finding, enforce: bool) -> Diagnostic {
    let rule = finding.rule;
    let summary = format!("{} {}: {}", rule.code, rule.name, finding.message);
    let detail = format!(
        "Component {} does not follow the Well-Architected best practice {} ({} pillar, {} severity). \
         Run `wellarch-lint explain {}` for details; to skip this rule add \"{}\" to \
         well_architected.disabled_rules in the provider block.",
        finding.resource,
        rule.best_practice,
        rule.pillar.title(),
        finding.severity.as_str(),
        rule.code,
        rule.code,
    );
    if enforce {
        Diagnostic::error(summary, detail)
    } else {
        Diagnostic::warning(summary, detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Severity;
    use wellarch_lint::graph::Location;

    #[test]
    fn findings_become_warnings_or_enforced_errors() {
        let rule = wellarch_lint::rules::all()
            .into_iter()
            .next()
            .expect("the linter has rules")
            .meta();
        let finding = Finding {
            rule,
            severity: rule.severity,
            resource: "wellarch_burst_tolerant_api.orders/aws_sqs_queue.jobs".into(),
            message: "something is off".into(),
            location: Location {
                file: "composite".into(),
                line: 1,
                column: 1,
                offset: 0,
                len: 0,
            },
            related: Vec::new(),
            suppressed: None,
            block: ("composite".into(), 1, 1),
        };
        let w = diagnostic(&finding, false);
        assert_eq!(w.severity, Severity::Warning);
        assert_eq!(w.summary, format!("{} {}: something is off", rule.code, rule.name));
        assert!(w.detail.contains("aws_sqs_queue.jobs"), "{}", w.detail);
        assert!(w.detail.contains(rule.best_practice), "{}", w.detail);
        assert!(w.path.is_none());
        assert_eq!(diagnostic(&finding, true).severity, Severity::Error);
    }
}
