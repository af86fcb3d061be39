//! Diagnostics: how every user-fixable problem reaches Terraform (never as a gRPC error),
//! optionally pinned to an attribute so Terraform prints the file and line.

use wellarch_blueprints::PathStep;

use crate::proto::tfplugin6 as pb;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    /// The attribute the problem is about, from the root of the resource or provider block.
    pub path: Option<Vec<PathStep>>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            path: None,
        }
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(summary, detail)
        }
    }

    /// Pins the diagnostic to an attribute.
    pub fn at(mut self, path: Vec<PathStep>) -> Self {
        self.path = (!path.is_empty()).then_some(path);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn to_proto(&self) -> pb::Diagnostic {
        pb::Diagnostic {
            severity: match self.severity {
                Severity::Error => pb::diagnostic::Severity::Error,
                Severity::Warning => pb::diagnostic::Severity::Warning,
            } as i32,
            summary: self.summary.clone(),
            detail: self.detail.clone(),
            attribute: self.path.as_deref().map(attribute_path),
        }
    }
}

/// Shorthand for an attribute path step.
pub fn attr(name: &str) -> PathStep {
    PathStep::Attribute(name.to_string())
}

pub fn attribute_path(steps: &[PathStep]) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: steps
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    PathStep::Attribute(name) => Selector::AttributeName(name.clone()),
                    PathStep::Key(key) => Selector::ElementKeyString(key.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(i64::try_from(*i).unwrap_or(i64::MAX)),
                }),
            })
            .collect(),
    }
}

pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

pub fn to_proto(diagnostics: &[Diagnostic]) -> Vec<pb::Diagnostic> {
    diagnostics.iter().map(Diagnostic::to_proto).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_protocol_steps() {
        let d = Diagnostic::error("bad", "worse").at(vec![attr("routes"), PathStep::Index(2), attr("path")]);
        let p = d.to_proto();
        assert_eq!(p.severity, pb::diagnostic::Severity::Error as i32);
        let steps = p.attribute.expect("has a path").steps;
        assert_eq!(steps.len(), 3);
        assert_eq!(
            steps[1].selector,
            Some(pb::attribute_path::step::Selector::ElementKeyInt(2))
        );
        assert!(Diagnostic::warning("w", "").at(vec![]).to_proto().attribute.is_none());
    }
}
