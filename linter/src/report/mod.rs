//! Rendering findings: one file per output format.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;

use std::io::{self, Write};

use crate::engine::Outcome;
use crate::rules::{Finding, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Junit,
    Github,
    Markdown,
}

pub struct RenderOptions {
    /// ANSI colours and Unicode frames in human output.
    pub color: bool,
    /// Findings at or above this severity fail the run; shown in summaries.
    pub fail_on: Severity,
}

pub fn render(format: Format, outcome: &Outcome, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::render(outcome, opts, out),
        Format::Json => json::render(outcome, out),
        Format::Sarif => sarif::render(outcome, out),
        Format::Junit => junit::render(outcome, out),
        Format::Github => github::render(outcome, out),
        Format::Markdown => markdown::render(outcome, opts, out),
    }
}

/// Findings that count: not suppressed inline nor by the baseline.
pub fn active(outcome: &Outcome) -> impl Iterator<Item = &Finding> {
    outcome.findings.iter().filter(|f| f.suppressed.is_none())
}

/// Counts of active findings per severity, highest first.
pub fn severity_counts(outcome: &Outcome) -> [(Severity, usize); 4] {
    [Severity::Critical, Severity::High, Severity::Medium, Severity::Low]
        .map(|s| (s, active(outcome).filter(|f| f.severity == s).count()))
}
