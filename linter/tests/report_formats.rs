//! The output formats, end to end: the real binary on the fixtures under
//! `tests/fixtures/report/` (run from that directory so paths are relative).
//!
//! - `findings/`: two queues without a dead-letter queue (REL001), one suppressed inline.
//! - `broken/`: one such queue and a file with a syntax error.
//! - `high-only/`: one such queue; its `.wellarch.toml` selects only REL001 (a high rule).
//!
//! Other rules may also fire on these files, so the tests look at REL001 and at structure,
//! never at totals.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report")
}

/// Runs the linter in the fixtures directory; returns (exit code, stdout).
fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wellarch-lint"))
        .args(args)
        .current_dir(fixtures())
        .env_remove("NO_COLOR")
        .output()
        .expect("run wellarch-lint");
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    (out.status.code().expect("exit code"), stdout)
}

fn sarif(dir: &str) -> (i32, Value) {
    let (code, out) = run(&[dir, "--format", "sarif"]);
    (
        code,
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("SARIF is not JSON ({e}):\n{out}")),
    )
}

fn results<'a>(doc: &'a Value, rule: &str) -> Vec<&'a Value> {
    doc["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["ruleId"] == rule)
        .collect()
}

fn result_for<'a>(doc: &'a Value, rule: &str, resource: &str) -> &'a Value {
    results(doc, rule)
        .into_iter()
        .find(|r| r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == resource)
        .unwrap_or_else(|| panic!("no {rule} result for {resource}"))
}

#[test]
fn sarif_is_valid_for_code_scanning() {
    let (code, doc) = sarif("findings");
    assert_eq!(code, 1);
    assert_eq!(doc["version"], "2.1.0");
    assert!(doc["$schema"].as_str().is_some_and(|s| s.contains("sarif")));
    let runs = doc["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "wellarch-lint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(
        driver["informationUri"]
            .as_str()
            .is_some_and(|s| s.starts_with("https://"))
    );

    let rules = driver["rules"].as_array().expect("rules");
    let rel001 = rules.iter().find(|r| r["id"] == "REL001").expect("REL001 listed");
    assert_eq!(rel001["name"], "QueueWithoutDlq");
    assert_eq!(rel001["defaultConfiguration"]["level"], "error");
    assert_eq!(rel001["properties"]["security-severity"], "7.0");
    assert_eq!(rel001["properties"]["precision"], "high");
    assert!(
        rel001["properties"]["tags"]
            .as_array()
            .expect("tags")
            .contains(&"reliability".into())
    );
    assert!(
        rel001["shortDescription"]["text"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert!(
        rel001["fullDescription"]["text"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert!(
        rel001["help"]["markdown"]
            .as_str()
            .is_some_and(|s| s.contains("## Example"))
    );
    assert!(
        rel001["helpUri"]
            .as_str()
            .is_some_and(|s| s.ends_with("docs/rules/REL001.md"))
    );
    for rule in rules {
        for key in [
            "id",
            "name",
            "shortDescription",
            "fullDescription",
            "help",
            "defaultConfiguration",
            "properties",
        ] {
            assert!(!rule[key].is_null(), "rule {} lacks {key}", rule["id"]);
        }
    }

    for result in runs[0]["results"].as_array().expect("results") {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"], "ruleIndex of {result}");
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().expect("level")));
        assert!(result["message"]["text"].as_str().is_some_and(|s| !s.is_empty()));
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        assert!(
            !uri.starts_with("./") && !uri.contains('\\') && !uri.starts_with('/'),
            "{uri}"
        );
        assert!(
            result["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .expect("line")
                >= 1
        );
        assert!(
            !result["partialFingerprints"]
                .as_object()
                .expect("fingerprints")
                .is_empty()
        );
    }

    let jobs = result_for(&doc, "REL001", "aws_sqs_queue.jobs");
    let physical = &jobs["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], "findings/main.tf");
    assert_eq!(physical["region"]["startLine"], 1);
    assert_eq!(physical["region"]["startColumn"], 1);
    assert_eq!(jobs["level"], "error");
    assert!(jobs.get("suppressions").is_none());

    let replay = result_for(&doc, "REL001", "aws_sqs_queue.replay");
    assert_eq!(replay["locations"][0]["physicalLocation"]["region"]["startLine"], 7);
    let suppression = &replay["suppressions"][0];
    assert_eq!(suppression["kind"], "inSource");
    assert_eq!(
        suppression["justification"],
        "replayed from the source system, no DLQ needed"
    );
    assert_ne!(jobs["partialFingerprints"], replay["partialFingerprints"]);

    let invocation = &runs[0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    assert_eq!(
        invocation["toolExecutionNotifications"].as_array().map(Vec::len),
        Some(0)
    );

    // Fingerprints are stable from run to run.
    let (_, again) = sarif("findings");
    assert_eq!(
        result_for(&again, "REL001", "aws_sqs_queue.jobs")["partialFingerprints"],
        jobs["partialFingerprints"]
    );
}

#[test]
fn sarif_reports_load_errors_as_notifications() {
    let (code, doc) = sarif("broken");
    assert_eq!(code, 2);
    let invocation = &doc["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    let note = notes
        .iter()
        .find(|n| n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken/broken.tf")
        .expect("a notification for broken.tf");
    assert_eq!(note["level"], "error");
    assert_eq!(note["locations"][0]["physicalLocation"]["region"]["startLine"], 3);
    assert!(note["message"]["text"].as_str().is_some_and(|s| !s.is_empty()));
    // The rest of the tree is still linted.
    result_for(&doc, "REL001", "aws_sqs_queue.orders");
}

/// A small well-formedness check: balanced tags, quoted attributes, escaped text.
fn check_xml(xml: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = xml;
    let mut roots = 0;
    let check_text = |text: &str| -> Result<(), String> {
        let mut t = text;
        while let Some(i) = t.find('&') {
            t = &t[i + 1..];
            let end = t.find(';').ok_or_else(|| format!("unterminated entity in {text:?}"))?;
            let entity = &t[..end];
            let ok = ["amp", "lt", "gt", "quot", "apos"].contains(&entity)
                || entity
                    .strip_prefix('#')
                    .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty());
            if !ok {
                return Err(format!("bad entity &{entity};"));
            }
        }
        if text.contains('>') && !text.trim().is_empty() {
            return Err(format!("raw '>' in text {text:?}"));
        }
        Ok(())
    };
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        if stack.is_empty() && !text.trim().is_empty() {
            return Err(format!("text outside the root: {text:?}"));
        }
        check_text(text)?;
        rest = &rest[open..];
        if let Some(r) = rest.strip_prefix("<?") {
            let end = r.find("?>").ok_or("unterminated declaration")?;
            rest = &r[end + 2..];
            continue;
        }
        if let Some(r) = rest.strip_prefix("<!--") {
            let end = r.find("-->").ok_or("unterminated comment")?;
            rest = &r[end + 3..];
            continue;
        }
        // Find the end of the tag, skipping quoted attribute values.
        let mut quote = None;
        let mut end = None;
        for (i, c) in rest.char_indices().skip(1) {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (Some(_), '<') => return Err("raw '<' in an attribute".into()),
                (None, '>') => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let end = end.ok_or("unterminated tag")?;
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().ok_or_else(|| format!("</{name}> without an open tag"))?;
            if open != name.trim() {
                return Err(format!("</{name}> closes <{open}>"));
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let body = tag.trim_end_matches('/');
        let name = body.split_whitespace().next().ok_or("empty tag")?;
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(format!("bad tag name {name:?}"));
        }
        // Attributes: name="value" pairs.
        let mut attrs = body[name.len()..].trim();
        while !attrs.is_empty() {
            let eq = attrs
                .find('=')
                .ok_or_else(|| format!("attribute without value in <{tag}>"))?;
            let q = attrs[eq + 1..].chars().next().ok_or("missing quote")?;
            if q != '"' && q != '\'' {
                return Err(format!("unquoted attribute in <{tag}>"));
            }
            let value_end = attrs[eq + 2..].find(q).ok_or("unterminated attribute")? + eq + 2;
            check_text(&attrs[eq + 2..value_end])?;
            attrs = attrs[value_end + 1..].trim_start();
        }
        if stack.is_empty() {
            roots += 1;
        }
        if !self_closing {
            stack.push(name.to_string());
        }
    }
    if !rest.trim().is_empty() {
        return Err(format!("trailing text {rest:?}"));
    }
    match (stack.last(), roots) {
        (Some(open), _) => Err(format!("<{open}> is never closed")),
        (None, 1) => Ok(()),
        (None, n) => Err(format!("{n} root elements")),
    }
}

#[test]
fn the_xml_checker_catches_mistakes() {
    assert!(check_xml("<?xml version=\"1.0\"?>\n<a x=\"1\"><b/>t &amp; u</a>\n").is_ok());
    assert!(check_xml("<a><b></a></b>").is_err());
    assert!(check_xml("<a>x & y</a>").is_err());
    assert!(check_xml("<a x=\"<\"></a>").is_err());
    assert!(check_xml("<a></a><b></b>").is_err());
    assert!(check_xml("<a>").is_err());
}

#[test]
fn junit_is_well_formed_with_failures_and_skips() {
    let (code, xml) = run(&["findings", "--format", "junit"]);
    assert_eq!(code, 1);
    check_xml(&xml).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "),
        "{xml}"
    );
    assert!(xml.contains("<testsuite name=\"REL001 queue-without-dlq\""), "{xml}");
    let jobs = xml
        .split("<testcase ")
        .find(|c| c.starts_with("name=\"aws_sqs_queue.jobs\" classname=\"REL001\""))
        .unwrap_or_else(|| panic!("no testcase for aws_sqs_queue.jobs:\n{xml}"));
    assert!(jobs.contains("<failure message=\""), "{jobs}");
    assert!(jobs.contains("type=\"high\""), "{jobs}");
    assert!(jobs.contains("findings/main.tf:1:1"), "{jobs}");
    assert!(jobs.contains("REL05-BP01"), "{jobs}");
    let replay = xml
        .split("<testcase ")
        .find(|c| c.starts_with("name=\"aws_sqs_queue.replay\" classname=\"REL001\""))
        .unwrap_or_else(|| panic!("no testcase for aws_sqs_queue.replay:\n{xml}"));
    assert!(
        replay.contains("<skipped message=\"suppressed: replayed from the source system, no DLQ needed\"/>"),
        "{replay}"
    );
    assert!(!replay.contains("<failure"), "{replay}");
}

#[test]
fn junit_reports_load_errors() {
    let (code, xml) = run(&["broken", "--format", "junit"]);
    assert_eq!(code, 2);
    check_xml(&xml).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
    assert!(xml.contains("<testsuite name=\"load\""), "{xml}");
    assert!(
        xml.contains("<testcase name=\"broken/broken.tf\" classname=\"load\""),
        "{xml}"
    );
    assert!(xml.contains("<error message=\""), "{xml}");
    assert!(
        xml.contains("name=\"aws_sqs_queue.orders\" classname=\"REL001\""),
        "{xml}"
    );
}

/// A parsed workflow command: command, properties, message.
type WorkflowCommand<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);

/// `::command key=value,key=value::message` with GitHub's escaping.
fn check_workflow_command(line: &str) -> Result<WorkflowCommand<'_>, String> {
    let rest = line.strip_prefix("::").ok_or("does not start with ::")?;
    let (head, message) = rest.split_once("::").ok_or("no :: before the message")?;
    let (command, props) = head.split_once(' ').unwrap_or((head, ""));
    if !["error", "warning", "notice"].contains(&command) {
        return Err(format!("unknown command {command}"));
    }
    let mut pairs = Vec::new();
    for prop in props.split(',').filter(|p| !p.is_empty()) {
        let (k, v) = prop
            .split_once('=')
            .ok_or_else(|| format!("property without '=': {prop}"))?;
        if !["file", "line", "endLine", "col", "endColumn", "title"].contains(&k) {
            return Err(format!("unknown property {k}"));
        }
        if v.contains([':', '\n', '\r']) {
            return Err(format!("unescaped value {v:?}"));
        }
        pairs.push((k, v));
    }
    for (k, v) in &pairs {
        if ["line", "col", "endLine", "endColumn"].contains(k) && v.parse::<u32>().map_or(true, |n| n == 0) {
            return Err(format!("{k}={v} is not a positive number"));
        }
    }
    if message.contains(['\n', '\r']) {
        return Err("unescaped line break in the message".into());
    }
    // Every '%' must start an escape.
    for (i, _) in message.match_indices('%') {
        if !["%25", "%0D", "%0A"].iter().any(|e| message[i..].starts_with(e)) {
            return Err(format!("unescaped % in {message:?}"));
        }
    }
    Ok((command, pairs, message))
}

#[test]
fn github_lines_are_workflow_commands() {
    let (code, out) = run(&["findings", "--format", "github"]);
    assert_eq!(code, 1);
    let mut jobs = None;
    for line in out.lines() {
        let (command, props, message) = check_workflow_command(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        if props.contains(&("title", "REL001 queue-without-dlq")) && message.starts_with("aws_sqs_queue.jobs:") {
            jobs = Some((command, props));
        }
        assert!(
            !message.starts_with("aws_sqs_queue.replay:") || !line.contains("REL001"),
            "suppressed: {line}"
        );
    }
    let (command, props) = jobs.unwrap_or_else(|| panic!("no REL001 annotation for aws_sqs_queue.jobs:\n{out}"));
    assert_eq!(command, "error");
    assert_eq!(props[..3], [("file", "findings/main.tf"), ("line", "1"), ("col", "1")]);

    let (code, out) = run(&["broken", "--format", "github"]);
    assert_eq!(code, 2);
    for line in out.lines() {
        check_workflow_command(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    }
    assert!(
        out.lines()
            .any(|l| l.starts_with("::error file=broken/broken.tf,line=3,col=")),
        "{out}"
    );
}

#[test]
fn human_shows_code_frames() {
    let (code, out) = run(&["findings", "--color", "never"]);
    assert_eq!(code, 1);
    assert!(!out.contains('\x1b'), "{out}");
    assert_eq!(
        out.matches("REL001(queue-without-dlq)").count(),
        1,
        "the suppressed one is not shown:\n{out}"
    );
    assert!(out.contains("[high] SQS queue"), "{out}");
    assert!(out.contains(",-[findings/main.tf:1:1]"), "{out}");
    assert!(out.contains(" 1 | resource \"aws_sqs_queue\" \"jobs\" {"), "{out}");
    assert!(out.contains("`-- aws_sqs_queue.jobs"), "{out}");
    assert!(out.contains("wellarch-lint explain REL001"), "{out}");
    let summary = out.lines().last().expect("a summary line");
    assert!(
        summary.contains("suppressed") && summary.contains("fail-on: low"),
        "{summary}"
    );
    assert!(summary.contains("1 file and 2 resources checked"), "{summary}");

    let (_, colored) = run(&["findings", "--color", "always"]);
    assert!(colored.contains('\x1b'), "{colored}");
    assert!(colored.contains("resource \"aws_sqs_queue\" \"jobs\" {"), "{colored}");
}

#[test]
fn human_lists_load_errors_first() {
    let (code, out) = run(&["broken", "--color", "never"]);
    assert_eq!(code, 2);
    assert!(out.starts_with("error: broken/broken.tf:3:"), "{out}");
    assert!(out.contains(" 1 | resource \"aws_sqs_queue\" \"orders\" {"), "{out}");
    assert!(
        out.lines().last().is_some_and(|l| l.contains("1 file not loaded")),
        "{out}"
    );
}

#[test]
fn markdown_is_a_pr_summary() {
    let (code, md) = run(&["findings", "--format", "markdown"]);
    assert_eq!(code, 1);
    assert!(md.starts_with("## wellarch-lint: "), "{md}");
    assert!(md.contains("| Reliability |"), "{md}");
    assert!(
        md.contains("[REL001](https://github.com/wellarch/wellarch/blob/main/docs/rules/REL001.md)"),
        "{md}"
    );
    assert!(md.contains("| `aws_sqs_queue.jobs` | `findings/main.tf:1` |"), "{md}");
    let (before, details) = md.split_once("<details>").expect("a <details> section");
    assert!(!before.contains("aws_sqs_queue.replay` | `findings/main.tf:7"), "{md}");
    assert!(details.contains("`aws_sqs_queue.replay`"), "{md}");
    assert!(
        details.contains("replayed from the source system, no DLQ needed"),
        "{md}"
    );
    assert!(details.contains("</details>"), "{md}");

    let (_, md) = run(&["broken", "--format", "markdown"]);
    assert!(md.contains("### Files not loaded"), "{md}");
    assert!(md.contains("`broken/broken.tf:3:"), "{md}");
}

#[test]
fn exit_codes_follow_fail_on() {
    let only_rel001 = ["high-only", "--config", "high-only/.wellarch.toml"];
    for format in ["human", "json", "sarif", "junit", "github", "markdown"] {
        let (code, _) = run(&[&only_rel001[..], &["--format", format]].concat());
        assert_eq!(code, 1, "{format}");
        let (code, _) = run(&[&only_rel001[..], &["--format", format, "--fail-on", "critical"]].concat());
        assert_eq!(code, 0, "{format} --fail-on critical");
        let (code, _) = run(&["broken", "--format", format]);
        assert_eq!(code, 2, "{format} with a syntax error");
    }
    let (_, out) = run(&[&only_rel001[..], &["--fail-on", "critical", "--color", "never"]].concat());
    assert!(
        out.lines().last().is_some_and(|l| l.ends_with("fail-on: critical")),
        "{out}"
    );
    assert!(out.contains("1 finding (0 critical, 1 high, 0 medium, 0 low)"), "{out}");
    let (_, gh) = run(&[&only_rel001[..], &["--format", "github"]].concat());
    assert_eq!(gh.lines().count(), 1, "{gh}");
    assert!(
        gh.starts_with("::error file=high-only/main.tf,line=1,col=1,title=REL001 queue-without-dlq::"),
        "{gh}"
    );
}
