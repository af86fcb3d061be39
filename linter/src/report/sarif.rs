//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning accepts it
//! (`github/codeql-action/upload-sarif`).
//!
//! Every rule is listed in `tool.driver.rules` (so `ruleIndex` is stable across runs with
//! different findings), suppressed findings carry `suppressions` (GitHub shows them as
//! dismissed), and files that could not be loaded are `toolExecutionNotifications`.

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::engine::Outcome;
use crate::graph::Location;
use crate::load::config::LoadError;
use crate::rules::{self, Finding, RuleMeta, Severity, Suppressed};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/wellarch/wellarch";

/// Where a rule's documentation page lives.
pub fn docs_url(code: &str) -> String {
    format!("{INFORMATION_URI}/blob/main/docs/rules/{code}.md")
}

/// A path as code-scanning tools want it: relative to the working directory when possible,
/// forward slashes, no leading `./`.
pub fn relative_path(file: &str) -> String {
    let mut path = std::path::PathBuf::from(file);
    if path.is_absolute()
        && let Ok(cwd) = std::env::current_dir()
        && let Ok(rel) = path.strip_prefix(&cwd)
    {
        path = rel.to_path_buf();
    }
    let mut s = path.to_string_lossy().replace('\\', "/");
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.to_string();
    }
    s
}

/// A URI reference for `artifactLocation.uri`: the relative path, percent-encoded; absolute
/// paths outside the working directory become `file://` URIs.
pub fn artifact_uri(file: &str) -> String {
    let path = relative_path(file);
    let encoded = percent_encode(&path);
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else if path.as_bytes().get(1) == Some(&b':') {
        // A Windows drive path outside the working directory.
        format!("file:///{encoded}")
    } else {
        encoded
    }
}

fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@!$&'()*+,;=".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// FNV-1a, 64 bits: a stable hash that does not depend on the Rust version.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// A finding's identity that survives edits elsewhere in the file: rule and resource.
pub fn fingerprint(f: &Finding) -> String {
    let key = format!("{}\0{}", f.rule.code, f.resource);
    format!("{:016x}", fnv1a64(key.as_bytes()))
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.0",
        Severity::High => "7.0",
        Severity::Medium => "5.0",
        Severity::Low => "3.0",
    }
}

fn problem_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "recommendation",
    }
}

/// `queue-without-dlq` → `QueueWithoutDlq`.
fn camel_case(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The text of one `## heading` section of a rule's documentation, as one paragraph.
fn section(meta: &RuleMeta, heading: &str) -> Option<String> {
    let doc = meta.documentation();
    let body = doc.split(&format!("## {heading}\n")).nth(1)?;
    let body = body.split("\n## ").next()?;
    let mut text = String::new();
    let mut in_code = false;
    for line in body.lines().map(str::trim) {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        if line.is_empty() {
            if !text.is_empty() && !text.ends_with("\n\n") {
                text.push_str("\n\n");
            }
        } else {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push(' ');
            }
            text.push_str(line);
        }
    }
    let text = text.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn rule(meta: &RuleMeta) -> Value {
    let summary = meta.summary();
    let full = match (section(meta, "What it does"), section(meta, "Why is this bad?")) {
        (Some(what), Some(why)) => format!("{what}\n\n{why}"),
        (Some(what), None) => what,
        _ => summary.clone(),
    };
    let docs = meta.documentation();
    json!({
        "id": meta.code,
        "name": camel_case(meta.name),
        "shortDescription": { "text": summary },
        "fullDescription": { "text": full },
        "help": { "text": docs, "markdown": docs },
        "helpUri": docs_url(meta.code),
        "defaultConfiguration": { "level": level(meta.severity) },
        "properties": {
            "tags": [meta.pillar.as_str(), "well-architected", meta.best_practice],
            "security-severity": security_severity(meta.severity),
            "problem.severity": problem_severity(meta.severity),
            "precision": "high",
        },
    })
}

fn physical(file: &str, line: u32, column: u32) -> Value {
    let mut v = json!({ "artifactLocation": { "uri": artifact_uri(file) } });
    if line >= 1 {
        v["region"] = json!({ "startLine": line, "startColumn": column.max(1) });
    }
    v
}

fn location(l: &Location) -> Value {
    physical(&l.file, l.line, l.column)
}

fn result(f: &Finding, rule_index: Option<usize>) -> Value {
    let mut v = json!({
        "ruleId": f.rule.code,
        "level": level(f.severity),
        "message": { "text": format!("{}: {}", f.resource, f.message) },
        "locations": [{
            "physicalLocation": location(&f.location),
            "logicalLocations": [{ "fullyQualifiedName": f.resource, "kind": "resource" }],
        }],
        "partialFingerprints": { "wellarchResource/v1": fingerprint(f) },
        "properties": {
            "severity": f.severity.as_str(),
            "pillar": f.rule.pillar.as_str(),
            "bestPractice": f.rule.best_practice,
            "resource": f.resource,
        },
    });
    if let Some(i) = rule_index {
        v["ruleIndex"] = json!(i);
    }
    if !f.related.is_empty() {
        v["relatedLocations"] = f
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| {
                json!({
                    "id": i + 1,
                    "physicalLocation": location(&r.location),
                    "message": { "text": format!("{}: {}", r.resource, r.message) },
                })
            })
            .collect();
    }
    if let Some(s) = &f.suppressed {
        let suppression = match s {
            Suppressed::Inline { reason } => {
                json!({ "kind": "inSource", "status": "accepted", "justification": reason })
            }
            Suppressed::Baseline => {
                json!({ "kind": "external", "status": "accepted", "justification": "recorded in the baseline" })
            }
        };
        v["suppressions"] = json!([suppression]);
    }
    v
}

fn notification(e: &LoadError) -> Value {
    json!({
        "level": "error",
        "descriptor": { "id": "load-error" },
        "message": { "text": e.message },
        "locations": [{ "physicalLocation": physical(&e.file, e.line, e.column) }],
    })
}

pub fn document(outcome: &Outcome) -> Value {
    let all = rules::all();
    let metas: Vec<&'static RuleMeta> = all.iter().map(|r| r.meta()).collect();
    // Findings of rules not in the registry (none today) still get a rule entry.
    let mut extra: Vec<&'static RuleMeta> = Vec::new();
    for f in &outcome.findings {
        if !metas.iter().chain(&extra).any(|m| m.code == f.rule.code) {
            extra.push(f.rule);
        }
    }
    let metas: Vec<&'static RuleMeta> = metas.into_iter().chain(extra).collect();
    let results: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| result(f, metas.iter().position(|m| m.code == f.rule.code)))
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "wellarch-lint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": metas.iter().map(|m| rule(m)).collect::<Vec<_>>(),
                },
            },
            "invocations": [{
                "executionSuccessful": outcome.errors.is_empty(),
                "toolExecutionNotifications": outcome.errors.iter().map(notification).collect::<Vec<_>>(),
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

pub fn render(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(outcome))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_reference_values() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn names_and_paths() {
        assert_eq!(camel_case("db-in-public-subnet"), "DbInPublicSubnet");
        assert_eq!(relative_path("./a/./b.tf"), "a/./b.tf");
        assert_eq!(relative_path(".\\mod\\main.tf"), "mod/main.tf");
        assert_eq!(artifact_uri("dir with space/main.tf"), "dir%20with%20space/main.tf");
        assert_eq!(
            artifact_uri("/elsewhere/x.tf").split_once("://").map(|p| p.0),
            Some("file")
        );
    }
}
