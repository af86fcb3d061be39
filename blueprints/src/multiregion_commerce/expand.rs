//! The components of `wellarch_multiregion_commerce`: `hashicorp/aws` resource types and
//! attribute names, each pinned to the primary region, the failover region or us-east-1.

use super::config::{Config, Routing};
use crate::build::{self, allow, assume_role, int, num, obj, policy, r, string, strs, template};
use crate::component::{Body, Component, Expansion};
use crate::config::Setting;
use crate::expr::Expr;

pub const ACCOUNT: &str = "data.aws_caller_identity.current";
pub const GLOBAL_CLUSTER: &str = "aws_rds_global_cluster.this";
pub const SECRET: &str = "aws_secretsmanager_secret.db_master";
pub const SECRET_VERSION: &str = "aws_secretsmanager_secret_version.db_master";
pub const GENERATED_PASSWORD: &str = "ephemeral.aws_secretsmanager_random_password.db_master";
pub const STORED_PASSWORD: &str = "ephemeral.aws_secretsmanager_secret_version.db_master";
pub const REPLICATION_ROLE: &str = "aws_iam_role.replication";
pub const EDGE_ACL: &str = "aws_wafv2_web_acl.edge";
pub const DISTRIBUTION: &str = "aws_cloudfront_distribution.edge";
pub const GLOBAL_KEY: &str = "aws_kms_key.global";
pub const GLOBAL_TOPIC: &str = "aws_sns_topic.global_alarms";

/// CloudFront, its WAF web ACL and Route 53 health check metrics live in us-east-1.
pub const GLOBAL_REGION: &str = "us-east-1";

/// Origin group id of the distribution.
const ORIGIN_GROUP: &str = "regions";

/// One of the two regions: what differs between them.
struct Side<'a> {
    /// `primary` or `failover`: the prefix of its component names.
    key: &'static str,
    region: &'a str,
    cidr: &'a Setting<String>,
    ami: &'a Setting<String>,
    min_size: &'a Setting<i64>,
    certificate: Option<&'a Setting<String>>,
}

impl Side<'_> {
    /// `aws_vpc.primary` style address of this side's component.
    fn a(&self, rtype: &str, suffix: &str) -> String {
        format!("{rtype}.{}", self.name(suffix))
    }

    fn name(&self, suffix: &str) -> String {
        if suffix.is_empty() {
            self.key.to_string()
        } else {
            format!("{}_{suffix}", self.key)
        }
    }
}

pub fn expand(cfg: &Config) -> Expansion {
    let mut c: Vec<Component> = vec![
        Component::data("aws_caller_identity", "current", Body::new())
            .described("The account id, for key and bucket policies."),
    ];
    let sides = sides(cfg);
    for side in &sides {
        key(cfg, side.region, &side.name(""), &mut c);
        network(cfg, side, &mut c);
        logs_bucket(cfg, side, &mut c);
        load_balancer(cfg, side, &mut c);
        servers(cfg, side, &mut c);
        bucket(cfg, side, &mut c);
    }
    key(cfg, GLOBAL_REGION, "global", &mut c);
    replication(cfg, &sides, &mut c);
    database(cfg, &sides, &mut c);
    edge(cfg, &sides, &mut c);
    dns(cfg, &sides, &mut c);
    alarms(cfg, &sides, &mut c);
    Expansion {
        components: c,
        outputs: outputs(),
    }
}

fn sides(cfg: &Config) -> [Side<'_>; 2] {
    let tls = cfg.tls.as_ref();
    [
        Side {
            key: "primary",
            region: &cfg.primary_region,
            cidr: &cfg.network.primary_cidr,
            ami: &cfg.compute.ami_id,
            min_size: &cfg.compute.min_size,
            certificate: tls.map(|t| &t.primary_certificate_arn),
        },
        Side {
            key: "failover",
            region: &cfg.failover_region,
            cidr: &cfg.network.failover_cidr,
            ami: &cfg.compute.failover_ami_id,
            min_size: &cfg.compute.failover_min_size,
            certificate: tls.map(|t| &t.failover_certificate_arn),
        },
    ]
}

fn outputs() -> Vec<(String, Expr)> {
    [
        ("primary_endpoint", r("aws_lb.primary", "dns_name")),
        ("failover_endpoint", r("aws_lb.failover", "dns_name")),
        ("distribution_domain", r(DISTRIBUTION, "domain_name")),
        ("primary_health_check_id", r("aws_route53_health_check.primary", "id")),
        ("failover_health_check_id", r("aws_route53_health_check.failover", "id")),
        ("global_cluster_id", r(GLOBAL_CLUSTER, "id")),
        ("primary_db_endpoint", r("aws_rds_cluster.primary", "endpoint")),
        (
            "failover_db_reader_endpoint",
            r("aws_rds_cluster.failover", "reader_endpoint"),
        ),
        ("db_secret_arn", r(SECRET, "arn")),
        ("primary_bucket", r("aws_s3_bucket.primary", "bucket")),
        ("failover_bucket", r("aws_s3_bucket.failover", "bucket")),
    ]
    .into_iter()
    .map(|(n, e)| (n.to_string(), e))
    .collect()
}

// --- helpers ---------------------------------------------------------------------------

/// `<name><suffix>`, unknown when the name is.
fn named(cfg: &Config, suffix: &str) -> Expr {
    cfg.name.suffixed(suffix).into()
}

fn tagged(cfg: &Config, body: Body) -> Body {
    build::tagged(&cfg.tags, body)
}

/// `"10.0.0.0/16"` → the /24 at index `n` of it (`10.0.<n>.0/24`).
fn subnet_cidr(vpc: &Setting<String>, n: u8) -> Expr {
    match vpc.known().and_then(|c| super::config::slash16(c)) {
        Some((a, b)) => Expr::str(format!("{a}.{b}.{n}.0/24")),
        None => Expr::Unknown,
    }
}

// --- per region ------------------------------------------------------------------------

/// A customer managed key whose policy lets the account administer it (through IAM) and
/// CloudWatch encrypt alarm notifications for the topic it protects.
fn key(cfg: &Config, region: &str, name: &str, c: &mut Vec<Component>) {
    let key_policy = build::alarm_topic_key_policy(ACCOUNT);
    c.push(
        Component::new(
            "aws_kms_key",
            name,
            tagged(
                cfg,
                Body::new()
                    .attr(
                        "description",
                        template(vec![string(&cfg.name), Expr::str(format!(" {name} data"))]),
                    )
                    .attr("enable_key_rotation", true)
                    .attr("deletion_window_in_days", 30)
                    .attr("policy", key_policy),
            ),
        )
        .in_region(region)
        .described("Customer managed KMS key of the region (database, bucket, secret, alarm topic); rotated yearly."),
    );
    c.push(
        Component::new(
            "aws_kms_alias",
            name,
            Body::new()
                .attr("name", cfg.name.prefixed("alias/").suffixed(&format!("-{name}")))
                .attr("target_key_id", r(&format!("aws_kms_key.{name}"), "key_id")),
        )
        .in_region(region)
        .described("Alias of the region's key."),
    );
}

fn network(cfg: &Config, s: &Side<'_>, c: &mut Vec<Component>) {
    let vpc = s.a("aws_vpc", "");
    let igw = s.a("aws_internet_gateway", "");
    let zones = &cfg.network.zone_letters;
    c.push(
        Component::new(
            "aws_vpc",
            &s.name(""),
            tagged(
                cfg,
                Body::new()
                    .attr("cidr_block", string(s.cidr))
                    .attr("enable_dns_support", true)
                    .attr("enable_dns_hostnames", true),
            ),
        )
        .in_region(s.region)
        .described("VPC of the region."),
    );
    c.push(
        Component::new(
            "aws_internet_gateway",
            &s.name(""),
            tagged(cfg, Body::new().attr("vpc_id", r(&vpc, "id"))),
        )
        .in_region(s.region)
        .described("Internet gateway of the public subnets."),
    );
    for (i, letter) in zones.iter().enumerate() {
        let az = format!("{}{letter}", s.region);
        for (tier, offset, public) in [("public", 0u8, true), ("private", 10u8, false)] {
            c.push(
                Component::new(
                    "aws_subnet",
                    &s.name(&format!("{tier}_{letter}")),
                    tagged(
                        cfg,
                        Body::new()
                            .attr("vpc_id", r(&vpc, "id"))
                            .attr("cidr_block", subnet_cidr(s.cidr, offset + i as u8))
                            .attr("availability_zone", az.as_str())
                            .attr("map_public_ip_on_launch", false),
                    ),
                )
                .in_region(s.region)
                .described(if public {
                    "Public subnet: load balancer and NAT gateway (no instance gets a public address)."
                } else {
                    "Private subnet: application servers and database."
                }),
            );
        }
    }
    c.push(
        Component::new(
            "aws_route_table",
            &s.name("public"),
            tagged(
                cfg,
                Body::new().attr("vpc_id", r(&vpc, "id")).block(
                    "route",
                    Body::new()
                        .attr("cidr_block", "0.0.0.0/0")
                        .attr("gateway_id", r(&igw, "id")),
                ),
            ),
        )
        .in_region(s.region)
        .described("Routes of the public subnets: the internet through the internet gateway."),
    );
    for (i, letter) in zones.iter().enumerate() {
        // With one NAT gateway both zones share it (cheaper, but losing its zone loses egress).
        let nat_letter = if i < cfg.network.nat_gateways {
            letter
        } else {
            &zones[0]
        };
        if i < cfg.network.nat_gateways {
            c.push(
                Component::new(
                    "aws_eip",
                    &s.name(&format!("nat_{letter}")),
                    tagged(cfg, Body::new().attr("domain", "vpc")),
                )
                .in_region(s.region)
                .described("Elastic IP of a NAT gateway."),
            );
            c.push(
                Component::new(
                    "aws_nat_gateway",
                    &s.name(letter),
                    tagged(
                        cfg,
                        Body::new()
                            .attr("allocation_id", r(&s.a("aws_eip", &format!("nat_{letter}")), "id"))
                            .attr("subnet_id", r(&s.a("aws_subnet", &format!("public_{letter}")), "id"))
                            .attr("connectivity_type", "public"),
                    ),
                )
                .in_region(s.region)
                // A public NAT gateway needs the VPC's internet gateway attached.
                .after(&igw)
                .described("NAT gateway: outbound internet for the private subnets of its zone."),
            );
        }
        c.push(
            Component::new(
                "aws_route_table",
                &s.name(&format!("private_{letter}")),
                tagged(
                    cfg,
                    Body::new().attr("vpc_id", r(&vpc, "id")).block(
                        "route",
                        Body::new()
                            .attr("cidr_block", "0.0.0.0/0")
                            .attr("nat_gateway_id", r(&s.a("aws_nat_gateway", nat_letter), "id")),
                    ),
                ),
            )
            .in_region(s.region)
            .described("Routes of a private subnet: outbound only, through a NAT gateway."),
        );
        for tier in ["public", "private"] {
            let table = if tier == "public" {
                s.a("aws_route_table", "public")
            } else {
                s.a("aws_route_table", &format!("private_{letter}"))
            };
            c.push(
                Component::new(
                    "aws_route_table_association",
                    &s.name(&format!("{tier}_{letter}")),
                    Body::new()
                        .attr("subnet_id", r(&s.a("aws_subnet", &format!("{tier}_{letter}")), "id"))
                        .attr("route_table_id", r(&table, "id")),
                )
                .in_region(s.region)
                .described("Binds a subnet to its route table."),
            );
        }
    }
    security_groups(cfg, s, c);
    c.push(
        Component::new(
            "aws_flow_log",
            &s.name(""),
            tagged(
                cfg,
                Body::new()
                    .attr("vpc_id", r(&vpc, "id"))
                    .attr("traffic_type", "ALL")
                    .attr("log_destination_type", "s3")
                    // No key prefix: flow logs land under AWSLogs/, apart from the load
                    // balancers' alb/AWSLogs/.
                    .attr("log_destination", r(&s.a("aws_s3_bucket", "logs"), "arn"))
                    .attr("max_aggregation_interval", 600),
            ),
        )
        .in_region(s.region)
        // S3 checks the delivery permission when the flow log is created.
        .after(&s.a("aws_s3_bucket_policy", "logs"))
        .described("VPC flow log of all traffic to the region's log bucket."),
    );
}

fn security_groups(cfg: &Config, s: &Side<'_>, c: &mut Vec<Component>) {
    let vpc = s.a("aws_vpc", "");
    for (role, description) in [
        ("alb", "Load balancer: HTTP and HTTPS from the internet"),
        (
            "app",
            "Application servers: the application port from the load balancer only",
        ),
        ("db", "Database: its port from the application servers only"),
    ] {
        c.push(
            Component::new(
                "aws_security_group",
                &s.name(role),
                tagged(
                    cfg,
                    Body::new()
                        .attr(
                            "name",
                            template(vec![string(&cfg.name), Expr::str(format!("-{}-{role}", s.key))]),
                        )
                        .attr("description", description)
                        .attr("vpc_id", r(&vpc, "id")),
                ),
            )
            .in_region(s.region)
            .described(description),
        );
    }
    let sg = |role: &str| r(&s.a("aws_security_group", role), "id");
    let port = &cfg.compute.app_port;
    let db_port = Expr::int(if cfg.database.engine.known().is_some_and(|e| e == "aurora-mysql") {
        3306
    } else {
        5432
    });
    let rule = |kind: &str, name: &str, group: &str, from_to: Expr, peer: (&str, Expr), description: &str| {
        Component::new(
            kind,
            &s.name(name),
            tagged(
                cfg,
                Body::new()
                    .attr("security_group_id", sg(group))
                    .attr("ip_protocol", "tcp")
                    .attr("from_port", from_to.clone())
                    .attr("to_port", from_to)
                    .attr(peer.0, peer.1)
                    .attr("description", description),
            ),
        )
        .in_region(s.region)
        .described(description)
    };
    const INGRESS: &str = "aws_vpc_security_group_ingress_rule";
    const EGRESS: &str = "aws_vpc_security_group_egress_rule";
    c.push(rule(
        INGRESS,
        "alb_https",
        "alb",
        Expr::int(443),
        ("cidr_ipv4", Expr::str("0.0.0.0/0")),
        "HTTPS from the internet",
    ));
    c.push(rule(
        INGRESS,
        "alb_http",
        "alb",
        Expr::int(80),
        ("cidr_ipv4", Expr::str("0.0.0.0/0")),
        "HTTP from the internet (redirected to HTTPS when TLS is on)",
    ));
    c.push(rule(
        EGRESS,
        "alb_to_app",
        "alb",
        int(port),
        ("referenced_security_group_id", sg("app")),
        "To the application servers",
    ));
    c.push(rule(
        INGRESS,
        "app_from_alb",
        "app",
        int(port),
        ("referenced_security_group_id", sg("alb")),
        "From the load balancer",
    ));
    c.push(rule(
        EGRESS,
        "app_to_db",
        "app",
        db_port.clone(),
        ("referenced_security_group_id", sg("db")),
        "To the database",
    ));
    c.push(rule(
        EGRESS,
        "app_https",
        "app",
        Expr::int(443),
        ("cidr_ipv4", Expr::str("0.0.0.0/0")),
        "HTTPS to AWS APIs and package mirrors",
    ));
    c.push(rule(
        INGRESS,
        "db_from_app",
        "db",
        db_port,
        ("referenced_security_group_id", sg("app")),
        "From the application servers",
    ));
}

/// ELB's log delivery account per region (older regions); newer regions use the service principal.
fn elb_log_principal(region: &str) -> Expr {
    let account = match region {
        "us-east-1" => "127311923021",
        "us-east-2" => "033677994240",
        "us-west-1" => "027434742980",
        "us-west-2" => "797873946194",
        "eu-west-1" => "156460612806",
        "eu-west-2" => "652711504416",
        "eu-west-3" => "009996457667",
        "eu-central-1" => "054676820928",
        "eu-north-1" => "897822967062",
        "eu-south-1" => "635631232127",
        "ap-northeast-1" => "582318560864",
        "ap-northeast-2" => "600734575887",
        "ap-southeast-1" => "114774131450",
        "ap-southeast-2" => "783225319266",
        "ap-south-1" => "718504428378",
        "ca-central-1" => "985666609251",
        "sa-east-1" => "507241528517",
        _ => {
            return obj(vec![(
                "Service",
                Expr::str("logdelivery.elasticloadbalancing.amazonaws.com"),
            )]);
        }
    };
    obj(vec![("AWS", Expr::str(format!("arn:aws:iam::{account}:root")))])
}

/// The region's log bucket: load balancer access logs and VPC flow logs (SSE-S3: ELB cannot
/// write to KMS-encrypted buckets).
fn logs_bucket(cfg: &Config, s: &Side<'_>, c: &mut Vec<Component>) {
    let bucket = s.a("aws_s3_bucket", "logs");
    let id = || r(&bucket, "id");
    let arn = || r(&bucket, "arn");
    c.push(
        Component::new(
            "aws_s3_bucket",
            &s.name("logs"),
            tagged(
                cfg,
                Body::new()
                    .attr(
                        "bucket",
                        template(vec![string(&cfg.name), Expr::str("-logs-"), Expr::str(s.region)]),
                    )
                    .attr("force_destroy", Expr::from(cfg.storage.force_destroy.clone())),
            ),
        )
        .in_region(s.region)
        .described("Log bucket of the region: load balancer access logs and VPC flow logs."),
    );
    c.push(versioning(s, "logs"));
    c.push(
        Component::new(
            "aws_s3_bucket_server_side_encryption_configuration",
            &s.name("logs"),
            Body::new().attr("bucket", id()).block(
                "rule",
                Body::new().block(
                    "apply_server_side_encryption_by_default",
                    Body::new().attr("sse_algorithm", "AES256"),
                ),
            ),
        )
        .in_region(s.region)
        .described("Default encryption of the log bucket (SSE-S3: the only kind ELB log delivery supports)."),
    );
    c.push(public_access_block(s, "logs"));
    c.push(lifecycle(
        s,
        "logs",
        Body::new().attr("days", int(&cfg.storage.log_expiration_days)),
        "expiration",
    ));
    // `key_prefix` is "" or ends in "/".
    let logs_of = |key_prefix: &str| {
        template(vec![
            arn(),
            Expr::str(format!("/{key_prefix}AWSLogs/")),
            r(ACCOUNT, "account_id"),
            Expr::str("/*"),
        ])
    };
    let bucket_policy = policy(vec![
        build::grant(
            "LoadBalancerAccessLogs",
            elb_log_principal(s.region),
            &["s3:PutObject"],
            logs_of("alb/"),
        ),
        build::grant(
            "FlowLogDelivery",
            obj(vec![("Service", Expr::str("delivery.logs.amazonaws.com"))]),
            &["s3:PutObject"],
            logs_of(""),
        ),
        build::grant(
            "FlowLogDeliveryChecksAcl",
            obj(vec![("Service", Expr::str("delivery.logs.amazonaws.com"))]),
            &["s3:GetBucketAcl"],
            arn(),
        ),
        deny_plain_http(arn()),
    ]);
    c.push(
        Component::new(
            "aws_s3_bucket_policy",
            &s.name("logs"),
            Body::new().attr("bucket", id()).attr("policy", bucket_policy),
        )
        .in_region(s.region)
        .after(&s.a("aws_s3_bucket_public_access_block", "logs"))
        .described("Lets ELB and VPC flow logs deliver to the log bucket; refuses plain HTTP."),
    );
}

fn deny_plain_http(bucket_arn: Expr) -> Expr {
    obj(vec![
        ("Sid", Expr::str("DenyPlainHttp")),
        ("Effect", Expr::str("Deny")),
        ("Principal", Expr::str("*")),
        ("Action", Expr::str("s3:*")),
        (
            "Resource",
            Expr::List(vec![bucket_arn.clone(), template(vec![bucket_arn, Expr::str("/*")])]),
        ),
        (
            "Condition",
            obj(vec![("Bool", obj(vec![("aws:SecureTransport", Expr::str("false"))]))]),
        ),
    ])
}

fn versioning(s: &Side<'_>, which: &str) -> Component {
    let bucket = s.a("aws_s3_bucket", which);
    Component::new(
        "aws_s3_bucket_versioning",
        &s.name(which),
        Body::new()
            .attr("bucket", r(&bucket, "id"))
            .block("versioning_configuration", Body::new().attr("status", "Enabled")),
    )
    .in_region(s.region)
    .described("Versioning: overwritten and deleted objects stay recoverable (and replication needs it).")
}

fn public_access_block(s: &Side<'_>, which: &str) -> Component {
    let bucket = s.a("aws_s3_bucket", which);
    Component::new(
        "aws_s3_bucket_public_access_block",
        &s.name(which),
        Body::new()
            .attr("bucket", r(&bucket, "id"))
            .attr("block_public_acls", true)
            .attr("block_public_policy", true)
            .attr("ignore_public_acls", true)
            .attr("restrict_public_buckets", true),
    )
    .in_region(s.region)
    .described("Blocks every form of public access to the bucket.")
}

/// A lifecycle rule expiring what `block_name` says, plus abandoned multipart uploads.
fn lifecycle(s: &Side<'_>, which: &str, expire: Body, block_name: &str) -> Component {
    let bucket = s.a("aws_s3_bucket", which);
    Component::new(
        "aws_s3_bucket_lifecycle_configuration",
        &s.name(which),
        Body::new().attr("bucket", r(&bucket, "id")).block(
            "rule",
            Body::new()
                .attr("id", "expire")
                .attr("status", "Enabled")
                .block("filter", Body::new())
                .block(block_name, expire)
                .block(
                    "abort_incomplete_multipart_upload",
                    Body::new().attr("days_after_initiation", 7),
                ),
        ),
    )
    .in_region(s.region)
    .after(&s.a("aws_s3_bucket_versioning", which))
    .described("Lifecycle of the bucket: old data and abandoned uploads expire.")
}

fn web_acl(cfg: &Config, name: &str, scope: &str, description: &str) -> Body {
    let metric = |rule: &str| match rule {
        "" => named(cfg, &format!("-{name}")),
        rule => named(cfg, &format!("-{name}-{rule}")),
    };
    let acl = build::rate_limited_web_acl(
        named(cfg, &format!("-{name}")),
        scope,
        description,
        &cfg.edge.rate_limit,
        &cfg.edge.managed_rule_groups,
        &metric,
    );
    tagged(cfg, acl)
}

fn load_balancer(cfg: &Config, s: &Side<'_>, c: &mut Vec<Component>) {
    let lb = s.a("aws_lb", "");
    let tg = s.a("aws_lb_target_group", "");
    let compute = &cfg.compute;
    let subnets = |tier: &str| {
        Expr::List(
            cfg.network
                .zone_letters
                .iter()
                .map(|l| r(&s.a("aws_subnet", &format!("{tier}_{l}")), "id"))
                .collect(),
        )
    };
    c.push(
        Component::new(
            "aws_lb",
            &s.name(""),
            tagged(
                cfg,
                Body::new()
                    .attr("name", named(cfg, &format!("-{}", s.key)))
                    .attr("internal", false)
                    .attr("load_balancer_type", "application")
                    .attr(
                        "security_groups",
                        Expr::List(vec![r(&s.a("aws_security_group", "alb"), "id")]),
                    )
                    .attr("subnets", subnets("public"))
                    .attr("drop_invalid_header_fields", true)
                    .attr(
                        "enable_deletion_protection",
                        Expr::from(cfg.database.deletion_protection.clone()),
                    )
                    .attr("idle_timeout", 60)
                    .block(
                        "access_logs",
                        Body::new()
                            .attr("bucket", r(&s.a("aws_s3_bucket", "logs"), "id"))
                            .attr("prefix", "alb")
                            .attr("enabled", true),
                    ),
            ),
        )
        .in_region(s.region)
        // ELB checks that it may write the access logs when they are turned on.
        .after(&s.a("aws_s3_bucket_policy", "logs"))
        .after(&s.a(
            "aws_route_table_association",
            &format!("public_{}", cfg.network.zone_letters[0]),
        ))
        .described("Internet-facing Application Load Balancer of the region, across both zones."),
    );
    c.push(
        Component::new(
            "aws_lb_target_group",
            &s.name(""),
            tagged(
                cfg,
                Body::new()
                    .attr("name", named(cfg, &format!("-{}-app", s.key)))
                    .attr("port", int(&compute.app_port))
                    .attr("protocol", "HTTP")
                    .attr("vpc_id", r(&s.a("aws_vpc", ""), "id"))
                    .attr("target_type", "instance")
                    .attr("deregistration_delay", 30)
                    .block(
                        "health_check",
                        Body::new()
                            .attr("enabled", true)
                            .attr("path", string(&compute.health_check_path))
                            .attr("matcher", "200")
                            .attr("interval", 15)
                            .attr("timeout", 5)
                            .attr("healthy_threshold", 2)
                            .attr("unhealthy_threshold", 3)
                            .attr("protocol", "HTTP"),
                    ),
            ),
        )
        .in_region(s.region)
        .described("Target group of the application servers, health-checked on the health check path."),
    );
    let forward = Body::new()
        .attr("type", "forward")
        .attr("target_group_arn", r(&tg, "arn"));
    match s.certificate {
        Some(cert) => {
            let tls = cfg.tls.as_ref().map(|t| string(&t.ssl_policy)).unwrap_or(Expr::Null);
            c.push(
                Component::new(
                    "aws_lb_listener",
                    &s.name("https"),
                    tagged(
                        cfg,
                        Body::new()
                            .attr("load_balancer_arn", r(&lb, "arn"))
                            .attr("port", 443)
                            .attr("protocol", "HTTPS")
                            .attr("ssl_policy", tls)
                            .attr("certificate_arn", string(cert))
                            .block("default_action", forward),
                    ),
                )
                .in_region(s.region)
                .described("HTTPS listener (TLS 1.2+) forwarding to the application servers."),
            );
            c.push(
                Component::new(
                    "aws_lb_listener",
                    &s.name("http"),
                    tagged(
                        cfg,
                        Body::new()
                            .attr("load_balancer_arn", r(&lb, "arn"))
                            .attr("port", 80)
                            .attr("protocol", "HTTP")
                            .block(
                                "default_action",
                                Body::new().attr("type", "redirect").block(
                                    "redirect",
                                    Body::new()
                                        .attr("port", "443")
                                        .attr("protocol", "HTTPS")
                                        .attr("status_code", "HTTP_301"),
                                ),
                            ),
                    ),
                )
                .in_region(s.region)
                .described("HTTP listener redirecting to HTTPS."),
            );
        }
        None => c.push(
            Component::new(
                "aws_lb_listener",
                &s.name("http"),
                tagged(
                    cfg,
                    Body::new()
                        .attr("load_balancer_arn", r(&lb, "arn"))
                        .attr("port", 80)
                        .attr("protocol", "HTTP")
                        .block("default_action", forward),
                ),
            )
            .in_region(s.region)
            .described("HTTP listener forwarding to the application servers (no `tls` block)."),
        ),
    }
    c.push(
        Component::new(
            "aws_wafv2_web_acl",
            &s.name(""),
            web_acl(cfg, s.key, "REGIONAL", "Filters requests to the region's load balancer"),
        )
        .in_region(s.region)
        .described("Regional WAF web ACL of the load balancer: a per-IP rate limit and AWS managed rules."),
    );
    c.push(
        Component::new(
            "aws_wafv2_web_acl_association",
            &s.name(""),
            Body::new()
                .attr("resource_arn", r(&lb, "arn"))
                .attr("web_acl_arn", r(&s.a("aws_wafv2_web_acl", ""), "arn")),
        )
        .in_region(s.region)
        .described("Puts the web ACL in front of the load balancer."),
    );
}

fn servers(cfg: &Config, s: &Side<'_>, c: &mut Vec<Component>) {
    let compute = &cfg.compute;
    let mut template_body = Body::new()
        .attr("name", named(cfg, &format!("-{}", s.key)))
        .attr("image_id", string(s.ami))
        .attr("instance_type", string(&compute.instance_type))
        .attr(
            "vpc_security_group_ids",
            Expr::List(vec![r(&s.a("aws_security_group", "app"), "id")]),
        )
        .attr("update_default_version", true)
        .block(
            "metadata_options",
            Body::new()
                .attr("http_endpoint", "enabled")
                .attr("http_tokens", "required")
                .attr("http_put_response_hop_limit", 1),
        )
        .block(
            "block_device_mappings",
            Body::new().attr("device_name", "/dev/xvda").block(
                "ebs",
                Body::new()
                    .attr("volume_size", int(&compute.volume_size))
                    .attr("volume_type", "gp3")
                    .attr("encrypted", true)
                    .attr("kms_key_id", r(&s.a("aws_kms_key", ""), "arn"))
                    .attr("delete_on_termination", true),
            ),
        )
        .block("monitoring", Body::new().attr("enabled", true));
    if let Some(user_data) = &compute.user_data_base64 {
        template_body = template_body.attr("user_data", string(user_data));
    }
    c.push(
        Component::new("aws_launch_template", &s.name(""), tagged(cfg, template_body))
            .in_region(s.region)
            .described("Launch template of the application servers: IMDSv2 only, encrypted gp3 root volume."),
    );
    let subnets = Expr::List(
        cfg.network
            .zone_letters
            .iter()
            .map(|l| r(&s.a("aws_subnet", &format!("private_{l}")), "id"))
            .collect(),
    );
    let mut group = Component::new(
        "aws_autoscaling_group",
        &s.name(""),
        Body::new()
            .attr("name", named(cfg, &format!("-{}", s.key)))
            .attr("min_size", int(s.min_size))
            .attr("max_size", int(&compute.max_size))
            .attr("vpc_zone_identifier", subnets)
            .attr(
                "target_group_arns",
                Expr::List(vec![r(&s.a("aws_lb_target_group", ""), "arn")]),
            )
            .attr("health_check_type", "ELB")
            .attr("health_check_grace_period", 300)
            .block(
                "launch_template",
                Body::new()
                    .attr("id", r(&s.a("aws_launch_template", ""), "id"))
                    .attr("version", "$Latest"),
            ),
    )
    .in_region(s.region)
    .described(if s.key == "primary" {
        "Auto Scaling group of the application servers in the private subnets of both zones."
    } else {
        "Auto Scaling group of the failover region, kept at `failover_min_size` (pilot light) until a failover."
    });
    // Instances boot with outbound access (packages, SSM) only once the private routes exist.
    for l in &cfg.network.zone_letters {
        group = group.after(&s.a("aws_route_table_association", &format!("private_{l}")));
    }
    c.push(group);
    c.push(
        Component::new(
            "aws_autoscaling_policy",
            &s.name("cpu"),
            Body::new()
                .attr("name", named(cfg, &format!("-{}-cpu", s.key)))
                .attr("autoscaling_group_name", r(&s.a("aws_autoscaling_group", ""), "name"))
                .attr("policy_type", "TargetTrackingScaling")
                .block(
                    "target_tracking_configuration",
                    Body::new()
                        .block(
                            "predefined_metric_specification",
                            Body::new().attr("predefined_metric_type", "ASGAverageCPUUtilization"),
                        )
                        .attr("target_value", num(&compute.cpu_target)),
                ),
        )
        .in_region(s.region)
        .described("Target tracking: keeps the group's average CPU at `cpu_target`."),
    );
}

fn bucket(cfg: &Config, s: &Side<'_>, c: &mut Vec<Component>) {
    let bucket = s.a("aws_s3_bucket", "");
    c.push(
        Component::new(
            "aws_s3_bucket",
            &s.name(""),
            tagged(
                cfg,
                Body::new()
                    .attr(
                        "bucket",
                        template(vec![string(&cfg.name), Expr::str("-data-"), Expr::str(s.region)]),
                    )
                    .attr("force_destroy", Expr::from(cfg.storage.force_destroy.clone())),
            ),
        )
        .in_region(s.region)
        .described(if s.key == "primary" {
            "Data bucket of the primary region, replicated to the failover region."
        } else {
            "Data bucket of the failover region: the replica."
        }),
    );
    c.push(versioning(s, ""));
    c.push(
        Component::new(
            "aws_s3_bucket_server_side_encryption_configuration",
            &s.name(""),
            Body::new().attr("bucket", r(&bucket, "id")).block(
                "rule",
                Body::new()
                    .block(
                        "apply_server_side_encryption_by_default",
                        Body::new()
                            .attr("sse_algorithm", "aws:kms")
                            .attr("kms_master_key_id", r(&s.a("aws_kms_key", ""), "arn")),
                    )
                    .attr("bucket_key_enabled", true),
            ),
        )
        .in_region(s.region)
        .described("Default encryption of the data bucket with the region's key."),
    );
    c.push(public_access_block(s, ""));
    c.push(lifecycle(
        s,
        "",
        Body::new().attr("noncurrent_days", int(&cfg.storage.noncurrent_version_expiration_days)),
        "noncurrent_version_expiration",
    ));
}

/// Cross-region replication of the data bucket, with a role that may read the source and
/// write the replica only.
fn replication(cfg: &Config, sides: &[Side<'_>; 2], c: &mut Vec<Component>) {
    let [p, f] = sides;
    let source = p.a("aws_s3_bucket", "");
    let replica = f.a("aws_s3_bucket", "");
    c.push(
        Component::new(
            "aws_iam_role",
            "replication",
            tagged(
                cfg,
                Body::new()
                    .attr("name", named(cfg, "-s3-replication"))
                    .attr("assume_role_policy", assume_role("s3.amazonaws.com"))
                    .attr(
                        "description",
                        "Replicates the primary data bucket to the failover region",
                    ),
            ),
        )
        .described("Role S3 replication assumes."),
    );
    let role_policy = policy(vec![
        allow(
            "ReadSourceConfiguration",
            &["s3:GetReplicationConfiguration", "s3:ListBucket"],
            r(&source, "arn"),
        ),
        allow(
            "ReadSourceVersions",
            &[
                "s3:GetObjectVersionForReplication",
                "s3:GetObjectVersionAcl",
                "s3:GetObjectVersionTagging",
            ],
            template(vec![r(&source, "arn"), Expr::str("/*")]),
        ),
        allow(
            "WriteReplica",
            &["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
            template(vec![r(&replica, "arn"), Expr::str("/*")]),
        ),
        allow("DecryptSource", &["kms:Decrypt"], r(&p.a("aws_kms_key", ""), "arn")),
        allow(
            "EncryptReplica",
            &["kms:Encrypt", "kms:GenerateDataKey"],
            r(&f.a("aws_kms_key", ""), "arn"),
        ),
    ]);
    c.push(
        Component::new(
            "aws_iam_role_policy",
            "replication",
            Body::new()
                .attr("name", "replicate-data-bucket")
                .attr("role", r(REPLICATION_ROLE, "id"))
                .attr("policy", role_policy),
        )
        .described("Least privilege for replication: read the source's versions, write the replica, use both keys."),
    );
    c.push(
        Component::new(
            "aws_s3_bucket_replication_configuration",
            "primary_to_failover",
            Body::new()
                .attr("bucket", r(&source, "id"))
                .attr("role", r(REPLICATION_ROLE, "arn"))
                .block(
                    "rule",
                    Body::new()
                        .attr("id", "everything")
                        .attr("status", "Enabled")
                        .attr("priority", 1)
                        .block("filter", Body::new().attr("prefix", ""))
                        .block("delete_marker_replication", Body::new().attr("status", "Enabled"))
                        .block(
                            "source_selection_criteria",
                            Body::new().block("sse_kms_encrypted_objects", Body::new().attr("status", "Enabled")),
                        )
                        .block(
                            "destination",
                            Body::new()
                                .attr("bucket", r(&replica, "arn"))
                                .attr("storage_class", "STANDARD")
                                .block(
                                    "encryption_configuration",
                                    Body::new().attr("replica_kms_key_id", r(&f.a("aws_kms_key", ""), "arn")),
                                ),
                        ),
                ),
        )
        .in_region(p.region)
        // S3 refuses replication unless both buckets are versioned, and the role must be usable.
        .after(&p.a("aws_s3_bucket_versioning", ""))
        .after(&f.a("aws_s3_bucket_versioning", ""))
        .after("aws_iam_role_policy.replication")
        .described("Replicates every object (and delete markers) of the primary bucket to the failover bucket."),
    );
}

fn database(cfg: &Config, sides: &[Side<'_>; 2], c: &mut Vec<Component>) {
    let db = &cfg.database;
    let [p, f] = sides;
    c.push(
        Component::ephemeral(
            "aws_secretsmanager_random_password",
            "db_master",
            Body::new()
                .attr("password_length", 32)
                .attr("exclude_punctuation", true),
        )
        .in_region(p.region)
        .described("Generates the master password at apply time; never stored."),
    );
    c.push(
        Component::new(
            "aws_secretsmanager_secret",
            "db_master",
            tagged(
                cfg,
                Body::new()
                    .attr("name", named(cfg, "-db-master"))
                    .attr("description", "Master password of the Aurora global database")
                    .attr("kms_key_id", r(&p.a("aws_kms_key", ""), "arn"))
                    .attr("recovery_window_in_days", 7)
                    .block(
                        "replica",
                        Body::new().attr("region", f.region).attr("kms_key_id", r(&f.a("aws_kms_key", ""), "arn")),
                    ),
            ),
        )
        .in_region(p.region)
        .described("Secret holding the master password, encrypted with the region's key and replicated to the failover region."),
    );
    c.push(
        Component::new(
            "aws_secretsmanager_secret_version",
            "db_master",
            Body::new()
                .attr("secret_id", r(SECRET, "id"))
                .attr("secret_string_wo", r(GENERATED_PASSWORD, "random_password"))
                .attr("secret_string_wo_version", 1),
        )
        .in_region(p.region)
        .described("Stores the generated password (write-only: not in state)."),
    );
    c.push(
        Component::ephemeral(
            "aws_secretsmanager_secret_version",
            "db_master",
            Body::new()
                .attr("secret_id", r(SECRET, "id"))
                .attr("version_id", r(SECRET_VERSION, "version_id")),
        )
        .in_region(p.region)
        .described("Reads the master password back when the primary cluster is created; never stored."),
    );
    c.push(
        Component::new(
            "aws_rds_global_cluster",
            "this",
            Body::new()
                .attr("global_cluster_identifier", named(cfg, "-global"))
                .attr("engine", string(&db.engine))
                .attr("engine_version", string(&db.engine_version))
                .attr("database_name", string(&db.database_name))
                .attr("storage_encrypted", true)
                .attr("deletion_protection", Expr::from(db.deletion_protection.clone())),
        )
        .in_region(p.region)
        .described("The Aurora global database: created before its member clusters."),
    );
    for s in sides {
        c.push(
            Component::new(
                "aws_db_subnet_group",
                &s.name(""),
                tagged(
                    cfg,
                    Body::new()
                        .attr("name", named(cfg, &format!("-{}", s.key)))
                        .attr("description", "Private subnets of the database")
                        .attr(
                            "subnet_ids",
                            Expr::List(
                                cfg.network
                                    .zone_letters
                                    .iter()
                                    .map(|l| r(&s.a("aws_subnet", &format!("private_{l}")), "id"))
                                    .collect(),
                            ),
                        ),
                ),
            )
            .in_region(s.region)
            .described("Database subnet group: the private subnets of both zones only."),
        );
        let primary = s.key == "primary";
        let mut body = Body::new()
            .attr("cluster_identifier", named(cfg, &format!("-{}", s.key)))
            .attr("engine", string(&db.engine))
            .attr("engine_version", string(&db.engine_version))
            .attr("global_cluster_identifier", r(GLOBAL_CLUSTER, "id"))
            .attr("db_subnet_group_name", r(&s.a("aws_db_subnet_group", ""), "name"))
            .attr(
                "vpc_security_group_ids",
                Expr::List(vec![r(&s.a("aws_security_group", "db"), "id")]),
            )
            .attr("storage_encrypted", true)
            .attr("kms_key_id", r(&s.a("aws_kms_key", ""), "arn"))
            .attr("backup_retention_period", int(&db.backup_retention_days))
            .attr("preferred_backup_window", "02:00-03:00")
            .attr("deletion_protection", Expr::from(db.deletion_protection.clone()))
            .attr("copy_tags_to_snapshot", true)
            .attr("iam_database_authentication_enabled", true)
            .attr("skip_final_snapshot", Expr::from(db.skip_final_snapshot.clone()))
            .attr("final_snapshot_identifier", named(cfg, &format!("-{}-final", s.key)))
            .attr(
                "enabled_cloudwatch_logs_exports",
                if db.engine.known().is_some_and(|e| e == "aurora-mysql") {
                    strs(&["audit", "error", "slowquery"])
                } else {
                    strs(&["postgresql"])
                },
            );
        if primary {
            body = body
                .attr("database_name", string(&db.database_name))
                .attr("master_username", string(&db.master_username))
                .attr("master_password_wo", r(STORED_PASSWORD, "secret_string"))
                .attr("master_password_wo_version", 1);
        } else {
            body = body.attr("source_region", p.region);
        }
        let mut cluster = Component::new("aws_rds_cluster", &s.name(""), tagged(cfg, body))
            .in_region(s.region)
            .described(if primary {
                "Primary Aurora cluster (the writer), encrypted with the region's key."
            } else {
                "Secondary Aurora cluster in the failover region (read-only until promoted)."
            });
        if !primary {
            // A secondary cluster joins once the primary has its writer.
            cluster = cluster.after("aws_rds_cluster_instance.primary_writer");
        }
        c.push(cluster);
        let instances: &[(&str, usize)] = match (primary, db.failover_instances) {
            (true, _) => &[("writer", 0), ("reader", 1)],
            (false, 0) => &[],
            (false, 1) => &[("reader", 0)],
            (false, _) => &[("reader", 0), ("reader_2", 1)],
        };
        for (role, zone) in instances {
            let letter = &cfg.network.zone_letters[*zone];
            c.push(
                Component::new(
                    "aws_rds_cluster_instance",
                    &s.name(role),
                    tagged(
                        cfg,
                        Body::new()
                            .attr(
                                "identifier",
                                named(cfg, &format!("-{}-{}", s.key, role.replace('_', "-"))),
                            )
                            .attr("cluster_identifier", r(&s.a("aws_rds_cluster", ""), "id"))
                            .attr("instance_class", string(&db.instance_class))
                            .attr("engine", string(&db.engine))
                            .attr("availability_zone", format!("{}{letter}", s.region).as_str())
                            .attr("publicly_accessible", false)
                            .attr("auto_minor_version_upgrade", true)
                            .attr("performance_insights_enabled", true),
                    ),
                )
                .in_region(s.region)
                .described(match (primary, *role) {
                    (true, "writer") => "Writer instance of the primary cluster.",
                    (true, _) => {
                        "Reader instance of the primary cluster, in the other zone (failover target within the region)."
                    }
                    _ => "Reader instance of the secondary cluster: serves reads and becomes the writer when promoted.",
                }),
            );
        }
    }
}

fn edge(cfg: &Config, sides: &[Side<'_>; 2], c: &mut Vec<Component>) {
    c.push(
        Component::new(
            "aws_wafv2_web_acl",
            "edge",
            web_acl(
                cfg,
                "edge",
                "CLOUDFRONT",
                "Filters requests to the shop's CloudFront distribution",
            ),
        )
        .in_region(GLOBAL_REGION)
        .described("WAF web ACL of the distribution (us-east-1): a per-IP rate limit and AWS managed rules."),
    );
    let https_origins = cfg.tls.is_some() && cfg.dns.is_some();
    let mut dist = Body::new()
        .attr("enabled", true)
        .attr("comment", template(vec![string(&cfg.name), Expr::str(" storefront")]))
        .attr("price_class", string(&cfg.edge.price_class))
        .attr("http_version", "http2and3")
        .attr("is_ipv6_enabled", true)
        .attr("web_acl_id", r(EDGE_ACL, "arn"));
    let cdn_certificate = cfg.tls.as_ref().and_then(|t| t.cloudfront_certificate_arn.as_ref());
    if let (Some(_), Some(dns)) = (cdn_certificate, &cfg.dns) {
        dist = dist.attr("aliases", Expr::List(vec![dns.domain_name.prefixed("cdn.").into()]));
    }
    for s in sides {
        // With a domain, each region's load balancer has a name its certificate covers.
        let domain = match &cfg.dns {
            Some(dns) => dns.domain_name.prefixed(&format!("{}.", s.key)).into(),
            None => r(&s.a("aws_lb", ""), "dns_name"),
        };
        dist = dist.block(
            "origin",
            Body::new().attr("domain_name", domain).attr("origin_id", s.key).block(
                "custom_origin_config",
                Body::new()
                    .attr("http_port", 80)
                    .attr("https_port", 443)
                    .attr(
                        "origin_protocol_policy",
                        if https_origins { "https-only" } else { "http-only" },
                    )
                    .attr("origin_ssl_protocols", strs(&["TLSv1.2"])),
            ),
        );
    }
    dist = dist
        .block(
            "origin_group",
            Body::new()
                .attr("origin_id", ORIGIN_GROUP)
                .block(
                    "failover_criteria",
                    Body::new().attr("status_codes", Expr::List([500, 502, 503, 504].map(Expr::int).to_vec())),
                )
                .block("member", Body::new().attr("origin_id", "primary"))
                .block("member", Body::new().attr("origin_id", "failover")),
        )
        .block(
            "default_cache_behavior",
            Body::new()
                // CloudFront fails over only idempotent requests: origin groups take GET, HEAD, OPTIONS.
                .attr("target_origin_id", ORIGIN_GROUP)
                .attr("viewer_protocol_policy", "redirect-to-https")
                .attr("allowed_methods", strs(&["GET", "HEAD", "OPTIONS"]))
                .attr("cached_methods", strs(&["GET", "HEAD"]))
                .attr("compress", true)
                .attr("min_ttl", 0)
                .attr("default_ttl", 0)
                .attr("max_ttl", 300)
                .block(
                    "forwarded_values",
                    Body::new()
                        .attr("query_string", true)
                        .attr("headers", strs(&["Host", "Authorization"]))
                        .block("cookies", Body::new().attr("forward", "all")),
                ),
        )
        .block(
            "restrictions",
            Body::new().block(
                "geo_restriction",
                Body::new()
                    .attr("restriction_type", "none")
                    .attr("locations", Expr::List(Vec::new())),
            ),
        );
    let viewer_certificate = match cdn_certificate.filter(|_| cfg.dns.is_some()) {
        Some(arn) => Body::new()
            .attr("acm_certificate_arn", string(arn))
            .attr("ssl_support_method", "sni-only")
            .attr("minimum_protocol_version", "TLSv1.2_2021"),
        None => Body::new().attr("cloudfront_default_certificate", true),
    };
    dist = dist.block("viewer_certificate", viewer_certificate);
    c.push(
        Component::new("aws_cloudfront_distribution", "edge", tagged(cfg, dist))
            .described("CloudFront in front of both load balancers: an origin group fails over from the primary to the failover region."),
    );
}

fn dns(cfg: &Config, sides: &[Side<'_>; 2], c: &mut Vec<Component>) {
    let https = cfg.tls.is_some();
    for s in sides {
        c.push(
            Component::new(
                "aws_route53_health_check",
                &s.name(""),
                tagged(
                    cfg,
                    Body::new()
                        .attr("type", if https { "HTTPS" } else { "HTTP" })
                        .attr("fqdn", r(&s.a("aws_lb", ""), "dns_name"))
                        .attr("port", if https { 443 } else { 80 })
                        .attr("resource_path", string(&cfg.compute.health_check_path))
                        .attr("failure_threshold", 3)
                        .attr("request_interval", 30),
                ),
            )
            .described("Route 53 health check on the region's load balancer: decides failover."),
        );
    }
    let Some(d) = &cfg.dns else { return };
    for s in sides {
        let alias = || {
            Body::new()
                .attr("name", r(&s.a("aws_lb", ""), "dns_name"))
                .attr("zone_id", r(&s.a("aws_lb", ""), "zone_id"))
                .attr("evaluate_target_health", true)
        };
        let mut record = Body::new()
            .attr("zone_id", string(&d.zone_id))
            .attr("name", string(&d.domain_name))
            .attr("type", "A")
            .attr("set_identifier", s.key)
            .attr("health_check_id", r(&s.a("aws_route53_health_check", ""), "id"));
        record = match d.routing {
            Routing::Failover => record.block(
                "failover_routing_policy",
                Body::new().attr("type", if s.key == "primary" { "PRIMARY" } else { "SECONDARY" }),
            ),
            Routing::Latency => record.block("latency_routing_policy", Body::new().attr("region", s.region)),
        };
        c.push(
            Component::new("aws_route53_record", &s.name("app"), record.block("alias", alias())).described(
                match d.routing {
                    Routing::Failover => {
                        "Failover record of the shop's domain for this region, guarded by its health check."
                    }
                    Routing::Latency => {
                        "Latency record of the shop's domain for this region, guarded by its health check."
                    }
                },
            ),
        );
        c.push(
            Component::new(
                "aws_route53_record",
                &s.name("origin"),
                Body::new()
                    .attr("zone_id", string(&d.zone_id))
                    .attr("name", d.domain_name.prefixed(&format!("{}.", s.key)))
                    .attr("type", "A")
                    .block("alias", alias()),
            )
            .described(
                "Name of the region's load balancer that CloudFront uses as origin (covered by its certificate).",
            ),
        );
    }
    if cfg.tls.as_ref().is_some_and(|t| t.cloudfront_certificate_arn.is_some()) {
        c.push(
            Component::new(
                "aws_route53_record",
                "cdn",
                Body::new()
                    .attr("zone_id", string(&d.zone_id))
                    .attr("name", d.domain_name.prefixed("cdn."))
                    .attr("type", "A")
                    .block(
                        "alias",
                        Body::new()
                            .attr("name", r(DISTRIBUTION, "domain_name"))
                            .attr("zone_id", r(DISTRIBUTION, "hosted_zone_id"))
                            .attr("evaluate_target_health", false),
                    ),
            )
            .described("Alias of `cdn.<domain_name>` to the distribution."),
        );
    }
}

fn alarms(cfg: &Config, sides: &[Side<'_>; 2], c: &mut Vec<Component>) {
    let a = &cfg.alarms;
    let topic = |name: &str, region: &str, key: &str, description: &str, c: &mut Vec<Component>| {
        c.push(
            Component::new(
                "aws_sns_topic",
                name,
                tagged(
                    cfg,
                    Body::new()
                        .attr("name", named(cfg, &format!("-{}", name.replace('_', "-"))))
                        .attr("kms_master_key_id", r(key, "arn")),
                ),
            )
            .in_region(region)
            .described(description),
        );
        for (i, s) in cfg.subscriptions.iter().enumerate() {
            c.push(
                Component::new(
                    "aws_sns_topic_subscription",
                    &format!("{name}_{i}"),
                    Body::new()
                        .attr("topic_arn", r(&format!("aws_sns_topic.{name}"), "arn"))
                        .attr("protocol", string(&s.protocol))
                        .attr("endpoint", string(&s.endpoint)),
                )
                .in_region(region)
                .described("Subscriber of an alarm topic, from a `notifications.subscription` block."),
            );
        }
    };
    let alarm = |name: &str,
                 region: &str,
                 topic: &str,
                 description: &str,
                 (namespace, metric, statistic): (&str, &str, &str),
                 dimensions: Vec<(&str, Expr)>,
                 (comparison, threshold): (&str, Expr)| {
        Component::new(
            "aws_cloudwatch_metric_alarm",
            name,
            tagged(
                cfg,
                Body::new()
                    .attr("alarm_name", named(cfg, &format!("-{}", name.replace('_', "-"))))
                    .attr("alarm_description", description)
                    .attr("namespace", namespace)
                    .attr("metric_name", metric)
                    .attr("dimensions", obj(dimensions))
                    .attr("statistic", statistic)
                    .attr("period", int(&a.period))
                    .attr("evaluation_periods", int(&a.evaluation_periods))
                    .attr("threshold", threshold)
                    .attr("comparison_operator", comparison)
                    .attr("treat_missing_data", "notBreaching")
                    .attr("alarm_actions", Expr::List(vec![r(topic, "arn")]))
                    .attr("ok_actions", Expr::List(vec![r(topic, "arn")])),
            ),
        )
        .in_region(region)
        .described(description)
    };
    for s in sides {
        let topic_name = s.name("alarms");
        let topic_address = format!("aws_sns_topic.{topic_name}");
        topic(
            &topic_name,
            s.region,
            &s.a("aws_kms_key", ""),
            "Alarm topic of the region, encrypted with the region's key.",
            c,
        );
        let lb = r(&s.a("aws_lb", ""), "arn_suffix");
        c.push(alarm(
            &s.name("alb_5xx"),
            s.region,
            &topic_address,
            "The load balancer answers with server errors",
            ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "Sum"),
            vec![("LoadBalancer", lb.clone())],
            ("GreaterThanThreshold", num(&a.alb_5xx_threshold)),
        ));
        c.push(alarm(
            &s.name("unhealthy_hosts"),
            s.region,
            &topic_address,
            "Application servers fail the load balancer's health check",
            ("AWS/ApplicationELB", "UnHealthyHostCount", "Maximum"),
            vec![
                ("LoadBalancer", lb),
                ("TargetGroup", r(&s.a("aws_lb_target_group", ""), "arn_suffix")),
            ],
            ("GreaterThanThreshold", num(&a.unhealthy_hosts_threshold)),
        ));
    }
    let [p, f] = sides;
    c.push(alarm(
        "replica_lag",
        f.region,
        "aws_sns_topic.failover_alarms",
        "The secondary cluster lags behind the primary: a failover now would lose recent writes",
        ("AWS/RDS", "AuroraGlobalDBReplicationLag", "Maximum"),
        vec![("DBClusterIdentifier", r("aws_rds_cluster.failover", "id"))],
        ("GreaterThanThreshold", num(&a.replica_lag_threshold_ms)),
    ));
    topic(
        "global_alarms",
        GLOBAL_REGION,
        GLOBAL_KEY,
        "Alarm topic in us-east-1, where Route 53 health check metrics are.",
        c,
    );
    for s in [p, f] {
        c.push(alarm(
            &s.name("health"),
            GLOBAL_REGION,
            GLOBAL_TOPIC,
            "Route 53 sees the region's load balancer as unhealthy: traffic fails over",
            ("AWS/Route53", "HealthCheckStatus", "Minimum"),
            vec![("HealthCheckId", r(&s.a("aws_route53_health_check", ""), "id"))],
            ("LessThanThreshold", Expr::int(1)),
        ));
    }
}
