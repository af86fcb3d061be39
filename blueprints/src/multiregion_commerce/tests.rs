use serde_json::{Value, json};

use super::expand::{GLOBAL_CLUSTER, GLOBAL_REGION, STORED_PASSWORD};
use super::{example_config, plan};
use crate::component::{Component, Expansion, Mode};
use crate::expr::Expr;
use crate::{PathStep, unknown};

fn expand(config: Value) -> Expansion {
    plan(&config).unwrap_or_else(|e| panic!("{e:?}")).expansion
}

fn minimal() -> Value {
    json!({ "name": "shop", "compute": [{ "ami_id": "ami-0abc" }] })
}

fn with(mut base: Value, key: &str, value: Value) -> Value {
    base[key] = value;
    base
}

fn component<'a>(e: &'a Expansion, address: &str) -> &'a Component {
    e.component(address).unwrap_or_else(|| panic!("no {address}"))
}

fn wave_of(e: &Expansion, address: &str) -> usize {
    let index = e
        .components
        .iter()
        .position(|c| c.address() == address)
        .unwrap_or_else(|| panic!("no {address}"));
    let waves = e.waves().expect("waves");
    waves.iter().position(|w| w.contains(&index)).expect("placed")
}

fn errors(config: Value) -> Vec<(String, String)> {
    match plan(&config) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .map(|e| {
                let path = e
                    .path
                    .iter()
                    .map(|s| match s {
                        PathStep::Attribute(a) => a.clone(),
                        PathStep::Index(i) => i.to_string(),
                        PathStep::Key(k) => k.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join(".");
                (path, e.message)
            })
            .collect(),
    }
}

#[test]
fn the_example_expands_without_cycles_or_dangling_references() {
    let e = expand(example_config());
    e.waves().expect("a valid dependency order");
    assert!(e.components.len() > 120, "{} components", e.components.len());
}

#[test]
fn children_live_in_their_region() {
    let e = expand(with(minimal(), "failover_region", json!("eu-central-1")));
    assert_eq!(component(&e, "aws_vpc.primary").region.as_deref(), Some("eu-west-1"));
    assert_eq!(
        component(&e, "aws_vpc.failover").region.as_deref(),
        Some("eu-central-1")
    );
    assert_eq!(
        component(&e, "aws_rds_cluster.failover").region.as_deref(),
        Some("eu-central-1")
    );
    assert_eq!(
        component(&e, "aws_wafv2_web_acl.edge").region.as_deref(),
        Some(GLOBAL_REGION)
    );
    assert_eq!(
        component(&e, "aws_cloudwatch_metric_alarm.primary_health")
            .region
            .as_deref(),
        Some(GLOBAL_REGION)
    );
    let subnet = component(&e, "aws_subnet.failover_private_b");
    assert_eq!(subnet.body.get("availability_zone"), Some(&Expr::str("eu-central-1b")));
    assert_eq!(subnet.body.get("cidr_block"), Some(&Expr::str("10.1.11.0/24")));
    // Every regional child names its region; global services (IAM, CloudFront, Route 53) need none.
    for c in e.components.iter().filter(|c| c.region.is_none() && c.is_managed()) {
        assert!(
            [
                "aws_iam_role",
                "aws_iam_role_policy",
                "aws_cloudfront_distribution",
                "aws_route53_health_check",
                "aws_route53_record"
            ]
            .contains(&c.resource_type.as_str()),
            "{} has no region",
            c.address()
        );
    }
}

#[test]
fn the_global_database_is_built_in_aws_order() {
    let e = expand(minimal());
    let global = wave_of(&e, GLOBAL_CLUSTER);
    let primary = wave_of(&e, "aws_rds_cluster.primary");
    let writer = wave_of(&e, "aws_rds_cluster_instance.primary_writer");
    let secondary = wave_of(&e, "aws_rds_cluster.failover");
    assert!(global < primary && primary < writer && writer < secondary);
    let replication = wave_of(&e, "aws_s3_bucket_replication_configuration.primary_to_failover");
    assert!(replication > wave_of(&e, "aws_s3_bucket_versioning.primary"));
    assert!(replication > wave_of(&e, "aws_s3_bucket_versioning.failover"));
    assert!(wave_of(&e, "aws_nat_gateway.primary_a") > wave_of(&e, "aws_internet_gateway.primary"));
}

#[test]
fn the_master_password_is_only_ever_written_from_an_ephemeral_value() {
    let e = expand(minimal());
    let primary = component(&e, "aws_rds_cluster.primary");
    assert_eq!(
        primary.body.get("master_password_wo"),
        Some(&Expr::reference(STORED_PASSWORD, "secret_string"))
    );
    assert!(primary.body.get("master_password").is_none());
    let secondary = component(&e, "aws_rds_cluster.failover");
    assert!(secondary.body.get("master_password_wo").is_none() && secondary.body.get("master_username").is_none());
    let ephemerals: Vec<String> = e
        .components
        .iter()
        .filter(|c| c.mode == Mode::Ephemeral)
        .map(Component::address)
        .collect();
    assert_eq!(ephemerals.len(), 2, "{ephemerals:?}");
    // Ephemeral values only reach write-only attributes.
    for c in &e.components {
        for (name, expr) in &c.body.attributes {
            if expr.refs().iter().any(|r| r.component.starts_with("ephemeral.")) {
                assert!(name.ends_with("_wo"), "{}.{name} takes an ephemeral value", c.address());
            }
        }
    }
}

#[test]
fn one_nat_gateway_serves_both_zones_when_asked() {
    let two = expand(minimal());
    assert_eq!(two.by_type()["aws_nat_gateway"].len(), 4);
    let one = expand(with(minimal(), "network", json!([{ "nat_gateways": 1 }])));
    assert_eq!(one.by_type()["aws_nat_gateway"], vec!["primary_a", "failover_a"]);
    let route_b = component(&one, "aws_route_table.primary_private_b");
    assert!(
        route_b
            .body
            .refs()
            .iter()
            .any(|r| r.component == "aws_nat_gateway.primary_a"),
        "zone b routes through zone a's NAT gateway"
    );
}

#[test]
fn without_tls_the_load_balancers_listen_on_http_and_cloudfront_uses_http() {
    let e = expand(minimal());
    assert!(e.component("aws_lb_listener.primary_https").is_none());
    assert!(e.component("aws_lb_listener.primary_http").is_some());
    let hcl = e.to_hcl();
    assert!(hcl.contains("origin_protocol_policy = \"http-only\""));
    let secure = expand(example_config());
    assert!(secure.component("aws_lb_listener.failover_https").is_some());
    assert!(secure.to_hcl().contains("origin_protocol_policy = \"https-only\""));
    assert!(!secure.to_hcl().contains("http-only"));
}

#[test]
fn dns_records_fail_over_or_route_by_latency() {
    let dns = json!([{ "zone_id": "Z1", "domain_name": "shop.example.com" }]);
    let e = expand(with(minimal(), "dns", dns));
    let hcl = e.to_hcl();
    assert!(hcl.contains("type = \"PRIMARY\"") && hcl.contains("type = \"SECONDARY\""));
    let record = component(&e, "aws_route53_record.primary_app");
    assert_eq!(
        record.body.get("health_check_id"),
        Some(&Expr::reference("aws_route53_health_check.primary", "id"))
    );
    let latency = json!([{ "zone_id": "Z1", "domain_name": "shop.example.com", "routing": "latency" }]);
    let e = expand(with(minimal(), "dns", latency));
    let record = component(&e, "aws_route53_record.failover_app");
    let policy = record
        .body
        .blocks_named("latency_routing_policy")
        .next()
        .expect("latency policy");
    assert_eq!(policy.get("region"), Some(&Expr::str("eu-west-3")));
    assert!(expand(minimal()).component("aws_route53_record.primary_app").is_none());
}

#[test]
fn the_secondary_cluster_has_as_many_readers_as_configured() {
    let count = |n: i64| {
        expand(with(minimal(), "database", json!([{ "failover_instances": n }])))
            .components
            .iter()
            .filter(|c| c.address().starts_with("aws_rds_cluster_instance.failover"))
            .count()
    };
    assert_eq!((count(0), count(1), count(2)), (0, 1, 2));
}

#[test]
fn bad_settings_are_reported_on_their_attribute() {
    let got = errors(json!({
        "name": "a-name-much-too-long-for-elb",
        "failover_region": "eu-west-1",
        "compute": [{ "ami_id": "image-1", "min_size": 5, "max_size": 2 }],
        "network": [{ "primary_cidr": "10.0.0.0/8" }],
        "tls": [{ "primary_certificate_arn": "arn:aws:acm:us-east-1:1:certificate/x", "failover_certificate_arn": "arn:aws:acm:eu-west-3:1:certificate/y" }]
    }));
    let paths: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
    for want in [
        "name",
        "failover_region",
        "compute.0.ami_id",
        "compute.0.min_size",
        "network.primary_cidr",
        "tls.primary_certificate_arn",
    ] {
        assert!(paths.contains(&want), "no error on {want}: {got:?}");
    }
    assert!(errors(json!({ "name": "shop" })).iter().any(|(p, _)| p == "compute"));
    let unknown_region = errors(with(minimal(), "primary_region", unknown()));
    assert!(
        unknown_region
            .iter()
            .any(|(p, m)| p == "primary_region" && m.contains("known at plan time"))
    );
}

#[test]
fn unknown_values_plan_without_errors() {
    let mut config = minimal();
    config["compute"][0]["ami_id"] = unknown();
    config["tags"] = unknown();
    let e = expand(config);
    assert_eq!(
        component(&e, "aws_launch_template.primary").body.get("image_id"),
        Some(&Expr::Unknown)
    );
}

#[test]
fn database_identifiers_are_valid_for_rds() {
    let e = expand(example_config());
    let valid = |id: &str| {
        id.len() <= 63
            && id.starts_with(|c: char| c.is_ascii_lowercase())
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !id.ends_with('-')
            && !id.contains("--")
    };
    let mut seen = 0;
    for c in e.components.iter().filter(|c| c.resource_type.starts_with("aws_rds_")) {
        for name in ["identifier", "cluster_identifier", "global_cluster_identifier"] {
            if let Some(Expr::String(id)) = c.body.get(name) {
                seen += 1;
                assert!(valid(id), "{}.{name} = {id:?}", c.address());
            }
        }
    }
    assert!(seen >= 6, "identifiers checked: {seen}");
}

#[test]
fn managed_rule_groups_are_checked_like_the_other_composites() {
    let got = errors(with(
        minimal(),
        "edge",
        json!([{ "managed_rule_groups": ["Not a group", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesCommonRuleSet"] }]),
    ));
    let paths: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
    assert!(paths.contains(&"edge.managed_rule_groups.0"), "{got:?}");
    assert!(paths.contains(&"edge.managed_rule_groups"), "{got:?}");
}
