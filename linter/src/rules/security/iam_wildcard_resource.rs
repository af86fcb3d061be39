use crate::declare_rule;
use crate::rules::security::iam_policy::{self, fine_on_any_resource, quoted_list};
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags IAM policy documents with an `Allow` statement on `"Resource": "*"` (or with
    /// `NotResource`) whose actions go beyond reading metadata. Actions that are fine on every
    /// resource are the read-only verbs `Get*`, `List*` and `Describe*` (except reads of data:
    /// `s3:GetObject`, `secretsmanager:GetSecretValue`, `ssm:GetParameter*`,
    /// `dynamodb:GetItem`/`BatchGetItem`) and the few actions that have no resource to name
    /// (`sts:GetCallerIdentity`, `xray:PutTraceSegments`, `xray:PutTelemetryRecords`,
    /// `cloudwatch:PutMetricData`, `logs:CreateLogGroup`). The documents read are the same as
    /// for SEC016: `policy` of the IAM, S3 bucket, SQS queue and SNS topic policy resources,
    /// `aws_iam_role` `inline_policy`, and `data "aws_iam_policy_document"` statements
    /// (reported on the data source). A data source used only as the `policy` of `aws_kms_key`
    /// or `aws_kms_replica_key` is a key policy, where `"Resource": "*"` means that key: not checked.
    ///
    /// ## Why is this bad?
    /// `"Resource": "*"` applies the granted actions to every resource of the account, existing
    /// and future: a function meant to write one table can write all of them, a role meant to
    /// read one secret can read every secret. Scoping actions to ARNs limits what a leaked
    /// credential or a bug can touch.
    ///
    /// Statements whose `Effect` is not known before apply are not flagged; action elements
    /// that are not known are ignored (the known ones are still checked), and a resource list
    /// that is not known is not taken to be `*`. A policy whose whole text is unknown is not
    /// flagged.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_dynamodb_table" "orders" {
    ///   name         = "orders"
    ///   billing_mode = "PAY_PER_REQUEST"
    ///   hash_key     = "id"
    ///   attribute {
    ///     name = "id"
    ///     type = "S"
    ///   }
    /// }
    ///
    /// data "aws_iam_policy_document" "writer" {
    ///   statement {
    ///     actions   = ["dynamodb:PutItem", "dynamodb:UpdateItem"]
    ///     resources = ["*"]
    ///   }
    /// }
    ///
    /// resource "aws_iam_policy" "writer" {
    ///   name   = "orders-writer"
    ///   policy = data.aws_iam_policy_document.writer.json
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_dynamodb_table" "orders" {
    ///   name         = "orders"
    ///   billing_mode = "PAY_PER_REQUEST"
    ///   hash_key     = "id"
    ///   attribute {
    ///     name = "id"
    ///     type = "S"
    ///   }
    /// }
    ///
    /// data "aws_iam_policy_document" "writer" {
    ///   statement {
    ///     actions   = ["dynamodb:PutItem", "dynamodb:UpdateItem"]
    ///     resources = [aws_dynamodb_table.orders.arn]
    ///   }
    ///   statement {
    ///     actions   = ["dynamodb:ListTables", "xray:PutTraceSegments"]
    ///     resources = ["*"]
    ///   }
    /// }
    ///
    /// resource "aws_iam_policy" "writer" {
    ///   name   = "orders-writer"
    ///   policy = data.aws_iam_policy_document.writer.json
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// SEC03-BP02: grant least privilege access; permissions name the resources they apply to.
    pub struct IamWildcardResource {
        code: "SEC017",
        name: "iam-wildcard-resource",
        pillar: Security,
        severity: Medium,
        best_practice: "SEC03-BP02",
        since: "0.1.0",
    }
}

impl Rule for IamWildcardResource {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        for doc in iam_policy::policy_documents(g) {
            let mut offending: Vec<String> = Vec::new();
            let mut not_action = false;
            let mut not_resource = false;
            for s in doc.statements.iter().filter(|s| s.any_resource()) {
                not_resource |= s.not_resource;
                if s.not_action {
                    // Every action but a few: certainly more than reads.
                    not_action = true;
                    continue;
                }
                for a in &s.actions {
                    if !fine_on_any_resource(a) && !offending.contains(a) {
                        offending.push(a.clone());
                    }
                }
            }
            if offending.is_empty() && !not_action {
                continue;
            }
            let what = match (offending.is_empty(), not_action) {
                (false, false) => quoted_list(&offending, 5),
                (true, _) => "every action outside NotAction".to_string(),
                (false, true) => format!("{} and every action outside NotAction", quoted_list(&offending, 5)),
            };
            let scope = if not_resource {
                "every resource outside NotResource"
            } else {
                "every resource (\"Resource\": \"*\")"
            };
            let finding = ctx.report(
                doc.resource,
                Some(doc.attr),
                format!("IAM policy allows {what} on {scope}"),
            );
            if doc.resource.data {
                for edge in g.referrers(doc.resource) {
                    finding.related(edge.from, Some(edge.attr), "uses this policy document");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    #[test]
    fn a_document_used_only_as_a_key_policy_is_not_checked() {
        let tf = r#"
            data "aws_iam_policy_document" "key" {
              statement {
                actions   = ["kms:*"]
                resources = ["*"]
              }
            }
            resource "aws_kms_key" "k" {
              policy = data.aws_iam_policy_document.key.json
            }
            data "aws_iam_policy_document" "shared" {
              statement {
                actions   = ["kms:Encrypt"]
                resources = ["*"]
              }
            }
            resource "aws_kms_key" "k2" {
              policy = data.aws_iam_policy_document.shared.json
            }
            resource "aws_iam_policy" "p" {
              policy = data.aws_iam_policy_document.shared.json
            }
        "#;
        assert_eq!(flagged("SEC017", tf), ["data.aws_iam_policy_document.shared"]);
        assert!(findings("SEC016", tf).is_empty());
    }

    #[test]
    fn writes_on_every_resource_are_flagged_with_the_actions() {
        let tf = r#"
            resource "aws_iam_role_policy" "worker" {
              role = "worker"
              policy = jsonencode({
                Version = "2012-10-17"
                Statement = [
                  { Effect = "Allow", Action = ["s3:PutObject", "s3:ListBucket"], Resource = "*" },
                  { Effect = "Allow", Action = "sqs:SendMessage", Resource = ["*"] },
                ]
              })
            }
        "#;
        let f = findings("SEC017", tf);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.contains("\"s3:PutObject\", \"sqs:SendMessage\""),
            "{}",
            f[0].message
        );
        assert!(!f[0].message.contains("ListBucket"));
    }

    #[test]
    fn read_only_and_global_actions_on_star_are_fine() {
        let tf = r#"
            data "aws_iam_policy_document" "telemetry" {
              statement {
                actions   = ["ec2:Describe*", "cloudwatch:PutMetricData", "xray:PutTraceSegments", "sts:GetCallerIdentity"]
                resources = ["*"]
              }
              statement {
                actions   = ["s3:PutObject"]
                resources = ["arn:aws:s3:::logs/*"]
              }
            }
        "#;
        assert!(flagged("SEC017", tf).is_empty());
    }

    #[test]
    fn reading_secrets_everywhere_is_flagged() {
        let tf = r#"
            data "aws_iam_policy_document" "app" {
              statement {
                actions   = ["secretsmanager:GetSecretValue"]
                resources = ["*"]
              }
            }
        "#;
        assert_eq!(flagged("SEC017", tf), ["data.aws_iam_policy_document.app"]);
    }

    #[test]
    fn unknown_resources_and_effect_are_not_flagged() {
        let tf = r#"
            variable "resources" { type = list(string) }
            variable "effect" {}
            data "aws_iam_policy_document" "a" {
              statement {
                actions   = ["s3:PutObject"]
                resources = var.resources
              }
              statement {
                effect    = var.effect
                actions   = ["s3:DeleteObject"]
                resources = ["*"]
              }
            }
            resource "aws_iam_policy" "b" {
              policy = <<-EOT
                {"Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"${var.resources[0]}"}]}
              EOT
            }
        "#;
        assert!(flagged("SEC017", tf).is_empty());
    }

    #[test]
    fn not_resource_counts_as_every_resource() {
        let tf = r#"
            resource "aws_iam_group_policy" "devs" {
              group  = "devs"
              policy = "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:TerminateInstances\",\"NotResource\":\"arn:aws:ec2:*:*:instance/i-0prod\"}]}"
            }
        "#;
        let f = findings("SEC017", tf);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("NotResource"));
    }

    #[test]
    fn data_source_in_a_module() {
        let files = [
            ("main.tf", r#"module "app" { source = "./app" }"#),
            (
                "app/main.tf",
                r#"
                data "aws_iam_policy_document" "this" {
                  statement {
                    actions   = ["kms:Decrypt"]
                    resources = ["*"]
                  }
                }
                resource "aws_iam_role_policy" "this" {
                  role   = "app"
                  policy = data.aws_iam_policy_document.this.json
                }
            "#,
            ),
        ];
        let f = findings_in("SEC017", &files);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].resource, "module.app.data.aws_iam_policy_document.this");
        assert_eq!(f[0].related.len(), 1);
    }
}
