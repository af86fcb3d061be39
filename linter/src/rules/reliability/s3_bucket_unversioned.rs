use std::collections::{HashMap, HashSet};

use crate::declare_rule;
use crate::graph::{Graph, Resource, Value};
use crate::rules::reliability::aurora_single_az::untraceable;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_s3_bucket` whose versioning is not enabled: no `aws_s3_bucket_versioning`
    /// for it with `versioning_configuration { status = "Enabled" }`, and no legacy inline
    /// `versioning { enabled = true }` block. A new bucket is unversioned by default.
    /// A versioning resource belongs to a bucket when its `bucket` references the bucket or
    /// equals the bucket's literal name.
    ///
    /// Buckets that receive access logs are not flagged: a bucket named as `target_bucket` of
    /// an `aws_s3_bucket_logging` (or of a legacy inline `logging` block) exists only to
    /// collect logs, which are appended and never overwritten, and versioning them mostly
    /// adds cost.
    ///
    /// ## Why is this bad?
    /// Without versioning, a `PUT` over an existing key or a `DELETE` (from an application
    /// bug, a mis-scoped sync or a compromised credential) destroys the object for good.
    /// With versioning, every overwrite and delete keeps the previous version, which can be
    /// restored; lifecycle rules can expire old versions to bound the cost.
    ///
    /// Unknowns are never counted against the bucket: an unknown `status` or `enabled` counts
    /// as enabled, and a versioning resource whose `bucket` is unknown and cannot be traced to
    /// a bucket is assumed to cover the buckets of its module.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_bucket" "invoices" {
    ///   bucket = "acme-invoices"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_s3_bucket" "invoices" {
    ///   bucket = "acme-invoices"
    /// }
    ///
    /// resource "aws_s3_bucket_versioning" "invoices" {
    ///   bucket = aws_s3_bucket.invoices.id
    ///
    ///   versioning_configuration {
    ///     status = "Enabled"
    ///   }
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// REL09-BP01: identify and back up all data that needs to be backed up; versioning keeps
    /// every overwritten or deleted object recoverable, while log buckets hold data that is
    /// reproduced from its sources.
    pub struct S3BucketUnversioned {
        code: "REL010",
        name: "s3-bucket-unversioned",
        pillar: Reliability,
        severity: Medium,
        best_practice: "REL09-BP01",
        since: "0.1.0",
    }
}

/// Whether a `bucket` argument (of a versioning, logging or replication resource)
/// designates `bucket`: by reference, by literal name, or (when it is unknown and cannot
/// be traced) possibly any bucket of its own module.
pub fn designates(g: &Graph, value: &Value, from: &Resource, bucket: &Resource) -> bool {
    g.linked(value, "aws_s3_bucket", "bucket")
        .iter()
        .any(|b| b.address == bucket.address)
        || (from.module == bucket.module && untraceable(g, value, "aws_s3_bucket", "bucket"))
}

/// The resources of one type that designate each bucket through one attribute (see
/// [`designates`]), computed once for every bucket: [`BucketIndex::get`] answers what
/// [`bucket_resources`] answers, without scanning every resource for every bucket.
pub struct BucketIndex<'g> {
    /// Bucket address -> (position in `of_type` order, resource) that link to it.
    linked: HashMap<&'g str, Vec<(usize, &'g Resource)>>,
    /// Module -> resources of that module whose attribute cannot be traced to a bucket.
    untraceable: HashMap<&'g str, Vec<(usize, &'g Resource)>>,
}

impl<'g> BucketIndex<'g> {
    pub fn new(g: &'g Graph, rtype: &str, attr: &str) -> BucketIndex<'g> {
        let mut index = BucketIndex {
            linked: HashMap::new(),
            untraceable: HashMap::new(),
        };
        for (i, r) in g.of_type(rtype).enumerate() {
            let Some(v) = r.attr(attr) else { continue };
            let buckets = g.linked(v, "aws_s3_bucket", "bucket");
            if buckets.is_empty() && v.strings().is_empty() && !v.is_null() {
                index.untraceable.entry(r.module.as_str()).or_default().push((i, r));
            }
            for b in buckets {
                let list = index.linked.entry(b.address.as_str()).or_default();
                if !list.iter().any(|(j, _)| *j == i) {
                    list.push((i, r));
                }
            }
        }
        index
    }

    /// The resources designating `bucket`, in graph order.
    pub fn get(&self, bucket: &Resource) -> Vec<&'g Resource> {
        let none: &[(usize, &Resource)] = &[];
        let linked = self.linked.get(bucket.address.as_str()).map_or(none, |v| v.as_slice());
        let untraceable = self
            .untraceable
            .get(bucket.module.as_str())
            .map_or(none, |v| v.as_slice());
        if untraceable.is_empty() {
            return linked.iter().map(|(_, r)| *r).collect();
        }
        let mut all: Vec<(usize, &'g Resource)> = linked.iter().chain(untraceable).copied().collect();
        all.sort_by_key(|(i, _)| *i);
        all.dedup_by_key(|(i, _)| *i);
        all.into_iter().map(|(_, r)| r).collect()
    }
}

pub fn bucket_resources<'g>(g: &'g Graph, rtype: &str, attr: &str, bucket: &Resource) -> Vec<&'g Resource> {
    BucketIndex::new(g, rtype, attr).get(bucket)
}

fn not_enabled<'g>(versionings: &BucketIndex<'g>, bucket: &Resource) -> Option<(Option<&'g Resource>, String)> {
    // Legacy inline block.
    let inline = bucket.attrs.blocks("versioning");
    let maybe_enabled = |b: &&Value| match b.field("enabled") {
        Some(e) => e.as_bool() != Some(false),
        // `enabled` defaults to false; a block that is itself unknown may enable it.
        None => b.is_unknown(),
    };
    if inline.iter().any(maybe_enabled) {
        return None;
    }
    let resources = versionings.get(bucket);
    let mut suspended = None;
    for v in &resources {
        let configs = v.attrs.blocks("versioning_configuration");
        if configs.is_empty() {
            continue;
        }
        for c in configs {
            match c.field("status").map(|s| s.as_str()) {
                Some(Some("Enabled")) => return None,
                Some(Some(status)) => suspended = Some((*v, status.to_string())),
                // Unknown status or unknown block: may be enabled.
                _ => return None,
            }
        }
    }
    Some(match suspended {
        Some((v, status)) => (
            Some(v),
            format!("S3 bucket versioning is not enabled: status = \"{status}\""),
        ),
        None if !inline.is_empty() => (
            None,
            "S3 bucket versioning is not enabled: versioning { enabled = false }".into(),
        ),
        None => (
            None,
            "S3 bucket is not versioned: no aws_s3_bucket_versioning with status = \"Enabled\"".into(),
        ),
    })
}

/// Addresses of the buckets that some bucket's legacy inline `logging` block writes to.
fn inline_log_targets(g: &Graph) -> HashSet<&str> {
    let mut out = HashSet::new();
    for b in g.of_type("aws_s3_bucket") {
        for l in b.attrs.blocks("logging") {
            if let Some(t) = l.field("target_bucket") {
                out.extend(
                    g.linked(t, "aws_s3_bucket", "bucket")
                        .into_iter()
                        .map(|x| x.address.as_str()),
                );
            }
        }
    }
    out
}

impl Rule for S3BucketUnversioned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        let versionings = BucketIndex::new(g, "aws_s3_bucket_versioning", "bucket");
        let loggings = BucketIndex::new(g, "aws_s3_bucket_logging", "target_bucket");
        let inline_targets = inline_log_targets(g);
        for bucket in g.of_type("aws_s3_bucket") {
            let is_log_target = !loggings.get(bucket).is_empty() || inline_targets.contains(bucket.address.as_str());
            if is_log_target {
                continue;
            }
            if let Some((versioning, msg)) = not_enabled(&versionings, bucket) {
                let attr = if bucket.attr("versioning").is_some() {
                    Some("versioning")
                } else {
                    None
                };
                let finding = ctx.report(bucket, attr, msg);
                if let Some(v) = versioning {
                    finding.related(v, Some("versioning_configuration"), "versioning is suspended here");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    #[test]
    fn versioning_by_reference_by_name_and_inline() {
        let tf = r#"
            resource "aws_s3_bucket" "ref" { bucket = "a" }
            resource "aws_s3_bucket_versioning" "ref" {
              bucket = aws_s3_bucket.ref.id
              versioning_configuration { status = "Enabled" }
            }
            resource "aws_s3_bucket" "name" { bucket = "b" }
            resource "aws_s3_bucket_versioning" "name" {
              bucket = "b"
              versioning_configuration { status = "Enabled" }
            }
            resource "aws_s3_bucket" "inline" {
              bucket = "c"
              versioning { enabled = true }
            }
            resource "aws_s3_bucket" "none" { bucket = "d" }
        "#;
        assert_eq!(flagged("REL010", tf), ["aws_s3_bucket.none"]);
    }

    #[test]
    fn suspended_and_disabled_inline_are_flagged_with_the_status() {
        let tf = r#"
            resource "aws_s3_bucket" "susp" {}
            resource "aws_s3_bucket_versioning" "susp" {
              bucket = aws_s3_bucket.susp.bucket
              versioning_configuration { status = "Suspended" }
            }
            resource "aws_s3_bucket" "off" {
              versioning { enabled = false }
            }
        "#;
        let mut found = findings("REL010", tf);
        found.sort_by(|a, b| a.resource.cmp(&b.resource));
        assert_eq!(found.len(), 2);
        assert!(found[0].message.contains("enabled = false"), "{}", found[0].message);
        assert!(found[1].message.contains("Suspended"), "{}", found[1].message);
        assert_eq!(
            found[1].related.first().map(|r| r.resource.as_str()),
            Some("aws_s3_bucket_versioning.susp")
        );
    }

    #[test]
    fn unknown_status_and_untraceable_bucket_are_not_flagged() {
        let tf = r#"
            variable "status" { type = string }
            variable "bucket" { type = string }
            resource "aws_s3_bucket" "a" {}
            resource "aws_s3_bucket_versioning" "a" {
              bucket = aws_s3_bucket.a.id
              versioning_configuration { status = var.status }
            }
            resource "aws_s3_bucket" "b" { bucket = var.bucket }
            resource "aws_s3_bucket_versioning" "b" {
              bucket = var.bucket
              versioning_configuration { status = "Enabled" }
            }
        "#;
        assert!(flagged("REL010", tf).is_empty());
    }

    #[test]
    fn access_log_targets_are_skipped() {
        let tf = r#"
            resource "aws_s3_bucket" "logs" { bucket = "acme-logs" }
            resource "aws_s3_bucket" "legacy_logs" { bucket = "acme-legacy-logs" }
            resource "aws_s3_bucket" "data" {
              bucket = "acme-data"
              versioning { enabled = true }
              logging { target_bucket = aws_s3_bucket.legacy_logs.id }
            }
            resource "aws_s3_bucket_logging" "data" {
              bucket        = aws_s3_bucket.data.id
              target_bucket = "acme-logs"
              target_prefix = "data/"
            }
        "#;
        assert!(flagged("REL010", tf).is_empty());
    }

    #[test]
    fn counted_buckets_and_a_versioning_module() {
        let files = [
            (
                "main.tf",
                r#"
                resource "aws_s3_bucket" "b" {
                  count  = 2
                  bucket = "acme-${count.index}"
                }
                module "versioning" {
                  source = "./versioning"
                  bucket = aws_s3_bucket.b[0].id
                }
            "#,
            ),
            (
                "versioning/main.tf",
                r#"
                variable "bucket" { type = string }
                resource "aws_s3_bucket_versioning" "this" {
                  bucket = var.bucket
                  versioning_configuration { status = "Enabled" }
                }
            "#,
            ),
        ];
        let found: Vec<String> = findings_in("REL010", &files).into_iter().map(|f| f.resource).collect();
        assert_eq!(found, ["aws_s3_bucket.b[1]"]);
    }
}
