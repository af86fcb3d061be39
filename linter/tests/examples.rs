//! The repository's examples as a user runs them: `examples/insecure` triggers every rule,
//! `examples/secure` triggers none, and both are `terraform fmt` clean.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use wellarch_lint::rules;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn lint(dir: &str) -> (Option<i32>, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_wellarch-lint"))
        .current_dir(repo())
        .args([dir, "--format", "json"])
        .output()
        .expect("run wellarch-lint");
    (out.status.code(), serde_json::from_slice(&out.stdout).expect("json"))
}

fn active_codes(json: &serde_json::Value) -> BTreeSet<String> {
    json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["suppressed"] == false)
        .filter_map(|f| f["rule"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn insecure_example_triggers_every_rule() {
    let (code, json) = lint("examples/insecure");
    assert_eq!(json["errors"], serde_json::json!([]));
    assert_eq!(code, Some(1));
    let found = active_codes(&json);
    let missing: Vec<&str> = rules::all()
        .iter()
        .map(|r| r.meta().code)
        .filter(|c| !found.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "rules that never fire in examples/insecure: {missing:?}"
    );
}

/// The composite in examples/insecure/composite.tf is expanded and its children reported at
/// the composite block, under their composite addresses.
#[test]
fn insecure_composite_is_reported_on_its_children() {
    let (_, json) = lint("examples/insecure");
    let mut found: Vec<(String, String, String)> = json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["resource"].as_str().is_some_and(|r| r.starts_with("wellarch_")))
        .map(|f| {
            let file = f["location"]["file"]
                .as_str()
                .unwrap_or("")
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string();
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["resource"].as_str().unwrap_or("").to_string(),
                file,
            )
        })
        .collect();
    found.sort();
    let child = |rule: &str, c: &str| {
        (
            rule.to_string(),
            format!("wellarch_burst_tolerant_api.shortcuts/{c}"),
            "composite.tf".to_string(),
        )
    };
    assert_eq!(
        found,
        [
            child("REL008", "aws_dynamodb_table.items"),
            child("REL009", "aws_dynamodb_table.items"),
            child("SEC013", "aws_cloudfront_distribution.edge"),
        ]
    );
}

#[test]
fn secure_example_triggers_nothing() {
    let (code, json) = lint("examples/secure");
    assert_eq!(json["errors"], serde_json::json!([]));
    let found: Vec<String> = json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| format!("{} {} {}", f["rule"], f["resource"], f["message"]))
        .collect();
    assert!(found.is_empty(), "{found:#?}");
    assert_eq!(code, Some(0));
}

/// Needs the Terraform CLI from `scripts/setup.sh`; required when run through scripts/test.sh.
#[test]
fn examples_are_terraform_fmt_clean() {
    let Some(terraform) = std::env::var_os("WELLARCH_TERRAFORM") else {
        assert!(
            std::env::var_os("WELLARCH_REQUIRE_TOOLS").is_none(),
            "WELLARCH_TERRAFORM is not set: run scripts/setup.sh"
        );
        eprintln!("skipped: WELLARCH_TERRAFORM not set (run `eval \"$(scripts/setup.sh --print-env)\"`)");
        return;
    };
    let out = Command::new(terraform)
        .current_dir(repo())
        .args(["fmt", "-check", "-recursive", "-diff", "examples"])
        .output()
        .expect("run terraform fmt");
    assert!(
        out.status.success(),
        "terraform fmt -check failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
