use crate::declare_rule;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_lambda_function` that does not set `memory_size`, so it runs with the
    /// provider default of 128 MB.
    ///
    /// ## Why is this bad?
    /// Lambda allocates CPU in proportion to memory: at 128 MB a function gets about a
    /// fourteenth of a vCPU, so CPU-bound work, cold starts and SDK initialisation are slow,
    /// and the function is often billed for more GB-seconds than it would be with more memory
    /// and a shorter run. Nobody chose 128 MB here; the size was never measured.
    ///
    /// Only an absent `memory_size` is flagged: an explicit value, even `128`, is a choice,
    /// and an unknown value (a variable without a value) is assumed to be chosen elsewhere.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_lambda_function" "resize" {
    ///   function_name = "resize-images"
    ///   role          = "arn:aws:iam::123456789012:role/resize"
    ///   runtime       = "python3.12"
    ///   handler       = "app.handler"
    ///   filename      = "resize.zip"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_lambda_function" "resize" {
    ///   function_name = "resize-images"
    ///   role          = "arn:aws:iam::123456789012:role/resize"
    ///   runtime       = "python3.12"
    ///   handler       = "app.handler"
    ///   filename      = "resize.zip"
    ///   memory_size   = 1024 # measured with AWS Lambda Power Tuning
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// PERF02-BP02: understand the available compute configuration and features; for Lambda,
    /// memory is the one knob that also sets CPU and network share.
    pub struct LambdaDefaultMemory {
        code: "PERF003",
        name: "lambda-default-memory",
        pillar: PerformanceEfficiency,
        severity: Low,
        best_practice: "PERF02-BP02",
        since: "0.1.0",
    }
}

impl Rule for LambdaDefaultMemory {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        for function in g.of_type("aws_lambda_function") {
            if function.attr("memory_size").is_none() {
                ctx.report(
                    function,
                    None,
                    "Lambda function does not set memory_size, so it runs with the default 128 MB and the small CPU share that comes with it",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings_in, flagged};

    #[test]
    fn absent_memory_is_flagged_explicit_128_is_a_choice() {
        let tf = r#"
            resource "aws_lambda_function" "a" { function_name = "a" }
            resource "aws_lambda_function" "b" {
              function_name = "b"
              memory_size   = 128
            }
        "#;
        assert_eq!(flagged("PERF003", tf), ["aws_lambda_function.a"]);
    }

    #[test]
    fn unknown_memory_is_not_flagged() {
        let tf = r#"
            variable "memory" { type = number }
            resource "aws_lambda_function" "a" {
              function_name = "a"
              memory_size   = var.memory
            }
        "#;
        assert!(flagged("PERF003", tf).is_empty());
    }

    #[test]
    fn module_input_sets_memory() {
        let files = [
            (
                "main.tf",
                r#"
                module "fn" {
                  source = "./fn"
                  memory = 512
                }
                module "small" { source = "./fn" }
            "#,
            ),
            (
                "fn/main.tf",
                r#"
                variable "memory" { default = null }
                resource "aws_lambda_function" "this" {
                  function_name = "x"
                  memory_size   = var.memory
                }
            "#,
            ),
        ];
        let found: Vec<String> = findings_in("PERF003", &files).into_iter().map(|f| f.resource).collect();
        assert_eq!(found, ["module.small.aws_lambda_function.this"]);
    }
}
