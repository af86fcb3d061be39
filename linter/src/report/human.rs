//! `--format human` (the default): miette code frames pointing at the offending attribute or
//! block, then a one-line summary.
//!
//! Files that could not be loaded come first as `error: file:line:col: message`. Each active
//! finding is a diagnostic with code `CODE(name)`, the severity as miette's error / warning /
//! advice style, a label on the finding's span (its first line; the whole line when the span
//! is empty), related places in the same file as further labels (elsewhere as `related:`
//! help lines) and a help line naming the best practice and `wellarch-lint explain CODE`.
//! When a file cannot be read back (or the span does not fit it) the finding degrades to a
//! plain `file:line:col: severity CODE resource: message` line. Suppressed findings are only
//! counted. Without colour the output is plain ASCII.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};

use super::{RenderOptions, active, severity_counts};
use crate::engine::Outcome;
use crate::graph::Location;
use crate::rules::{Finding, Related, Severity};

/// One finding as a miette diagnostic.
#[derive(Debug)]
struct Frame {
    message: String,
    code: String,
    severity: miette::Severity,
    help: String,
    labels: Vec<LabeledSpan>,
    source: NamedSource<Arc<str>>,
}

impl fmt::Display for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Frame {}

impl Diagnostic for Frame {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.help.is_empty()).then(|| Box::new(&self.help) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// Source texts read back from disk, once per file.
#[derive(Default)]
struct Sources {
    cache: HashMap<Arc<str>, Option<Arc<str>>>,
}

impl Sources {
    fn get(&mut self, file: &Arc<str>) -> Option<Arc<str>> {
        self.cache
            .entry(file.clone())
            .or_insert_with(|| std::fs::read_to_string(&**file).ok().map(Arc::from))
            .clone()
    }
}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Critical | Severity::High => miette::Severity::Error,
        Severity::Medium => miette::Severity::Warning,
        Severity::Low => miette::Severity::Advice,
    }
}

/// Byte offset where 1-based `line` starts.
fn line_start(text: &str, line: u32) -> Option<usize> {
    if line <= 1 {
        return Some(0);
    }
    text.match_indices('\n').nth(line as usize - 2).map(|(i, _)| i + 1)
}

/// The span to highlight: the location's first line (trimmed), or the whole line of
/// `location.line` when the location has no length. `None` when it does not fit the text.
fn span(text: &str, loc: &Location) -> Option<(usize, usize)> {
    let (start, end) = if loc.len == 0 {
        let start = line_start(text, loc.line)?;
        (start, text.len())
    } else {
        let end = loc.offset.checked_add(loc.len)?;
        (loc.offset, end)
    };
    if end > text.len() || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
        return None;
    }
    let first_line = &text[start..end];
    let first_line = first_line.split('\n').next().unwrap_or(first_line);
    let trimmed_start = first_line.len() - first_line.trim_start().len();
    let trimmed = first_line.trim();
    if trimmed.is_empty() {
        return Some((start, 0));
    }
    Some((start + trimmed_start, trimmed.len()))
}

fn place(l: &Location) -> String {
    format!("{}:{}:{}", l.file, l.line, l.column)
}

fn related_line(r: &Related) -> String {
    format!("related: {} ({}, {})", r.message, r.resource, place(&r.location))
}

fn help_line(f: &Finding) -> String {
    format!(
        "Well-Architected {}; see `wellarch-lint explain {}`",
        f.rule.best_practice, f.rule.code
    )
}

/// The finding as a code frame, or `None` when its source cannot be shown.
fn frame(f: &Finding, sources: &mut Sources) -> Option<Frame> {
    let text = sources.get(&f.location.file)?;
    let (start, len) = span(&text, &f.location)?;
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        Some(f.resource.clone()),
        (start, len),
    )];
    let mut help = Vec::new();
    for r in &f.related {
        let same = r.location.file == f.location.file;
        match span(&text, &r.location).filter(|_| same) {
            Some(s) => labels.push(LabeledSpan::new_with_span(
                Some(format!("{}: {}", r.resource, r.message)),
                s,
            )),
            None => help.push(related_line(r)),
        }
    }
    help.push(help_line(f));
    Some(Frame {
        message: format!("[{}] {}", f.severity.as_str(), f.message),
        code: format!("{}({})", f.rule.code, f.rule.name),
        severity: miette_severity(f.severity),
        help: help.join("\n"),
        labels,
        source: NamedSource::new(&*f.location.file, text),
    })
}

fn plain(f: &Finding) -> String {
    let mut s = format!(
        "{}: {} {} {}: {}\n",
        place(&f.location),
        f.severity.as_str(),
        f.rule.code,
        f.resource,
        f.message
    );
    for r in &f.related {
        s.push_str(&format!("  {}\n", related_line(r)));
    }
    s.push_str(&format!("  help: {}\n", help_line(f)));
    s
}

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn summary(outcome: &Outcome, opts: &RenderOptions) -> String {
    let counts = severity_counts(outcome);
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let per_severity: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {}", s.as_str())).collect();
    let suppressed = outcome.findings.len() - total;
    let mut line = format!("{} ({})", plural(total, "finding", "findings"), per_severity.join(", "));
    if suppressed > 0 {
        line.push_str(&format!(", {suppressed} suppressed"));
    }
    if !outcome.errors.is_empty() {
        line.push_str(&format!(
            ", {}",
            plural(outcome.errors.len(), "file not loaded", "files not loaded")
        ));
    }
    line.push_str(&format!(
        "; {} and {} checked; fail-on: {}",
        plural(outcome.files, "file", "files"),
        plural(outcome.resources, "resource", "resources"),
        opts.fail_on.as_str()
    ));
    let failing = active(outcome).any(|f| f.severity >= opts.fail_on);
    let style = if !outcome.errors.is_empty() || failing {
        "1;31"
    } else {
        "1;32"
    };
    paint(opts.color, style, &line)
}

pub fn document(outcome: &Outcome, opts: &RenderOptions) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::none()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .without_syntax_highlighting()
        .with_links(false);
    let mut out = String::new();
    for e in &outcome.errors {
        out.push_str(&format!(
            "{}: {}:{}:{}: {}\n",
            paint(opts.color, "1;31", "error"),
            e.file,
            e.line,
            e.column,
            e.message
        ));
    }
    if !outcome.errors.is_empty() {
        out.push('\n');
    }
    let mut sources = Sources::default();
    for f in active(outcome) {
        let rendered = frame(f, &mut sources).and_then(|d| {
            let mut s = String::new();
            handler.render_report(&mut s, &d).ok().map(|()| s)
        });
        match rendered {
            Some(s) => out.push_str(&s),
            None => out.push_str(&plain(f)),
        }
        out.push('\n');
    }
    out.push_str(&summary(outcome, opts));
    out.push('\n');
    out
}

pub fn render(outcome: &Outcome, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(document(outcome, opts).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{RuleMeta, Suppressed};

    static META: RuleMeta = RuleMeta {
        code: "SEC001",
        name: "db-in-public-subnet",
        pillar: crate::rules::Pillar::Security,
        severity: Severity::High,
        best_practice: "SEC05-BP01",
        since: "0.1.0",
        docs: " ## What it does\n Flags a database in a public subnet.\n",
    };

    fn loc(file: &Arc<str>, text: &str, needle: &str) -> Location {
        let offset = text.find(needle).unwrap_or(0);
        let line = text[..offset].matches('\n').count() as u32 + 1;
        let column = (offset - text[..offset].rfind('\n').map_or(0, |i| i + 1)) as u32 + 1;
        Location {
            file: file.clone(),
            line,
            column,
            offset,
            len: needle.len(),
        }
    }

    fn finding(file: &Arc<str>, text: &str, other: &Arc<str>) -> Finding {
        Finding {
            rule: &META,
            severity: Severity::High,
            resource: "aws_db_instance.orders".into(),
            message: "database is reachable from the internet".into(),
            location: loc(file, text, "db_subnet_group_name = aws_db_subnet_group.public.name"),
            related: vec![
                Related {
                    resource: "aws_subnet.public".into(),
                    location: loc(file, text, "map_public_ip_on_launch = true"),
                    message: "this subnet assigns public IPs".into(),
                },
                Related {
                    resource: "aws_route_table.public".into(),
                    location: Location {
                        file: other.clone(),
                        line: 22,
                        column: 3,
                        offset: 0,
                        len: 0,
                    },
                    message: "this subnet routes to the internet via aws_route_table.public".into(),
                },
            ],
            suppressed: None,
            block: (file.clone(), 1, 1),
        }
    }

    const TF: &str = "resource \"aws_subnet\" \"public\" {\n  map_public_ip_on_launch = true\n}\n\nresource \"aws_db_instance\" \"orders\" {\n  engine               = \"postgres\"\n  db_subnet_group_name = aws_db_subnet_group.public.name\n}\n";

    #[test]
    fn code_frame_with_related_labels_and_help() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("main.tf");
        std::fs::write(&path, TF).expect("write");
        let file: Arc<str> = path.display().to_string().into();
        let other: Arc<str> = "network.tf".into();
        let mut suppressed = finding(&file, TF, &other);
        suppressed.resource = "aws_db_instance.hidden".into();
        suppressed.suppressed = Some(Suppressed::Inline { reason: "r".into() });
        let outcome = Outcome {
            findings: vec![finding(&file, TF, &other), suppressed],
            files: 2,
            resources: 3,
            ..Outcome::default()
        };
        let text = document(
            &outcome,
            &RenderOptions {
                color: false,
                fail_on: Severity::Low,
            },
        );
        assert!(text.is_ascii(), "{text}");
        assert!(text.contains("SEC001(db-in-public-subnet)"), "{text}");
        assert!(
            text.contains("[high] database is reachable from the internet"),
            "{text}"
        );
        assert!(
            text.contains(" 7 |   db_subnet_group_name = aws_db_subnet_group.public.name"),
            "{text}"
        );
        assert!(
            text.contains("aws_subnet.public: this subnet assigns public IPs"),
            "{text}"
        );
        assert!(text.contains("related: this subnet routes to the internet via aws_route_table.public (aws_route_table.public, network.tf:22:3)"), "{text}");
        assert!(text.contains("wellarch-lint explain SEC001"), "{text}");
        assert!(!text.contains("hidden"), "{text}");
        assert!(text.contains("1 finding (0 critical, 1 high, 0 medium, 0 low), 1 suppressed; 2 files and 3 resources checked; fail-on: low"), "{text}");

        let colored = document(
            &outcome,
            &RenderOptions {
                color: true,
                fail_on: Severity::Low,
            },
        );
        assert!(colored.contains('\x1b'));
    }

    #[test]
    fn unreadable_source_degrades_to_a_plain_line() {
        let file: Arc<str> = "does/not/exist.tf".into();
        let mut f = finding(&file, TF, &file);
        f.related.clear();
        let outcome = Outcome {
            findings: vec![f],
            ..Outcome::default()
        };
        let text = document(
            &outcome,
            &RenderOptions {
                color: false,
                fail_on: Severity::High,
            },
        );
        assert!(
            text.starts_with("does/not/exist.tf:7:3: high SEC001 aws_db_instance.orders: database is reachable"),
            "{text}"
        );
        assert!(text.contains("fail-on: high"), "{text}");
    }

    #[test]
    fn empty_span_highlights_the_line() {
        let file: Arc<str> = "x".into();
        let l = Location {
            file,
            line: 2,
            column: 1,
            offset: 0,
            len: 0,
        };
        assert_eq!(span("a\n  bc  \nd", &l), Some((4, 2)));
        let l = Location { line: 9, ..l };
        assert_eq!(span("a\n", &l), None);
    }
}
