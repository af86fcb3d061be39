use crate::declare_rule;
use std::collections::HashMap;

use crate::graph::{Resource, Value};
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags the PRIMARY `aws_route53_record` of a failover pair (a `failover_routing_policy`
    /// block with `type = "PRIMARY"`) when Route 53 has no way to judge it unhealthy: it has
    /// no `health_check_id`, and it is not an alias with `evaluate_target_health = true`
    /// (an alias with `evaluate_target_health = false` is flagged).
    ///
    /// SECONDARY records are not flagged: Route 53 treats a secondary without a health check
    /// as always healthy, which is the documented way to name a last-resort target (a static
    /// maintenance page, say). The SECONDARY records with the same `name` and `type` are
    /// listed as related locations.
    ///
    /// ## Why is this bad?
    /// Failover routing answers with the secondary only when the primary is unhealthy. A
    /// primary without a health check (or an alias that does not evaluate its target's
    /// health) is always considered healthy, so when it goes down Route 53 keeps sending
    /// every client to it and the standby is never used: the failover exists on paper only.
    ///
    /// A `health_check_id` that is unknown before apply (the usual
    /// `aws_route53_health_check.x.id`) counts as present, as does an unknown
    /// `evaluate_target_health`; a record whose failover `type` is unknown is not flagged.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_route53_record" "api_primary" {
    ///   zone_id        = "Z0123456789ABCDEFGHIJ"
    ///   name           = "api.example.com"
    ///   type           = "A"
    ///   ttl            = 60
    ///   records        = ["203.0.113.10"]
    ///   set_identifier = "primary"
    ///
    ///   failover_routing_policy {
    ///     type = "PRIMARY"
    ///   }
    /// }
    ///
    /// resource "aws_route53_record" "api_secondary" {
    ///   zone_id        = "Z0123456789ABCDEFGHIJ"
    ///   name           = "api.example.com"
    ///   type           = "A"
    ///   ttl            = 60
    ///   records        = ["198.51.100.20"]
    ///   set_identifier = "secondary"
    ///
    ///   failover_routing_policy {
    ///     type = "SECONDARY"
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_route53_health_check" "api_primary" {
    ///   ip_address        = "203.0.113.10"
    ///   port              = 443
    ///   type              = "HTTPS"
    ///   resource_path     = "/healthz"
    ///   failure_threshold = 3
    ///   request_interval  = 10
    /// }
    ///
    /// resource "aws_route53_record" "api_primary" {
    ///   zone_id         = "Z0123456789ABCDEFGHIJ"
    ///   name            = "api.example.com"
    ///   type            = "A"
    ///   ttl             = 60
    ///   records         = ["203.0.113.10"]
    ///   set_identifier  = "primary"
    ///   health_check_id = aws_route53_health_check.api_primary.id
    ///
    ///   failover_routing_policy {
    ///     type = "PRIMARY"
    ///   }
    /// }
    ///
    /// resource "aws_route53_record" "api_secondary" {
    ///   zone_id        = "Z0123456789ABCDEFGHIJ"
    ///   name           = "api.example.com"
    ///   type           = "A"
    ///   ttl            = 60
    ///   records        = ["198.51.100.20"]
    ///   set_identifier = "secondary"
    ///
    ///   failover_routing_policy {
    ///     type = "SECONDARY"
    ///   }
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// REL11-BP02: fail over to healthy resources; failover needs a health signal to
    /// decide that the primary is not healthy.
    pub struct FailoverRecordWithoutHealthCheck {
        code: "REL012",
        name: "failover-record-without-health-check",
        pillar: Reliability,
        severity: High,
        best_practice: "REL11-BP02",
        since: "0.1.0",
    }
}

/// The failover type when it is known (`PRIMARY` / `SECONDARY`).
fn failover_type(record: &Resource) -> Option<&str> {
    record
        .attrs
        .blocks("failover_routing_policy")
        .first()
        .and_then(|p| p.field("type"))
        .and_then(|t| t.as_str())
}

impl Rule for FailoverRecordWithoutHealthCheck {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        let records: Vec<&Resource> = g.of_type("aws_route53_record").collect();
        // SECONDARY records by known name (graph order); those whose name is not a known
        // string are compared one by one.
        let mut secondaries: HashMap<&str, Vec<&Resource>> = HashMap::new();
        let mut other_secondaries: Vec<&Resource> = Vec::new();
        for r in records
            .iter()
            .copied()
            .filter(|r| failover_type(r) == Some("SECONDARY"))
        {
            match r.attr("name") {
                Some(Value::String(n)) => secondaries.entry(n.as_str()).or_default().push(r),
                _ => other_secondaries.push(r),
            }
        }
        for record in &records {
            if failover_type(record) != Some("PRIMARY") || record.attr("health_check_id").is_some() {
                continue;
            }
            let aliases = record.attrs.blocks("alias");
            let (attr, msg) = match aliases.first() {
                None => (
                    Some("failover_routing_policy"),
                    "has no health_check_id: Route 53 always considers it healthy and never fails over"
                        .to_string(),
                ),
                Some(alias) => match alias.field("evaluate_target_health").map(|v| v.as_bool()) {
                    Some(Some(false)) => (
                        Some("alias"),
                        "is an alias with evaluate_target_health = false and no health_check_id: Route 53 never fails over"
                            .to_string(),
                    ),
                    // Unknown or true (the attribute is required, so absent means unknown input).
                    _ => continue,
                },
            };
            let name = record.str_attr("name").map(|n| format!(" {n}")).unwrap_or_default();
            let finding = ctx.report(record, attr, format!("PRIMARY failover record{name} {msg}"));
            let candidates = match record.attr("name") {
                Some(Value::String(n)) => secondaries.get(n.as_str()).map_or(&[][..], |v| v.as_slice()),
                _ => other_secondaries.as_slice(),
            };
            for other in candidates {
                let same = other.attr("name") == record.attr("name") && other.attr("type") == record.attr("type");
                if same && other.address != record.address && failover_type(other) == Some("SECONDARY") {
                    finding.related(other, Some("failover_routing_policy"), "the standby that is never used");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    const PAIR: &str = r#"
        resource "aws_route53_record" "primary" {
          name    = "app.example.com"
          type    = "A"
          records = ["203.0.113.10"]
          failover_routing_policy { type = "PRIMARY" }
        }
        resource "aws_route53_record" "secondary" {
          name    = "app.example.com"
          type    = "A"
          records = ["198.51.100.20"]
          failover_routing_policy { type = "SECONDARY" }
        }
    "#;

    #[test]
    fn primary_without_health_check_is_flagged_with_its_secondary_related() {
        let found = findings("REL012", PAIR);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].resource, "aws_route53_record.primary");
        assert!(found[0].message.contains("app.example.com"), "{}", found[0].message);
        assert_eq!(
            found[0].related.first().map(|r| r.resource.as_str()),
            Some("aws_route53_record.secondary")
        );
    }

    #[test]
    fn unknown_health_check_id_counts_as_present() {
        let tf = r#"
            variable "hc" { type = string }
            resource "aws_route53_health_check" "h" { type = "HTTPS" }
            resource "aws_route53_record" "a" {
              health_check_id = aws_route53_health_check.h.id
              failover_routing_policy { type = "PRIMARY" }
            }
            resource "aws_route53_record" "b" {
              health_check_id = var.hc
              failover_routing_policy { type = "PRIMARY" }
            }
        "#;
        assert!(flagged("REL012", tf).is_empty());
    }

    #[test]
    fn aliases_are_judged_by_evaluate_target_health() {
        let tf = r#"
            variable "eth" { type = bool }
            resource "aws_route53_record" "off" {
              failover_routing_policy { type = "PRIMARY" }
              alias {
                name                   = "lb-1.eu-west-1.elb.amazonaws.com"
                zone_id                = "Z32O12XQLNTSW2"
                evaluate_target_health = false
              }
            }
            resource "aws_route53_record" "on" {
              failover_routing_policy { type = "PRIMARY" }
              alias {
                name                   = "lb-2.eu-west-1.elb.amazonaws.com"
                zone_id                = "Z32O12XQLNTSW2"
                evaluate_target_health = true
              }
            }
            resource "aws_route53_record" "unknown" {
              failover_routing_policy { type = "PRIMARY" }
              alias {
                name                   = "lb-3.eu-west-1.elb.amazonaws.com"
                zone_id                = "Z32O12XQLNTSW2"
                evaluate_target_health = var.eth
              }
            }
        "#;
        let found = findings("REL012", tf);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].resource, "aws_route53_record.off");
        assert!(
            found[0].message.contains("evaluate_target_health = false"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn secondary_and_non_failover_records_and_unknown_types_are_not_flagged() {
        let tf = r#"
            variable "role" { type = string }
            resource "aws_route53_record" "secondary" {
              failover_routing_policy { type = "SECONDARY" }
            }
            resource "aws_route53_record" "plain" {
              name    = "www.example.com"
              type    = "A"
              records = ["203.0.113.10"]
            }
            resource "aws_route53_record" "unknown" {
              failover_routing_policy { type = var.role }
            }
        "#;
        assert!(flagged("REL012", tf).is_empty());
    }

    #[test]
    fn for_each_records_in_a_module() {
        let files = [
            (
                "main.tf",
                r#"
                module "dns" {
                  source = "./dns"
                  roles  = { primary = "PRIMARY", secondary = "SECONDARY" }
                }
            "#,
            ),
            (
                "dns/main.tf",
                r#"
                variable "roles" { type = map(string) }
                resource "aws_route53_record" "r" {
                  for_each       = var.roles
                  name           = "api.example.com"
                  type           = "A"
                  set_identifier = each.key
                  records        = ["203.0.113.10"]
                  failover_routing_policy { type = each.value }
                }
            "#,
            ),
        ];
        let found = findings_in("REL012", &files);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].resource, r#"module.dns.aws_route53_record.r["primary"]"#);
        assert_eq!(found[0].related.len(), 1);
    }
}
