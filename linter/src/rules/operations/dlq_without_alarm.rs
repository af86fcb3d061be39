use std::collections::{HashMap, HashSet};

use crate::declare_rule;
use crate::graph::{Graph, Resource, Value};
use crate::rules::reliability::queue_without_dlq::dead_letter_targets;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags a dead-letter queue that no alarm watches. A dead-letter queue is an
    /// `aws_sqs_queue` that receives the failures of something else: the target of another
    /// queue's `redrive_policy` (inline or `aws_sqs_queue_redrive_policy`), of a Lambda
    /// function's `dead_letter_config`, of an SNS subscription's `redrive_policy`, of an
    /// EventBridge target's `dead_letter_config`, or the `on_failure` destination of a Lambda
    /// event invoke config or event source mapping. It needs an `aws_cloudwatch_metric_alarm`
    /// on `ApproximateNumberOfMessagesVisible` in namespace `AWS/SQS` whose `dimensions`
    /// `QueueName` references the queue's `name` (or equals it literally); an alarm built from
    /// `metric_query { metric { ... } }` counts too.
    ///
    /// ## Why is this bad?
    /// A dead-letter queue only helps if someone learns that messages arrived in it. Without an
    /// alarm, failures pile up silently until their retention period ends (4 days by default)
    /// and they are deleted, and the incident is discovered by a customer instead.
    ///
    /// An alarm whose metric name, namespace or `QueueName` is unknown (a variable without a
    /// value) is taken to watch the queue: the rule only flags queues that are certainly
    /// unwatched.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sqs_queue" "payments_dlq" {
    ///   name = "payments-dlq"
    /// }
    ///
    /// resource "aws_sqs_queue" "payments" {
    ///   name = "payments"
    ///   redrive_policy = jsonencode({
    ///     deadLetterTargetArn = aws_sqs_queue.payments_dlq.arn
    ///     maxReceiveCount     = 5
    ///   })
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_sqs_queue" "payments_dlq" {
    ///   name = "payments-dlq"
    /// }
    ///
    /// resource "aws_sqs_queue" "payments" {
    ///   name = "payments"
    ///   redrive_policy = jsonencode({
    ///     deadLetterTargetArn = aws_sqs_queue.payments_dlq.arn
    ///     maxReceiveCount     = 5
    ///   })
    /// }
    ///
    /// resource "aws_cloudwatch_metric_alarm" "payments_dlq" {
    ///   alarm_name          = "payments-dlq-not-empty"
    ///   namespace           = "AWS/SQS"
    ///   metric_name         = "ApproximateNumberOfMessagesVisible"
    ///   statistic           = "Maximum"
    ///   period              = 300
    ///   evaluation_periods  = 1
    ///   threshold           = 0
    ///   comparison_operator = "GreaterThanThreshold"
    ///   alarm_actions       = ["arn:aws:sns:eu-west-1:123456789012:oncall"]
    ///   dimensions = {
    ///     QueueName = aws_sqs_queue.payments_dlq.name
    ///   }
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// OPS08-BP04: create actionable alerts; a message in a dead-letter queue is a failure
    /// someone has to act on.
    pub struct DlqWithoutAlarm {
        code: "OPS002",
        name: "dlq-without-alarm",
        pillar: OperationalExcellence,
        severity: Medium,
        best_practice: "OPS08-BP04",
        since: "0.1.0",
    }
}

const METRIC: &str = "ApproximateNumberOfMessagesVisible";

/// Every dead-letter queue with the resources that send their failures to it.
fn dead_letter_queues<'g>(ctx: &Ctx<'g>) -> Vec<(&'g Resource, Vec<&'g Resource>)> {
    let g = ctx.graph;
    let mut out: Vec<(&Resource, Vec<&Resource>)> = Vec::new();
    // Dead-letter queue address -> its position in `out`.
    let mut position: HashMap<&'g str, usize> = HashMap::new();
    let mut add = |dlq: &'g Resource, source: Option<&'g Resource>| {
        let i = *position.entry(dlq.address.as_str()).or_insert_with(|| {
            out.push((dlq, Vec::new()));
            out.len() - 1
        });
        let Some(entry) = out.get_mut(i) else { return };
        if let Some(s) = source.filter(|s| !entry.1.iter().any(|o| o.address == s.address)) {
            entry.1.push(s);
        }
    };
    let queues = |v: &Value| g.linked(v, "aws_sqs_queue", "arn");
    let json_target = |policy: &Value, key: &str| -> Vec<&'g Resource> {
        let target = policy.decode_json().and_then(|p| p.get(key).cloned());
        queues(target.as_ref().unwrap_or(policy))
    };

    for dlq in dead_letter_targets(ctx) {
        add(dlq, None);
    }
    for q in g.of_type("aws_sqs_queue") {
        if let Some(p) = q.attr("redrive_policy") {
            json_target(p, "deadLetterTargetArn")
                .into_iter()
                .for_each(|d| add(d, Some(q)));
        }
    }
    for p in g.of_type("aws_sqs_queue_redrive_policy") {
        let sources = p
            .attr("queue_url")
            .map(|u| g.targets(u, "aws_sqs_queue"))
            .unwrap_or_default();
        if let Some(policy) = p.attr("redrive_policy") {
            for d in json_target(policy, "deadLetterTargetArn") {
                add(d, None);
                sources.iter().for_each(|s| add(d, Some(s)));
            }
        }
    }
    for s in g.of_type("aws_sns_topic_subscription") {
        if let Some(p) = s.attr("redrive_policy") {
            json_target(p, "deadLetterTargetArn")
                .into_iter()
                .for_each(|d| add(d, Some(s)));
        }
    }
    let in_blocks = |r: &'g Resource, path: &[&str], key: &str| -> Vec<&'g Resource> {
        let mut level: Vec<&Value> = vec![&r.attrs];
        for step in path {
            level = level.into_iter().flat_map(|v| v.blocks(step)).collect();
        }
        level
            .into_iter()
            .filter_map(|b| b.field(key))
            .flat_map(queues)
            .collect()
    };
    for f in g.of_type("aws_lambda_function") {
        in_blocks(f, &["dead_letter_config"], "target_arn")
            .into_iter()
            .for_each(|d| add(d, Some(f)));
    }
    for t in g.of_type("aws_cloudwatch_event_target") {
        in_blocks(t, &["dead_letter_config"], "arn")
            .into_iter()
            .for_each(|d| add(d, Some(t)));
    }
    for c in g
        .of_type("aws_lambda_function_event_invoke_config")
        .chain(g.of_type("aws_lambda_event_source_mapping"))
    {
        in_blocks(c, &["destination_config", "on_failure"], "destination")
            .into_iter()
            .chain(in_blocks(c, &["destination_config", "on_failure"], "destination_arn"))
            .for_each(|d| add(d, Some(c)));
    }
    out
}

/// A known string that differs from `expected` rules the metric out; unknown keeps it.
fn may_equal(v: Option<&Value>, expected: &str) -> bool {
    match v {
        None => false,
        Some(Value::String(s)) => s == expected,
        Some(_) => true,
    }
}

/// Whether a `QueueName` dimension value designates `dlq` (or may: unknown).
/// The queues the CloudWatch alarms of a graph may watch for [`METRIC`], computed once.
#[derive(Default)]
struct Watched<'g> {
    /// Some alarm may watch any queue (its metric or queue name is not known).
    any: bool,
    /// Queue names written out literally in a `QueueName` dimension.
    names: HashSet<&'g str>,
    /// Queues whose `.name` a `QueueName` dimension references.
    addresses: HashSet<&'g str>,
}

impl<'g> Watched<'g> {
    fn new(g: &'g Graph) -> Watched<'g> {
        let mut w = Watched::default();
        for alarm in g.of_type("aws_cloudwatch_metric_alarm") {
            if alarm.attr("metric_name").is_some() {
                w.metric(g, &alarm.attrs);
                continue;
            }
            for q in alarm.attrs.blocks("metric_query") {
                match q {
                    Value::Map(_) => q.blocks("metric").into_iter().for_each(|m| w.metric(g, m)),
                    _ => w.any = true,
                }
            }
        }
        w
    }

    fn metric(&mut self, g: &'g Graph, metric: &'g Value) {
        if !matches!(metric, Value::Map(_)) {
            self.any = true;
            return;
        }
        if !may_equal(metric.field("metric_name"), METRIC) || !may_equal(metric.field("namespace"), "AWS/SQS") {
            return;
        }
        match metric.field("dimensions") {
            Some(dims @ Value::Map(_)) => {
                if let Some(q) = dims.field("QueueName") {
                    self.queue(g, q);
                }
            }
            Some(Value::Unknown(refs)) if refs.is_empty() => self.any = true,
            Some(other) => self.queue(g, other),
            None => {}
        }
    }

    /// A `QueueName` value: which queues it may name.
    fn queue(&mut self, g: &'g Graph, value: &'g Value) {
        match value {
            Value::String(s) => {
                self.names.insert(s.as_str());
            }
            Value::Unknown(refs) if refs.is_empty() => self.any = true,
            _ => {
                for r in value.refs().into_iter().filter(|r| r.attr == "name") {
                    self.addresses
                        .extend(g.resolve(r).into_iter().map(|t| t.address.as_str()));
                }
            }
        }
    }

    fn watches(&self, dlq: &Resource) -> bool {
        self.any
            || self.addresses.contains(dlq.address.as_str())
            || dlq.str_attr("name").is_some_and(|n| self.names.contains(n))
    }
}

impl Rule for DlqWithoutAlarm {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let watched = Watched::new(ctx.graph);
        for (dlq, sources) in dead_letter_queues(ctx) {
            if watched.watches(dlq) {
                continue;
            }
            let name = dlq.str_attr("name").map(|n| format!(" `{n}`")).unwrap_or_default();
            let finding = ctx.report(
                dlq,
                None,
                format!("dead-letter queue{name} has no CloudWatch alarm on {METRIC}, so failures pile up in it silently until they expire"),
            );
            for s in sources {
                finding.related(s, None, "sends its failed messages to this queue");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    const QUEUES: &str = r#"
        resource "aws_sqs_queue" "dlq" { name = "jobs-dlq" }
        resource "aws_sqs_queue" "jobs" {
          name           = "jobs"
          redrive_policy = jsonencode({ deadLetterTargetArn = aws_sqs_queue.dlq.arn, maxReceiveCount = 3 })
        }
    "#;

    fn alarm(dimension: &str) -> String {
        format!(
            r#"
            resource "aws_cloudwatch_metric_alarm" "a" {{
              alarm_name          = "dlq"
              namespace           = "AWS/SQS"
              metric_name         = "ApproximateNumberOfMessagesVisible"
              statistic           = "Maximum"
              period              = 60
              evaluation_periods  = 1
              threshold           = 0
              comparison_operator = "GreaterThanThreshold"
              dimensions          = {{ QueueName = {dimension} }}
            }}
            "#
        )
    }

    #[test]
    fn unwatched_dlq_is_flagged_with_its_source() {
        let found = findings("OPS002", QUEUES);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].resource, "aws_sqs_queue.dlq");
        assert_eq!(found[0].related[0].resource, "aws_sqs_queue.jobs");
    }

    #[test]
    fn alarm_by_name_reference_or_literal_name() {
        assert!(flagged("OPS002", &format!("{QUEUES}{}", alarm("aws_sqs_queue.dlq.name"))).is_empty());
        assert!(flagged("OPS002", &format!("{QUEUES}{}", alarm("\"jobs-dlq\""))).is_empty());
        // The wrong queue, or the ARN where the name belongs, leaves the DLQ unwatched.
        assert_eq!(
            flagged("OPS002", &format!("{QUEUES}{}", alarm("aws_sqs_queue.jobs.name"))),
            ["aws_sqs_queue.dlq"]
        );
        assert_eq!(
            flagged("OPS002", &format!("{QUEUES}{}", alarm("aws_sqs_queue.dlq.arn"))),
            ["aws_sqs_queue.dlq"]
        );
    }

    #[test]
    fn other_metric_does_not_count_but_metric_query_does() {
        let wrong = format!("{QUEUES}{}", alarm("aws_sqs_queue.dlq.name"))
            .replace("ApproximateNumberOfMessagesVisible", "NumberOfMessagesSent");
        assert_eq!(flagged("OPS002", &wrong), ["aws_sqs_queue.dlq"]);
        let query = format!(
            "{QUEUES}{}",
            r#"
            resource "aws_cloudwatch_metric_alarm" "q" {
              alarm_name          = "dlq"
              evaluation_periods  = 1
              threshold           = 0
              comparison_operator = "GreaterThanThreshold"
              metric_query {
                id          = "visible"
                return_data = true
                metric {
                  namespace   = "AWS/SQS"
                  metric_name = "ApproximateNumberOfMessagesVisible"
                  period      = 60
                  stat        = "Maximum"
                  dimensions  = { QueueName = aws_sqs_queue.dlq.name }
                }
              }
            }
        "#
        );
        assert!(flagged("OPS002", &query).is_empty());
    }

    #[test]
    fn unknown_queue_name_counts_as_watched() {
        let tf = format!("{QUEUES}variable \"queue\" {{ type = string }}\n{}", alarm("var.queue"));
        assert!(flagged("OPS002", &tf).is_empty());
    }

    #[test]
    fn lambda_dead_letter_config_in_a_module_and_plain_queues() {
        let files = [
            (
                "main.tf",
                r#"
                resource "aws_sqs_queue" "plain" { name = "plain" }
                module "fn" { source = "./fn" }
            "#,
            ),
            (
                "fn/main.tf",
                r#"
                resource "aws_sqs_queue" "dlq" { name = "fn-dlq" }
                resource "aws_lambda_function" "this" {
                  function_name = "fn"
                  dead_letter_config { target_arn = aws_sqs_queue.dlq.arn }
                }
            "#,
            ),
        ];
        let found = findings_in("OPS002", &files);
        let addrs: Vec<&str> = found.iter().map(|f| f.resource.as_str()).collect();
        assert_eq!(addrs, ["module.fn.aws_sqs_queue.dlq"]);
        assert_eq!(found[0].related[0].resource, "module.fn.aws_lambda_function.this");
    }
}
