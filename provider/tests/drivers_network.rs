//! Drivers of the network core (VPC, subnet, internet gateway, Elastic IP, NAT gateway)
//! against moto, in terraform-provider-aws's test shapes (basic, update, disappears, drift,
//! find), in the two regions of the multi-region composite: eu-west-1 and eu-west-3 served
//! by one moto, with the region chosen per child (`ChildCtx::region`) as the composite does.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_ec2::types::{AttributeBooleanValue, Tag};
use common::driver_kit::{assert_reads_as, obj, string as str_attr};
use serde_json::{Map, Value, json};
use terraform_provider_wellarch::aws::{AwsEnv, COMPONENT_TAG, COMPOSITE_TAG, ChildCtx, ChildState, Driver, driver};

const PRIMARY: &str = "eu-west-1";
const FAILOVER: &str = "eu-west-3";
const COMPOSITE: &str = "wellarch_multiregion_commerce.test";
/// moto's account.
const ACCOUNT: &str = "123456789012";

/// AWS configuration and tags for one child in one region, the way the orchestrator
/// passes them. The provider's region is eu-west-1; children name theirs.
struct Fixture {
    env: AwsEnv,
    region: &'static str,
    tags: BTreeMap<String, String>,
    component: String,
}

impl Fixture {
    fn ctx(&self) -> ChildCtx<'_> {
        ChildCtx {
            env: &self.env,
            region: Some(self.region),
            tags: &self.tags,
            composite: COMPOSITE,
            component: &self.component,
        }
    }

    /// The same child as seen from another region.
    fn ctx_in<'a>(&'a self, region: &'a str) -> ChildCtx<'a> {
        ChildCtx {
            region: Some(region),
            ..self.ctx()
        }
    }

    /// Another child of the same composite (its own component tag).
    fn child(&self, component: &str) -> Fixture {
        let mut tags = self.tags.clone();
        tags.insert(COMPONENT_TAG.to_string(), component.to_string());
        Fixture {
            env: self.env.clone(),
            region: self.region,
            tags,
            component: component.to_string(),
        }
    }

    fn ec2(&self) -> aws_sdk_ec2::Client {
        aws_sdk_ec2::Client::new(&self.env.config("ec2", Some(self.region)))
    }
}

/// `None` (test skipped) only when moto is not installed. The component name is unique per
/// test, so `find` by tags never sees another test's resources.
async fn fixture(region: &'static str, component: &str) -> Option<Fixture> {
    let moto = common::moto()?;
    let env = common::aws_env(moto, PRIMARY).await;
    let component = common::unique(component);
    let tags = BTreeMap::from([
        (COMPOSITE_TAG.to_string(), COMPOSITE.to_string()),
        (COMPONENT_TAG.to_string(), component.clone()),
        ("env".to_string(), "test".to_string()),
    ]);
    Some(Fixture {
        env,
        region,
        tags,
        component,
    })
}

fn the_driver(resource_type: &str) -> &'static dyn Driver {
    let d = driver(resource_type).unwrap_or_else(|| panic!("no driver registered for {resource_type}"));
    assert_eq!(d.resource_type(), resource_type);
    assert_eq!(d.service(), "ec2");
    d
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

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build()
}

/// A VPC made by the driver, for the tests of what lives in one.
async fn make_vpc(fx: &Fixture, cidr: &str) -> ChildState {
    let vpc = fx.child(&common::unique("aws_vpc.main"));
    the_driver("aws_vpc")
        .create(&vpc.ctx(), &obj(json!({"cidr_block": cidr})))
        .await
        .expect("create the VPC")
}

async fn make_subnet(fx: &Fixture, vpc: &ChildState, cidr: &str, az: &str) -> ChildState {
    let subnet = fx.child(&common::unique("aws_subnet.public"));
    the_driver("aws_subnet")
        .create(
            &subnet.ctx(),
            &obj(json!({"vpc_id": str_attr(vpc, "id"), "cidr_block": cidr, "availability_zone": az})),
        )
        .await
        .expect("create the subnet")
}

// ---------------------------------------------------------------------------------------
// aws_vpc

#[tokio::test]
async fn vpc_basic_update_and_delete_in_both_regions() {
    for region in [PRIMARY, FAILOVER] {
        let Some(fx) = fixture(region, "aws_vpc.main").await else {
            return;
        };
        let d = the_driver("aws_vpc");
        assert_eq!(d.replace_on(), &["cidr_block", "instance_tenancy"]);
        let desired = obj(json!({
            "cidr_block": "10.20.0.0/16",
            "enable_dns_support": true,
            "enable_dns_hostnames": true,
            "tags": {"Name": "main"},
        }));
        let state = d.create(&fx.ctx(), &desired).await.expect("create");
        let id = str_attr(&state, "id");
        assert!(id.starts_with("vpc-"), "{id}");
        assert_eq!(
            str_attr(&state, "arn"),
            format!("arn:aws:ec2:{region}:{ACCOUNT}:vpc/{id}")
        );
        assert_eq!(str_attr(&state, "owner_id"), ACCOUNT);
        assert!(str_attr(&state, "default_security_group_id").starts_with("sg-"));
        assert!(str_attr(&state, "main_route_table_id").starts_with("rtb-"));
        assert_reads_as(&state, &desired);
        assert_tags_all(&state, &fx, &[("Name", "main")]);

        // What AWS has, asked directly, in the child's region.
        let hostnames = fx
            .ec2()
            .describe_vpc_attribute()
            .vpc_id(id)
            .attribute(aws_sdk_ec2::types::VpcAttributeName::EnableDnsHostnames)
            .send()
            .await
            .expect("DescribeVpcAttribute");
        assert_eq!(hostnames.enable_dns_hostnames().and_then(|a| a.value()), Some(true));
        let other = if region == PRIMARY { FAILOVER } else { PRIMARY };
        assert_eq!(
            d.read(&fx.ctx_in(other), &state).await.expect("read elsewhere"),
            None,
            "a VPC of {region} is not in {other}"
        );

        let read = d.read(&fx.ctx(), &state).await.expect("read").expect("VPC exists");
        assert_eq!(read, state, "read equals what create returned");

        let mut changed = desired.clone();
        changed.insert("enable_dns_hostnames".into(), json!(false));
        changed.insert("tags".into(), json!({"Name": "main", "tier": "network"}));
        let updated = d.update(&fx.ctx(), &state, &changed).await.expect("update");
        assert_eq!(updated.get("id"), state.get("id"), "updated in place");
        assert_reads_as(&updated, &changed);
        let read = d.read(&fx.ctx(), &updated).await.expect("read").expect("VPC exists");
        assert_reads_as(&read, &changed);
        assert_tags_all(&read, &fx, &[("Name", "main"), ("tier", "network")]);

        let cidr = obj(json!({"cidr_block": "10.21.0.0/16"}));
        let err = d
            .update(&fx.ctx(), &read, &cidr)
            .await
            .expect_err("CIDR needs a new VPC");
        assert!(err.message.contains("cidr_block"), "{err}");

        d.delete(&fx.ctx(), &read).await.expect("delete");
        assert_eq!(d.read(&fx.ctx(), &read).await.expect("read"), None);
        d.delete(&fx.ctx(), &read)
            .await
            .expect("deleting a deleted VPC succeeds");
    }
}

#[tokio::test]
async fn vpc_find_adopts_only_its_own() {
    let Some(fx) = fixture(FAILOVER, "aws_vpc.main").await else {
        return;
    };
    let d = the_driver("aws_vpc");
    let desired = obj(json!({"cidr_block": "10.30.0.0/16"}));
    let state = d.create(&fx.ctx(), &desired).await.expect("create");

    let found = d.find(&fx.ctx(), &desired).await.expect("find").expect("adopted");
    assert_eq!(found, state);
    let stranger = fx.child(&common::unique("aws_vpc.other"));
    assert_eq!(d.find(&stranger.ctx(), &desired).await.expect("find"), None);
    assert_eq!(
        d.find(&fx.ctx_in(PRIMARY), &desired).await.expect("find"),
        None,
        "not in the other region"
    );

    d.delete(&fx.ctx(), &state).await.expect("delete");
    assert_eq!(d.find(&fx.ctx(), &desired).await.expect("find"), None);
}

#[tokio::test]
async fn vpc_drift_and_disappears() {
    let Some(fx) = fixture(PRIMARY, "aws_vpc.main").await else {
        return;
    };
    let d = the_driver("aws_vpc");
    let desired = obj(json!({"cidr_block": "10.40.0.0/16", "enable_dns_hostnames": true, "tags": {"team": "net"}}));
    let state = d.create(&fx.ctx(), &desired).await.expect("create");
    let id = str_attr(&state, "id");

    fx.ec2()
        .modify_vpc_attribute()
        .vpc_id(id)
        .enable_dns_hostnames(AttributeBooleanValue::builder().value(false).build())
        .send()
        .await
        .expect("ModifyVpcAttribute out of band");
    fx.ec2()
        .create_tags()
        .resources(id)
        .tags(tag("team", "someone-else"))
        .send()
        .await
        .expect("CreateTags out of band");
    let read = d.read(&fx.ctx(), &state).await.expect("read").expect("VPC exists");
    assert_eq!(read["enable_dns_hostnames"], json!(false));
    assert_eq!(read["tags"], json!({"team": "someone-else"}));

    let fixed = d.update(&fx.ctx(), &read, &desired).await.expect("update");
    assert_reads_as(&fixed, &desired);

    fx.ec2()
        .delete_vpc()
        .vpc_id(id)
        .send()
        .await
        .expect("DeleteVpc out of band");
    assert_eq!(d.read(&fx.ctx(), &state).await.expect("read"), None);
    d.delete(&fx.ctx(), &state)
        .await
        .expect("deleting a deleted VPC succeeds");
}

#[tokio::test]
async fn vpc_delete_waits_out_dependency_violation() {
    let Some(fx) = fixture(PRIMARY, "aws_vpc.main").await else {
        return;
    };
    let d = the_driver("aws_vpc");
    let vpc = d
        .create(&fx.ctx(), &obj(json!({"cidr_block": "10.50.0.0/16"})))
        .await
        .expect("create");
    let subnet = make_subnet(&fx, &vpc, "10.50.1.0/24", "eu-west-1a").await;

    // Bounded: with a subnet that never goes, delete gives up with AWS's error.
    let mut short = fx.child(&fx.component);
    short.env.component_timeout = Duration::from_secs(2);
    let err = d
        .delete(&short.ctx(), &vpc)
        .await
        .expect_err("the subnet is still there");
    assert!(err.message.contains("DependencyViolation"), "{err}");
    assert!(d.read(&fx.ctx(), &vpc).await.expect("read").is_some());

    // The subnet goes while delete retries: delete succeeds.
    let ec2 = fx.ec2();
    let subnet_id = str_attr(&subnet, "id").to_string();
    let remover = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        ec2.delete_subnet().subnet_id(subnet_id).send().await
    });
    d.delete(&fx.ctx(), &vpc).await.expect("delete after the subnet went");
    remover.await.expect("join").expect("DeleteSubnet");
    assert_eq!(d.read(&fx.ctx(), &vpc).await.expect("read"), None);
}

// ---------------------------------------------------------------------------------------
// aws_subnet

#[tokio::test]
async fn subnet_basic_update_drift_find() {
    let Some(fx) = fixture(FAILOVER, "aws_subnet.public").await else {
        return;
    };
    let d = the_driver("aws_subnet");
    assert_eq!(d.replace_on(), &["vpc_id", "cidr_block", "availability_zone"]);
    let vpc = make_vpc(&fx, "10.60.0.0/16").await;
    let desired = obj(json!({
        "vpc_id": str_attr(&vpc, "id"),
        "cidr_block": "10.60.2.0/24",
        "availability_zone": "eu-west-3b",
        "map_public_ip_on_launch": true,
        "tags": {"Name": "public-b"},
    }));
    let state = d.create(&fx.ctx(), &desired).await.expect("create");
    let id = str_attr(&state, "id");
    assert!(id.starts_with("subnet-"), "{id}");
    assert_eq!(
        str_attr(&state, "arn"),
        format!("arn:aws:ec2:{FAILOVER}:{ACCOUNT}:subnet/{id}")
    );
    assert_reads_as(&state, &desired);
    assert_tags_all(&state, &fx, &[("Name", "public-b")]);
    let read = d.read(&fx.ctx(), &state).await.expect("read").expect("subnet exists");
    assert_eq!(read, state);

    let mut changed = desired.clone();
    changed.insert("map_public_ip_on_launch".into(), json!(false));
    changed.insert("tags".into(), json!({"Name": "private-b"}));
    let updated = d.update(&fx.ctx(), &state, &changed).await.expect("update");
    assert_eq!(updated.get("id"), state.get("id"));
    let read = d.read(&fx.ctx(), &updated).await.expect("read").expect("subnet exists");
    assert_reads_as(&read, &changed);
    assert_tags_all(&read, &fx, &[("Name", "private-b")]);
    let described = fx
        .ec2()
        .describe_subnets()
        .subnet_ids(id)
        .send()
        .await
        .expect("DescribeSubnets");
    assert_eq!(described.subnets()[0].map_public_ip_on_launch(), Some(false));

    // Drift: switched back on out of band.
    fx.ec2()
        .modify_subnet_attribute()
        .subnet_id(id)
        .map_public_ip_on_launch(AttributeBooleanValue::builder().value(true).build())
        .send()
        .await
        .expect("ModifySubnetAttribute out of band");
    let drifted = d.read(&fx.ctx(), &read).await.expect("read").expect("subnet exists");
    assert_eq!(drifted["map_public_ip_on_launch"], json!(true));

    let found = d.find(&fx.ctx(), &changed).await.expect("find").expect("adopted");
    assert_eq!(found["id"], json!(id));
    let stranger = fx.child(&common::unique("aws_subnet.other"));
    assert_eq!(d.find(&stranger.ctx(), &changed).await.expect("find"), None);

    d.delete(&fx.ctx(), &read).await.expect("delete");
    assert_eq!(d.read(&fx.ctx(), &read).await.expect("read"), None);
    d.delete(&fx.ctx(), &read)
        .await
        .expect("deleting a deleted subnet succeeds");
    the_driver("aws_vpc")
        .delete(&fx.ctx(), &vpc)
        .await
        .expect("delete the VPC");
}

// ---------------------------------------------------------------------------------------
// aws_internet_gateway

/// The VPCs an internet gateway is attached to, asked directly.
async fn attachments(fx: &Fixture, id: &str) -> Vec<String> {
    let out = fx
        .ec2()
        .describe_internet_gateways()
        .internet_gateway_ids(id)
        .send()
        .await
        .expect("DescribeInternetGateways");
    out.internet_gateways()[0]
        .attachments()
        .iter()
        .filter_map(|a| a.vpc_id().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn internet_gateway_attach_move_drift_delete() {
    let Some(fx) = fixture(PRIMARY, "aws_internet_gateway.main").await else {
        return;
    };
    let d = the_driver("aws_internet_gateway");
    assert!(d.replace_on().is_empty());
    let first = make_vpc(&fx, "10.70.0.0/16").await;
    let second = make_vpc(&fx, "10.71.0.0/16").await;
    let desired = obj(json!({"vpc_id": str_attr(&first, "id"), "tags": {"Name": "igw"}}));
    let state = d.create(&fx.ctx(), &desired).await.expect("create");
    let id = str_attr(&state, "id");
    assert!(id.starts_with("igw-"), "{id}");
    assert_eq!(
        str_attr(&state, "arn"),
        format!("arn:aws:ec2:{PRIMARY}:{ACCOUNT}:internet-gateway/{id}")
    );
    assert_reads_as(&state, &desired);
    assert_tags_all(&state, &fx, &[("Name", "igw")]);
    assert_eq!(attachments(&fx, id).await, [str_attr(&first, "id")]);

    // A new VPC: detached from the old one, attached to the new one.
    let moved = obj(json!({"vpc_id": str_attr(&second, "id"), "tags": {"Name": "igw2"}}));
    let updated = d.update(&fx.ctx(), &state, &moved).await.expect("update");
    assert_eq!(updated.get("id"), state.get("id"));
    assert_reads_as(&updated, &moved);
    assert_eq!(attachments(&fx, id).await, [str_attr(&second, "id")]);

    let found = d.find(&fx.ctx(), &moved).await.expect("find").expect("adopted");
    assert_eq!(found["id"], json!(id));
    let stranger = fx.child(&common::unique("aws_internet_gateway.other"));
    assert_eq!(d.find(&stranger.ctx(), &moved).await.expect("find"), None);

    // Drift: detached out of band.
    fx.ec2()
        .detach_internet_gateway()
        .internet_gateway_id(id)
        .vpc_id(str_attr(&second, "id"))
        .send()
        .await
        .expect("DetachInternetGateway out of band");
    let drifted = d
        .read(&fx.ctx(), &updated)
        .await
        .expect("read")
        .expect("gateway exists");
    assert_eq!(drifted["vpc_id"], Value::Null);
    let fixed = d.update(&fx.ctx(), &drifted, &moved).await.expect("update re-attaches");
    assert_reads_as(&fixed, &moved);

    // Delete detaches first (else the VPC could not go).
    d.delete(&fx.ctx(), &fixed).await.expect("delete");
    assert_eq!(d.read(&fx.ctx(), &fixed).await.expect("read"), None);
    d.delete(&fx.ctx(), &fixed)
        .await
        .expect("deleting a deleted gateway succeeds");
    let vpcs = the_driver("aws_vpc");
    vpcs.delete(&fx.ctx(), &first).await.expect("delete the first VPC");
    let mut quick = fx.child(&fx.component);
    quick.env.component_timeout = Duration::from_secs(5);
    vpcs.delete(&quick.ctx(), &second)
        .await
        .expect("the second VPC has no gateway left");
}

// ---------------------------------------------------------------------------------------
// aws_eip

#[tokio::test]
async fn eip_basic_update_drift_find_delete() {
    let Some(fx) = fixture(FAILOVER, "aws_eip.nat").await else {
        return;
    };
    let d = the_driver("aws_eip");
    assert_eq!(d.replace_on(), &["domain"]);
    let desired = obj(json!({"domain": "vpc", "tags": {"Name": "nat-a"}}));
    let state = d.create(&fx.ctx(), &desired).await.expect("create");
    let id = str_attr(&state, "id");
    assert!(id.starts_with("eipalloc-"), "{id}");
    assert_eq!(str_attr(&state, "allocation_id"), id);
    assert!(
        str_attr(&state, "public_ip").parse::<std::net::Ipv4Addr>().is_ok(),
        "{state:#?}"
    );
    assert_eq!(state["association_id"], Value::Null);
    assert_reads_as(&state, &desired);
    assert_tags_all(&state, &fx, &[("Name", "nat-a")]);
    assert_eq!(d.read(&fx.ctx_in(PRIMARY), &state).await.expect("read elsewhere"), None);

    let changed = obj(json!({"domain": "vpc", "tags": {"Name": "nat-b"}}));
    let updated = d.update(&fx.ctx(), &state, &changed).await.expect("update");
    assert_eq!(updated["public_ip"], state["public_ip"], "same address");
    let read = d
        .read(&fx.ctx(), &updated)
        .await
        .expect("read")
        .expect("address exists");
    assert_reads_as(&read, &changed);

    fx.ec2()
        .delete_tags()
        .resources(id)
        .tags(Tag::builder().key("Name").build())
        .send()
        .await
        .expect("DeleteTags out of band");
    let drifted = d.read(&fx.ctx(), &read).await.expect("read").expect("address exists");
    assert_eq!(drifted["tags"], json!({}));

    let found = d.find(&fx.ctx(), &changed).await.expect("find").expect("adopted");
    assert_eq!(found["id"], json!(id));
    let stranger = fx.child(&common::unique("aws_eip.other"));
    assert_eq!(d.find(&stranger.ctx(), &changed).await.expect("find"), None);

    let classic = obj(json!({"domain": "standard"}));
    assert!(
        d.create(&fx.ctx(), &classic).await.is_err(),
        "EC2-Classic addresses are gone"
    );

    d.delete(&fx.ctx(), &read).await.expect("delete");
    assert_eq!(d.read(&fx.ctx(), &read).await.expect("read"), None);
    d.delete(&fx.ctx(), &read)
        .await
        .expect("releasing a released address succeeds");
}

// ---------------------------------------------------------------------------------------
// aws_nat_gateway

#[tokio::test]
async fn nat_gateway_basic_update_find_delete() {
    let Some(fx) = fixture(PRIMARY, "aws_nat_gateway.a").await else {
        return;
    };
    let d = the_driver("aws_nat_gateway");
    assert_eq!(d.replace_on(), &["allocation_id", "subnet_id", "connectivity_type"]);
    let vpc = make_vpc(&fx, "10.80.0.0/16").await;
    let subnet = make_subnet(&fx, &vpc, "10.80.1.0/24", "eu-west-1b").await;
    let eip = the_driver("aws_eip")
        .create(
            &fx.child(&common::unique("aws_eip.nat")).ctx(),
            &obj(json!({"domain": "vpc"})),
        )
        .await
        .expect("create the address");

    let desired = obj(json!({
        "allocation_id": str_attr(&eip, "id"),
        "subnet_id": str_attr(&subnet, "id"),
        "connectivity_type": "public",
        "tags": {"Name": "nat-a"},
    }));
    let state = d.create(&fx.ctx(), &desired).await.expect("create");
    let id = str_attr(&state, "id");
    assert!(id.starts_with("nat-"), "{id}");
    assert_eq!(str_attr(&state, "public_ip"), str_attr(&eip, "public_ip"));
    assert_reads_as(&state, &desired);
    assert_tags_all(&state, &fx, &[("Name", "nat-a")]);
    let described = fx
        .ec2()
        .describe_nat_gateways()
        .nat_gateway_ids(id)
        .send()
        .await
        .expect("DescribeNatGateways");
    assert_eq!(
        described.nat_gateways()[0].state(),
        Some(&aws_sdk_ec2::types::NatGatewayState::Available),
        "create waited until available"
    );

    let mut changed = desired.clone();
    changed.insert("tags".into(), json!({"Name": "nat-a", "az": "b"}));
    let updated = d.update(&fx.ctx(), &state, &changed).await.expect("update");
    assert_eq!(updated.get("id"), state.get("id"));
    let read = d
        .read(&fx.ctx(), &updated)
        .await
        .expect("read")
        .expect("gateway exists");
    assert_reads_as(&read, &changed);
    assert_tags_all(&read, &fx, &[("Name", "nat-a"), ("az", "b")]);

    let found = d.find(&fx.ctx(), &changed).await.expect("find").expect("adopted");
    assert_eq!(found["id"], json!(id));
    let stranger = fx.child(&common::unique("aws_nat_gateway.other"));
    assert_eq!(d.find(&stranger.ctx(), &changed).await.expect("find"), None);

    let moved = obj(json!({"allocation_id": str_attr(&eip, "id"), "subnet_id": "subnet-0123456789abcdef0"}));
    assert!(
        d.update(&fx.ctx(), &read, &moved).await.is_err(),
        "a new subnet needs a new gateway"
    );

    d.delete(&fx.ctx(), &read).await.expect("delete");
    assert_eq!(
        d.read(&fx.ctx(), &read).await.expect("read"),
        None,
        "deleted reads as gone"
    );
    d.delete(&fx.ctx(), &read)
        .await
        .expect("deleting a deleted gateway succeeds");
    assert_eq!(d.find(&fx.ctx(), &changed).await.expect("find"), None);

    the_driver("aws_eip")
        .delete(&fx.ctx(), &eip)
        .await
        .expect("release the address");
    the_driver("aws_subnet")
        .delete(&fx.ctx(), &subnet)
        .await
        .expect("delete the subnet");
    the_driver("aws_vpc")
        .delete(&fx.ctx(), &vpc)
        .await
        .expect("delete the VPC");
}

#[tokio::test]
async fn nat_gateway_disappears_and_needs_an_address() {
    let Some(fx) = fixture(FAILOVER, "aws_nat_gateway.b").await else {
        return;
    };
    let d = the_driver("aws_nat_gateway");
    let vpc = make_vpc(&fx, "10.90.0.0/16").await;
    let subnet = make_subnet(&fx, &vpc, "10.90.1.0/24", "eu-west-3a").await;
    let no_eip = obj(json!({"subnet_id": str_attr(&subnet, "id"), "connectivity_type": "public"}));
    let err = d
        .create(&fx.ctx(), &no_eip)
        .await
        .expect_err("a public gateway needs an EIP");
    assert!(err.message.contains("allocation_id"), "{err}");
    assert!(err.created.is_none(), "nothing was made");

    let eip = the_driver("aws_eip")
        .create(&fx.child(&common::unique("aws_eip.nat")).ctx(), &obj(json!({})))
        .await
        .expect("create the address");
    let desired = obj(json!({"allocation_id": str_attr(&eip, "id"), "subnet_id": str_attr(&subnet, "id")}));
    let state = d.create(&fx.ctx(), &desired).await.expect("create");
    assert_eq!(state["connectivity_type"], json!("public"));
    fx.ec2()
        .delete_nat_gateway()
        .nat_gateway_id(str_attr(&state, "id"))
        .send()
        .await
        .expect("DeleteNatGateway out of band");
    assert_eq!(d.read(&fx.ctx(), &state).await.expect("read"), None);
    d.delete(&fx.ctx(), &state)
        .await
        .expect("deleting a deleted gateway succeeds");
    the_driver("aws_eip")
        .delete(&fx.ctx(), &eip)
        .await
        .expect("release the address");
}

// ---------------------------------------------------------------------------------------
// The network core of one region, as the composite builds it, in both regions.

#[tokio::test]
async fn network_core_in_both_regions() {
    for (region, net, az) in [(PRIMARY, "10.100", "eu-west-1a"), (FAILOVER, "10.101", "eu-west-3a")] {
        let Some(fx) = fixture(region, "network").await else {
            return;
        };
        let plan: [(&str, &str); 5] = [
            ("aws_vpc", "aws_vpc.main"),
            ("aws_subnet", "aws_subnet.public_a"),
            ("aws_internet_gateway", "aws_internet_gateway.main"),
            ("aws_eip", "aws_eip.nat_a"),
            ("aws_nat_gateway", "aws_nat_gateway.a"),
        ];
        let children: Vec<Fixture> = plan.iter().map(|(_, c)| fx.child(&common::unique(c))).collect();
        let mut states: Vec<ChildState> = Vec::new();
        for (i, (resource, _)) in plan.iter().enumerate() {
            // Each child refers to those made before it, as the blueprint wires them.
            let desired = match *resource {
                "aws_vpc" => json!({"cidr_block": format!("{net}.0.0/16"), "enable_dns_hostnames": true}),
                "aws_subnet" => json!({
                    "vpc_id": states[0]["id"],
                    "cidr_block": format!("{net}.1.0/24"),
                    "availability_zone": az,
                    "map_public_ip_on_launch": true,
                }),
                "aws_internet_gateway" => json!({"vpc_id": states[0]["id"]}),
                "aws_eip" => json!({"domain": "vpc"}),
                _ => {
                    json!({"allocation_id": states[3]["id"], "subnet_id": states[1]["id"], "connectivity_type": "public"})
                }
            };
            let state = the_driver(resource)
                .create(&children[i].ctx(), &obj(desired))
                .await
                .unwrap_or_else(|e| panic!("create {resource} in {region}: {e}"));
            assert_tags_all(&state, &children[i], &[]);
            states.push(state);
        }
        for state in &states[..3] {
            assert!(
                str_attr(state, "arn").starts_with(&format!("arn:aws:ec2:{region}:{ACCOUNT}:")),
                "{state:#?}"
            );
        }
        assert_eq!(states[4]["public_ip"], states[3]["public_ip"]);
        assert_eq!(states[1]["availability_zone"], json!(az));

        // Everything is in the child's region and nowhere else.
        let other = if region == PRIMARY { FAILOVER } else { PRIMARY };
        for (i, (resource, _)) in plan.iter().enumerate() {
            let d = the_driver(resource);
            assert!(d.read(&children[i].ctx(), &states[i]).await.expect("read").is_some());
            assert_eq!(
                d.read(&children[i].ctx_in(other), &states[i])
                    .await
                    .expect("read elsewhere"),
                None,
                "{resource} of {region} seen in {other}"
            );
        }

        // Torn down in reverse dependency order, as the orchestrator does.
        for (i, (resource, _)) in plan.iter().enumerate().rev() {
            let d = the_driver(resource);
            d.delete(&children[i].ctx(), &states[i])
                .await
                .unwrap_or_else(|e| panic!("delete {resource} in {region}: {e}"));
            assert_eq!(d.read(&children[i].ctx(), &states[i]).await.expect("read"), None);
        }
    }
}
