use crate::declare_rule;
use crate::graph::Resource;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_sqs_queue` with server-side encryption turned off:
    /// `sqs_managed_sse_enabled = false` and no `kms_master_key_id`. A queue that sets neither is
    /// not flagged, because SQS encrypts new queues with SQS-owned keys (SSE-SQS) by default.
    ///
    /// ## Why is this bad?
    /// Messages often carry order details, personal data or tokens. With encryption turned off
    /// they sit in plain text in SQS storage for up to the retention period, which breaks most
    /// data-at-rest requirements. Encryption costs nothing with SSE-SQS.
    ///
    /// An `sqs_managed_sse_enabled` or `kms_master_key_id` that is not known before apply is
    /// not flagged.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sqs_queue" "orders" {
    ///   name                    = "orders"
    ///   sqs_managed_sse_enabled = false
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_sqs_queue" "orders" {
    ///   name                    = "orders"
    ///   sqs_managed_sse_enabled = true
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// SEC08-BP02: enforce encryption at rest; queued data is encrypted like any other store.
    pub struct SqsUnencrypted {
        code: "SEC007",
        name: "sqs-unencrypted",
        pillar: Security,
        severity: Medium,
        best_practice: "SEC08-BP02",
        since: "0.1.0",
    }
}

fn has_kms_key(q: &Resource) -> bool {
    q.attr("kms_master_key_id").is_some_and(|k| k.as_str() != Some(""))
}

impl Rule for SqsUnencrypted {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        for queue in ctx.graph.of_type("aws_sqs_queue") {
            if queue.bool_attr("sqs_managed_sse_enabled") == Some(false) && !has_kms_key(queue) {
                ctx.report(
                    queue,
                    Some("sqs_managed_sse_enabled"),
                    "SQS queue is not encrypted at rest: sqs_managed_sse_enabled = false and no kms_master_key_id",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::flagged;

    #[test]
    fn only_explicitly_disabled_sse_without_kms_is_flagged() {
        let tf = r#"
            resource "aws_sqs_queue" "default" {}
            resource "aws_sqs_queue" "off" { sqs_managed_sse_enabled = false }
            resource "aws_sqs_queue" "off_empty_key" {
              sqs_managed_sse_enabled = false
              kms_master_key_id       = ""
            }
            resource "aws_sqs_queue" "kms" {
              sqs_managed_sse_enabled = false
              kms_master_key_id       = "alias/aws/sqs"
            }
        "#;
        assert_eq!(
            flagged("SEC007", tf),
            ["aws_sqs_queue.off", "aws_sqs_queue.off_empty_key"]
        );
    }

    #[test]
    fn unknowns_are_not_flagged() {
        let tf = r#"
            variable "sse" { type = bool }
            variable "key" {}
            resource "aws_sqs_queue" "a" { sqs_managed_sse_enabled = var.sse }
            resource "aws_sqs_queue" "b" {
              sqs_managed_sse_enabled = false
              kms_master_key_id       = var.key
            }
        "#;
        assert!(flagged("SEC007", tf).is_empty());
    }

    #[test]
    fn counted_queues() {
        let tf = r#"
            resource "aws_sqs_queue" "q" {
              count                   = 2
              sqs_managed_sse_enabled = count.index == 1
            }
        "#;
        assert_eq!(flagged("SEC007", tf), ["aws_sqs_queue.q[0]"]);
    }
}
