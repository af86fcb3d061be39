use crate::declare_rule;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_cloudfront_distribution` without a `web_acl_id`: no AWS WAF web ACL
    /// inspects the requests it serves. A distribution with `enabled = false` serves nothing
    /// and is not flagged.
    ///
    /// ## Why is this bad?
    /// A CloudFront distribution is the public front door of an application. Without a web ACL,
    /// SQL injection and cross-site scripting probes, credential stuffing, scrapers and request
    /// floods all reach the origin; rate-based rules and AWS managed rule groups at the edge stop
    /// them before they cost origin capacity.
    ///
    /// A `web_acl_id` that is known only at apply (a reference to an `aws_wafv2_web_acl`, a module
    /// output, a variable) counts as present; an empty string counts as absent (it is the
    /// provider's way to detach the web ACL).
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_cloudfront_distribution" "site" {
    ///   enabled = true
    ///
    ///   origin {
    ///     domain_name = "site-assets.s3.eu-west-1.amazonaws.com"
    ///     origin_id   = "assets"
    ///   }
    ///
    ///   default_cache_behavior {
    ///     target_origin_id       = "assets"
    ///     viewer_protocol_policy = "redirect-to-https"
    ///     allowed_methods        = ["GET", "HEAD"]
    ///     cached_methods         = ["GET", "HEAD"]
    ///     cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
    ///   }
    ///
    ///   restrictions {
    ///     geo_restriction {
    ///       restriction_type = "none"
    ///     }
    ///   }
    ///
    ///   viewer_certificate {
    ///     cloudfront_default_certificate = true
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_wafv2_web_acl" "edge" {
    ///   name  = "edge"
    ///   scope = "CLOUDFRONT"
    ///
    ///   default_action {
    ///     allow {}
    ///   }
    ///
    ///   rule {
    ///     name     = "common"
    ///     priority = 1
    ///
    ///     override_action {
    ///       none {}
    ///     }
    ///
    ///     statement {
    ///       managed_rule_group_statement {
    ///         vendor_name = "AWS"
    ///         name        = "AWSManagedRulesCommonRuleSet"
    ///       }
    ///     }
    ///
    ///     visibility_config {
    ///       cloudwatch_metrics_enabled = true
    ///       metric_name                = "common"
    ///       sampled_requests_enabled   = true
    ///     }
    ///   }
    ///
    ///   visibility_config {
    ///     cloudwatch_metrics_enabled = true
    ///     metric_name                = "edge"
    ///     sampled_requests_enabled   = true
    ///   }
    /// }
    ///
    /// resource "aws_cloudfront_distribution" "site" {
    ///   enabled    = true
    ///   web_acl_id = aws_wafv2_web_acl.edge.arn
    ///
    ///   origin {
    ///     domain_name = "site-assets.s3.eu-west-1.amazonaws.com"
    ///     origin_id   = "assets"
    ///   }
    ///
    ///   default_cache_behavior {
    ///     target_origin_id       = "assets"
    ///     viewer_protocol_policy = "redirect-to-https"
    ///     allowed_methods        = ["GET", "HEAD"]
    ///     cached_methods         = ["GET", "HEAD"]
    ///     cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
    ///   }
    ///
    ///   restrictions {
    ///     geo_restriction {
    ///       restriction_type = "none"
    ///     }
    ///   }
    ///
    ///   viewer_certificate {
    ///     cloudfront_default_certificate = true
    ///   }
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// SEC05-BP02: control traffic flow within your network layers; filter requests at the edge
    /// before they reach the workload.
    pub struct CloudfrontWithoutWaf {
        code: "SEC002",
        name: "cloudfront-without-waf",
        pillar: Security,
        severity: High,
        best_practice: "SEC05-BP02",
        since: "0.1.0",
    }
}

impl Rule for CloudfrontWithoutWaf {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        for dist in g.of_type("aws_cloudfront_distribution") {
            if dist.bool_attr("enabled") == Some(false) {
                continue;
            }
            match dist.attr("web_acl_id") {
                None => {
                    ctx.report(
                        dist,
                        None,
                        "CloudFront distribution has no web_acl_id: no AWS WAF web ACL filters its requests",
                    );
                }
                Some(v) if v.as_str().is_some_and(|s| s.trim().is_empty()) => {
                    ctx.report(
                        dist,
                        Some("web_acl_id"),
                        "CloudFront distribution has web_acl_id = \"\": no AWS WAF web ACL filters its requests",
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
    fn absent_and_empty_web_acl_are_flagged_disabled_is_not() {
        let tf = r#"
            resource "aws_cloudfront_distribution" "a" { enabled = true }
            resource "aws_cloudfront_distribution" "b" {
              enabled    = true
              web_acl_id = ""
            }
            resource "aws_cloudfront_distribution" "off" { enabled = false }
            resource "aws_cloudfront_distribution" "literal" {
              enabled    = true
              web_acl_id = "arn:aws:wafv2:us-east-1:111122223333:global/webacl/edge/abc"
            }
        "#;
        assert_eq!(
            flagged("SEC002", tf),
            ["aws_cloudfront_distribution.a", "aws_cloudfront_distribution.b"]
        );
    }

    #[test]
    fn unknown_web_acl_counts_as_present() {
        let tf = r#"
            variable "web_acl" {}
            resource "aws_cloudfront_distribution" "a" {
              enabled    = true
              web_acl_id = var.web_acl
            }
        "#;
        assert!(flagged("SEC002", tf).is_empty());
    }

    #[test]
    fn web_acl_from_another_module() {
        let files = [
            (
                "main.tf",
                r#"
                module "waf" { source = "./waf" }
                resource "aws_cloudfront_distribution" "a" {
                  count      = 2
                  enabled    = true
                  web_acl_id = count.index == 0 ? module.waf.arn : null
                }
            "#,
            ),
            (
                "waf/main.tf",
                r#"
                resource "aws_wafv2_web_acl" "this" { scope = "CLOUDFRONT" }
                output "arn" { value = aws_wafv2_web_acl.this.arn }
            "#,
            ),
        ];
        let found: Vec<String> = findings_in("SEC002", &files).into_iter().map(|f| f.resource).collect();
        assert_eq!(found, ["aws_cloudfront_distribution.a[1]"]);
    }
}
