//! The real Terraform CLI (1.0.3) driving the built provider through `dev_overrides`:
//! validation errors point at the attribute's file and line, and a plan of a composite
//! shows its computed attributes as "(known after apply)". Every AWS endpoint points at a
//! closed loopback port: planning needs no AWS.

mod common;

use common::terraform::Workdir;

const ENDPOINT: &str = "http://127.0.0.1:1";
const SERVICES: &[&str] = &[
    "apigatewayv2",
    "cloudfront",
    "cloudwatch",
    "logs",
    "cognitoidp",
    "dynamodb",
    "iam",
    "lambda",
    "route53",
    "s3",
    "sns",
    "sqs",
    "sts",
    "wafv2",
];

fn provider_block(extra: &str) -> String {
    let endpoints: String = SERVICES.iter().map(|s| format!("    {s} = \"{ENDPOINT}\"\n")).collect();
    format!(
        r#"terraform {{
  required_providers {{
    wellarch = {{ source = "wellarch/wellarch" }}
  }}
}}

provider "wellarch" {{
  region = "eu-west-1"
  endpoints {{
{endpoints}  }}
{extra}}}
"#
    )
}

fn composite(memory_size: &str) -> String {
    composite_with(memory_size, "")
}

/// The composite with `table_extra` inside its `table` block.
fn composite_with(memory_size: &str, table_extra: &str) -> String {
    format!(
        r#"
variable "memory" {{
  type    = number
  default = 256
}}

resource "wellarch_burst_tolerant_api" "orders" {{
  name = "orders"

  handler {{
    filename    = "handler.zip"
    runtime     = "python3.12"
    handler     = "app.handler"
    timeout     = 30
    memory_size = {memory_size}
  }}

  table {{
    hash_key = "order_id"
{table_extra}  }}

  tags = {{
    team = "orders"
  }}
}}
"#
    )
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle:?} not in the configuration"))
}

#[test]
fn validate_points_at_the_invalid_attribute() {
    let main = format!("{}{}", provider_block(""), composite("99999"));
    let Some(work) = Workdir::new(&[("main.tf", &main)]) else {
        return;
    };
    let run = work.run(&["validate"]);
    run.expect_code(1, "terraform validate of an invalid memory_size");
    let out = run.text();
    assert!(out.contains("Error: Invalid handler.memory_size"), "{out}");
    let line = line_of(&main, "memory_size = 99999");
    assert!(
        out.contains(&format!("on main.tf line {line}")),
        "the error names main.tf line {line}:\n{out}"
    );
    assert!(out.contains("must be between 128 and 10240"), "{out}");

    // A variable is unknown during validate: no error for it.
    let main = format!("{}{}", provider_block(""), composite("var.memory"));
    work.write("main.tf", &main);
    work.run(&["validate"])
        .expect_code(0, "terraform validate with an unknown value");
}

#[test]
fn validate_checks_the_provider_block() {
    let main = format!(
        "{}{}",
        provider_block("  well_architected {\n    disabled_rules = [\"NOPE999\"]\n  }\n"),
        composite("256")
    )
    .replace(&format!("sqs = \"{ENDPOINT}\""), "sqs = \"127.0.0.1:4566\"");
    let Some(work) = Workdir::new(&[("main.tf", &main)]) else {
        return;
    };
    let run = work.run(&["validate"]);
    run.expect_code(1, "terraform validate of a bad provider block");
    let out = run.text();
    assert!(out.contains("Error: Invalid endpoint URL"), "{out}");
    let line = line_of(&main, "sqs = \"127.0.0.1:4566\"");
    assert!(
        out.contains(&format!("on main.tf line {line}")),
        "main.tf line {line}:\n{out}"
    );
    assert!(out.contains("Error: Unknown rule"), "{out}");
    assert!(
        out.contains(&format!("on main.tf line {}", line_of(&main, "disabled_rules"))),
        "{out}"
    );
}

#[test]
fn plan_shows_the_composite_with_computed_attributes() {
    let main = format!(
        "{}{}",
        provider_block("  default_tags {\n    tags = { project = \"orders\" }\n  }\n"),
        composite("var.memory")
    );
    let Some(work) = Workdir::new(&[("main.tf", &main)]) else {
        return;
    };
    let run = work.run(&["plan", "-input=false"]);
    run.expect_code(0, "terraform plan");
    let out = run.text();
    assert!(
        out.contains("# wellarch_burst_tolerant_api.orders will be created"),
        "{out}"
    );
    for computed in ["queue_url", "queue_arn", "api_endpoint", "components"] {
        let shown = out
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("+ {computed} ")) && l.ends_with("= (known after apply)"));
        assert!(shown, "{computed} is (known after apply):\n{out}");
    }
    // Configured and defaulted values are known in the plan.
    assert!(
        out.lines().any(|l| l.trim() == "+ id                  = \"orders\""),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.trim().starts_with("+ memory_size") && l.ends_with("= 256")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.trim().starts_with("+ drift") && l.ends_with("= []")),
        "{out}"
    );
    assert!(out.contains("Plan: 1 to add, 0 to change, 0 to destroy."), "{out}");
}

#[test]
fn plan_reports_well_architected_findings_as_warnings_or_enforced_errors() {
    // Point-in-time recovery off: REL008 on the composite's DynamoDB table.
    let insecure = composite_with("256", "    point_in_time_recovery = false\n");
    let main = format!("{}{insecure}", provider_block(""));
    let Some(work) = Workdir::new(&[("main.tf", &main)]) else {
        return;
    };
    let run = work.run(&["plan", "-input=false"]);
    run.expect_code(0, "a finding is a warning by default");
    let out = run.text();
    let warning = out
        .lines()
        .find(|l| l.starts_with("Warning: REL008 "))
        .unwrap_or_else(|| panic!("REL008 shown as a warning:\n{out}"));
    assert!(warning.contains("REL008 "), "{warning}");
    assert!(
        out.contains("wellarch_burst_tolerant_api.orders/aws_dynamodb_table.items"),
        "{out}"
    );
    assert!(out.contains("Plan: 1 to add"), "{out}");

    work.write(
        "main.tf",
        &format!(
            "{}{insecure}",
            provider_block("  well_architected {\n    enforce = true\n  }\n")
        ),
    );
    let run = work.run(&["plan", "-input=false"]);
    run.expect_code(1, "an enforced finding fails the plan");
    assert!(
        run.text().lines().any(|l| l.starts_with("Error: REL008 ")),
        "{}",
        run.text()
    );

    work.write(
        "main.tf",
        &format!(
            "{}{insecure}",
            provider_block("  well_architected {\n    enforce        = true\n    disabled_rules = [\"REL008\"]\n  }\n")
        ),
    );
    let run = work.run(&["plan", "-input=false"]);
    run.expect_code(0, "a disabled rule does not fail the plan");
    assert!(!run.text().contains("REL008"), "{}", run.text());
}
