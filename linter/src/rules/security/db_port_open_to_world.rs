use crate::declare_rule;
use crate::graph::{Graph, Resource, Value};
use crate::rules::network::is_world_cidr;
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags a security group rule that allows ingress from `0.0.0.0/0` or `::/0` on the port
    /// of a database the group is attached to. Databases are `aws_db_instance` and
    /// `aws_rds_cluster` (through `vpc_security_group_ids`) and `aws_elasticache_cluster` /
    /// `aws_elasticache_replication_group` (through `security_group_ids`). Rules are inline
    /// `ingress {}` blocks of the `aws_security_group`, `aws_security_group_rule` with
    /// `type = "ingress"`, and `aws_vpc_security_group_ingress_rule`.
    ///
    /// The database port is its `port`, else the engine's default: 3306 for MySQL, MariaDB and
    /// Aurora MySQL, 5432 for PostgreSQL and Aurora PostgreSQL, 1521 for Oracle, 1433 for
    /// SQL Server, 50000 for Db2, 6379 for Redis and Valkey, 11211 for Memcached. A rule
    /// matches when its protocol is TCP or all (`-1`) and its port range contains that port.
    ///
    /// ## Why is this bad?
    /// A database listener open to every address is found by internet-wide scanners within
    /// hours and then faces password guessing and exploits of the engine itself; only the
    /// application's security group should be allowed in. Whether the database is actually
    /// reachable also depends on its subnet and `publicly_accessible` (see SEC001): this rule
    /// catches the second of the two guards failing.
    ///
    /// Unknown values are not flagged: a port, protocol, CIDR or engine known only at apply, a
    /// security group id that cannot be traced. A rule open on every port (protocol `-1`, or
    /// 0-65535) is flagged even when the database port is unknown.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_security_group" "db" {
    ///   name   = "orders-db"
    ///   vpc_id = "vpc-0123456789abcdef0"
    ///
    ///   ingress {
    ///     description = "PostgreSQL"
    ///     from_port   = 5432
    ///     to_port     = 5432
    ///     protocol    = "tcp"
    ///     cidr_blocks = ["0.0.0.0/0"]
    ///   }
    /// }
    ///
    /// resource "aws_db_instance" "orders" {
    ///   identifier                  = "orders"
    ///   engine                      = "postgres"
    ///   instance_class              = "db.t4g.medium"
    ///   allocated_storage           = 20
    ///   username                    = "orders"
    ///   manage_master_user_password = true
    ///   vpc_security_group_ids      = [aws_security_group.db.id]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_security_group" "app" {
    ///   name   = "orders-app"
    ///   vpc_id = "vpc-0123456789abcdef0"
    /// }
    ///
    /// resource "aws_security_group" "db" {
    ///   name   = "orders-db"
    ///   vpc_id = "vpc-0123456789abcdef0"
    /// }
    ///
    /// resource "aws_vpc_security_group_ingress_rule" "db_from_app" {
    ///   security_group_id            = aws_security_group.db.id
    ///   referenced_security_group_id = aws_security_group.app.id
    ///   ip_protocol                  = "tcp"
    ///   from_port                    = 5432
    ///   to_port                      = 5432
    /// }
    ///
    /// resource "aws_db_instance" "orders" {
    ///   identifier                  = "orders"
    ///   engine                      = "postgres"
    ///   instance_class              = "db.t4g.medium"
    ///   allocated_storage           = 20
    ///   username                    = "orders"
    ///   manage_master_user_password = true
    ///   vpc_security_group_ids      = [aws_security_group.db.id]
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// SEC05-BP02: control traffic flow within your network layers; a data store accepts
    /// connections only from the tier that uses it.
    pub struct DbPortOpenToWorld {
        code: "SEC015",
        name: "db-port-open-to-world",
        pillar: Security,
        severity: Critical,
        best_practice: "SEC05-BP02",
        since: "0.1.0",
    }
}

/// Database types and the attribute holding their security groups.
const DATABASES: [(&str, &str); 4] = [
    ("aws_db_instance", "vpc_security_group_ids"),
    ("aws_rds_cluster", "vpc_security_group_ids"),
    ("aws_elasticache_cluster", "security_group_ids"),
    ("aws_elasticache_replication_group", "security_group_ids"),
];

/// The engine's default port.
fn engine_port(engine: &str) -> Option<u32> {
    let e = engine.to_ascii_lowercase();
    let port = if e == "aurora" || e.starts_with("aurora-mysql") || e.starts_with("mysql") || e.starts_with("mariadb") {
        3306
    } else if e.starts_with("aurora-postgresql") || e.starts_with("postgres") {
        5432
    } else if e.starts_with("oracle") || e.starts_with("custom-oracle") {
        1521
    } else if e.starts_with("sqlserver") || e.starts_with("custom-sqlserver") {
        1433
    } else if e.starts_with("db2") {
        50000
    } else if e == "redis" || e == "valkey" {
        6379
    } else if e == "memcached" {
        11211
    } else {
        return None;
    };
    Some(port)
}

/// The database's port: `port`, else its engine's default. `None` when unknown.
fn db_port(db: &Resource) -> Option<u32> {
    if let Some(p) = db.attr("port") {
        return p.as_f64().filter(|n| *n >= 0.0 && n.fract() == 0.0).map(|n| n as u32);
    }
    let engine = match db.attr("engine") {
        Some(v) => v.as_str()?,
        // A replication group's engine defaults to redis.
        None if db.rtype == "aws_elasticache_replication_group" => "redis",
        None => return None,
    };
    engine_port(engine)
}

/// What an ingress rule opens, as far as it is known.
struct Ingress<'a> {
    protocol: Option<&'a Value>,
    from: Option<&'a Value>,
    to: Option<&'a Value>,
    cidrs: Vec<&'a Value>,
}

/// The world CIDR an ingress opens and the port range, when it certainly opens `port`
/// (or every port, when `port` is unknown).
fn opens(ingress: &Ingress<'_>, port: Option<u32>) -> Option<(String, String)> {
    let world = ingress
        .cidrs
        .iter()
        .flat_map(|v| v.strings())
        .find(|s| is_world_cidr(s))?
        .trim()
        .to_string();
    let protocol = match ingress.protocol? {
        Value::Number(n) => format!("{n}"),
        v => v.as_str()?.to_ascii_lowercase(),
    };
    let range = match protocol.as_str() {
        "-1" | "all" => (0.0, 65535.0),
        "tcp" | "6" => {
            let from = ingress.from?.as_f64()?;
            let to = ingress.to?.as_f64()?;
            // from_port = -1 alongside tcp is not valid; read it as "all" to stay on the safe side.
            (if from < 0.0 { 0.0 } else { from }, if to < 0.0 { 65535.0 } else { to })
        }
        _ => return None,
    };
    let all = range.0 <= 0.0 && range.1 >= 65535.0;
    let hit = match port {
        Some(p) => range.0 <= f64::from(p) && f64::from(p) <= range.1,
        None => all,
    };
    if !hit {
        return None;
    }
    let shown = if all {
        "all ports".to_string()
    } else if range.0 == range.1 {
        format!("port {}", range.0)
    } else {
        format!("ports {}-{}", range.0, range.1)
    };
    Some((world, shown))
}

/// An offending rule: where it is, and what it opens.
struct Hit<'g> {
    rule: &'g Resource,
    attr: &'static str,
    group: &'g Resource,
    world: String,
    ports: String,
}

/// The ingress rules of `group` that open `port` to the world.
fn hits<'g>(g: &'g Graph, group: &'g Resource, port: Option<u32>) -> Vec<Hit<'g>> {
    let mut out = Vec::new();
    for block in group.attrs.blocks("ingress") {
        let ingress = Ingress {
            protocol: block.field("protocol"),
            from: block.field("from_port"),
            to: block.field("to_port"),
            cidrs: [block.field("cidr_blocks"), block.field("ipv6_cidr_blocks")]
                .into_iter()
                .flatten()
                .collect(),
        };
        if let Some((world, ports)) = opens(&ingress, port) {
            out.push(Hit {
                rule: group,
                attr: "ingress",
                group,
                world,
                ports,
            });
            break;
        }
    }
    for rule in g.of_type("aws_security_group_rule") {
        if rule.str_attr("type") != Some("ingress") || !attached(g, rule, group) {
            continue;
        }
        let ingress = Ingress {
            protocol: rule.attr("protocol"),
            from: rule.attr("from_port"),
            to: rule.attr("to_port"),
            cidrs: [rule.attr("cidr_blocks"), rule.attr("ipv6_cidr_blocks")]
                .into_iter()
                .flatten()
                .collect(),
        };
        if let Some((world, ports)) = opens(&ingress, port) {
            let attr = if world.contains(':') {
                "ipv6_cidr_blocks"
            } else {
                "cidr_blocks"
            };
            out.push(Hit {
                rule,
                attr,
                group,
                world,
                ports,
            });
        }
    }
    for rule in g.of_type("aws_vpc_security_group_ingress_rule") {
        if !attached(g, rule, group) {
            continue;
        }
        let ingress = Ingress {
            protocol: rule.attr("ip_protocol"),
            from: rule.attr("from_port"),
            to: rule.attr("to_port"),
            cidrs: [rule.attr("cidr_ipv4"), rule.attr("cidr_ipv6")]
                .into_iter()
                .flatten()
                .collect(),
        };
        if let Some((world, ports)) = opens(&ingress, port) {
            let attr = if world.contains(':') { "cidr_ipv6" } else { "cidr_ipv4" };
            out.push(Hit {
                rule,
                attr,
                group,
                world,
                ports,
            });
        }
    }
    out
}

/// A database a rule exposes: the database, its security-group attribute, its port.
type ExposedDb<'g> = (&'g Resource, &'static str, Option<u32>);

fn attached(g: &Graph, rule: &Resource, group: &Resource) -> bool {
    rule.attr("security_group_id").is_some_and(|v| {
        g.linked(v, "aws_security_group", "id")
            .iter()
            .any(|s| s.address == group.address)
    })
}

impl Rule for DbPortOpenToWorld {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        // One finding per offending rule, listing every database it exposes.
        let mut found: Vec<(Hit<'_>, Vec<ExposedDb<'_>>)> = Vec::new();
        for (rtype, sg_attr) in DATABASES {
            for db in g.of_type(rtype) {
                let Some(ids) = db.attr(sg_attr) else {
                    continue;
                };
                let port = db_port(db);
                for group in g.linked(ids, "aws_security_group", "id") {
                    for hit in hits(g, group, port) {
                        let key = (hit.rule.address.clone(), hit.attr);
                        match found.iter_mut().find(|(h, _)| (h.rule.address.clone(), h.attr) == key) {
                            Some((_, dbs)) => {
                                if !dbs.iter().any(|(d, _, _)| d.address == db.address) {
                                    dbs.push((db, sg_attr, port));
                                }
                            }
                            None => found.push((hit, vec![(db, sg_attr, port)])),
                        }
                    }
                }
            }
        }
        for (hit, dbs) in found {
            let Some((first, _, port)) = dbs.first() else {
                continue;
            };
            let what = match port {
                Some(p) => format!("the port ({p}) of {}", first.display_address()),
                None => format!("every port, including that of {}", first.display_address()),
            };
            let more = if dbs.len() > 1 {
                format!(" and {} more", dbs.len() - 1)
            } else {
                String::new()
            };
            let subject = if hit.rule.address == hit.group.address {
                "security group has an ingress rule that allows".to_string()
            } else {
                format!("ingress rule of {} allows", hit.group.display_address())
            };
            let msg = format!("{subject} {} on {}, which is {what}{more}", hit.world, hit.ports);
            let f = ctx.report(hit.rule, Some(hit.attr), msg);
            if hit.rule.address != hit.group.address {
                f.related(hit.group, None, "the security group this rule belongs to");
            }
            for (db, attr, _) in &dbs {
                f.related(db, Some(attr), "database attached to this security group");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in, flagged};

    #[test]
    fn inline_ingress_on_the_engine_default_port() {
        let tf = r#"
            resource "aws_security_group" "db" {
              ingress {
                from_port   = 443
                to_port     = 443
                protocol    = "tcp"
                cidr_blocks = ["0.0.0.0/0"]
              }
              ingress {
                from_port   = 3300
                to_port     = 3310
                protocol    = "tcp"
                cidr_blocks = ["10.0.0.0/8", "0.0.0.0/0"]
              }
            }
            resource "aws_db_instance" "db" {
              engine                 = "mysql"
              vpc_security_group_ids = [aws_security_group.db.id]
            }
        "#;
        let found = findings("SEC015", tf);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].resource, "aws_security_group.db");
        assert!(
            found[0]
                .message
                .contains("0.0.0.0/0 on ports 3300-3310, which is the port (3306) of aws_db_instance.db"),
            "{}",
            found[0].message
        );
        assert_eq!(found[0].related[0].resource, "aws_db_instance.db");
    }

    #[test]
    fn explicit_port_wins_over_the_engine_default() {
        let tf = r#"
            resource "aws_security_group" "db" {
              ingress {
                from_port   = 5432
                to_port     = 5432
                protocol    = "tcp"
                cidr_blocks = ["0.0.0.0/0"]
              }
            }
            resource "aws_db_instance" "db" {
              engine                 = "postgres"
              port                   = 6543
              vpc_security_group_ids = [aws_security_group.db.id]
            }
        "#;
        assert!(flagged("SEC015", tf).is_empty());
    }

    #[test]
    fn separate_rules_ipv6_and_all_protocols() {
        let tf = r#"
            resource "aws_security_group" "cache" {}
            resource "aws_security_group_rule" "v6" {
              type              = "ingress"
              security_group_id = aws_security_group.cache.id
              from_port         = 6379
              to_port           = 6379
              protocol          = "tcp"
              ipv6_cidr_blocks  = ["::/0"]
            }
            resource "aws_security_group_rule" "egress" {
              type              = "egress"
              security_group_id = aws_security_group.cache.id
              from_port         = 0
              to_port           = 0
              protocol          = "-1"
              cidr_blocks       = ["0.0.0.0/0"]
            }
            resource "aws_security_group" "aurora" {}
            resource "aws_vpc_security_group_ingress_rule" "all" {
              security_group_id = aws_security_group.aurora.id
              ip_protocol       = "-1"
              cidr_ipv4         = "0.0.0.0/0"
            }
            resource "aws_vpc_security_group_ingress_rule" "udp" {
              security_group_id = aws_security_group.aurora.id
              ip_protocol       = "udp"
              from_port         = 5432
              to_port           = 5432
              cidr_ipv4         = "0.0.0.0/0"
            }
            resource "aws_elasticache_replication_group" "cache" {
              description        = "cache"
              security_group_ids = [aws_security_group.cache.id]
            }
            resource "aws_rds_cluster" "aurora" {
              engine                 = "aurora-postgresql"
              vpc_security_group_ids = [aws_security_group.aurora.id]
            }
        "#;
        assert_eq!(
            flagged("SEC015", tf),
            ["aws_security_group_rule.v6", "aws_vpc_security_group_ingress_rule.all"]
        );
    }

    #[test]
    fn unknown_values_are_not_flagged() {
        let tf = r#"
            variable "cidrs" {}
            variable "engine" {}
            resource "aws_security_group" "a" {
              ingress {
                from_port   = 3306
                to_port     = 3306
                protocol    = "tcp"
                cidr_blocks = var.cidrs
              }
            }
            resource "aws_security_group" "b" {
              ingress {
                from_port   = 3306
                to_port     = 3306
                protocol    = "tcp"
                cidr_blocks = ["0.0.0.0/0"]
              }
            }
            resource "aws_db_instance" "a" {
              engine                 = "mysql"
              vpc_security_group_ids = [aws_security_group.a.id]
            }
            resource "aws_db_instance" "b" {
              engine                 = var.engine
              vpc_security_group_ids = [aws_security_group.b.id]
            }
        "#;
        assert!(flagged("SEC015", tf).is_empty());
    }

    #[test]
    fn security_group_shared_by_counted_dbs_in_a_module() {
        let files = [
            (
                "main.tf",
                r#"
                module "net" { source = "./net" }
                resource "aws_db_instance" "db" {
                  count                  = 2
                  engine                 = "postgres"
                  vpc_security_group_ids = [module.net.db_sg]
                }
            "#,
            ),
            (
                "net/main.tf",
                r#"
                resource "aws_security_group" "db" {}
                resource "aws_security_group_rule" "pg" {
                  type              = "ingress"
                  security_group_id = aws_security_group.db.id
                  from_port         = 0
                  to_port           = 65535
                  protocol          = "tcp"
                  cidr_blocks       = ["0.0.0.0/0"]
                }
                output "db_sg" { value = aws_security_group.db.id }
            "#,
            ),
        ];
        let found = findings_in("SEC015", &files);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].resource, "module.net.aws_security_group_rule.pg");
        assert!(found[0].message.contains("and 1 more"), "{}", found[0].message);
        assert_eq!(found[0].related.len(), 3);
    }
}
