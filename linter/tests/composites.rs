//! `wellarch_*` composites are expanded and linted like hand-written resources: from HCL,
//! `.tf.json` and plan JSON, inside modules and with count/for_each.

use std::collections::BTreeSet;

use wellarch_lint::engine::{self, Options, Outcome};
use wellarch_lint::graph::Graph;
use wellarch_lint::rules::Finding;

fn lint(files: &[(&str, &str)]) -> Outcome {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dirs");
        }
        std::fs::write(&path, text).expect("write fixture");
    }
    engine::run(&Options {
        paths: vec![dir.path().to_path_buf()],
        today: "2026-01-01".into(),
        keep_graphs: true,
        ..Options::default()
    })
    .expect("lint runs")
}

fn loaded(files: &[(&str, &str)]) -> Outcome {
    let outcome = lint(files);
    assert!(outcome.errors.is_empty(), "{:#?}", outcome.errors);
    outcome
}

fn active(outcome: &Outcome) -> Vec<&Finding> {
    outcome.findings.iter().filter(|f| f.suppressed.is_none()).collect()
}

fn described(findings: &[&Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {} @ {}:{}",
                f.rule.code,
                f.resource,
                f.location.file.rsplit('/').next().unwrap_or_default(),
                f.location.line
            )
        })
        .collect()
}

fn addresses(graph: &Graph) -> BTreeSet<String> {
    graph.resources.iter().map(|r| r.address.clone()).collect()
}

const DEFAULT_BLOCK: &str = r#"
resource "wellarch_burst_tolerant_api" "orders" {
  name = "orders"

  handler {
    filename = "consumer.zip"
  }
}
"#;

#[test]
fn a_default_composite_has_no_finding() {
    let outcome = loaded(&[("main.tf", DEFAULT_BLOCK)]);
    assert_eq!(described(&active(&outcome)), Vec::<String>::new());
    let all = addresses(&outcome.graphs[0]);
    for child in [
        "wellarch_burst_tolerant_api.orders/aws_sqs_queue.jobs",
        "wellarch_burst_tolerant_api.orders/aws_sqs_queue.dlq",
        "wellarch_burst_tolerant_api.orders/aws_lambda_function.consumer",
        "wellarch_burst_tolerant_api.orders/aws_apigatewayv2_stage.default",
    ] {
        assert!(all.contains(child), "{child} in {all:#?}");
    }
    // The composite itself stays in the graph, next to its children.
    assert!(all.contains("wellarch_burst_tolerant_api.orders"));
    let queue = outcome.graphs[0]
        .get("wellarch_burst_tolerant_api.orders/aws_sqs_queue.jobs")
        .expect("queue");
    assert_eq!(queue.origin.as_deref(), Some("wellarch_burst_tolerant_api.orders"));
    assert_eq!((queue.location.line, queue.lines), (2, (2, 8)));
}

#[test]
fn the_documented_example_is_what_its_json_says_and_lints_clean() {
    let kind = wellarch_blueprints::kind("wellarch_burst_tolerant_api").expect("kind");
    let outcome = loaded(&[("main.tf", kind.example)]);
    assert_eq!(described(&active(&outcome)), Vec::<String>::new());
    let composite = outcome.graphs[0]
        .get("wellarch_burst_tolerant_api.orders")
        .expect("composite");
    assert_eq!(
        wellarch_lint::composite::config_json(&composite.attrs),
        (kind.example_config)()
    );
    assert!(
        outcome.graphs[0]
            .get("wellarch_burst_tolerant_api.orders/aws_cloudfront_distribution.edge")
            .is_some()
    );
}

const INSECURE: &str = r#"
resource "wellarch_burst_tolerant_api" "orders" {
  name = "orders"

  handler {
    filename     = "consumer.zip"
    architecture = "x86_64"
  }

  table {
    point_in_time_recovery = false
  }

  api {
    auth        = "none"
    access_logs = false
  }

  edge {}
}
"#;

#[test]
fn insecure_settings_are_reported_on_the_child_at_the_composite_block() {
    let outcome = loaded(&[("main.tf", INSECURE)]);
    assert_eq!(
        described(&active(&outcome)),
        [
            "OPS001 wellarch_burst_tolerant_api.orders/aws_apigatewayv2_stage.default @ main.tf:2",
            "REL008 wellarch_burst_tolerant_api.orders/aws_dynamodb_table.items @ main.tf:2",
            "SEC013 wellarch_burst_tolerant_api.orders/aws_cloudfront_distribution.edge @ main.tf:2",
            "SUS001 wellarch_burst_tolerant_api.orders/aws_lambda_function.consumer @ main.tf:2",
        ]
    );
}

#[test]
fn an_inline_suppression_on_the_composite_block_covers_its_children() {
    let suppressed = INSECURE.replace(
        "  name = \"orders\"\n",
        "  name = \"orders\"\n  # wellarch:ignore REL008,SEC013 -- restored from backups; edge certificate pending\n",
    );
    let outcome = loaded(&[("main.tf", &suppressed)]);
    let codes: Vec<&str> = active(&outcome).iter().map(|f| f.rule.code).collect();
    assert_eq!(codes, ["OPS001", "SUS001"]);
    let quiet: Vec<&str> = outcome
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .map(|f| f.rule.code)
        .collect();
    assert_eq!(quiet, ["REL008", "SEC013"]);
}

#[test]
fn configuration_errors_are_load_errors_at_the_attribute() {
    let outcome = lint(&[(
        "main.tf",
        r#"
resource "wellarch_burst_tolerant_api" "orders" {
  name = "Orders"

  handler {
    filename = "consumer.zip"
    timeout  = 0
  }
}

resource "aws_sqs_queue" "other" {}
"#,
    )]);
    let errors: Vec<(u32, &str)> = outcome.errors.iter().map(|e| (e.line, e.message.as_str())).collect();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_eq!(errors[0].0, 3);
    assert!(
        errors[0]
            .1
            .starts_with("wellarch_burst_tolerant_api.orders: name: must be 1 to 54 lowercase letters"),
        "{}",
        errors[0].1
    );
    assert_eq!(
        errors[1],
        (
            5,
            "wellarch_burst_tolerant_api.orders: handler[0].timeout: must be between 1 and 900, not 0"
        )
    );
    // The rest of the configuration is still linted.
    assert!(active(&outcome).iter().any(|f| f.resource == "aws_sqs_queue.other"));
}

#[test]
fn composites_in_modules_with_count_and_for_each() {
    let outcome = loaded(&[
        (
            "main.tf",
            r#"
module "m" {
  source = "./api"
}
"#,
        ),
        (
            "api/main.tf",
            r#"
variable "regions" {
  default = ["a", "b"]
}

resource "wellarch_burst_tolerant_api" "counted" {
  count = 2
  name  = "counted-${count.index}"

  handler {
    filename = "consumer.zip"
  }
}

resource "wellarch_burst_tolerant_api" "keyed" {
  for_each = toset(var.regions)
  name     = "keyed-${each.key}"

  handler {
    filename = "consumer.zip"
  }

  table {
    deletion_protection = each.key == "a"
  }
}
"#,
        ),
    ]);
    let all = addresses(&outcome.graphs[0]);
    for child in [
        "module.m.wellarch_burst_tolerant_api.counted[0]/aws_sqs_queue.jobs",
        "module.m.wellarch_burst_tolerant_api.counted[1]/aws_sqs_queue.jobs",
        "module.m.wellarch_burst_tolerant_api.keyed[\"a\"]/aws_dynamodb_table.items",
        "module.m.wellarch_burst_tolerant_api.keyed[\"b\"]/aws_dynamodb_table.items",
    ] {
        assert!(all.contains(child), "{child} in {all:#?}");
    }
    let queue = outcome.graphs[0]
        .get("module.m.wellarch_burst_tolerant_api.counted[1]/aws_sqs_queue.jobs")
        .expect("queue");
    assert_eq!(queue.str_attr("name"), Some("counted-1-queue"));
    assert_eq!(
        described(&active(&outcome)),
        ["REL009 module.m.wellarch_burst_tolerant_api.keyed[\"b\"]/aws_dynamodb_table.items @ main.tf:15"]
    );
}

#[test]
fn unknown_configuration_values_plan_and_stay_unknown() {
    let outcome = loaded(&[(
        "main.tf",
        r#"
variable "name" {}
variable "timeout" {}

resource "wellarch_burst_tolerant_api" "orders" {
  name = var.name

  handler {
    filename = "consumer.zip"
    timeout  = var.timeout
  }
}
"#,
    )]);
    assert_eq!(described(&active(&outcome)), Vec::<String>::new());
    let queue = outcome.graphs[0]
        .get("wellarch_burst_tolerant_api.orders/aws_sqs_queue.jobs")
        .expect("queue");
    assert!(queue.attr("name").is_some_and(|v| v.is_unknown()));
    assert!(queue.attr("visibility_timeout_seconds").is_some_and(|v| v.is_unknown()));
}

/// A hand-written consumer of the composite's queue, through its `queue_arn` output: the
/// rules see the composite's queue (REL013: its visibility timeout is too short for this
/// function) and the function consuming it (PERF002: no reserved concurrency).
#[test]
fn references_into_a_composite_reach_its_children() {
    let outcome = loaded(&[
        ("main.tf", DEFAULT_BLOCK),
        (
            "extra.tf",
            r#"
resource "aws_lambda_function" "auditor" {
  function_name = "auditor"
  role          = "arn:aws:iam::123456789012:role/auditor"
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "auditor.zip"
  memory_size   = 256
  timeout       = 600
  architectures = ["arm64"]

  tracing_config {
    mode = "Active"
  }
}

resource "aws_lambda_event_source_mapping" "audit" {
  event_source_arn = wellarch_burst_tolerant_api.orders.queue_arn
  function_name    = aws_lambda_function.auditor.arn
}
"#,
        ),
    ]);
    assert_eq!(
        described(&active(&outcome)),
        [
            "PERF002 aws_lambda_function.auditor @ extra.tf:2",
            "REL013 wellarch_burst_tolerant_api.orders/aws_sqs_queue.jobs @ main.tf:2",
        ]
    );
    let mapping = outcome.graphs[0]
        .get("aws_lambda_event_source_mapping.audit")
        .expect("mapping");
    let target = mapping.attr("event_source_arn").map(|v| v.refs()[0].resource.clone());
    assert_eq!(
        target.as_deref(),
        Some("wellarch_burst_tolerant_api.orders/aws_sqs_queue.jobs")
    );
}

#[test]
fn tf_json_composites_expand_too() {
    let outcome = loaded(&[(
        "main.tf.json",
        r#"{
  "resource": {
    "wellarch_burst_tolerant_api": {
      "orders": {
        "name": "orders",
        "handler": { "filename": "consumer.zip", "environment": { "LOG_LEVEL": "info" } },
        "table": { "point_in_time_recovery": false },
        "tags": { "team": "orders" }
      }
    }
  }
}"#,
    )]);
    assert_eq!(
        described(&active(&outcome)),
        ["REL008 wellarch_burst_tolerant_api.orders/aws_dynamodb_table.items @ main.tf.json:4"]
    );
    let function = outcome.graphs[0]
        .get("wellarch_burst_tolerant_api.orders/aws_lambda_function.consumer")
        .expect("function");
    let env = function.attrs.blocks("environment")[0]
        .get("variables")
        .and_then(|v| v.get("LOG_LEVEL"))
        .cloned();
    assert_eq!(env, Some(wellarch_lint::graph::Value::String("info".into())));
}

#[test]
fn plan_json_composites_expand_too() {
    let plan = serde_json::json!({
        "format_version": "1.0",
        "terraform_version": "1.0.3",
        "planned_values": { "root_module": {
            "resources": [{
                "address": "wellarch_burst_tolerant_api.orders",
                "mode": "managed",
                "type": "wellarch_burst_tolerant_api",
                "name": "orders",
                "provider_name": "registry.terraform.io/wellarch/wellarch",
                "values": {
                    "name": "orders",
                    "log_retention_days": 30,
                    "tags": null,
                    "handler": [{ "filename": "consumer.zip", "timeout": 30, "memory_size": 256 }],
                    "queue": null,
                    "table": { "point_in_time_recovery": false },
                    "api": null,
                    "edge": null,
                    "notifications": null,
                    "alarms": null
                }
            }],
            "child_modules": [{
                "address": "module.m",
                "resources": [{
                    "address": "module.m.wellarch_burst_tolerant_api.x[0]",
                    "mode": "managed",
                    "type": "wellarch_burst_tolerant_api",
                    "name": "x",
                    "index": 0,
                    "values": { "name": "x", "handler": [{ "filename": "c.zip" }] }
                }]
            }]
        }},
        "resource_changes": [{
            "address": "wellarch_burst_tolerant_api.orders",
            "change": { "actions": ["create"], "after_unknown": {
                "id": true, "components": true, "api_endpoint": true, "queue_arn": true
            }}
        }]
    });
    let outcome = loaded(&[("plan.json", &plan.to_string())]);
    assert_eq!(
        described(&active(&outcome)),
        ["REL008 wellarch_burst_tolerant_api.orders/aws_dynamodb_table.items @ plan.json:1"]
    );
    let all = addresses(&outcome.graphs[0]);
    assert!(all.contains("module.m.wellarch_burst_tolerant_api.x[0]/aws_lambda_function.consumer"));
}

#[test]
fn plan_json_configuration_errors_are_reported() {
    let plan = serde_json::json!({
        "format_version": "1.0",
        "planned_values": { "root_module": { "resources": [{
            "address": "wellarch_burst_tolerant_api.orders",
            "mode": "managed",
            "type": "wellarch_burst_tolerant_api",
            "name": "orders",
            "values": { "name": "orders", "handler": [{ "filename": "c.zip", "memory_size": 64 }] }
        }]}}
    });
    let outcome = lint(&[("plan.json", &plan.to_string())]);
    let messages: Vec<&str> = outcome.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        ["wellarch_burst_tolerant_api.orders: handler[0].memory_size: must be between 128 and 10240, not 64"]
    );
}

mod never_panics {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    /// Any JSON value, with the unknown marker among the leaves.
    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-2_000_000i64..2_000_000).prop_map(Value::from),
            (-1.0e13f64..1.0e13).prop_map(|f| json!(f)),
            "[a-zA-Z0-9:/_. -]{0,12}".prop_map(Value::String),
            Just(wellarch_blueprints::unknown()),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                prop::collection::btree_map("[a-z_]{1,8}", inner, 0..3)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    const KEYS: &[&str] = &[
        "name",
        "log_retention_days",
        "tags",
        "handler",
        "queue",
        "table",
        "bucket",
        "api",
        "edge",
        "notifications",
        "alarms",
        "id",
    ];
    const BLOCK_KEYS: &[&str] = &[
        "filename",
        "timeout",
        "batch_size",
        "batch_window",
        "visibility_timeout_seconds",
        "auth",
        "range_key",
        "domain_name",
        "zone_id",
        "acm_certificate_arn",
        "managed_rule_groups",
        "subscription",
        "environment",
        "period",
    ];

    /// A valid configuration with random values at known keys, in blocks and at the top.
    fn config() -> impl Strategy<Value = Value> {
        (
            prop::collection::vec((prop::sample::select(KEYS), any_json()), 0..4),
            prop::collection::vec(
                (
                    prop::sample::select(&KEYS[3..11]),
                    prop::sample::select(BLOCK_KEYS),
                    any_json(),
                ),
                0..5,
            ),
        )
            .prop_map(|(top, nested)| {
                let mut c = json!({ "name": "orders", "handler": [{ "filename": "c.zip" }] });
                for (block, key, value) in nested {
                    c[block] = json!([{ key: value }]);
                }
                for (key, value) in top {
                    c[key] = value;
                }
                c
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn planning_and_linting_any_configuration_is_total(c in config()) {
            match wellarch_blueprints::burst_tolerant_api::plan(&c) {
                Ok(planned) => {
                    prop_assert!(planned.expansion.waves().is_ok());
                    let _ = wellarch_lint::composite::lint_expansion("wellarch_burst_tolerant_api.x", &planned.expansion, &[]);
                    let _ = planned.expansion.to_hcl();
                }
                Err(errors) => {
                    prop_assert!(!errors.is_empty());
                    prop_assert!(errors.iter().all(|e| !e.message.is_empty()));
                }
            }
        }
    }
}
