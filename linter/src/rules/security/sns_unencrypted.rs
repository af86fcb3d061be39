use crate::declare_rule;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_sns_topic` without `kms_master_key_id`: SNS does not encrypt topics unless
    /// a KMS key is given (the provider default is none).
    ///
    /// ## Why is this bad?
    /// Messages published to the topic are stored unencrypted until they are delivered to
    /// every subscriber (retried for hours for unreachable endpoints). Alerts and events
    /// routinely carry identifiers, payloads or error details that should be encrypted at rest.
    /// Use the AWS managed key `alias/aws/sns`, or a customer managed key when publishers such
    /// as CloudWatch alarms or EventBridge need a key policy granting them access.
    ///
    /// A `kms_master_key_id` that is not known before apply counts as set.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_sns_topic" "orders" {
    ///   name = "orders-events"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_sns_topic" "orders" {
    ///   name              = "orders-events"
    ///   kms_master_key_id = "alias/aws/sns"
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// SEC08-BP02: enforce encryption at rest; messages are encrypted while SNS holds them.
    pub struct SnsUnencrypted {
        code: "SEC008",
        name: "sns-unencrypted",
        pillar: Security,
        severity: Medium,
        best_practice: "SEC08-BP02",
        since: "0.1.0",
    }
}

impl Rule for SnsUnencrypted {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        for topic in ctx.graph.of_type("aws_sns_topic") {
            match topic.attr("kms_master_key_id") {
                Some(k) if k.as_str() != Some("") => {}
                _ => {
                    ctx.report(
                        topic,
                        Some("kms_master_key_id"),
                        "SNS topic is not encrypted at rest: no kms_master_key_id",
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings_in, flagged};

    #[test]
    fn missing_or_empty_key_is_flagged() {
        let tf = r#"
            resource "aws_kms_key" "k" {}
            resource "aws_sns_topic" "none" {}
            resource "aws_sns_topic" "empty" { kms_master_key_id = "" }
            resource "aws_sns_topic" "managed" { kms_master_key_id = "alias/aws/sns" }
            resource "aws_sns_topic" "cmk" { kms_master_key_id = aws_kms_key.k.id }
        "#;
        assert_eq!(flagged("SEC008", tf), ["aws_sns_topic.empty", "aws_sns_topic.none"]);
    }

    #[test]
    fn unknown_key_counts_as_set() {
        let tf = r#"
            variable "key" {}
            resource "aws_sns_topic" "t" { kms_master_key_id = var.key }
        "#;
        assert!(flagged("SEC008", tf).is_empty());
    }

    #[test]
    fn key_passed_into_a_module_or_not() {
        let files = [
            (
                "main.tf",
                r#"
                module "with_key" {
                  source = "./topic"
                  key    = "alias/aws/sns"
                }
                module "without_key" { source = "./topic" }
            "#,
            ),
            (
                "topic/main.tf",
                r#"
                variable "key" { default = null }
                resource "aws_sns_topic" "this" { kms_master_key_id = var.key }
            "#,
            ),
        ];
        let found: Vec<String> = findings_in("SEC008", &files).into_iter().map(|f| f.resource).collect();
        assert_eq!(found, ["module.without_key.aws_sns_topic.this"]);
    }
}
