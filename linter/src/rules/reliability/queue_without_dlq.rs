use std::collections::HashSet;

use crate::declare_rule;
use crate::graph::Resource;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_sqs_queue` that has no dead-letter queue: neither an inline
    /// `redrive_policy` nor a separate `aws_sqs_queue_redrive_policy` pointing at it.
    /// A queue that is itself some queue's dead-letter target is not flagged.
    ///
    /// ## Why is this bad?
    /// A message that always fails (a poison message) is received again and again until its
    /// retention period ends. It burns consumer capacity, hides real failures, and is finally
    /// lost without a trace. A dead-letter queue catches it after `maxReceiveCount` attempts
    /// so it can be inspected, alarmed on and replayed.
    ///
    /// An unknown `redrive_policy` (computed from values known only at apply) counts as
    /// configured: the rule only flags what is certainly missing.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sqs_queue" "jobs" {
    ///   name = "jobs"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_sqs_queue" "jobs_dlq" {
    ///   name = "jobs-dlq"
    /// }
    ///
    /// resource "aws_sqs_queue" "jobs" {
    ///   name = "jobs"
    ///   redrive_policy = jsonencode({
    ///     deadLetterTargetArn = aws_sqs_queue.jobs_dlq.arn
    ///     maxReceiveCount     = 5
    ///   })
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// REL05-BP01: implement graceful degradation to transform applicable hard dependencies
    /// into soft dependencies; failed work is set aside instead of blocking the queue.
    pub struct QueueWithoutDlq {
        code: "REL001",
        name: "queue-without-dlq",
        pillar: Reliability,
        severity: High,
        best_practice: "REL05-BP01",
        since: "0.1.0",
    }
}

/// The queues some queue sends its failures to, from either form of redrive policy.
pub fn dead_letter_targets<'g>(ctx: &Ctx<'g>) -> Vec<&'g Resource> {
    let g = ctx.graph;
    let mut targets = Vec::new();
    let policies = g
        .of_type("aws_sqs_queue")
        .filter_map(|q| q.attr("redrive_policy"))
        .chain(
            g.of_type("aws_sqs_queue_redrive_policy")
                .filter_map(|p| p.attr("redrive_policy")),
        );
    for policy in policies {
        let target = policy.decode_json().and_then(|p| p.get("deadLetterTargetArn").cloned());
        // Either the decoded ARN field, or (when the whole policy is unknown) whatever it references.
        let value = target.as_ref().unwrap_or(policy);
        targets.extend(g.linked(value, "aws_sqs_queue", "arn"));
    }
    targets
}

fn has_redrive(ctx: &Ctx<'_>, queue: &Resource) -> bool {
    queue.attr("redrive_policy").is_some_and(|p| p.as_str() != Some(""))
        || !ctx
            .graph
            .referrers_via(queue, "aws_sqs_queue_redrive_policy", Some("queue_url"))
            .is_empty()
}

impl Rule for QueueWithoutDlq {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        let dlqs: HashSet<&str> = dead_letter_targets(ctx)
            .into_iter()
            .map(|d| d.address.as_str())
            .collect();
        for queue in g.of_type("aws_sqs_queue") {
            if has_redrive(ctx, queue) || dlqs.contains(queue.address.as_str()) {
                continue;
            }
            ctx.report(queue, None, "SQS queue has no dead-letter queue (no redrive_policy)");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::flagged;

    #[test]
    fn separate_redrive_policy_resource_counts() {
        let tf = r#"
            resource "aws_sqs_queue" "dlq" {}
            resource "aws_sqs_queue" "q" {}
            resource "aws_sqs_queue_redrive_policy" "q" {
              queue_url      = aws_sqs_queue.q.id
              redrive_policy = jsonencode({ deadLetterTargetArn = aws_sqs_queue.dlq.arn, maxReceiveCount = 4 })
            }
        "#;
        assert!(flagged("REL001", tf).is_empty());
    }

    #[test]
    fn every_counted_queue_is_checked() {
        let tf = r#"
            resource "aws_sqs_queue" "q" {
              count = 2
              name  = "q-${count.index}"
            }
        "#;
        assert_eq!(flagged("REL001", tf), ["aws_sqs_queue.q[0]", "aws_sqs_queue.q[1]"]);
    }

    #[test]
    fn a_dlq_in_another_module_is_recognised_through_outputs() {
        let files = [
            (
                "main.tf",
                r#"
                module "dlq" { source = "./dlq" }
                resource "aws_sqs_queue" "q" {
                  redrive_policy = jsonencode({ deadLetterTargetArn = module.dlq.arn, maxReceiveCount = 3 })
                }
            "#,
            ),
            (
                "dlq/main.tf",
                r#"
                resource "aws_sqs_queue" "this" {}
                output "arn" { value = aws_sqs_queue.this.arn }
            "#,
            ),
        ];
        let found = crate::testing::findings_in("REL001", &files);
        assert!(found.is_empty(), "{found:?}");
    }
}
