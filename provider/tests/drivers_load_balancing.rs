//! The load balancing drivers (aws_lb, aws_lb_target_group, aws_lb_listener,
//! aws_wafv2_web_acl_association) against a real moto server, in eu-west-1 and eu-west-3:
//! basic (create, read equals desired, delete, read is gone), update in place, disappears
//! (deleted out of band), drift (changed out of band: read shows AWS's value) and find
//! (adopting the tagged resource). The VPC, subnets and security groups they need are made
//! with the EC2 SDK directly.

mod common;

use std::collections::BTreeMap;

use aws_sdk_elasticloadbalancingv2::types::{LoadBalancerAttribute, Tag};
use common::driver_kit::{assert_gone, assert_reads_as, driver, obj, read, string as s, tag};
use serde_json::{Map, Value, json};
use terraform_provider_wellarch::aws::{AwsEnv, COMPONENT_TAG, COMPOSITE_TAG, ChildCtx, ChildState};

const PRIMARY: &str = "eu-west-1";
const FAILOVER: &str = "eu-west-3";
const COMPOSITE: &str = "wellarch_multiregion_commerce.test";

/// The moto-backed environment, or `None` (test skipped) when moto is not installed.
async fn env() -> Option<AwsEnv> {
    let moto = common::moto()?;
    Some(common::aws_env(moto, PRIMARY).await)
}

fn ctx_tags(component: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (COMPOSITE_TAG.to_string(), COMPOSITE.to_string()),
        (COMPONENT_TAG.to_string(), component.to_string()),
        ("env".to_string(), "test".to_string()),
    ])
}

fn ctx<'a>(env: &'a AwsEnv, region: &'a str, tags: &'a BTreeMap<String, String>, component: &'a str) -> ChildCtx<'a> {
    ChildCtx {
        env,
        region: Some(region),
        tags,
        composite: COMPOSITE,
        component,
    }
}

fn elb(env: &AwsEnv, region: &str) -> aws_sdk_elasticloadbalancingv2::Client {
    aws_sdk_elasticloadbalancingv2::Client::new(&env.config("elbv2", Some(region)))
}

fn waf(env: &AwsEnv, region: &str) -> aws_sdk_wafv2::Client {
    aws_sdk_wafv2::Client::new(&env.config("wafv2", Some(region)))
}

/// Names of at most 32 characters (AWS's limit for load balancers and target groups).
fn short_name(prefix: &str) -> String {
    let name = common::unique(prefix);
    name[name.len().saturating_sub(32)..]
        .trim_start_matches('-')
        .to_string()
}

// ---------------------------------------------------------------- fixtures

/// A VPC with three subnets in three AZs and two security groups, made with the EC2 SDK.
struct Network {
    vpc: String,
    subnets: Vec<String>,
    security_groups: Vec<String>,
}

async fn network(env: &AwsEnv, region: &str) -> Network {
    let ec2 = aws_sdk_ec2::Client::new(&env.config("ec2", Some(region)));
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.20.0.0/16")
        .send()
        .await
        .expect("CreateVpc")
        .vpc()
        .and_then(|v| v.vpc_id())
        .expect("vpc id")
        .to_string();
    let mut subnets = Vec::new();
    for (i, az) in ["a", "b", "c"].iter().enumerate() {
        let subnet = ec2
            .create_subnet()
            .vpc_id(&vpc)
            .cidr_block(format!("10.20.{i}.0/24"))
            .availability_zone(format!("{region}{az}"))
            .send()
            .await
            .expect("CreateSubnet");
        subnets.push(
            subnet
                .subnet()
                .and_then(|s| s.subnet_id())
                .expect("subnet id")
                .to_string(),
        );
    }
    let mut security_groups = Vec::new();
    for name in ["alb", "alb-extra"] {
        let sg = ec2
            .create_security_group()
            .group_name(common::unique(name))
            .description("load balancer")
            .vpc_id(&vpc)
            .send()
            .await
            .expect("CreateSecurityGroup");
        security_groups.push(sg.group_id().expect("group id").to_string());
    }
    Network {
        vpc,
        subnets,
        security_groups,
    }
}

/// A bucket for access logs, made with the existing aws_s3_bucket driver.
async fn log_bucket(env: &AwsEnv, region: &str) -> String {
    let tags = ctx_tags("aws_s3_bucket.logs");
    let c = ctx(env, region, &tags, "aws_s3_bucket.logs");
    let bucket = common::unique("alb-logs");
    driver("aws_s3_bucket")
        .create(&c, &obj(json!({"bucket": bucket, "force_destroy": true})))
        .await
        .expect("create the log bucket");
    bucket
}

fn lb_desired(name: &str, net: &Network, bucket: &str) -> Map<String, Value> {
    obj(json!({
        "name": name,
        "internal": false,
        "load_balancer_type": "application",
        "security_groups": [net.security_groups[0]],
        "subnets": [net.subnets[0], net.subnets[1]],
        "drop_invalid_header_fields": true,
        "enable_deletion_protection": false,
        "idle_timeout": 120,
        "access_logs": [{"bucket": bucket, "prefix": "alb", "enabled": true}],
        "tags": {"Name": name},
    }))
}

/// What ELBv2 has as the load balancer's attributes, asked directly.
async fn lb_attributes(env: &AwsEnv, region: &str, arn: &str) -> BTreeMap<String, String> {
    elb(env, region)
        .describe_load_balancer_attributes()
        .load_balancer_arn(arn)
        .send()
        .await
        .expect("DescribeLoadBalancerAttributes")
        .attributes()
        .iter()
        .map(|a| {
            (
                a.key().unwrap_or_default().to_string(),
                a.value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// A load balancer made with the driver, for the listener and association tests.
async fn parent_lb(env: &AwsEnv, region: &str, net: &Network) -> ChildState {
    let tags = ctx_tags("aws_lb.web");
    let c = ctx(env, region, &tags, "aws_lb.web");
    let desired = obj(json!({
        "name": short_name("web"),
        "security_groups": [net.security_groups[0]],
        "subnets": [net.subnets[0], net.subnets[1]],
    }));
    driver("aws_lb")
        .create(&c, &desired)
        .await
        .expect("create the load balancer")
}

fn tg_desired(name: &str, vpc: &str) -> Map<String, Value> {
    obj(json!({
        "name": name,
        "port": 80,
        "protocol": "HTTP",
        "vpc_id": vpc,
        "target_type": "instance",
        "deregistration_delay": 30,
        "health_check": [{
            "enabled": true,
            "path": "/health",
            "matcher": "200-299",
            "interval": 15,
            "timeout": 5,
            "healthy_threshold": 3,
            "unhealthy_threshold": 2,
            "protocol": "HTTP",
            "port": "traffic-port",
        }],
        "tags": {"Name": name},
    }))
}

async fn parent_tg(env: &AwsEnv, region: &str, vpc: &str) -> ChildState {
    let tags = ctx_tags("aws_lb_target_group.app");
    let c = ctx(env, region, &tags, "aws_lb_target_group.app");
    driver("aws_lb_target_group")
        .create(&c, &tg_desired(&short_name("app"), vpc))
        .await
        .expect("create the target group")
}

// ---------------------------------------------------------------- aws_lb

#[tokio::test]
async fn lb_basic() {
    let Some(env) = env().await else { return };
    let net = network(&env, PRIMARY).await;
    let bucket = log_bucket(&env, PRIMARY).await;
    let tags = ctx_tags("aws_lb.web");
    let c = ctx(&env, PRIMARY, &tags, "aws_lb.web");
    let d = driver("aws_lb");
    assert_eq!(d.replace_on(), &["name", "internal", "load_balancer_type"]);
    let name = short_name("web");
    let desired = lb_desired(&name, &net, &bucket);

    let state = d.create(&c, &desired).await.expect("create");
    let arn = s(&state, "arn").to_string();
    assert_eq!(s(&state, "id"), arn);
    assert!(
        arn.starts_with(&format!(
            "arn:aws:elasticloadbalancing:{PRIMARY}:123456789012:loadbalancer/app/{name}/"
        )),
        "{arn}"
    );
    assert!(s(&state, "arn_suffix").starts_with(&format!("app/{name}/")));
    assert!(arn.ends_with(s(&state, "arn_suffix")));
    assert!(!s(&state, "dns_name").is_empty());
    assert!(!s(&state, "zone_id").is_empty());
    assert_eq!(s(&state, "vpc_id"), net.vpc);
    assert_reads_as(&state, &desired);
    assert_eq!(tag(&state, "tags_all", COMPOSITE_TAG), Some(COMPOSITE));
    assert_eq!(tag(&state, "tags_all", "env"), Some("test"));

    // What AWS has, asked directly.
    let a = lb_attributes(&env, PRIMARY, &arn).await;
    assert_eq!(a.get("idle_timeout.timeout_seconds").map(String::as_str), Some("120"));
    assert_eq!(
        a.get("routing.http.drop_invalid_header_fields.enabled")
            .map(String::as_str),
        Some("true")
    );
    assert_eq!(a.get("access_logs.s3.enabled").map(String::as_str), Some("true"));
    assert_eq!(a.get("access_logs.s3.bucket"), Some(&bucket));
    assert_eq!(a.get("access_logs.s3.prefix").map(String::as_str), Some("alb"));

    let got = read(d, &c, &state).await;
    assert_reads_as(&got, &desired);
    assert_eq!(got.get("dns_name"), state.get("dns_name"));
    assert_eq!(got.get("tags_all"), state.get("tags_all"));

    // The other region does not see it.
    let other = ctx(&env, FAILOVER, &tags, "aws_lb.web");
    assert_gone(d, &other, &state).await;

    d.delete(&c, &state).await.expect("delete");
    assert_gone(d, &c, &state).await;
    d.delete(&c, &state)
        .await
        .expect("deleting a deleted load balancer succeeds");
}

#[tokio::test]
async fn lb_update() {
    let Some(env) = env().await else { return };
    let net = network(&env, PRIMARY).await;
    let bucket = log_bucket(&env, PRIMARY).await;
    let tags = ctx_tags("aws_lb.web");
    let c = ctx(&env, PRIMARY, &tags, "aws_lb.web");
    let d = driver("aws_lb");
    let name = short_name("web");
    let state = d.create(&c, &lb_desired(&name, &net, &bucket)).await.expect("create");

    let changed = obj(json!({
        "name": name,
        "internal": false,
        "load_balancer_type": "application",
        "security_groups": [net.security_groups[1], net.security_groups[0]],
        "subnets": [net.subnets[0], net.subnets[2]],
        "drop_invalid_header_fields": false,
        "idle_timeout": 30,
        "access_logs": [{"bucket": bucket, "prefix": "alb", "enabled": false}],
        "tags": {"Name": name, "tier": "edge"},
    }));
    let next = d.update(&c, &state, &changed).await.expect("update");
    assert_eq!(next.get("arn"), state.get("arn"), "updated in place");
    assert_reads_as(&next, &changed);
    let got = read(d, &c, &next).await;
    assert_reads_as(&got, &changed);
    assert_eq!(tag(&got, "tags_all", "tier"), Some("edge"));

    let arn = s(&state, "arn");
    let lb = elb(&env, PRIMARY)
        .describe_load_balancers()
        .load_balancer_arns(arn)
        .send()
        .await
        .expect("DescribeLoadBalancers");
    let lb = &lb.load_balancers()[0];
    let mut sgs = lb.security_groups().to_vec();
    sgs.sort();
    let mut want = net.security_groups.clone();
    want.sort();
    assert_eq!(sgs, want);
    let mut subnets: Vec<&str> = lb.availability_zones().iter().filter_map(|z| z.subnet_id()).collect();
    subnets.sort();
    let mut want = vec![net.subnets[0].as_str(), net.subnets[2].as_str()];
    want.sort();
    assert_eq!(subnets, want);
    let a = lb_attributes(&env, PRIMARY, arn).await;
    assert_eq!(a.get("idle_timeout.timeout_seconds").map(String::as_str), Some("30"));
    assert_eq!(a.get("access_logs.s3.enabled").map(String::as_str), Some("false"));

    // Settings left out go back to AWS's defaults, as with hashicorp/aws.
    let mut minimal = changed.clone();
    minimal.remove("idle_timeout");
    minimal.remove("access_logs");
    let last = d.update(&c, &next, &minimal).await.expect("update to defaults");
    assert_eq!(last.get("idle_timeout"), Some(&json!(60)));
    let a = lb_attributes(&env, PRIMARY, arn).await;
    assert_eq!(a.get("idle_timeout.timeout_seconds").map(String::as_str), Some("60"));

    d.delete(&c, &last).await.expect("delete");
    assert_gone(d, &c, &last).await;
}

#[tokio::test]
async fn lb_drift_and_disappears() {
    let Some(env) = env().await else { return };
    let net = network(&env, PRIMARY).await;
    let bucket = log_bucket(&env, PRIMARY).await;
    let tags = ctx_tags("aws_lb.web");
    let c = ctx(&env, PRIMARY, &tags, "aws_lb.web");
    let d = driver("aws_lb");
    let name = short_name("web");
    let state = d.create(&c, &lb_desired(&name, &net, &bucket)).await.expect("create");
    let arn = s(&state, "arn");
    let client = elb(&env, PRIMARY);

    client
        .modify_load_balancer_attributes()
        .load_balancer_arn(arn)
        .attributes(
            LoadBalancerAttribute::builder()
                .key("idle_timeout.timeout_seconds")
                .value("300")
                .build(),
        )
        .attributes(
            LoadBalancerAttribute::builder()
                .key("access_logs.s3.enabled")
                .value("false")
                .build(),
        )
        .send()
        .await
        .expect("ModifyLoadBalancerAttributes");
    client
        .set_security_groups()
        .load_balancer_arn(arn)
        .security_groups(&net.security_groups[1])
        .send()
        .await
        .expect("SetSecurityGroups");
    client
        .add_tags()
        .resource_arns(arn)
        .tags(Tag::builder().key("env").value("prod").build())
        .send()
        .await
        .expect("AddTags");

    let got = read(d, &c, &state).await;
    assert_eq!(got.get("idle_timeout"), Some(&json!(300)));
    assert_eq!(got["access_logs"][0]["enabled"], json!(false));
    assert_eq!(got.get("security_groups"), Some(&json!([net.security_groups[1]])));
    assert_eq!(tag(&got, "tags", "env"), Some("prod"), "a changed context tag shows");

    // Repaired by an update.
    let desired = lb_desired(&name, &net, &bucket);
    let fixed = d.update(&c, &got, &desired).await.expect("repair");
    assert_reads_as(&fixed, &desired);
    assert_eq!(tag(&fixed, "tags_all", "env"), Some("test"));

    // Deleted out of band.
    client
        .delete_load_balancer()
        .load_balancer_arn(arn)
        .send()
        .await
        .expect("DeleteLoadBalancer");
    assert_gone(d, &c, &state).await;
    d.delete(&c, &state).await.expect("delete of a gone load balancer");
}

#[tokio::test]
async fn lb_find_adopts_only_this_composites_load_balancer() {
    let Some(env) = env().await else { return };
    let net = network(&env, PRIMARY).await;
    let bucket = log_bucket(&env, PRIMARY).await;
    let tags = ctx_tags("aws_lb.web");
    let c = ctx(&env, PRIMARY, &tags, "aws_lb.web");
    let d = driver("aws_lb");
    let desired = lb_desired(&short_name("web"), &net, &bucket);
    let state = d.create(&c, &desired).await.expect("create");

    let found = d.find(&c, &desired).await.expect("find").expect("adopted");
    assert_eq!(found.get("arn"), state.get("arn"));
    assert_reads_as(&found, &desired);

    let others = BTreeMap::from([
        (
            COMPOSITE_TAG.to_string(),
            "wellarch_multiregion_commerce.other".to_string(),
        ),
        (COMPONENT_TAG.to_string(), "aws_lb.web".to_string()),
    ]);
    let other = ChildCtx {
        composite: "wellarch_multiregion_commerce.other",
        ..ctx(&env, PRIMARY, &others, "aws_lb.web")
    };
    assert_eq!(d.find(&other, &desired).await.expect("find"), None, "someone else's");
    let mut missing = desired.clone();
    missing.insert("name".into(), json!(short_name("none")));
    assert_eq!(d.find(&c, &missing).await.expect("find"), None);

    d.delete(&c, &state).await.expect("delete");
}

#[tokio::test]
async fn lb_deletion_protection_blocks_delete_until_turned_off() {
    let Some(env) = env().await else { return };
    let net = network(&env, PRIMARY).await;
    let bucket = log_bucket(&env, PRIMARY).await;
    let tags = ctx_tags("aws_lb.web");
    let c = ctx(&env, PRIMARY, &tags, "aws_lb.web");
    let d = driver("aws_lb");
    let mut desired = lb_desired(&short_name("web"), &net, &bucket);
    desired.insert("enable_deletion_protection".into(), json!(true));
    let state = d.create(&c, &desired).await.expect("create");
    assert_eq!(state.get("enable_deletion_protection"), Some(&json!(true)));

    let err = d.delete(&c, &state).await.expect_err("protected");
    assert!(err.message.contains("enable_deletion_protection"), "{err}");
    read(d, &c, &state).await;

    desired.insert("enable_deletion_protection".into(), json!(false));
    let state = d.update(&c, &state, &desired).await.expect("turn protection off");
    d.delete(&c, &state).await.expect("delete");
    assert_gone(d, &c, &state).await;
}

/// One load balancer per region, same name: each lives and reads in its own region.
#[tokio::test]
async fn lb_in_two_regions() {
    let Some(env) = env().await else { return };
    let d = driver("aws_lb");
    let tags = ctx_tags("aws_lb.web");
    let name = short_name("web");
    let mut states = Vec::new();
    for region in [PRIMARY, FAILOVER] {
        let net = network(&env, region).await;
        let c = ctx(&env, region, &tags, "aws_lb.web");
        let desired = obj(json!({
            "name": name,
            "security_groups": [net.security_groups[0]],
            "subnets": [net.subnets[0], net.subnets[1]],
            "idle_timeout": 90,
        }));
        let state = d.create(&c, &desired).await.expect("create");
        assert!(
            s(&state, "arn").starts_with(&format!("arn:aws:elasticloadbalancing:{region}:")),
            "{state:#?}"
        );
        assert_reads_as(&state, &desired);
        states.push((region, state));
    }
    assert_ne!(states[0].1.get("arn"), states[1].1.get("arn"));
    for (region, state) in &states {
        let c = ctx(&env, region, &tags, "aws_lb.web");
        assert_eq!(s(&read(d, &c, state).await, "name"), name);
        d.delete(&c, state).await.expect("delete");
        assert_gone(d, &c, state).await;
    }
}

/// A create that fails after CreateLoadBalancer (ModifyLoadBalancerAttributes, answered with
/// an error by a proxy in front of moto) returns the load balancer's state, which deletes it.
#[tokio::test]
async fn lb_failure_after_create_returns_its_state() {
    let Some(mut env) = env().await else { return };
    let Some(moto) = common::moto() else { return };
    let net = network(&env, PRIMARY).await;
    let bucket = log_bucket(&env, PRIMARY).await;
    let failure = common::proxy::response(
        400,
        &[("Content-Type", "text/xml")],
        "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidConfigurationRequest</Code>\
         <Message>injected failure</Message></Error><RequestId>1</RequestId></ErrorResponse>",
    );
    let hooks = common::proxy::Hooks::default().answer(move |r| {
        r.body
            .contains("Action=ModifyLoadBalancerAttributes")
            .then(|| failure.clone())
    });
    let direct = env.clone();
    env.endpoints
        .insert("elbv2".to_string(), common::proxy::start(&moto.endpoint, hooks).await);
    let tags = ctx_tags("aws_lb.web");
    let d = driver("aws_lb");
    let desired = lb_desired(&short_name("web"), &net, &bucket);

    let err = d
        .create(&ctx(&env, PRIMARY, &tags, "aws_lb.web"), &desired)
        .await
        .expect_err("ModifyLoadBalancerAttributes fails");
    assert!(
        err.message.contains("ModifyLoadBalancerAttributes") && err.message.contains("injected failure"),
        "{err}"
    );
    let created = err
        .created
        .expect("the state of the load balancer CreateLoadBalancer made");
    let c = ctx(&direct, PRIMARY, &tags, "aws_lb.web");
    assert_eq!(s(&read(d, &c, &created).await, "arn"), s(&created, "id"));
    d.delete(&c, &created).await.expect("delete with the reported state");
    assert_gone(d, &c, &created).await;
}

// ---------------------------------------------------------------- aws_lb_target_group

#[tokio::test]
async fn lb_target_group_basic_and_update() {
    let Some(env) = env().await else { return };
    let net = network(&env, PRIMARY).await;
    let tags = ctx_tags("aws_lb_target_group.app");
    let c = ctx(&env, PRIMARY, &tags, "aws_lb_target_group.app");
    let d = driver("aws_lb_target_group");
    assert_eq!(d.replace_on(), &["name", "port", "protocol", "vpc_id", "target_type"]);
    let name = short_name("app");
    let desired = tg_desired(&name, &net.vpc);

    let state = d.create(&c, &desired).await.expect("create");
    let arn = s(&state, "arn").to_string();
    assert_eq!(s(&state, "id"), arn);
    assert!(
        arn.starts_with(&format!(
            "arn:aws:elasticloadbalancing:{PRIMARY}:123456789012:targetgroup/{name}/"
        )),
        "{arn}"
    );
    assert!(s(&state, "arn_suffix").starts_with(&format!("targetgroup/{name}/")));
    assert!(arn.ends_with(s(&state, "arn_suffix")));
    assert_reads_as(&state, &desired);
    assert_eq!(tag(&state, "tags_all", COMPONENT_TAG), Some("aws_lb_target_group.app"));
    let got = read(d, &c, &state).await;
    assert_reads_as(&got, &desired);

    let client = elb(&env, PRIMARY);
    let attributes = client
        .describe_target_group_attributes()
        .target_group_arn(&arn)
        .send()
        .await
        .expect("DescribeTargetGroupAttributes");
    assert!(
        attributes
            .attributes()
            .iter()
            .any(|a| a.key() == Some("deregistration_delay.timeout_seconds") && a.value() == Some("30"))
    );

    let mut changed = tg_desired(&name, &net.vpc);
    changed.insert("deregistration_delay".into(), json!(10));
    changed.insert(
        "health_check".into(),
        json!([{
            "enabled": true,
            "path": "/ready",
            "matcher": "200",
            "interval": 30,
            "timeout": 10,
            "healthy_threshold": 2,
            "unhealthy_threshold": 5,
            "protocol": "HTTP",
            "port": "8080",
        }]),
    );
    changed.insert("tags".into(), json!({"Name": name, "tier": "app"}));
    let next = d.update(&c, &state, &changed).await.expect("update");
    assert_eq!(next.get("arn"), state.get("arn"));
    assert_reads_as(&next, &changed);
    let got = read(d, &c, &next).await;
    assert_reads_as(&got, &changed);
    assert_eq!(tag(&got, "tags_all", "tier"), Some("app"));
    let tg = client
        .describe_target_groups()
        .target_group_arns(&arn)
        .send()
        .await
        .expect("DescribeTargetGroups");
    assert_eq!(tg.target_groups()[0].health_check_path(), Some("/ready"));

    d.delete(&c, &next).await.expect("delete");
    assert_gone(d, &c, &next).await;
    d.delete(&c, &next)
        .await
        .expect("deleting a deleted target group succeeds");
}

#[tokio::test]
async fn lb_target_group_drift_find_and_disappears() {
    let Some(env) = env().await else { return };
    let net = network(&env, FAILOVER).await;
    let tags = ctx_tags("aws_lb_target_group.app");
    let c = ctx(&env, FAILOVER, &tags, "aws_lb_target_group.app");
    let d = driver("aws_lb_target_group");
    let name = short_name("app");
    let desired = tg_desired(&name, &net.vpc);
    let state = d.create(&c, &desired).await.expect("create");
    assert!(s(&state, "arn").contains(&format!(":{FAILOVER}:")));
    let arn = s(&state, "arn");
    let client = elb(&env, FAILOVER);

    let found = d.find(&c, &desired).await.expect("find").expect("adopted");
    assert_eq!(found.get("arn"), state.get("arn"));
    assert_reads_as(&found, &desired);

    client
        .modify_target_group()
        .target_group_arn(arn)
        .health_check_path("/changed")
        .health_check_interval_seconds(60)
        .send()
        .await
        .expect("ModifyTargetGroup");
    let got = read(d, &c, &state).await;
    assert_eq!(got["health_check"][0]["path"], json!("/changed"));
    assert_eq!(got["health_check"][0]["interval"], json!(60));
    let fixed = d.update(&c, &got, &desired).await.expect("repair");
    assert_reads_as(&fixed, &desired);

    client
        .delete_target_group()
        .target_group_arn(arn)
        .send()
        .await
        .expect("DeleteTargetGroup");
    assert_gone(d, &c, &state).await;
    assert_eq!(d.find(&c, &desired).await.expect("find"), None);
    d.delete(&c, &state).await.expect("delete of a gone target group");
}

// ---------------------------------------------------------------- aws_lb_listener

#[tokio::test]
async fn lb_listener_basic_update_drift_find() {
    let Some(env) = env().await else { return };
    let net = network(&env, PRIMARY).await;
    let lb = parent_lb(&env, PRIMARY, &net).await;
    let tg = parent_tg(&env, PRIMARY, &net.vpc).await;
    let tags = ctx_tags("aws_lb_listener.http");
    let c = ctx(&env, PRIMARY, &tags, "aws_lb_listener.http");
    let d = driver("aws_lb_listener");
    assert_eq!(d.replace_on(), &["load_balancer_arn"]);
    let desired = obj(json!({
        "load_balancer_arn": s(&lb, "arn"),
        "port": 80,
        "protocol": "HTTP",
        "default_action": [{"type": "forward", "target_group_arn": s(&tg, "arn")}],
        "tags": {"Name": "http"},
    }));

    let state = d.create(&c, &desired).await.expect("create");
    let arn = s(&state, "arn").to_string();
    assert_eq!(s(&state, "id"), arn);
    assert!(
        arn.starts_with(&format!(
            "arn:aws:elasticloadbalancing:{PRIMARY}:123456789012:listener/app/"
        )),
        "{arn}"
    );
    assert_reads_as(&state, &desired);
    assert_eq!(state.get("ssl_policy"), Some(&json!("")), "no TLS policy on HTTP");
    assert_eq!(tag(&state, "tags_all", COMPONENT_TAG), Some("aws_lb_listener.http"));
    let got = read(d, &c, &state).await;
    assert_reads_as(&got, &desired);

    // The target group now reports the load balancer that uses it.
    let tg_now = read(
        driver("aws_lb_target_group"),
        &ctx(
            &env,
            PRIMARY,
            &ctx_tags("aws_lb_target_group.app"),
            "aws_lb_target_group.app",
        ),
        &tg,
    )
    .await;
    assert_eq!(tg_now.get("load_balancer_arns"), Some(&json!([s(&lb, "arn")])));

    // find: the listener of this load balancer tagged for this component, nothing else.
    let found = d.find(&c, &desired).await.expect("find").expect("adopted");
    assert_eq!(found.get("arn"), state.get("arn"));
    let other_tags = ctx_tags("aws_lb_listener.https");
    let other = ctx(&env, PRIMARY, &other_tags, "aws_lb_listener.https");
    assert_eq!(d.find(&other, &desired).await.expect("find"), None);

    // Update in place: a redirect on another port.
    let changed = obj(json!({
        "load_balancer_arn": s(&lb, "arn"),
        "port": 8080,
        "protocol": "HTTP",
        "default_action": [{
            "type": "redirect",
            "redirect": [{"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}],
        }],
        "tags": {"Name": "http", "kind": "redirect"},
    }));
    let next = d.update(&c, &state, &changed).await.expect("update");
    assert_eq!(next.get("arn"), state.get("arn"));
    let got = read(d, &c, &next).await;
    assert_eq!(got.get("port"), Some(&json!(8080)));
    assert_eq!(got["default_action"][0]["type"], json!("redirect"));
    let redirect = &got["default_action"][0]["redirect"][0];
    assert_eq!(redirect["port"], json!("443"));
    assert_eq!(redirect["protocol"], json!("HTTPS"));
    assert_eq!(redirect["status_code"], json!("HTTP_301"));
    assert_eq!(tag(&got, "tags_all", "kind"), Some("redirect"));

    // Drift: changed out of band.
    let client = elb(&env, PRIMARY);
    client
        .modify_listener()
        .listener_arn(&arn)
        .port(81)
        .default_actions(
            aws_sdk_elasticloadbalancingv2::types::Action::builder()
                .r#type(aws_sdk_elasticloadbalancingv2::types::ActionTypeEnum::Forward)
                .target_group_arn(s(&tg, "arn"))
                .build(),
        )
        .send()
        .await
        .expect("ModifyListener");
    let got = read(d, &c, &next).await;
    assert_eq!(got.get("port"), Some(&json!(81)));
    assert_eq!(
        got["default_action"],
        json!([{"type": "forward", "target_group_arn": s(&tg, "arn")}])
    );

    d.delete(&c, &next).await.expect("delete");
    assert_gone(d, &c, &next).await;
    d.delete(&c, &next).await.expect("deleting a deleted listener succeeds");

    // Disappears: deleted out of band.
    let again = d.create(&c, &desired).await.expect("create again");
    client
        .delete_listener()
        .listener_arn(s(&again, "arn"))
        .send()
        .await
        .expect("DeleteListener");
    assert_gone(d, &c, &again).await;
    d.delete(&c, &again).await.expect("delete of a gone listener");

    // The target group is no longer in use, and the load balancer goes too.
    let tg_ctx_tags = ctx_tags("aws_lb_target_group.app");
    let tg_ctx = ctx(&env, PRIMARY, &tg_ctx_tags, "aws_lb_target_group.app");
    driver("aws_lb_target_group")
        .delete(&tg_ctx, &tg)
        .await
        .expect("delete the target group");
    let lb_tags = ctx_tags("aws_lb.web");
    driver("aws_lb")
        .delete(&ctx(&env, PRIMARY, &lb_tags, "aws_lb.web"), &lb)
        .await
        .expect("delete the load balancer");
}

// ---------------------------------------------------------------- aws_wafv2_web_acl_association

async fn regional_acl(env: &AwsEnv, region: &str) -> ChildState {
    let tags = ctx_tags("aws_wafv2_web_acl.alb");
    let c = ctx(env, region, &tags, "aws_wafv2_web_acl.alb");
    let name = common::unique("alb-acl");
    let desired = obj(json!({
        "name": name,
        "scope": "REGIONAL",
        "default_action": [{"allow": [{}]}],
        "visibility_config": [{
            "cloudwatch_metrics_enabled": false,
            "metric_name": name,
            "sampled_requests_enabled": false,
        }],
    }));
    driver("aws_wafv2_web_acl")
        .create(&c, &desired)
        .await
        .expect("create the REGIONAL web ACL")
}

#[tokio::test]
async fn wafv2_web_acl_association_lifecycle() {
    let Some(env) = env().await else { return };
    let net = network(&env, FAILOVER).await;
    let lb = parent_lb(&env, FAILOVER, &net).await;
    let acl = regional_acl(&env, FAILOVER).await;
    let second = regional_acl(&env, FAILOVER).await;
    let tags = ctx_tags("aws_wafv2_web_acl_association.alb");
    let c = ctx(&env, FAILOVER, &tags, "aws_wafv2_web_acl_association.alb");
    let d = driver("aws_wafv2_web_acl_association");
    assert_eq!(d.replace_on(), &["web_acl_arn", "resource_arn"]);
    let desired = obj(json!({"web_acl_arn": s(&acl, "arn"), "resource_arn": s(&lb, "arn")}));

    assert_eq!(
        d.find(&c, &desired).await.expect("find"),
        None,
        "nothing associated yet"
    );
    let state = d.create(&c, &desired).await.expect("create");
    assert_eq!(s(&state, "id"), format!("{},{}", s(&acl, "arn"), s(&lb, "arn")));
    assert_reads_as(&state, &desired);
    let got = read(d, &c, &state).await;
    assert_reads_as(&got, &desired);
    let client = waf(&env, FAILOVER);
    let now = client
        .get_web_acl_for_resource()
        .resource_arn(s(&lb, "arn"))
        .send()
        .await
        .expect("GetWebACLForResource");
    assert_eq!(now.web_acl().map(|w| w.arn()), Some(s(&acl, "arn")));

    let found = d.find(&c, &desired).await.expect("find").expect("adopted");
    assert_eq!(found.get("id"), state.get("id"));
    let other = obj(json!({"web_acl_arn": s(&second, "arn"), "resource_arn": s(&lb, "arn")}));
    assert_eq!(
        d.find(&c, &other).await.expect("find"),
        None,
        "another ACL's association"
    );
    // An update with the same pair keeps the association.
    let same = d.update(&c, &state, &desired).await.expect("no-op update");
    assert_eq!(same.get("id"), state.get("id"));

    // Drift: another ACL put in front of the load balancer out of band (moto keeps the first
    // association when asked to associate another, so disassociate first).
    client
        .disassociate_web_acl()
        .resource_arn(s(&lb, "arn"))
        .send()
        .await
        .expect("DisassociateWebACL");
    client
        .associate_web_acl()
        .web_acl_arn(s(&second, "arn"))
        .resource_arn(s(&lb, "arn"))
        .send()
        .await
        .expect("AssociateWebACL");
    let got = read(d, &c, &state).await;
    assert_eq!(got.get("web_acl_arn"), Some(&json!(s(&second, "arn"))));
    // Delete leaves someone else's association alone.
    d.delete(&c, &state).await.expect("delete");
    let now = client
        .get_web_acl_for_resource()
        .resource_arn(s(&lb, "arn"))
        .send()
        .await
        .expect("GetWebACLForResource");
    assert_eq!(now.web_acl().map(|w| w.arn()), Some(s(&second, "arn")));

    // Disappears: disassociated out of band.
    client
        .disassociate_web_acl()
        .resource_arn(s(&lb, "arn"))
        .send()
        .await
        .expect("DisassociateWebACL");
    assert_gone(d, &c, &state).await;

    // Create again, delete: gone, and deleting again succeeds.
    let state = d.create(&c, &desired).await.expect("create again");
    d.delete(&c, &state).await.expect("delete");
    assert_gone(d, &c, &state).await;
    d.delete(&c, &state)
        .await
        .expect("deleting a deleted association succeeds");

    let lb_tags = ctx_tags("aws_lb.web");
    driver("aws_lb")
        .delete(&ctx(&env, FAILOVER, &lb_tags, "aws_lb.web"), &lb)
        .await
        .expect("delete the load balancer");
}
