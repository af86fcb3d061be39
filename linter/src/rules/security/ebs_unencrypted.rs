use crate::declare_rule;
use crate::graph::Value;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags EBS volumes created unencrypted: an `aws_ebs_volume` whose `encrypted` is not
    /// `true` (default `false`); an `aws_instance` (or legacy `aws_launch_configuration`)
    /// `root_block_device` or `ebs_block_device` whose `encrypted` is not `true`, and an
    /// `aws_instance` without `root_block_device` (its root volume takes the unencrypted
    /// default) unless it is launched from a launch template; an `aws_launch_template`
    /// `block_device_mappings { ebs {} }` whose `encrypted` is not `true`. Volumes created from
    /// a `snapshot_id` without `encrypted` follow the snapshot and are not flagged.
    /// Nothing is flagged when the configuration turns on account-level encryption by default
    /// (`aws_ebs_encryption_by_default`, whose `enabled` defaults to `true`).
    ///
    /// ## Why is this bad?
    /// An unencrypted volume, and every snapshot taken of it, can be read by anyone who can
    /// attach it or who is given the snapshot, and sharing a snapshot publicly by mistake
    /// exposes the whole disk. Encryption has no performance cost on current instance types
    /// and cannot be added to an existing volume without copying it.
    ///
    /// An `encrypted` that is not known before apply is not flagged; neither is a `dynamic`
    /// block over an unknown collection. The root volume of an instance without
    /// `root_block_device` is flagged even though an encrypted AMI would encrypt it, because
    /// the common public AMIs are not encrypted.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_ebs_volume" "data" {
    ///   availability_zone = "eu-west-1a"
    ///   size              = 100
    ///   type              = "gp3"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_ebs_volume" "data" {
    ///   availability_zone = "eu-west-1a"
    ///   size              = 100
    ///   type              = "gp3"
    ///   encrypted         = true
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// SEC08-BP02: enforce encryption at rest; block storage and its snapshots are encrypted.
    pub struct EbsUnencrypted {
        code: "SEC011",
        name: "ebs-unencrypted",
        pillar: Security,
        severity: High,
        best_practice: "SEC08-BP02",
        since: "0.1.0",
    }
}

/// `Some(reason)` when a volume definition (a resource's attributes or a block) is certainly
/// unencrypted.
fn unencrypted(volume: &Value) -> Option<&'static str> {
    if volume.is_unknown() {
        return None;
    }
    match volume.field("encrypted") {
        Some(v) => (v.as_bool() == Some(false)).then_some("encrypted = false"),
        // Encryption follows the snapshot the volume is created from.
        None if volume.field("snapshot_id").is_some_and(|s| s.as_str() != Some("")) => None,
        None => Some("encrypted is not set (defaults to false)"),
    }
}

fn device(block: &Value) -> String {
    match block.get("device_name").and_then(Value::as_str) {
        Some(d) => format!(" {d}"),
        None => String::new(),
    }
}

impl Rule for EbsUnencrypted {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        if g.of_type("aws_ebs_encryption_by_default")
            .any(|d| d.bool_attr("enabled") != Some(false))
        {
            return;
        }
        for volume in g.of_type("aws_ebs_volume") {
            if let Some(why) = unencrypted(&volume.attrs) {
                ctx.report(volume, Some("encrypted"), format!("EBS volume is not encrypted: {why}"));
            }
        }
        for rtype in ["aws_instance", "aws_launch_configuration"] {
            for instance in g.of_type(rtype) {
                let roots = instance.attrs.blocks("root_block_device");
                let from_template = !instance.attrs.blocks("launch_template").is_empty();
                if roots.is_empty() && rtype == "aws_instance" && !from_template {
                    ctx.report(
                        instance,
                        None,
                        "EC2 instance root volume is not encrypted: no root_block_device { encrypted = true }",
                    );
                }
                for root in roots {
                    if let Some(why) = unencrypted(root) {
                        ctx.report(
                            instance,
                            Some("root_block_device"),
                            format!("root volume is not encrypted: {why}"),
                        );
                    }
                }
                for ebs in instance.attrs.blocks("ebs_block_device") {
                    if let Some(why) = unencrypted(ebs) {
                        let d = device(ebs);
                        ctx.report(
                            instance,
                            Some("ebs_block_device"),
                            format!("EBS volume{d} is not encrypted: {why}"),
                        );
                    }
                }
            }
        }
        for template in g.of_type("aws_launch_template") {
            for mapping in template.attrs.blocks("block_device_mappings") {
                if mapping.is_unknown() {
                    continue;
                }
                for ebs in mapping.blocks("ebs") {
                    if let Some(why) = unencrypted(ebs) {
                        let d = device(mapping);
                        ctx.report(
                            template,
                            Some("block_device_mappings"),
                            format!("launch template EBS volume{d} is not encrypted: {why}"),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    #[test]
    fn volumes_instances_and_launch_templates() {
        let tf = r#"
            resource "aws_ebs_volume" "plain" { size = 10 }
            resource "aws_ebs_volume" "from_snapshot" { snapshot_id = "snap-0123456789abcdef0" }
            resource "aws_ebs_volume" "enc" {
              size      = 10
              encrypted = true
            }
            resource "aws_instance" "no_root" { ami = "ami-123" }
            resource "aws_instance" "ok" {
              ami = "ami-123"
              root_block_device { encrypted = true }
              ebs_block_device {
                device_name = "/dev/sdf"
                encrypted   = true
              }
            }
            resource "aws_instance" "data_disk" {
              ami = "ami-123"
              root_block_device { encrypted = true }
              ebs_block_device {
                device_name = "/dev/sdf"
                volume_size = 100
              }
            }
            resource "aws_launch_template" "lt" {
              block_device_mappings {
                device_name = "/dev/xvda"
                ebs { encrypted = "false" }
              }
            }
            resource "aws_launch_template" "lt_ok" {
              block_device_mappings {
                device_name = "/dev/xvda"
                ebs { encrypted = "true" }
              }
            }
            resource "aws_instance" "from_template" {
              launch_template { id = aws_launch_template.lt_ok.id }
            }
        "#;
        assert_eq!(
            flagged("SEC011", tf),
            [
                "aws_ebs_volume.plain",
                "aws_instance.data_disk",
                "aws_instance.no_root",
                "aws_launch_template.lt"
            ]
        );
        let f = findings("SEC011", tf);
        assert!(f.iter().any(|f| f.message.contains("/dev/sdf")), "{f:?}");
    }

    #[test]
    fn account_level_encryption_by_default_covers_everything() {
        let tf = r#"
            resource "aws_ebs_encryption_by_default" "on" {}
            resource "aws_ebs_volume" "plain" { size = 10 }
            resource "aws_instance" "no_root" { ami = "ami-123" }
        "#;
        assert!(flagged("SEC011", tf).is_empty());
        let off = r#"
            resource "aws_ebs_encryption_by_default" "off" { enabled = false }
            resource "aws_ebs_volume" "plain" { size = 10 }
        "#;
        assert_eq!(flagged("SEC011", off), ["aws_ebs_volume.plain"]);
    }

    #[test]
    fn unknown_encrypted_is_not_flagged() {
        let tf = r#"
            variable "enc" { type = bool }
            variable "disks" { type = list(string) }
            resource "aws_ebs_volume" "v" { encrypted = var.enc }
            resource "aws_instance" "i" {
              ami = "ami-123"
              root_block_device { encrypted = var.enc }
              dynamic "ebs_block_device" {
                for_each = var.disks
                content { device_name = ebs_block_device.value }
              }
            }
        "#;
        assert!(flagged("SEC011", tf).is_empty());
    }

    #[test]
    fn counted_volumes_in_a_module() {
        let files = [
            ("main.tf", r#"module "disks" { source = "./disks" }"#),
            (
                "disks/main.tf",
                r#"
                resource "aws_ebs_volume" "this" {
                  count     = 2
                  size      = 10
                  encrypted = count.index == 0
                }
            "#,
            ),
        ];
        let found: Vec<String> = findings_in("SEC011", &files).into_iter().map(|f| f.resource).collect();
        assert_eq!(found, ["module.disks.aws_ebs_volume.this[1]"]);
    }
}
