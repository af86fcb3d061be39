use crate::declare_rule;
use crate::graph::Value;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags EBS storage of type `gp2` where `gp3` would do:
    /// - `aws_ebs_volume` with `type = "gp2"`, or with no `type` at all: the hashicorp/aws v5
    ///   default for `aws_ebs_volume.type` is `gp2`;
    /// - `aws_instance` (and `aws_launch_configuration`) `root_block_device` or
    ///   `ebs_block_device` with `volume_type = "gp2"`, and an `ebs_block_device` without
    ///   `volume_type` (documented default `gp2`); a `root_block_device` without `volume_type`
    ///   takes the AMI's type and is not flagged;
    /// - `aws_launch_template` `block_device_mappings { ebs { volume_type = "gp2" } }`; an
    ///   absent `volume_type` there also takes the AMI's type and is not flagged.
    ///
    /// ## Why is this bad?
    /// `gp3` costs about 20% less per GB-month than `gp2` and gives a baseline of 3,000 IOPS
    /// and 125 MB/s at any size, where `gp2` ties performance to size (3 IOPS per GB) and
    /// burst credits. Moving is an online modification with no downtime.
    ///
    /// An unknown volume type is not flagged.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_ebs_volume" "data" {
    ///   availability_zone = "eu-west-1a"
    ///   size              = 200
    ///   encrypted         = true
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_ebs_volume" "data" {
    ///   availability_zone = "eu-west-1a"
    ///   size              = 200
    ///   encrypted         = true
    ///   type              = "gp3"
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// COST06-BP02: select resource type, size, and number based on data; gp3 gives the same
    /// or better performance as gp2 at a lower price.
    pub struct EbsGp2Volume {
        code: "COST003",
        name: "ebs-gp2-volume",
        pillar: CostOptimization,
        severity: Low,
        best_practice: "COST06-BP02",
        since: "0.1.0",
    }
}

/// `Some(true)` = known gp2, `Some(false)` = known other type, `None` = absent or unknown.
fn is_gp2(v: Option<&Value>) -> Option<bool> {
    v.and_then(Value::as_str).map(|t| t.eq_ignore_ascii_case("gp2"))
}

const GP3: &str = "gp3 is about 20% cheaper per GB with a 3,000 IOPS baseline at any size";

impl Rule for EbsGp2Volume {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        for volume in g.of_type("aws_ebs_volume") {
            match volume.attr("type") {
                None => {
                    ctx.report(
                        volume,
                        None,
                        format!("EBS volume has no type, so it is created as gp2 (the provider default); {GP3}"),
                    );
                }
                Some(t) if is_gp2(Some(t)) == Some(true) => {
                    ctx.report(volume, Some("type"), format!("EBS volume is gp2; {GP3}"));
                }
                Some(_) => {}
            }
        }

        for instance in g.of_type("aws_instance").chain(g.of_type("aws_launch_configuration")) {
            let mut problems = Vec::new();
            for block in instance.attrs.blocks("root_block_device") {
                if matches!(block, Value::Map(_)) && is_gp2(block.field("volume_type")) == Some(true) {
                    problems.push(("root_block_device", "the root volume is gp2".to_string()));
                }
            }
            for block in instance.attrs.blocks("ebs_block_device") {
                if !matches!(block, Value::Map(_)) {
                    continue;
                }
                let device = block
                    .field("device_name")
                    .and_then(Value::as_str)
                    .unwrap_or("an EBS device");
                match block.field("volume_type") {
                    None => problems.push(("ebs_block_device", format!("{device} has no volume_type (default gp2)"))),
                    v if is_gp2(v) == Some(true) => problems.push(("ebs_block_device", format!("{device} is gp2"))),
                    _ => {}
                }
            }
            if let Some((attr, _)) = problems.first() {
                let what: Vec<&str> = problems.iter().map(|(_, w)| w.as_str()).collect();
                ctx.report(
                    instance,
                    Some(attr),
                    format!("{} uses gp2 storage: {}; {GP3}", instance.rtype, what.join(", ")),
                );
            }
        }

        for template in g.of_type("aws_launch_template") {
            let mut devices = Vec::new();
            for mapping in template.attrs.blocks("block_device_mappings") {
                for ebs in mapping.blocks("ebs") {
                    if matches!(ebs, Value::Map(_)) && is_gp2(ebs.field("volume_type")) == Some(true) {
                        devices.push(
                            mapping
                                .field("device_name")
                                .and_then(Value::as_str)
                                .unwrap_or("a device"),
                        );
                    }
                }
            }
            if !devices.is_empty() {
                ctx.report(
                    template,
                    Some("block_device_mappings"),
                    format!("launch template maps {} to gp2 volumes; {GP3}", devices.join(", ")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, flagged};

    #[test]
    fn absent_volume_type_is_gp2_for_volumes_only() {
        let tf = r#"
            resource "aws_ebs_volume" "absent" {
              availability_zone = "eu-west-1a"
              size              = 10
            }
            resource "aws_ebs_volume" "gp3" {
              availability_zone = "eu-west-1a"
              size              = 10
              type              = "gp3"
            }
            resource "aws_instance" "root_from_ami" {
              ami           = "ami-123"
              instance_type = "m7g.large"
              root_block_device { volume_size = 20 }
            }
            resource "aws_launch_template" "from_ami" {
              block_device_mappings {
                device_name = "/dev/xvda"
                ebs { volume_size = 20 }
              }
            }
        "#;
        assert_eq!(flagged("COST003", tf), ["aws_ebs_volume.absent"]);
        assert!(findings("COST003", tf)[0].message.contains("provider default"));
    }

    #[test]
    fn explicit_gp2_everywhere_is_flagged() {
        let tf = r#"
            resource "aws_ebs_volume" "v" {
              availability_zone = "eu-west-1a"
              size              = 10
              type              = "gp2"
            }
            resource "aws_instance" "i" {
              ami           = "ami-123"
              instance_type = "m7g.large"
              root_block_device { volume_type = "gp2" }
              ebs_block_device { device_name = "/dev/sdf" }
            }
            resource "aws_launch_template" "lt" {
              block_device_mappings {
                device_name = "/dev/xvda"
                ebs { volume_type = "gp2" }
              }
            }
        "#;
        assert_eq!(
            flagged("COST003", tf),
            ["aws_ebs_volume.v", "aws_instance.i", "aws_launch_template.lt"]
        );
        let i = findings("COST003", tf)
            .into_iter()
            .find(|f| f.resource == "aws_instance.i")
            .map(|f| f.message);
        assert!(i.is_some_and(|m| m.contains("/dev/sdf has no volume_type")));
    }

    #[test]
    fn unknown_types_are_not_flagged() {
        let tf = r#"
            variable "type" { type = string }
            resource "aws_ebs_volume" "v" {
              availability_zone = "eu-west-1a"
              size              = 10
              type              = var.type
            }
            resource "aws_instance" "i" {
              ami           = "ami-123"
              instance_type = "m7g.large"
              ebs_block_device {
                device_name = "/dev/sdf"
                volume_type = var.type
              }
            }
        "#;
        assert!(flagged("COST003", tf).is_empty());
    }
}
