use crate::declare_rule;
use crate::graph::{Graph, Resource, Value};
use crate::rules::reliability::s3_bucket_unversioned::BucketIndex;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_s3_bucket` marked as critical that has no replication: no
    /// `aws_s3_bucket_replication_configuration` whose `bucket` references it (or equals its
    /// literal name) with a rule that is not `Disabled`, and no legacy inline
    /// `replication_configuration` block.
    ///
    /// **Tag convention.** A bucket is critical when its `tags` contain one of the keys
    /// `Criticality` (in any letter case, e.g. `criticality`) or `wellarch:critical` with one
    /// of the values `critical`, `high` or `true` (in any letter case):
    ///
    /// ```hcl
    /// tags = { Criticality = "High" }          # critical
    /// tags = { "wellarch:critical" = "true" }  # critical
    /// tags = { Criticality = "low" }           # not critical
    /// ```
    ///
    /// Buckets without such a tag are never flagged. A critical bucket that is itself the
    /// destination of a replication rule is the replica and is not flagged. The rule does
    /// not check that the destination is in another Region: same-Region replication counts.
    ///
    /// ## Why is this bad?
    /// S3 is durable within a Region, but a regional outage, an account compromise or a
    /// mistaken bulk delete hits every copy in that bucket. For data the business has marked
    /// critical, a replica in another bucket (ideally another Region or account) is what
    /// recovery starts from; without one, the recovery point is "whatever survived".
    ///
    /// Tags and replication settings are read as known values: a tag whose value is unknown
    /// does not make the bucket critical, while a replication configuration whose `bucket`
    /// is unknown and cannot be traced is assumed to cover the buckets of its module.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_bucket" "contracts" {
    ///   bucket = "acme-contracts"
    ///   tags = {
    ///     Criticality = "high"
    ///   }
    /// }
    ///
    /// resource "aws_s3_bucket_versioning" "contracts" {
    ///   bucket = aws_s3_bucket.contracts.id
    ///   versioning_configuration {
    ///     status = "Enabled"
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_s3_bucket" "contracts" {
    ///   bucket = "acme-contracts"
    ///   tags = {
    ///     Criticality = "high"
    ///   }
    /// }
    ///
    /// resource "aws_s3_bucket_versioning" "contracts" {
    ///   bucket = aws_s3_bucket.contracts.id
    ///   versioning_configuration {
    ///     status = "Enabled"
    ///   }
    /// }
    ///
    /// resource "aws_s3_bucket_replication_configuration" "contracts" {
    ///   depends_on = [aws_s3_bucket_versioning.contracts]
    ///   bucket     = aws_s3_bucket.contracts.id
    ///   role       = "arn:aws:iam::111122223333:role/s3-replication"
    ///
    ///   rule {
    ///     id     = "all"
    ///     status = "Enabled"
    ///     destination {
    ///       bucket        = "arn:aws:s3:::acme-contracts-replica"
    ///       storage_class = "STANDARD_IA"
    ///     }
    ///   }
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// REL09-BP03: perform data backup automatically; replication copies every new object
    /// to a second bucket as it is written.
    pub struct CriticalBucketWithoutReplication {
        code: "REL011",
        name: "critical-bucket-without-replication",
        pillar: Reliability,
        severity: Medium,
        best_practice: "REL09-BP03",
        since: "0.1.0",
    }
}

const CRITICAL_VALUES: &[&str] = &["critical", "high", "true"];

/// The tag that marks the bucket critical, as `Key = "value"`.
pub fn critical_tag(bucket: &Resource) -> Option<String> {
    let tags = bucket.attr("tags")?.as_map()?;
    tags.iter().find_map(|(key, value)| {
        let marker = key.eq_ignore_ascii_case("criticality") || key == "wellarch:critical";
        let value = value.to_template_string()?;
        (marker && CRITICAL_VALUES.iter().any(|c| value.eq_ignore_ascii_case(c)))
            .then(|| format!("{key} = \"{value}\""))
    })
}

/// A replication rule that is not certainly disabled.
fn active_rules(rules: &[&Value]) -> bool {
    rules
        .iter()
        .any(|r| r.field("status").and_then(Value::as_str) != Some("Disabled"))
}

/// Buckets named as a replication destination (`destination { bucket = <arn> }`).
fn is_destination(g: &Graph, bucket: &Resource) -> bool {
    let name = bucket.str_attr("bucket");
    let mut rules: Vec<&Value> = Vec::new();
    for cfg in g.of_type("aws_s3_bucket_replication_configuration") {
        rules.extend(cfg.attrs.blocks("rule"));
    }
    for b in g.of_type("aws_s3_bucket") {
        for cfg in b.attrs.blocks("replication_configuration") {
            rules.extend(cfg.blocks("rules"));
        }
    }
    rules
        .iter()
        .flat_map(|r| r.blocks("destination"))
        .filter_map(|d| d.field("bucket"))
        .any(|arn| {
            g.targets(arn, "aws_s3_bucket")
                .iter()
                .any(|t| t.address == bucket.address)
                || arn
                    .as_str()
                    .is_some_and(|a| Some(a.trim_start_matches("arn:aws:s3:::")) == name)
        })
}

fn has_replication(replications: &BucketIndex<'_>, bucket: &Resource) -> bool {
    let inline = bucket.attrs.blocks("replication_configuration");
    if inline
        .iter()
        .any(|cfg| cfg.is_unknown() || active_rules(&cfg.blocks("rules")))
    {
        return true;
    }
    replications.get(bucket).iter().any(|cfg| {
        let rules = cfg.attrs.blocks("rule");
        rules.is_empty() || active_rules(&rules)
    })
}

impl Rule for CriticalBucketWithoutReplication {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        let replications = BucketIndex::new(g, "aws_s3_bucket_replication_configuration", "bucket");
        for bucket in g.of_type("aws_s3_bucket") {
            let Some(tag) = critical_tag(bucket) else { continue };
            if has_replication(&replications, bucket) || is_destination(g, bucket) {
                continue;
            }
            let disabled = replications.get(bucket);
            let msg = if disabled.is_empty() {
                format!("critical S3 bucket ({tag}) has no replication configuration")
            } else {
                format!("critical S3 bucket ({tag}) has replication configured but every rule is Disabled")
            };
            let finding = ctx.report(bucket, Some("tags"), msg);
            for cfg in disabled {
                finding.related(cfg, Some("rule"), "every replication rule here is Disabled");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    #[test]
    fn tag_convention() {
        let tf = r#"
            resource "aws_s3_bucket" "a" { tags = { Criticality = "High" } }
            resource "aws_s3_bucket" "b" { tags = { criticality = "CRITICAL" } }
            resource "aws_s3_bucket" "c" { tags = { "wellarch:critical" = true } }
            resource "aws_s3_bucket" "d" { tags = { Criticality = "low" } }
            resource "aws_s3_bucket" "e" { tags = { Owner = "high" } }
            resource "aws_s3_bucket" "f" {}
        "#;
        assert_eq!(
            flagged("REL011", tf),
            ["aws_s3_bucket.a", "aws_s3_bucket.b", "aws_s3_bucket.c"]
        );
    }

    #[test]
    fn replication_by_resource_by_name_and_inline_counts() {
        let tf = r#"
            resource "aws_s3_bucket" "ref" { tags = { Criticality = "high" } }
            resource "aws_s3_bucket_replication_configuration" "ref" {
              bucket = aws_s3_bucket.ref.id
              rule {
                status = "Enabled"
                destination { bucket = "arn:aws:s3:::elsewhere" }
              }
            }
            resource "aws_s3_bucket" "name" {
              bucket = "acme-name"
              tags   = { Criticality = "high" }
            }
            resource "aws_s3_bucket_replication_configuration" "name" {
              bucket = "acme-name"
              rule {
                status = "Enabled"
                destination { bucket = "arn:aws:s3:::elsewhere" }
              }
            }
            resource "aws_s3_bucket" "inline" {
              tags = { Criticality = "high" }
              replication_configuration {
                role = "arn:aws:iam::111122223333:role/r"
                rules {
                  status = "Enabled"
                  destination { bucket = "arn:aws:s3:::elsewhere" }
                }
              }
            }
        "#;
        assert!(flagged("REL011", tf).is_empty());
    }

    #[test]
    fn disabled_rules_are_flagged_with_the_configuration_related() {
        let tf = r#"
            resource "aws_s3_bucket" "b" { tags = { Criticality = "high" } }
            resource "aws_s3_bucket_replication_configuration" "b" {
              bucket = aws_s3_bucket.b.id
              rule {
                status = "Disabled"
                destination { bucket = "arn:aws:s3:::elsewhere" }
              }
            }
        "#;
        let found = findings("REL011", tf);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("Disabled"), "{}", found[0].message);
        assert_eq!(found[0].related.len(), 1);
    }

    #[test]
    fn the_replica_itself_is_not_flagged() {
        let tf = r#"
            resource "aws_s3_bucket" "src" { tags = { Criticality = "high" } }
            resource "aws_s3_bucket" "dst" { tags = { Criticality = "high" } }
            resource "aws_s3_bucket" "dst2" {
              bucket = "acme-dst2"
              tags   = { Criticality = "high" }
            }
            resource "aws_s3_bucket_replication_configuration" "src" {
              bucket = aws_s3_bucket.src.id
              rule {
                status = "Enabled"
                destination { bucket = aws_s3_bucket.dst.arn }
              }
              rule {
                status = "Enabled"
                destination { bucket = "arn:aws:s3:::acme-dst2" }
              }
            }
        "#;
        assert!(flagged("REL011", tf).is_empty());
    }

    #[test]
    fn unknown_tag_values_and_untraceable_configurations_do_not_flag() {
        let tf = r#"
            variable "criticality" { type = string }
            variable "bucket" { type = string }
            resource "aws_s3_bucket" "unknown_tag" { tags = { Criticality = var.criticality } }
            resource "aws_s3_bucket" "untraced" {
              bucket = var.bucket
              tags   = { Criticality = "critical" }
            }
            resource "aws_s3_bucket_replication_configuration" "untraced" {
              bucket = var.bucket
              rule {
                status = "Enabled"
                destination { bucket = "arn:aws:s3:::elsewhere" }
              }
            }
        "#;
        assert!(flagged("REL011", tf).is_empty());
    }

    #[test]
    fn tags_from_a_module_and_counted_buckets() {
        let files = [
            (
                "main.tf",
                r#"
                module "store" {
                  source = "./store"
                  tags   = { Criticality = "Critical", Team = "billing" }
                }
            "#,
            ),
            (
                "store/main.tf",
                r#"
                variable "tags" { type = map(string) }
                resource "aws_s3_bucket" "b" {
                  count = 2
                  tags  = merge(var.tags, { Index = count.index })
                }
                resource "aws_s3_bucket_replication_configuration" "b" {
                  bucket = aws_s3_bucket.b[0].id
                  rule {
                    status = "Enabled"
                    destination { bucket = "arn:aws:s3:::elsewhere" }
                  }
                }
            "#,
            ),
        ];
        let found: Vec<String> = findings_in("REL011", &files).into_iter().map(|f| f.resource).collect();
        assert_eq!(found, ["module.store.aws_s3_bucket.b[1]"]);
    }
}
