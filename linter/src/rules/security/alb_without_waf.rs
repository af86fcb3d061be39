use std::collections::HashSet;

use crate::declare_rule;
use crate::graph::{Graph, Resource};
use crate::rules::network::traceable;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an internet-facing Application Load Balancer (`aws_lb` or `aws_alb` with
    /// `load_balancer_type = "application"`, the default, and `internal` not true) that no
    /// `aws_wafv2_web_acl_association` (or WAF Classic `aws_wafregional_web_acl_association`)
    /// protects: none has a `resource_arn` that references the load balancer. Internal ALBs,
    /// Network and Gateway Load Balancers are not flagged.
    ///
    /// ## Why is this bad?
    /// An internet-facing ALB passes every HTTP request to the targets behind it. Without a web
    /// ACL nothing stops injection probes, known-bad inputs, bots or request floods before they
    /// reach application code; a rate-based rule and AWS managed rule groups are the cheap first
    /// layer.
    ///
    /// A `load_balancer_type` or `internal` known only at apply is not flagged. An association
    /// whose `resource_arn` cannot be traced at all (a variable without a value) might protect
    /// any load balancer, so while one exists no ALB is flagged. Protection set up outside the
    /// configuration (AWS Firewall Manager policies) is not visible to the rule.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_lb" "web" {
    ///   name               = "web"
    ///   load_balancer_type = "application"
    ///   internal           = false
    ///   subnets            = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
    ///   security_groups    = ["sg-0123456789abcdef0"]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_lb" "web" {
    ///   name               = "web"
    ///   load_balancer_type = "application"
    ///   internal           = false
    ///   subnets            = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
    ///   security_groups    = ["sg-0123456789abcdef0"]
    /// }
    ///
    /// resource "aws_wafv2_web_acl" "web" {
    ///   name  = "web"
    ///   scope = "REGIONAL"
    ///
    ///   default_action {
    ///     allow {}
    ///   }
    ///
    ///   rule {
    ///     name     = "rate-limit"
    ///     priority = 1
    ///
    ///     action {
    ///       block {}
    ///     }
    ///
    ///     statement {
    ///       rate_based_statement {
    ///         limit              = 2000
    ///         aggregate_key_type = "IP"
    ///       }
    ///     }
    ///
    ///     visibility_config {
    ///       cloudwatch_metrics_enabled = true
    ///       metric_name                = "rate-limit"
    ///       sampled_requests_enabled   = true
    ///     }
    ///   }
    ///
    ///   visibility_config {
    ///     cloudwatch_metrics_enabled = true
    ///     metric_name                = "web"
    ///     sampled_requests_enabled   = true
    ///   }
    /// }
    ///
    /// resource "aws_wafv2_web_acl_association" "web" {
    ///   resource_arn = aws_lb.web.arn
    ///   web_acl_arn  = aws_wafv2_web_acl.web.arn
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// SEC05-BP02: control traffic flow within your network layers; inspect and filter HTTP
    /// requests where they enter the workload.
    pub struct AlbWithoutWaf {
        code: "SEC003",
        name: "alb-without-waf",
        pillar: Security,
        severity: High,
        best_practice: "SEC05-BP02",
        since: "0.1.0",
    }
}

/// Resources that attach a web ACL to a regional resource through `resource_arn`.
pub const WAF_ASSOCIATIONS: [&str; 2] = ["aws_wafv2_web_acl_association", "aws_wafregional_web_acl_association"];

/// Every web ACL association of the configuration.
const LB_MARKER: &str = ":loadbalancer/app/";

pub fn waf_associations(g: &Graph) -> Vec<&Resource> {
    WAF_ASSOCIATIONS.iter().flat_map(|t| g.of_type(t)).collect()
}

/// True when some association's `resource_arn` cannot be followed anywhere.
pub fn untraceable_association(g: &Graph) -> bool {
    waf_associations(g)
        .iter()
        .any(|a| a.attr("resource_arn").is_none_or(|v| !traceable(v)))
}

/// True when an association's `resource_arn` references `target` (any attribute, inside a
/// template too) or is a known string `matches` accepts.
pub fn associated(g: &Graph, target: &Resource, matches: impl Fn(&str) -> bool) -> bool {
    let index = WafIndex::new(g);
    index.references(target) || index.strings.iter().any(|s| matches(s))
}

/// What the WAF associations of a graph point at, computed once for all targets.
pub struct WafIndex<'g> {
    /// Addresses that some association's `resource_arn` references.
    pub referenced: HashSet<&'g str>,
    /// Every known string of every association's `resource_arn`, in graph order.
    pub strings: Vec<&'g str>,
    /// The same strings, for exact lookups.
    pub string_set: HashSet<&'g str>,
    /// Addresses referenced by an association that references no `aws_api_gateway_stage`.
    pub referenced_without_stage: HashSet<&'g str>,
}

impl<'g> WafIndex<'g> {
    pub fn new(g: &'g Graph) -> WafIndex<'g> {
        let mut index = WafIndex {
            referenced: HashSet::new(),
            strings: Vec::new(),
            string_set: HashSet::new(),
            referenced_without_stage: HashSet::new(),
        };
        for a in waf_associations(g) {
            let Some(v) = a.attr("resource_arn") else { continue };
            let targets: Vec<&Resource> = v.refs().into_iter().flat_map(|r| g.resolve(r)).collect();
            index.referenced.extend(targets.iter().map(|t| t.address.as_str()));
            if !targets.iter().any(|t| t.rtype == "aws_api_gateway_stage") {
                index
                    .referenced_without_stage
                    .extend(targets.iter().map(|t| t.address.as_str()));
            }
            index.strings.extend(v.strings());
        }
        index.string_set = index.strings.iter().copied().collect();
        index
    }

    /// Whether some association's `resource_arn` references `target`.
    pub fn references(&self, target: &Resource) -> bool {
        self.referenced.contains(target.address.as_str())
    }

    /// Every `name` such that a known string contains `{before}{name}{after}` with `name` free
    /// of `after`: `s.contains(&format!("{before}{n}{after}"))` for some string `s` is then
    /// `named.contains(n)` for every `n` that does not contain `after`.
    pub fn named(&self, before: &str, after: char) -> HashSet<&'g str> {
        let mut out = HashSet::new();
        for s in &self.strings {
            let mut rest: &'g str = s;
            while let Some(i) = rest.find(before) {
                let tail = &rest[i + before.len()..];
                if let Some(end) = tail.find(after) {
                    out.insert(&tail[..end]);
                }
                rest = &rest[i + before.chars().next().map_or(1, char::len_utf8)..];
            }
        }
        out
    }
}

impl Rule for AlbWithoutWaf {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        if untraceable_association(g) {
            return;
        }
        let index = WafIndex::new(g);
        let names = index.named(LB_MARKER, '/');
        for lb in g.of_type("aws_lb").chain(g.of_type("aws_alb")) {
            let application = match lb.attr("load_balancer_type") {
                None => true,
                Some(v) => v.as_str() == Some("application"),
            };
            let internet_facing = match lb.attr("internal") {
                None => true,
                Some(v) => v.as_bool() == Some(false),
            };
            if !application || !internet_facing {
                continue;
            }
            let arn = lb.str_attr("arn");
            let name = lb.str_attr("name");
            let by_name = name.is_some_and(|n| {
                if n.contains('/') {
                    let needle = format!("{LB_MARKER}{n}/");
                    index.strings.iter().any(|s| s.contains(&needle))
                } else {
                    names.contains(n)
                }
            });
            let protected = index.references(lb) || arn.is_some_and(|a| index.string_set.contains(a)) || by_name;
            if !protected {
                ctx.report(
                    lb,
                    None,
                    "internet-facing Application Load Balancer has no AWS WAF web ACL association (no aws_wafv2_web_acl_association references it)",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings_in, flagged};

    #[test]
    fn defaults_are_an_internet_facing_alb() {
        let tf = r#"
            resource "aws_lb" "a" {}
            resource "aws_alb" "b" { internal = false }
        "#;
        assert_eq!(flagged("SEC003", tf), ["aws_alb.b", "aws_lb.a"]);
    }

    #[test]
    fn internal_albs_and_network_load_balancers_are_not_flagged() {
        let tf = r#"
            variable "internal" {}
            resource "aws_lb" "internal" { internal = true }
            resource "aws_lb" "nlb" { load_balancer_type = "network" }
            resource "aws_lb" "gwlb" { load_balancer_type = "gateway" }
            resource "aws_lb" "unknown" { internal = var.internal }
        "#;
        assert!(flagged("SEC003", tf).is_empty());
    }

    #[test]
    fn counted_albs_each_need_their_association() {
        let tf = r#"
            resource "aws_lb" "web" { count = 2 }
            resource "aws_wafv2_web_acl" "w" { scope = "REGIONAL" }
            resource "aws_wafv2_web_acl_association" "w" {
              resource_arn = aws_lb.web[0].arn
              web_acl_arn  = aws_wafv2_web_acl.w.arn
            }
        "#;
        assert_eq!(flagged("SEC003", tf), ["aws_lb.web[1]"]);
    }

    #[test]
    fn association_in_another_module_through_inputs_and_outputs() {
        let files = [
            (
                "main.tf",
                r#"
                module "edge" { source = "./edge" }
                module "waf" {
                  source = "./waf"
                  target = module.edge.lb_arn
                }
                resource "aws_lb" "unprotected" { name = "other" }
            "#,
            ),
            (
                "edge/main.tf",
                r#"
                resource "aws_lb" "this" { name = "edge" }
                output "lb_arn" { value = aws_lb.this.arn }
            "#,
            ),
            (
                "waf/main.tf",
                r#"
                variable "target" {}
                resource "aws_wafv2_web_acl" "this" { scope = "REGIONAL" }
                resource "aws_wafv2_web_acl_association" "this" {
                  resource_arn = var.target
                  web_acl_arn  = aws_wafv2_web_acl.this.arn
                }
            "#,
            ),
        ];
        let found: Vec<String> = findings_in("SEC003", &files).into_iter().map(|f| f.resource).collect();
        assert_eq!(found, ["aws_lb.unprotected"]);
    }

    #[test]
    fn an_untraceable_association_might_protect_any_alb() {
        let tf = r#"
            variable "lb_arn" {}
            resource "aws_lb" "web" {}
            resource "aws_wafv2_web_acl_association" "w" {
              resource_arn = var.lb_arn
              web_acl_arn  = "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/w/1"
            }
        "#;
        assert!(flagged("SEC003", tf).is_empty());
        let by_literal_arn = r#"
            resource "aws_lb" "web" { name = "web" }
            resource "aws_wafv2_web_acl_association" "w" {
              resource_arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/web/50dc6c495c0c9188"
              web_acl_arn  = "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/w/1"
            }
        "#;
        assert!(flagged("SEC003", by_literal_arn).is_empty());
    }
}
