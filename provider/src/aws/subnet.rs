//! `aws_subnet`: CreateSubnet / DescribeSubnets / ModifySubnetAttribute / DeleteSubnet.
//!
//! Where a subnet lives (VPC, CIDR, availability zone) is fixed at create; only
//! `map_public_ip_on_launch` (and tags) change in place. ENIs left by NAT gateways and load
//! balancers keep a subnet busy for a while after they are deleted, so delete retries
//! `DependencyViolation` until the component timeout.

use async_trait::async_trait;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{AttributeBooleanValue, ResourceType, Subnet as SdkSubnet, SubnetState};

use super::attrs::{self, Attrs};
use super::ec2_tags;
use super::tags;
use super::vpc::{DEPENDENCY_VIOLATION, ec2_arn, read_back};
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, has_code, state_id};

pub struct Subnet;

const NOT_FOUND: &[&str] = &["InvalidSubnetID.NotFound"];

async fn find_subnet(client: &Client, id: &str) -> Result<Option<SdkSubnet>, DriverError> {
    let out = client.describe_subnets().subnet_ids(id).send().await;
    Ok(found("DescribeSubnets", NOT_FOUND, out)?.and_then(|o| o.subnets().first().cloned()))
}

/// hashicorp's default: instances in the subnet get no public address unless asked.
fn wanted_public_ip(desired: &Attrs) -> Result<bool, DriverError> {
    Ok(attrs::boolean(desired, "map_public_ip_on_launch")?.unwrap_or(false))
}

async fn set_public_ip(client: &Client, id: &str, on: bool) -> Result<(), DriverError> {
    client
        .modify_subnet_attribute()
        .subnet_id(id)
        .map_public_ip_on_launch(AttributeBooleanValue::builder().value(on).build())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| aws_error("ModifySubnetAttribute", e))
}

#[async_trait]
impl Driver for Subnet {
    fn resource_type(&self) -> &'static str {
        "aws_subnet"
    }

    fn service(&self) -> &'static str {
        "ec2"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["vpc_id", "cidr_block", "availability_zone"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = ec2_tags::client(ctx);
        let vpc_id = attrs::required_string(desired, "vpc_id")?;
        let cidr = attrs::required_string(desired, "cidr_block")?;
        let public_ip = wanted_public_ip(desired)?;
        let all_tags = tags::wanted(ctx, desired)?;
        let created = client
            .create_subnet()
            .vpc_id(vpc_id)
            .cidr_block(cidr)
            .set_availability_zone(attrs::owned_string(desired, "availability_zone")?)
            .set_tag_specifications(ec2_tags::specification(ResourceType::Subnet, &all_tags))
            .send()
            .await
            .map_err(|e| aws_error("CreateSubnet", e))?;
        let id = created
            .subnet()
            .and_then(|s| s.subnet_id())
            .ok_or_else(|| DriverError::new("CreateSubnet: no subnet id in the answer"))?
            .to_string();
        let mut known = desired.clone();
        known.insert("id".into(), attrs::text(&id));

        let subnet = wait::until(
            &format!("subnet {id} to become available"),
            ctx.env.component_timeout,
            || async {
                Ok(find_subnet(&client, &id)
                    .await?
                    .filter(|s| s.state() == Some(&SubnetState::Available)))
            },
        )
        .await
        .after_create(&known)?;
        if subnet.map_public_ip_on_launch() != Some(public_ip) {
            set_public_ip(&client, &id, public_ip).await.after_create(&known)?;
        }
        read_back(self, ctx, desired, &id).await
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let Some(subnet) = find_subnet(&client, id).await? else {
            return Ok(None);
        };
        let arn = match subnet.subnet_arn() {
            Some(arn) => arn.to_string(),
            None => ec2_arn(ctx, subnet.owner_id().unwrap_or_default(), "subnet", id)?,
        };
        let mut out = state.clone();
        out.insert("id".into(), attrs::text(id));
        out.insert("arn".into(), attrs::text(&arn));
        out.insert("owner_id".into(), attrs::opt_text(subnet.owner_id()));
        out.insert("vpc_id".into(), attrs::opt_text(subnet.vpc_id()));
        out.insert("cidr_block".into(), attrs::opt_text(subnet.cidr_block()));
        out.insert("availability_zone".into(), attrs::opt_text(subnet.availability_zone()));
        out.insert(
            "availability_zone_id".into(),
            attrs::opt_text(subnet.availability_zone_id()),
        );
        out.insert(
            "map_public_ip_on_launch".into(),
            subnet.map_public_ip_on_launch().unwrap_or(false).into(),
        );
        tags::put_read_state(ctx, &mut out, state, &ec2_tags::from_sdk(subnet.tags()))?;
        Ok(Some(out))
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let subnet = find_subnet(&client, id)
            .await?
            .ok_or_else(|| DriverError::new(format!("subnet {id} does not exist")))?;
        attrs::unchanged(desired, "vpc_id", subnet.vpc_id().unwrap_or_default())?;
        attrs::unchanged(desired, "cidr_block", subnet.cidr_block().unwrap_or_default())?;
        attrs::unchanged(
            desired,
            "availability_zone",
            subnet.availability_zone().unwrap_or_default(),
        )?;
        let public_ip = wanted_public_ip(desired)?;
        if subnet.map_public_ip_on_launch() != Some(public_ip) {
            set_public_ip(&client, id, public_ip).await?;
        }
        ec2_tags::sync(
            &client,
            id,
            &ec2_tags::from_sdk(subnet.tags()),
            &tags::wanted(ctx, desired)?,
        )
        .await?;
        let mut seed = desired.clone();
        seed.insert("id".into(), attrs::text(id));
        self.read(ctx, &seed)
            .await?
            .ok_or_else(|| DriverError::new(format!("subnet {id} disappeared during its update")))
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let deleted = wait::retry_while(
            ctx.env.component_timeout,
            |e| has_code(e, DEPENDENCY_VIOLATION),
            || client.delete_subnet().subnet_id(id).send(),
        )
        .await;
        if found("DeleteSubnet", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(&format!("subnet {id} to be deleted"), ctx.env.component_timeout, || {
            find_subnet(&client, id)
        })
        .await
    }

    /// DescribeSubnets by this child's tags (in the desired VPC when it is known).
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let mut filters = ec2_tags::owner_filters(ctx);
        if let Some(vpc_id) = attrs::string(desired, "vpc_id")? {
            filters.push(ec2_tags::filter("vpc-id", vpc_id));
        }
        let out = ec2_tags::client(ctx)
            .describe_subnets()
            .set_filters(Some(filters))
            .send()
            .await
            .map_err(|e| aws_error("DescribeSubnets", e))?;
        match out
            .subnets()
            .iter()
            .filter(|s| ec2_tags::owned_by_child(ctx, s.tags()))
            .find_map(|s| s.subnet_id())
        {
            Some(id) => adopt(self, ctx, desired, id, true).await,
            None => Ok(None),
        }
    }
}
