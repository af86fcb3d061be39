use crate::declare_rule;
use crate::graph::Resource;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_db_instance` or `aws_rds_cluster` whose storage is not encrypted at rest:
    /// `storage_encrypted` is `false` or absent (the provider default is `false`). Not flagged:
    /// read replicas (`replicate_source_db`, whose encryption follows the source), instances and
    /// clusters restored from a snapshot or to a point in time (`snapshot_identifier`,
    /// `restore_to_point_in_time`: encryption follows the source), Aurora Serverless v1 clusters
    /// (`engine_mode = "serverless"`, always encrypted), and members of an
    /// `aws_rds_global_cluster` with `storage_encrypted = true`.
    ///
    /// ## Why is this bad?
    /// Unencrypted database storage, its automated backups, snapshots and replicas can be read
    /// by anyone who obtains the underlying volume or a shared snapshot. Encryption can only be
    /// chosen when the database is created: turning it on later means a snapshot copy and a
    /// restore, with downtime.
    ///
    /// A `storage_encrypted` (or `engine_mode`) that is not known before apply is not flagged.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "orders" {
    ///   identifier                  = "orders"
    ///   engine                      = "postgres"
    ///   instance_class              = "db.t4g.medium"
    ///   allocated_storage           = 50
    ///   username                    = "orders"
    ///   manage_master_user_password = true
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_instance" "orders" {
    ///   identifier                  = "orders"
    ///   engine                      = "postgres"
    ///   instance_class              = "db.t4g.medium"
    ///   allocated_storage           = 50
    ///   username                    = "orders"
    ///   manage_master_user_password = true
    ///   storage_encrypted           = true
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// SEC08-BP02: enforce encryption at rest; data stores are encrypted from the moment they
    /// are created.
    pub struct DbStorageUnencrypted {
        code: "SEC005",
        name: "db-storage-unencrypted",
        pillar: Security,
        severity: High,
        best_practice: "SEC08-BP02",
        since: "0.1.0",
    }
}

/// `Some(message)` when `storage_encrypted` is certainly not true.
fn unencrypted(r: &Resource) -> Option<String> {
    match r.attr("storage_encrypted") {
        None => Some("storage_encrypted is not set (defaults to false)".to_string()),
        Some(v) => match v.as_bool() {
            Some(false) => Some("storage_encrypted = false".to_string()),
            _ => None,
        },
    }
}

/// Encryption decided by a source the configuration does not show.
fn inherits_encryption(r: &Resource) -> bool {
    r.attr("snapshot_identifier").is_some_and(|v| v.as_str() != Some(""))
        || !r.attrs.blocks("restore_to_point_in_time").is_empty()
}

impl Rule for DbStorageUnencrypted {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        for db in g.of_type("aws_db_instance") {
            if db.attr("replicate_source_db").is_some_and(|v| v.as_str() != Some("")) || inherits_encryption(db) {
                continue;
            }
            if let Some(why) = unencrypted(db) {
                ctx.report(
                    db,
                    Some("storage_encrypted"),
                    format!("RDS instance storage is not encrypted: {why}"),
                );
            }
        }
        for cluster in g.of_type("aws_rds_cluster") {
            match cluster.attr("engine_mode") {
                Some(m) if m.as_str() == Some("serverless") => continue,
                Some(m) if m.as_str().is_none() => continue,
                _ => {}
            }
            if inherits_encryption(cluster) {
                continue;
            }
            let Some(why) = unencrypted(cluster) else {
                continue;
            };
            let global = cluster
                .attr("global_cluster_identifier")
                .map(|v| g.linked(v, "aws_rds_global_cluster", "global_cluster_identifier"))
                .unwrap_or_default();
            if global
                .iter()
                .any(|gc| gc.attr("storage_encrypted").is_some_and(|v| v.as_bool() != Some(false)))
            {
                continue;
            }
            ctx.report(
                cluster,
                Some("storage_encrypted"),
                format!("RDS cluster storage is not encrypted: {why}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    #[test]
    fn explicit_false_and_absent_are_flagged_at_the_attribute() {
        let tf = r#"
            resource "aws_db_instance" "a" {
              engine            = "mysql"
              storage_encrypted = false
            }
            resource "aws_rds_cluster" "b" { engine = "aurora-postgresql" }
            resource "aws_rds_cluster" "c" {
              engine            = "aurora-mysql"
              storage_encrypted = true
            }
        "#;
        assert_eq!(flagged("SEC005", tf), ["aws_db_instance.a", "aws_rds_cluster.b"]);
        let f = findings("SEC005", tf);
        let a = f.iter().find(|f| f.resource == "aws_db_instance.a");
        assert_eq!(a.map(|f| f.location.line), Some(4));
        assert!(a.is_some_and(|f| f.message.contains("storage_encrypted = false")));
    }

    #[test]
    fn replicas_snapshots_and_serverless_v1_are_not_flagged() {
        let tf = r#"
            resource "aws_db_instance" "primary" {
              engine            = "postgres"
              storage_encrypted = true
            }
            resource "aws_db_instance" "replica" {
              replicate_source_db = aws_db_instance.primary.identifier
            }
            resource "aws_db_instance" "restored" {
              snapshot_identifier = "orders-final"
            }
            resource "aws_rds_cluster" "v1" {
              engine      = "aurora-mysql"
              engine_mode = "serverless"
            }
            resource "aws_rds_global_cluster" "g" {
              global_cluster_identifier = "orders"
              engine                    = "aurora-postgresql"
              storage_encrypted         = true
            }
            resource "aws_rds_cluster" "secondary" {
              engine                    = "aurora-postgresql"
              global_cluster_identifier = aws_rds_global_cluster.g.id
            }
        "#;
        assert!(flagged("SEC005", tf).is_empty());
    }

    #[test]
    fn unknown_values_are_not_flagged() {
        let tf = r#"
            variable "encrypted" { type = bool }
            variable "mode" {}
            resource "aws_db_instance" "a" { storage_encrypted = var.encrypted }
            resource "aws_rds_cluster" "b" { engine_mode = var.mode }
        "#;
        assert!(flagged("SEC005", tf).is_empty());
    }

    #[test]
    fn counted_instances_inside_a_module() {
        let files = [
            (
                "main.tf",
                r#"
                module "db" {
                  source    = "./db"
                  encrypted = false
                }
            "#,
            ),
            (
                "db/main.tf",
                r#"
                variable "encrypted" { type = bool }
                resource "aws_db_instance" "this" {
                  count             = 2
                  engine            = "postgres"
                  storage_encrypted = var.encrypted
                }
            "#,
            ),
        ];
        let mut found: Vec<String> = findings_in("SEC005", &files).into_iter().map(|f| f.resource).collect();
        found.sort();
        assert_eq!(
            found,
            ["module.db.aws_db_instance.this[0]", "module.db.aws_db_instance.this[1]"]
        );
    }
}
