use crate::declare_rule;
use crate::graph::value::format_number;
use crate::graph::{Resource, Value};
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_dynamodb_table` in provisioned capacity mode that nothing scales:
    /// `billing_mode = "PROVISIONED"`, or no `billing_mode` at all (the hashicorp/aws v5
    /// default is `PROVISIONED`), and no `aws_appautoscaling_target` whose `resource_id`
    /// references the table or is the literal `"table/<name>"`.
    ///
    /// ## Why is this bad?
    /// Fixed capacity is sized for the peak, so it sits idle (and is paid for) the rest of the
    /// day, or it is sized for the average and throttles at the peak. On-demand mode
    /// (`PAY_PER_REQUEST`) or Application Auto Scaling matches the capacity to the load, so no
    /// idle capacity is kept running for nothing.
    ///
    /// An unknown `billing_mode` is not flagged, and an autoscaling target whose `resource_id`
    /// is unknown (a variable without a value) is taken to cover every table of its module.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_dynamodb_table" "sessions" {
    ///   name           = "sessions"
    ///   hash_key       = "id"
    ///   read_capacity  = 50
    ///   write_capacity = 50
    ///
    ///   attribute {
    ///     name = "id"
    ///     type = "S"
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_dynamodb_table" "sessions" {
    ///   name         = "sessions"
    ///   hash_key     = "id"
    ///   billing_mode = "PAY_PER_REQUEST"
    ///
    ///   attribute {
    ///     name = "id"
    ///     type = "S"
    ///   }
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// SUS02-BP01: scale workload infrastructure dynamically, so capacity follows demand
    /// instead of idling.
    pub struct DynamodbProvisionedCapacity {
        code: "SUS003",
        name: "dynamodb-provisioned-capacity",
        pillar: Sustainability,
        severity: Low,
        best_practice: "SUS02-BP01",
        since: "0.1.0",
    }
}

fn autoscaled(ctx: &Ctx<'_>, table: &Resource) -> bool {
    let g = ctx.graph;
    if !g
        .referrers_via(table, "aws_appautoscaling_target", Some("resource_id"))
        .is_empty()
    {
        return true;
    }
    let name = table.str_attr("name");
    g.of_type("aws_appautoscaling_target")
        .any(|t| match t.attr("resource_id") {
            Some(Value::String(id)) => name.is_some_and(|n| {
                id.strip_prefix("table/")
                    .is_some_and(|rest| rest == n || rest.starts_with(&format!("{n}/index/")))
            }),
            Some(Value::Unknown(refs)) if refs.is_empty() => t.module == table.module,
            _ => false,
        })
}

fn capacity(table: &Resource) -> String {
    let n = |k: &str| table.num_attr(k).map(format_number);
    match (n("read_capacity"), n("write_capacity")) {
        (Some(r), Some(w)) => format!("read_capacity = {r}, write_capacity = {w}"),
        _ => "its read and write capacity".to_string(),
    }
}

impl Rule for DynamodbProvisionedCapacity {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        for table in g.of_type("aws_dynamodb_table") {
            let (attr, mode) = match table.attr("billing_mode") {
                None => (None, "billing_mode is not set (default PROVISIONED)"),
                Some(v) if v.as_str() == Some("PROVISIONED") => (Some("billing_mode"), "billing_mode is PROVISIONED"),
                Some(_) => continue,
            };
            if autoscaled(ctx, table) {
                continue;
            }
            ctx.report(
                table,
                attr,
                format!(
                    "DynamoDB table has fixed capacity: {mode} and no Application Auto Scaling target adjusts {}",
                    capacity(table)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    #[test]
    fn absent_billing_mode_is_provisioned() {
        let tf = r#"
            resource "aws_dynamodb_table" "absent" {
              name           = "a"
              hash_key       = "id"
              read_capacity  = 5
              write_capacity = 5
            }
            resource "aws_dynamodb_table" "on_demand" {
              name         = "o"
              hash_key     = "id"
              billing_mode = "PAY_PER_REQUEST"
            }
        "#;
        assert_eq!(flagged("SUS003", tf), ["aws_dynamodb_table.absent"]);
        let msg = &findings("SUS003", tf)[0].message;
        assert!(
            msg.contains("default PROVISIONED") && msg.contains("read_capacity = 5"),
            "{msg}"
        );
    }

    #[test]
    fn autoscaling_target_by_reference_or_literal_name_counts() {
        let tf = r#"
            resource "aws_dynamodb_table" "by_ref" {
              name         = "r"
              billing_mode = "PROVISIONED"
            }
            resource "aws_appautoscaling_target" "r" {
              service_namespace  = "dynamodb"
              resource_id        = "table/${aws_dynamodb_table.by_ref.name}"
              scalable_dimension = "dynamodb:table:ReadCapacityUnits"
              min_capacity       = 5
              max_capacity       = 100
            }
            resource "aws_dynamodb_table" "by_name" { name = "orders" }
            resource "aws_appautoscaling_target" "n" {
              service_namespace  = "dynamodb"
              resource_id        = "table/orders"
              scalable_dimension = "dynamodb:table:WriteCapacityUnits"
              min_capacity       = 5
              max_capacity       = 100
            }
            resource "aws_dynamodb_table" "other" { name = "orders-archive" }
        "#;
        assert_eq!(flagged("SUS003", tf), ["aws_dynamodb_table.other"]);
    }

    #[test]
    fn unknowns_are_not_flagged() {
        let tf = r#"
            variable "mode" { type = string }
            resource "aws_dynamodb_table" "a" {
              name         = "a"
              billing_mode = var.mode
            }
        "#;
        assert!(flagged("SUS003", tf).is_empty());
        let files = [
            (
                "main.tf",
                r#"
                variable "table_id" { type = string }
                module "t" {
                  source   = "./t"
                  table_id = var.table_id
                }
                resource "aws_dynamodb_table" "root" { name = "root" }
            "#,
            ),
            (
                "t/main.tf",
                r#"
                variable "table_id" {}
                resource "aws_dynamodb_table" "this" { name = "t" }
                resource "aws_appautoscaling_target" "this" {
                  service_namespace  = "dynamodb"
                  resource_id        = var.table_id
                  scalable_dimension = "dynamodb:table:ReadCapacityUnits"
                  min_capacity       = 1
                  max_capacity       = 10
                }
            "#,
            ),
        ];
        let found: Vec<String> = findings_in("SUS003", &files).into_iter().map(|f| f.resource).collect();
        assert_eq!(found, ["aws_dynamodb_table.root"]);
    }
}
