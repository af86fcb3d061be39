//! `.wellarch.toml`: which rules run, at what severity, and which paths are skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::rules::{self, RuleMeta, Severity};

pub const FILE_NAME: &str = ".wellarch.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Codes (`SEC001`), code prefixes (`SEC`) or names; empty means every rule.
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Glob patterns of paths not to lint (`**/legacy/**`).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Severity at or above which findings fail the run (the CLI flag wins).
    pub fail_on: Option<Severity>,
    /// Per-rule severity overrides, by code or name.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
}

fn matches(pattern: &str, rule: &RuleMeta) -> bool {
    rule.name == pattern
        || rule
            .code
            .to_ascii_uppercase()
            .starts_with(&pattern.to_ascii_uppercase())
}

fn known(pattern: &str) -> bool {
    rules::all().iter().any(|r| matches(pattern, r.meta()))
}

impl Config {
    /// Reads and validates a config file; unknown keys and unknown rules are errors.
    pub fn load(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let config: Config = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        for pattern in config.select.iter().chain(&config.ignore).chain(config.severity.keys()) {
            if !known(pattern) {
                return Err(format!("{}: no rule matches {pattern:?}", path.display()));
            }
        }
        Ok(config)
    }

    /// The nearest `.wellarch.toml` in the current directory or its ancestors.
    pub fn discover() -> Option<PathBuf> {
        let mut dir = std::env::current_dir().ok()?;
        loop {
            let candidate = dir.join(FILE_NAME);
            if candidate.is_file() {
                return Some(candidate);
            }
            if !dir.pop() {
                return None;
            }
        }
    }

    pub fn enabled(&self, rule: &RuleMeta) -> bool {
        (self.select.is_empty() || self.select.iter().any(|p| matches(p, rule)))
            && !self.ignore.iter().any(|p| matches(p, rule))
    }

    pub fn severity_of(&self, rule: &RuleMeta) -> Severity {
        self.severity
            .iter()
            .find(|(p, _)| p.eq_ignore_ascii_case(rule.code) || *p == rule.name)
            .map(|(_, s)| *s)
            .unwrap_or(rule.severity)
    }

    pub fn exclude_set(&self) -> Result<GlobSet, String> {
        let mut b = GlobSetBuilder::new();
        for pattern in &self.exclude {
            b.add(Glob::new(pattern).map_err(|e| format!("exclude pattern {pattern:?}: {e}"))?);
        }
        b.build().map_err(|e| e.to_string())
    }
}
