//! Drivers of the compute tier (EC2 launch templates, Auto Scaling groups and policies)
//! against moto, in two regions (eu-west-1 and eu-west-3, one moto): create → read equals
//! desired → update in place → read → delete → read is gone; `find` adopts only what the
//! composite tagged; drift made with the SDK directly shows in read. The VPC, subnets,
//! security group and target group the children need are made with the SDK clients here.

mod common;

use std::collections::BTreeMap;

use common::driver_kit::{driver as the_driver, obj, string as str_attr};
use serde_json::{Map, Value, json};
use terraform_provider_wellarch::aws::{AwsEnv, COMPONENT_TAG, COMPOSITE_TAG, ChildCtx, ChildState};

const PRIMARY: &str = "eu-west-1";
const FAILOVER: &str = "eu-west-3";
const COMPOSITE: &str = "wellarch_multiregion_commerce.test";
/// An AMI moto knows in every region.
const AMI: &str = "ami-12c6146b";

/// AWS configuration and tags for the children of one test, the way the orchestrator passes
/// them.
struct Fixture {
    env: AwsEnv,
    tags: BTreeMap<String, String>,
    component: String,
}

impl Fixture {
    fn ctx<'a>(&'a self, region: &'a str) -> ChildCtx<'a> {
        ChildCtx {
            env: &self.env,
            region: Some(region),
            tags: &self.tags,
            composite: COMPOSITE,
            component: &self.component,
        }
    }

    fn config(&self, service: &str, region: &str) -> aws_types::SdkConfig {
        self.env.config(service, Some(region))
    }

    fn ec2(&self, region: &str) -> aws_sdk_ec2::Client {
        aws_sdk_ec2::Client::new(&self.config("ec2", region))
    }

    fn autoscaling(&self, region: &str) -> aws_sdk_autoscaling::Client {
        aws_sdk_autoscaling::Client::new(&self.config("autoscaling", region))
    }
}

/// `None` (test skipped) only when moto is not installed. The provider's region is the
/// primary; every child names its region, as the composite's children do.
async fn fixture(component: &str) -> Option<Fixture> {
    let moto = common::moto()?;
    let env = common::aws_env(moto, PRIMARY).await;
    let tags = BTreeMap::from([
        (COMPOSITE_TAG.to_string(), COMPOSITE.to_string()),
        (COMPONENT_TAG.to_string(), component.to_string()),
        ("env".to_string(), "test".to_string()),
    ]);
    Some(Fixture {
        env,
        tags,
        component: component.to_string(),
    })
}

/// Whether `have` holds `want`: equal, except that nested blocks may carry more attributes
/// than the configuration sets (computed ones, such as a launch template's `name`), as the
/// orchestrator compares them.
fn covers(want: &Value, have: &Value) -> bool {
    match (want, have) {
        (Value::Array(w), Value::Array(h)) => w.len() == h.len() && w.iter().zip(h).all(|(a, b)| covers(a, b)),
        (Value::Object(w), Value::Object(h)) => w.iter().all(|(k, v)| h.get(k).is_some_and(|x| covers(v, x))),
        _ => want == have,
    }
}

/// Every desired attribute reads back with the desired value.
fn assert_reads_as(read: &ChildState, desired: &Map<String, Value>) {
    for (key, want) in desired {
        let have = read.get(key);
        assert!(
            have.is_some_and(|h| covers(want, h)),
            "attribute `{key}`: wanted {want}, read {have:?}; state {read:#?}"
        );
    }
}

/// `tags_all` holds the child's own tags and every context tag.
fn assert_tags_all(state: &ChildState, fx: &Fixture, own: &[(&str, &str)]) {
    let mut want: Map<String, Value> = fx.tags.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    for (k, v) in own {
        want.insert((*k).to_string(), json!(v));
    }
    assert_eq!(
        state.get("tags_all"),
        Some(&Value::Object(want)),
        "tags_all of {state:#?}"
    );
}

/// A VPC over two AZs of `region`: (vpc id, two subnet ids, a security group id).
async fn network(fx: &Fixture, region: &str) -> (String, Vec<String>, String) {
    let ec2 = fx.ec2(region);
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.20.0.0/16")
        .send()
        .await
        .expect("CreateVpc");
    let vpc = vpc.vpc().and_then(|v| v.vpc_id()).expect("vpc id").to_string();
    let mut subnets = Vec::new();
    for (i, az) in ["a", "b"].iter().enumerate() {
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
    let sg = ec2
        .create_security_group()
        .group_name(common::unique("app"))
        .description("app tier")
        .vpc_id(&vpc)
        .send()
        .await
        .expect("CreateSecurityGroup");
    (vpc, subnets, sg.group_id().expect("group id").to_string())
}

/// An instance target group in `vpc`; its ARN.
async fn target_group(fx: &Fixture, region: &str, vpc: &str) -> String {
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&fx.config("elbv2", region));
    let out = elb
        .create_target_group()
        .name(common::unique("tg"))
        .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
        .port(80)
        .vpc_id(vpc)
        .target_type(aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum::Instance)
        .send()
        .await
        .expect("CreateTargetGroup");
    out.target_groups()
        .first()
        .and_then(|t| t.target_group_arn())
        .expect("target group ARN")
        .to_string()
}

/// The launch template settings the composite uses.
fn template_desired(name: &str, sg: &str) -> Map<String, Value> {
    obj(json!({
        "name": name,
        "image_id": AMI,
        "instance_type": "t3.micro",
        "user_data": "IyEvYmluL3NoCmVjaG8gaGVsbG8K",
        "vpc_security_group_ids": [sg],
        "update_default_version": true,
        "metadata_options": [{
            "http_endpoint": "enabled",
            "http_tokens": "required",
            "http_put_response_hop_limit": 2,
        }],
        "block_device_mappings": [{
            "device_name": "/dev/xvda",
            "ebs": [{
                "volume_size": 20,
                "volume_type": "gp3",
                "encrypted": "true",
                "kms_key_id": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                "delete_on_termination": "true",
            }],
        }],
        "monitoring": [{"enabled": true}],
        "iam_instance_profile": [{"arn": "arn:aws:iam::123456789012:instance-profile/app"}],
        "tags": {"tier": "app"},
    }))
}

/// The data of a launch template version as EC2 reports it.
async fn version_data(
    fx: &Fixture,
    region: &str,
    id: &str,
    version: &str,
) -> aws_sdk_ec2::types::ResponseLaunchTemplateData {
    let out = fx
        .ec2(region)
        .describe_launch_template_versions()
        .launch_template_id(id)
        .versions(version)
        .send()
        .await
        .expect("DescribeLaunchTemplateVersions");
    out.launch_template_versions()
        .first()
        .and_then(|v| v.launch_template_data())
        .cloned()
        .expect("version data")
}

// ---------------------------------------------------------------------------------------
// aws_launch_template

#[tokio::test]
async fn launch_template_basic_update_delete() {
    let Some(fx) = fixture("aws_launch_template.app").await else {
        return;
    };
    let d = the_driver("aws_launch_template");
    assert_eq!(d.service(), "ec2");
    assert_eq!(d.replace_on(), &["name"]);
    let (_, _, sg) = network(&fx, PRIMARY).await;
    let desired = template_desired(&common::unique("app"), &sg);
    let c = fx.ctx(PRIMARY);

    let state = d.create(&c, &desired).await.expect("create");
    let id = str_attr(&state, "id").to_string();
    assert!(id.starts_with("lt-"), "id {id}");
    assert_eq!(
        str_attr(&state, "arn"),
        format!("arn:aws:ec2:{PRIMARY}:123456789012:launch-template/{id}")
    );
    assert_eq!(state["latest_version"], json!(1));
    assert_eq!(state["default_version"], json!(1));
    assert_reads_as(&state, &desired);
    assert_tags_all(&state, &fx, &[("tier", "app")]);

    let read = d.read(&c, &state).await.expect("read").expect("exists");
    assert_reads_as(&read, &desired);
    assert_eq!(read["arn"], state["arn"]);
    assert_tags_all(&read, &fx, &[("tier", "app")]);

    // What EC2 has, asked directly.
    let data = version_data(&fx, PRIMARY, &id, "$Default").await;
    assert_eq!(data.instance_type().map(|t| t.as_str()), Some("t3.micro"));
    assert_eq!(data.security_group_ids(), std::slice::from_ref(&sg));
    let ebs = data.block_device_mappings()[0].ebs().expect("ebs");
    assert_eq!((ebs.volume_size(), ebs.encrypted()), (Some(20), Some(true)));
    assert_eq!(
        data.metadata_options()
            .and_then(|m| m.http_tokens())
            .map(|t| t.as_str()),
        Some("required")
    );

    // Instance settings change: a new version, made the default.
    let mut changed = desired.clone();
    changed.insert("instance_type".into(), json!("t3.small"));
    changed.insert(
        "metadata_options".into(),
        json!([{"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1}]),
    );
    changed.insert("tags".into(), json!({"tier": "web", "owner": "shop"}));
    let updated = d.update(&c, &read, &changed).await.expect("update");
    assert_eq!(updated["id"], json!(id));
    assert_eq!(updated["latest_version"], json!(2));
    assert_eq!(updated["default_version"], json!(2));
    assert_reads_as(&updated, &changed);
    assert_tags_all(&updated, &fx, &[("tier", "web"), ("owner", "shop")]);
    let read = d.read(&c, &updated).await.expect("read").expect("exists");
    assert_reads_as(&read, &changed);
    assert_eq!(read["default_version"], json!(2));
    let data = version_data(&fx, PRIMARY, &id, "$Default").await;
    assert_eq!(data.instance_type().map(|t| t.as_str()), Some("t3.small"));
    assert_eq!(
        data.metadata_options().and_then(|m| m.http_put_response_hop_limit()),
        Some(1)
    );

    // Tags only: no new version.
    let mut retagged = changed.clone();
    retagged.insert("tags".into(), json!({"tier": "web"}));
    let updated = d.update(&c, &read, &retagged).await.expect("update tags");
    assert_eq!(updated["latest_version"], json!(2));
    assert_tags_all(&updated, &fx, &[("tier", "web")]);

    d.delete(&c, &updated).await.expect("delete");
    assert_eq!(d.read(&c, &updated).await.expect("read after delete"), None);
    d.delete(&c, &updated)
        .await
        .expect("delete of a gone template succeeds");
}

#[tokio::test]
async fn launch_template_regions_find_and_drift() {
    let Some(fx) = fixture("aws_launch_template.app").await else {
        return;
    };
    let d = the_driver("aws_launch_template");
    let name = common::unique("app");
    let (_, _, sg1) = network(&fx, PRIMARY).await;
    let (_, _, sg3) = network(&fx, FAILOVER).await;
    let primary = d
        .create(&fx.ctx(PRIMARY), &template_desired(&name, &sg1))
        .await
        .expect("create in the primary region");
    let desired = template_desired(&name, &sg3);
    let c = fx.ctx(FAILOVER);
    assert_eq!(
        d.find(&c, &desired).await.expect("find"),
        None,
        "not made in eu-west-3 yet"
    );
    let state = d.create(&c, &desired).await.expect("create in the failover region");
    assert_ne!(state["id"], primary["id"], "one template per region");
    assert!(str_attr(&state, "arn").starts_with(&format!("arn:aws:ec2:{FAILOVER}:")));

    let found = d.find(&c, &desired).await.expect("find").expect("adopted");
    for key in ["id", "arn", "latest_version", "default_version"] {
        assert_eq!(found.get(key), state.get(key), "{key}");
    }
    assert_reads_as(&found, &desired);
    let other = ChildCtx {
        composite: "wellarch_multiregion_commerce.someone-else",
        ..c.clone()
    };
    assert_eq!(d.find(&other, &desired).await.expect("find"), None, "not ours");

    // Drift: a version added out of band, a context tag changed.
    let ec2 = fx.ec2(FAILOVER);
    let id = str_attr(&state, "id");
    ec2.create_launch_template_version()
        .launch_template_id(id)
        .launch_template_data(
            aws_sdk_ec2::types::RequestLaunchTemplateData::builder()
                .image_id(AMI)
                .instance_type(aws_sdk_ec2::types::InstanceType::M5Large)
                .build(),
        )
        .send()
        .await
        .expect("CreateLaunchTemplateVersion out of band");
    ec2.create_tags()
        .resources(id)
        .tags(aws_sdk_ec2::types::Tag::builder().key("env").value("prod").build())
        .send()
        .await
        .expect("CreateTags out of band");
    let read = d.read(&c, &state).await.expect("read").expect("exists");
    assert_eq!(read["instance_type"], json!("m5.large"));
    assert_eq!(read["latest_version"], json!(2));
    assert_eq!(
        read["block_device_mappings"],
        json!([]),
        "the new version has no volumes"
    );
    assert_eq!(read["tags"], json!({"env": "prod", "tier": "app"}));
    assert_eq!(read["tags_all"]["env"], json!("prod"));
    // The primary region's template is untouched.
    let primary_read = d.read(&fx.ctx(PRIMARY), &primary).await.expect("read").expect("exists");
    assert_eq!(primary_read["instance_type"], json!("t3.micro"));
    assert_eq!(primary_read["latest_version"], json!(1));

    // Update brings AWS back to the configuration: a third version, the default.
    let fixed = d.update(&c, &read, &desired).await.expect("update");
    assert_eq!(fixed["latest_version"], json!(3));
    assert_eq!(fixed["default_version"], json!(3));
    assert_reads_as(&fixed, &desired);
    assert_tags_all(&fixed, &fx, &[("tier", "app")]);

    // Deleted out of band: read is gone, delete still succeeds.
    ec2.delete_launch_template()
        .launch_template_id(id)
        .send()
        .await
        .expect("DeleteLaunchTemplate out of band");
    assert_eq!(d.read(&c, &fixed).await.expect("read"), None);
    d.delete(&c, &fixed).await.expect("delete of a gone template");
    d.delete(&fx.ctx(PRIMARY), &primary).await.expect("delete primary");
}

// ---------------------------------------------------------------------------------------
// aws_autoscaling_group

/// A launch template (made by its driver) plus the network and target groups of a group.
struct GroupSetup {
    template: ChildState,
    subnets: Vec<String>,
    target_groups: Vec<String>,
}

async fn group_setup(fx: &Fixture, region: &str) -> GroupSetup {
    let (vpc, subnets, sg) = network(fx, region).await;
    let target_groups = vec![
        target_group(fx, region, &vpc).await,
        target_group(fx, region, &vpc).await,
    ];
    let template = the_driver("aws_launch_template")
        .create(&fx.ctx(region), &template_desired(&common::unique("app"), &sg))
        .await
        .expect("create the launch template");
    GroupSetup {
        template,
        subnets,
        target_groups,
    }
}

fn group_desired(name: &str, setup: &GroupSetup) -> Map<String, Value> {
    obj(json!({
        "name": name,
        "min_size": 1,
        "max_size": 3,
        "desired_capacity": 1,
        "vpc_zone_identifier": setup.subnets,
        "target_group_arns": [setup.target_groups[0]],
        "health_check_type": "ELB",
        "health_check_grace_period": 300,
        "launch_template": [{"id": str_attr(&setup.template, "id"), "version": "$Latest"}],
        "default_cooldown": 120,
    }))
}

async fn describe_group(fx: &Fixture, region: &str, name: &str) -> aws_sdk_autoscaling::types::AutoScalingGroup {
    let out = fx
        .autoscaling(region)
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(name)
        .send()
        .await
        .expect("DescribeAutoScalingGroups");
    out.auto_scaling_groups().first().cloned().expect("the group")
}

#[tokio::test]
async fn autoscaling_group_basic_update_delete() {
    let Some(fx) = fixture("aws_autoscaling_group.app").await else {
        return;
    };
    let d = the_driver("aws_autoscaling_group");
    assert_eq!(d.service(), "autoscaling");
    assert_eq!(d.replace_on(), &["name"]);
    let region = FAILOVER;
    let c = fx.ctx(region);
    let setup = group_setup(&fx, region).await;
    let name = common::unique("app");
    let desired = group_desired(&name, &setup);

    let state = d.create(&c, &desired).await.expect("create");
    assert_eq!(state["id"], json!(name));
    let arn = str_attr(&state, "arn");
    assert!(
        arn.starts_with(&format!("arn:aws:autoscaling:{region}:123456789012:autoScalingGroup:"))
            && arn.ends_with(&format!(":autoScalingGroupName/{name}")),
        "arn {arn}"
    );
    assert_reads_as(&state, &desired);
    assert_tags_all(&state, &fx, &[]);

    let read = d.read(&c, &state).await.expect("read").expect("exists");
    assert_reads_as(&read, &desired);
    assert_tags_all(&read, &fx, &[]);

    // What Auto Scaling has, asked directly: tags propagate at launch, an instance serves.
    let group = describe_group(&fx, region, &name).await;
    assert_eq!(group.health_check_type(), Some("ELB"));
    assert_eq!(group.target_group_arns(), [setup.target_groups[0].clone()]);
    let component = group
        .tags()
        .iter()
        .find(|t| t.key() == Some(COMPONENT_TAG))
        .expect("component tag");
    assert_eq!(component.value(), Some("aws_autoscaling_group.app"));
    assert!(group.tags().iter().all(|t| t.propagate_at_launch() == Some(true)));
    assert_eq!(group.instances().len(), 1);

    // In place: capacity, subnets, target groups, health check, template version, tags.
    let mut changed = desired.clone();
    changed.insert("min_size".into(), json!(2));
    changed.insert("max_size".into(), json!(4));
    changed.insert("desired_capacity".into(), json!(2));
    changed.insert("vpc_zone_identifier".into(), json!([setup.subnets[1]]));
    changed.insert("target_group_arns".into(), json!([setup.target_groups[1]]));
    changed.insert("health_check_type".into(), json!("EC2"));
    changed.insert("health_check_grace_period".into(), json!(60));
    changed.insert(
        "launch_template".into(),
        json!([{"id": str_attr(&setup.template, "id"), "version": setup.template["latest_version"]}]),
    );
    changed.insert("tags".into(), json!({"tier": "app"}));
    let updated = d.update(&c, &read, &changed).await.expect("update");
    assert_reads_as(&updated, &changed);
    assert_tags_all(&updated, &fx, &[("tier", "app")]);
    let read = d.read(&c, &updated).await.expect("read").expect("exists");
    assert_reads_as(&read, &changed);
    let group = describe_group(&fx, region, &name).await;
    assert_eq!(group.target_group_arns(), [setup.target_groups[1].clone()]);
    assert_eq!(group.vpc_zone_identifier(), Some(setup.subnets[1].as_str()));
    assert_eq!(
        group.launch_template().and_then(|l| l.version()),
        Some("1"),
        "the numeric version goes to AWS as text"
    );
    assert!(group.instances().len() >= 2, "capacity waited for");

    d.delete(&c, &read).await.expect("delete");
    assert_eq!(d.read(&c, &read).await.expect("read after delete"), None);
    let out = fx
        .autoscaling(region)
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(&name)
        .send()
        .await
        .expect("DescribeAutoScalingGroups");
    assert!(out.auto_scaling_groups().is_empty(), "gone from AWS");
    d.delete(&c, &read).await.expect("delete of a gone group succeeds");
    the_driver("aws_launch_template")
        .delete(&c, &setup.template)
        .await
        .expect("delete the template");
}

#[tokio::test]
async fn autoscaling_group_find_and_drift() {
    let Some(fx) = fixture("aws_autoscaling_group.app").await else {
        return;
    };
    let d = the_driver("aws_autoscaling_group");
    let region = PRIMARY;
    let c = fx.ctx(region);
    let setup = group_setup(&fx, region).await;
    let desired = group_desired(&common::unique("app"), &setup);
    assert_eq!(d.find(&c, &desired).await.expect("find"), None, "not made yet");
    let state = d.create(&c, &desired).await.expect("create");
    let found = d.find(&c, &desired).await.expect("find").expect("adopted");
    assert_eq!(found["id"], state["id"]);
    assert_eq!(found["arn"], state["arn"]);
    assert_reads_as(&found, &desired);
    let other = ChildCtx {
        composite: "wellarch_multiregion_commerce.someone-else",
        ..c.clone()
    };
    assert_eq!(d.find(&other, &desired).await.expect("find"), None, "not ours");
    // Same name in the other region: nothing there.
    assert_eq!(
        d.find(&fx.ctx(FAILOVER), &desired).await.expect("find"),
        None,
        "groups are regional"
    );

    // Drift: capacity and health check changed, a context tag removed, a group changed.
    let name = str_attr(&state, "id");
    let asg = fx.autoscaling(region);
    asg.update_auto_scaling_group()
        .auto_scaling_group_name(name)
        .max_size(5)
        .health_check_type("EC2")
        .send()
        .await
        .expect("UpdateAutoScalingGroup out of band");
    asg.delete_tags()
        .tags(
            aws_sdk_autoscaling::types::Tag::builder()
                .resource_id(name)
                .resource_type("auto-scaling-group")
                .key("env")
                .build(),
        )
        .send()
        .await
        .expect("DeleteTags out of band");
    asg.attach_load_balancer_target_groups()
        .auto_scaling_group_name(name)
        .target_group_arns(&setup.target_groups[1])
        .send()
        .await
        .expect("AttachLoadBalancerTargetGroups out of band");
    let read = d.read(&c, &state).await.expect("read").expect("exists");
    assert_eq!(read["max_size"], json!(5));
    assert_eq!(read["health_check_type"], json!("EC2"));
    assert_eq!(read["target_group_arns"].as_array().map(Vec::len), Some(2));
    assert_eq!(read["tags_all"].get("env"), None);

    // Update brings it back.
    let fixed = d.update(&c, &read, &desired).await.expect("update");
    assert_reads_as(&fixed, &desired);
    assert_tags_all(&fixed, &fx, &[]);
    let group = describe_group(&fx, region, name).await;
    assert_eq!(group.target_group_arns(), [setup.target_groups[0].clone()]);
    assert_eq!(group.max_size(), Some(3));

    // Deleted out of band: read is gone, delete still succeeds.
    asg.delete_auto_scaling_group()
        .auto_scaling_group_name(name)
        .force_delete(true)
        .send()
        .await
        .expect("DeleteAutoScalingGroup out of band");
    assert_eq!(d.read(&c, &fixed).await.expect("read"), None);
    d.delete(&c, &fixed).await.expect("delete of a gone group");
    the_driver("aws_launch_template")
        .delete(&c, &setup.template)
        .await
        .expect("delete the template");
}

// ---------------------------------------------------------------------------------------
// aws_autoscaling_policy

fn policy_desired(group: &str, target: f64) -> Map<String, Value> {
    obj(json!({
        "name": "cpu-target",
        "autoscaling_group_name": group,
        "policy_type": "TargetTrackingScaling",
        "target_tracking_configuration": [{
            "predefined_metric_specification": [{"predefined_metric_type": "ASGAverageCPUUtilization"}],
            "target_value": target,
            "disable_scale_in": false,
        }],
    }))
}

#[tokio::test]
async fn autoscaling_policy_lifecycle_find_and_drift() {
    let Some(fx) = fixture("aws_autoscaling_policy.cpu").await else {
        return;
    };
    let d = the_driver("aws_autoscaling_policy");
    assert_eq!(d.service(), "autoscaling");
    assert_eq!(d.replace_on(), &["name", "autoscaling_group_name"]);
    let region = FAILOVER;
    let c = fx.ctx(region);
    let setup = group_setup(&fx, region).await;
    let groups = the_driver("aws_autoscaling_group");
    let group = groups
        .create(&c, &group_desired(&common::unique("app"), &setup))
        .await
        .expect("create the group");
    let group_name = str_attr(&group, "id");
    let desired = policy_desired(group_name, 50.0);

    assert_eq!(d.find(&c, &desired).await.expect("find"), None, "not made yet");
    let state = d.create(&c, &desired).await.expect("create");
    assert_eq!(state["id"], json!("cpu-target"));
    let arn = str_attr(&state, "arn");
    assert!(
        arn.starts_with(&format!("arn:aws:autoscaling:{region}:123456789012:scalingPolicy:"))
            && arn.ends_with(&format!("autoScalingGroupName/{group_name}:policyName/cpu-target")),
        "arn {arn}"
    );
    assert_reads_as(&state, &desired);
    let read = d.read(&c, &state).await.expect("read").expect("exists");
    assert_reads_as(&read, &desired);

    // Untaggable: adopted by name within the group.
    let found = d.find(&c, &desired).await.expect("find").expect("adopted");
    assert_eq!(found["arn"], state["arn"]);
    assert_reads_as(&found, &desired);

    // In place.
    let mut changed = policy_desired(group_name, 70.0);
    changed["target_tracking_configuration"][0]["disable_scale_in"] = json!(true);
    let updated = d.update(&c, &read, &changed).await.expect("update");
    assert_reads_as(&updated, &changed);
    assert_eq!(updated["arn"], state["arn"]);
    let read = d.read(&c, &updated).await.expect("read").expect("exists");
    assert_reads_as(&read, &changed);
    let asg = fx.autoscaling(region);
    let policies = asg
        .describe_policies()
        .auto_scaling_group_name(group_name)
        .send()
        .await
        .expect("DescribePolicies");
    let tracking = policies.scaling_policies()[0]
        .target_tracking_configuration()
        .expect("target tracking");
    assert_eq!(
        (tracking.target_value(), tracking.disable_scale_in()),
        (Some(70.0), Some(true))
    );

    // Drift: the target changed out of band.
    asg.put_scaling_policy()
        .auto_scaling_group_name(group_name)
        .policy_name("cpu-target")
        .policy_type("TargetTrackingScaling")
        .target_tracking_configuration(
            aws_sdk_autoscaling::types::TargetTrackingConfiguration::builder()
                .predefined_metric_specification(
                    aws_sdk_autoscaling::types::PredefinedMetricSpecification::builder()
                        .predefined_metric_type(aws_sdk_autoscaling::types::MetricType::AsgAverageCpuUtilization)
                        .build(),
                )
                .target_value(30.5)
                .build(),
        )
        .send()
        .await
        .expect("PutScalingPolicy out of band");
    let drifted = d.read(&c, &read).await.expect("read").expect("exists");
    assert_eq!(drifted["target_tracking_configuration"][0]["target_value"], json!(30.5));
    assert_eq!(
        drifted["target_tracking_configuration"][0]["disable_scale_in"],
        json!(false)
    );

    d.delete(&c, &drifted).await.expect("delete");
    assert_eq!(d.read(&c, &drifted).await.expect("read after delete"), None);
    d.delete(&c, &drifted).await.expect("delete of a gone policy succeeds");

    groups.delete(&c, &group).await.expect("delete the group");
    the_driver("aws_launch_template")
        .delete(&c, &setup.template)
        .await
        .expect("delete the template");
}
