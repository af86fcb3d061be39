use crate::declare_rule;
use crate::graph::Resource;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags ElastiCache data that is not encrypted:
    /// - an `aws_elasticache_replication_group` without `at_rest_encryption_enabled = true`
    ///   (default `false` for Redis OSS; Valkey groups are encrypted at rest by default) or
    ///   without `transit_encryption_enabled = true` (default `false`), one finding for each;
    /// - an `aws_elasticache_cluster` with `engine = "redis"` that is not part of a replication
    ///   group: a standalone Redis node cannot encrypt at rest or in transit at all.
    ///
    /// Members of a global datastore (`global_replication_group_id`) inherit encryption from
    /// it and are not flagged; `aws_elasticache_serverless_cache` is always encrypted.
    ///
    /// ## Why is this bad?
    /// Caches hold copies of the most-read data (sessions, tokens, profiles). Without
    /// encryption at rest, its snapshots and swap files are plain text; without encryption in
    /// transit, anyone who can capture traffic in the VPC reads every command and the `AUTH`
    /// token. Both can only be turned on when the group is created (transit encryption from
    /// Redis OSS 7.0.5 online, through a migration mode).
    ///
    /// A setting (or an `engine`) that is not known before apply is not flagged.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_elasticache_replication_group" "sessions" {
    ///   replication_group_id = "sessions"
    ///   description          = "user sessions"
    ///   engine               = "redis"
    ///   node_type            = "cache.t4g.small"
    ///   num_cache_clusters   = 2
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_elasticache_replication_group" "sessions" {
    ///   replication_group_id       = "sessions"
    ///   description                = "user sessions"
    ///   engine                     = "redis"
    ///   node_type                  = "cache.t4g.small"
    ///   num_cache_clusters         = 2
    ///   at_rest_encryption_enabled = true
    ///   transit_encryption_enabled = true
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// SEC08-BP02: enforce encryption at rest (and SEC09-BP02, in transit); cached copies of
    /// data are protected like the originals.
    pub struct ElasticacheUnencrypted {
        code: "SEC010",
        name: "elasticache-unencrypted",
        pillar: Security,
        severity: High,
        best_practice: "SEC08-BP02",
        since: "0.1.0",
    }
}

/// `Some(reason)` when `attr` is certainly not true; `default` is its value when absent.
fn disabled(r: &Resource, attr: &str, default: bool) -> Option<String> {
    match r.attr(attr) {
        None if !default => Some(format!("{attr} is not set (defaults to false)")),
        None => None,
        Some(v) => (v.as_bool() == Some(false)).then(|| format!("{attr} = false")),
    }
}

impl Rule for ElasticacheUnencrypted {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        for group in g.of_type("aws_elasticache_replication_group") {
            if group
                .attr("global_replication_group_id")
                .is_some_and(|v| v.as_str() != Some(""))
            {
                continue;
            }
            // The at-rest default depends on the engine: unknown engine, unknown default.
            let at_rest_default = match group.attr("engine") {
                None => false,
                Some(e) => e.as_str().is_none_or(|e| e == "valkey"),
            };
            if let Some(why) = disabled(group, "at_rest_encryption_enabled", at_rest_default) {
                ctx.report(
                    group,
                    Some("at_rest_encryption_enabled"),
                    format!("ElastiCache replication group is not encrypted at rest: {why}"),
                );
            }
            if let Some(why) = disabled(group, "transit_encryption_enabled", false) {
                ctx.report(
                    group,
                    Some("transit_encryption_enabled"),
                    format!("ElastiCache replication group is not encrypted in transit: {why}"),
                );
            }
        }
        for cluster in g.of_type("aws_elasticache_cluster") {
            if cluster.attr("replication_group_id").is_some() || cluster.str_attr("engine") != Some("redis") {
                continue;
            }
            ctx.report(
                cluster,
                Some("engine"),
                "standalone Redis ElastiCache cluster cannot be encrypted at rest or in transit: use an aws_elasticache_replication_group with encryption enabled",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, flagged};

    #[test]
    fn each_missing_setting_is_its_own_finding() {
        let tf = r#"
            resource "aws_elasticache_replication_group" "g" {
              description                = "g"
              at_rest_encryption_enabled = true
            }
            resource "aws_elasticache_replication_group" "h" {
              description                = "h"
              transit_encryption_enabled = false
            }
        "#;
        let f = findings("SEC010", tf);
        let got: Vec<(String, String)> = f.iter().map(|f| (f.resource.clone(), f.message.clone())).collect();
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(
            got.iter()
                .any(|(r, m)| r == "aws_elasticache_replication_group.g" && m.contains("in transit"))
        );
        assert!(got.iter().any(
            |(r, m)| r == "aws_elasticache_replication_group.h" && m.contains("transit_encryption_enabled = false")
        ));
        assert!(
            got.iter()
                .any(|(r, m)| r == "aws_elasticache_replication_group.h" && m.contains("at rest"))
        );
    }

    #[test]
    fn valkey_is_encrypted_at_rest_by_default() {
        let tf = r#"
            resource "aws_elasticache_replication_group" "v" {
              description                = "v"
              engine                     = "valkey"
              transit_encryption_enabled = true
            }
        "#;
        assert!(flagged("SEC010", tf).is_empty());
    }

    #[test]
    fn standalone_redis_but_not_members_memcached_or_serverless() {
        let tf = r#"
            resource "aws_elasticache_cluster" "solo" {
              cluster_id      = "solo"
              engine          = "redis"
              node_type       = "cache.t4g.micro"
              num_cache_nodes = 1
            }
            resource "aws_elasticache_replication_group" "g" {
              description                = "g"
              at_rest_encryption_enabled = true
              transit_encryption_enabled = true
            }
            resource "aws_elasticache_cluster" "member" {
              cluster_id           = "member"
              replication_group_id = aws_elasticache_replication_group.g.id
            }
            resource "aws_elasticache_cluster" "mc" {
              cluster_id = "mc"
              engine     = "memcached"
            }
            resource "aws_elasticache_serverless_cache" "s" {
              name   = "s"
              engine = "redis"
            }
        "#;
        assert_eq!(flagged("SEC010", tf), ["aws_elasticache_cluster.solo"]);
    }

    #[test]
    fn unknown_settings_and_engine_are_not_flagged() {
        let tf = r#"
            variable "enc" { type = bool }
            variable "engine" {}
            resource "aws_elasticache_replication_group" "g" {
              description                = "g"
              at_rest_encryption_enabled = var.enc
              transit_encryption_enabled = var.enc
            }
            resource "aws_elasticache_cluster" "c" { engine = var.engine }
            resource "aws_elasticache_replication_group" "e" {
              description                = "engine unknown: the at-rest default is unknown"
              engine                     = var.engine
              transit_encryption_enabled = true
            }
        "#;
        assert!(flagged("SEC010", tf).is_empty());
    }

    #[test]
    fn counted_groups() {
        let tf = r#"
            resource "aws_elasticache_replication_group" "g" {
              count                      = 2
              description                = "g"
              at_rest_encryption_enabled = true
              transit_encryption_enabled = count.index == 0
            }
        "#;
        assert_eq!(flagged("SEC010", tf), ["aws_elasticache_replication_group.g[1]"]);
    }
}
