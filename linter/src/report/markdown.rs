//! `--format markdown`: a pull-request comment. A verdict heading, a pillar × severity table,
//! the findings (most severe first, at most [`MAX_ROWS`]), suppressed findings folded away in
//! `<details>`, and files that could not be loaded.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::sarif::{docs_url, relative_path};
use super::{RenderOptions, active, severity_counts};
use crate::engine::Outcome;
use crate::rules::{Finding, Pillar, Severity, Suppressed};

/// Findings shown in the table; the rest are counted.
pub const MAX_ROWS: usize = 100;

const SEVERITIES: [Severity; 4] = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low];
const PILLARS: [Pillar; 6] = [
    Pillar::Security,
    Pillar::Reliability,
    Pillar::PerformanceEfficiency,
    Pillar::CostOptimization,
    Pillar::OperationalExcellence,
    Pillar::Sustainability,
];

/// Text safe inside a table cell: no pipes, no line breaks, no HTML outside `code spans`
/// (inside them entities would show literally, and GitHub does not read HTML there anyway).
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_code = false;
    for c in s.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '|' => out.push_str("\\|"),
            '\r' | '\n' => out.push(' '),
            '&' if !in_code => out.push_str("&amp;"),
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// A code span safe inside a table cell.
fn code(s: &str) -> String {
    let s = s.replace('`', "'").replace('|', "\\|").replace(['\r', '\n'], " ");
    format!("`{s}`")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn verdict(outcome: &Outcome) -> String {
    let counts = severity_counts(outcome);
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let mut heading = if total == 0 {
        "wellarch-lint: no findings".to_string()
    } else {
        let parts: Vec<String> = counts
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{n} {}", s.as_str()))
            .collect();
        format!(
            "wellarch-lint: {} ({})",
            plural(total, "finding", "findings"),
            parts.join(", ")
        )
    };
    if !outcome.errors.is_empty() {
        let _ = write!(
            heading,
            ", {} not loaded",
            plural(outcome.errors.len(), "file", "files")
        );
    }
    heading
}

fn pillar_table(out: &mut String, findings: &[&Finding]) {
    out.push_str("| Pillar | Critical | High | Medium | Low |\n|---|---:|---:|---:|---:|\n");
    for pillar in PILLARS {
        let row: Vec<usize> = SEVERITIES
            .iter()
            .map(|s| {
                findings
                    .iter()
                    .filter(|f| f.rule.pillar == pillar && f.severity == *s)
                    .count()
            })
            .collect();
        if row.iter().sum::<usize>() > 0 {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                pillar.title(),
                row[0],
                row[1],
                row[2],
                row[3]
            );
        }
    }
    let totals: Vec<usize> = SEVERITIES
        .iter()
        .map(|s| findings.iter().filter(|f| f.severity == *s).count())
        .collect();
    let _ = writeln!(
        out,
        "| **Total** | {} | {} | {} | {} |",
        totals[0], totals[1], totals[2], totals[3]
    );
}

fn rule_link(f: &Finding) -> String {
    format!("[{}]({}) {}", f.rule.code, docs_url(f.rule.code), cell(f.rule.name))
}

fn place(f: &Finding) -> String {
    code(&format!("{}:{}", relative_path(&f.location.file), f.location.line))
}

pub fn document(outcome: &Outcome, opts: &RenderOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## {}\n", verdict(outcome));

    let mut findings: Vec<&Finding> = active(outcome).collect();
    // Most severe first; the engine's (file, line) order within a severity.
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));

    if !findings.is_empty() {
        pillar_table(&mut out, &findings);
        out.push_str("\n### Findings\n\n| Severity | Rule | Resource | Location | Message |\n|---|---|---|---|---|\n");
        for f in findings.iter().take(MAX_ROWS) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                f.severity.as_str(),
                rule_link(f),
                code(&f.resource),
                place(f),
                cell(&f.message)
            );
        }
        if findings.len() > MAX_ROWS {
            let _ = writeln!(
                out,
                "\n…and {} more (run `wellarch-lint` locally or see the SARIF report for all of them).",
                findings.len() - MAX_ROWS
            );
        }
        out.push('\n');
    }

    let suppressed: Vec<&Finding> = outcome.findings.iter().filter(|f| f.suppressed.is_some()).collect();
    if !suppressed.is_empty() {
        let _ = writeln!(
            out,
            "<details>\n<summary>{} suppressed</summary>\n\n| Rule | Resource | Location | Reason |\n|---|---|---|---|",
            plural(suppressed.len(), "finding", "findings")
        );
        for f in suppressed.iter().take(MAX_ROWS) {
            let reason = match &f.suppressed {
                Some(Suppressed::Inline { reason }) => cell(reason),
                Some(Suppressed::Baseline) => "baseline".to_string(),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                rule_link(f),
                code(&f.resource),
                place(f),
                reason
            );
        }
        if suppressed.len() > MAX_ROWS {
            let _ = writeln!(out, "\n…and {} more.", suppressed.len() - MAX_ROWS);
        }
        out.push_str("\n</details>\n\n");
    }

    if !outcome.errors.is_empty() {
        let _ = writeln!(out, "### Files not loaded\n");
        for e in &outcome.errors {
            let _ = writeln!(
                out,
                "- {}: {}",
                code(&format!("{}:{}:{}", relative_path(&e.file), e.line, e.column)),
                cell(&e.message)
            );
        }
        out.push('\n');
    }

    let _ = writeln!(
        out,
        "<sub>{} and {} checked; fail-on: {}.</sub>",
        plural(outcome.files, "file", "files"),
        plural(outcome.resources, "resource", "resources"),
        opts.fail_on.as_str()
    );
    out
}

pub fn render(outcome: &Outcome, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(document(outcome, opts).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_and_html_outside_code() {
        assert_eq!(cell("a | <b> `x<y|z` &\nc"), "a \\| &lt;b&gt; `x<y\\|z` &amp; c");
        assert_eq!(code("a`b|c"), "`a'b\\|c`");
    }
}
