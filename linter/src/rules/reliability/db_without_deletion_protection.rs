use crate::declare_rule;
use crate::rules::reliability::rds_single_az::is_read_replica;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_db_instance` or `aws_rds_cluster` without deletion protection:
    /// `deletion_protection` is absent (the provider default is `false`) or `false`. When the
    /// database also sets `skip_final_snapshot = true` (default `false`), the message says
    /// so: deleting it then leaves no final snapshot either.
    ///
    /// Read replicas (`aws_db_instance` with `replicate_source_db`) are not flagged: deleting
    /// one loses no data, and replacing replicas is routine.
    ///
    /// ## Why is this bad?
    /// A database is deleted by one `terraform destroy`, by a refactor that renames the
    /// resource or moves it between modules without a `moved` block, or by a change to an
    /// argument that forces replacement. Terraform shows it in the plan, but among dozens of
    /// lines it is easy to approve. With deletion protection on, RDS refuses the delete until
    /// someone turns the protection off in a deliberate, separate change.
    ///
    /// An unknown `deletion_protection` (for example a per-environment variable without a
    /// value) is not flagged: only databases that are certainly unprotected are reported.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_rds_cluster" "ledger" {
    ///   cluster_identifier          = "ledger"
    ///   engine                      = "aurora-postgresql"
    ///   engine_version              = "16.2"
    ///   master_username             = "ledger_admin"
    ///   manage_master_user_password = true
    ///   skip_final_snapshot         = true
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_rds_cluster" "ledger" {
    ///   cluster_identifier          = "ledger"
    ///   engine                      = "aurora-postgresql"
    ///   engine_version              = "16.2"
    ///   master_username             = "ledger_admin"
    ///   manage_master_user_password = true
    ///   deletion_protection         = true
    ///   final_snapshot_identifier   = "ledger-final"
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// REL09-BP01: identify and back up all data that needs to be backed up; a database that
    /// can be deleted by a routine apply is data at risk.
    pub struct DbWithoutDeletionProtection {
        code: "REL007",
        name: "db-without-deletion-protection",
        pillar: Reliability,
        severity: Medium,
        best_practice: "REL09-BP01",
        since: "0.1.0",
    }
}

impl Rule for DbWithoutDeletionProtection {
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
            let (attr, setting) = match db.attr("deletion_protection") {
                None => (None, "deletion_protection is not set (default false)"),
                Some(v) if v.as_bool() == Some(false) => (Some("deletion_protection"), "deletion_protection = false"),
                Some(_) => continue,
            };
            let no_snapshot = if db.bool_attr("skip_final_snapshot") == Some(true) {
                ", and skip_final_snapshot = true leaves no final snapshot on delete"
            } else {
                ""
            };
            ctx.report(
                db,
                attr,
                format!("{what} can be deleted by any apply: {setting}{no_snapshot}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    #[test]
    fn absent_and_false_are_flagged_and_skip_final_snapshot_is_mentioned() {
        let tf = r#"
            resource "aws_db_instance" "absent" {}
            resource "aws_rds_cluster" "off" {
              deletion_protection = false
              skip_final_snapshot = true
            }
            resource "aws_rds_cluster" "on" { deletion_protection = true }
        "#;
        let mut found: Vec<(String, String)> = findings("REL007", tf)
            .into_iter()
            .map(|f| (f.resource, f.message))
            .collect();
        found.sort();
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].1.contains("default false") && !found[0].1.contains("snapshot"),
            "{}",
            found[0].1
        );
        assert!(found[1].1.contains("skip_final_snapshot = true"), "{}", found[1].1);
    }

    #[test]
    fn unknown_protection_and_read_replicas_are_not_flagged() {
        let tf = r#"
            variable "protect" { type = bool }
            resource "aws_db_instance" "primary" { deletion_protection = var.protect }
            resource "aws_db_instance" "replica" {
              replicate_source_db = aws_db_instance.primary.identifier
            }
        "#;
        assert!(flagged("REL007", tf).is_empty());
    }

    #[test]
    fn environment_switch_through_a_module() {
        let files = [
            (
                "main.tf",
                r#"
                module "prod" {
                  source = "./db"
                  prod   = true
                }
                module "dev" {
                  source = "./db"
                  prod   = false
                }
            "#,
            ),
            (
                "db/main.tf",
                r#"
                variable "prod" { type = bool }
                resource "aws_rds_cluster" "this" {
                  deletion_protection = var.prod
                  skip_final_snapshot = !var.prod
                }
            "#,
            ),
        ];
        let found = findings_in("REL007", &files);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].resource, "module.dev.aws_rds_cluster.this");
    }
}
