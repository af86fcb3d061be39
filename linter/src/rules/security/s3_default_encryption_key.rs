use crate::declare_rule;
use crate::graph::{Graph, Resource, Value};
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_s3_bucket` whose default encryption does not use KMS: no
    /// `aws_s3_bucket_server_side_encryption_configuration` for the bucket (its `bucket`
    /// referencing the bucket or equal to its name), nor a legacy inline
    /// `server_side_encryption_configuration` block, with `sse_algorithm = "aws:kms"` or
    /// `"aws:kms:dsse"`. Buckets that receive Elastic Load Balancing access or connection logs
    /// are not flagged: log delivery supports only S3-managed keys there.
    ///
    /// ## Why is this bad?
    /// Since January 2023 S3 encrypts every new object with S3-managed keys (SSE-S3), so the
    /// data is encrypted at rest either way, hence the low severity. But with SSE-S3 anyone
    /// allowed `s3:GetObject` reads the data: there is no key policy as a second, independent
    /// access control, no CloudTrail record of each decryption, and no way to cut off access
    /// by disabling a key. SSE-KMS (with an S3 Bucket Key to keep KMS costs down) adds all three.
    ///
    /// An `sse_algorithm` that is not known before apply counts as KMS, and a configuration
    /// whose `bucket` is not known (and references nothing) is taken to apply to the buckets
    /// of its own module.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_bucket" "invoices" {
    ///   bucket = "acme-invoices"
    /// }
    ///
    /// resource "aws_s3_bucket_server_side_encryption_configuration" "invoices" {
    ///   bucket = aws_s3_bucket.invoices.id
    ///   rule {
    ///     apply_server_side_encryption_by_default {
    ///       sse_algorithm = "AES256"
    ///     }
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_kms_key" "invoices" {
    ///   description         = "invoices bucket"
    ///   enable_key_rotation = true
    /// }
    ///
    /// resource "aws_s3_bucket" "invoices" {
    ///   bucket = "acme-invoices"
    /// }
    ///
    /// resource "aws_s3_bucket_server_side_encryption_configuration" "invoices" {
    ///   bucket = aws_s3_bucket.invoices.id
    ///   rule {
    ///     apply_server_side_encryption_by_default {
    ///       sse_algorithm     = "aws:kms"
    ///       kms_master_key_id = aws_kms_key.invoices.arn
    ///     }
    ///     bucket_key_enabled = true
    ///   }
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// SEC08-BP01: implement secure key management; object data is protected by keys whose
    /// policy and use you control and audit.
    pub struct S3DefaultEncryptionKey {
        code: "SEC009",
        name: "s3-default-encryption-key",
        pillar: Security,
        severity: Low,
        best_practice: "SEC08-BP01",
        since: "0.1.0",
    }
}

const SSE_CONFIG: &str = "aws_s3_bucket_server_side_encryption_configuration";

/// Whether `value` (a `bucket` argument) designates `bucket`: by reference or by its name.
/// `Some(false)` when it certainly does not, `None` when it is unknown and references nothing.
fn designates(g: &Graph, value: &Value, bucket: &Resource) -> Option<bool> {
    if g.linked(value, "aws_s3_bucket", "bucket")
        .iter()
        .any(|b| b.address == bucket.address)
    {
        return Some(true);
    }
    if value.is_unknown() && value.refs().is_empty() {
        return None;
    }
    Some(false)
}

/// The `sse_algorithm` values of `rule { apply_server_side_encryption_by_default {} }` blocks;
/// an unknown block or algorithm is returned as `None`.
fn algorithms(container: &Value) -> Vec<Option<&str>> {
    let mut out = Vec::new();
    for rule in container.blocks("rule") {
        if rule.is_unknown() {
            out.push(None);
            continue;
        }
        for default in rule.blocks("apply_server_side_encryption_by_default") {
            match default.field("sse_algorithm") {
                Some(Value::String(s)) => out.push(Some(s.as_str())),
                Some(_) => out.push(None),
                None => {}
            }
            if default.is_unknown() {
                out.push(None);
            }
        }
    }
    out
}

fn is_kms(algorithm: Option<&str>) -> bool {
    algorithm.is_none_or(|a| a == "aws:kms" || a == "aws:kms:dsse")
}

/// Buckets named by load balancers' `access_logs`/`connection_logs` blocks.
fn receives_elb_logs(g: &Graph, bucket: &Resource) -> bool {
    ["aws_lb", "aws_alb", "aws_elb"]
        .iter()
        .flat_map(|t| g.of_type(t))
        .any(|lb| {
            ["access_logs", "connection_logs"]
                .iter()
                .flat_map(|k| lb.attrs.blocks(k))
                .any(|block| {
                    block
                        .field("bucket")
                        .is_some_and(|v| designates(g, v, bucket) == Some(true))
                })
        })
}

impl Rule for S3DefaultEncryptionKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        for bucket in g.of_type("aws_s3_bucket") {
            let mut configs: Vec<&Resource> = Vec::new();
            let mut maybe = false;
            for c in g.of_type(SSE_CONFIG) {
                match c.attr("bucket").map(|v| designates(g, v, bucket)) {
                    Some(Some(true)) => configs.push(c),
                    Some(None) if c.module == bucket.module => maybe = true,
                    _ => {}
                }
            }
            let separate: Vec<Option<&str>> = configs.iter().flat_map(|c| algorithms(&c.attrs)).collect();
            let inline: Vec<Option<&str>> = bucket
                .attrs
                .blocks("server_side_encryption_configuration")
                .into_iter()
                .flat_map(|b| if b.is_unknown() { vec![None] } else { algorithms(b) })
                .collect();
            if maybe || separate.iter().chain(&inline).any(|a| is_kms(*a)) || receives_elb_logs(g, bucket) {
                continue;
            }
            let algorithm = separate.iter().chain(&inline).flatten().next();
            let (attr, message) = match (algorithm, inline.is_empty()) {
                (Some(a), true) => (None, format!("S3 bucket default encryption uses S3-managed keys (sse_algorithm = \"{a}\"), not KMS: no key policy or CloudTrail record of key use")),
                (Some(a), false) => (Some("server_side_encryption_configuration"), format!("S3 bucket default encryption uses S3-managed keys (sse_algorithm = \"{a}\"), not KMS: no key policy or CloudTrail record of key use")),
                (None, _) => (None, "S3 bucket has no server-side encryption configuration with aws:kms: objects get S3-managed keys (SSE-S3), with no key policy or CloudTrail record of key use".to_string()),
            };
            let finding = ctx.report(bucket, attr, message);
            for c in configs {
                finding.related(c, Some("rule"), "sets the bucket's default encryption");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    #[test]
    fn missing_or_sse_s3_configuration_is_flagged() {
        let tf = r#"
            resource "aws_s3_bucket" "none" { bucket = "none" }
            resource "aws_s3_bucket" "aes" { bucket = "aes" }
            resource "aws_s3_bucket_server_side_encryption_configuration" "aes" {
              bucket = aws_s3_bucket.aes.bucket
              rule {
                apply_server_side_encryption_by_default { sse_algorithm = "AES256" }
              }
            }
            resource "aws_s3_bucket" "kms_by_name" { bucket = "kms-by-name" }
            resource "aws_s3_bucket_server_side_encryption_configuration" "kms" {
              bucket = "kms-by-name"
              rule {
                apply_server_side_encryption_by_default { sse_algorithm = "aws:kms:dsse" }
              }
            }
        "#;
        assert_eq!(flagged("SEC009", tf), ["aws_s3_bucket.aes", "aws_s3_bucket.none"]);
        let f = findings("SEC009", tf);
        let aes = f.iter().find(|f| f.resource == "aws_s3_bucket.aes");
        assert!(
            aes.is_some_and(|f| f.message.contains("AES256") && f.related.len() == 1),
            "{f:?}"
        );
    }

    #[test]
    fn legacy_inline_configuration() {
        let tf = r#"
            resource "aws_s3_bucket" "legacy_kms" {
              server_side_encryption_configuration {
                rule {
                  apply_server_side_encryption_by_default { sse_algorithm = "aws:kms" }
                }
              }
            }
            resource "aws_s3_bucket" "legacy_aes" {
              server_side_encryption_configuration {
                rule {
                  apply_server_side_encryption_by_default { sse_algorithm = "AES256" }
                }
              }
            }
        "#;
        assert_eq!(flagged("SEC009", tf), ["aws_s3_bucket.legacy_aes"]);
    }

    #[test]
    fn unknowns_are_not_flagged() {
        let tf = r#"
            variable "algorithm" {}
            variable "bucket_name" {}
            resource "aws_s3_bucket" "a" {}
            resource "aws_s3_bucket_server_side_encryption_configuration" "a" {
              bucket = aws_s3_bucket.a.id
              rule {
                apply_server_side_encryption_by_default { sse_algorithm = var.algorithm }
              }
            }
        "#;
        assert!(flagged("SEC009", tf).is_empty());
        let tf = r#"
            variable "bucket_name" {}
            resource "aws_s3_bucket" "b" { bucket = var.bucket_name }
            resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
              bucket = var.bucket_name
              rule {
                apply_server_side_encryption_by_default { sse_algorithm = "aws:kms" }
              }
            }
        "#;
        assert!(flagged("SEC009", tf).is_empty());
    }

    #[test]
    fn load_balancer_log_buckets_are_not_flagged() {
        let tf = r#"
            resource "aws_s3_bucket" "logs" { bucket = "alb-logs" }
            resource "aws_lb" "web" {
              access_logs {
                bucket  = aws_s3_bucket.logs.id
                enabled = true
              }
            }
        "#;
        assert!(flagged("SEC009", tf).is_empty());
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
                resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
                  bucket = aws_s3_bucket.this[0].id
                  rule {
                    apply_server_side_encryption_by_default { sse_algorithm = "aws:kms" }
                  }
                }
            "#,
            ),
        ];
        let found: Vec<String> = findings_in("SEC009", &files).into_iter().map(|f| f.resource).collect();
        assert_eq!(found, ["module.b.aws_s3_bucket.this[1]"]);
    }
}
