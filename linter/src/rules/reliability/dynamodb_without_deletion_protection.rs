use crate::declare_rule;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_dynamodb_table` whose `deletion_protection_enabled` is absent (the
    /// provider default is `false`) or `false`.
    ///
    /// ## Why is this bad?
    /// A table is deleted, with all its items, by one `terraform destroy`, by renaming the
    /// resource without a `moved` block, or by changing an argument that forces replacement
    /// (such as `hash_key`). Point-in-time recovery backups of a deleted table are kept only
    /// for its recovery period, and restoring creates a new table that every client must be
    /// pointed at. With deletion protection on, DynamoDB refuses the delete until the
    /// protection is turned off in a deliberate, separate change.
    ///
    /// An unknown `deletion_protection_enabled` (for example a per-environment variable
    /// without a value) is not flagged: only tables that are certainly unprotected are reported.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_dynamodb_table" "accounts" {
    ///   name         = "accounts"
    ///   billing_mode = "PAY_PER_REQUEST"
    ///   hash_key     = "account_id"
    ///
    ///   attribute {
    ///     name = "account_id"
    ///     type = "S"
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_dynamodb_table" "accounts" {
    ///   name                        = "accounts"
    ///   billing_mode                = "PAY_PER_REQUEST"
    ///   hash_key                    = "account_id"
    ///   deletion_protection_enabled = true
    ///
    ///   attribute {
    ///     name = "account_id"
    ///     type = "S"
    ///   }
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// REL09-BP01: identify and back up all data that needs to be backed up; a table that
    /// can be deleted by a routine apply is data at risk.
    pub struct DynamodbWithoutDeletionProtection {
        code: "REL009",
        name: "dynamodb-without-deletion-protection",
        pillar: Reliability,
        severity: Medium,
        best_practice: "REL09-BP01",
        since: "0.1.0",
    }
}

impl Rule for DynamodbWithoutDeletionProtection {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        for table in ctx.graph.of_type("aws_dynamodb_table") {
            match table.attr("deletion_protection_enabled") {
                None => {
                    ctx.report(
                        table,
                        None,
                        "DynamoDB table can be deleted by any apply: deletion_protection_enabled is not set (default false)",
                    );
                }
                Some(v) if v.as_bool() == Some(false) => {
                    ctx.report(
                        table,
                        Some("deletion_protection_enabled"),
                        "DynamoDB table can be deleted by any apply: deletion_protection_enabled = false",
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
            resource "aws_dynamodb_table" "absent" {}
            resource "aws_dynamodb_table" "off" { deletion_protection_enabled = false }
            resource "aws_dynamodb_table" "on" { deletion_protection_enabled = "true" }
        "#;
        assert_eq!(
            flagged("REL009", tf),
            ["aws_dynamodb_table.absent", "aws_dynamodb_table.off"]
        );
    }

    #[test]
    fn unknown_is_not_flagged() {
        let tf = r#"
            variable "protect" { type = bool }
            resource "aws_dynamodb_table" "t" { deletion_protection_enabled = var.protect }
        "#;
        assert!(flagged("REL009", tf).is_empty());
    }

    #[test]
    fn counted_tables_in_a_module_follow_the_module_input() {
        let files = [
            (
                "main.tf",
                r#"
                module "dev" {
                  source  = "./tables"
                  protect = terraform.workspace == "prod"
                }
            "#,
            ),
            (
                "tables/main.tf",
                r#"
                variable "protect" { type = bool }
                resource "aws_dynamodb_table" "t" {
                  count                       = 2
                  deletion_protection_enabled = var.protect
                }
            "#,
            ),
        ];
        let mut found: Vec<String> = findings_in("REL009", &files).into_iter().map(|f| f.resource).collect();
        found.sort();
        assert_eq!(
            found,
            [
                "module.dev.aws_dynamodb_table.t[0]",
                "module.dev.aws_dynamodb_table.t[1]"
            ]
        );
    }
}
