use crate::declare_rule;
use crate::graph::Resource;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_dynamodb_table` without point-in-time recovery: no
    /// `point_in_time_recovery` block (the provider default is disabled), or one with
    /// `enabled = false`.
    ///
    /// ## Why is this bad?
    /// Without point-in-time recovery, a table overwritten by a faulty deployment, a bad batch
    /// job or an accidental delete can only be restored from whatever on-demand backup
    /// someone happened to take, if any. With it, DynamoDB keeps continuous backups and can
    /// restore the table to any second of the recovery period (35 days by default), with no
    /// effect on table performance.
    ///
    /// An unknown `enabled` (or a `point_in_time_recovery` block produced by a `dynamic` block
    /// over unknown values) is not flagged: only tables that certainly lack it are reported.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_dynamodb_table" "carts" {
    ///   name         = "carts"
    ///   billing_mode = "PAY_PER_REQUEST"
    ///   hash_key     = "cart_id"
    ///
    ///   attribute {
    ///     name = "cart_id"
    ///     type = "S"
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_dynamodb_table" "carts" {
    ///   name         = "carts"
    ///   billing_mode = "PAY_PER_REQUEST"
    ///   hash_key     = "cart_id"
    ///
    ///   attribute {
    ///     name = "cart_id"
    ///     type = "S"
    ///   }
    ///
    ///   point_in_time_recovery {
    ///     enabled = true
    ///   }
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// REL09-BP03: perform data backup automatically; continuous backups need no schedule
    /// and allow restoring to any point of the recovery period.
    pub struct DynamodbWithoutPitr {
        code: "REL008",
        name: "dynamodb-without-pitr",
        pillar: Reliability,
        severity: Medium,
        best_practice: "REL09-BP03",
        since: "0.1.0",
    }
}

/// `Some(message)` when the table certainly has no point-in-time recovery.
fn missing_pitr(table: &Resource) -> Option<(Option<&'static str>, &'static str)> {
    let blocks = table.attrs.blocks("point_in_time_recovery");
    if blocks.is_empty() {
        return Some((
            None,
            "DynamoDB table has no point-in-time recovery: no point_in_time_recovery block (default disabled)",
        ));
    }
    let disabled = blocks.iter().all(|b| match b.field("enabled") {
        Some(v) => v.as_bool() == Some(false),
        // A block without `enabled` is invalid; an unknown block is not judged.
        None => !b.is_unknown(),
    });
    disabled.then_some((
        Some("point_in_time_recovery"),
        "DynamoDB table has no point-in-time recovery: point_in_time_recovery { enabled = false }",
    ))
}

impl Rule for DynamodbWithoutPitr {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        for table in ctx.graph.of_type("aws_dynamodb_table") {
            if let Some((attr, msg)) = missing_pitr(table) {
                ctx.report(table, attr, msg);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    #[test]
    fn absent_and_disabled_are_flagged_enabled_is_not() {
        let tf = r#"
            resource "aws_dynamodb_table" "absent" {}
            resource "aws_dynamodb_table" "off" {
              point_in_time_recovery { enabled = false }
            }
            resource "aws_dynamodb_table" "on" {
              point_in_time_recovery { enabled = true }
            }
        "#;
        assert_eq!(
            flagged("REL008", tf),
            ["aws_dynamodb_table.absent", "aws_dynamodb_table.off"]
        );
        let off = findings("REL008", tf)
            .into_iter()
            .find(|f| f.resource.ends_with(".off"));
        assert!(off.is_some_and(|f| f.location.line == 4));
    }

    #[test]
    fn unknown_enabled_and_dynamic_blocks_are_not_flagged() {
        let tf = r#"
            variable "pitr" { type = bool }
            variable "backups" { type = list(bool) }
            resource "aws_dynamodb_table" "var" {
              point_in_time_recovery { enabled = var.pitr }
            }
            resource "aws_dynamodb_table" "dyn" {
              dynamic "point_in_time_recovery" {
                for_each = var.backups
                content { enabled = point_in_time_recovery.value }
              }
            }
        "#;
        assert!(flagged("REL008", tf).is_empty());
    }

    #[test]
    fn for_each_tables_in_a_module_are_each_checked() {
        let files = [
            (
                "main.tf",
                r#"
                module "store" {
                  source = "./store"
                  tables = { carts = false, orders = true }
                }
            "#,
            ),
            (
                "store/main.tf",
                r#"
                variable "tables" { type = map(bool) }
                resource "aws_dynamodb_table" "t" {
                  for_each = var.tables
                  name     = each.key
                  point_in_time_recovery { enabled = each.value }
                }
            "#,
            ),
        ];
        let found: Vec<String> = findings_in("REL008", &files).into_iter().map(|f| f.resource).collect();
        assert_eq!(found, [r#"module.store.aws_dynamodb_table.t["carts"]"#]);
    }
}
