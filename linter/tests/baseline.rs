//! Adopting on a legacy repository: `--write-baseline` records today's findings, `--baseline`
//! then reports only new ones (the old ones stay visible as suppressed).

use std::process::Command;

fn run(args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_wellarch-lint"))
        .args(args)
        .output()
        .expect("run wellarch-lint");
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap_or_default(),
    )
}

#[test]
fn baseline_hides_recorded_findings_and_reports_new_ones() {
    let dir = tempfile::tempdir().expect("tmp");
    let src = dir.path().join("src");
    std::fs::create_dir(&src).expect("mkdir");
    std::fs::write(src.join("main.tf"), "resource \"aws_sqs_queue\" \"old\" {}\n").expect("write");
    let baseline = dir.path().join("baseline.json");
    let (code, _) = run(&[
        src.to_str().unwrap_or_default(),
        "--write-baseline",
        baseline.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code, Some(0));

    let (code, json) = run(&[
        src.to_str().unwrap_or_default(),
        "--baseline",
        baseline.to_str().unwrap_or_default(),
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0), "only recorded findings: {json}");
    assert!(
        json["findings"]
            .as_array()
            .is_some_and(|f| !f.is_empty() && f.iter().all(|f| f["suppressed"] == true))
    );

    // Moving the old block to another line does not resurrect it; a new queue is reported.
    std::fs::write(
        src.join("main.tf"),
        "\n\nresource \"aws_sqs_queue\" \"old\" {}\nresource \"aws_sqs_queue\" \"new\" {}\n",
    )
    .expect("write");
    let (code, json) = run(&[
        src.to_str().unwrap_or_default(),
        "--baseline",
        baseline.to_str().unwrap_or_default(),
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(1));
    let active: Vec<&str> = json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["suppressed"] == false)
        .filter_map(|f| f["resource"].as_str())
        .collect();
    assert!(
        active.iter().all(|r| *r == "aws_sqs_queue.new") && !active.is_empty(),
        "{active:?}"
    );

    let (code, _) = run(&[
        src.to_str().unwrap_or_default(),
        "--baseline",
        "/nonexistent/baseline.json",
    ]);
    assert_eq!(code, Some(2), "an unreadable baseline is a usage error");
}
