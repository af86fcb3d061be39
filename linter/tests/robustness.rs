//! Bad input gets a located error and loses nothing: every other file is still linted, and
//! nothing panics. Run through the real binary.

use std::path::Path;
use std::process::{Command, Output};

fn lint(dir: &Path) -> (Output, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_wellarch-lint"))
        .arg(dir)
        .args(["--format", "json"])
        .output()
        .expect("run wellarch-lint");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout={} stderr={}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, json)
}

/// A queue without DLQ, so we can tell the good file was linted despite its broken neighbours.
const GOOD: &str = "resource \"aws_sqs_queue\" \"still_linted\" {}\n";

fn still_linted(json: &serde_json::Value) -> bool {
    json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|f| f["resource"] == "aws_sqs_queue.still_linted")
}

fn errors(json: &serde_json::Value) -> Vec<(String, u64, u64, String)> {
    json["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["file"]
                    .as_str()
                    .unwrap_or("")
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .to_string(),
                e["line"].as_u64().unwrap_or(0),
                e["column"].as_u64().unwrap_or(0),
                e["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn syntax_error_is_located_and_the_rest_is_linted() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("good.tf"), GOOD).expect("write");
    std::fs::write(
        dir.path().join("broken.tf"),
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \n}\n",
    )
    .expect("write");
    let (out, json) = lint(dir.path());
    assert_eq!(out.status.code(), Some(2));
    let errs = errors(&json);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!((errs[0].0.as_str(), errs[0].1), ("broken.tf", 2), "{errs:?}");
    assert!(errs[0].2 >= 1);
    assert!(still_linted(&json));
}

#[test]
fn non_utf8_empty_and_odd_files_never_panic() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    std::fs::write(d.join("good.tf"), GOOD).expect("write");
    std::fs::write(d.join("latin1.tf"), b"# caf\xe9\nresource \"a\" \"b\" {}\n").expect("write");
    std::fs::write(d.join("empty.tf"), "").expect("write");
    std::fs::write(d.join("only_comments.tf"), "# nothing here\n// nor here\n").expect("write");
    std::fs::create_dir(d.join("dir.tf")).expect("a directory named like a file");
    std::fs::write(d.join("plan.json"), "{\"format_version\":\"1.0\",\"planned_values\":").expect("write");
    std::fs::write(d.join("vars.auto.tfvars"), "x = [\n").expect("write");
    let (out, json) = lint(d);
    assert_eq!(out.status.code(), Some(2));
    let errs = errors(&json);
    let files: Vec<&str> = errs.iter().map(|e| e.0.as_str()).collect();
    assert!(files.contains(&"latin1.tf"), "{errs:?}");
    assert!(files.contains(&"plan.json"), "{errs:?}");
    assert!(files.contains(&"vars.auto.tfvars"), "{errs:?}");
    let latin1 = errs.iter().find(|e| e.0 == "latin1.tf").map(|e| (e.1, e.2));
    assert_eq!(latin1, Some((1, 6)), "position of the first invalid byte");
    assert!(still_linted(&json));
    assert!(
        String::from_utf8_lossy(&out.stderr).is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_dangling_links_terminate() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    std::fs::create_dir(d.join("a")).expect("mkdir");
    std::fs::write(d.join("a/good.tf"), GOOD).expect("write");
    std::os::unix::fs::symlink(d, d.join("a/loop")).expect("symlink");
    std::os::unix::fs::symlink(d.join("missing.tf"), d.join("a/dangling.tf")).expect("symlink");
    let (out, json) = lint(d);
    assert_eq!(out.status.code(), Some(2), "the dangling .tf link is an error");
    assert!(errors(&json).iter().any(|e| e.0 == "dangling.tf"));
    let hits = json["findings"].as_array().map_or(0, |f| {
        f.iter()
            .filter(|f| f["resource"] == "aws_sqs_queue.still_linted")
            .count()
    });
    assert_eq!(hits, 1, "the looped directory is linted once");
}

#[test]
fn huge_and_deep_files_are_handled() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    // 10 MiB: long comment runs (generated files have them) around a thousand resources.
    let mut big = String::with_capacity(12 << 20);
    let filler = format!("# {}\n", "x".repeat(1000));
    for i in 0..1000 {
        big.push_str(&format!(
            "resource \"aws_s3_bucket\" \"b{i}\" {{\n  bucket = \"bucket-{i}\"\n}}\n"
        ));
        for _ in 0..11 {
            big.push_str(&filler);
        }
    }
    std::fs::write(d.join("big.tf"), &big).expect("write");
    std::fs::write(
        d.join("deep.tf"),
        format!("locals {{ x = {}1{} }}\n", "(".repeat(100_000), ")".repeat(100_000)),
    )
    .expect("write");
    std::fs::write(d.join("good.tf"), GOOD).expect("write");
    let (out, json) = lint(d);
    assert_eq!(out.status.code(), Some(2), "deep.tf exceeds the nesting limit");
    assert_eq!(
        errors(&json).iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
        ["deep.tf"]
    );
    assert!(big.len() > 10 << 20);
    assert_eq!(json["summary"]["resources"].as_u64(), Some(1001));
    assert!(still_linted(&json));
}

#[test]
fn self_referencing_count_and_for_each_terminate() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    std::fs::create_dir(d.join("m")).expect("mkdir");
    std::fs::write(d.join("m/main.tf"), "resource \"aws_sqs_queue\" \"in_module\" {}\n").expect("write");
    std::fs::write(
        d.join("main.tf"),
        concat!(
            "module \"m\" {\n  source   = \"./m\"\n  for_each = toset([for k, v in module.m : k])\n}\n",
            "resource \"aws_sqs_queue\" \"counted\" {\n  count = length(aws_sqs_queue.counted)\n}\n",
        ),
    )
    .expect("write");
    std::fs::write(d.join("good.tf"), GOOD).expect("write");
    let (out, json) = lint(d);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(still_linted(&json));
    // Instances that depend on themselves are unknown: one resource stands for all of them.
    let flagged: Vec<&str> = json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "REL001")
        .filter_map(|f| f["resource"].as_str())
        .collect();
    assert!(
        flagged.iter().any(|r| r.starts_with("aws_sqs_queue.counted")),
        "{flagged:?}"
    );
    assert!(flagged.iter().any(|r| r.starts_with("module.m")), "{flagged:?}");
}

/// Regression: findings were deduplicated by rule, address and message only, so a suppressed
/// finding in one root hid the same unsuppressed finding in another.
#[test]
fn same_address_in_two_roots_is_two_findings() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    for sub in ["a", "b"] {
        std::fs::create_dir(d.join(sub)).expect("mkdir");
    }
    std::fs::write(
        d.join("a/main.tf"),
        "# wellarch:ignore SEC008 -- accepted\nresource \"aws_sns_topic\" \"t\" {\n  name = \"t\"\n}\n",
    )
    .expect("write");
    std::fs::write(
        d.join("b/main.tf"),
        "resource \"aws_sns_topic\" \"t\" {\n  name = \"t\"\n}\n",
    )
    .expect("write");
    let (out, json) = lint(d);
    assert_eq!(out.status.code(), Some(1));
    let sec008: Vec<(String, bool)> = json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "SEC008")
        .map(|f| {
            (
                f["location"]["file"]
                    .as_str()
                    .unwrap_or("")
                    .rsplit('/')
                    .nth(1)
                    .unwrap_or("")
                    .to_string(),
                f["suppressed"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(sec008, [("a".to_string(), true), ("b".to_string(), false)]);
}

#[test]
fn missing_path_and_unknown_file_type_are_usage_errors() {
    let out = Command::new(env!("CARGO_BIN_EXE_wellarch-lint"))
        .args(["/nonexistent/wellarch", "--format", "json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let bad_flag = Command::new(env!("CARGO_BIN_EXE_wellarch-lint"))
        .args(["--fail-on", "severe"])
        .output()
        .expect("run");
    assert_eq!(bad_flag.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_flag.stderr).contains("severe"));
}
