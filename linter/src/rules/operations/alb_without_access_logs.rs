use crate::declare_rule;
use crate::graph::{Resource, Value};
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an application load balancer (`aws_lb` or `aws_alb` whose `load_balancer_type` is
    /// `"application"`, the provider default) that does not write access logs: no
    /// `access_logs` block, or one without `enabled = true` and a `bucket`. In hashicorp/aws v5
    /// `access_logs.enabled` defaults to `false`, even when a bucket is given.
    ///
    /// ## Why is this bad?
    /// The ALB access log is the only record of each request at the edge of the workload:
    /// client, target, status codes from the load balancer and the target, and timings. Without
    /// it, 502s and 504s, slow targets and suspicious clients cannot be investigated after the
    /// fact.
    ///
    /// Network and gateway load balancers are not checked. An unknown `load_balancer_type`,
    /// `enabled` or `bucket`, or a dynamic `access_logs` block, is not flagged.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_lb" "web" {
    ///   name            = "web"
    ///   internal        = false
    ///   subnets         = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
    ///   security_groups = ["sg-0123456789abcdef0"]
    ///
    ///   access_logs {
    ///     bucket = "acme-alb-logs"
    ///     prefix = "web"
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_lb" "web" {
    ///   name            = "web"
    ///   internal        = false
    ///   subnets         = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
    ///   security_groups = ["sg-0123456789abcdef0"]
    ///
    ///   access_logs {
    ///     bucket  = "acme-alb-logs"
    ///     prefix  = "web"
    ///     enabled = true
    ///   }
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// OPS08-BP02: analyze workload logs; the load balancer's access log records every request
    /// that reached the workload.
    pub struct AlbWithoutAccessLogs {
        code: "OPS004",
        name: "alb-without-access-logs",
        pillar: OperationalExcellence,
        severity: Low,
        best_practice: "OPS08-BP02",
        since: "0.1.0",
    }
}

/// Why the load balancer certainly writes no access logs (`None` = it does, or unknown).
fn missing_access_logs(lb: &Resource) -> Option<&'static str> {
    let blocks = lb.attrs.blocks("access_logs");
    if blocks.is_empty() {
        return Some("has no access_logs block");
    }
    let mut why = None;
    for block in blocks {
        if !matches!(block, Value::Map(_)) {
            return None;
        }
        let enabled = block.field("enabled");
        let bucket = block.field("bucket");
        match (enabled.map(Value::as_bool), bucket) {
            (None, _) => why = Some("sets access_logs without enabled = true (it defaults to false)"),
            (Some(Some(false)), _) => why = Some("disables access_logs (enabled = false)"),
            (Some(Some(true)), None) => why = Some("enables access_logs without a bucket"),
            (Some(Some(true)), Some(b)) if b.as_str() == Some("") => {
                why = Some("enables access_logs with an empty bucket")
            }
            _ => return None,
        }
    }
    why
}

impl Rule for AlbWithoutAccessLogs {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        for lb in g.of_type("aws_lb").chain(g.of_type("aws_alb")) {
            let application = match lb.attr("load_balancer_type") {
                None => true,
                Some(t) => t.as_str() == Some("application"),
            };
            if !application {
                continue;
            }
            if let Some(why) = missing_access_logs(lb) {
                let attr = lb.attr("access_logs").map(|_| "access_logs");
                ctx.report(
                    lb,
                    attr,
                    format!("application load balancer {why}, so its requests are not logged"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, flagged};

    #[test]
    fn bucket_without_enabled_is_flagged_because_enabled_defaults_to_false() {
        let tf = r#"
            resource "aws_lb" "none" { name = "none" }
            resource "aws_alb" "bucket_only" {
              name = "b"
              access_logs { bucket = "logs" }
            }
            resource "aws_lb" "ok" {
              name = "ok"
              access_logs {
                bucket  = "logs"
                enabled = true
              }
            }
        "#;
        assert_eq!(flagged("OPS004", tf), ["aws_alb.bucket_only", "aws_lb.none"]);
        assert!(
            findings("OPS004", tf)
                .iter()
                .any(|f| f.message.contains("defaults to false"))
        );
    }

    #[test]
    fn network_load_balancers_are_not_checked() {
        let tf = r#"
            resource "aws_lb" "nlb" {
              name               = "nlb"
              load_balancer_type = "network"
            }
            resource "aws_lb" "gwlb" {
              name               = "gw"
              load_balancer_type = "gateway"
            }
        "#;
        assert!(flagged("OPS004", tf).is_empty());
    }

    #[test]
    fn unknowns_are_not_flagged() {
        let tf = r#"
            variable "type" { type = string }
            variable "enabled" { type = bool }
            resource "aws_lb" "a" {
              name               = "a"
              load_balancer_type = var.type
            }
            resource "aws_lb" "b" {
              name = "b"
              access_logs {
                bucket  = "logs"
                enabled = var.enabled
              }
            }
        "#;
        assert!(flagged("OPS004", tf).is_empty());
    }

    #[test]
    fn counted_load_balancers_toggle_logging() {
        let tf = r#"
            resource "aws_lb" "web" {
              count = 2
              name  = "web-${count.index}"
              access_logs {
                bucket  = "logs"
                enabled = count.index == 0
              }
            }
        "#;
        assert_eq!(flagged("OPS004", tf), ["aws_lb.web[1]"]);
    }
}
