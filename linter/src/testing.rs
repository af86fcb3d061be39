//! Test helpers: lint in-memory files through the real pipeline.

use crate::engine::{self, Options, Outcome};
use crate::rules::Finding;

/// Writes `files` (relative path, content) into a fresh directory and lints it.
pub fn lint(files: &[(&str, &str)]) -> Outcome {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dirs");
        }
        std::fs::write(&path, text).expect("write fixture");
    }
    let opts = Options {
        paths: vec![dir.path().to_path_buf()],
        today: "2026-01-01".into(),
        keep_graphs: true,
        ..Options::default()
    };
    engine::run(&opts).expect("lint runs")
}

/// Unsuppressed findings of one rule for a single `main.tf`.
pub fn findings(code: &str, main_tf: &str) -> Vec<Finding> {
    findings_in(code, &[("main.tf", main_tf)])
}

/// Unsuppressed findings of one rule over several files.
pub fn findings_in(code: &str, files: &[(&str, &str)]) -> Vec<Finding> {
    let outcome = lint(files);
    assert!(outcome.errors.is_empty(), "fixture does not load: {:?}", outcome.errors);
    outcome
        .findings
        .into_iter()
        .filter(|f| f.rule.code == code && f.suppressed.is_none())
        .collect()
}

/// The addresses of the resources flagged by one rule.
pub fn flagged(code: &str, main_tf: &str) -> Vec<String> {
    let mut v: Vec<String> = findings(code, main_tf).into_iter().map(|f| f.resource).collect();
    v.sort();
    v
}
