use crate::declare_rule;
use crate::graph::Resource;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_db_instance` that is not a Multi-AZ deployment: `multi_az` is absent
    /// (the provider default is `false`) or set to `false`.
    ///
    /// Read replicas (`replicate_source_db` set) are not flagged: a replica is a copy kept for
    /// read scaling or as a promotion target, and the availability of the data it serves is
    /// decided by its source instance, which this rule checks. Instances of the SQL Server
    /// Express and Web editions (`sqlserver-ex`, `sqlserver-web`) are not flagged either:
    /// RDS does not offer Multi-AZ for them, so the setting cannot be turned on.
    ///
    /// ## Why is this bad?
    /// A single-AZ instance lives on one host in one Availability Zone. A host failure, a
    /// storage failure or an AZ outage takes the database down until RDS replaces the host
    /// or someone restores a snapshot, which can take far longer than an automatic failover
    /// (typically one to two minutes with a synchronous standby). Maintenance that needs a
    /// reboot also becomes full downtime instead of a failover.
    ///
    /// An unknown `multi_az` (for example a variable without a value) is not flagged: the
    /// rule only reports instances that are certainly single-AZ.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "orders" {
    ///   identifier                  = "orders"
    ///   engine                      = "postgres"
    ///   engine_version              = "16.3"
    ///   instance_class              = "db.m6g.large"
    ///   allocated_storage           = 100
    ///   username                    = "orders_admin"
    ///   manage_master_user_password = true
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_instance" "orders" {
    ///   identifier                  = "orders"
    ///   engine                      = "postgres"
    ///   engine_version              = "16.3"
    ///   instance_class              = "db.m6g.large"
    ///   allocated_storage           = 100
    ///   username                    = "orders_admin"
    ///   manage_master_user_password = true
    ///   multi_az                    = true
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// REL10-BP01: deploy the workload to multiple locations; a synchronous standby in a
    /// second Availability Zone takes over when the first one fails.
    pub struct RdsSingleAz {
        code: "REL003",
        name: "rds-single-az",
        pillar: Reliability,
        severity: High,
        best_practice: "REL10-BP01",
        since: "0.1.0",
    }
}

/// Engines for which RDS offers no Multi-AZ deployment.
const NO_MULTI_AZ_ENGINES: &[&str] = &["sqlserver-ex", "sqlserver-web"];

/// A read replica: its availability and backups are those of its source.
pub fn is_read_replica(db: &Resource) -> bool {
    db.attr("replicate_source_db").is_some_and(|v| v.as_str() != Some(""))
}

impl Rule for RdsSingleAz {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        for db in g.of_type("aws_db_instance") {
            if is_read_replica(db) || db.str_attr("engine").is_some_and(|e| NO_MULTI_AZ_ENGINES.contains(&e)) {
                continue;
            }
            match db.attr("multi_az") {
                None => {
                    ctx.report(
                        db,
                        None,
                        "RDS instance runs in a single Availability Zone: multi_az is not set (default false)",
                    );
                }
                Some(v) if v.as_bool() == Some(false) => {
                    ctx.report(
                        db,
                        Some("multi_az"),
                        "RDS instance runs in a single Availability Zone: multi_az = false",
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
    fn absent_and_false_are_flagged_true_is_not() {
        let tf = r#"
            resource "aws_db_instance" "absent" { engine = "mysql" }
            resource "aws_db_instance" "off" {
              engine   = "mysql"
              multi_az = false
            }
            resource "aws_db_instance" "on" {
              engine   = "mysql"
              multi_az = true
            }
        "#;
        assert_eq!(flagged("REL003", tf), ["aws_db_instance.absent", "aws_db_instance.off"]);
    }

    #[test]
    fn unknown_multi_az_is_not_flagged() {
        let tf = r#"
            variable "ha" { type = bool }
            resource "aws_db_instance" "db" {
              engine   = "postgres"
              multi_az = var.ha
            }
        "#;
        assert!(flagged("REL003", tf).is_empty());
    }

    #[test]
    fn read_replicas_and_editions_without_multi_az_are_skipped() {
        let tf = r#"
            resource "aws_db_instance" "primary" {
              engine   = "postgres"
              multi_az = true
            }
            resource "aws_db_instance" "replica" {
              replicate_source_db = aws_db_instance.primary.identifier
            }
            resource "aws_db_instance" "express" { engine = "sqlserver-ex" }
        "#;
        assert!(flagged("REL003", tf).is_empty());
    }

    #[test]
    fn counted_instances_in_a_module_are_each_flagged() {
        let files = [
            (
                "main.tf",
                r#"
                module "data" {
                  source = "./data"
                  ha     = false
                }
            "#,
            ),
            (
                "data/main.tf",
                r#"
                variable "ha" { type = bool }
                resource "aws_db_instance" "shard" {
                  count    = 2
                  engine   = "postgres"
                  multi_az = var.ha
                }
            "#,
            ),
        ];
        let mut found: Vec<String> = findings_in("REL003", &files).into_iter().map(|f| f.resource).collect();
        found.sort();
        assert_eq!(
            found,
            [
                "module.data.aws_db_instance.shard[0]",
                "module.data.aws_db_instance.shard[1]"
            ]
        );
    }

    #[test]
    fn finding_points_at_the_attribute_when_written() {
        let tf = "resource \"aws_db_instance\" \"db\" {\n  engine   = \"mysql\"\n  multi_az = false\n}\n";
        let found = crate::testing::findings("REL003", tf);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].location.line, 3);
        assert!(found[0].message.contains("multi_az = false"), "{}", found[0].message);
    }
}
