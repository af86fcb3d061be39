use crate::declare_rule;
use crate::graph::{Resource, Value};
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags compute sized with a previous-generation instance family:
    /// - `aws_instance`, `aws_spot_instance_request`, `aws_launch_template` and
    ///   `aws_launch_configuration` `instance_type` (`t2.micro`, `m4.large`);
    /// - `aws_db_instance` and `aws_rds_cluster_instance` `instance_class` (`db.t2.small`,
    ///   `db.r4.large`);
    /// - `aws_elasticache_cluster` and `aws_elasticache_replication_group` `node_type`
    ///   (`cache.m4.large`);
    /// - `aws_opensearch_domain` and `aws_elasticsearch_domain` `cluster_config`
    ///   `instance_type` and `dedicated_master_type` (`r4.large.search`).
    ///
    /// The families treated as previous generation are: `t1`, `t2`, `m1`, `m2`, `m3`, `m4`,
    /// `c1`, `c3`, `c4`, `cc1`, `cc2`, `cg1`, `cr1`, `r3`, `r4`, `i2`, `d2`, `hi1`, `hs1`, `g2`,
    /// `p2` and `x1`: every family AWS lists as previous generation, plus the Xen-based
    /// `t2`/`m4`/`c4`/`r4` that have at least two Nitro successors.
    ///
    /// ## Why is this bad?
    /// Each newer generation does more work per watt: a Nitro-based `m7g` or `m6i` serves the
    /// same load as an `m4` with fewer, cheaper instances, and Graviton families use up to 60%
    /// less energy for the same performance. Old families are also the first to lose capacity
    /// and features (newer AMIs, ENA Express, gp3 throughput limits).
    ///
    /// An unknown instance type (a variable without a value) is not flagged.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "orders" {
    ///   identifier          = "orders"
    ///   engine              = "postgres"
    ///   instance_class      = "db.m4.large"
    ///   allocated_storage   = 100
    ///   username            = "app"
    ///   manage_master_user_password = true
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_instance" "orders" {
    ///   identifier          = "orders"
    ///   engine              = "postgres"
    ///   instance_class      = "db.m7g.large"
    ///   allocated_storage   = 100
    ///   username            = "app"
    ///   manage_master_user_password = true
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// SUS05-BP02: use instance types with the least impact; current generations and Graviton
    /// deliver the most work per unit of energy.
    pub struct PreviousGenerationInstance {
        code: "SUS002",
        name: "previous-generation-instance",
        pillar: Sustainability,
        severity: Low,
        best_practice: "SUS05-BP02",
        since: "0.1.0",
    }
}

/// Instance families treated as previous generation (see the rule documentation).
pub const PREVIOUS_GENERATION: &[&str] = &[
    "t1", "t2", "m1", "m2", "m3", "m4", "c1", "c3", "c4", "cc1", "cc2", "cg1", "cr1", "r3", "r4", "i2", "d2", "hi1",
    "hs1", "g2", "p2", "x1",
];

/// The family of `m4.large`, `db.m4.large`, `cache.m4.large`, `m4.large.search`.
fn family(instance_type: &str) -> Option<&str> {
    let t = instance_type.trim();
    let t = t.strip_prefix("db.").or_else(|| t.strip_prefix("cache.")).unwrap_or(t);
    let (family, size) = t.split_once('.')?;
    (!size.is_empty()).then_some(family)
}

fn is_previous(instance_type: &str) -> bool {
    family(instance_type).is_some_and(|f| PREVIOUS_GENERATION.iter().any(|p| p.eq_ignore_ascii_case(f)))
}

/// Where each resource type keeps its size: top-level attributes.
const SIZED: &[(&str, &str)] = &[
    ("aws_instance", "instance_type"),
    ("aws_spot_instance_request", "instance_type"),
    ("aws_launch_template", "instance_type"),
    ("aws_launch_configuration", "instance_type"),
    ("aws_db_instance", "instance_class"),
    ("aws_rds_cluster_instance", "instance_class"),
    ("aws_elasticache_cluster", "node_type"),
    ("aws_elasticache_replication_group", "node_type"),
];

fn report(ctx: &mut Ctx<'_>, resource: &Resource, attr: &str, what: &str, value: &str) {
    let family = family(value).unwrap_or(value);
    ctx.report(
        resource,
        Some(attr),
        format!("{what} `{value}` is a previous-generation family ({family}); a current generation does the same work with less energy and cost"),
    );
}

impl Rule for PreviousGenerationInstance {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        for (rtype, attr) in SIZED {
            for resource in g.of_type(rtype) {
                if let Some(value) = resource.str_attr(attr).filter(|v| is_previous(v)) {
                    report(ctx, resource, attr, attr, value);
                }
            }
        }
        for domain in g
            .of_type("aws_opensearch_domain")
            .chain(g.of_type("aws_elasticsearch_domain"))
        {
            let old: Vec<&str> = domain
                .attrs
                .blocks("cluster_config")
                .into_iter()
                .flat_map(|c| [c.field("instance_type"), c.field("dedicated_master_type")])
                .flatten()
                .filter_map(Value::as_str)
                .filter(|v| is_previous(v))
                .collect();
            if let Some(value) = old.first() {
                report(ctx, domain, "cluster_config", "cluster_config instance type", value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::family;
    use crate::testing::{findings, flagged};

    #[test]
    fn families_are_read_from_every_naming_scheme() {
        assert_eq!(family("m4.large"), Some("m4"));
        assert_eq!(family("db.t2.micro"), Some("t2"));
        assert_eq!(family("cache.r4.large"), Some("r4"));
        assert_eq!(family("r4.large.search"), Some("r4"));
        assert_eq!(family("db.serverless"), None);
        assert_eq!(family("m4"), None);
    }

    #[test]
    fn old_families_across_services_are_flagged() {
        let tf = r#"
            resource "aws_instance" "web" {
              ami           = "ami-1"
              instance_type = "t2.micro"
            }
            resource "aws_launch_template" "lt" { instance_type = "c4.xlarge" }
            resource "aws_db_instance" "db" { instance_class = "db.r4.large" }
            resource "aws_elasticache_replication_group" "cache" {
              replication_group_id = "c"
              description          = "c"
              node_type            = "cache.m4.large"
            }
            resource "aws_opensearch_domain" "search" {
              domain_name = "s"
              cluster_config { instance_type = "m4.large.search" }
            }
        "#;
        assert_eq!(
            flagged("SUS002", tf),
            [
                "aws_db_instance.db",
                "aws_elasticache_replication_group.cache",
                "aws_instance.web",
                "aws_launch_template.lt",
                "aws_opensearch_domain.search",
            ]
        );
        assert!(
            findings("SUS002", tf)
                .iter()
                .any(|f| f.message.contains("`db.r4.large`"))
        );
    }

    #[test]
    fn current_families_with_similar_names_are_not_flagged() {
        let tf = r#"
            resource "aws_instance" "a" { instance_type = "t3.micro" }
            resource "aws_instance" "b" { instance_type = "m5.large" }
            resource "aws_instance" "c" { instance_type = "c5n.large" }
            resource "aws_instance" "d" { instance_type = "x1e.xlarge" }
            resource "aws_db_instance" "s" { instance_class = "db.serverless" }
        "#;
        assert!(flagged("SUS002", tf).is_empty());
    }

    #[test]
    fn unknown_instance_type_is_not_flagged() {
        let tf = r#"
            variable "size" { type = string }
            resource "aws_instance" "a" { instance_type = var.size }
            resource "aws_instance" "b" { instance_type = "${var.size}.large" }
        "#;
        assert!(flagged("SUS002", tf).is_empty());
    }
}
