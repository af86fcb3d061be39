//! Property tests: no user input makes a loader or the pipeline panic, and every failure is an
//! error located in its file (line and column ≥ 1).
//!
//! Three kinds of input: arbitrary text (and lossily decoded bytes); the real example files
//! and plan with random byte edits (deletions, insertions of syntax tokens, duplications,
//! truncations), which keeps most of the structure so the loaders get deep; and generated
//! configurations (nested blocks, expressions, functions, templates, references, `count` and
//! `for_each`), which parse and are linted through the whole pipeline.
//!
//! Case counts keep this file to a few seconds in the debug profile. `PROPTEST_CASES=N`
//! runs N cases of each loader-level property and N/8 of each pipeline property (those
//! write files and run every rule, so a case costs much more):
//!
//! ```sh
//! PROPTEST_CASES=20000 cargo test -p wellarch-lint --release --test loaders_proptest
//! ```
//!
//! `linter/fuzz/` holds cargo-fuzz targets for the same loaders.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::sample::{Index, select, subsequence};
use wellarch_lint::engine::{self, Options, Outcome};
use wellarch_lint::graph::{Graph, Location};
use wellarch_lint::load::config::{Attr, BlockBody, LoadError, ModuleConfig};
use wellarch_lint::load::plan;
use wellarch_lint::load::source::SourceFile;
use wellarch_lint::load::{hcl, tfjson};

// ---------------------------------------------------------------------------------------
// Configuration

/// `cases` by default; with `PROPTEST_CASES=N` set, N divided by `divisor`.
fn config(cases: u32, divisor: u32) -> ProptestConfig {
    // `default()` has already read PROPTEST_CASES (and the other PROPTEST_* variables).
    let mut config = ProptestConfig::default();
    config.cases = if std::env::var_os("PROPTEST_CASES").is_some() {
        (config.cases / divisor).max(1)
    } else {
        cases
    };
    config
}

/// Loader-level properties: a case is one parse of at most a few KB.
fn loader_config() -> ProptestConfig {
    config(256, 1)
}

/// Pipeline properties: a case writes a directory and runs discovery, evaluation and all rules.
fn pipeline_config() -> ProptestConfig {
    config(48, 8)
}

// ---------------------------------------------------------------------------------------
// Inputs read at test time

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `examples/secure/*.tf`: (file name, text).
static SECURE: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    let dir = manifest_dir().join("../examples/secure");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .map(|p| {
            let name = p.file_name().expect("file name").to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (name, text)
        })
        .collect();
    files.sort();
    assert!(files.len() >= 4, "examples/secure has too few .tf files: {files:?}");
    files
});

static PLAN: LazyLock<String> = LazyLock::new(|| {
    let path = manifest_dir().join("tests/fixtures/equivalence/plan/plan.json");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
});

// ---------------------------------------------------------------------------------------
// What "a located error or a value" means

fn line_count(text: &str) -> u32 {
    text.split('\n').count() as u32
}

fn check_error(e: &LoadError, file: &str, text: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(&e.file, file, "error names the wrong file: {:?}", e);
    prop_assert!(e.line >= 1 && e.column >= 1, "error without a position: {:?}", e);
    prop_assert!(e.line <= line_count(text), "error past the last line: {:?}", e);
    prop_assert!(!e.message.is_empty(), "error without a message: {:?}", e);
    Ok(())
}

fn check_location(l: &Location, file: &str, text: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(l.file.as_ref(), file);
    prop_assert!(l.line >= 1 && l.column >= 1, "unlocated: {:?}", l);
    prop_assert!(l.line <= line_count(text), "past the last line: {:?}", l);
    prop_assert!(l.offset + l.len <= text.len(), "span out of the text: {:?}", l);
    Ok(())
}

fn check_attrs(attrs: &[Attr], file: &str, text: &str) -> Result<(), TestCaseError> {
    for a in attrs {
        check_location(&a.location, file, text)?;
    }
    Ok(())
}

fn check_body(body: &BlockBody, file: &str, text: &str) -> Result<(), TestCaseError> {
    check_attrs(&body.attrs, file, text)?;
    for b in &body.blocks {
        check_location(&b.location, file, text)?;
        check_body(&b.body, file, text)?;
    }
    Ok(())
}

/// A loaded module file: every declaration points into the file it came from.
fn check_module(cfg: &ModuleConfig, file: &str, text: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(cfg.files.len(), 1);
    prop_assert_eq!(cfg.files[0].as_ref(), file);
    for r in &cfg.resources {
        check_location(&r.location, file, text)?;
        prop_assert!(1 <= r.lines.0 && r.lines.0 <= r.lines.1, "block lines {:?}", r.lines);
        check_body(&r.body, file, text)?;
    }
    for v in &cfg.variables {
        check_location(&v.location, file, text)?;
    }
    for m in &cfg.module_calls {
        check_location(&m.location, file, text)?;
        check_attrs(&m.inputs, file, text)?;
    }
    check_attrs(&cfg.locals, file, text)?;
    check_attrs(&cfg.outputs, file, text)?;
    for s in &cfg.suppressions {
        check_location(&s.location, file, text)?;
    }
    Ok(())
}

fn check_module_result(r: Result<ModuleConfig, LoadError>, file: &str, text: &str) -> Result<(), TestCaseError> {
    match r {
        Ok(cfg) => check_module(&cfg, file, text),
        Err(e) => check_error(&e, file, text),
    }
}

fn check_vars_result(r: Result<Vec<Attr>, LoadError>, file: &str, text: &str) -> Result<(), TestCaseError> {
    match r {
        Ok(attrs) => check_attrs(&attrs, file, text),
        Err(e) => check_error(&e, file, text),
    }
}

/// Resource instances of a graph: the address is the base plus an instance key, the base is
/// the module path plus `[data.]type.name`; a composite's child is the composite's address,
/// a slash and `[data.|ephemeral.]type.name`, and the composite is its module.
fn check_graph(g: &Graph) -> Result<(), TestCaseError> {
    for r in &g.resources {
        if let Some(origin) = &r.origin {
            prop_assert_eq!(&r.module, origin);
            let mode = match r.address.strip_prefix(&format!("{origin}/")) {
                Some(rest) if r.data && rest.starts_with("ephemeral.") => "ephemeral.",
                _ if r.data => "data.",
                _ => "",
            };
            prop_assert_eq!(&r.address, &format!("{origin}/{mode}{}.{}", r.rtype, r.name));
            prop_assert!(g.get(origin).is_some(), "{} without its composite", r.address);
            prop_assert!(r.location.line >= 1 && r.lines.0 >= 1 && r.lines.0 <= r.lines.1);
            continue;
        }
        prop_assert!(
            r.address.starts_with(&r.base),
            "{} does not start with {}",
            r.address,
            r.base
        );
        let rest = &r.address[r.base.len()..];
        prop_assert!(
            rest.is_empty() || rest.starts_with('['),
            "instance key of {}",
            r.address
        );
        if !r.module.is_empty() {
            prop_assert!(
                r.base.starts_with(&format!("{}.", r.module)),
                "{} not in {}",
                r.base,
                r.module
            );
        }
        prop_assert!(
            r.location.line >= 1 && r.location.column >= 1,
            "{}: {:?}",
            r.address,
            r.location
        );
        prop_assert!(
            r.lines.0 >= 1 && r.lines.0 <= r.lines.1,
            "{}: lines {:?}",
            r.address,
            r.lines
        );
    }
    Ok(())
}

fn check_plan(text: &str) -> Result<(), TestCaseError> {
    let _ = plan::looks_like_plan(text);
    let src = SourceFile::new("plan.json", text);
    match plan::load_plan(&src) {
        Ok(g) => {
            prop_assert_eq!(g.root.as_str(), "plan.json");
            check_graph(&g)?;
            for r in &g.resources {
                check_location(&r.location, "plan.json", text)?;
            }
            Ok(())
        }
        Err(e) => check_error(&e, "plan.json", text),
    }
}

/// Every loader that could be handed this text, as a `.tf`, `.tfvars`, `.tf.json`,
/// `.tfvars.json` and plan.
fn check_all_loaders(text: &str) -> Result<(), TestCaseError> {
    let tf = SourceFile::new("main.tf", text);
    check_module_result(hcl::parse_module_file(&tf), "main.tf", text)?;
    let tfvars = SourceFile::new("terraform.tfvars", text);
    check_vars_result(hcl::parse_tfvars(&tfvars), "terraform.tfvars", text)?;
    let json = SourceFile::new("main.tf.json", text);
    check_module_result(tfjson::parse_module_json(&json), "main.tf.json", text)?;
    let vars_json = SourceFile::new("terraform.tfvars.json", text);
    check_vars_result(tfjson::parse_tfvars_json(&vars_json), "terraform.tfvars.json", text)?;
    check_plan(text)
}

/// Lints `files` (relative path, text) in a fresh directory through [`engine::run`].
fn lint(files: &[(&str, &str)]) -> Result<(tempfile::TempDir, Outcome), TestCaseError> {
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(format!("temp dir: {e}")))?;
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| TestCaseError::fail(format!("mkdir: {e}")))?;
        }
        std::fs::write(&path, text).map_err(|e| TestCaseError::fail(format!("write: {e}")))?;
    }
    let opts = Options {
        paths: vec![dir.path().to_path_buf()],
        today: "2026-01-01".into(),
        keep_graphs: true,
        ..Options::default()
    };
    let outcome = engine::run(&opts).map_err(|e| TestCaseError::fail(format!("engine::run failed: {e}")))?;
    Ok((dir, outcome))
}

/// Whatever the pipeline made of a directory: located errors in its files, well-formed
/// graphs, findings that point somewhere.
fn check_outcome(dir: &Path, outcome: &Outcome) -> Result<(), TestCaseError> {
    for e in &outcome.errors {
        prop_assert!(
            Path::new(&e.file).starts_with(dir),
            "error outside the linted directory: {:?}",
            e
        );
        prop_assert!(e.line >= 1 && e.column >= 1, "error without a position: {:?}", e);
        prop_assert!(!e.message.is_empty(), "error without a message: {:?}", e);
    }
    for g in &outcome.graphs {
        check_graph(g)?;
    }
    prop_assert_eq!(
        outcome.resources,
        outcome.graphs.iter().map(|g| g.resources.len()).sum::<usize>()
    );
    for f in &outcome.findings {
        prop_assert!(!f.resource.is_empty(), "finding without a resource: {:?}", f.message);
        prop_assert!(
            f.location.line >= 1 && f.location.column >= 1,
            "{} on {}: {:?}",
            f.rule.code,
            f.resource,
            f.location
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Mutations of valid inputs

/// Pieces of HCL and JSON syntax that get a parser past the first token more often than
/// random bytes do.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "=",
    ":",
    ",",
    ".",
    "...",
    "=>",
    "?",
    "\n",
    " ",
    "#",
    "//",
    "/*",
    "*/",
    "${",
    "%{",
    "$${",
    "~}",
    "%{ if true }",
    "%{ endif }",
    "%{ for x in [1] }",
    "%{ endfor }",
    "<<EOT\n",
    "\nEOT\n",
    "<<-EOT\n",
    "\\",
    "\\u00e9",
    "\\ud800",
    "é",
    "🦀",
    "\u{feff}",
    "\r\n",
    "\t",
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1e400",
    "-0",
    "4294967296",
    "0.5",
    "var.",
    "local.",
    "count.index",
    "each.key",
    "each.value",
    "self.",
    "module.",
    "data.",
    "[*]",
    ".*",
    "[0]",
    "[\"k\"]",
    "for",
    " in ",
    " if ",
    "resource",
    "dynamic",
    "content",
    "count = 3\n",
    "for_each = {}\n",
    "jsonencode(",
    "cidrsubnet(",
    "element(",
    "lookup(",
    "try(",
    "merge(",
    "flatten(",
    "concat(",
    "range(",
    "format(",
    "substr(",
    "\"address\"",
    "\"format_version\"",
    "\"resources\"",
    "\"child_modules\"",
    "\"module.m[0].aws_sqs_queue.q\"",
    "\"values\"",
    "\"after_unknown\"",
    "\"expressions\"",
    "\"references\"",
    "\"constant_value\"",
    "# wellarch:ignore WA-REL-001 -- r\n",
];

#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: Index, len: usize },
    Insert { at: Index, bytes: Vec<u8> },
    Duplicate { from: Index, len: usize, to: Index },
    Truncate { at: Index },
    Overwrite { at: Index, byte: u8 },
}

fn insertion() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => select(TOKENS).prop_map(|t| t.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 1..4),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), 1..24usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        4 => (any::<Index>(), insertion()).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        2 => (any::<Index>(), 1..200usize, any::<Index>()).prop_map(|(from, len, to)| Mutation::Duplicate {
            from,
            len,
            to
        }),
        1 => any::<Index>().prop_map(|at| Mutation::Truncate { at }),
        2 => (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Overwrite { at, byte }),
    ]
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(mutation(), 1..6)
}

/// A position in `0..=len`.
fn pos(at: &Index, len: usize) -> usize {
    at.index(len + 1)
}

fn apply(text: &str, mutations: &[Mutation]) -> String {
    let mut b = text.as_bytes().to_vec();
    for m in mutations {
        match m {
            Mutation::Delete { at, len } => {
                let start = pos(at, b.len());
                let end = (start + len).min(b.len());
                b.drain(start..end);
            }
            Mutation::Insert { at, bytes } => {
                let at = pos(at, b.len());
                b.splice(at..at, bytes.iter().copied());
            }
            Mutation::Duplicate { from, len, to } => {
                let start = pos(from, b.len());
                let end = (start + len).min(b.len());
                let piece = b[start..end].to_vec();
                let to = pos(to, b.len());
                b.splice(to..to, piece);
            }
            Mutation::Truncate { at } => b.truncate(pos(at, b.len())),
            Mutation::Overwrite { at, byte } => {
                if !b.is_empty() {
                    let at = at.index(b.len());
                    b[at] = *byte;
                }
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

fn secure_file() -> impl Strategy<Value = usize> {
    0..SECURE.len()
}

// ---------------------------------------------------------------------------------------
// Generated configurations

const NUMBERS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "-1",
    "0.5",
    "-0.5",
    "1e3",
    "1e308",
    "4294967297",
    "100000",
    "65535",
    "18446744073709551616",
    "0.000001",
];

const STRINGS: &[&str] = &[
    "",
    "a",
    "jobs",
    "0.0.0.0/0",
    "10.0.0.0/16",
    "::/0",
    "fd00::/8",
    "*",
    "s3:*",
    "sqs:SendMessage",
    "arn:aws:s3:::b/*",
    "Allow",
    "Deny",
    "tcp",
    "-1",
    "AES256",
    "aws:kms",
    "GLACIER",
    "true",
    "{\\\"a\\\":[1,2]}",
    "[1,",
    "é",
    "🦀",
    "a\\nb",
    "\\\"q\\\"",
    "$${literal}",
    "%%{literal}",
    "\\u00e9",
    "10.0.0.0/33",
    "300.0.0.0/8",
];

const REFS: &[&str] = &[
    "var.x",
    "var.y",
    "var.list",
    "var.undeclared",
    "local.y",
    "local.z",
    "local.missing",
    "aws_sqs_queue.q",
    "aws_sqs_queue.q.arn",
    "aws_sqs_queue.q[0].arn",
    "aws_sqs_queue.q[\"a\"].arn",
    "aws_sqs_queue.q[*].arn",
    "aws_s3_bucket.b.id",
    "aws_kms_key.k.arn",
    "aws_security_group.sg.id",
    "aws_lambda_function.f.arn",
    "aws_iam_role.r.arn",
    "data.aws_iam_policy_document.d.json",
    "module.m.out",
    "module.m[0].out",
    "module.m",
    "module.missing.out",
    "each.key",
    "each.value",
    "count.index",
    "path.module",
    "self.id",
    "terraform.workspace",
    "x",
    "k",
    "v",
];

const FUNCTIONS: &[&str] = &[
    "jsonencode",
    "jsondecode",
    "element",
    "lookup",
    "concat",
    "cidrsubnet",
    "cidrsubnets",
    "cidrhost",
    "cidrnetmask",
    "try",
    "can",
    "merge",
    "flatten",
    "length",
    "keys",
    "values",
    "zipmap",
    "range",
    "slice",
    "coalesce",
    "coalescelist",
    "compact",
    "distinct",
    "contains",
    "index",
    "one",
    "reverse",
    "sort",
    "min",
    "max",
    "sum",
    "pow",
    "abs",
    "ceil",
    "format",
    "formatlist",
    "join",
    "split",
    "replace",
    "substr",
    "upper",
    "title",
    "trimprefix",
    "indent",
    "tostring",
    "tonumber",
    "tobool",
    "tolist",
    "toset",
    "tomap",
    "base64encode",
    "base64decode",
    "urlencode",
    "sensitive",
    "alltrue",
    "anytrue",
    "fileexists",
    "timestamp",
    "no_such_function",
];

const OPERATORS: &[&str] = &["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"];

const KEYS: &[&str] = &[
    "a",
    "b",
    "name",
    "Effect",
    "Action",
    "Resource",
    "deadLetterTargetArn",
    "maxReceiveCount",
    "\"with space\"",
    "\"kubernetes.io/role\"",
    "(var.x)",
];

fn string_literal() -> impl Strategy<Value = String> {
    prop_oneof![
        select(STRINGS).prop_map(|s| format!("\"{s}\"")),
        "[a-z0-9 ._/:*-]{0,12}".prop_map(|s| format!("\"{s}\"")),
    ]
}

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => select(&["null", "true", "false"][..]).prop_map(str::to_string),
        1 => select(NUMBERS).prop_map(str::to_string),
        1 => string_literal(),
        3 => select(REFS).prop_map(str::to_string),
    ]
}

fn expression() -> impl Strategy<Value = String> {
    leaf().prop_recursive(4, 40, 4, |inner| {
        let args = prop::collection::vec(inner.clone(), 0..4);
        prop_oneof![
            1 => args.clone().prop_map(|items| format!("[{}]", items.join(", "))),
            1 => (subsequence(KEYS, 0..4), prop::collection::vec(inner.clone(), 4)).prop_map(|(keys, values)| {
                let body: Vec<String> = keys.iter().zip(values).map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{{ {} }}", body.join(", "))
            }),
            3 => (select(FUNCTIONS), args.clone(), any::<bool>()).prop_map(|(f, args, expand)| {
                let dots = if expand && !args.is_empty() { "..." } else { "" };
                format!("{f}({}{dots})", args.join(", "))
            }),
            1 => (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| format!("({c} ? {a} : {b})")),
            1 => (inner.clone(), inner.clone(), any::<bool>()).prop_map(|(coll, e, cond)| {
                let filter = if cond { " if x != null" } else { "" };
                format!("[for x in {coll} : {e}{filter}]")
            }),
            1 => (inner.clone(), inner.clone(), any::<bool>()).prop_map(|(coll, e, group)| {
                let dots = if group { "..." } else { "" };
                format!("{{ for k, v in {coll} : tostring(k) => {e}{dots} }}")
            }),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("\"pre-${{{a}}}-${{{b}}}\"")),
            1 => (inner.clone(), inner.clone()).prop_map(|(c, a)| format!("\"%{{ if {c} }}${{{a}}}%{{ else }}no%{{ endif }}\"")),
            1 => inner.clone().prop_map(|c| format!("\"%{{ for x in {c} ~}}${{x}},%{{ endfor ~}}\"")),
            1 => (inner.clone(), select(OPERATORS), inner.clone()).prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            1 => inner.clone().prop_map(|a| format!("!({a})")),
            1 => inner.clone().prop_map(|a| format!("-({a})")),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, i)| format!("({a})[{i}]")),
            1 => inner.clone().prop_map(|a| format!("({a}).name")),
            1 => inner.clone().prop_map(|a| format!("({a})[*].id")),
        ]
    })
}

const RESOURCE_TYPES: &[&str] = &[
    "aws_sqs_queue",
    "aws_s3_bucket",
    "aws_lambda_function",
    "aws_db_instance",
    "aws_dynamodb_table",
    "aws_rds_cluster",
    "aws_security_group",
    "aws_lb",
    "aws_instance",
    "aws_kms_key",
    "aws_iam_role",
    "aws_iam_policy",
    "aws_sns_topic",
    "aws_cloudwatch_metric_alarm",
    "aws_lambda_event_source_mapping",
    "aws_elasticache_replication_group",
    "aws_vpc",
    "aws_subnet",
    "aws_cloudfront_distribution",
    "aws_api_gateway_stage",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_versioning",
    "aws_ebs_volume",
    "wellarch_queue",
];

const RESOURCE_NAMES: &[&str] = &["q", "b", "f", "sg", "k", "r", "main"];

const ATTRIBUTES: &[&str] = &[
    "name",
    "bucket",
    "arn",
    "policy",
    "assume_role_policy",
    "redrive_policy",
    "kms_master_key_id",
    "kms_key_id",
    "visibility_timeout_seconds",
    "timeout",
    "memory_size",
    "reserved_concurrent_executions",
    "event_source_arn",
    "function_name",
    "cidr_block",
    "cidr_blocks",
    "ipv6_cidr_blocks",
    "from_port",
    "to_port",
    "protocol",
    "security_groups",
    "publicly_accessible",
    "storage_encrypted",
    "encrypted",
    "multi_az",
    "backup_retention_period",
    "deletion_protection",
    "instance_class",
    "instance_type",
    "engine",
    "acl",
    "block_public_acls",
    "tags",
    "dimensions",
    "alarm_actions",
    "threshold",
    "internal",
    "billing_mode",
    "subnet_ids",
    "vpc_id",
];

const NESTED_BLOCKS: &[&str] = &[
    "ingress",
    "egress",
    "statement",
    "tracing_config",
    "server_side_encryption_configuration",
    "rule",
    "versioning",
    "logging",
    "point_in_time_recovery",
    "vpc_config",
    "dead_letter_config",
    "lifecycle",
    "default_cache_behavior",
    "access_logs",
];

/// Up to `max` attributes with distinct names (HCL rejects a redefined attribute).
fn attributes(max: usize) -> impl Strategy<Value = Vec<String>> {
    (
        subsequence(ATTRIBUTES, 0..max),
        prop::collection::vec(expression(), max),
    )
        .prop_map(|(names, values)| names.iter().zip(values).map(|(k, v)| format!("  {k} = {v}")).collect())
}

fn nested_block() -> impl Strategy<Value = String> {
    let plain = (select(NESTED_BLOCKS), attributes(4)).prop_map(|(ident, attrs)| {
        let inner: Vec<String> = attrs.iter().map(|a| format!("  {a}")).collect();
        format!("  {ident} {{\n{}\n  }}", inner.join("\n"))
    });
    let dynamic = (select(NESTED_BLOCKS), expression(), attributes(3)).prop_map(|(ident, each, attrs)| {
        let inner: Vec<String> = attrs.iter().map(|a| format!("    {a}")).collect();
        format!(
            "  dynamic \"{ident}\" {{\n    for_each = {each}\n    content {{\n      description = {ident}.value\n{}\n    }}\n  }}",
            inner.join("\n")
        )
    });
    prop_oneof![3 => plain, 1 => dynamic]
}

fn meta_argument() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just(String::new()),
        1 => expression().prop_map(|e| format!("  count = {e}\n")),
        1 => select(&["0", "2", "-1", "1.5", "1e9", "var.x", "length(var.list)", "null"][..])
            .prop_map(|e| format!("  count = {e}\n")),
        1 => expression().prop_map(|e| format!("  for_each = {e}\n")),
        1 => select(&[
            "toset([\"a\", \"b\"])",
            "{ a = 1, b = 2 }",
            "var.list",
            "[\"a\", \"a\"]",
            "{}",
            "toset([null])",
            "{ for s in var.list : s => s }",
        ][..])
        .prop_map(|e| format!("  for_each = {e}\n")),
    ]
}

fn block() -> impl Strategy<Value = String> {
    let resource = (
        any::<bool>(),
        select(RESOURCE_TYPES),
        select(RESOURCE_NAMES),
        meta_argument(),
        attributes(6),
        prop::collection::vec(nested_block(), 0..3),
    )
        .prop_map(|(data, rtype, name, meta, attrs, blocks)| {
            let kind = if data { "data" } else { "resource" };
            format!(
                "{kind} \"{rtype}\" \"{name}\" {{\n{meta}{}\n{}\n}}",
                attrs.join("\n"),
                blocks.join("\n")
            )
        });
    let policy = prop::collection::vec((expression(), expression(), expression()), 0..3).prop_map(|statements| {
        let body: Vec<String> = statements
            .iter()
            .map(|(effect, actions, resources)| {
                format!(
                    "  statement {{\n    effect = {effect}\n    actions = {actions}\n    resources = {resources}\n  }}"
                )
            })
            .collect();
        format!("data \"aws_iam_policy_document\" \"d\" {{\n{}\n}}", body.join("\n"))
    });
    let variable = (select(&["x", "y", "list"][..]), prop::option::of(expression())).prop_map(|(name, default)| {
        let default = default.map(|d| format!("  default = {d}\n")).unwrap_or_default();
        format!("variable \"{name}\" {{\n{default}}}")
    });
    let locals = (
        subsequence(&["y", "z", "w"][..], 1..4),
        prop::collection::vec(expression(), 3),
    )
        .prop_map(|(names, values)| {
            let body: Vec<String> = names.iter().zip(values).map(|(k, v)| format!("  {k} = {v}")).collect();
            format!("locals {{\n{}\n}}", body.join("\n"))
        });
    let module = (
        select(&["./m", "./m", "./missing", "../m", "git::https://example.invalid/m.git"][..]),
        meta_argument(),
        prop::option::of(expression()),
    )
        .prop_map(|(source, meta, input)| {
            let input = input.map(|i| format!("  in = {i}\n")).unwrap_or_default();
            format!("module \"m\" {{\n  source = \"{source}\"\n{meta}{input}}}")
        });
    let output = expression().prop_map(|e| format!("output \"out\" {{\n  value = {e}\n}}"));
    let heredoc = (select(ATTRIBUTES), expression())
        .prop_map(|(k, e)| format!("locals {{\n  {k} = <<-EOT\n    policy ${{{e}}}\n    EOT\n}}"));
    prop_oneof![
        6 => resource,
        1 => policy,
        2 => variable,
        2 => locals,
        1 => module,
        1 => output,
        1 => heredoc,
    ]
}

fn configuration() -> impl Strategy<Value = String> {
    prop::collection::vec(block(), 1..8).prop_map(|blocks| blocks.join("\n\n") + "\n")
}

/// The module that `module "m" { source = "./m" }` calls.
const CHILD_MODULE: &str = r#"variable "in" {
  default = null
}

resource "aws_sqs_queue" "inner" {
  name              = var.in
  kms_master_key_id = try(var.in.key, null)
}

output "out" {
  value = aws_sqs_queue.inner.arn
}
"#;

// ---------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(loader_config())]

    #[test]
    fn arbitrary_text_never_panics_a_loader(text in any::<String>()) {
        check_all_loaders(&text)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic_a_loader(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check_all_loaders(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn token_soup_never_panics_a_loader(tokens in prop::collection::vec(select(TOKENS), 0..64)) {
        check_all_loaders(&tokens.concat())?;
    }

    /// The plan sniffer reads the first 8 KB; its cut must land on a character boundary.
    #[test]
    fn plan_sniffing_cuts_on_char_boundaries(pad in 8100..8200usize, c in select(&['é', '€', '🦀', 'a'][..])) {
        let mut text = String::from("{\"format_version\":\"1.2\",\"planned_values\":\"");
        while text.len() < pad {
            text.push(c);
        }
        text.push_str("\"}");
        prop_assert!(plan::looks_like_plan(&text));
        check_plan(&text)?;
    }

    #[test]
    fn mutated_example_files_never_panic_the_hcl_loaders(i in secure_file(), m in mutations()) {
        let (name, text) = &SECURE[i];
        let text = apply(text, &m);
        let src = SourceFile::new(name.as_str(), text.as_str());
        check_module_result(hcl::parse_module_file(&src), name, &text)?;
        check_vars_result(hcl::parse_tfvars(&src), name, &text)?;
    }

    #[test]
    fn mutated_plan_never_panics_the_json_loaders(m in mutations()) {
        let text = apply(&PLAN, &m);
        check_plan(&text)?;
        // The span-keeping JSON reader of `.tf.json` gets every document serde_json accepts.
        let src = SourceFile::new("main.tf.json", text.as_str());
        check_module_result(tfjson::parse_module_json(&src), "main.tf.json", &text)?;
        check_vars_result(tfjson::parse_tfvars_json(&src), "main.tf.json", &text)?;
    }

    /// Generated configurations are valid HCL, so they load; every tfvars file too.
    #[test]
    fn generated_configurations_load(text in configuration(), vars in expression()) {
        let src = SourceFile::new("main.tf", text.as_str());
        match hcl::parse_module_file(&src) {
            Ok(cfg) => check_module(&cfg, "main.tf", &text)?,
            Err(e) => prop_assert!(false, "generated HCL does not parse: {:?}\n{}", e, text),
        }
        let tfvars = format!("x = {vars}\n");
        let src = SourceFile::new("terraform.tfvars", tfvars.as_str());
        match hcl::parse_tfvars(&src) {
            Ok(attrs) => prop_assert_eq!(attrs.len(), 1),
            Err(e) => prop_assert!(false, "generated tfvars do not parse: {:?}\n{}", e, tfvars),
        }
    }
}

proptest! {
    #![proptest_config(pipeline_config())]

    /// One example file broken, the others intact: evaluation and every rule still run.
    #[test]
    fn mutated_example_file_never_panics_the_pipeline(i in secure_file(), m in mutations()) {
        let mutated = apply(&SECURE[i].1, &m);
        let files: Vec<(&str, &str)> = SECURE
            .iter()
            .enumerate()
            .map(|(j, (name, text))| (name.as_str(), if i == j { mutated.as_str() } else { text.as_str() }))
            .collect();
        let (dir, outcome) = lint(&files)?;
        check_outcome(dir.path(), &outcome)?;
    }

    #[test]
    fn mutated_plan_never_panics_the_pipeline(m in mutations()) {
        let text = apply(&PLAN, &m);
        let (dir, outcome) = lint(&[("plan.json", text.as_str())])?;
        check_outcome(dir.path(), &outcome)?;
    }

    /// Random blocks, expressions, functions, templates, references, `count`/`for_each` and
    /// a module call, linted with a tfvars file: no panic, no load error, well-formed graphs.
    #[test]
    fn generated_configurations_never_panic_the_pipeline(text in configuration(), vars in expression()) {
        let tfvars = format!("x = {vars}\n");
        let (dir, outcome) = lint(&[
            ("main.tf", text.as_str()),
            ("terraform.tfvars", tfvars.as_str()),
            ("m/main.tf", CHILD_MODULE),
        ])?;
        check_outcome(dir.path(), &outcome)?;
        for e in &outcome.errors {
            // Evaluation problems may be reported, but never a syntax error: the input is valid.
            prop_assert!(!e.message.contains("parse error"), "{:?}\n{}", e, text);
        }
    }
}
