use crate::declare_rule;
use crate::graph::Value;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_lambda_function` without active X-Ray tracing: no
    /// `tracing_config { mode = "Active" }`. The provider default is `PassThrough`, which only
    /// traces a request when an upstream service already sampled it.
    ///
    /// ## Why is this bad?
    /// Without traces, a slow or failing request cannot be followed across the queue, the
    /// function and the database it calls: you see that something is slow, not where. Active
    /// tracing samples invocations at the function itself, including those started by SQS,
    /// EventBridge or a schedule, which never arrive with a sampled trace header.
    ///
    /// An unknown `mode` (or a dynamic `tracing_config` block) is not flagged: the rule only
    /// reports functions that certainly do not trace.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_lambda_function" "checkout" {
    ///   function_name = "checkout"
    ///   role          = "arn:aws:iam::123456789012:role/checkout"
    ///   runtime       = "nodejs20.x"
    ///   handler       = "index.handler"
    ///   filename      = "checkout.zip"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_lambda_function" "checkout" {
    ///   function_name = "checkout"
    ///   role          = "arn:aws:iam::123456789012:role/checkout"
    ///   runtime       = "nodejs20.x"
    ///   handler       = "index.handler"
    ///   filename      = "checkout.zip"
    ///
    ///   tracing_config {
    ///     mode = "Active"
    ///   }
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// OPS04-BP05: implement distributed tracing, so a request can be followed through every
    /// component that handles it.
    pub struct LambdaWithoutTracing {
        code: "OPS003",
        name: "lambda-without-tracing",
        pillar: OperationalExcellence,
        severity: Low,
        best_practice: "OPS04-BP05",
        since: "0.1.0",
    }
}

/// `Some(mode)` when the tracing mode is certainly not `Active` (`None` = active or unknown).
fn inactive_mode(function: &crate::graph::Resource) -> Option<String> {
    let blocks = function.attrs.blocks("tracing_config");
    let Some(block) = blocks.first() else {
        return Some("PassThrough (the default)".to_string());
    };
    match block {
        Value::Map(_) => match block.field("mode") {
            None => Some("PassThrough (the default)".to_string()),
            Some(Value::String(mode)) if mode != "Active" => Some(mode.clone()),
            _ => None,
        },
        _ => None,
    }
}

impl Rule for LambdaWithoutTracing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        for function in g.of_type("aws_lambda_function") {
            if let Some(mode) = inactive_mode(function) {
                let attr = function.attr("tracing_config").map(|_| "tracing_config");
                ctx.report(
                    function,
                    attr,
                    format!("Lambda function does not trace its invocations: X-Ray tracing mode is {mode}, not Active"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, flagged};

    #[test]
    fn pass_through_and_absent_are_flagged() {
        let tf = r#"
            resource "aws_lambda_function" "absent" { function_name = "a" }
            resource "aws_lambda_function" "pass" {
              function_name = "p"
              tracing_config { mode = "PassThrough" }
            }
            resource "aws_lambda_function" "active" {
              function_name = "x"
              tracing_config { mode = "Active" }
            }
        "#;
        assert_eq!(
            flagged("OPS003", tf),
            ["aws_lambda_function.absent", "aws_lambda_function.pass"]
        );
        let f = findings("OPS003", tf);
        assert!(f.iter().any(|f| f.message.contains("PassThrough (the default)")));
    }

    #[test]
    fn unknown_mode_and_dynamic_block_are_not_flagged() {
        let tf = r#"
            variable "mode" { type = string }
            variable "tracing" { type = list(string) }
            resource "aws_lambda_function" "a" {
              function_name = "a"
              tracing_config { mode = var.mode }
            }
            resource "aws_lambda_function" "b" {
              function_name = "b"
              dynamic "tracing_config" {
                for_each = var.tracing
                content { mode = tracing_config.value }
              }
            }
        "#;
        assert!(flagged("OPS003", tf).is_empty());
    }

    #[test]
    fn every_counted_function_is_checked() {
        let tf = r#"
            resource "aws_lambda_function" "w" {
              count         = 2
              function_name = "w-${count.index}"
              tracing_config { mode = count.index == 0 ? "Active" : "PassThrough" }
            }
        "#;
        assert_eq!(flagged("OPS003", tf), ["aws_lambda_function.w[1]"]);
    }
}
