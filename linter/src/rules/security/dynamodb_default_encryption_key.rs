use crate::declare_rule;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_dynamodb_table` encrypted with the default AWS owned key: it has no
    /// `server_side_encryption { enabled = true }` block (absent, or `enabled = false`, the
    /// provider default).
    ///
    /// ## Why is this bad?
    /// DynamoDB always encrypts data at rest, but with an AWS owned key the key lives outside
    /// your account: there is no key policy to restrict who may decrypt the table's data, no
    /// CloudTrail record of each use of the key, and no way to revoke access by disabling the
    /// key. With `enabled = true` the table uses the AWS managed key `aws/dynamodb` (audited in
    /// CloudTrail) or, with `kms_key_arn`, a customer managed key whose policy you control.
    /// The data is encrypted either way, hence the low severity.
    ///
    /// An `enabled` that is not known before apply (or a `dynamic` block over an unknown
    /// collection) is not flagged.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_dynamodb_table" "sessions" {
    ///   name         = "sessions"
    ///   billing_mode = "PAY_PER_REQUEST"
    ///   hash_key     = "id"
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
    /// resource "aws_kms_key" "sessions" {
    ///   description         = "sessions table"
    ///   enable_key_rotation = true
    /// }
    ///
    /// resource "aws_dynamodb_table" "sessions" {
    ///   name         = "sessions"
    ///   billing_mode = "PAY_PER_REQUEST"
    ///   hash_key     = "id"
    ///
    ///   attribute {
    ///     name = "id"
    ///     type = "S"
    ///   }
    ///
    ///   server_side_encryption {
    ///     enabled     = true
    ///     kms_key_arn = aws_kms_key.sessions.arn
    ///   }
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// SEC08-BP01: implement secure key management; the keys protecting data are in your
    /// account, under a key policy, with their use recorded.
    pub struct DynamodbDefaultEncryptionKey {
        code: "SEC006",
        name: "dynamodb-default-encryption-key",
        pillar: Security,
        severity: Low,
        best_practice: "SEC08-BP01",
        since: "0.1.0",
    }
}

impl Rule for DynamodbDefaultEncryptionKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        for table in ctx.graph.of_type("aws_dynamodb_table") {
            let blocks = table.attrs.blocks("server_side_encryption");
            // `enabled` true or not known before apply; an absent `enabled` is false.
            let enabled = blocks
                .iter()
                .any(|b| b.is_unknown() || b.field("enabled").is_some_and(|e| e.as_bool() != Some(false)));
            if enabled {
                continue;
            }
            let message = if blocks.is_empty() {
                "DynamoDB table is encrypted with an AWS owned key (no server_side_encryption block): no key policy and no CloudTrail record of key use"
            } else {
                "DynamoDB table is encrypted with an AWS owned key (server_side_encryption enabled = false): no key policy and no CloudTrail record of key use"
            };
            ctx.report(table, Some("server_side_encryption"), message);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings_in, flagged};

    #[test]
    fn absent_and_disabled_blocks_are_flagged() {
        let tf = r#"
            resource "aws_dynamodb_table" "none" { hash_key = "id" }
            resource "aws_dynamodb_table" "off" {
              hash_key = "id"
              server_side_encryption { enabled = false }
            }
            resource "aws_dynamodb_table" "no_enabled" {
              hash_key = "id"
              server_side_encryption { kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/abc" }
            }
            resource "aws_dynamodb_table" "managed" {
              hash_key = "id"
              server_side_encryption { enabled = true }
            }
        "#;
        assert_eq!(
            flagged("SEC006", tf),
            [
                "aws_dynamodb_table.no_enabled",
                "aws_dynamodb_table.none",
                "aws_dynamodb_table.off"
            ]
        );
    }

    #[test]
    fn unknown_enabled_and_unknown_dynamic_blocks_are_not_flagged() {
        let tf = r#"
            variable "sse" { type = bool }
            variable "keys" { type = list(string) }
            resource "aws_dynamodb_table" "a" {
              hash_key = "id"
              server_side_encryption { enabled = var.sse }
            }
            resource "aws_dynamodb_table" "b" {
              hash_key = "id"
              dynamic "server_side_encryption" {
                for_each = var.keys
                content {
                  enabled     = true
                  kms_key_arn = server_side_encryption.value
                }
              }
            }
        "#;
        assert!(flagged("SEC006", tf).is_empty());
    }

    #[test]
    fn tables_of_a_for_each_module() {
        let files = [
            (
                "main.tf",
                r#"
                module "t" {
                  source   = "./t"
                  for_each = toset(["orders", "users"])
                  name     = each.key
                }
            "#,
            ),
            (
                "t/main.tf",
                r#"
                variable "name" {}
                resource "aws_dynamodb_table" "this" {
                  name     = var.name
                  hash_key = "id"
                }
            "#,
            ),
        ];
        assert_eq!(findings_in("SEC006", &files).len(), 2);
    }
}
