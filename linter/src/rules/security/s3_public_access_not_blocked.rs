use crate::declare_rule;
use crate::graph::Resource;
use crate::rules::security::s3_default_encryption_key::bucket_links;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_s3_bucket` whose public access is not fully blocked in the configuration:
    /// no `aws_s3_bucket_public_access_block` for it (its `bucket` referencing the bucket or
    /// equal to its name) sets all four of `block_public_acls`, `block_public_policy`,
    /// `ignore_public_acls` and `restrict_public_buckets` to `true` (each defaults to `false`).
    /// An account-level `aws_s3_account_public_access_block` counts for every bucket; settings
    /// are combined, so an account block with two settings and a bucket block with the other
    /// two is enough. The message names the settings still missing.
    ///
    /// ## Why is this bad?
    /// One public ACL or one bucket policy with `"Principal": "*"`, written by anyone with
    /// write access to the bucket's configuration, exposes every object to the internet: the
    /// most common cause of S3 data leaks. Block Public Access is the guard rail that makes such
    /// a grant fail. AWS turns it on for buckets created since April 2023, but a bucket whose
    /// block is not in the configuration can have it switched off without Terraform noticing,
    /// and older buckets never had it. Serve public content through CloudFront with origin
    /// access control instead of opening the bucket.
    ///
    /// A setting that is not known before apply counts as `true`; a public access block whose
    /// `bucket` is not known (and references nothing) is taken to apply to the buckets of its
    /// own module.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_bucket" "uploads" {
    ///   bucket = "acme-uploads"
    /// }
    ///
    /// resource "aws_s3_bucket_public_access_block" "uploads" {
    ///   bucket              = aws_s3_bucket.uploads.id
    ///   block_public_acls   = true
    ///   block_public_policy = true
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_s3_bucket" "uploads" {
    ///   bucket = "acme-uploads"
    /// }
    ///
    /// resource "aws_s3_bucket_public_access_block" "uploads" {
    ///   bucket                  = aws_s3_bucket.uploads.id
    ///   block_public_acls       = true
    ///   block_public_policy     = true
    ///   ignore_public_acls      = true
    ///   restrict_public_buckets = true
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// SEC03-BP07: analyze public and cross-account access; public access to data is blocked
    /// unless it is deliberately required.
    pub struct S3PublicAccessNotBlocked {
        code: "SEC014",
        name: "s3-public-access-not-blocked",
        pillar: Security,
        severity: High,
        best_practice: "SEC03-BP07",
        since: "0.1.0",
    }
}

const SETTINGS: [&str; 4] = [
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
];

/// Whether a block sets `setting` (true, or not known before apply; absent is false).
fn sets(block: &Resource, setting: &str) -> bool {
    block.attr(setting).is_some_and(|v| v.as_bool() != Some(false))
}

impl Rule for S3PublicAccessNotBlocked {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        let account: Vec<&Resource> = g.of_type("aws_s3_account_public_access_block").collect();
        let (linked, unknown_in) = bucket_links(g, "aws_s3_bucket_public_access_block");
        for bucket in g.of_type("aws_s3_bucket") {
            let blocks: Vec<&Resource> = linked.get(bucket.address.as_str()).cloned().unwrap_or_default();
            if unknown_in.contains(bucket.module.as_str()) {
                continue;
            }
            let missing: Vec<&str> = SETTINGS
                .iter()
                .copied()
                .filter(|s| !blocks.iter().chain(&account).any(|b| sets(b, s)))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let message = if blocks.is_empty() && account.is_empty() {
                "S3 bucket has no aws_s3_bucket_public_access_block: public ACLs and policies are not blocked in the configuration".to_string()
            } else {
                format!(
                    "S3 bucket public access is not fully blocked: {} not true",
                    missing.join(", ")
                )
            };
            let finding = ctx.report(bucket, None, message);
            for b in blocks.iter().chain(&account) {
                finding.related(b, None, "leaves some public access settings false");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    #[test]
    fn missing_and_partial_blocks_name_the_settings() {
        let tf = r#"
            resource "aws_s3_bucket" "none" { bucket = "none" }
            resource "aws_s3_bucket" "partial" { bucket = "partial" }
            resource "aws_s3_bucket_public_access_block" "partial" {
              bucket                  = aws_s3_bucket.partial.id
              block_public_acls       = true
              block_public_policy     = false
              ignore_public_acls      = true
            }
            resource "aws_s3_bucket" "full" { bucket = "full-by-name" }
            resource "aws_s3_bucket_public_access_block" "full" {
              bucket                  = "full-by-name"
              block_public_acls       = true
              block_public_policy     = true
              ignore_public_acls      = true
              restrict_public_buckets = true
            }
        "#;
        assert_eq!(flagged("SEC014", tf), ["aws_s3_bucket.none", "aws_s3_bucket.partial"]);
        let f = findings("SEC014", tf);
        let partial = f.iter().find(|f| f.resource == "aws_s3_bucket.partial");
        assert!(
            partial.is_some_and(|f| f
                .message
                .ends_with("block_public_policy, restrict_public_buckets not true")
                && f.related.len() == 1),
            "{f:?}"
        );
    }

    #[test]
    fn account_level_block_combines_with_bucket_blocks() {
        let tf = r#"
            resource "aws_s3_account_public_access_block" "acct" {
              block_public_acls   = true
              block_public_policy = true
            }
            resource "aws_s3_bucket" "a" {}
            resource "aws_s3_bucket" "b" {}
            resource "aws_s3_bucket_public_access_block" "b" {
              bucket                  = aws_s3_bucket.b.bucket
              ignore_public_acls      = true
              restrict_public_buckets = true
            }
        "#;
        assert_eq!(flagged("SEC014", tf), ["aws_s3_bucket.a"]);
        let all = r#"
            resource "aws_s3_account_public_access_block" "acct" {
              block_public_acls       = true
              block_public_policy     = true
              ignore_public_acls      = true
              restrict_public_buckets = true
            }
            resource "aws_s3_bucket" "a" {}
        "#;
        assert!(flagged("SEC014", all).is_empty());
    }

    #[test]
    fn unknown_settings_and_unknown_bucket_are_not_flagged() {
        let tf = r#"
            variable "block" { type = bool }
            resource "aws_s3_bucket" "a" {}
            resource "aws_s3_bucket_public_access_block" "a" {
              bucket                  = aws_s3_bucket.a.id
              block_public_acls       = var.block
              block_public_policy     = var.block
              ignore_public_acls      = var.block
              restrict_public_buckets = var.block
            }
        "#;
        assert!(flagged("SEC014", tf).is_empty());
        let tf = r#"
            variable "name" {}
            resource "aws_s3_bucket" "b" { bucket = var.name }
            resource "aws_s3_bucket_public_access_block" "b" {
              bucket                  = var.name
              block_public_acls       = true
              block_public_policy     = true
              ignore_public_acls      = true
              restrict_public_buckets = true
            }
        "#;
        assert!(flagged("SEC014", tf).is_empty());
    }

    #[test]
    fn counted_buckets_in_a_module() {
        let files = [
            ("main.tf", r#"module "b" { source = "./b" }"#),
            (
                "b/main.tf",
                r#"
                resource "aws_s3_bucket" "this" {
                  count  = 2
                  bucket = "data-${count.index}"
                }
                resource "aws_s3_bucket_public_access_block" "this" {
                  count                   = 2
                  bucket                  = aws_s3_bucket.this[count.index].id
                  block_public_acls       = true
                  block_public_policy     = true
                  ignore_public_acls      = true
                  restrict_public_buckets = count.index == 0
                }
            "#,
            ),
        ];
        let found: Vec<String> = findings_in("SEC014", &files).into_iter().map(|f| f.resource).collect();
        assert_eq!(found, ["module.b.aws_s3_bucket.this[1]"]);
    }
}
