use crate::declare_rule;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_vpc` that no `aws_flow_log` records: no flow log has a `vpc_id` that
    /// references the VPC (or equals its id written out). Flow logs attached only to some
    /// subnets or network interfaces do not count for the VPC.
    ///
    /// ## Why is this bad?
    /// Without flow logs there is no record of which addresses talked to which, on which ports,
    /// accepted or rejected. Investigating an incident (a compromised instance calling out, a
    /// database reached from an unexpected subnet), detecting port scans and debugging security
    /// group rules all depend on them, and they cannot be collected after the fact.
    ///
    /// A flow log whose `vpc_id` is not known (and references nothing) is taken to record the
    /// VPCs of its own module.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_vpc" "main" {
    ///   cidr_block = "10.0.0.0/16"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_vpc" "main" {
    ///   cidr_block = "10.0.0.0/16"
    /// }
    ///
    /// resource "aws_s3_bucket" "flow_logs" {
    ///   bucket = "acme-vpc-flow-logs"
    /// }
    ///
    /// resource "aws_flow_log" "main" {
    ///   vpc_id               = aws_vpc.main.id
    ///   traffic_type         = "ALL"
    ///   log_destination_type = "s3"
    ///   log_destination      = aws_s3_bucket.flow_logs.arn
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// SEC04-BP01: configure service and application logging; network traffic is recorded
    /// where it can be analysed.
    pub struct VpcWithoutFlowLogs {
        code: "SEC018",
        name: "vpc-without-flow-logs",
        pillar: Security,
        severity: Medium,
        best_practice: "SEC04-BP01",
        since: "0.1.0",
    }
}

impl Rule for VpcWithoutFlowLogs {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        let mut recorded: Vec<&str> = Vec::new();
        let mut unresolved_modules: Vec<&str> = Vec::new();
        for log in g.of_type("aws_flow_log") {
            let Some(vpc_id) = log.attr("vpc_id") else {
                continue;
            };
            if vpc_id.is_unknown() && vpc_id.refs().is_empty() {
                unresolved_modules.push(log.module.as_str());
            }
            recorded.extend(
                g.linked(vpc_id, "aws_vpc", "id")
                    .into_iter()
                    .map(|v| v.address.as_str()),
            );
        }
        for vpc in g.of_type("aws_vpc") {
            if recorded.contains(&vpc.address.as_str()) || unresolved_modules.contains(&vpc.module.as_str()) {
                continue;
            }
            ctx.report(
                vpc,
                None,
                "VPC has no flow log: no aws_flow_log has a vpc_id referencing it",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings_in, flagged};

    #[test]
    fn vpcs_without_a_vpc_level_flow_log_are_flagged() {
        let tf = r#"
            resource "aws_vpc" "logged" { cidr_block = "10.0.0.0/16" }
            resource "aws_vpc" "subnet_only" { cidr_block = "10.1.0.0/16" }
            resource "aws_vpc" "bare" { cidr_block = "10.2.0.0/16" }
            resource "aws_subnet" "s" { vpc_id = aws_vpc.subnet_only.id }
            resource "aws_flow_log" "vpc" {
              vpc_id          = aws_vpc.logged.id
              traffic_type    = "ALL"
              log_destination = "arn:aws:s3:::logs"
            }
            resource "aws_flow_log" "subnet" {
              subnet_id       = aws_subnet.s.id
              traffic_type    = "ALL"
              log_destination = "arn:aws:s3:::logs"
            }
        "#;
        assert_eq!(flagged("SEC018", tf), ["aws_vpc.bare", "aws_vpc.subnet_only"]);
    }

    #[test]
    fn unknown_vpc_id_covers_its_module_only() {
        let files = [
            (
                "main.tf",
                r#"
                variable "vpc_id" {}
                resource "aws_vpc" "root" { cidr_block = "10.0.0.0/16" }
                resource "aws_flow_log" "f" {
                  vpc_id       = var.vpc_id
                  traffic_type = "REJECT"
                }
                module "net" { source = "./net" }
            "#,
            ),
            (
                "net/main.tf",
                r#"resource "aws_vpc" "this" { cidr_block = "10.9.0.0/16" }"#,
            ),
        ];
        let found: Vec<String> = findings_in("SEC018", &files).into_iter().map(|f| f.resource).collect();
        assert_eq!(found, ["module.net.aws_vpc.this"]);
    }

    #[test]
    fn flow_logs_for_counted_module_vpcs_through_outputs() {
        let files = [
            (
                "main.tf",
                r#"
                module "net" {
                  source = "./net"
                  count  = 2
                }
                resource "aws_flow_log" "f" {
                  vpc_id       = module.net[0].vpc_id
                  traffic_type = "ALL"
                }
            "#,
            ),
            (
                "net/main.tf",
                r#"
                resource "aws_vpc" "this" { cidr_block = "10.0.0.0/16" }
                output "vpc_id" { value = aws_vpc.this.id }
            "#,
            ),
        ];
        let found: Vec<String> = findings_in("SEC018", &files).into_iter().map(|f| f.resource).collect();
        assert_eq!(found, ["module.net[1].aws_vpc.this"]);
    }
}
