//! The typed configuration of `wellarch_multiregion_commerce`, read and validated from
//! Terraform's JSON shape.
//!
//! Unknown values (known only after apply) are never errors, except where the *shape* of
//! the expansion needs them: the two regions (every child is pinned to one) and the
//! Availability Zone letters must be known at plan time. Unknown `tls`/`dns` blocks plan as
//! absent and an unknown subscription list as empty; Terraform plans again at apply with
//! everything known.

use serde_json::Value;

use super::MAX_NAME;
use crate::ConfigError;
use crate::config::{Errors, Section, Setting, SettingMap, check_tags, defaulted as d, managed_rule_groups};

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub name: Setting<String>,
    pub primary_region: String,
    pub failover_region: String,
    pub tags: Setting<SettingMap>,
    pub compute: Compute,
    pub network: Network,
    pub database: Database,
    pub storage: Storage,
    pub tls: Option<Tls>,
    pub dns: Option<Dns>,
    pub edge: Edge,
    pub subscriptions: Vec<Subscription>,
    pub alarms: Alarms,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Compute {
    pub ami_id: Setting<String>,
    pub failover_ami_id: Setting<String>,
    pub instance_type: Setting<String>,
    pub user_data_base64: Option<Setting<String>>,
    pub app_port: Setting<i64>,
    pub health_check_path: Setting<String>,
    pub min_size: Setting<i64>,
    pub max_size: Setting<i64>,
    pub failover_min_size: Setting<i64>,
    pub cpu_target: Setting<f64>,
    pub volume_size: Setting<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    pub primary_cidr: Setting<String>,
    pub failover_cidr: Setting<String>,
    /// Always two letters (checked).
    pub zone_letters: [String; 2],
    pub nat_gateways: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Database {
    pub engine: Setting<String>,
    pub engine_version: Setting<String>,
    pub instance_class: Setting<String>,
    pub database_name: Setting<String>,
    pub master_username: Setting<String>,
    /// 0, 1 or 2 (checked).
    pub failover_instances: usize,
    pub backup_retention_days: Setting<i64>,
    pub deletion_protection: Setting<bool>,
    pub skip_final_snapshot: Setting<bool>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Storage {
    pub force_destroy: Setting<bool>,
    pub noncurrent_version_expiration_days: Setting<i64>,
    pub log_expiration_days: Setting<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tls {
    pub primary_certificate_arn: Setting<String>,
    pub failover_certificate_arn: Setting<String>,
    pub cloudfront_certificate_arn: Option<Setting<String>>,
    pub ssl_policy: Setting<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Routing {
    Failover,
    Latency,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Dns {
    pub zone_id: Setting<String>,
    pub domain_name: Setting<String>,
    pub routing: Routing,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub price_class: Setting<String>,
    pub managed_rule_groups: Vec<String>,
    pub rate_limit: Setting<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Subscription {
    pub protocol: Setting<String>,
    pub endpoint: Setting<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Alarms {
    pub period: Setting<i64>,
    pub evaluation_periods: Setting<i64>,
    pub alb_5xx_threshold: Setting<f64>,
    pub unhealthy_hosts_threshold: Setting<f64>,
    pub replica_lag_threshold_ms: Setting<f64>,
}

const SUBSCRIPTION_PROTOCOLS: &[&str] = &["email", "email-json", "https", "sqs", "lambda", "sms", "application"];

/// Reads and validates a configuration: the typed [`Config`] for the expansion and the
/// filled configuration for the plan, or every error found.
pub fn read(config: &Value) -> Result<(Config, Value), Vec<ConfigError>> {
    let schema = super::schema();
    let errors = Errors::new();
    let mut root = Section::root(&schema, config, &errors);

    let name = root.required_string("name");
    if let Setting::Known(n) = &name
        && let Err(why) = check_name(n)
    {
        root.error("name", why);
    }
    let primary_region = known_region(&mut root, "primary_region", "eu-west-1");
    let failover_region = known_region(&mut root, "failover_region", "eu-west-3");
    if primary_region == failover_region {
        root.error(
            "failover_region",
            format!("must differ from primary_region ({primary_region}): a failover needs a second region"),
        );
    }
    let tags = root.string_map("tags");
    check_tags(&root, &tags);

    let mut c = root.block("compute");
    let compute = read_compute(&mut c);
    root.put_block("compute", c);

    let mut n = root.block("network");
    let network = read_network(&mut n);
    root.put_block("network", n);

    let mut db = root.block("database");
    let database = read_database(&mut db);
    root.put_block("database", db);

    let mut s = root.block("storage");
    let storage = Storage {
        force_destroy: d(s.bool("force_destroy")),
        noncurrent_version_expiration_days: d(s.int("noncurrent_version_expiration_days", 1..=3650)),
        log_expiration_days: d(s.int("log_expiration_days", 1..=3650)),
    };
    root.put_block("storage", s);

    let mut t = root.block("tls");
    let tls = t
        .is_present()
        .then(|| read_tls(&mut t, &primary_region, &failover_region));
    root.put_block("tls", t);

    let mut dn = root.block("dns");
    let dns = dn.is_present().then(|| Dns {
        zone_id: dn.required_string("zone_id"),
        domain_name: dn.required_string("domain_name"),
        routing: match dn.one_of("routing", &["failover", "latency"]) {
            Some(Setting::Known(r)) if r == "latency" => Routing::Latency,
            _ => Routing::Failover,
        },
    });
    root.put_block("dns", dn);

    let mut e = root.block("edge");
    let edge = read_edge(&mut e);
    root.put_block("edge", e);

    let mut no = root.block("notifications");
    let subscriptions = read_subscriptions(&mut no);
    root.put_block("notifications", no);

    let mut al = root.block("alarms");
    let alarms = read_alarms(&mut al);
    root.put_block("alarms", al);

    let filled = root.finish();
    if !errors.is_empty() {
        return Err(errors.into_vec());
    }
    Ok((
        Config {
            name,
            primary_region,
            failover_region,
            tags,
            compute,
            network,
            database,
            storage,
            tls,
            dns,
            edge,
            subscriptions,
            alarms,
        },
        filled,
    ))
}

/// The composite's name prefixes every child's name: lowercase letters, digits and hyphens
/// (S3 and RDS naming), at most [`MAX_NAME`] characters (load balancer naming).
pub fn check_name(name: &str) -> Result<(), String> {
    let shape = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--");
    if shape {
        Ok(())
    } else {
        Err(format!(
            "must be 1 to {MAX_NAME} lowercase letters, digits and single hyphens, starting with a letter \
             and not ending with a hyphen, not {name:?}: it prefixes every child's name, and the target \
             group `<name>-failover-app` must fit Elastic Load Balancing's 32 characters"
        ))
    }
}

/// A region name that must be known at plan time: every child is pinned to a region.
fn known_region(root: &mut Section<'_>, name: &str, fallback: &str) -> String {
    match root.string(name) {
        Some(Setting::Known(r)) => {
            let parts: Vec<&str> = r.split('-').collect();
            let valid = parts.len() >= 3
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
                && parts.last().is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()));
            if !valid {
                root.error(name, format!("{r:?} is not an AWS region name (like eu-west-1)"));
            }
            r
        }
        Some(Setting::Unknown) => {
            root.error_needs_known(name, "must be known at plan time: every child is created in a region");
            fallback.to_string()
        }
        None => fallback.to_string(),
    }
}

fn read_compute(c: &mut Section<'_>) -> Compute {
    if !c.is_present() && !c.is_unknown() {
        c.error_here("a compute block is required: it names the AMI of the application servers");
    }
    let ami_id = c.required_string("ami_id");
    check_ami(c, "ami_id", &ami_id);
    let failover_ami_id = match c.string("failover_ami_id") {
        Some(id) => {
            check_ami(c, "failover_ami_id", &id);
            id
        }
        None => ami_id.clone(),
    };
    let instance_type = d(c.string("instance_type"));
    let user_data_base64 = c.string("user_data_base64");
    let app_port = d(c.int("app_port", 1..=65_535));
    let health_check_path = d(c.string("health_check_path"));
    if let Setting::Known(p) = &health_check_path
        && !p.starts_with('/')
    {
        c.error("health_check_path", format!("must start with /, not {p:?}"));
    }
    let min_size = d(c.int("min_size", 0..=1000));
    let max_size = d(c.int("max_size", 1..=1000));
    let failover_min_size = d(c.int("failover_min_size", 0..=1000));
    if let (Setting::Known(min), Setting::Known(max)) = (&min_size, &max_size)
        && min > max
    {
        c.error("min_size", format!("must be at most max_size ({max}), not {min}"));
    }
    if let (Setting::Known(min), Setting::Known(max)) = (&failover_min_size, &max_size)
        && min > max
    {
        c.error(
            "failover_min_size",
            format!("must be at most max_size ({max}), not {min}"),
        );
    }
    Compute {
        ami_id,
        failover_ami_id,
        instance_type,
        user_data_base64,
        app_port,
        health_check_path,
        min_size,
        max_size,
        failover_min_size,
        cpu_target: d(c.number("cpu_target", 10.0..=90.0)),
        volume_size: d(c.int("volume_size", 8..=16_384)),
    }
}

fn check_ami(c: &Section<'_>, name: &str, id: &Setting<String>) {
    if let Setting::Known(id) = id
        && !(id.starts_with("ami-") && id.len() > 4 && id[4..].chars().all(|ch| ch.is_ascii_hexdigit()))
    {
        c.error(
            name,
            format!("must be an AMI id (ami- and hexadecimal digits), not {id:?}"),
        );
    }
}

fn read_network(n: &mut Section<'_>) -> Network {
    let primary_cidr = d(n.string("primary_cidr"));
    let failover_cidr = d(n.string("failover_cidr"));
    for (name, cidr) in [("primary_cidr", &primary_cidr), ("failover_cidr", &failover_cidr)] {
        if let Setting::Known(c) = cidr
            && slash16(c).is_none()
        {
            n.error(name, format!("must be an IPv4 /16 block like 10.0.0.0/16, not {c:?}"));
        }
    }
    if let (Setting::Known(a), Setting::Known(b)) = (&primary_cidr, &failover_cidr)
        && a == b
    {
        n.error(
            "failover_cidr",
            "must not overlap primary_cidr (the regions may be peered later)",
        );
    }
    let letters = match n.string_list("availability_zone_letters") {
        Some(Setting::Known(l))
            if l.len() == 2
                && l[0] != l[1]
                && l.iter()
                    .all(|x| x.len() == 1 && x.chars().all(|c| c.is_ascii_lowercase())) =>
        {
            [l[0].clone(), l[1].clone()]
        }
        Some(Setting::Known(l)) => {
            n.error(
                "availability_zone_letters",
                format!("must be two different lowercase letters like [\"a\", \"b\"], not {l:?}"),
            );
            ["a".into(), "b".into()]
        }
        Some(Setting::Unknown) => {
            n.error_needs_known(
                "availability_zone_letters",
                "must be known at plan time: subnets are created per zone",
            );
            ["a".into(), "b".into()]
        }
        None => ["a".into(), "b".into()],
    };
    let nat_gateways = match n.int("nat_gateways", 1..=2) {
        Some(Setting::Known(1)) => 1,
        _ => 2,
    };
    Network {
        primary_cidr,
        failover_cidr,
        zone_letters: letters,
        nat_gateways,
    }
}

/// The first two octets of an `a.b.0.0/16` block.
pub fn slash16(cidr: &str) -> Option<(u8, u8)> {
    let (ip, bits) = cidr.split_once('/')?;
    if bits != "16" {
        return None;
    }
    let octets: Vec<u8> = ip.split('.').map(|o| o.parse().ok()).collect::<Option<_>>()?;
    match octets.as_slice() {
        [a, b, 0, 0] => Some((*a, *b)),
        _ => None,
    }
}

fn read_database(db: &mut Section<'_>) -> Database {
    let engine = d(db.one_of("engine", &["aurora-postgresql", "aurora-mysql"]));
    let database_name = d(db.string("database_name"));
    if let Setting::Known(n) = &database_name
        && !(n.starts_with(|c: char| c.is_ascii_alphabetic())
            && n.len() <= 63
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        db.error(
            "database_name",
            format!("must be 1 to 63 letters, digits and underscores starting with a letter, not {n:?}"),
        );
    }
    let master_username = d(db.string("master_username"));
    if let Setting::Known(u) = &master_username
        && !(u.starts_with(|c: char| c.is_ascii_alphabetic())
            && u.len() <= 16
            && u.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        db.error(
            "master_username",
            format!("must be 1 to 16 letters, digits and underscores starting with a letter, not {u:?}"),
        );
    }
    Database {
        engine,
        engine_version: d(db.string("engine_version")),
        instance_class: d(db.string("instance_class")),
        database_name,
        master_username,
        failover_instances: match db.int("failover_instances", 0..=2) {
            Some(Setting::Known(n)) => n as usize,
            _ => 2,
        },
        backup_retention_days: d(db.int("backup_retention_days", 1..=35)),
        deletion_protection: d(db.bool("deletion_protection")),
        skip_final_snapshot: d(db.bool("skip_final_snapshot")),
    }
}

fn read_tls(t: &mut Section<'_>, primary: &str, failover: &str) -> Tls {
    let primary_certificate_arn = t.required_string("primary_certificate_arn");
    let failover_certificate_arn = t.required_string("failover_certificate_arn");
    let cloudfront_certificate_arn = t.string("cloudfront_certificate_arn");
    let regional = |arn: &Setting<String>, region: &str| match arn {
        Setting::Known(a) => a.starts_with("arn:") && a.split(':').nth(3) == Some(region),
        Setting::Unknown => true,
    };
    if !regional(&primary_certificate_arn, primary) {
        t.error(
            "primary_certificate_arn",
            format!("must be an ACM certificate ARN in {primary}"),
        );
    }
    if !regional(&failover_certificate_arn, failover) {
        t.error(
            "failover_certificate_arn",
            format!("must be an ACM certificate ARN in {failover}"),
        );
    }
    if let Some(arn) = &cloudfront_certificate_arn
        && !regional(arn, "us-east-1")
    {
        t.error(
            "cloudfront_certificate_arn",
            "must be an ACM certificate ARN in us-east-1 (CloudFront's region)",
        );
    }
    Tls {
        primary_certificate_arn,
        failover_certificate_arn,
        cloudfront_certificate_arn,
        ssl_policy: d(t.string("ssl_policy")),
    }
}

fn read_edge(e: &mut Section<'_>) -> Edge {
    let price_class = d(e.one_of("price_class", &["PriceClass_100", "PriceClass_200", "PriceClass_All"]));
    Edge {
        price_class,
        managed_rule_groups: managed_rule_groups(e),
        rate_limit: d(e.int("rate_limit", 100..=2_000_000_000)),
    }
}

fn read_subscriptions(n: &mut Section<'_>) -> Vec<Subscription> {
    let mut out = Vec::new();
    let blocks = n.blocks("subscription").map(|list| {
        list.into_iter()
            .map(|mut s| {
                let protocol = s.required_one_of("protocol", SUBSCRIPTION_PROTOCOLS);
                let endpoint = s.required_string("endpoint");
                out.push(Subscription { protocol, endpoint });
                s
            })
            .collect()
    });
    n.put_blocks("subscription", blocks);
    out
}

fn read_alarms(a: &mut Section<'_>) -> Alarms {
    let period = d(a.int("period", 60..=86_400));
    if let Setting::Known(p) = period
        && p % 60 != 0
    {
        a.error("period", format!("must be a multiple of 60, not {p}"));
    }
    let threshold = |a: &mut Section<'_>, name: &str| d(a.number(name, 0.0..=1.0e12));
    Alarms {
        period,
        evaluation_periods: d(a.int("evaluation_periods", 1..=100)),
        alb_5xx_threshold: threshold(a, "alb_5xx_threshold"),
        unhealthy_hosts_threshold: threshold(a, "unhealthy_hosts_threshold"),
        replica_lag_threshold_ms: threshold(a, "replica_lag_threshold_ms"),
    }
}
