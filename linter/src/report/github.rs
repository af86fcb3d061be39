//! `--format github`: GitHub Actions workflow commands, one annotation per active finding
//! (`::error file=…,line=…,col=…,title=…::message`) and per file that could not be loaded.

use std::io::{self, Write};

use super::active;
use super::sarif::relative_path;
use crate::engine::Outcome;
use crate::rules::{Finding, Severity};

/// Escapes the message part of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`): also `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "notice",
    }
}

fn annotation(f: &Finding) -> String {
    let title = format!("{} {}", f.rule.code, f.rule.name);
    let message = format!(
        "{}: {} [{}, {}; see `wellarch-lint explain {}`]",
        f.resource,
        f.message,
        f.severity.as_str(),
        f.rule.best_practice,
        f.rule.code
    );
    format!(
        "::{} file={},line={},col={},title={}::{}",
        command(f.severity),
        escape_property(&relative_path(&f.location.file)),
        f.location.line.max(1),
        f.location.column.max(1),
        escape_property(&title),
        escape_data(&message)
    )
}

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    for e in &outcome.errors {
        writeln!(
            out,
            "::error file={},line={},col={},title={}::{}",
            escape_property(&relative_path(&e.file)),
            e.line.max(1),
            e.column.max(1),
            escape_property("file not loaded (wellarch-lint)"),
            escape_data(&e.message)
        )?;
    }
    for f in active(outcome) {
        writeln!(out, "{}", annotation(f))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("100%\r\nok: a,b"), "100%25%0D%0Aok: a,b");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
