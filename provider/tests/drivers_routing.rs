//! Drivers of the network routing and firewall components (route tables and their
//! associations, security groups and their rules, VPC flow logs) against moto, in
//! terraform-provider-aws's test shapes: basic, update, disappears, drift and find (adopt).
//! The VPC, subnets, gateways and buckets they hang off are made with the SDK directly.
//! Tests run in the two regions of the multi-region composite (eu-west-1 and eu-west-3).

mod common;

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{Filter, Tag};
use common::driver_kit::{assert_reads_as, obj, string as str_attr};
use serde_json::{Map, Value, json};
use terraform_provider_wellarch::aws::{AwsEnv, COMPONENT_TAG, COMPOSITE_TAG, ChildCtx, ChildState, Driver, driver};

const COMPOSITE: &str = "wellarch_multiregion_commerce.test";

/// AWS configuration, region and tags for one child, the way the orchestrator passes them.
struct Fixture {
    env: AwsEnv,
    region: String,
    tags: BTreeMap<String, String>,
    component: String,
}

impl Fixture {
    fn ctx(&self) -> ChildCtx<'_> {
        ChildCtx {
            env: &self.env,
            region: Some(&self.region),
            tags: &self.tags,
            composite: COMPOSITE,
            component: &self.component,
        }
    }

    /// The same composite, another component (whose children `find` must not adopt).
    fn other_component(&self) -> Fixture {
        let mut tags = self.tags.clone();
        tags.insert(COMPONENT_TAG.into(), "aws_other.thing".into());
        Fixture {
            env: self.env.clone(),
            region: self.region.clone(),
            tags,
            component: "aws_other.thing".into(),
        }
    }

    fn ec2(&self) -> aws_sdk_ec2::Client {
        aws_sdk_ec2::Client::new(&self.env.config("ec2", Some(&self.region)))
    }

    fn s3(&self) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::config::Builder::from(&self.env.config("s3", Some(&self.region)))
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }
}

/// `None` (test skipped) only when moto is not installed.
async fn fixture(region: &str, component: &str) -> Option<Fixture> {
    let moto = common::moto()?;
    let env = common::aws_env(moto, "eu-west-1").await;
    let tags = BTreeMap::from([
        (COMPOSITE_TAG.to_string(), COMPOSITE.to_string()),
        (COMPONENT_TAG.to_string(), component.to_string()),
        ("env".to_string(), "test".to_string()),
    ]);
    Some(Fixture {
        env,
        region: region.to_string(),
        tags,
        component: component.to_string(),
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

fn sdk_tags(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

/// The network the routing components hang off, made with the SDK: a VPC, a public and a
/// private subnet, an attached internet gateway and a NAT gateway with its EIP.
struct Network {
    vpc: String,
    public_subnet: String,
    private_subnet: String,
    igw: String,
    nat: String,
}

async fn network(fx: &Fixture, second_octet: u8) -> Network {
    let ec2 = fx.ec2();
    let vpc = ec2
        .create_vpc()
        .cidr_block(format!("10.{second_octet}.0.0/16"))
        .send()
        .await
        .expect("CreateVpc");
    let vpc = vpc.vpc().and_then(|v| v.vpc_id()).expect("vpc id").to_string();
    let mut subnets = Vec::new();
    for (i, az) in ["a", "b"].iter().enumerate() {
        let s = ec2
            .create_subnet()
            .vpc_id(&vpc)
            .cidr_block(format!("10.{second_octet}.{i}.0/24"))
            .availability_zone(format!("{}{az}", fx.region))
            .send()
            .await
            .expect("CreateSubnet");
        subnets.push(s.subnet().and_then(|s| s.subnet_id()).expect("subnet id").to_string());
    }
    let igw = ec2
        .create_internet_gateway()
        .send()
        .await
        .expect("CreateInternetGateway");
    let igw = igw
        .internet_gateway()
        .and_then(|g| g.internet_gateway_id())
        .expect("igw id")
        .to_string();
    ec2.attach_internet_gateway()
        .internet_gateway_id(&igw)
        .vpc_id(&vpc)
        .send()
        .await
        .expect("AttachInternetGateway");
    let eip = ec2
        .allocate_address()
        .domain(aws_sdk_ec2::types::DomainType::Vpc)
        .send()
        .await
        .expect("AllocateAddress");
    let nat = ec2
        .create_nat_gateway()
        .subnet_id(&subnets[0])
        .allocation_id(eip.allocation_id().expect("allocation id"))
        .send()
        .await
        .expect("CreateNatGateway");
    let nat = nat
        .nat_gateway()
        .and_then(|n| n.nat_gateway_id())
        .expect("nat id")
        .to_string();
    Network {
        vpc,
        public_subnet: subnets[0].clone(),
        private_subnet: subnets[1].clone(),
        igw,
        nat,
    }
}

/// The routes of a table as AWS has them, `local` left out: (destination, target).
async fn aws_routes(fx: &Fixture, id: &str) -> Vec<(String, String)> {
    let out = fx
        .ec2()
        .describe_route_tables()
        .route_table_ids(id)
        .send()
        .await
        .expect("DescribeRouteTables");
    let mut routes: Vec<(String, String)> = out.route_tables()[0]
        .routes()
        .iter()
        .filter(|r| r.gateway_id() != Some("local"))
        .map(|r| {
            (
                r.destination_cidr_block().unwrap_or_default().to_string(),
                r.gateway_id().or(r.nat_gateway_id()).unwrap_or_default().to_string(),
            )
        })
        .collect();
    routes.sort();
    routes
}

/// A `route` block as Terraform sends it: every attribute present, null where unset.
fn route(cidr: &str, gateway_id: Option<&str>, nat_gateway_id: Option<&str>) -> Value {
    json!({"cidr_block": cidr, "gateway_id": gateway_id, "nat_gateway_id": nat_gateway_id})
}

// ---------------------------------------------------------------------------------------
// aws_route_table

#[tokio::test]
async fn route_table_basic_and_update() {
    let Some(fx) = fixture("eu-west-1", "aws_route_table.public").await else {
        return;
    };
    let d = the_driver("aws_route_table");
    assert_eq!(d.replace_on(), &["vpc_id"]);
    let net = network(&fx, 10).await;
    let desired = obj(json!({
        "vpc_id": net.vpc,
        "route": [route("0.0.0.0/0", Some(&net.igw), None)],
        "tags": {"tier": "public"},
    }));

    let state = d.create(&fx.ctx(), &desired).await.expect("create");
    let id = str_attr(&state, "id").to_string();
    assert!(id.starts_with("rtb-"), "{id}");
    assert_eq!(
        str_attr(&state, "arn"),
        format!("arn:aws:ec2:eu-west-1:123456789012:route-table/{id}")
    );
    assert_eq!(str_attr(&state, "owner_id"), "123456789012");
    assert_reads_as(&state, &desired);
    assert_tags_all(&state, &fx, &[("tier", "public")]);

    let read = d.read(&fx.ctx(), &state).await.expect("read").expect("table exists");
    assert_reads_as(&read, &desired);
    assert_eq!(read["arn"], state["arn"]);
    assert_tags_all(&read, &fx, &[("tier", "public")]);
    assert_eq!(
        aws_routes(&fx, &id).await,
        vec![("0.0.0.0/0".to_string(), net.igw.clone())]
    );
    let tables = fx
        .ec2()
        .describe_route_tables()
        .route_table_ids(&id)
        .send()
        .await
        .expect("DescribeRouteTables");
    let aws_tags = sdk_tags(tables.route_tables()[0].tags());
    assert_eq!(aws_tags.get("tier").map(String::as_str), Some("public"));
    assert_eq!(
        aws_tags.get(COMPONENT_TAG).map(String::as_str),
        Some("aws_route_table.public")
    );

    // Update in place: the default route moves to the NAT gateway (ReplaceRoute), a route is
    // added (CreateRoute), tags change.
    let changed = obj(json!({
        "vpc_id": net.vpc,
        "route": [
            route("0.0.0.0/0", None, Some(&net.nat)),
            route("192.168.0.0/16", Some(&net.igw), None),
        ],
        "tags": {"tier": "private", "team": "net"},
    }));
    let updated = d.update(&fx.ctx(), &read, &changed).await.expect("update");
    assert_eq!(str_attr(&updated, "id"), id, "updated in place");
    assert_reads_as(&updated, &changed);
    let read = d.read(&fx.ctx(), &updated).await.expect("read").expect("table exists");
    assert_reads_as(&read, &changed);
    assert_tags_all(&read, &fx, &[("tier", "private"), ("team", "net")]);
    assert_eq!(
        aws_routes(&fx, &id).await,
        vec![
            ("0.0.0.0/0".to_string(), net.nat.clone()),
            ("192.168.0.0/16".to_string(), net.igw.clone())
        ]
    );

    // `route = []` removes every route (DeleteRoute); unset `route` leaves routes alone.
    let none = obj(json!({"vpc_id": net.vpc, "route": [], "tags": {"tier": "private"}}));
    let emptied = d.update(&fx.ctx(), &read, &none).await.expect("update");
    assert_eq!(emptied["route"], json!([]));
    assert!(aws_routes(&fx, &id).await.is_empty());
    fx.ec2()
        .create_route()
        .route_table_id(&id)
        .destination_cidr_block("0.0.0.0/0")
        .gateway_id(&net.igw)
        .send()
        .await
        .expect("CreateRoute out of band");
    let unmanaged = obj(json!({"vpc_id": net.vpc, "tags": {"tier": "private"}}));
    let kept = d.update(&fx.ctx(), &emptied, &unmanaged).await.expect("update");
    assert_eq!(aws_routes(&fx, &id).await.len(), 1, "unset `route` is not managed");
    assert_eq!(kept["route"].as_array().map(Vec::len), Some(1), "{kept:#?}");

    // A changed VPC needs a new table.
    let moved = obj(json!({"vpc_id": "vpc-0123456789abcdef0", "route": []}));
    let err = d
        .update(&fx.ctx(), &kept, &moved)
        .await
        .expect_err("vpc_id cannot change");
    assert!(err.message.contains("vpc_id"), "{err}");

    d.delete(&fx.ctx(), &kept).await.expect("delete");
    assert_eq!(d.read(&fx.ctx(), &kept).await.expect("read after delete"), None);
    d.delete(&fx.ctx(), &kept)
        .await
        .expect("deleting a deleted table succeeds");
}

#[tokio::test]
async fn route_table_drift_find_and_disappears() {
    let Some(fx) = fixture("eu-west-3", "aws_route_table.private_a").await else {
        return;
    };
    let d = the_driver("aws_route_table");
    let net = network(&fx, 11).await;
    let desired = obj(json!({
        "vpc_id": net.vpc,
        "route": [route("0.0.0.0/0", None, Some(&net.nat))],
    }));
    let state = d.create(&fx.ctx(), &desired).await.expect("create");
    let id = str_attr(&state, "id").to_string();
    assert!(
        str_attr(&state, "arn").starts_with("arn:aws:ec2:eu-west-3:"),
        "{state:#?}"
    );

    // find adopts the table tagged for this component, not another component's.
    let found = d.find(&fx.ctx(), &desired).await.expect("find").expect("adopted");
    assert_eq!(str_attr(&found, "id"), id);
    assert_reads_as(&found, &desired);
    let other = fx.other_component();
    assert_eq!(d.find(&other.ctx(), &desired).await.expect("find"), None);

    // Drift: the route moved to the internet gateway and a tag changed, out of band.
    let ec2 = fx.ec2();
    ec2.replace_route()
        .route_table_id(&id)
        .destination_cidr_block("0.0.0.0/0")
        .gateway_id(&net.igw)
        .send()
        .await
        .expect("ReplaceRoute out of band");
    ec2.create_tags()
        .resources(&id)
        .tags(Tag::builder().key("env").value("prod").build())
        .send()
        .await
        .expect("CreateTags out of band");
    let read = d.read(&fx.ctx(), &state).await.expect("read").expect("table exists");
    assert_eq!(read["route"][0]["gateway_id"], json!(net.igw));
    assert_ne!(read["route"], desired["route"]);
    assert_eq!(read["tags"], json!({"env": "prod"}));

    // Update brings AWS back to the configuration.
    let fixed = d.update(&fx.ctx(), &read, &desired).await.expect("update");
    let read = d.read(&fx.ctx(), &fixed).await.expect("read").expect("table exists");
    assert_reads_as(&read, &desired);
    assert_tags_all(&read, &fx, &[]);
    assert_eq!(
        aws_routes(&fx, &id).await,
        vec![("0.0.0.0/0".to_string(), net.nat.clone())]
    );

    // Disappears: deleted out of band, read is None and delete still succeeds.
    ec2.delete_route_table()
        .route_table_id(&id)
        .send()
        .await
        .expect("DeleteRouteTable out of band");
    assert_eq!(d.read(&fx.ctx(), &state).await.expect("read"), None);
    d.delete(&fx.ctx(), &state).await.expect("delete of a gone table");
}

// ---------------------------------------------------------------------------------------
// aws_route_table_association

#[tokio::test]
async fn route_table_association_lifecycle() {
    let Some(fx) = fixture("eu-west-1", "aws_route_table_association.private_a").await else {
        return;
    };
    let tables = the_driver("aws_route_table");
    let d = the_driver("aws_route_table_association");
    assert_eq!(d.replace_on(), &["subnet_id", "gateway_id"]);
    let net = network(&fx, 12).await;
    let rt1 = tables
        .create(&fx.ctx(), &obj(json!({"vpc_id": net.vpc, "route": []})))
        .await
        .expect("create table 1");
    let rt2 = tables
        .create(&fx.ctx(), &obj(json!({"vpc_id": net.vpc, "route": []})))
        .await
        .expect("create table 2");
    let (rt1_id, rt2_id) = (str_attr(&rt1, "id"), str_attr(&rt2, "id"));

    let desired = obj(json!({"subnet_id": net.private_subnet, "route_table_id": rt1_id}));
    let state = d.create(&fx.ctx(), &desired).await.expect("create");
    let id = str_attr(&state, "id").to_string();
    assert!(id.starts_with("rtbassoc-"), "{id}");
    assert_reads_as(&state, &desired);
    let read = d
        .read(&fx.ctx(), &state)
        .await
        .expect("read")
        .expect("association exists");
    assert_reads_as(&read, &desired);

    // What AWS has: the subnet is associated with table 1.
    let out = fx
        .ec2()
        .describe_route_tables()
        .filters(filter("association.subnet-id", &net.private_subnet))
        .send()
        .await
        .expect("DescribeRouteTables");
    assert_eq!(out.route_tables().len(), 1);
    assert_eq!(out.route_tables()[0].route_table_id(), Some(rt1_id));

    // find: the association of the subnet with that table, and only that table.
    let found = d.find(&fx.ctx(), &desired).await.expect("find").expect("adopted");
    assert_eq!(str_attr(&found, "id"), id);
    let elsewhere = obj(json!({"subnet_id": net.private_subnet, "route_table_id": rt2_id}));
    assert_eq!(d.find(&fx.ctx(), &elsewhere).await.expect("find"), None);
    let other_subnet = obj(json!({"subnet_id": net.public_subnet, "route_table_id": rt1_id}));
    assert_eq!(d.find(&fx.ctx(), &other_subnet).await.expect("find"), None);

    // Update: the subnet moves to table 2 (ReplaceRouteTableAssociation, a new id).
    let updated = d.update(&fx.ctx(), &read, &elsewhere).await.expect("update");
    assert_reads_as(&updated, &elsewhere);
    let new_id = str_attr(&updated, "id").to_string();
    let read = d
        .read(&fx.ctx(), &updated)
        .await
        .expect("read")
        .expect("association exists");
    assert_reads_as(&read, &elsewhere);
    let out = fx
        .ec2()
        .describe_route_tables()
        .filters(filter("association.subnet-id", &net.private_subnet))
        .send()
        .await
        .expect("DescribeRouteTables");
    assert_eq!(out.route_tables()[0].route_table_id(), Some(rt2_id));
    let moved_subnet = obj(json!({"subnet_id": net.public_subnet, "route_table_id": rt2_id}));
    assert!(
        d.update(&fx.ctx(), &read, &moved_subnet).await.is_err(),
        "subnet_id replaces"
    );

    // Table 1 cannot be deleted while associated; once the subnet moved it can.
    tables.delete(&fx.ctx(), &rt1).await.expect("delete table 1");

    // Disappears: disassociated out of band.
    fx.ec2()
        .disassociate_route_table()
        .association_id(&new_id)
        .send()
        .await
        .expect("DisassociateRouteTable out of band");
    assert_eq!(d.read(&fx.ctx(), &read).await.expect("read"), None);
    d.delete(&fx.ctx(), &read).await.expect("delete of a gone association");

    // Basic delete.
    let again = d.create(&fx.ctx(), &elsewhere).await.expect("create again");
    d.delete(&fx.ctx(), &again).await.expect("delete");
    assert_eq!(d.read(&fx.ctx(), &again).await.expect("read after delete"), None);
    tables.delete(&fx.ctx(), &rt2).await.expect("delete table 2");
}

// ---------------------------------------------------------------------------------------
// aws_security_group

/// The ingress rules of a group as AWS has them.
async fn ingress_rules(fx: &Fixture, group_id: &str) -> Vec<aws_sdk_ec2::types::SecurityGroupRule> {
    group_rules(fx, group_id)
        .await
        .into_iter()
        .filter(|r| r.is_egress() == Some(false))
        .collect()
}

async fn group_rules(fx: &Fixture, group_id: &str) -> Vec<aws_sdk_ec2::types::SecurityGroupRule> {
    fx.ec2()
        .describe_security_group_rules()
        .filters(filter("group-id", group_id))
        .send()
        .await
        .expect("DescribeSecurityGroupRules")
        .security_group_rules()
        .to_vec()
}

#[tokio::test]
async fn security_group_lifecycle() {
    let Some(fx) = fixture("eu-west-1", "aws_security_group.alb").await else {
        return;
    };
    let d = the_driver("aws_security_group");
    assert_eq!(d.replace_on(), &["name", "description", "vpc_id"]);
    let net = network(&fx, 13).await;
    let desired = obj(json!({
        "name": common::unique("alb"),
        "description": "load balancer",
        "vpc_id": net.vpc,
        "tags": {"tier": "edge"},
    }));
    let state = d.create(&fx.ctx(), &desired).await.expect("create");
    let id = str_attr(&state, "id").to_string();
    assert!(id.starts_with("sg-"), "{id}");
    assert_eq!(
        str_attr(&state, "arn"),
        format!("arn:aws:ec2:eu-west-1:123456789012:security-group/{id}")
    );
    assert_eq!(str_attr(&state, "owner_id"), "123456789012");
    assert_reads_as(&state, &desired);
    assert_tags_all(&state, &fx, &[("tier", "edge")]);
    // The allow-all egress rule AWS adds is gone: the group allows nothing yet.
    assert!(group_rules(&fx, &id).await.is_empty(), "default egress revoked");

    let read = d.read(&fx.ctx(), &state).await.expect("read").expect("group exists");
    assert_reads_as(&read, &desired);
    assert_tags_all(&read, &fx, &[("tier", "edge")]);

    // Inline rules are refused.
    let mut inline = desired.clone();
    inline.insert(
        "ingress".into(),
        json!([{"from_port": 80, "to_port": 80, "protocol": "tcp"}]),
    );
    assert!(d.create(&fx.ctx(), &inline).await.is_err());

    // find adopts the group of that name in that VPC when tagged for this composite.
    let found = d.find(&fx.ctx(), &desired).await.expect("find").expect("adopted");
    assert_eq!(str_attr(&found, "id"), id);
    let mut other_composite = fx.other_component();
    other_composite
        .tags
        .insert(COMPOSITE_TAG.into(), "wellarch_other.x".into());
    let other_ctx = ChildCtx {
        composite: "wellarch_other.x",
        ..other_composite.ctx()
    };
    assert_eq!(d.find(&other_ctx, &desired).await.expect("find"), None);

    // Update: tags in place; description needs a replacement.
    let mut changed = desired.clone();
    changed.insert("tags".into(), json!({"tier": "dmz"}));
    let updated = d.update(&fx.ctx(), &read, &changed).await.expect("update");
    assert_eq!(str_attr(&updated, "id"), id);
    assert_reads_as(&updated, &changed);
    let out = fx
        .ec2()
        .describe_security_groups()
        .group_ids(&id)
        .send()
        .await
        .expect("DescribeSecurityGroups");
    assert_eq!(
        sdk_tags(out.security_groups()[0].tags())
            .get("tier")
            .map(String::as_str),
        Some("dmz")
    );
    let mut redescribed = changed.clone();
    redescribed.insert("description".into(), json!("something else"));
    assert!(d.update(&fx.ctx(), &updated, &redescribed).await.is_err());

    // Drift: a tag removed out of band.
    fx.ec2()
        .delete_tags()
        .resources(&id)
        .tags(Tag::builder().key("tier").build())
        .send()
        .await
        .expect("DeleteTags out of band");
    let read = d.read(&fx.ctx(), &updated).await.expect("read").expect("group exists");
    assert_eq!(read["tags"], json!({}));

    d.delete(&fx.ctx(), &read).await.expect("delete");
    assert_eq!(d.read(&fx.ctx(), &read).await.expect("read after delete"), None);
    d.delete(&fx.ctx(), &read)
        .await
        .expect("deleting a deleted group succeeds");
}

// ---------------------------------------------------------------------------------------
// aws_vpc_security_group_ingress_rule / aws_vpc_security_group_egress_rule

/// Two groups made with the SDK: (alb, app).
async fn two_groups(fx: &Fixture, vpc: &str) -> (String, String) {
    let mut ids = Vec::new();
    for name in ["alb", "app"] {
        let out = fx
            .ec2()
            .create_security_group()
            .group_name(common::unique(name))
            .description(name)
            .vpc_id(vpc)
            .send()
            .await
            .expect("CreateSecurityGroup");
        ids.push(out.group_id().expect("group id").to_string());
    }
    (ids[0].clone(), ids[1].clone())
}

#[tokio::test]
async fn ingress_rule_lifecycle() {
    let Some(fx) = fixture("eu-west-3", "aws_vpc_security_group_ingress_rule.alb_https").await else {
        return;
    };
    let d = the_driver("aws_vpc_security_group_ingress_rule");
    assert_eq!(d.replace_on(), &["security_group_id"]);
    let net = network(&fx, 14).await;
    let (alb, app) = two_groups(&fx, &net.vpc).await;
    let desired = obj(json!({
        "security_group_id": alb,
        "ip_protocol": "tcp",
        "from_port": 443,
        "to_port": 443,
        "cidr_ipv4": "0.0.0.0/0",
        "description": "https from the internet",
        "tags": {"port": "443"},
    }));
    let state = d.create(&fx.ctx(), &desired).await.expect("create");
    let id = str_attr(&state, "id").to_string();
    assert!(id.starts_with("sgr-"), "{id}");
    assert_eq!(str_attr(&state, "security_group_rule_id"), id);
    assert_eq!(
        str_attr(&state, "arn"),
        format!("arn:aws:ec2:eu-west-3:123456789012:security-group-rule/{id}")
    );
    assert_reads_as(&state, &desired);
    assert_tags_all(&state, &fx, &[("port", "443")]);

    let read = d.read(&fx.ctx(), &state).await.expect("read").expect("rule exists");
    assert_reads_as(&read, &desired);
    assert_tags_all(&read, &fx, &[("port", "443")]);
    let aws = ingress_rules(&fx, &alb).await;
    assert_eq!(aws.len(), 1);
    assert_eq!(aws[0].is_egress(), Some(false));
    assert_eq!((aws[0].from_port(), aws[0].to_port()), (Some(443), Some(443)));
    assert_eq!(aws[0].cidr_ipv4(), Some("0.0.0.0/0"));
    assert_eq!(
        sdk_tags(aws[0].tags()).get(COMPONENT_TAG).map(String::as_str),
        Some("aws_vpc_security_group_ingress_rule.alb_https")
    );

    // A rule whose peer is another group: app <- alb.
    let from_alb = obj(json!({
        "security_group_id": app,
        "ip_protocol": "tcp",
        "from_port": 8080,
        "to_port": 8080,
        "referenced_security_group_id": alb,
    }));
    let app_rule = d.create(&fx.ctx(), &from_alb).await.expect("create");
    assert_reads_as(&app_rule, &from_alb);
    let aws = ingress_rules(&fx, &app).await;
    assert_eq!(
        aws[0].referenced_group_info().and_then(|g| g.group_id()),
        Some(alb.as_str())
    );
    d.delete(&fx.ctx(), &app_rule).await.expect("delete");
    assert!(ingress_rules(&fx, &app).await.is_empty());

    // find adopts it; the egress driver does not.
    let found = d.find(&fx.ctx(), &desired).await.expect("find").expect("adopted");
    assert_eq!(str_attr(&found, "id"), id);
    let egress = the_driver("aws_vpc_security_group_egress_rule");
    assert_eq!(egress.find(&fx.ctx(), &desired).await.expect("find"), None);
    assert!(
        egress.read(&fx.ctx(), &state).await.is_err(),
        "an ingress rule is not an egress rule"
    );

    // Update in place (ModifySecurityGroupRules): other ports, CIDR and description. (A
    // change of peer kind, CIDR to group, is in place too; moto 5.2.5 ignores it.)
    let changed = obj(json!({
        "security_group_id": alb,
        "ip_protocol": "tcp",
        "from_port": 80,
        "to_port": 80,
        "cidr_ipv4": "10.0.0.0/8",
        "description": "http from inside",
        "tags": {"port": "80"},
    }));
    let updated = d.update(&fx.ctx(), &read, &changed).await.expect("update");
    assert_eq!(str_attr(&updated, "id"), id, "changed in place");
    assert_reads_as(&updated, &changed);
    assert_eq!(updated["referenced_security_group_id"], Value::Null);
    let read = d.read(&fx.ctx(), &updated).await.expect("read").expect("rule exists");
    assert_reads_as(&read, &changed);
    assert_tags_all(&read, &fx, &[("port", "80")]);
    let aws = ingress_rules(&fx, &alb).await;
    assert_eq!(aws[0].from_port(), Some(80));
    assert_eq!(aws[0].cidr_ipv4(), Some("10.0.0.0/8"));
    assert_eq!(aws[0].description(), Some("http from inside"));
    assert_eq!(sdk_tags(aws[0].tags()).get("port").map(String::as_str), Some("80"));

    // Drift: the ports widened out of band.
    let widened = aws_sdk_ec2::types::SecurityGroupRuleRequest::builder()
        .ip_protocol("tcp")
        .from_port(80)
        .to_port(8080)
        .cidr_ipv4("10.0.0.0/8")
        .description("http from inside")
        .build();
    fx.ec2()
        .modify_security_group_rules()
        .group_id(&alb)
        .security_group_rules(
            aws_sdk_ec2::types::SecurityGroupRuleUpdate::builder()
                .security_group_rule_id(&id)
                .security_group_rule(widened)
                .build(),
        )
        .send()
        .await
        .expect("ModifySecurityGroupRules out of band");
    let drifted = d.read(&fx.ctx(), &read).await.expect("read").expect("rule exists");
    assert_eq!(drifted["to_port"], json!(8080));
    let fixed = d.update(&fx.ctx(), &drifted, &changed).await.expect("update");
    assert_eq!(fixed["to_port"], json!(80));
    assert_eq!(ingress_rules(&fx, &alb).await[0].to_port(), Some(80));

    d.delete(&fx.ctx(), &fixed).await.expect("delete");
    assert_eq!(d.read(&fx.ctx(), &fixed).await.expect("read after delete"), None);
    assert!(ingress_rules(&fx, &alb).await.is_empty());
    d.delete(&fx.ctx(), &fixed)
        .await
        .expect("deleting a deleted rule succeeds");
}

#[tokio::test]
async fn egress_rule_lifecycle() {
    let Some(fx) = fixture("eu-west-1", "aws_vpc_security_group_egress_rule.alb_to_app").await else {
        return;
    };
    let d = the_driver("aws_vpc_security_group_egress_rule");
    let net = network(&fx, 15).await;
    let (alb, app) = two_groups(&fx, &net.vpc).await;
    // The SDK-made groups keep AWS's default egress rule; count ours on top of it.
    let before = group_rules(&fx, &alb).await.len();
    let desired = obj(json!({
        "security_group_id": alb,
        "ip_protocol": "tcp",
        "from_port": 8080,
        "to_port": 8080,
        "referenced_security_group_id": app,
    }));
    let state = d.create(&fx.ctx(), &desired).await.expect("create");
    let id = str_attr(&state, "id").to_string();
    assert_reads_as(&state, &desired);
    assert_tags_all(&state, &fx, &[]);
    let aws = group_rules(&fx, &alb).await;
    assert_eq!(aws.len(), before + 1);
    let ours = aws
        .iter()
        .find(|r| r.security_group_rule_id() == Some(id.as_str()))
        .expect("our rule");
    assert_eq!(ours.is_egress(), Some(true));
    assert_eq!(
        ours.referenced_group_info().and_then(|g| g.group_id()),
        Some(app.as_str())
    );

    // Update in place: other ports and a description, same peer.
    let mut wider = desired.clone();
    wider.insert("to_port".into(), json!(8081));
    wider.insert("description".into(), json!("app ports"));
    let updated = d.update(&fx.ctx(), &state, &wider).await.expect("update");
    assert_eq!(str_attr(&updated, "id"), id);
    assert_reads_as(&updated, &wider);
    let ours = group_rules(&fx, &alb).await;
    let ours = ours
        .iter()
        .find(|r| r.security_group_rule_id() == Some(id.as_str()))
        .expect("our rule");
    assert_eq!((ours.to_port(), ours.description()), (Some(8081), Some("app ports")));
    d.delete(&fx.ctx(), &updated).await.expect("delete");
    assert_eq!(d.read(&fx.ctx(), &updated).await.expect("read after delete"), None);
    assert_eq!(group_rules(&fx, &alb).await.len(), before);

    // All protocols: ports read back null, and stay null through an in-place change.
    let all = obj(json!({
        "security_group_id": alb,
        "ip_protocol": "-1",
        "from_port": null,
        "to_port": null,
        "cidr_ipv4": "10.0.0.0/8",
    }));
    let state = d.create(&fx.ctx(), &all).await.expect("create");
    let id = str_attr(&state, "id").to_string();
    assert_reads_as(&state, &all);
    let mut described = all.clone();
    described.insert("cidr_ipv4".into(), json!("172.16.0.0/12"));
    described.insert("description".into(), json!("anything inside"));
    let updated = d.update(&fx.ctx(), &state, &described).await.expect("update");
    assert_eq!(str_attr(&updated, "id"), id);
    assert_reads_as(&updated, &described);
    let read = d.read(&fx.ctx(), &updated).await.expect("read").expect("rule exists");
    assert_reads_as(&read, &described);
    let all = described;

    let found = d.find(&fx.ctx(), &all).await.expect("find").expect("adopted");
    assert_eq!(str_attr(&found, "id"), id);
    assert_eq!(d.find(&fx.other_component().ctx(), &all).await.expect("find"), None);

    // Disappears: revoked out of band.
    fx.ec2()
        .revoke_security_group_egress()
        .group_id(&alb)
        .security_group_rule_ids(&id)
        .send()
        .await
        .expect("RevokeSecurityGroupEgress out of band");
    assert_eq!(d.read(&fx.ctx(), &read).await.expect("read"), None);
    d.delete(&fx.ctx(), &read).await.expect("delete of a gone rule");
}

// ---------------------------------------------------------------------------------------
// aws_flow_log

async fn bucket(fx: &Fixture) -> String {
    let name = common::unique("flow-logs");
    let location = aws_sdk_s3::types::BucketLocationConstraint::from(fx.region.as_str());
    fx.s3()
        .create_bucket()
        .bucket(&name)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(location)
                .build(),
        )
        .send()
        .await
        .expect("CreateBucket");
    name
}

#[tokio::test]
async fn flow_log_to_s3_lifecycle() {
    for region in ["eu-west-1", "eu-west-3"] {
        let Some(fx) = fixture(region, "aws_flow_log.vpc").await else {
            return;
        };
        let d = the_driver("aws_flow_log");
        assert!(d.replace_on().contains(&"log_destination"));
        let net = network(&fx, 16).await;
        let bucket = bucket(&fx).await;
        let desired = obj(json!({
            "vpc_id": net.vpc,
            "traffic_type": "ALL",
            "log_destination_type": "s3",
            "log_destination": format!("arn:aws:s3:::{bucket}"),
            "max_aggregation_interval": 60,
            "tags": {"purpose": "audit"},
        }));
        let state = d.create(&fx.ctx(), &desired).await.expect("create");
        let id = str_attr(&state, "id").to_string();
        assert!(id.starts_with("fl-"), "{id}");
        assert_eq!(
            str_attr(&state, "arn"),
            format!("arn:aws:ec2:{region}:123456789012:vpc-flow-log/{id}")
        );
        assert_reads_as(&state, &desired);
        assert_tags_all(&state, &fx, &[("purpose", "audit")]);
        let read = d.read(&fx.ctx(), &state).await.expect("read").expect("flow log exists");
        assert_reads_as(&read, &desired);

        let out = fx
            .ec2()
            .describe_flow_logs()
            .filter(filter("resource-id", &net.vpc))
            .send()
            .await
            .expect("DescribeFlowLogs");
        assert_eq!(out.flow_logs().len(), 1);
        assert_eq!(out.flow_logs()[0].max_aggregation_interval(), Some(60));
        assert_eq!(
            sdk_tags(out.flow_logs()[0].tags()).get("purpose").map(String::as_str),
            Some("audit")
        );

        let found = d.find(&fx.ctx(), &desired).await.expect("find").expect("adopted");
        assert_eq!(str_attr(&found, "id"), id);
        assert_eq!(d.find(&fx.other_component().ctx(), &desired).await.expect("find"), None);

        // Only tags change in place.
        let mut retagged = desired.clone();
        retagged.insert("tags".into(), json!({"purpose": "forensics"}));
        let updated = d.update(&fx.ctx(), &read, &retagged).await.expect("update");
        assert_eq!(str_attr(&updated, "id"), id);
        let read = d
            .read(&fx.ctx(), &updated)
            .await
            .expect("read")
            .expect("flow log exists");
        assert_reads_as(&read, &retagged);
        assert_tags_all(&read, &fx, &[("purpose", "forensics")]);

        // Drift: a tag added out of band.
        fx.ec2()
            .create_tags()
            .resources(&id)
            .tags(Tag::builder().key("owner").value("someone").build())
            .send()
            .await
            .expect("CreateTags out of band");
        let drifted = d.read(&fx.ctx(), &read).await.expect("read").expect("flow log exists");
        assert_eq!(drifted["tags"], json!({"owner": "someone", "purpose": "forensics"}));

        d.delete(&fx.ctx(), &drifted).await.expect("delete");
        assert_eq!(d.read(&fx.ctx(), &drifted).await.expect("read after delete"), None);
        d.delete(&fx.ctx(), &drifted)
            .await
            .expect("deleting a deleted flow log succeeds");
    }
}

#[tokio::test]
async fn flow_log_to_cloudwatch_logs_and_failures() {
    let Some(fx) = fixture("eu-west-1", "aws_flow_log.rejects").await else {
        return;
    };
    let d = the_driver("aws_flow_log");
    let net = network(&fx, 17).await;
    let desired = obj(json!({
        "vpc_id": net.vpc,
        "traffic_type": "REJECT",
        "log_destination_type": "cloud-watch-logs",
        "log_destination": "arn:aws:logs:eu-west-1:123456789012:log-group:vpc-flow",
        "iam_role_arn": "arn:aws:iam::123456789012:role/flow-logs",
        "max_aggregation_interval": 600,
    }));
    let state = d.create(&fx.ctx(), &desired).await.expect("create");
    assert_reads_as(&state, &desired);
    let read = d.read(&fx.ctx(), &state).await.expect("read").expect("flow log exists");
    assert_reads_as(&read, &desired);

    // An S3 destination that does not exist is reported (CreateFlowLogs' Unsuccessful list).
    let missing = obj(json!({
        "vpc_id": net.vpc,
        "traffic_type": "ALL",
        "log_destination_type": "s3",
        "log_destination": "arn:aws:s3:::no-such-bucket-wellarch",
    }));
    let err = d.create(&fx.ctx(), &missing).await.expect_err("no such bucket");
    assert!(err.message.starts_with("CreateFlowLogs:"), "{err}");
    assert_eq!(err.created, None, "nothing was created");

    // Disappears.
    fx.ec2()
        .delete_flow_logs()
        .flow_log_ids(str_attr(&state, "id"))
        .send()
        .await
        .expect("DeleteFlowLogs out of band");
    assert_eq!(d.read(&fx.ctx(), &state).await.expect("read"), None);
    d.delete(&fx.ctx(), &state).await.expect("delete of a gone flow log");
}
