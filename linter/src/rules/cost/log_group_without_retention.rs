use crate::declare_rule;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_cloudwatch_log_group` whose events never expire: `retention_in_days` is
    /// absent or `0`. The provider default is `0`, which CloudWatch Logs reads as "keep forever".
    ///
    /// ## Why is this bad?
    /// Log storage is billed per GB-month for as long as the events are kept. Debug output
    /// from years ago is rarely read but is paid for every month, and the bill only grows.
    /// Decide how long each log is useful (and how long compliance needs it), set that, and
    /// export to S3 what must be kept longer.
    ///
    /// An unknown `retention_in_days` (a variable without a value) is not flagged.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_cloudwatch_log_group" "api" {
    ///   name = "/aws/lambda/orders-api"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_cloudwatch_log_group" "api" {
    ///   name              = "/aws/lambda/orders-api"
    ///   retention_in_days = 30
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// COST04-BP05: enforce data retention policies, so data is deleted once it is no longer
    /// needed.
    pub struct LogGroupWithoutRetention {
        code: "COST001",
        name: "log-group-without-retention",
        pillar: CostOptimization,
        severity: Low,
        best_practice: "COST04-BP05",
        since: "0.1.0",
    }
}

impl Rule for LogGroupWithoutRetention {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        for group in g.of_type("aws_cloudwatch_log_group") {
            match group.attr("retention_in_days") {
                None => {
                    ctx.report(
                        group,
                        None,
                        "log group keeps its events forever: retention_in_days is not set (default 0, never expire)",
                    );
                }
                Some(v) if v.as_f64() == Some(0.0) => {
                    ctx.report(
                        group,
                        Some("retention_in_days"),
                        "log group keeps its events forever: retention_in_days = 0 means never expire",
                    );
                }
                Some(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings_in, flagged};

    #[test]
    fn absent_and_zero_are_flagged() {
        let tf = r#"
            resource "aws_cloudwatch_log_group" "absent" { name = "a" }
            resource "aws_cloudwatch_log_group" "zero" {
              name              = "z"
              retention_in_days = 0
            }
            resource "aws_cloudwatch_log_group" "kept" {
              name              = "k"
              retention_in_days = 14
            }
        "#;
        assert_eq!(
            flagged("COST001", tf),
            ["aws_cloudwatch_log_group.absent", "aws_cloudwatch_log_group.zero"]
        );
    }

    #[test]
    fn unknown_retention_is_not_flagged() {
        let tf = r#"
            variable "days" { type = number }
            resource "aws_cloudwatch_log_group" "a" {
              name              = "a"
              retention_in_days = var.days
            }
        "#;
        assert!(flagged("COST001", tf).is_empty());
    }

    #[test]
    fn retention_from_a_module_default_counts() {
        let files = [
            (
                "main.tf",
                r#"
                module "logs" { source = "./logs" }
                module "forever" {
                  source = "./logs"
                  days   = 0
                }
            "#,
            ),
            (
                "logs/main.tf",
                r#"
                variable "days" { default = 90 }
                resource "aws_cloudwatch_log_group" "this" {
                  name              = "x"
                  retention_in_days = var.days
                }
            "#,
            ),
        ];
        let found: Vec<String> = findings_in("COST001", &files).into_iter().map(|f| f.resource).collect();
        assert_eq!(found, ["module.forever.aws_cloudwatch_log_group.this"]);
    }
}
