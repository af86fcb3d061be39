//! Baselines: adopt the linter on a legacy repository by recording today's findings and
//! reporting only new ones. Entries match by rule and resource address, so edits that move
//! lines do not resurrect old findings.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::rules::{Finding, Suppressed};

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: BTreeSet<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub rule: String,
    pub resource: String,
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read baseline: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: not a baseline file: {e}", path.display()))
    }

    /// Records the findings that are not already suppressed inline.
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        Baseline {
            version: 1,
            findings: findings
                .iter()
                .filter(|f| f.suppressed.is_none())
                .map(|f| Entry {
                    rule: f.rule.code.to_string(),
                    resource: f.resource.clone(),
                })
                .collect(),
        }
    }

    pub fn write(&self, path: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n").map_err(|e| format!("{}: cannot write baseline: {e}", path.display()))
    }

    pub fn apply(&self, findings: &mut [Finding]) {
        for f in findings.iter_mut().filter(|f| f.suppressed.is_none()) {
            let entry = Entry {
                rule: f.rule.code.to_string(),
                resource: f.resource.clone(),
            };
            if self.findings.contains(&entry) {
                f.suppressed = Some(Suppressed::Baseline);
            }
        }
    }
}
