use crate::declare_rule;
use crate::graph::Value;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_lambda_function` that runs on x86_64: `architectures` is absent (the
    /// provider default is `["x86_64"]`) or set to anything but `["arm64"]`. Functions on a
    /// runtime that has no arm64 build (`go1.x`, `java8`, `provided`, `python3.7` and older,
    /// `nodejs10.x`, `dotnetcore2.1`) are left alone: the runtime has to move first.
    ///
    /// ## Why is this bad?
    /// Graviton (arm64) functions do the same work with less energy, and AWS prices their
    /// GB-seconds about 20% lower. Interpreted runtimes (Python, Node.js, Java, .NET) usually
    /// move by changing one attribute; only native dependencies need an arm64 build.
    ///
    /// An unknown `architectures` value is not flagged: it may well be `["arm64"]`.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_lambda_function" "thumbnails" {
    ///   function_name = "thumbnails"
    ///   role          = "arn:aws:iam::123456789012:role/thumbnails"
    ///   runtime       = "python3.12"
    ///   handler       = "app.handler"
    ///   filename      = "thumbnails.zip"
    ///   memory_size   = 512
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_lambda_function" "thumbnails" {
    ///   function_name = "thumbnails"
    ///   role          = "arn:aws:iam::123456789012:role/thumbnails"
    ///   runtime       = "python3.12"
    ///   handler       = "app.handler"
    ///   filename      = "thumbnails.zip"
    ///   memory_size   = 512
    ///   architectures = ["arm64"]
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// SUS05-BP02: use instance types with the least impact; Graviton processors give the
    /// best performance per watt for most Lambda workloads.
    pub struct LambdaNotArm64 {
        code: "SUS001",
        name: "lambda-not-arm64",
        pillar: Sustainability,
        severity: Low,
        best_practice: "SUS05-BP02",
        since: "0.1.0",
    }
}

/// Runtimes for which Lambda never offered an arm64 build.
const X86_ONLY_RUNTIMES: &[&str] = &[
    "go1.x",
    "java8",
    "provided",
    "python2.7",
    "python3.6",
    "python3.7",
    "nodejs",
    "nodejs4.3",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "ruby2.5",
];

/// `Some(description)` when the function certainly runs on x86_64.
fn x86_architecture(function: &crate::graph::Resource) -> Option<String> {
    match function.attr("architectures") {
        None => Some("architectures is not set (default x86_64)".to_string()),
        Some(Value::List(items)) if items.iter().all(|i| i.as_str().is_some()) => {
            let archs: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            if archs == ["arm64"] || archs.is_empty() {
                // An empty list is rejected by the provider; not this rule's business.
                None
            } else {
                Some(format!("architectures is [{}]", archs.join(", ")))
            }
        }
        Some(_) => None,
    }
}

impl Rule for LambdaNotArm64 {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        for function in g.of_type("aws_lambda_function") {
            if function
                .str_attr("runtime")
                .is_some_and(|r| X86_ONLY_RUNTIMES.contains(&r))
            {
                continue;
            }
            if let Some(what) = x86_architecture(function) {
                let attr = function.attr("architectures").map(|_| "architectures");
                ctx.report(
                    function,
                    attr,
                    format!("Lambda function runs on x86_64, not Graviton: {what}"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::flagged;

    #[test]
    fn absent_and_x86_are_flagged() {
        let tf = r#"
            resource "aws_lambda_function" "absent" { function_name = "a" }
            resource "aws_lambda_function" "x86" {
              function_name = "x"
              architectures = ["x86_64"]
            }
            resource "aws_lambda_function" "arm" {
              function_name = "r"
              architectures = ["arm64"]
            }
        "#;
        assert_eq!(
            flagged("SUS001", tf),
            ["aws_lambda_function.absent", "aws_lambda_function.x86"]
        );
    }

    #[test]
    fn unknown_architectures_are_not_flagged() {
        let tf = r#"
            variable "arch" { type = string }
            resource "aws_lambda_function" "a" {
              function_name = "a"
              architectures = [var.arch]
            }
            resource "aws_lambda_function" "b" {
              function_name = "b"
              architectures = var.arch == "arm" ? ["arm64"] : ["x86_64"]
            }
        "#;
        assert!(flagged("SUS001", tf).is_empty());
    }

    #[test]
    fn runtimes_without_arm64_are_left_alone() {
        let tf = r#"
            resource "aws_lambda_function" "legacy" {
              function_name = "legacy"
              runtime       = "go1.x"
            }
        "#;
        assert!(flagged("SUS001", tf).is_empty());
    }
}
