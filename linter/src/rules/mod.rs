//! The rules. One rule per file under `rules/<pillar>/`; its doc comment, declared through
//! [`declare_rule!`], is its documentation (`wellarch-lint explain CODE`, `docs/rules/CODE.md`).

pub mod cost;
pub mod network;
pub mod operations;
pub mod performance;
pub mod reliability;
pub mod security;
pub mod sustainability;

use serde::{Deserialize, Serialize};

use crate::graph::{Graph, Location, Resource};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

/// The six Well-Architected pillars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pillar {
    Security,
    Reliability,
    PerformanceEfficiency,
    CostOptimization,
    OperationalExcellence,
    Sustainability,
}

impl Pillar {
    pub fn as_str(self) -> &'static str {
        match self {
            Pillar::Security => "security",
            Pillar::Reliability => "reliability",
            Pillar::PerformanceEfficiency => "performance_efficiency",
            Pillar::CostOptimization => "cost_optimization",
            Pillar::OperationalExcellence => "operational_excellence",
            Pillar::Sustainability => "sustainability",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Pillar::Security => "Security",
            Pillar::Reliability => "Reliability",
            Pillar::PerformanceEfficiency => "Performance Efficiency",
            Pillar::CostOptimization => "Cost Optimization",
            Pillar::OperationalExcellence => "Operational Excellence",
            Pillar::Sustainability => "Sustainability",
        }
    }
}

/// What every rule records about itself.
#[derive(Debug)]
pub struct RuleMeta {
    /// `SEC001`: pillar prefix and a number, never reused.
    pub code: &'static str,
    /// Kebab-case name of the pattern found: `db-in-public-subnet`.
    pub name: &'static str,
    pub pillar: Pillar,
    pub severity: Severity,
    /// The Well-Architected best practice it serves, e.g. `SEC05-BP01`.
    pub best_practice: &'static str,
    pub since: &'static str,
    /// The rule's doc comment (Markdown).
    pub docs: &'static str,
}

impl RuleMeta {
    /// The documentation with the one leading space of each `///` line removed.
    pub fn documentation(&self) -> String {
        self.docs
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// First sentence of "What it does", for listings and SARIF short descriptions.
    pub fn summary(&self) -> String {
        let doc = self.documentation();
        let body = doc.split("## What it does").nth(1).unwrap_or(&doc);
        let para: String = body
            .lines()
            .map(str::trim)
            .skip_while(|l| l.is_empty())
            .take_while(|l| !l.is_empty() && !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join(" ");
        para.split_inclusive(". ").next().unwrap_or(&para).trim().to_string()
    }

    /// A fenced code block under a `## <heading>` of the documentation.
    pub fn example(&self, heading: &str) -> Option<String> {
        let doc = self.documentation();
        let section = doc.split(&format!("## {heading}\n")).nth(1)?;
        let section = section.split("\n## ").next()?;
        let start = section.find("```")?;
        let after = &section[start + 3..];
        let body_start = after.find('\n')? + 1;
        let end = after[body_start..].find("```")?;
        Some(after[body_start..body_start + end].to_string())
    }
}

/// A place related to a finding: the route table that makes a subnet public, the queue
/// that feeds a Lambda.
#[derive(Debug, Clone)]
pub struct Related {
    pub resource: String,
    pub location: Location,
    pub message: String,
}

/// Why a finding does not count.
#[derive(Debug, Clone, PartialEq)]
pub enum Suppressed {
    Inline { reason: String },
    Baseline,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    /// The rule's severity, or the one `.wellarch.toml` overrides it with.
    pub severity: Severity,
    /// Address as users see it (`module.data.aws_db_instance.x`, `wellarch_x.y/aws_sqs_queue.q`).
    pub resource: String,
    pub message: String,
    pub location: Location,
    pub related: Vec<Related>,
    pub suppressed: Option<Suppressed>,
    /// The block the finding belongs to, for inline suppressions: (file, first line, last line).
    pub block: (std::sync::Arc<str>, u32, u32),
}

impl Finding {
    pub fn related(&mut self, resource: &Resource, attr: Option<&str>, message: impl Into<String>) -> &mut Finding {
        let location = match attr {
            Some(a) => resource.location_of(a).clone(),
            None => resource.location.clone(),
        };
        self.related.push(Related {
            resource: resource.display_address(),
            location,
            message: message.into(),
        });
        self
    }
}

/// What a rule reports into.
pub struct Ctx<'g> {
    pub graph: &'g Graph,
    meta: &'static RuleMeta,
    pub findings: Vec<Finding>,
}

impl<'g> Ctx<'g> {
    pub fn new(graph: &'g Graph, meta: &'static RuleMeta) -> Ctx<'g> {
        Ctx {
            graph,
            meta,
            findings: Vec::new(),
        }
    }

    /// Reports `resource`, pointing at attribute `attr` when given (or the block when absent).
    pub fn report(&mut self, resource: &Resource, attr: Option<&str>, message: impl Into<String>) -> &mut Finding {
        let location = match attr {
            Some(a) => resource.location_of(a).clone(),
            None => resource.location.clone(),
        };
        self.findings.push(Finding {
            rule: self.meta,
            severity: self.meta.severity,
            resource: resource.display_address(),
            message: message.into(),
            location,
            related: Vec::new(),
            suppressed: None,
            block: (resource.location.file.clone(), resource.lines.0, resource.lines.1),
        });
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }
}

pub trait Rule: Sync + Send {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, ctx: &mut Ctx<'_>);
}

/// Declares a rule type whose doc comment becomes its documentation.
///
/// The doc comment must have the sections `## What it does`, `## Why is this bad?`,
/// `## Example` (an ```hcl block that triggers the rule), `## Use instead` (an ```hcl block
/// that does not) and `## Well-Architected`. Both examples are run as tests.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis struct $name:ident {
            code: $code:literal,
            name: $rname:literal,
            pillar: $pillar:ident,
            severity: $sev:ident,
            best_practice: $bp:literal,
            since: $since:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        $vis struct $name;

        impl $name {
            pub const META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                code: $code,
                name: $rname,
                pillar: $crate::rules::Pillar::$pillar,
                severity: $crate::rules::Severity::$sev,
                best_practice: $bp,
                since: $since,
                docs: concat!($($doc, "\n"),*),
            };
        }
    };
}

/// Every rule, in code order.
pub fn all() -> Vec<&'static dyn Rule> {
    let mut rules: Vec<&'static dyn Rule> = Vec::new();
    for pillar in [
        security::RULES,
        reliability::RULES,
        performance::RULES,
        cost::RULES,
        operations::RULES,
        sustainability::RULES,
    ] {
        rules.extend_from_slice(pillar);
    }
    rules.sort_by_key(|r| r.meta().code);
    rules
}

pub fn find(code_or_name: &str) -> Option<&'static dyn Rule> {
    all()
        .into_iter()
        .find(|r| r.meta().code.eq_ignore_ascii_case(code_or_name) || r.meta().name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let rules = all();
        let mut codes: Vec<&str> = rules.iter().map(|r| r.meta().code).collect();
        codes.dedup();
        assert_eq!(codes.len(), rules.len(), "duplicate rule code");
        for r in &rules {
            let m = r.meta();
            let prefix = match m.pillar {
                Pillar::Security => "SEC",
                Pillar::Reliability => "REL",
                Pillar::PerformanceEfficiency => "PERF",
                Pillar::CostOptimization => "COST",
                Pillar::OperationalExcellence => "OPS",
                Pillar::Sustainability => "SUS",
            };
            assert!(
                m.code.starts_with(prefix) && m.code[prefix.len()..].len() == 3,
                "{}",
                m.code
            );
            assert!(
                m.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()),
                "{}",
                m.name
            );
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Use instead",
                "## Well-Architected",
            ] {
                assert!(m.documentation().contains(section), "{} lacks {section}", m.code);
            }
            assert!(
                m.example("Example").is_some() && m.example("Use instead").is_some(),
                "{}",
                m.code
            );
        }
    }
}
