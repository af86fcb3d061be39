use crate::declare_rule;
use crate::graph::{Graph, Resource, Value};
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_lambda_function` that is invoked asynchronously and keeps nothing of the
    /// events that fail: it has no `dead_letter_config { target_arn = ... }` and no
    /// `aws_lambda_function_event_invoke_config` with
    /// `destination_config { on_failure { destination = ... } }`.
    ///
    /// Asynchronous invokers are an `aws_sns_topic_subscription` with `protocol = "lambda"`
    /// whose `endpoint` references the function, an `aws_s3_bucket_notification` whose
    /// `lambda_function {}` block references it in `lambda_function_arn`, and an
    /// `aws_cloudwatch_event_target` whose `arn` references it (also through an
    /// `aws_lambda_alias`). An `aws_lambda_permission` alone invokes nothing, and functions
    /// invoked synchronously (API Gateway, SQS or stream event source mappings, which have their
    /// own failure handling) are not flagged.
    ///
    /// ## Why is this bad?
    /// Lambda retries an asynchronous event twice and then discards it. A bug, a timeout or a
    /// downstream outage silently loses S3 uploads, SNS messages and EventBridge events, with no
    /// record of what was lost or way to replay it. A dead-letter queue or an on-failure
    /// destination keeps every failed event for inspection and redrive.
    ///
    /// A `target_arn`, `destination` or whole block known only at apply counts as configured;
    /// an invoker whose target or protocol cannot be traced does not count as an invocation.
    /// Other asynchronous sources (EventBridge Scheduler, CloudWatch Logs subscriptions, direct
    /// `Event` invocations from code) are not seen.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sns_topic" "orders" {
    ///   name = "orders"
    /// }
    ///
    /// resource "aws_lambda_function" "notify" {
    ///   function_name = "notify"
    ///   role          = "arn:aws:iam::111122223333:role/notify"
    ///   runtime       = "python3.12"
    ///   handler       = "app.handler"
    ///   filename      = "notify.zip"
    /// }
    ///
    /// resource "aws_sns_topic_subscription" "notify" {
    ///   topic_arn = aws_sns_topic.orders.arn
    ///   protocol  = "lambda"
    ///   endpoint  = aws_lambda_function.notify.arn
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_sns_topic" "orders" {
    ///   name = "orders"
    /// }
    ///
    /// resource "aws_sqs_queue" "notify_failures" {
    ///   name = "notify-failures"
    /// }
    ///
    /// resource "aws_lambda_function" "notify" {
    ///   function_name = "notify"
    ///   role          = "arn:aws:iam::111122223333:role/notify"
    ///   runtime       = "python3.12"
    ///   handler       = "app.handler"
    ///   filename      = "notify.zip"
    /// }
    ///
    /// resource "aws_lambda_function_event_invoke_config" "notify" {
    ///   function_name = aws_lambda_function.notify.function_name
    ///
    ///   destination_config {
    ///     on_failure {
    ///       destination = aws_sqs_queue.notify_failures.arn
    ///     }
    ///   }
    /// }
    ///
    /// resource "aws_sns_topic_subscription" "notify" {
    ///   topic_arn = aws_sns_topic.orders.arn
    ///   protocol  = "lambda"
    ///   endpoint  = aws_lambda_function.notify.arn
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// REL05-BP01: implement graceful degradation to transform applicable hard dependencies
    /// into soft dependencies; failed events are set aside instead of being dropped.
    pub struct AsyncLambdaWithoutDlq {
        code: "REL002",
        name: "async-lambda-without-dlq",
        pillar: Reliability,
        severity: High,
        best_practice: "REL05-BP01",
        since: "0.1.0",
    }
}

/// The functions a value designates: by reference to the function or to one of its aliases,
/// by its ARN read from a plan, or by a literal `arn:aws:lambda:…:function:NAME[:QUALIFIER]`.
fn functions<'g>(g: &'g Graph, value: &Value) -> Vec<&'g Resource> {
    let mut out = g.linked(value, "aws_lambda_function", "arn");
    let push = |f: &'g Resource, out: &mut Vec<&'g Resource>| {
        if !out.iter().any(|o| o.address == f.address) {
            out.push(f);
        }
    };
    for alias in g.linked(value, "aws_lambda_alias", "arn") {
        if let Some(name) = alias.attr("function_name") {
            for f in g.linked(name, "aws_lambda_function", "function_name") {
                push(f, &mut out);
            }
        }
    }
    for s in value.strings() {
        if let Some(rest) = s.split(":function:").nth(1) {
            let name = rest.split(':').next().unwrap_or(rest);
            for f in g.find_by_attr("aws_lambda_function", "function_name", name) {
                push(f, &mut out);
            }
        }
    }
    out
}

/// An asynchronous invocation: who, and through which attribute.
struct Invoker<'g> {
    resource: &'g Resource,
    attr: &'static str,
    function: &'g Resource,
}

fn invokers(g: &Graph) -> Vec<Invoker<'_>> {
    let mut out = Vec::new();
    for sub in g.of_type("aws_sns_topic_subscription") {
        if !sub
            .str_attr("protocol")
            .is_some_and(|p| p.eq_ignore_ascii_case("lambda"))
        {
            continue;
        }
        if let Some(endpoint) = sub.attr("endpoint") {
            out.extend(functions(g, endpoint).into_iter().map(|function| Invoker {
                resource: sub,
                attr: "endpoint",
                function,
            }));
        }
    }
    for notification in g.of_type("aws_s3_bucket_notification") {
        for block in notification.attrs.blocks("lambda_function") {
            if let Some(arn) = block.field("lambda_function_arn") {
                out.extend(functions(g, arn).into_iter().map(|function| Invoker {
                    resource: notification,
                    attr: "lambda_function",
                    function,
                }));
            }
        }
    }
    for target in g.of_type("aws_cloudwatch_event_target") {
        if let Some(arn) = target.attr("arn") {
            out.extend(functions(g, arn).into_iter().map(|function| Invoker {
                resource: target,
                attr: "arn",
                function,
            }));
        }
    }
    out
}

/// True when failed events of `function` are kept: a dead-letter target or an on-failure
/// destination (unknown counts as present).
fn keeps_failures(g: &Graph, function: &Resource) -> bool {
    let dlq = function.attrs.blocks("dead_letter_config").iter().any(|b| match b {
        Value::Unknown(_) => true,
        b => b.field("target_arn").is_some_and(|t| t.as_str() != Some("")),
    });
    if dlq {
        return true;
    }
    g.of_type("aws_lambda_function_event_invoke_config").any(|cfg| {
        let mine = cfg.attr("function_name").is_some_and(|v| {
            g.linked(v, "aws_lambda_function", "function_name")
                .iter()
                .any(|f| f.address == function.address)
                || functions(g, v).iter().any(|f| f.address == function.address)
        });
        mine && cfg.attrs.blocks("destination_config").iter().any(|d| match d {
            Value::Unknown(_) => true,
            d => d.blocks("on_failure").iter().any(|f| match f {
                Value::Unknown(_) => true,
                f => f.field("destination").is_some_and(|t| t.as_str() != Some("")),
            }),
        })
    })
}

impl Rule for AsyncLambdaWithoutDlq {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        let all = invokers(g);
        let mut seen: Vec<&str> = Vec::new();
        for inv in &all {
            let function = inv.function;
            if seen.contains(&function.address.as_str()) {
                continue;
            }
            seen.push(&function.address);
            if keeps_failures(g, function) {
                continue;
            }
            let mine: Vec<&Invoker<'_>> = all.iter().filter(|i| i.function.address == function.address).collect();
            let mut names: Vec<String> = Vec::new();
            for i in &mine {
                let n = i.resource.display_address();
                if !names.contains(&n) {
                    names.push(n);
                }
            }
            let f = ctx.report(
                function,
                None,
                format!(
                    "Lambda function is invoked asynchronously by {} but has no dead_letter_config and no on_failure destination: events that fail every retry are dropped",
                    names.join(", ")
                ),
            );
            let mut related: Vec<&str> = Vec::new();
            for i in mine {
                if !related.contains(&i.resource.address.as_str()) {
                    related.push(&i.resource.address);
                    f.related(i.resource, Some(i.attr), "invokes this function asynchronously");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    #[test]
    fn every_async_invoker_is_recognised() {
        let tf = r#"
            resource "aws_lambda_function" "sns" { function_name = "sns" }
            resource "aws_lambda_function" "s3" { function_name = "s3" }
            resource "aws_lambda_function" "events" { function_name = "events" }
            resource "aws_lambda_alias" "live" {
              name          = "live"
              function_name = aws_lambda_function.events.function_name
            }
            resource "aws_sns_topic_subscription" "s" {
              topic_arn = "arn:aws:sns:eu-west-1:111122223333:t"
              protocol  = "lambda"
              endpoint  = aws_lambda_function.sns.arn
            }
            resource "aws_s3_bucket_notification" "n" {
              bucket = "uploads"
              lambda_function {
                lambda_function_arn = aws_lambda_function.s3.arn
                events              = ["s3:ObjectCreated:*"]
              }
            }
            resource "aws_cloudwatch_event_target" "t" {
              rule = "nightly"
              arn  = aws_lambda_alias.live.arn
            }
        "#;
        assert_eq!(
            flagged("REL002", tf),
            [
                "aws_lambda_function.events",
                "aws_lambda_function.s3",
                "aws_lambda_function.sns"
            ]
        );
        let found = findings("REL002", tf);
        let events = found.iter().find(|f| f.resource == "aws_lambda_function.events");
        assert_eq!(
            events.map(|f| f.related[0].resource.as_str()),
            Some("aws_cloudwatch_event_target.t")
        );
    }

    #[test]
    fn synchronous_and_permission_only_functions_are_not_flagged() {
        let tf = r#"
            resource "aws_lambda_function" "api" { function_name = "api" }
            resource "aws_lambda_function" "worker" { function_name = "worker" }
            resource "aws_lambda_permission" "sns" {
              action        = "lambda:InvokeFunction"
              function_name = aws_lambda_function.api.function_name
              principal     = "sns.amazonaws.com"
            }
            resource "aws_lambda_event_source_mapping" "q" {
              event_source_arn = "arn:aws:sqs:eu-west-1:111122223333:jobs"
              function_name    = aws_lambda_function.worker.arn
            }
            resource "aws_sns_topic_subscription" "email" {
              topic_arn = "arn:aws:sns:eu-west-1:111122223333:t"
              protocol  = "sqs"
              endpoint  = aws_lambda_function.worker.arn
            }
        "#;
        assert!(flagged("REL002", tf).is_empty());
    }

    #[test]
    fn dead_letter_config_or_on_failure_destination_by_literal_name() {
        let tf = r#"
            variable "dlq" {}
            resource "aws_lambda_function" "a" {
              function_name = "a"
              dead_letter_config { target_arn = var.dlq }
            }
            resource "aws_lambda_function" "b" { function_name = "b" }
            resource "aws_lambda_function_event_invoke_config" "b" {
              function_name = "b"
              destination_config {
                on_failure { destination = "arn:aws:sqs:eu-west-1:111122223333:b-failures" }
              }
            }
            resource "aws_lambda_function" "c" { function_name = "c" }
            resource "aws_lambda_function_event_invoke_config" "c" {
              function_name          = aws_lambda_function.c.function_name
              maximum_retry_attempts = 0
              destination_config {
                on_success { destination = "arn:aws:sqs:eu-west-1:111122223333:c-done" }
              }
            }
            resource "aws_cloudwatch_event_target" "t" {
              for_each = toset(["a", "b", "c"])
              rule     = "r"
              arn      = "arn:aws:lambda:eu-west-1:111122223333:function:${each.key}"
            }
        "#;
        assert_eq!(flagged("REL002", tf), ["aws_lambda_function.c"]);
    }

    #[test]
    fn unknown_invokers_do_not_count() {
        let tf = r#"
            variable "protocol" {}
            variable "target" {}
            resource "aws_lambda_function" "f" { function_name = "f" }
            resource "aws_sns_topic_subscription" "s" {
              topic_arn = "arn:aws:sns:eu-west-1:111122223333:t"
              protocol  = var.protocol
              endpoint  = aws_lambda_function.f.arn
            }
            resource "aws_cloudwatch_event_target" "t" {
              rule = "r"
              arn  = var.target
            }
        "#;
        assert!(flagged("REL002", tf).is_empty());
    }

    #[test]
    fn invoker_in_another_module_and_counted_functions() {
        let files = [
            (
                "main.tf",
                r#"
                module "fn" { source = "./fn" }
                resource "aws_s3_bucket_notification" "uploads" {
                  bucket = "uploads"
                  dynamic "lambda_function" {
                    for_each = module.fn.arns
                    content {
                      lambda_function_arn = lambda_function.value
                      events              = ["s3:ObjectCreated:*"]
                    }
                  }
                }
            "#,
            ),
            (
                "fn/main.tf",
                r#"
                resource "aws_lambda_function" "this" {
                  count         = 2
                  function_name = "fn-${count.index}"
                }
                output "arns" { value = aws_lambda_function.this[*].arn }
            "#,
            ),
        ];
        let mut found: Vec<String> = findings_in("REL002", &files).into_iter().map(|f| f.resource).collect();
        found.sort();
        assert_eq!(
            found,
            [
                "module.fn.aws_lambda_function.this[0]",
                "module.fn.aws_lambda_function.this[1]"
            ]
        );
    }
}
