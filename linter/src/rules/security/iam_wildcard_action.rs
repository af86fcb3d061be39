use crate::declare_rule;
use crate::rules::security::iam_policy::{self, is_wildcard_action, quoted_list};
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags IAM policy documents with an `Allow` statement whose actions are a wildcard:
    /// `"*"` (every action of every service) or `"service:*"` (every action of one service),
    /// and `Allow` statements with `NotAction` (every action except those listed). It reads the
    /// `policy` of `aws_iam_policy`, `aws_iam_role_policy`, `aws_iam_user_policy`,
    /// `aws_iam_group_policy`, `aws_s3_bucket_policy`, `aws_sqs_queue_policy` and
    /// `aws_sns_topic_policy`, the `inline_policy` blocks of `aws_iam_role` (JSON strings,
    /// heredocs or `jsonencode(...)`), and the `statement` blocks of
    /// `data "aws_iam_policy_document"` (reported on the data source, not again on each policy
    /// that uses its `json`). Attaching the AWS managed `AdministratorAccess` policy
    /// (`aws_iam_*_policy_attachment`, `aws_iam_policy_attachment`, `managed_policy_arns`) is
    /// flagged as well. A data source used only as the `policy` of `aws_kms_key` or
    /// `aws_kms_replica_key` is a key policy (AWS's default grants `kms:*` to the account): not
    /// checked.
    ///
    /// ## Why is this bad?
    /// A wildcard grants every action the service has today and every action it adds tomorrow,
    /// including the destructive and the privilege-escalating ones (`iam:*` can create an admin
    /// user, `s3:*` can delete buckets and rewrite their policies). A compromised workload or
    /// a mistaken script then does far more damage than its job needs. Naming the actions keeps
    /// each principal to what it actually does.
    ///
    /// Statements with an `Effect` that is not known before apply, and action elements that are
    /// not known, are not flagged; a policy whose whole text is unknown (for example a heredoc
    /// interpolating an apply-time value) cannot be read and is not flagged.
    /// `Deny` statements are never flagged: `Deny` with `s3:*` is the usual way to enforce TLS.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_role" "deployer" {
    ///   name = "deployer"
    ///   assume_role_policy = jsonencode({
    ///     Version = "2012-10-17"
    ///     Statement = [{
    ///       Effect    = "Allow"
    ///       Action    = "sts:AssumeRole"
    ///       Principal = { Service = "codebuild.amazonaws.com" }
    ///     }]
    ///   })
    /// }
    ///
    /// resource "aws_iam_role_policy" "deployer" {
    ///   name = "deploy"
    ///   role = aws_iam_role.deployer.id
    ///   policy = <<-EOT
    ///     {
    ///       "Version": "2012-10-17",
    ///       "Statement": [
    ///         { "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::orders-artifacts/*" }
    ///       ]
    ///     }
    ///   EOT
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_iam_role" "deployer" {
    ///   name = "deployer"
    ///   assume_role_policy = jsonencode({
    ///     Version = "2012-10-17"
    ///     Statement = [{
    ///       Effect    = "Allow"
    ///       Action    = "sts:AssumeRole"
    ///       Principal = { Service = "codebuild.amazonaws.com" }
    ///     }]
    ///   })
    /// }
    ///
    /// resource "aws_iam_role_policy" "deployer" {
    ///   name = "deploy"
    ///   role = aws_iam_role.deployer.id
    ///   policy = <<-EOT
    ///     {
    ///       "Version": "2012-10-17",
    ///       "Statement": [
    ///         {
    ///           "Effect": "Allow",
    ///           "Action": ["s3:GetObject", "s3:PutObject"],
    ///           "Resource": "arn:aws:s3:::orders-artifacts/*"
    ///         }
    ///       ]
    ///     }
    ///   EOT
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// SEC03-BP02: grant least privilege access; each identity gets only the actions its task
    /// requires.
    pub struct IamWildcardAction {
        code: "SEC016",
        name: "iam-wildcard-action",
        pillar: Security,
        severity: High,
        best_practice: "SEC03-BP02",
        since: "0.1.0",
    }
}

/// Attachments of a managed policy: (resource type, attribute holding the ARN).
const ATTACHMENTS: &[(&str, &str)] = &[
    ("aws_iam_role_policy_attachment", "policy_arn"),
    ("aws_iam_user_policy_attachment", "policy_arn"),
    ("aws_iam_group_policy_attachment", "policy_arn"),
    ("aws_iam_policy_attachment", "policy_arn"),
];

impl Rule for IamWildcardAction {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        for doc in iam_policy::policy_documents(g) {
            let mut wildcards: Vec<String> = Vec::new();
            let mut not_action = false;
            for s in &doc.statements {
                if s.not_action {
                    not_action = true;
                    continue;
                }
                for a in &s.actions {
                    if is_wildcard_action(a) && !wildcards.contains(a) {
                        wildcards.push(a.clone());
                    }
                }
            }
            let message = match (wildcards.is_empty(), not_action) {
                (true, false) => continue,
                (false, false) => {
                    format!("IAM policy allows wildcard actions {}", quoted_list(&wildcards, 5))
                }
                (true, true) => "IAM policy allows every action except those in NotAction".to_string(),
                (false, true) => format!(
                    "IAM policy allows wildcard actions {} and every action except those in NotAction",
                    quoted_list(&wildcards, 5)
                ),
            };
            let finding = ctx.report(doc.resource, Some(doc.attr), message);
            if doc.resource.data {
                for edge in g.referrers(doc.resource) {
                    finding.related(edge.from, Some(edge.attr), "uses this policy document");
                }
            }
        }

        let mut reported_roles: Vec<String> = Vec::new();
        for (rtype, attr) in ATTACHMENTS {
            for a in g.of_type(rtype) {
                let Some(arn) = a.attr(attr) else { continue };
                if !iam_policy::names_administrator_access(g, arn) {
                    continue;
                }
                let roles = a
                    .attr("role")
                    .map(|r| g.linked(r, "aws_iam_role", "name"))
                    .unwrap_or_default();
                reported_roles.extend(roles.iter().map(|r| r.address.clone()));
                let finding = ctx.report(
                    a,
                    Some(attr),
                    "attaches the AWS managed AdministratorAccess policy (\"Action\": \"*\")",
                );
                for role in roles {
                    finding.related(role, None, "the role that receives full administrator access");
                }
            }
        }
        for role in g.of_type("aws_iam_role") {
            let Some(arns) = role.attr("managed_policy_arns") else {
                continue;
            };
            // In a plan, managed_policy_arns mirrors the attachments already reported above.
            if reported_roles.contains(&role.address) {
                continue;
            }
            let admin = match arns {
                crate::graph::Value::List(items) => items.iter().any(|v| iam_policy::names_administrator_access(g, v)),
                other => iam_policy::names_administrator_access(g, other),
            };
            if admin {
                ctx.report(
                    role,
                    Some("managed_policy_arns"),
                    "role has the AWS managed AdministratorAccess policy in managed_policy_arns (\"Action\": \"*\")",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    #[test]
    fn json_string_heredoc_and_jsonencode_are_read() {
        let tf = r#"
            resource "aws_iam_policy" "string" {
              policy = "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"
            }
            resource "aws_iam_user_policy" "heredoc" {
              user   = "ci"
              policy = <<-EOF
                {"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["ec2:*"],"Resource":"*"}}
              EOF
            }
            resource "aws_sqs_queue" "q" {}
            resource "aws_sqs_queue_policy" "encoded" {
              queue_url = aws_sqs_queue.q.id
              policy = jsonencode({
                Statement = [{ Effect = "Allow", Action = "sqs:*", Resource = aws_sqs_queue.q.arn, Principal = "*" }]
              })
            }
        "#;
        assert_eq!(
            flagged("SEC016", tf),
            [
                "aws_iam_policy.string",
                "aws_iam_user_policy.heredoc",
                "aws_sqs_queue_policy.encoded"
            ]
        );
        let f = findings("SEC016", tf);
        assert!(f.iter().any(|f| f.message.contains("\"ec2:*\"")), "{f:?}");
    }

    #[test]
    fn deny_statements_and_narrow_wildcards_are_fine() {
        let tf = r#"
            resource "aws_s3_bucket_policy" "tls" {
              bucket = "orders"
              policy = jsonencode({
                Statement = [
                  { Effect = "Deny", Action = "s3:*", Principal = "*", Resource = "arn:aws:s3:::orders/*",
                    Condition = { Bool = { "aws:SecureTransport" = "false" } } },
                  { Effect = "Allow", Action = ["s3:Get*", "s3:List*"], Principal = { AWS = "arn:aws:iam::123456789012:root" },
                    Resource = "arn:aws:s3:::orders/*" }
                ]
              })
            }
        "#;
        assert!(flagged("SEC016", tf).is_empty());
    }

    #[test]
    fn policy_document_data_source_is_reported_once_with_its_users() {
        let tf = r#"
            data "aws_iam_policy_document" "admin" {
              statement {
                actions   = ["iam:*"]
                resources = ["*"]
              }
            }
            resource "aws_iam_policy" "admin" { policy = data.aws_iam_policy_document.admin.json }
            resource "aws_iam_role_policy" "admin" {
              role   = "ops"
              policy = data.aws_iam_policy_document.admin.json
            }
        "#;
        let f = findings("SEC016", tf);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].resource, "data.aws_iam_policy_document.admin");
        assert_eq!(f[0].related.len(), 2);
    }

    #[test]
    fn unknown_effect_and_unknown_actions_are_not_flagged() {
        let tf = r#"
            variable "effect" {}
            variable "actions" { type = list(string) }
            data "aws_iam_policy_document" "a" {
              statement {
                effect    = var.effect
                actions   = ["s3:*"]
                resources = ["*"]
              }
              statement {
                actions   = var.actions
                resources = ["*"]
              }
            }
            resource "aws_iam_policy" "b" { policy = var.actions[0] }
        "#;
        assert!(flagged("SEC016", tf).is_empty());
    }

    #[test]
    fn deny_in_data_source_and_not_action_allow() {
        let tf = r#"
            data "aws_iam_policy_document" "guard" {
              statement {
                effect    = "Deny"
                actions   = ["*"]
                resources = ["*"]
              }
            }
            data "aws_iam_policy_document" "almost_admin" {
              statement {
                not_actions = ["iam:*"]
                resources   = ["*"]
              }
            }
        "#;
        assert_eq!(flagged("SEC016", tf), ["data.aws_iam_policy_document.almost_admin"]);
    }

    #[test]
    fn inline_policy_of_a_role() {
        let tf = r#"
            resource "aws_iam_role" "r" {
              assume_role_policy = "{}"
              inline_policy {
                name   = "all"
                policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "dynamodb:*", Resource = "*" }] })
              }
            }
        "#;
        let f = findings("SEC016", tf);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("dynamodb:*"));
    }

    #[test]
    fn administrator_access_attachments() {
        let tf = r#"
            resource "aws_iam_role" "ops" {
              name               = "ops"
              assume_role_policy = "{}"
            }
            resource "aws_iam_role_policy_attachment" "ops" {
              role       = aws_iam_role.ops.name
              policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
            }
            resource "aws_iam_role_policy_attachment" "ro" {
              role       = aws_iam_role.ops.name
              policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
            }
            data "aws_iam_policy" "admin" { name = "AdministratorAccess" }
            resource "aws_iam_role" "legacy" {
              assume_role_policy  = "{}"
              managed_policy_arns = [data.aws_iam_policy.admin.arn]
            }
        "#;
        assert_eq!(
            flagged("SEC016", tf),
            ["aws_iam_role.legacy", "aws_iam_role_policy_attachment.ops"]
        );
    }

    #[test]
    fn policies_in_counted_modules() {
        let files = [
            (
                "main.tf",
                r#"
                module "svc" {
                  source  = "./svc"
                  count   = 2
                  actions = ["s3:*"]
                }
            "#,
            ),
            (
                "svc/main.tf",
                r#"
                variable "actions" { type = list(string) }
                data "aws_iam_policy_document" "this" {
                  statement {
                    actions   = var.actions
                    resources = ["arn:aws:s3:::svc/*"]
                  }
                }
                resource "aws_iam_policy" "this" { policy = data.aws_iam_policy_document.this.json }
            "#,
            ),
        ];
        let mut found: Vec<String> = findings_in("SEC016", &files).into_iter().map(|f| f.resource).collect();
        found.sort();
        assert_eq!(
            found,
            [
                "module.svc[0].data.aws_iam_policy_document.this",
                "module.svc[1].data.aws_iam_policy_document.this"
            ]
        );
    }
}
