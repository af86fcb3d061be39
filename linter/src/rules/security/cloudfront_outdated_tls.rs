use crate::declare_rule;
use crate::graph::Value;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_cloudfront_distribution` that accepts outdated TLS from viewers: its
    /// `viewer_certificate` uses the default `*.cloudfront.net` certificate
    /// (`cloudfront_default_certificate = true`, with which CloudFront always allows TLSv1), or a
    /// custom certificate with a `minimum_protocol_version` older than `TLSv1.2_2019` (`SSLv3`,
    /// `TLSv1`, `TLSv1_2016`, `TLSv1.1_2016`, `TLSv1.2_2018`). An absent
    /// `minimum_protocol_version` is the provider default `TLSv1`.
    ///
    /// ## Why is this bad?
    /// TLS 1.0 and 1.1 are deprecated (RFC 8996) and weak cipher suites (CBC with SHA-1, 3DES
    /// in the older policies) allow downgrade and padding-oracle attacks; PCI DSS and most
    /// compliance regimes forbid them. The default certificate also cannot carry your own
    /// domain name. `TLSv1.2_2021` accepts every browser of the last decade.
    ///
    /// A `cloudfront_default_certificate` or `minimum_protocol_version` that is not known
    /// before apply is not flagged, and neither are security policies this rule does not know.
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
    ///     minimum_protocol_version = "TLSv1_2016"
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
    /// SEC09-BP02: enforce encryption in transit; only current TLS versions and ciphers are
    /// accepted.
    pub struct CloudfrontOutdatedTls {
        code: "SEC013",
        name: "cloudfront-outdated-tls",
        pillar: Security,
        severity: High,
        best_practice: "SEC09-BP02",
        since: "0.1.0",
    }
}

/// CloudFront viewer security policies older than `TLSv1.2_2019`.
const OUTDATED: &[&str] = &["SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016", "TLSv1.2_2018"];

impl Rule for CloudfrontOutdatedTls {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        for dist in ctx.graph.of_type("aws_cloudfront_distribution") {
            for cert in dist.attrs.blocks("viewer_certificate") {
                if cert.is_unknown() {
                    continue;
                }
                match cert.field("cloudfront_default_certificate").map(Value::as_bool) {
                    Some(Some(true)) => {
                        ctx.report(
                            dist,
                            Some("viewer_certificate"),
                            "CloudFront uses the default *.cloudfront.net certificate, which always accepts TLSv1 (minimum_protocol_version cannot be raised): use an ACM certificate with TLSv1.2_2021",
                        );
                        continue;
                    }
                    Some(None) => continue,
                    Some(Some(false)) | None => {}
                }
                let message = match cert.field("minimum_protocol_version") {
                    None => "CloudFront accepts outdated TLS: minimum_protocol_version is not set (defaults to TLSv1)"
                        .to_string(),
                    Some(Value::String(v)) if OUTDATED.contains(&v.as_str()) => {
                        format!(
                            "CloudFront accepts outdated TLS: minimum_protocol_version = \"{v}\" (use TLSv1.2_2021)"
                        )
                    }
                    Some(_) => continue,
                };
                ctx.report(dist, Some("viewer_certificate"), message);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    fn dist(name: &str, cert: &str) -> String {
        format!("resource \"aws_cloudfront_distribution\" \"{name}\" {{\n  viewer_certificate {{\n{cert}\n  }}\n}}\n")
    }

    #[test]
    fn default_certificate_outdated_and_absent_versions() {
        let tf = [
            dist("default_cert", "cloudfront_default_certificate = true"),
            dist("old", "acm_certificate_arn = \"arn:aws:acm:us-east-1:1:certificate/x\"\nminimum_protocol_version = \"TLSv1.2_2018\""),
            dist("unset", "acm_certificate_arn = \"arn:aws:acm:us-east-1:1:certificate/x\""),
            dist("current", "acm_certificate_arn = \"arn:aws:acm:us-east-1:1:certificate/x\"\nminimum_protocol_version = \"TLSv1.2_2019\""),
            dist("newer", "iam_certificate_id = \"ASCA\"\nminimum_protocol_version = \"TLSv1.3_2025\""),
        ]
        .concat();
        assert_eq!(
            flagged("SEC013", &tf),
            [
                "aws_cloudfront_distribution.default_cert",
                "aws_cloudfront_distribution.old",
                "aws_cloudfront_distribution.unset"
            ]
        );
        let f = findings("SEC013", &tf);
        assert!(f.iter().any(|f| f.message.contains("\"TLSv1.2_2018\"")));
    }

    #[test]
    fn default_certificate_ignores_a_modern_minimum_version() {
        let tf = dist(
            "d",
            "cloudfront_default_certificate = true\nminimum_protocol_version = \"TLSv1.2_2021\"",
        );
        assert_eq!(flagged("SEC013", &tf), ["aws_cloudfront_distribution.d"]);
    }

    #[test]
    fn unknowns_are_not_flagged() {
        let tf = format!(
            "variable \"default\" {{ type = bool }}\nvariable \"tls\" {{}}\n{}{}",
            dist("a", "cloudfront_default_certificate = var.default"),
            dist(
                "b",
                "acm_certificate_arn = \"arn:x\"\nminimum_protocol_version = var.tls"
            ),
        );
        assert!(flagged("SEC013", &tf).is_empty());
    }

    #[test]
    fn counted_distributions_in_a_module() {
        let files = [
            ("main.tf", r#"module "cdn" { source = "./cdn" }"#),
            (
                "cdn/main.tf",
                r#"
                resource "aws_cloudfront_distribution" "this" {
                  count = 2
                  viewer_certificate {
                    acm_certificate_arn      = "arn:aws:acm:us-east-1:1:certificate/x"
                    minimum_protocol_version = count.index == 0 ? "TLSv1" : "TLSv1.2_2021"
                  }
                }
            "#,
            ),
        ];
        let found: Vec<String> = findings_in("SEC013", &files).into_iter().map(|f| f.resource).collect();
        assert_eq!(found, ["module.cdn.aws_cloudfront_distribution.this[0]"]);
    }
}
