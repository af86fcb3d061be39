//! `aws_vpc`: CreateVpc / DescribeVpcs / DescribeVpcAttribute / ModifyVpcAttribute /
//! DeleteVpc.
//!
//! The two DNS settings are separate attributes that ModifyVpcAttribute changes one per
//! call. The default security group and main route table come with the VPC; other
//! components (security groups, route tables) refer to them, so read reports their ids.
//! A VPC's children (subnets, ENIs of load balancers and NAT gateways) can take minutes to
//! go away after they are deleted, so delete retries `DependencyViolation` until the
//! component timeout.
//!
//! This file also holds what the network drivers share besides tags (`ec2_tags`): ARNs EC2
//! does not return, and reading a resource back after its create.

use async_trait::async_trait;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{AttributeBooleanValue, ResourceType, Tenancy, Vpc as SdkVpc, VpcState};
use serde_json::Value;

use super::attrs::{self, Attrs};
use super::ec2_tags;
use super::tags;
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, arn, aws_error, found, has_code, state_id};

pub struct Vpc;

const NOT_FOUND: &[&str] = &["InvalidVpcID.NotFound"];
/// Something still lives in the VPC (or, for other resources, still uses them).
pub(crate) const DEPENDENCY_VIOLATION: &[&str] = &["DependencyViolation"];

// ---- EC2 plumbing shared by the network drivers (tags: `ec2_tags`) ----

/// `arn:<partition>:ec2:<region>:<account>:<kind>/<id>`, for resources whose describe call
/// returns no ARN (VPCs, internet gateways).
pub(crate) fn ec2_arn(ctx: &ChildCtx<'_>, account: &str, kind: &str, id: &str) -> Result<String, DriverError> {
    let region = arn::region(ctx)?;
    Ok(arn::build(
        arn::partition(&region),
        "ec2",
        &region,
        account,
        &format!("{kind}/{id}"),
    ))
}

/// `read` seeded with what create knows, turned into the state create returns; a
/// resource that vanished right after its create is an error that still records it.
pub(crate) async fn read_back<D: Driver + ?Sized>(
    driver: &D,
    ctx: &ChildCtx<'_>,
    desired: &Attrs,
    id: &str,
) -> Result<ChildState, DriverError> {
    let mut seed = desired.clone();
    seed.insert("id".into(), Value::String(id.to_string()));
    match driver.read(ctx, &seed).await {
        Ok(Some(state)) => Ok(state),
        Ok(None) => Err(DriverError::after_create(
            format!("{} {id} disappeared right after it was created", driver.resource_type()),
            seed,
        )),
        Err(e) => Err(DriverError::after_create(e.message, seed)),
    }
}

// ---- aws_vpc ----

/// DescribeVpcs for one VPC; `None` when it does not exist.
async fn find_vpc(client: &Client, id: &str) -> Result<Option<SdkVpc>, DriverError> {
    let out = client.describe_vpcs().vpc_ids(id).send().await;
    Ok(found("DescribeVpcs", NOT_FOUND, out)?.and_then(|o| o.vpcs().first().cloned()))
}

#[derive(Clone, Copy)]
enum DnsSetting {
    Support,
    Hostnames,
}

impl DnsSetting {
    fn key(self) -> &'static str {
        match self {
            DnsSetting::Support => "enable_dns_support",
            DnsSetting::Hostnames => "enable_dns_hostnames",
        }
    }

    /// What the configuration asks: hashicorp defaults `enable_dns_support` to true and
    /// leaves `enable_dns_hostnames` to AWS (it depends on the VPC being the default one).
    fn wanted(self, desired: &Attrs) -> Result<Option<bool>, DriverError> {
        let set = attrs::boolean(desired, self.key())?;
        Ok(match self {
            DnsSetting::Support => Some(set.unwrap_or(true)),
            DnsSetting::Hostnames => set,
        })
    }
}

async fn dns_setting(client: &Client, id: &str, setting: DnsSetting) -> Result<Option<bool>, DriverError> {
    use aws_sdk_ec2::types::VpcAttributeName as A;
    let name = match setting {
        DnsSetting::Support => A::EnableDnsSupport,
        DnsSetting::Hostnames => A::EnableDnsHostnames,
    };
    let out = client
        .describe_vpc_attribute()
        .vpc_id(id)
        .attribute(name)
        .send()
        .await
        .map_err(|e| aws_error("DescribeVpcAttribute", e))?;
    let value = match setting {
        DnsSetting::Support => out.enable_dns_support(),
        DnsSetting::Hostnames => out.enable_dns_hostnames(),
    };
    Ok(value.and_then(AttributeBooleanValue::value))
}

/// ModifyVpcAttribute for each DNS setting whose wanted value differs from AWS's. Support
/// goes first: AWS refuses hostnames without it.
async fn apply_dns(client: &Client, id: &str, desired: &Attrs) -> Result<(), DriverError> {
    for setting in [DnsSetting::Support, DnsSetting::Hostnames] {
        let Some(wanted) = setting.wanted(desired)? else {
            continue;
        };
        if dns_setting(client, id, setting).await? == Some(wanted) {
            continue;
        }
        let value = AttributeBooleanValue::builder().value(wanted).build();
        let request = client.modify_vpc_attribute().vpc_id(id);
        let request = match setting {
            DnsSetting::Support => request.enable_dns_support(value),
            DnsSetting::Hostnames => request.enable_dns_hostnames(value),
        };
        request.send().await.map_err(|e| aws_error("ModifyVpcAttribute", e))?;
    }
    Ok(())
}

/// The id of the first resource a describe call finds, for the VPC's default security
/// group and main route table.
async fn default_security_group(client: &Client, vpc_id: &str) -> Result<Option<String>, DriverError> {
    let out = client
        .describe_security_groups()
        .filters(ec2_tags::filter("vpc-id", vpc_id))
        .filters(ec2_tags::filter("group-name", "default"))
        .send()
        .await
        .map_err(|e| aws_error("DescribeSecurityGroups", e))?;
    Ok(out
        .security_groups()
        .first()
        .and_then(|g| g.group_id())
        .map(str::to_string))
}

async fn main_route_table(client: &Client, vpc_id: &str) -> Result<Option<String>, DriverError> {
    let out = client
        .describe_route_tables()
        .filters(ec2_tags::filter("vpc-id", vpc_id))
        .filters(ec2_tags::filter("association.main", "true"))
        .send()
        .await
        .map_err(|e| aws_error("DescribeRouteTables", e))?;
    Ok(out
        .route_tables()
        .first()
        .and_then(|t| t.route_table_id())
        .map(str::to_string))
}

#[async_trait]
impl Driver for Vpc {
    fn resource_type(&self) -> &'static str {
        "aws_vpc"
    }

    fn service(&self) -> &'static str {
        "ec2"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["cidr_block", "instance_tenancy"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = ec2_tags::client(ctx);
        let cidr = attrs::required_string(desired, "cidr_block")?;
        // Validated before anything exists, so a typo costs no create.
        DnsSetting::Support.wanted(desired)?;
        DnsSetting::Hostnames.wanted(desired)?;
        let all_tags = tags::wanted(ctx, desired)?;
        let created = client
            .create_vpc()
            .cidr_block(cidr)
            .set_instance_tenancy(attrs::string(desired, "instance_tenancy")?.map(Tenancy::from))
            .set_tag_specifications(ec2_tags::specification(ResourceType::Vpc, &all_tags))
            .send()
            .await
            .map_err(|e| aws_error("CreateVpc", e))?;
        let id = created
            .vpc()
            .and_then(|v| v.vpc_id())
            .ok_or_else(|| DriverError::new("CreateVpc: no VPC id in the answer"))?
            .to_string();
        let mut known = desired.clone();
        known.insert("id".into(), Value::String(id.clone()));

        // DescribeVpcs may not know the VPC for a moment (eventual consistency).
        wait::until(
            &format!("VPC {id} to become available"),
            ctx.env.component_timeout,
            || async {
                Ok(find_vpc(&client, &id)
                    .await?
                    .filter(|v| v.state() == Some(&VpcState::Available)))
            },
        )
        .await
        .after_create(&known)?;
        apply_dns(&client, &id, desired).await.after_create(&known)?;
        read_back(self, ctx, desired, &id).await
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let Some(vpc) = find_vpc(&client, id).await? else {
            return Ok(None);
        };
        let owner = vpc.owner_id().unwrap_or_default();
        let mut out = state.clone();
        out.insert("id".into(), attrs::text(id));
        out.insert("arn".into(), Value::String(ec2_arn(ctx, owner, "vpc", id)?));
        out.insert("owner_id".into(), attrs::text(owner));
        out.insert("cidr_block".into(), attrs::opt_text(vpc.cidr_block()));
        out.insert(
            "instance_tenancy".into(),
            attrs::opt_text(vpc.instance_tenancy().map(Tenancy::as_str)),
        );
        for setting in [DnsSetting::Support, DnsSetting::Hostnames] {
            let value = dns_setting(&client, id, setting).await?;
            out.insert(setting.key().into(), value.map_or(Value::Null, Value::Bool));
        }
        let sg = default_security_group(&client, id).await?;
        out.insert("default_security_group_id".into(), attrs::opt_text(sg.as_deref()));
        let rtb = main_route_table(&client, id).await?;
        out.insert("main_route_table_id".into(), attrs::opt_text(rtb.as_deref()));
        tags::put_read_state(ctx, &mut out, state, &ec2_tags::from_sdk(vpc.tags()))?;
        Ok(Some(out))
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let vpc = find_vpc(&client, id)
            .await?
            .ok_or_else(|| DriverError::new(format!("VPC {id} does not exist")))?;
        attrs::unchanged(desired, "cidr_block", vpc.cidr_block().unwrap_or_default())?;
        apply_dns(&client, id, desired).await?;
        ec2_tags::sync(
            &client,
            id,
            &ec2_tags::from_sdk(vpc.tags()),
            &tags::wanted(ctx, desired)?,
        )
        .await?;
        let mut seed = desired.clone();
        seed.insert("id".into(), attrs::text(id));
        self.read(ctx, &seed)
            .await?
            .ok_or_else(|| DriverError::new(format!("VPC {id} disappeared during its update")))
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let deleted = wait::retry_while(
            ctx.env.component_timeout,
            |e| has_code(e, DEPENDENCY_VIOLATION),
            || client.delete_vpc().vpc_id(id).send(),
        )
        .await;
        if found("DeleteVpc", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(&format!("VPC {id} to be deleted"), ctx.env.component_timeout, || {
            find_vpc(&client, id)
        })
        .await
    }

    /// DescribeVpcs by this child's tags.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let out = ec2_tags::client(ctx)
            .describe_vpcs()
            .set_filters(Some(ec2_tags::owner_filters(ctx)))
            .send()
            .await
            .map_err(|e| aws_error("DescribeVpcs", e))?;
        let candidate = out
            .vpcs()
            .iter()
            .filter(|v| v.state() != Some(&VpcState::Deleting) && ec2_tags::owned_by_child(ctx, v.tags()))
            .find_map(|v| v.vpc_id());
        match candidate {
            Some(id) => adopt(self, ctx, desired, id, true).await,
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dns_support_defaults_on_and_hostnames_to_aws() {
        let none = json!({});
        let none = none.as_object().expect("object");
        assert_eq!(DnsSetting::Support.wanted(none), Ok(Some(true)));
        assert_eq!(DnsSetting::Hostnames.wanted(none), Ok(None));
        let set = json!({"enable_dns_support": false, "enable_dns_hostnames": "true"});
        let set = set.as_object().expect("object");
        assert_eq!(DnsSetting::Support.wanted(set), Ok(Some(false)));
        assert_eq!(DnsSetting::Hostnames.wanted(set), Ok(Some(true)));
        let bad = json!({"enable_dns_hostnames": 3});
        assert!(DnsSetting::Hostnames.wanted(bad.as_object().expect("object")).is_err());
    }
}
