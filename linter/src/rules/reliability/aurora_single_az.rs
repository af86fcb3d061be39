use std::collections::{HashMap, HashSet};

use crate::declare_rule;
use crate::graph::{Graph, Resource, Value};
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_rds_cluster` (Aurora) whose instances cannot survive the loss of one
    /// Availability Zone: it has fewer than two `aws_rds_cluster_instance`s, or all of its
    /// instances are pinned to the same `availability_zone`.
    ///
    /// An instance belongs to a cluster when its `cluster_identifier` references the cluster
    /// or equals the cluster's literal `cluster_identifier`; every instance of a counted or
    /// `for_each` resource counts on its own. Instances without `availability_zone` are
    /// spread across zones by RDS, so they count as distinct zones.
    ///
    /// Not flagged: Aurora Serverless v1 clusters (`engine_mode = "serverless"`, whose
    /// capacity RDS moves between zones itself), Multi-AZ DB clusters
    /// (`db_cluster_instance_class` set: RDS creates one writer and two readers in three
    /// zones), and headless secondary clusters of a global database (`global_cluster_identifier`
    /// set and no instances at all).
    ///
    /// ## Why is this bad?
    /// Aurora storage is replicated across three zones, but compute is not: with a single
    /// instance, or with every instance in one zone, an instance or zone failure leaves no
    /// reader to promote. Aurora then has to create a new writer, which takes around ten
    /// minutes instead of the roughly thirty seconds of a failover to a replica in another zone.
    ///
    /// Unknowns are never counted against the cluster: an unknown `availability_zone` counts
    /// as a distinct zone, and when some instance's `cluster_identifier` is unknown and
    /// cannot be traced to a cluster, clusters of that module are not checked for instance
    /// count. A `count` or `for_each` that is unknown before apply yields one instance that
    /// stands for all; the rule then sees one instance.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_rds_cluster" "orders" {
    ///   cluster_identifier          = "orders"
    ///   engine                      = "aurora-postgresql"
    ///   engine_version              = "16.2"
    ///   master_username             = "orders_admin"
    ///   manage_master_user_password = true
    /// }
    ///
    /// resource "aws_rds_cluster_instance" "orders" {
    ///   identifier         = "orders-1"
    ///   cluster_identifier = aws_rds_cluster.orders.id
    ///   engine             = aws_rds_cluster.orders.engine
    ///   instance_class     = "db.r6g.large"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_rds_cluster" "orders" {
    ///   cluster_identifier          = "orders"
    ///   engine                      = "aurora-postgresql"
    ///   engine_version              = "16.2"
    ///   master_username             = "orders_admin"
    ///   manage_master_user_password = true
    /// }
    ///
    /// resource "aws_rds_cluster_instance" "orders" {
    ///   count              = 2
    ///   identifier         = "orders-${count.index + 1}"
    ///   cluster_identifier = aws_rds_cluster.orders.id
    ///   engine             = aws_rds_cluster.orders.engine
    ///   instance_class     = "db.r6g.large"
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// REL10-BP01: deploy the workload to multiple locations; a replica in a second
    /// Availability Zone is what Aurora fails over to.
    pub struct AuroraSingleAz {
        code: "REL004",
        name: "aurora-single-az",
        pillar: Reliability,
        severity: High,
        best_practice: "REL10-BP01",
        since: "0.1.0",
    }
}

/// A value that should name a resource but neither references one nor is a known string:
/// it could designate any resource of its module.
pub fn untraceable(g: &Graph, value: &Value, rtype: &str, key_attr: &str) -> bool {
    g.linked(value, rtype, key_attr).is_empty() && value.strings().is_empty() && !value.is_null()
}

impl Rule for AuroraSingleAz {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        // Each instance's clusters, computed once: cluster address -> its instances (graph
        // order), and the modules holding an instance whose cluster cannot be traced.
        let mut by_cluster: HashMap<&str, Vec<&Resource>> = HashMap::new();
        let mut untraced_in: HashSet<&str> = HashSet::new();
        for i in g.of_type("aws_rds_cluster_instance") {
            let Some(v) = i.attr("cluster_identifier") else {
                continue;
            };
            for c in g.linked(v, "aws_rds_cluster", "cluster_identifier") {
                by_cluster.entry(c.address.as_str()).or_default().push(i);
            }
            if untraceable(g, v, "aws_rds_cluster", "cluster_identifier") {
                untraced_in.insert(i.module.as_str());
            }
        }
        for cluster in g.of_type("aws_rds_cluster") {
            if cluster.str_attr("engine_mode") == Some("serverless")
                || cluster.attr("db_cluster_instance_class").is_some()
            {
                continue;
            }
            let instances: Vec<&Resource> = by_cluster.get(cluster.address.as_str()).cloned().unwrap_or_default();
            if instances.len() < 2 {
                let headless_secondary = instances.is_empty() && cluster.attr("global_cluster_identifier").is_some();
                let maybe_more = untraced_in.contains(cluster.module.as_str());
                if headless_secondary || maybe_more {
                    continue;
                }
                let msg = match instances.first() {
                    None => "Aurora cluster has no aws_rds_cluster_instance: nothing to fail over to".to_string(),
                    Some(i) => format!(
                        "Aurora cluster has a single instance ({}): no replica in another Availability Zone to fail over to",
                        i.address
                    ),
                };
                let finding = ctx.report(cluster, None, msg);
                for i in &instances {
                    finding.related(i, None, "the cluster's only instance");
                }
                continue;
            }
            // Only instances pinned to a known zone can share one; others are spread by RDS.
            let zones: Vec<Option<&str>> = instances
                .iter()
                .map(|i| match i.attr("availability_zone") {
                    Some(v) => v.as_str(),
                    None => None,
                })
                .collect();
            let first = zones.first().copied().flatten();
            if let Some(zone) = first
                && zones.iter().all(|z| *z == Some(zone))
            {
                let finding = ctx.report(
                    cluster,
                    None,
                    format!(
                        "all {} instances of the Aurora cluster are pinned to availability_zone \"{zone}\"",
                        instances.len()
                    ),
                );
                for i in &instances {
                    finding.related(i, Some("availability_zone"), format!("instance pinned to {zone}"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    const CLUSTER: &str = r#"
        resource "aws_rds_cluster" "c" {
          cluster_identifier = "orders"
          engine             = "aurora-mysql"
        }
    "#;

    #[test]
    fn one_instance_is_flagged_with_it_as_related() {
        let tf = format!(
            "{CLUSTER}\nresource \"aws_rds_cluster_instance\" \"i\" {{ cluster_identifier = aws_rds_cluster.c.id }}\n"
        );
        let found = findings("REL004", &tf);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].related.len(), 1);
        assert_eq!(found[0].related[0].resource, "aws_rds_cluster_instance.i");
    }

    #[test]
    fn no_instance_at_all_is_flagged() {
        assert_eq!(flagged("REL004", CLUSTER), ["aws_rds_cluster.c"]);
    }

    #[test]
    fn counted_instances_and_literal_identifiers_count_individually() {
        let counted = format!(
            "{CLUSTER}\nresource \"aws_rds_cluster_instance\" \"i\" {{\n count = 2\n cluster_identifier = aws_rds_cluster.c.id\n}}\n"
        );
        assert!(flagged("REL004", &counted).is_empty());
        let literal = format!(
            "{CLUSTER}\nresource \"aws_rds_cluster_instance\" \"a\" {{ cluster_identifier = \"orders\" }}\nresource \"aws_rds_cluster_instance\" \"b\" {{ cluster_identifier = aws_rds_cluster.c.cluster_identifier }}\n"
        );
        assert!(flagged("REL004", &literal).is_empty());
    }

    #[test]
    fn instances_pinned_to_one_zone_are_flagged_spread_ones_are_not() {
        let pinned = format!(
            "{CLUSTER}\nresource \"aws_rds_cluster_instance\" \"i\" {{\n for_each = toset([\"a\", \"b\"])\n cluster_identifier = aws_rds_cluster.c.id\n availability_zone = \"eu-west-1a\"\n}}\n"
        );
        let found = findings("REL004", &pinned);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("eu-west-1a"), "{}", found[0].message);
        assert_eq!(found[0].related.len(), 2);
        // One pinned, one left to RDS: RDS places the second elsewhere.
        let mixed = format!(
            "{CLUSTER}\nresource \"aws_rds_cluster_instance\" \"a\" {{\n cluster_identifier = aws_rds_cluster.c.id\n availability_zone = \"eu-west-1a\"\n}}\nresource \"aws_rds_cluster_instance\" \"b\" {{ cluster_identifier = aws_rds_cluster.c.id }}\n"
        );
        assert!(flagged("REL004", &mixed).is_empty());
    }

    #[test]
    fn unknown_zone_and_untraceable_membership_are_not_counted_against_the_cluster() {
        let unknown_zone = format!(
            "{CLUSTER}\nvariable \"az\" {{ type = string }}\nresource \"aws_rds_cluster_instance\" \"a\" {{\n cluster_identifier = aws_rds_cluster.c.id\n availability_zone = \"eu-west-1a\"\n}}\nresource \"aws_rds_cluster_instance\" \"b\" {{\n cluster_identifier = aws_rds_cluster.c.id\n availability_zone = var.az\n}}\n"
        );
        assert!(flagged("REL004", &unknown_zone).is_empty());
        let untraceable = format!(
            "{CLUSTER}\nvariable \"cluster\" {{ type = string }}\nresource \"aws_rds_cluster_instance\" \"a\" {{ cluster_identifier = aws_rds_cluster.c.id }}\nresource \"aws_rds_cluster_instance\" \"b\" {{ cluster_identifier = var.cluster }}\n"
        );
        assert!(flagged("REL004", &untraceable).is_empty());
    }

    #[test]
    fn serverless_v1_multi_az_db_clusters_and_headless_secondaries_are_skipped() {
        let tf = r#"
            resource "aws_rds_cluster" "v1" {
              engine      = "aurora-mysql"
              engine_mode = "serverless"
            }
            resource "aws_rds_cluster" "maz" {
              engine                    = "postgres"
              db_cluster_instance_class = "db.r6gd.large"
              storage_type              = "io1"
              allocated_storage         = 100
              iops                      = 1000
            }
            resource "aws_rds_cluster" "secondary" {
              engine                    = "aurora-postgresql"
              global_cluster_identifier = "orders-global"
            }
        "#;
        assert!(flagged("REL004", tf).is_empty());
    }

    #[test]
    fn instances_in_another_module_are_found_through_module_inputs() {
        let files = [
            (
                "main.tf",
                r#"
                resource "aws_rds_cluster" "c" { engine = "aurora-postgresql" }
                module "readers" {
                  source  = "./readers"
                  cluster = aws_rds_cluster.c.id
                }
            "#,
            ),
            (
                "readers/main.tf",
                r#"
                variable "cluster" { type = string }
                resource "aws_rds_cluster_instance" "r" {
                  count              = 3
                  cluster_identifier = var.cluster
                }
            "#,
            ),
        ];
        assert!(findings_in("REL004", &files).is_empty());
    }
}
