use crate::declare_rule;
use crate::graph::{Resource, Value};
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_lambda_function` that consumes an SQS queue (an
    /// `aws_lambda_event_source_mapping` whose `event_source_arn` is an `aws_sqs_queue`, by
    /// reference or as a literal `arn:aws:sqs:` ARN, and whose `function_name` is the function
    /// or one of its `aws_lambda_alias`es) when nothing bounds how far it scales out: the
    /// function has no `reserved_concurrent_executions` (the provider default `-1` means
    /// unreserved), and the mapping has no `scaling_config { maximum_concurrency }`.
    ///
    /// ## Why is this bad?
    /// Lambda adds pollers as the queue grows and can run hundreds of copies of the consumer
    /// within minutes. Those copies draw from the account's regional concurrency pool, which
    /// every other function shares, so a backlog in one queue can throttle unrelated APIs; and
    /// they all hit the same downstream database or API at once. Reserved concurrency (or the
    /// mapping's maximum concurrency) caps the consumer at what its downstream can take, and
    /// the queue absorbs the rest.
    ///
    /// `reserved_concurrent_executions = 0` is the deliberate off switch and is not flagged. An
    /// unknown reserved concurrency or maximum concurrency counts as a limit; a mapping whose
    /// source is unknown is not known to be SQS and is skipped.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sqs_queue" "orders" {
    ///   name                       = "orders"
    ///   visibility_timeout_seconds = 180
    /// }
    ///
    /// resource "aws_lambda_function" "fulfil" {
    ///   function_name = "fulfil-orders"
    ///   role          = "arn:aws:iam::123456789012:role/fulfil"
    ///   runtime       = "python3.12"
    ///   handler       = "app.handler"
    ///   filename      = "fulfil.zip"
    ///   timeout       = 30
    /// }
    ///
    /// resource "aws_lambda_event_source_mapping" "orders" {
    ///   event_source_arn = aws_sqs_queue.orders.arn
    ///   function_name    = aws_lambda_function.fulfil.arn
    ///   batch_size       = 10
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_sqs_queue" "orders" {
    ///   name                       = "orders"
    ///   visibility_timeout_seconds = 180
    /// }
    ///
    /// resource "aws_lambda_function" "fulfil" {
    ///   function_name                  = "fulfil-orders"
    ///   role                           = "arn:aws:iam::123456789012:role/fulfil"
    ///   runtime                        = "python3.12"
    ///   handler                        = "app.handler"
    ///   filename                       = "fulfil.zip"
    ///   timeout                        = 30
    ///   reserved_concurrent_executions = 20 # what the orders database can take
    /// }
    ///
    /// resource "aws_lambda_event_source_mapping" "orders" {
    ///   event_source_arn = aws_sqs_queue.orders.arn
    ///   function_name    = aws_lambda_function.fulfil.arn
    ///   batch_size       = 10
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// PERF02-BP04: configure and right-size compute resources; a queue consumer's
    /// concurrency is sized to its downstream, not left to grow with the backlog.
    pub struct QueueConsumerWithoutReservedConcurrency {
        code: "PERF002",
        name: "queue-consumer-without-reserved-concurrency",
        pillar: PerformanceEfficiency,
        severity: Medium,
        best_practice: "PERF02-BP04",
        since: "0.1.0",
    }
}

fn is_sqs_arn(s: &str) -> bool {
    s.strip_prefix("arn:").and_then(|rest| rest.split(':').nth(1)) == Some("sqs")
}

/// The SQS queues of a mapping's source (`Some(vec![])` = a literal SQS ARN of a queue not
/// in this graph); `None` when the source is not (known to be) SQS.
fn sqs_sources<'g>(ctx: &Ctx<'g>, mapping: &Resource) -> Option<Vec<&'g Resource>> {
    let source = mapping.attr("event_source_arn")?;
    let queues = ctx.graph.linked(source, "aws_sqs_queue", "arn");
    if !queues.is_empty() || source.as_str().is_some_and(is_sqs_arn) {
        Some(queues)
    } else {
        None
    }
}

/// The functions a mapping's `function_name` designates: by reference (to the function or one
/// of its aliases), by name or by ARN.
fn consumers<'g>(ctx: &Ctx<'g>, mapping: &Resource) -> Vec<&'g Resource> {
    let g = ctx.graph;
    let Some(name) = mapping.attr("function_name") else {
        return Vec::new();
    };
    let mut out = g.linked(name, "aws_lambda_function", "function_name");
    let mut also = g.linked(name, "aws_lambda_function", "arn");
    for alias in g.targets(name, "aws_lambda_alias") {
        if let Some(f) = alias.attr("function_name") {
            also.extend(g.linked(f, "aws_lambda_function", "function_name"));
            also.extend(g.linked(f, "aws_lambda_function", "arn"));
        }
    }
    // A literal `function:name:alias` ARN or `name:alias`: match the function name part.
    for s in name.strings() {
        let base = s
            .strip_prefix("arn:")
            .map_or(s, |rest| rest.split(':').nth(5).unwrap_or(""));
        let base = base.split(':').next().unwrap_or(base);
        also.extend(g.find_by_attr("aws_lambda_function", "function_name", base));
    }
    for f in also {
        if !out.iter().any(|o| o.address == f.address) {
            out.push(f);
        }
    }
    out
}

/// True when the mapping itself bounds the consumer's concurrency (or may: unknown).
fn mapping_caps_concurrency(mapping: &Resource) -> bool {
    mapping.attrs.blocks("scaling_config").iter().any(|b| match b {
        Value::Map(_) => b.field("maximum_concurrency").is_some(),
        _ => true,
    })
}

/// True when the function's concurrency is reserved (or may be: unknown). `0` disables it.
fn reserved(function: &Resource) -> bool {
    match function.attr("reserved_concurrent_executions") {
        None => false,
        Some(v) => v.as_f64().is_none_or(|n| n >= 0.0),
    }
}

impl Rule for QueueConsumerWithoutReservedConcurrency {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        // (function, uncapped mappings feeding it, their queues), in graph order.
        let mut uncapped: Vec<(&Resource, Vec<&Resource>, Vec<&Resource>)> = Vec::new();
        for mapping in g.of_type("aws_lambda_event_source_mapping") {
            let Some(queues) = sqs_sources(ctx, mapping) else {
                continue;
            };
            if mapping_caps_concurrency(mapping) {
                continue;
            }
            for function in consumers(ctx, mapping) {
                if reserved(function) {
                    continue;
                }
                match uncapped.iter_mut().find(|(f, _, _)| f.address == function.address) {
                    Some((_, mappings, qs)) => {
                        mappings.push(mapping);
                        for q in &queues {
                            if !qs.iter().any(|o| o.address == q.address) {
                                qs.push(q);
                            }
                        }
                    }
                    None => uncapped.push((function, vec![mapping], queues.clone())),
                }
            }
        }
        for (function, mappings, queues) in uncapped {
            let reservation = match function.num_attr("reserved_concurrent_executions") {
                Some(n) => format!("reserved_concurrent_executions = {n}"),
                None => "no reserved_concurrent_executions (default -1, unreserved)".to_string(),
            };
            let names: Vec<String> = queues
                .iter()
                .map(|q| q.str_attr("name").unwrap_or(q.address.as_str()).to_string())
                .collect();
            let source = if names.is_empty() {
                "an SQS queue".to_string()
            } else {
                format!("SQS {}", names.join(", "))
            };
            let attr = function
                .attr("reserved_concurrent_executions")
                .map(|_| "reserved_concurrent_executions");
            let finding = ctx.report(
                function,
                attr,
                format!(
                    "Lambda function consumes {source} with {reservation} and no maximum_concurrency on its event source mapping, so a backlog can take the account's whole concurrency pool"
                ),
            );
            for m in mappings {
                finding.related(
                    m,
                    None,
                    "event source mapping without scaling_config.maximum_concurrency",
                );
            }
            for q in queues {
                finding.related(q, None, "the queue whose backlog drives the scale-out");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    const QUEUE_AND_FUNCTION: &str = r#"
        resource "aws_sqs_queue" "q" { name = "jobs" }
        resource "aws_lambda_function" "f" { function_name = "worker" }
    "#;

    #[test]
    fn consumer_without_limit_is_flagged_with_mapping_and_queue() {
        let tf = format!(
            "{QUEUE_AND_FUNCTION}{}",
            r#"
            resource "aws_lambda_event_source_mapping" "m" {
              event_source_arn = aws_sqs_queue.q.arn
              function_name    = aws_lambda_function.f.function_name
            }
            "#
        );
        let found = findings("PERF002", &tf);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].resource, "aws_lambda_function.f");
        assert!(found[0].message.contains("SQS jobs"), "{}", found[0].message);
        let related: Vec<&str> = found[0].related.iter().map(|r| r.resource.as_str()).collect();
        assert_eq!(related, ["aws_lambda_event_source_mapping.m", "aws_sqs_queue.q"]);
    }

    #[test]
    fn reserved_concurrency_or_maximum_concurrency_bounds_it() {
        let tf = r#"
            resource "aws_sqs_queue" "q" { name = "jobs" }
            resource "aws_lambda_function" "reserved" {
              function_name                  = "r"
              reserved_concurrent_executions = 5
            }
            resource "aws_lambda_event_source_mapping" "r" {
              event_source_arn = aws_sqs_queue.q.arn
              function_name    = aws_lambda_function.reserved.arn
            }
            resource "aws_lambda_function" "capped" { function_name = "c" }
            resource "aws_lambda_event_source_mapping" "c" {
              event_source_arn = aws_sqs_queue.q.arn
              function_name    = "c"
              scaling_config { maximum_concurrency = 10 }
            }
            resource "aws_lambda_function" "unreserved" {
              function_name                  = "u"
              reserved_concurrent_executions = -1
            }
            resource "aws_lambda_event_source_mapping" "u" {
              event_source_arn = "arn:aws:sqs:eu-west-1:123456789012:external"
              function_name    = "arn:aws:lambda:eu-west-1:123456789012:function:u:live"
            }
        "#;
        assert_eq!(flagged("PERF002", tf), ["aws_lambda_function.unreserved"]);
    }

    #[test]
    fn non_sqs_sources_and_unknowns_are_not_flagged() {
        let tf = r#"
            variable "source_arn" { type = string }
            variable "reserved" { type = number }
            resource "aws_kinesis_stream" "s" {
              name        = "s"
              shard_count = 1
            }
            resource "aws_sqs_queue" "q" { name = "jobs" }
            resource "aws_lambda_function" "stream" { function_name = "s" }
            resource "aws_lambda_event_source_mapping" "stream" {
              event_source_arn  = aws_kinesis_stream.s.arn
              function_name     = aws_lambda_function.stream.arn
              starting_position = "LATEST"
            }
            resource "aws_lambda_event_source_mapping" "unknown_source" {
              event_source_arn = var.source_arn
              function_name    = aws_lambda_function.stream.arn
            }
            resource "aws_lambda_function" "maybe" {
              function_name                  = "m"
              reserved_concurrent_executions = var.reserved
            }
            resource "aws_lambda_event_source_mapping" "maybe" {
              event_source_arn = aws_sqs_queue.q.arn
              function_name    = aws_lambda_function.maybe.arn
            }
        "#;
        assert!(flagged("PERF002", tf).is_empty());
    }

    #[test]
    fn consumer_through_an_alias_in_a_module() {
        let files = [
            (
                "main.tf",
                r#"
                resource "aws_sqs_queue" "q" { name = "jobs" }
                module "worker" { source = "./worker" }
                resource "aws_lambda_event_source_mapping" "m" {
                  event_source_arn = aws_sqs_queue.q.arn
                  function_name    = module.worker.alias_arn
                }
            "#,
            ),
            (
                "worker/main.tf",
                r#"
                resource "aws_lambda_function" "this" { function_name = "worker" }
                resource "aws_lambda_alias" "live" {
                  name             = "live"
                  function_name    = aws_lambda_function.this.function_name
                  function_version = "1"
                }
                output "alias_arn" { value = aws_lambda_alias.live.arn }
            "#,
            ),
        ];
        let found: Vec<String> = findings_in("PERF002", &files).into_iter().map(|f| f.resource).collect();
        assert_eq!(found, ["module.worker.aws_lambda_function.this"]);
    }
}
