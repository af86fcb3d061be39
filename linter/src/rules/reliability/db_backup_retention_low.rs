use crate::declare_rule;
use crate::graph::value::format_number;
use crate::rules::reliability::rds_single_az::is_read_replica;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_db_instance` or `aws_rds_cluster` that keeps automated backups for fewer
    /// than 7 days (`backup_retention_period` below 7). When the attribute is absent, RDS
    /// keeps backups for 1 day (the API default the provider applies for both resource
    /// types), which is flagged; `0` disables automated backups of an instance altogether.
    ///
    /// Read replicas (`aws_db_instance` with `replicate_source_db`) are not flagged: the data
    /// they serve is backed up on their source instance.
    ///
    /// ## Why is this bad?
    /// Automated backups are what point-in-time restore works from. Corruption, a bad
    /// migration or an accidental `DELETE` is often noticed days later: over a weekend, or
    /// after the next release. With one day of retention the last good state is already
    /// gone by then, and with none there is nothing to restore at all. Seven days is the
    /// usual minimum that covers a working week plus a weekend.
    ///
    /// An unknown `backup_retention_period` (for example a variable without a value) is not
    /// flagged: only certainly short retention is reported.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "billing" {
    ///   identifier                  = "billing"
    ///   engine                      = "mysql"
    ///   engine_version              = "8.0.39"
    ///   instance_class              = "db.m6g.large"
    ///   allocated_storage           = 50
    ///   username                    = "billing_admin"
    ///   manage_master_user_password = true
    ///   backup_retention_period     = 1
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_instance" "billing" {
    ///   identifier                  = "billing"
    ///   engine                      = "mysql"
    ///   engine_version              = "8.0.39"
    ///   instance_class              = "db.m6g.large"
    ///   allocated_storage           = 50
    ///   username                    = "billing_admin"
    ///   manage_master_user_password = true
    ///   backup_retention_period     = 14
    ///   backup_window               = "03:00-04:00"
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// REL09-BP03: perform data backup automatically, on a schedule and with a retention
    /// that meet the recovery point objective.
    pub struct DbBackupRetentionLow {
        code: "REL006",
        name: "db-backup-retention-low",
        pillar: Reliability,
        severity: Medium,
        best_practice: "REL09-BP03",
        since: "0.1.0",
    }
}

/// Days of automated backups below which a database is flagged.
const MIN_DAYS: f64 = 7.0;

impl Rule for DbBackupRetentionLow {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        let dbs = g
            .of_type("aws_db_instance")
            .filter(|db| !is_read_replica(db))
            .map(|db| (db, "RDS instance"));
        let clusters = g.of_type("aws_rds_cluster").map(|c| (c, "RDS cluster"));
        for (db, what) in dbs.chain(clusters) {
            match db.attr("backup_retention_period") {
                None => {
                    ctx.report(
                        db,
                        None,
                        format!(
                            "{what} keeps automated backups for 1 day: backup_retention_period is not set (default 1)"
                        ),
                    );
                }
                Some(v) => {
                    match v.as_f64() {
                        Some(days) if days <= 0.0 => {
                            ctx.report(
                                db,
                                Some("backup_retention_period"),
                                format!(
                                    "{what} has automated backups disabled: backup_retention_period = {}",
                                    format_number(days)
                                ),
                            );
                        }
                        Some(days) if days < MIN_DAYS => {
                            ctx.report(
                            db,
                            Some("backup_retention_period"),
                            format!(
                                "{what} keeps automated backups for only {}: backup_retention_period = {} (below 7)",
                                if days == 1.0 { "1 day".to_string() } else { format!("{} days", format_number(days)) },
                                format_number(days)
                            ),
                        );
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    #[test]
    fn default_zero_and_short_retention_have_their_own_messages() {
        let tf = r#"
            resource "aws_db_instance" "absent" {}
            resource "aws_db_instance" "zero" { backup_retention_period = 0 }
            resource "aws_rds_cluster" "three" { backup_retention_period = "3" }
            resource "aws_rds_cluster" "week" { backup_retention_period = 7 }
        "#;
        let mut found: Vec<(String, String)> = findings("REL006", tf)
            .into_iter()
            .map(|f| (f.resource, f.message))
            .collect();
        found.sort();
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0].0, "aws_db_instance.absent");
        assert!(found[0].1.contains("default 1"), "{}", found[0].1);
        assert_eq!(found[1].0, "aws_db_instance.zero");
        assert!(found[1].1.contains("disabled"), "{}", found[1].1);
        assert_eq!(found[2].0, "aws_rds_cluster.three");
        assert!(found[2].1.contains("= 3"), "{}", found[2].1);
    }

    #[test]
    fn unknown_retention_and_read_replicas_are_not_flagged() {
        let tf = r#"
            variable "days" { type = number }
            resource "aws_db_instance" "primary" { backup_retention_period = var.days }
            resource "aws_db_instance" "replica" {
              replicate_source_db = aws_db_instance.primary.identifier
            }
        "#;
        assert!(flagged("REL006", tf).is_empty());
    }

    #[test]
    fn module_inputs_and_count_are_followed() {
        let files = [
            (
                "main.tf",
                r#"
                module "db" {
                  source = "./db"
                  days   = 2
                }
            "#,
            ),
            (
                "db/main.tf",
                r#"
                variable "days" { type = number }
                resource "aws_db_instance" "this" {
                  count                   = 2
                  backup_retention_period = var.days
                }
            "#,
            ),
        ];
        let mut found: Vec<String> = findings_in("REL006", &files).into_iter().map(|f| f.resource).collect();
        found.sort();
        assert_eq!(
            found,
            ["module.db.aws_db_instance.this[0]", "module.db.aws_db_instance.this[1]"]
        );
    }
}
