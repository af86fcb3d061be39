use crate::declare_rule;
use std::collections::HashSet;

use crate::graph::{Graph, Resource, Value};
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_s3_bucket` with no lifecycle rules: no `aws_s3_bucket_lifecycle_configuration`
    /// whose `bucket` references it (or names it literally), and no legacy inline
    /// `lifecycle_rule` block. Without either, S3 keeps every object (and, on a versioned
    /// bucket, every noncurrent version and incomplete multipart upload) in its storage
    /// class forever.
    ///
    /// ## Why is this bad?
    /// Data that is written once and rarely read stays in S3 Standard at full price, old
    /// versions accumulate silently, and abandoned multipart uploads are billed but invisible
    /// in listings. A lifecycle configuration moves ageing data to cheaper classes and deletes
    /// what is no longer needed.
    ///
    /// A lifecycle configuration (or inline rule) whose rules are all known to be disabled does
    /// not count. One whose `bucket` is unknown (a variable without a value) is taken to cover
    /// every bucket of its module; an unknown `enabled`/`status` counts as enabled.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_bucket" "exports" {
    ///   bucket = "acme-report-exports"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_s3_bucket" "exports" {
    ///   bucket = "acme-report-exports"
    /// }
    ///
    /// resource "aws_s3_bucket_lifecycle_configuration" "exports" {
    ///   bucket = aws_s3_bucket.exports.id
    ///
    ///   rule {
    ///     id     = "age-out"
    ///     status = "Enabled"
    ///     filter {}
    ///
    ///     transition {
    ///       days          = 30
    ///       storage_class = "STANDARD_IA"
    ///     }
    ///     expiration {
    ///       days = 365
    ///     }
    ///     abort_incomplete_multipart_upload {
    ///       days_after_initiation = 7
    ///     }
    ///   }
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// COST04-BP05: enforce data retention policies; lifecycle rules tier and delete objects
    /// automatically.
    pub struct S3WithoutLifecycle {
        code: "COST002",
        name: "s3-without-lifecycle",
        pillar: CostOptimization,
        severity: Low,
        best_practice: "COST04-BP05",
        since: "0.1.0",
    }
}

/// True unless every rule is known to be disabled (`status = "Disabled"` / `enabled = false`).
fn any_rule_enabled(rules: &[&Value], flag: &str) -> bool {
    rules.iter().any(|r| match r.field(flag) {
        Some(Value::String(s)) => s != "Disabled" && s != "false",
        Some(Value::Bool(b)) => *b,
        Some(_) => true,
        // A `rule` block requires `status`; a legacy `lifecycle_rule` requires `enabled`.
        None => !matches!(r, Value::Map(_)),
    })
}

/// Which buckets an enabled `aws_s3_bucket_lifecycle_configuration` may apply to, computed
/// once: by reference, by a literal bucket name, or (bucket unknown before apply) any bucket
/// of its module.
#[derive(Default)]
struct Lifecycles<'g> {
    addresses: HashSet<&'g str>,
    names: HashSet<&'g str>,
    unknown_in: HashSet<&'g str>,
}

impl<'g> Lifecycles<'g> {
    fn new(g: &'g Graph) -> Lifecycles<'g> {
        let mut out = Lifecycles::default();
        for lc in g.of_type("aws_s3_bucket_lifecycle_configuration") {
            if !any_rule_enabled(&lc.attrs.blocks("rule"), "status") {
                continue;
            }
            match lc.attr("bucket") {
                Some(v @ Value::Unknown(refs)) if !refs.is_empty() => out
                    .addresses
                    .extend(g.targets(v, "aws_s3_bucket").into_iter().map(|b| b.address.as_str())),
                Some(Value::Unknown(_)) => {
                    out.unknown_in.insert(lc.module.as_str());
                }
                Some(Value::String(s)) => {
                    out.names.insert(s.as_str());
                }
                _ => {}
            }
        }
        out
    }
}

fn has_lifecycle(lifecycles: &Lifecycles<'_>, bucket: &Resource) -> bool {
    let legacy = bucket.attrs.blocks("lifecycle_rule");
    if any_rule_enabled(&legacy, "enabled") {
        return true;
    }
    lifecycles.addresses.contains(bucket.address.as_str())
        || lifecycles.unknown_in.contains(bucket.module.as_str())
        || bucket.str_attr("bucket").is_some_and(|n| lifecycles.names.contains(n))
}

impl Rule for S3WithoutLifecycle {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        let lifecycles = Lifecycles::new(g);
        for bucket in g.of_type("aws_s3_bucket") {
            if has_lifecycle(&lifecycles, bucket) {
                continue;
            }
            let name = bucket.str_attr("bucket").map(|n| format!(" `{n}`")).unwrap_or_default();
            ctx.report(
                bucket,
                None,
                format!(
                    "S3 bucket{name} has no enabled lifecycle rule, so its objects are never tiered down or expired"
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings_in, flagged};

    #[test]
    fn separate_configuration_by_reference_or_name_and_legacy_rules_count() {
        let tf = r#"
            resource "aws_s3_bucket" "by_ref" { bucket = "a" }
            resource "aws_s3_bucket_lifecycle_configuration" "a" {
              bucket = aws_s3_bucket.by_ref.id
              rule {
                id     = "x"
                status = "Enabled"
                expiration { days = 30 }
              }
            }
            resource "aws_s3_bucket" "by_name" { bucket = "b" }
            resource "aws_s3_bucket_lifecycle_configuration" "b" {
              bucket = "b"
              rule {
                id     = "x"
                status = "Enabled"
                expiration { days = 30 }
              }
            }
            resource "aws_s3_bucket" "legacy" {
              bucket = "c"
              lifecycle_rule {
                enabled = true
                expiration { days = 30 }
              }
            }
            resource "aws_s3_bucket" "bare" { bucket = "d" }
        "#;
        assert_eq!(flagged("COST002", tf), ["aws_s3_bucket.bare"]);
    }

    #[test]
    fn disabled_rules_do_not_count() {
        let tf = r#"
            resource "aws_s3_bucket" "b" { bucket = "b" }
            resource "aws_s3_bucket_lifecycle_configuration" "b" {
              bucket = aws_s3_bucket.b.bucket
              rule {
                id     = "x"
                status = "Disabled"
                expiration { days = 30 }
              }
            }
            resource "aws_s3_bucket" "legacy" {
              bucket = "c"
              lifecycle_rule {
                enabled = false
                expiration { days = 30 }
              }
            }
        "#;
        assert_eq!(flagged("COST002", tf), ["aws_s3_bucket.b", "aws_s3_bucket.legacy"]);
    }

    #[test]
    fn unknown_bucket_covers_its_module_only() {
        let files = [
            (
                "main.tf",
                r#"
                variable "bucket_id" { type = string }
                resource "aws_s3_bucket" "root" { bucket = "root" }
                module "m" {
                  source    = "./m"
                  bucket_id = var.bucket_id
                }
            "#,
            ),
            (
                "m/main.tf",
                r#"
                variable "bucket_id" {}
                resource "aws_s3_bucket" "this" { bucket = "m" }
                resource "aws_s3_bucket_lifecycle_configuration" "this" {
                  bucket = var.bucket_id
                  rule {
                    id     = "x"
                    status = "Enabled"
                    expiration { days = 30 }
                  }
                }
            "#,
            ),
        ];
        let found: Vec<String> = findings_in("COST002", &files).into_iter().map(|f| f.resource).collect();
        assert_eq!(found, ["aws_s3_bucket.root"]);
    }
}
