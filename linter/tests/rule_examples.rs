//! Every rule's documented examples, run through the real binary: the `## Example` must
//! trigger the rule and the `## Use instead` must not.

use std::process::Command;

use wellarch_lint::rules;

fn codes_found(dir: &std::path::Path) -> (Vec<String>, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_wellarch-lint"))
        .arg(dir)
        .args(["--format", "json"])
        .output()
        .expect("run wellarch-lint");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
    assert_eq!(
        json["errors"].as_array().map(Vec::len),
        Some(0),
        "example does not load: {json}"
    );
    let codes = json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["suppressed"] == false)
        .filter_map(|f| f["rule"].as_str().map(str::to_string))
        .collect();
    (codes, json)
}

fn write_example(hcl: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("main.tf"), hcl).expect("write example");
    dir
}

#[test]
fn documented_examples_behave_as_documented() {
    let mut failures = Vec::new();
    for rule in rules::all() {
        let m = rule.meta();
        let bad = m.example("Example").expect("Example section");
        let good = m.example("Use instead").expect("Use instead section");
        let (codes, json) = codes_found(write_example(&bad).path());
        if !codes.iter().any(|c| c == m.code) {
            failures.push(format!("{}: `## Example` does not trigger it: {json}", m.code));
        }
        let (codes, json) = codes_found(write_example(&good).path());
        if codes.iter().any(|c| c == m.code) {
            failures.push(format!("{}: `## Use instead` still triggers it: {json}", m.code));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
