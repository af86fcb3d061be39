//! `--format junit`: JUnit XML for CI test-report views (GitLab, Jenkins, Azure DevOps).
//!
//! One `<testsuite>` per rule with findings (name `CODE name`), one `<testcase>` per finding
//! (name = resource, classname = CODE) holding a `<failure>`; suppressed findings are
//! `<skipped>`. Files that could not be loaded are `<error>` test cases in a `load` suite. A
//! clean run has one passing test case so the report is never empty.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::sarif::relative_path;
use crate::engine::Outcome;
use crate::load::config::LoadError;
use crate::rules::{Finding, Suppressed};

/// Escapes an attribute value: like [`escape`], and keeps line breaks as character references
/// (a parser would turn literal ones into spaces).
pub fn attr(s: &str) -> String {
    escape(s)
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace('\t', "&#9;")
}

/// Escapes text for XML content and attribute values; drops characters XML 1.0 forbids.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn failure_text(f: &Finding) -> String {
    let mut text = format!(
        "{}:{}:{}: {} {} ({}): {}\n",
        f.location.file,
        f.location.line,
        f.location.column,
        f.severity.as_str(),
        f.rule.code,
        f.rule.name,
        f.message
    );
    for r in &f.related {
        let _ = writeln!(
            text,
            "related: {}: {} ({}:{}:{})",
            r.resource, r.message, r.location.file, r.location.line, r.location.column
        );
    }
    let _ = writeln!(text, "Rule: {}", f.rule.summary());
    let _ = writeln!(text, "Well-Architected best practice: {}", f.rule.best_practice);
    let _ = write!(text, "See `wellarch-lint explain {}`.", f.rule.code);
    text
}

fn testcase(out: &mut String, f: &Finding) {
    let _ = writeln!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\" time=\"0\">",
        attr(&f.resource),
        attr(f.rule.code),
        attr(&relative_path(&f.location.file)),
        f.location.line
    );
    match &f.suppressed {
        Some(s) => {
            let reason = match s {
                Suppressed::Inline { reason } => reason.as_str(),
                Suppressed::Baseline => "recorded in the baseline",
            };
            let _ = writeln!(
                out,
                "      <skipped message=\"{}\"/>",
                attr(&format!("suppressed: {reason}"))
            );
        }
        None => {
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                attr(&f.message),
                f.severity.as_str(),
                escape(&failure_text(f))
            );
        }
    }
    out.push_str("    </testcase>\n");
}

fn load_suite(out: &mut String, errors: &[LoadError]) {
    let _ = writeln!(
        out,
        "  <testsuite name=\"load\" tests=\"{n}\" failures=\"0\" errors=\"{n}\" skipped=\"0\" time=\"0\">",
        n = errors.len()
    );
    for e in errors {
        let _ = writeln!(
            out,
            "    <testcase name=\"{}\" classname=\"load\" file=\"{}\" line=\"{}\" time=\"0\">",
            attr(&e.file),
            attr(&relative_path(&e.file)),
            e.line
        );
        let _ = writeln!(
            out,
            "      <error message=\"{}\" type=\"load\">{}</error>",
            attr(&e.message),
            escape(&format!("{}:{}:{}: {}", e.file, e.line, e.column, e.message))
        );
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n");
}

pub fn document(outcome: &Outcome) -> String {
    // Rules in code order, each with its findings in the engine's (file, line) order.
    let mut codes: Vec<&str> = outcome.findings.iter().map(|f| f.rule.code).collect();
    codes.sort_unstable();
    codes.dedup();

    let failures = outcome.findings.iter().filter(|f| f.suppressed.is_none()).count();
    let skipped = outcome.findings.len() - failures;
    let errors = outcome.errors.len();
    let clean = outcome.findings.is_empty() && outcome.errors.is_empty();
    let tests = outcome.findings.len() + errors + usize::from(clean);

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"wellarch-lint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"0\">"
    );
    if !outcome.errors.is_empty() {
        load_suite(&mut out, &outcome.errors);
    }
    for code in codes {
        let findings: Vec<&Finding> = outcome.findings.iter().filter(|f| f.rule.code == code).collect();
        let Some(first) = findings.first() else {
            continue;
        };
        let failed = findings.iter().filter(|f| f.suppressed.is_none()).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"{}\" time=\"0\">",
            attr(&format!("{} {}", code, first.rule.name)),
            findings.len(),
            findings.len() - failed
        );
        for f in findings {
            testcase(&mut out, f);
        }
        out.push_str("  </testsuite>\n");
    }
    if clean {
        out.push_str(
            "  <testsuite name=\"wellarch-lint\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0\">\n",
        );
        let _ = writeln!(
            out,
            "    <testcase name=\"no findings in {} files, {} resources\" classname=\"wellarch-lint\" time=\"0\"/>",
            outcome.files, outcome.resources
        );
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(document(outcome).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
    }
}
