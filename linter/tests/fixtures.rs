//! Fixture directories run through the real binary, with snapshots of the evaluated graph
//! (`--dump-graph`) and of the findings. `cargo insta review` (or `INSTA_UPDATE=always`)
//! accepts intended changes; stale snapshots fail.

use std::path::PathBuf;
use std::process::Command;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn run(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_wellarch-lint"))
        .current_dir(fixtures())
        .args(args)
        .output()
        .expect("run wellarch-lint");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// Findings reduced to what a reviewer checks: rule, resource, location, related resources.
fn findings(dir: &str) -> Vec<String> {
    let json = run(&[dir, "--format", "json"]);
    assert_eq!(json["errors"], serde_json::json!([]), "{dir} does not load");
    json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            let related: Vec<&str> = f["related"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["resource"].as_str())
                .collect();
            format!(
                "{} {} @ {}:{} related={:?}{}",
                f["rule"].as_str().unwrap_or(""),
                f["resource"].as_str().unwrap_or(""),
                f["location"]["file"].as_str().unwrap_or(""),
                f["location"]["line"],
                related,
                if f["suppressed"] == true { " (suppressed)" } else { "" },
            )
        })
        .collect()
}

macro_rules! fixture {
    ($name:ident, $dir:literal) => {
        mod $name {
            #[test]
            fn graph() {
                insta::assert_json_snapshot!(super::run(&[$dir, "--dump-graph"]));
            }

            #[test]
            fn findings() {
                insta::assert_debug_snapshot!(super::findings($dir));
            }
        }
    };
}

fixture!(multi_file_root, "graph/multi_file");
fixture!(local_modules, "graph/modules");
fixture!(count_and_for_each, "graph/count_for_each");

fixture!(plan_json, "equivalence/plan/plan.json");
fixture!(hcl_twin_of_the_plan, "equivalence/hcl");

/// The same configuration as HCL and as a hand-written plan (Terraform's `format_version` 1.0
/// layout) gives the same findings, resource for resource.
#[test]
fn hcl_and_plan_json_give_the_same_findings() {
    let pairs = |dir: &str| -> std::collections::BTreeSet<(String, String)> {
        let json = run(&[dir, "--format", "json"]);
        assert_eq!(json["errors"], serde_json::json!([]), "{dir}");
        json["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap_or("").to_string(),
                    f["resource"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let hcl = pairs("equivalence/hcl");
    let plan = pairs("equivalence/plan/plan.json");
    assert_eq!(hcl, plan);
    for must in [
        ("SEC001", "aws_db_instance.orders"),
        ("REL001", "aws_sqs_queue.emails"),
        ("SEC003", "module.edge.aws_lb.web"),
    ] {
        assert!(
            hcl.contains(&(must.0.to_string(), must.1.to_string())),
            "missing {must:?} in {hcl:?}"
        );
    }
    assert!(
        !hcl.iter()
            .any(|(r, a)| r == "REL001" && (a.ends_with(".jobs") || a.ends_with(".dlq")))
    );
}
