use crate::declare_rule;
use crate::graph::{Graph, Resource};
use crate::rules::network::{InternetRoute, Network, subnets};
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags a database that can be reached from the internet: an `aws_db_instance`,
    /// `aws_rds_cluster` (with its `aws_rds_cluster_instance`s), `aws_elasticache_cluster` or
    /// `aws_elasticache_replication_group` that is `publicly_accessible = true`, or whose subnet
    /// group (`aws_db_subnet_group` / `aws_elasticache_subnet_group`) holds a subnet that routes
    /// `0.0.0.0/0` or `::/0` to an internet gateway.
    ///
    /// A subnet's route table is the one of its `aws_route_table_association`; without one it is
    /// its VPC's main table (`aws_main_route_table_association`, else the
    /// `aws_default_route_table` of that VPC, else the table AWS created, which only has the
    /// local route unless an `aws_route` targets `aws_vpc.x.main_route_table_id`). Routes are
    /// inline `route {}` blocks or separate `aws_route` resources. The route's target decides,
    /// never the table's name: a table called "public" whose default route goes to a NAT gateway
    /// is private.
    ///
    /// ## Why is this bad?
    /// A database in a subnet with a route to an internet gateway sits in the network layer
    /// meant for load balancers and NAT gateways; one `publicly_accessible` flag or one
    /// security-group rule away from being reachable by anyone, and scanned for within minutes.
    /// With `publicly_accessible = true` (the default is false) RDS gives it a public address.
    /// ElastiCache nodes never get a public address, but placing them in an internet-routed
    /// subnet still removes the network layer between them and the internet.
    ///
    /// Without a subnet group the database lands in the default VPC and only
    /// `publicly_accessible` is checked. Anything that cannot be traced (subnet ids or a
    /// subnet group name from outside the configuration, a route target or destination known
    /// only at apply, a `publicly_accessible` computed at apply, a default subnet) is not
    /// flagged: the rule only reports a database it can prove is exposed.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_vpc" "main" {
    ///   cidr_block = "10.0.0.0/16"
    /// }
    ///
    /// resource "aws_internet_gateway" "main" {
    ///   vpc_id = aws_vpc.main.id
    /// }
    ///
    /// resource "aws_subnet" "data" {
    ///   count             = 2
    ///   vpc_id            = aws_vpc.main.id
    ///   cidr_block        = cidrsubnet("10.0.0.0/16", 8, count.index)
    ///   availability_zone = ["eu-west-1a", "eu-west-1b"][count.index]
    /// }
    ///
    /// resource "aws_route_table" "data" {
    ///   vpc_id = aws_vpc.main.id
    ///
    ///   route {
    ///     cidr_block = "0.0.0.0/0"
    ///     gateway_id = aws_internet_gateway.main.id
    ///   }
    /// }
    ///
    /// resource "aws_route_table_association" "data" {
    ///   count          = 2
    ///   subnet_id      = aws_subnet.data[count.index].id
    ///   route_table_id = aws_route_table.data.id
    /// }
    ///
    /// resource "aws_db_subnet_group" "orders" {
    ///   name       = "orders"
    ///   subnet_ids = aws_subnet.data[*].id
    /// }
    ///
    /// resource "aws_db_instance" "orders" {
    ///   identifier                  = "orders"
    ///   engine                      = "postgres"
    ///   instance_class              = "db.t4g.medium"
    ///   allocated_storage           = 20
    ///   username                    = "orders"
    ///   manage_master_user_password = true
    ///   db_subnet_group_name        = aws_db_subnet_group.orders.name
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_vpc" "main" {
    ///   cidr_block = "10.0.0.0/16"
    /// }
    ///
    /// resource "aws_internet_gateway" "main" {
    ///   vpc_id = aws_vpc.main.id
    /// }
    ///
    /// resource "aws_subnet" "public" {
    ///   vpc_id     = aws_vpc.main.id
    ///   cidr_block = "10.0.0.0/24"
    /// }
    ///
    /// resource "aws_route_table" "public" {
    ///   vpc_id = aws_vpc.main.id
    ///
    ///   route {
    ///     cidr_block = "0.0.0.0/0"
    ///     gateway_id = aws_internet_gateway.main.id
    ///   }
    /// }
    ///
    /// resource "aws_route_table_association" "public" {
    ///   subnet_id      = aws_subnet.public.id
    ///   route_table_id = aws_route_table.public.id
    /// }
    ///
    /// resource "aws_eip" "nat" {
    ///   domain = "vpc"
    /// }
    ///
    /// resource "aws_nat_gateway" "main" {
    ///   allocation_id = aws_eip.nat.id
    ///   subnet_id     = aws_subnet.public.id
    /// }
    ///
    /// resource "aws_subnet" "private" {
    ///   count             = 2
    ///   vpc_id            = aws_vpc.main.id
    ///   cidr_block        = cidrsubnet("10.0.0.0/16", 8, count.index + 10)
    ///   availability_zone = ["eu-west-1a", "eu-west-1b"][count.index]
    /// }
    ///
    /// resource "aws_route_table" "private" {
    ///   vpc_id = aws_vpc.main.id
    ///
    ///   route {
    ///     cidr_block     = "0.0.0.0/0"
    ///     nat_gateway_id = aws_nat_gateway.main.id
    ///   }
    /// }
    ///
    /// resource "aws_route_table_association" "private" {
    ///   count          = 2
    ///   subnet_id      = aws_subnet.private[count.index].id
    ///   route_table_id = aws_route_table.private.id
    /// }
    ///
    /// resource "aws_db_subnet_group" "orders" {
    ///   name       = "orders"
    ///   subnet_ids = aws_subnet.private[*].id
    /// }
    ///
    /// resource "aws_db_instance" "orders" {
    ///   identifier                  = "orders"
    ///   engine                      = "postgres"
    ///   instance_class              = "db.t4g.medium"
    ///   allocated_storage           = 20
    ///   username                    = "orders"
    ///   manage_master_user_password = true
    ///   db_subnet_group_name        = aws_db_subnet_group.orders.name
    ///   publicly_accessible         = false
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// SEC05-BP01: create network layers; data stores belong in private subnets with no route
    /// from the internet.
    pub struct DbInPublicSubnet {
        code: "SEC001",
        name: "db-in-public-subnet",
        pillar: Security,
        severity: Critical,
        best_practice: "SEC05-BP01",
        since: "0.1.0",
    }
}

/// The database kinds checked: type, subnet group attribute, subnet group type, label.
const DATABASES: [(&str, &str, &str, &str); 4] = [
    (
        "aws_db_instance",
        "db_subnet_group_name",
        "aws_db_subnet_group",
        "RDS instance",
    ),
    (
        "aws_rds_cluster",
        "db_subnet_group_name",
        "aws_db_subnet_group",
        "RDS cluster",
    ),
    (
        "aws_elasticache_cluster",
        "subnet_group_name",
        "aws_elasticache_subnet_group",
        "ElastiCache cluster",
    ),
    (
        "aws_elasticache_replication_group",
        "subnet_group_name",
        "aws_elasticache_subnet_group",
        "ElastiCache replication group",
    ),
];

/// Why a database is reachable through its subnets.
struct Exposure<'g> {
    group: &'g Resource,
    routes: Vec<InternetRoute<'g>>,
}

/// The internet-routed subnets of the subnet groups `value` designates.
fn exposure<'g>(net: &Network<'g>, g: &'g Graph, db: &Resource, attr: &str, group_type: &str) -> Option<Exposure<'g>> {
    let value = db.attr(attr)?;
    for group in g.linked(value, group_type, "name") {
        let Some(ids) = group.attr("subnet_ids") else {
            continue;
        };
        let routes: Vec<InternetRoute<'g>> = subnets(g, ids)
            .into_iter()
            .filter_map(|s| net.internet_route_of_subnet(s))
            .collect();
        if !routes.is_empty() {
            return Some(Exposure { group, routes });
        }
    }
    None
}

/// "subnet aws_subnet.a routes 0.0.0.0/0 to … (and 1 more subnet)"
fn route_sentence(e: &Exposure<'_>) -> String {
    let Some(first) = e.routes.first() else {
        return String::new();
    };
    let more = match e.routes.len() {
        1 => String::new(),
        2 => " (and 1 more subnet)".to_string(),
        n => format!(" (and {} more subnets)", n - 1),
    };
    format!(
        "subnet group {} has subnet {} which {}{more}",
        e.group.display_address(),
        first.subnet.display_address(),
        first.describe()
    )
}

fn relate(finding: &mut crate::rules::Finding, e: &Exposure<'_>, attr: &str) {
    finding.related(e.group, Some("subnet_ids"), format!("subnet group used through {attr}"));
    for route in &e.routes {
        route.relate(finding);
    }
}

impl Rule for DbInPublicSubnet {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        let net = Network::new(g);
        for (rtype, attr, group_type, label) in DATABASES {
            for db in g.of_type(rtype) {
                let public_flag = db.bool_attr("publicly_accessible") == Some(true);
                let exposed = exposure(&net, g, db, attr, group_type);
                match (public_flag, &exposed) {
                    (true, Some(e)) => {
                        let msg = format!("{label} has publicly_accessible = true and its {}", route_sentence(e));
                        let f = ctx.report(db, Some("publicly_accessible"), msg);
                        relate(f, e, attr);
                    }
                    (true, None) => {
                        ctx.report(
                            db,
                            Some("publicly_accessible"),
                            format!("{label} has publicly_accessible = true: it gets a public IP address reachable from the internet"),
                        );
                    }
                    (false, Some(e)) => {
                        let msg = format!("{label} is in a public subnet: its {}", route_sentence(e));
                        let f = ctx.report(db, Some(attr), msg);
                        relate(f, e, attr);
                    }
                    (false, None) => {}
                }
            }
        }
        // Aurora instances carry their own publicly_accessible flag; the cluster owns the subnets.
        for instance in g.of_type("aws_rds_cluster_instance") {
            if instance.bool_attr("publicly_accessible") != Some(true) {
                continue;
            }
            let clusters = instance
                .attr("cluster_identifier")
                .map(|v| g.linked(v, "aws_rds_cluster", "cluster_identifier"))
                .unwrap_or_default();
            let f = ctx.report(
                instance,
                Some("publicly_accessible"),
                "RDS cluster instance has publicly_accessible = true: it gets a public IP address reachable from the internet",
            );
            for cluster in clusters {
                f.related(cluster, None, "the cluster this instance belongs to");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    /// A VPC with an internet gateway and a NAT gateway; `extra` adds the tables under test.
    fn network(extra: &str) -> String {
        format!(
            r#"
            resource "aws_vpc" "main" {{ cidr_block = "10.0.0.0/16" }}
            resource "aws_internet_gateway" "main" {{ vpc_id = aws_vpc.main.id }}
            resource "aws_nat_gateway" "main" {{ subnet_id = "subnet-0123" }}
            resource "aws_subnet" "db" {{
              count      = 2
              vpc_id     = aws_vpc.main.id
              cidr_block = cidrsubnet("10.0.0.0/16", 8, count.index)
            }}
            resource "aws_db_subnet_group" "db" {{ subnet_ids = aws_subnet.db[*].id }}
            resource "aws_db_instance" "db" {{
              engine               = "postgres"
              db_subnet_group_name = aws_db_subnet_group.db.name
            }}
            {extra}
            "#
        )
    }

    const ASSOCIATE: &str = r#"
        resource "aws_route_table_association" "db" {
          count          = 2
          subnet_id      = aws_subnet.db[count.index].id
          route_table_id = aws_route_table.public.id
        }
    "#;

    #[test]
    fn inline_route_to_the_internet_gateway() {
        let tf = network(&format!(
            r#"
            resource "aws_route_table" "public" {{
              vpc_id = aws_vpc.main.id
              route {{
                cidr_block = "0.0.0.0/0"
                gateway_id = aws_internet_gateway.main.id
              }}
            }}
            {ASSOCIATE}
            "#
        ));
        let found = findings("SEC001", &tf);
        assert_eq!(found.len(), 1, "{found:?}");
        let f = &found[0];
        assert_eq!(f.resource, "aws_db_instance.db");
        assert!(
            f.message.contains(
                "subnet aws_subnet.db[0] which routes 0.0.0.0/0 to aws_internet_gateway.main via aws_route_table.public"
            ),
            "{}",
            f.message
        );
        assert!(f.message.contains("and 1 more subnet"), "{}", f.message);
        let related: Vec<&str> = f.related.iter().map(|r| r.resource.as_str()).collect();
        assert_eq!(
            related,
            [
                "aws_db_subnet_group.db",
                "aws_subnet.db[0]",
                "aws_route_table.public",
                "aws_subnet.db[1]"
            ]
        );
    }

    #[test]
    fn separate_aws_route_and_ipv6() {
        let tf = network(&format!(
            r#"
            resource "aws_route_table" "public" {{ vpc_id = aws_vpc.main.id }}
            resource "aws_route" "v6" {{
              route_table_id              = aws_route_table.public.id
              destination_ipv6_cidr_block = "::/0"
              gateway_id                  = aws_internet_gateway.main.id
            }}
            {ASSOCIATE}
            "#
        ));
        let found = findings("SEC001", &tf);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .contains("routes ::/0 to aws_internet_gateway.main via aws_route.v6 on aws_route_table.public")
        );
        assert!(found[0].related.iter().any(|r| r.resource == "aws_route.v6"));
    }

    #[test]
    fn a_public_named_table_routing_to_a_nat_gateway_is_private() {
        let tf = network(&format!(
            r#"
            resource "aws_route_table" "public" {{
              vpc_id = aws_vpc.main.id
              route {{
                cidr_block     = "0.0.0.0/0"
                nat_gateway_id = aws_nat_gateway.main.id
              }}
            }}
            resource "aws_route" "v6" {{
              route_table_id              = aws_route_table.public.id
              destination_ipv6_cidr_block = "::/0"
              egress_only_gateway_id      = "eigw-0abc"
            }}
            {ASSOCIATE}
            "#
        ));
        assert!(flagged("SEC001", &tf).is_empty());
    }

    #[test]
    fn unassociated_subnets_use_the_main_route_table_association() {
        let tf = network(
            r#"
            resource "aws_route_table" "edge" {
              vpc_id = aws_vpc.main.id
              route {
                cidr_block = "0.0.0.0/0"
                gateway_id = aws_internet_gateway.main.id
              }
            }
            resource "aws_main_route_table_association" "m" {
              vpc_id         = aws_vpc.main.id
              route_table_id = aws_route_table.edge.id
            }
            "#,
        );
        let found = findings("SEC001", &tf);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .contains("via aws_route_table.edge (its VPC's main route table)"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn unassociated_subnets_use_the_default_route_table() {
        let tf = network(
            r#"
            resource "aws_default_route_table" "d" {
              default_route_table_id = aws_vpc.main.default_route_table_id
              route {
                cidr_block = "0.0.0.0/0"
                gateway_id = "igw-0123456789"
              }
            }
            "#,
        );
        let found = findings("SEC001", &tf);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .contains("to igw-0123456789 via aws_default_route_table.d"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn an_explicit_association_overrides_a_public_main_table() {
        let tf = network(
            r#"
            resource "aws_default_route_table" "d" {
              default_route_table_id = aws_vpc.main.default_route_table_id
              route {
                cidr_block = "0.0.0.0/0"
                gateway_id = aws_internet_gateway.main.id
              }
            }
            resource "aws_route_table" "private" { vpc_id = aws_vpc.main.id }
            resource "aws_route_table_association" "db" {
              count          = 2
              subnet_id      = aws_subnet.db[count.index].id
              route_table_id = aws_route_table.private.id
            }
            "#,
        );
        assert!(flagged("SEC001", &tf).is_empty());
        // Without any table in the configuration, the implicit main table only routes locally.
        assert!(flagged("SEC001", &network("")).is_empty());
    }

    #[test]
    fn unknown_route_parts_are_not_flagged() {
        let tf = network(&format!(
            r#"
            variable "gateway" {{}}
            variable "destination" {{}}
            resource "aws_route_table" "public" {{
              vpc_id = aws_vpc.main.id
              route {{
                cidr_block = "0.0.0.0/0"
                gateway_id = var.gateway
              }}
              route {{
                cidr_block = var.destination
                gateway_id = aws_internet_gateway.main.id
              }}
            }}
            {ASSOCIATE}
            "#
        ));
        assert!(flagged("SEC001", &tf).is_empty());
        // Subnet ids and group names from outside the configuration are not followed.
        let outside = r#"
            variable "subnets" {}
            resource "aws_db_subnet_group" "g" { subnet_ids = var.subnets }
            resource "aws_db_instance" "a" { db_subnet_group_name = aws_db_subnet_group.g.name }
            resource "aws_db_instance" "b" { db_subnet_group_name = "made-elsewhere" }
            resource "aws_db_instance" "c" { publicly_accessible = var.subnets }
        "#;
        assert!(flagged("SEC001", outside).is_empty());
    }

    #[test]
    fn publicly_accessible_without_subnet_group_and_aurora_instances() {
        let tf = r#"
            resource "aws_db_instance" "default_vpc" {
              engine              = "mysql"
              publicly_accessible = true
            }
            resource "aws_db_instance" "private_default_vpc" { engine = "mysql" }
            resource "aws_rds_cluster" "c" {
              cluster_identifier = "reports"
              engine             = "aurora-postgresql"
            }
            resource "aws_rds_cluster_instance" "c" {
              count               = 2
              cluster_identifier  = aws_rds_cluster.c.id
              publicly_accessible = count.index == 1
            }
        "#;
        assert_eq!(
            flagged("SEC001", tf),
            ["aws_db_instance.default_vpc", "aws_rds_cluster_instance.c[1]"]
        );
    }

    #[test]
    fn elasticache_and_aurora_through_their_subnet_groups() {
        let tf = network(&format!(
            r#"
            resource "aws_route_table" "public" {{
              vpc_id = aws_vpc.main.id
              route {{
                cidr_block = "0.0.0.0/0"
                gateway_id = aws_internet_gateway.main.id
              }}
            }}
            {ASSOCIATE}
            resource "aws_elasticache_subnet_group" "cache" {{
              name       = "cache"
              subnet_ids = aws_subnet.db[*].id
            }}
            resource "aws_elasticache_replication_group" "cache" {{
              replication_group_id = "cache"
              description          = "cache"
              subnet_group_name    = "cache"
            }}
            resource "aws_rds_cluster" "c" {{
              engine               = "aurora-mysql"
              db_subnet_group_name = aws_db_subnet_group.db.id
            }}
            "#
        ));
        assert_eq!(
            flagged("SEC001", &tf),
            [
                "aws_db_instance.db",
                "aws_elasticache_replication_group.cache",
                "aws_rds_cluster.c"
            ]
        );
    }

    #[test]
    fn subnet_group_and_network_inside_modules() {
        let files = [
            (
                "main.tf",
                r#"
                module "network" { source = "./network" }
                module "data" {
                  source  = "./data"
                  subnets = module.network.db_subnet_ids
                }
            "#,
            ),
            (
                "network/main.tf",
                r#"
                resource "aws_vpc" "this" { cidr_block = "10.0.0.0/16" }
                resource "aws_internet_gateway" "this" { vpc_id = aws_vpc.this.id }
                resource "aws_subnet" "db" {
                  count  = 2
                  vpc_id = aws_vpc.this.id
                }
                resource "aws_route_table" "private" { vpc_id = aws_vpc.this.id }
                resource "aws_route" "internet" {
                  route_table_id         = aws_route_table.private.id
                  destination_cidr_block = "0.0.0.0/0"
                  gateway_id             = aws_internet_gateway.this.id
                }
                resource "aws_route_table_association" "db" {
                  count          = 2
                  subnet_id      = element(aws_subnet.db[*].id, count.index)
                  route_table_id = aws_route_table.private.id
                }
                output "db_subnet_ids" { value = aws_subnet.db[*].id }
            "#,
            ),
            (
                "data/main.tf",
                r#"
                variable "subnets" {}
                resource "aws_db_subnet_group" "this" { subnet_ids = var.subnets }
                resource "aws_db_instance" "reporting" {
                  engine               = "mysql"
                  db_subnet_group_name = aws_db_subnet_group.this.name
                }
            "#,
            ),
        ];
        let found = findings_in("SEC001", &files);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].resource, "module.data.aws_db_instance.reporting");
        assert!(
            found[0].message.contains(
                "module.network.aws_subnet.db[0] which routes 0.0.0.0/0 to module.network.aws_internet_gateway.this via module.network.aws_route.internet on module.network.aws_route_table.private"
            ),
            "{}",
            found[0].message
        );
    }
}
