//! `--format json`: the stable machine interface (design.md §4). Version 1; fields are only
//! ever added.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{active, severity_counts};
use crate::engine::Outcome;
use crate::graph::Location;
use crate::rules::{Finding, Suppressed};

fn location(l: &Location) -> Value {
    json!({ "file": &*l.file, "line": l.line, "column": l.column })
}

fn finding(f: &Finding) -> Value {
    let mut v = json!({
        "rule": f.rule.code,
        "name": f.rule.name,
        "pillar": f.rule.pillar.as_str(),
        "severity": f.severity.as_str(),
        "resource": f.resource,
        "message": f.message,
        "best_practice": f.rule.best_practice,
        "location": location(&f.location),
        "related": f.related.iter().map(|r| json!({
            "resource": r.resource,
            "message": r.message,
            "location": location(&r.location),
        })).collect::<Vec<_>>(),
        "suppressed": f.suppressed.is_some(),
    });
    if let Some(s) = &f.suppressed {
        v["suppression"] = match s {
            Suppressed::Inline { reason } => json!({ "kind": "inline", "reason": reason }),
            Suppressed::Baseline => json!({ "kind": "baseline" }),
        };
    }
    v
}

pub fn document(outcome: &Outcome) -> Value {
    let by_severity: serde_json::Map<String, Value> = severity_counts(outcome)
        .iter()
        .map(|(s, n)| (s.as_str().to_string(), json!(n)))
        .collect();
    json!({
        "version": 1,
        "summary": {
            "files": outcome.files,
            "resources": outcome.resources,
            "findings": active(outcome).count(),
            "suppressed": outcome.findings.len() - active(outcome).count(),
            "errors": outcome.errors.len(),
            "by_severity": by_severity,
        },
        "findings": outcome.findings.iter().map(finding).collect::<Vec<_>>(),
        "errors": outcome.errors,
    })
}

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(outcome))?;
    writeln!(out)
}
