use std::collections::{HashMap, HashSet};

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
/// Addresses of the buckets that a load balancer writes access or connection logs to.
fn elb_log_buckets(g: &Graph) -> HashSet<&str> {
    let mut out = HashSet::new();
    for lb in ["aws_lb", "aws_alb", "aws_elb"].iter().flat_map(|t| g.of_type(t)) {
        for block in ["access_logs", "connection_logs"]
            .iter()
            .flat_map(|k| lb.attrs.blocks(k))
        {
            if let Some(v) = block.field("bucket") {
                out.extend(
                    g.linked(v, "aws_s3_bucket", "bucket")
                        .into_iter()
                        .map(|b| b.address.as_str()),
                );
            }
        }
    }
    out
}

/// Per bucket address, the resources of `rtype` whose `bucket` argument designates it (by
/// reference or by its name), in graph order; and the modules holding such a resource whose
/// `bucket` is unknown and references nothing (it may designate any bucket of its module).
pub fn bucket_links<'g>(g: &'g Graph, rtype: &str) -> (HashMap<&'g str, Vec<&'g Resource>>, HashSet<&'g str>) {
    let mut linked: HashMap<&str, Vec<&Resource>> = HashMap::new();
    let mut unknown_in: HashSet<&str> = HashSet::new();
    for c in g.of_type(rtype) {
        let Some(v) = c.attr("bucket") else { continue };
        let buckets = g.linked(v, "aws_s3_bucket", "bucket");
        if buckets.is_empty() && v.is_unknown() && v.refs().is_empty() {
            unknown_in.insert(c.module.as_str());
        }
        for b in buckets {
            let list = linked.entry(b.address.as_str()).or_default();
            if !list.iter().any(|x| std::ptr::eq(*x, c)) {
                list.push(c);
            }
        }
    }
    (linked, unknown_in)
}

impl Rule for S3DefaultEncryptionKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        let (linked, unknown_in) = bucket_links(g, SSE_CONFIG);
        let log_buckets = elb_log_buckets(g);
        for bucket in g.of_type("aws_s3_bucket") {
            let configs: Vec<&Resource> = linked.get(bucket.address.as_str()).cloned().unwrap_or_default();
            let maybe = unknown_in.contains(bucket.module.as_str());
            let separate: Vec<Option<&str>> = configs.iter().flat_map(|c| algorithms(&c.attrs)).collect();
            let inline: Vec<Option<&str>> = bucket
                .attrs
                .blocks("server_side_encryption_configuration")
                .into_iter()
                .flat_map(|b| if b.is_unknown() { vec![None] } else { algorithms(b) })
                .collect();
            if maybe
                || separate.iter().chain(&inline).any(|a| is_kms(*a))
                || log_buckets.contains(bucket.address.as_str())
            {
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
