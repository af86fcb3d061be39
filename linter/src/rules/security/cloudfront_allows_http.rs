use crate::declare_rule;
use crate::graph::Value;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_cloudfront_distribution` that serves or fetches content over plain HTTP:
    /// a `default_cache_behavior` or `ordered_cache_behavior` with
    /// `viewer_protocol_policy = "allow-all"` (viewers may use HTTP), or an `origin` whose
    /// `custom_origin_config` has `origin_protocol_policy = "http-only"` (CloudFront talks to the
    /// origin over HTTP). Each offending behavior or origin is its own finding.
    ///
    /// ## Why is this bad?
    /// Over HTTP, anyone on the network path (public Wi-Fi, an ISP, a compromised router) can
    /// read and modify pages, inject scripts and steal session cookies. `redirect-to-https` or
    /// `https-only` costs nothing. An HTTP-only origin leg sends every request and response in
    /// plain text across the internet even when viewers use HTTPS; an S3 website endpoint,
    /// which only speaks HTTP, is better replaced by the bucket's REST endpoint with origin
    /// access control.
    ///
    /// A `viewer_protocol_policy` or `origin_protocol_policy` that is not known before apply is
    /// not flagged.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_cloudfront_distribution" "site" {
    ///   enabled = true
    ///
    ///   origin {
    ///     domain_name = "app.example.com"
    ///     origin_id   = "app"
    ///     custom_origin_config {
    ///       http_port              = 80
    ///       https_port             = 443
    ///       origin_protocol_policy = "https-only"
    ///       origin_ssl_protocols   = ["TLSv1.2"]
    ///     }
    ///   }
    ///
    ///   default_cache_behavior {
    ///     target_origin_id       = "app"
    ///     viewer_protocol_policy = "allow-all"
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
    ///     acm_certificate_arn      = "arn:aws:acm:us-east-1:123456789012:certificate/abcd"
    ///     ssl_support_method       = "sni-only"
    ///     minimum_protocol_version = "TLSv1.2_2021"
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_cloudfront_distribution" "site" {
    ///   enabled = true
    ///
    ///   origin {
    ///     domain_name = "app.example.com"
    ///     origin_id   = "app"
    ///     custom_origin_config {
    ///       http_port              = 80
    ///       https_port             = 443
    ///       origin_protocol_policy = "https-only"
    ///       origin_ssl_protocols   = ["TLSv1.2"]
    ///     }
    ///   }
    ///
    ///   default_cache_behavior {
    ///     target_origin_id       = "app"
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
    ///     acm_certificate_arn      = "arn:aws:acm:us-east-1:123456789012:certificate/abcd"
    ///     ssl_support_method       = "sni-only"
    ///     minimum_protocol_version = "TLSv1.2_2021"
    ///   }
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// SEC09-BP02: enforce encryption in transit; viewers and origins are reached over HTTPS
    /// only.
    pub struct CloudfrontAllowsHttp {
        code: "SEC012",
        name: "cloudfront-allows-http",
        pillar: Security,
        severity: High,
        best_practice: "SEC09-BP02",
        since: "0.1.0",
    }
}

fn str_field<'v>(block: &'v Value, key: &str) -> Option<&'v str> {
    block.get(key).and_then(Value::as_str)
}

impl Rule for CloudfrontAllowsHttp {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        for dist in ctx.graph.of_type("aws_cloudfront_distribution") {
            for behavior in dist.attrs.blocks("default_cache_behavior") {
                if str_field(behavior, "viewer_protocol_policy") == Some("allow-all") {
                    ctx.report(
                        dist,
                        Some("default_cache_behavior"),
                        "CloudFront default cache behavior accepts plain HTTP from viewers (viewer_protocol_policy = \"allow-all\")",
                    );
                }
            }
            for behavior in dist.attrs.blocks("ordered_cache_behavior") {
                if str_field(behavior, "viewer_protocol_policy") == Some("allow-all") {
                    let path = str_field(behavior, "path_pattern")
                        .map(|p| format!(" for \"{p}\""))
                        .unwrap_or_default();
                    ctx.report(
                        dist,
                        Some("ordered_cache_behavior"),
                        format!("CloudFront cache behavior{path} accepts plain HTTP from viewers (viewer_protocol_policy = \"allow-all\")"),
                    );
                }
            }
            for origin in dist.attrs.blocks("origin") {
                let http_only = origin
                    .blocks("custom_origin_config")
                    .iter()
                    .any(|c| str_field(c, "origin_protocol_policy") == Some("http-only"));
                if http_only {
                    let id = str_field(origin, "origin_id")
                        .map(|i| format!(" \"{i}\""))
                        .unwrap_or_default();
                    ctx.report(
                        dist,
                        Some("origin"),
                        format!(
                            "CloudFront reaches origin{id} over plain HTTP (origin_protocol_policy = \"http-only\")"
                        ),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    #[test]
    fn each_http_behavior_and_origin_is_reported() {
        let tf = r#"
            resource "aws_cloudfront_distribution" "d" {
              origin {
                domain_name = "site.s3-website-eu-west-1.amazonaws.com"
                origin_id   = "website"
                custom_origin_config {
                  http_port              = 80
                  https_port             = 443
                  origin_protocol_policy = "http-only"
                  origin_ssl_protocols   = ["TLSv1.2"]
                }
              }
              default_cache_behavior {
                target_origin_id       = "website"
                viewer_protocol_policy = "https-only"
              }
              ordered_cache_behavior {
                path_pattern           = "/legacy/*"
                target_origin_id       = "website"
                viewer_protocol_policy = "allow-all"
              }
              ordered_cache_behavior {
                path_pattern           = "/api/*"
                target_origin_id       = "website"
                viewer_protocol_policy = "redirect-to-https"
              }
            }
        "#;
        let f = findings("SEC012", tf);
        let messages: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("\"/legacy/*\"")));
        assert!(messages.iter().any(|m| m.contains("origin \"website\"")));
    }

    #[test]
    fn https_and_match_viewer_and_s3_origins_are_fine() {
        let tf = r#"
            resource "aws_cloudfront_distribution" "d" {
              origin {
                domain_name = "b.s3.eu-west-1.amazonaws.com"
                origin_id   = "s3"
                origin_access_control_id = "E123"
              }
              origin {
                domain_name = "app.example.com"
                origin_id   = "app"
                custom_origin_config {
                  http_port              = 80
                  https_port             = 443
                  origin_protocol_policy = "match-viewer"
                  origin_ssl_protocols   = ["TLSv1.2"]
                }
              }
              default_cache_behavior {
                target_origin_id       = "s3"
                viewer_protocol_policy = "redirect-to-https"
              }
            }
        "#;
        assert!(flagged("SEC012", tf).is_empty());
    }

    #[test]
    fn unknown_policies_are_not_flagged() {
        let tf = r#"
            variable "viewer" {}
            variable "origin" {}
            resource "aws_cloudfront_distribution" "d" {
              origin {
                origin_id = "o"
                custom_origin_config { origin_protocol_policy = var.origin }
              }
              default_cache_behavior { viewer_protocol_policy = var.viewer }
            }
        "#;
        assert!(flagged("SEC012", tf).is_empty());
    }

    #[test]
    fn policy_set_through_a_module_input() {
        let files = [
            (
                "main.tf",
                r#"
                module "cdn" {
                  source = "./cdn"
                  viewer = "allow-all"
                }
            "#,
            ),
            (
                "cdn/main.tf",
                r#"
                variable "viewer" {}
                resource "aws_cloudfront_distribution" "this" {
                  default_cache_behavior { viewer_protocol_policy = var.viewer }
                }
            "#,
            ),
        ];
        let found: Vec<String> = findings_in("SEC012", &files).into_iter().map(|f| f.resource).collect();
        assert_eq!(found, ["module.cdn.aws_cloudfront_distribution.this"]);
    }
}
