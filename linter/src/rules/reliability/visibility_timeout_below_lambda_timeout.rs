use crate::declare_rule;
use crate::graph::value::format_number;
use crate::graph::{Graph, Resource, Value};
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_sqs_queue` consumed by a Lambda function (through an
    /// `aws_lambda_event_source_mapping`) whose `visibility_timeout_seconds` is less than six
    /// times the function's `timeout`, plus the mapping's
    /// `maximum_batching_window_in_seconds`: the minimum AWS documents for SQS event sources.
    /// Defaults apply when attributes are absent: `visibility_timeout_seconds` 30,
    /// `timeout` 3, `maximum_batching_window_in_seconds` 0.
    ///
    /// The mapping's `event_source_arn` must reference the queue (or be its literal ARN), and
    /// its `function_name` must reference the function (its ARN or name, or an
    /// `aws_lambda_alias` of it) or equal the function's literal name or ARN.
    ///
    /// ## Why is this bad?
    /// When a batch is handed to the function, its messages become invisible for the queue's
    /// visibility timeout. If that timeout runs out while the function is still working (or
    /// while Lambda is retrying a throttled invocation), the messages reappear and are
    /// delivered again: the same work is done twice or more, side effects are duplicated,
    /// and messages can reach `maxReceiveCount` and land in the dead-letter queue without
    /// ever having failed.
    ///
    /// An unknown function `timeout` or queue `visibility_timeout_seconds` is not flagged;
    /// an unknown batching window counts as 0, so a finding is still certain.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sqs_queue" "thumbnails" {
    ///   name                       = "thumbnails"
    ///   visibility_timeout_seconds = 60
    /// }
    ///
    /// resource "aws_lambda_function" "thumbnailer" {
    ///   function_name = "thumbnailer"
    ///   role          = "arn:aws:iam::111122223333:role/thumbnailer"
    ///   runtime       = "python3.12"
    ///   handler       = "app.handler"
    ///   filename      = "thumbnailer.zip"
    ///   timeout       = 120
    /// }
    ///
    /// resource "aws_lambda_event_source_mapping" "thumbnails" {
    ///   event_source_arn = aws_sqs_queue.thumbnails.arn
    ///   function_name    = aws_lambda_function.thumbnailer.arn
    ///   batch_size       = 10
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_sqs_queue" "thumbnails" {
    ///   name                       = "thumbnails"
    ///   visibility_timeout_seconds = 720
    /// }
    ///
    /// resource "aws_lambda_function" "thumbnailer" {
    ///   function_name = "thumbnailer"
    ///   role          = "arn:aws:iam::111122223333:role/thumbnailer"
    ///   runtime       = "python3.12"
    ///   handler       = "app.handler"
    ///   filename      = "thumbnailer.zip"
    ///   timeout       = 120
    /// }
    ///
    /// resource "aws_lambda_event_source_mapping" "thumbnails" {
    ///   event_source_arn = aws_sqs_queue.thumbnails.arn
    ///   function_name    = aws_lambda_function.thumbnailer.arn
    ///   batch_size       = 10
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// REL05-BP03: control and limit retry calls; a visibility timeout shorter than the
    /// processing time turns every slow invocation into an uncontrolled retry.
    pub struct VisibilityTimeoutBelowLambdaTimeout {
        code: "REL013",
        name: "visibility-timeout-below-lambda-timeout",
        pillar: Reliability,
        severity: Medium,
        best_practice: "REL05-BP03",
        since: "0.1.0",
    }
}

const DEFAULT_VISIBILITY_TIMEOUT: f64 = 30.0;
const DEFAULT_LAMBDA_TIMEOUT: f64 = 3.0;

/// The last `:`-separated part of an ARN, or the string itself.
fn arn_name(s: &str) -> &str {
    s.rsplit(':').next().unwrap_or(s)
}

/// The function name in a literal `function_name`: a name, a function ARN, or a
/// qualified ARN (`...:function:name:alias`).
fn literal_function_name(s: &str) -> &str {
    match s.split_once(":function:") {
        Some((_, rest)) => rest.split(':').next().unwrap_or(rest),
        None => s,
    }
}

/// Functions a mapping's `function_name` designates.
fn functions<'g>(g: &'g Graph, value: &Value) -> Vec<&'g Resource> {
    let mut out = g.targets(value, "aws_lambda_function");
    for alias in g.targets(value, "aws_lambda_alias") {
        if let Some(f) = alias.attr("function_name") {
            out.extend(g.linked(f, "aws_lambda_function", "function_name"));
        }
    }
    for s in value.strings() {
        out.extend(g.find_by_attr("aws_lambda_function", "function_name", literal_function_name(s)));
    }
    let mut seen = Vec::new();
    out.retain(|f| {
        let new = !seen.contains(&f.address);
        seen.push(f.address.clone());
        new
    });
    out
}

/// Queues a mapping's `event_source_arn` designates.
fn queues<'g>(g: &'g Graph, value: &Value) -> Vec<&'g Resource> {
    let mut out = g.targets(value, "aws_sqs_queue");
    for s in value
        .strings()
        .into_iter()
        .filter(|s| s.starts_with("arn:") && s.contains(":sqs:"))
    {
        for q in g.find_by_attr("aws_sqs_queue", "name", arn_name(s)) {
            if !out.iter().any(|o| o.address == q.address) {
                out.push(q);
            }
        }
    }
    out
}

/// A number attribute with its provider default; `None` when present but unknown.
fn number_or(r: &Resource, key: &str, default: f64) -> Option<f64> {
    match r.attr(key) {
        None => Some(default),
        Some(v) => v.as_f64(),
    }
}

impl Rule for VisibilityTimeoutBelowLambdaTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        let mut seen: Vec<(String, String)> = Vec::new();
        for mapping in g.of_type("aws_lambda_event_source_mapping") {
            let (Some(source), Some(target)) = (mapping.attr("event_source_arn"), mapping.attr("function_name")) else {
                continue;
            };
            // An unknown batching window counts as 0: the threshold is then a lower bound.
            let window = mapping.num_attr("maximum_batching_window_in_seconds").unwrap_or(0.0);
            for queue in queues(g, source) {
                let Some(visibility) = number_or(queue, "visibility_timeout_seconds", DEFAULT_VISIBILITY_TIMEOUT)
                else {
                    continue;
                };
                for function in functions(g, target) {
                    let Some(timeout) = number_or(function, "timeout", DEFAULT_LAMBDA_TIMEOUT) else {
                        continue;
                    };
                    let required = 6.0 * timeout + window;
                    let pair = (queue.address.clone(), function.address.clone());
                    if visibility >= required || seen.contains(&pair) {
                        continue;
                    }
                    seen.push(pair);
                    let vis_text = match queue.attr("visibility_timeout_seconds") {
                        Some(_) => format!("visibility_timeout_seconds = {}", format_number(visibility)),
                        None => "visibility_timeout_seconds defaults to 30".to_string(),
                    };
                    let timeout_text = match function.attr("timeout") {
                        Some(_) => format!("timeout = {}", format_number(timeout)),
                        None => "default timeout 3".to_string(),
                    };
                    let window_text = if window > 0.0 {
                        format!(" + batching window {}", format_number(window))
                    } else {
                        String::new()
                    };
                    let msg = format!(
                        "SQS queue {vis_text}, below 6 × the timeout of its consumer {} ({timeout_text}){window_text}: it needs at least {} seconds",
                        function.display_address(),
                        format_number(required)
                    );
                    ctx.report(queue, Some("visibility_timeout_seconds"), msg)
                        .related(function, Some("timeout"), "the consumer's timeout")
                        .related(mapping, None, "the event source mapping that connects them");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    #[test]
    fn defaults_apply_on_both_sides() {
        // Default 30 s visibility against a 10 s function (needs 60).
        let tf = r#"
            resource "aws_sqs_queue" "q" {}
            resource "aws_lambda_function" "f" { timeout = 10 }
            resource "aws_lambda_event_source_mapping" "m" {
              event_source_arn = aws_sqs_queue.q.arn
              function_name    = aws_lambda_function.f.arn
            }
        "#;
        let found = findings("REL013", tf);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("defaults to 30") && found[0].message.contains("at least 60"),
            "{}",
            found[0].message
        );
        assert_eq!(found[0].related.len(), 2);
        // Default 3 s function timeout needs only 18 s.
        let ok = tf.replace("{ timeout = 10 }", "{}");
        assert!(flagged("REL013", &ok).is_empty());
    }

    #[test]
    fn batching_window_raises_the_threshold() {
        let tf = r#"
            resource "aws_sqs_queue" "q" { visibility_timeout_seconds = 60 }
            resource "aws_lambda_function" "f" { timeout = 10 }
            resource "aws_lambda_event_source_mapping" "m" {
              event_source_arn                   = aws_sqs_queue.q.arn
              function_name                      = aws_lambda_function.f.function_name
              maximum_batching_window_in_seconds = 5
            }
        "#;
        let found = findings("REL013", tf);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("at least 65"), "{}", found[0].message);
    }

    #[test]
    fn unknown_timeouts_are_not_flagged() {
        let tf = r#"
            variable "t" { type = number }
            resource "aws_sqs_queue" "q1" { visibility_timeout_seconds = var.t }
            resource "aws_lambda_function" "f1" { timeout = 300 }
            resource "aws_lambda_event_source_mapping" "m1" {
              event_source_arn = aws_sqs_queue.q1.arn
              function_name    = aws_lambda_function.f1.arn
            }
            resource "aws_sqs_queue" "q2" { visibility_timeout_seconds = 30 }
            resource "aws_lambda_function" "f2" { timeout = var.t }
            resource "aws_lambda_event_source_mapping" "m2" {
              event_source_arn = aws_sqs_queue.q2.arn
              function_name    = aws_lambda_function.f2.arn
            }
        "#;
        assert!(flagged("REL013", tf).is_empty());
    }

    #[test]
    fn literal_names_arns_and_aliases_link_the_function() {
        let tf = r#"
            resource "aws_sqs_queue" "a" { name = "jobs-a" }
            resource "aws_sqs_queue" "b" {}
            resource "aws_sqs_queue" "c" {}
            resource "aws_lambda_function" "f" {
              function_name = "worker"
              timeout       = 60
            }
            resource "aws_lambda_alias" "live" {
              name          = "live"
              function_name = aws_lambda_function.f.function_name
            }
            resource "aws_lambda_event_source_mapping" "by_arn" {
              event_source_arn = "arn:aws:sqs:eu-west-1:111122223333:jobs-a"
              function_name    = "arn:aws:lambda:eu-west-1:111122223333:function:worker:live"
            }
            resource "aws_lambda_event_source_mapping" "by_name" {
              event_source_arn = aws_sqs_queue.b.arn
              function_name    = "worker"
            }
            resource "aws_lambda_event_source_mapping" "by_alias" {
              event_source_arn = aws_sqs_queue.c.arn
              function_name    = aws_lambda_alias.live.arn
            }
        "#;
        assert_eq!(
            flagged("REL013", tf),
            ["aws_sqs_queue.a", "aws_sqs_queue.b", "aws_sqs_queue.c"]
        );
    }

    #[test]
    fn non_sqs_sources_and_long_enough_queues_are_not_flagged() {
        let tf = r#"
            resource "aws_kinesis_stream" "s" { shard_count = 1 }
            resource "aws_sqs_queue" "q" { visibility_timeout_seconds = 360 }
            resource "aws_lambda_function" "f" { timeout = 60 }
            resource "aws_lambda_event_source_mapping" "k" {
              event_source_arn  = aws_kinesis_stream.s.arn
              function_name     = aws_lambda_function.f.arn
              starting_position = "LATEST"
            }
            resource "aws_lambda_event_source_mapping" "q" {
              event_source_arn = aws_sqs_queue.q.arn
              function_name    = aws_lambda_function.f.arn
            }
        "#;
        assert!(flagged("REL013", tf).is_empty());
    }

    #[test]
    fn counted_queues_consumed_by_a_function_in_a_module() {
        let files = [
            (
                "main.tf",
                r#"
                resource "aws_sqs_queue" "q" {
                  count                      = 2
                  visibility_timeout_seconds = 120
                }
                module "worker" {
                  source = "./worker"
                  queues = aws_sqs_queue.q[*].arn
                }
            "#,
            ),
            (
                "worker/main.tf",
                r#"
                variable "queues" { type = list(string) }
                resource "aws_lambda_function" "this" { timeout = 30 }
                resource "aws_lambda_event_source_mapping" "this" {
                  count            = 2
                  event_source_arn = var.queues[count.index]
                  function_name    = aws_lambda_function.this.arn
                }
            "#,
            ),
        ];
        let mut found: Vec<String> = findings_in("REL013", &files).into_iter().map(|f| f.resource).collect();
        found.sort();
        assert_eq!(found, ["aws_sqs_queue.q[0]", "aws_sqs_queue.q[1]"]);
    }
}
