use crate::declare_rule;
use crate::graph::Resource;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags Redis OSS / Valkey caches that cannot fail over to another Availability Zone:
    ///
    /// - an `aws_elasticache_replication_group` with `num_cache_clusters` below 2 (when set),
    ///   with `replicas_per_node_group = 0` (cluster mode), without
    ///   `automatic_failover_enabled = true` (default `false`), or without
    ///   `multi_az_enabled = true` (default `false`);
    /// - an `aws_elasticache_cluster` with engine `redis` or `valkey`, which is a single node
    ///   with no replica and no failover.
    ///
    /// A cluster that joins a replication group (`replication_group_id` set) is judged through
    /// its group, and Memcached clusters are not flagged (Memcached has no replication).
    ///
    /// ## Why is this bad?
    /// A single node, or a primary whose replicas are never promoted, loses the cache (and,
    /// for Redis used as a data store, its data) when the node or its zone fails. Every
    /// client then falls through to the backing store at once, or fails outright, until a
    /// new node is created and warmed. With Multi-AZ and automatic failover, ElastiCache
    /// promotes a replica in another zone, usually within a minute.
    ///
    /// Unknown values are not flagged: the rule only reports settings that are certainly
    /// single-node or certainly without failover.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_elasticache_replication_group" "sessions" {
    ///   replication_group_id = "sessions"
    ///   description          = "User sessions"
    ///   engine               = "redis"
    ///   node_type            = "cache.r7g.large"
    ///   num_cache_clusters   = 2
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_elasticache_replication_group" "sessions" {
    ///   replication_group_id       = "sessions"
    ///   description                = "User sessions"
    ///   engine                     = "redis"
    ///   node_type                  = "cache.r7g.large"
    ///   num_cache_clusters         = 2
    ///   automatic_failover_enabled = true
    ///   multi_az_enabled           = true
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// REL10-BP01: deploy the workload to multiple locations; a replica in another
    /// Availability Zone, promoted automatically, keeps the cache serving.
    pub struct ElasticacheSingleAz {
        code: "REL005",
        name: "elasticache-single-az",
        pillar: Reliability,
        severity: Medium,
        best_practice: "REL10-BP01",
        since: "0.1.0",
    }
}

/// What is certainly wrong with a replication group, most fundamental first.
fn group_problem(group: &Resource) -> Option<(Option<&'static str>, String)> {
    if let Some(n) = group.num_attr("num_cache_clusters")
        && n < 2.0
    {
        return Some((
            Some("num_cache_clusters"),
            format!(
                "ElastiCache replication group has num_cache_clusters = {n}: a single node has no replica to fail over to"
            ),
        ));
    }
    if let Some(n) = group.num_attr("replicas_per_node_group")
        && n < 1.0
    {
        return Some((
            Some("replicas_per_node_group"),
            format!(
                "ElastiCache replication group has replicas_per_node_group = {n}: no shard has a replica to fail over to"
            ),
        ));
    }
    match group.attr("automatic_failover_enabled") {
        None => {
            return Some((
                None,
                "ElastiCache replication group has no automatic failover: automatic_failover_enabled is not set (default false)"
                    .into(),
            ));
        }
        Some(v) if v.as_bool() == Some(false) => {
            return Some((
                Some("automatic_failover_enabled"),
                "ElastiCache replication group has no automatic failover: automatic_failover_enabled = false".into(),
            ));
        }
        Some(_) => {}
    }
    match group.attr("multi_az_enabled") {
        None => Some((
            None,
            "ElastiCache replication group is not Multi-AZ: multi_az_enabled is not set (default false)".into(),
        )),
        Some(v) if v.as_bool() == Some(false) => Some((
            Some("multi_az_enabled"),
            "ElastiCache replication group is not Multi-AZ: multi_az_enabled = false".into(),
        )),
        Some(_) => None,
    }
}

impl Rule for ElasticacheSingleAz {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        for group in g.of_type("aws_elasticache_replication_group") {
            if let Some((attr, msg)) = group_problem(group) {
                ctx.report(group, attr, msg);
            }
        }
        for cluster in g.of_type("aws_elasticache_cluster") {
            if cluster.attr("replication_group_id").is_some() {
                continue;
            }
            if let Some(engine @ ("redis" | "valkey")) = cluster.str_attr("engine") {
                ctx.report(
                    cluster,
                    Some("engine"),
                    format!("single-node {engine} cluster has no replica and no failover; use an aws_elasticache_replication_group"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    #[test]
    fn each_missing_setting_is_reported() {
        let tf = r#"
            resource "aws_elasticache_replication_group" "one_node" {
              num_cache_clusters         = 1
              automatic_failover_enabled = true
              multi_az_enabled           = true
            }
            resource "aws_elasticache_replication_group" "no_failover" {
              num_cache_clusters = 3
            }
            resource "aws_elasticache_replication_group" "no_multi_az" {
              num_cache_clusters         = 3
              automatic_failover_enabled = true
            }
            resource "aws_elasticache_replication_group" "no_replicas" {
              num_node_groups            = 3
              replicas_per_node_group    = 0
              automatic_failover_enabled = true
              multi_az_enabled           = true
            }
            resource "aws_elasticache_replication_group" "good" {
              num_node_groups            = 3
              replicas_per_node_group    = 1
              automatic_failover_enabled = true
              multi_az_enabled           = true
            }
        "#;
        let found = findings("REL005", tf);
        let mut got: Vec<(&str, &str)> = found
            .iter()
            .map(|f| (f.resource.as_str(), f.message.as_str()))
            .collect();
        got.sort();
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(
            got[0].1.contains("default false") && got[0].1.contains("automatic_failover"),
            "{got:?}"
        );
        assert!(got[1].1.contains("multi_az_enabled"), "{got:?}");
        assert!(got[2].1.contains("replicas_per_node_group = 0"), "{got:?}");
        assert!(got[3].1.contains("num_cache_clusters = 1"), "{got:?}");
    }

    #[test]
    fn unknown_settings_are_not_flagged() {
        let tf = r#"
            variable "ha" { type = bool }
            variable "nodes" { type = number }
            resource "aws_elasticache_replication_group" "g" {
              num_cache_clusters         = var.nodes
              automatic_failover_enabled = var.ha
              multi_az_enabled           = var.ha
            }
            resource "aws_elasticache_cluster" "c" {
              engine = var.ha ? "redis" : "memcached"
            }
        "#;
        assert!(flagged("REL005", tf).is_empty());
    }

    #[test]
    fn single_redis_cluster_is_flagged_memcached_and_group_members_are_not() {
        let tf = r#"
            resource "aws_elasticache_cluster" "redis" {
              cluster_id      = "cache"
              engine          = "redis"
              node_type       = "cache.t4g.small"
              num_cache_nodes = 1
            }
            resource "aws_elasticache_cluster" "memcached" {
              engine          = "memcached"
              num_cache_nodes = 2
            }
            resource "aws_elasticache_replication_group" "g" {
              num_cache_clusters         = 2
              automatic_failover_enabled = true
              multi_az_enabled           = true
            }
            resource "aws_elasticache_cluster" "member" {
              replication_group_id = aws_elasticache_replication_group.g.id
            }
        "#;
        assert_eq!(flagged("REL005", tf), ["aws_elasticache_cluster.redis"]);
    }

    #[test]
    fn module_values_decide() {
        let files = [
            (
                "main.tf",
                r#"
                module "cache" {
                  source = "./cache"
                  ha     = false
                }
            "#,
            ),
            (
                "cache/main.tf",
                r#"
                variable "ha" { type = bool }
                resource "aws_elasticache_replication_group" "g" {
                  num_cache_clusters         = var.ha ? 2 : 1
                  automatic_failover_enabled = var.ha
                  multi_az_enabled           = var.ha
                }
            "#,
            ),
        ];
        let found = findings_in("REL005", &files);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].resource, "module.cache.aws_elasticache_replication_group.g");
        assert!(
            found[0].message.contains("num_cache_clusters = 1"),
            "{}",
            found[0].message
        );
    }
}
