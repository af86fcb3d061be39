//! `aws_internet_gateway`: CreateInternetGateway / AttachInternetGateway /
//! DescribeInternetGateways / DetachInternetGateway / DeleteInternetGateway.
//!
//! The gateway and its attachment are one resource here, as in hashicorp/aws: a new
//! `vpc_id` detaches from the old VPC and attaches to the new one, and delete detaches
//! first. Detaching fails with `DependencyViolation` while public addresses in the VPC are
//! still mapped (a NAT gateway's being released), so detach and delete retry it until the
//! component timeout.

use async_trait::async_trait;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{AttachmentStatus, InternetGateway as SdkGateway, ResourceType};

use super::attrs::{self, Attrs};
use super::ec2_tags;
use super::tags;
use super::vpc::{DEPENDENCY_VIOLATION, ec2_arn, read_back};
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, has_code, state_id};

pub struct InternetGateway;

const NOT_FOUND: &[&str] = &["InvalidInternetGatewayID.NotFound"];
/// Detaching from a VPC the gateway is not (or no longer) attached to.
const NOT_ATTACHED: &[&str] = &["Gateway.NotAttached", "InvalidVpcID.NotFound"];

async fn find_gateway(client: &Client, id: &str) -> Result<Option<SdkGateway>, DriverError> {
    let out = client
        .describe_internet_gateways()
        .internet_gateway_ids(id)
        .send()
        .await;
    Ok(found("DescribeInternetGateways", NOT_FOUND, out)?.and_then(|o| o.internet_gateways().first().cloned()))
}

/// The VPC the gateway is attached to (or being attached to); detached and detaching
/// attachments do not count.
fn attached_vpc(gateway: &SdkGateway) -> Option<&str> {
    gateway
        .attachments()
        .iter()
        .filter(|a| {
            !matches!(
                a.state(),
                Some(AttachmentStatus::Detached | AttachmentStatus::Detaching)
            )
        })
        .find_map(|a| a.vpc_id())
}

/// Attaches and waits until EC2 reports the attachment (`available`, or `attached`).
async fn attach(ctx: &ChildCtx<'_>, client: &Client, id: &str, vpc_id: &str) -> Result<(), DriverError> {
    client
        .attach_internet_gateway()
        .internet_gateway_id(id)
        .vpc_id(vpc_id)
        .send()
        .await
        .map_err(|e| aws_error("AttachInternetGateway", e))?;
    wait::until(
        &format!("internet gateway {id} to attach to {vpc_id}"),
        ctx.env.component_timeout,
        || async {
            // EC2 reports a gateway attachment as `available` (not in the SDK's enum)
            // once it is done; `attaching` is the only state on the way.
            let done = find_gateway(client, id).await?.is_some_and(|g| {
                g.attachments().iter().any(|a| {
                    a.vpc_id() == Some(vpc_id)
                        && !matches!(
                            a.state(),
                            Some(
                                AttachmentStatus::Attaching | AttachmentStatus::Detaching | AttachmentStatus::Detached
                            )
                        )
                })
            });
            Ok(done.then_some(()))
        },
    )
    .await
}

/// Detaches from `vpc_id` (nothing to do when it is not attached there), retrying while
/// mapped public addresses keep the gateway in use, and waits until the attachment is gone.
async fn detach(ctx: &ChildCtx<'_>, client: &Client, id: &str, vpc_id: &str) -> Result<(), DriverError> {
    let out = wait::retry_while(
        ctx.env.component_timeout,
        |e| has_code(e, DEPENDENCY_VIOLATION),
        || {
            client
                .detach_internet_gateway()
                .internet_gateway_id(id)
                .vpc_id(vpc_id)
                .send()
        },
    )
    .await;
    if found("DetachInternetGateway", &[NOT_ATTACHED, NOT_FOUND].concat(), out)?.is_none() {
        return Ok(());
    }
    wait::until_gone(
        &format!("internet gateway {id} to detach from {vpc_id}"),
        ctx.env.component_timeout,
        || async {
            Ok(find_gateway(client, id)
                .await?
                .filter(|g| attached_vpc(g) == Some(vpc_id)))
        },
    )
    .await
}

#[async_trait]
impl Driver for InternetGateway {
    fn resource_type(&self) -> &'static str {
        "aws_internet_gateway"
    }

    fn service(&self) -> &'static str {
        "ec2"
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = ec2_tags::client(ctx);
        let vpc_id = attrs::string(desired, "vpc_id")?;
        let all_tags = tags::wanted(ctx, desired)?;
        let created = client
            .create_internet_gateway()
            .set_tag_specifications(ec2_tags::specification(ResourceType::InternetGateway, &all_tags))
            .send()
            .await
            .map_err(|e| aws_error("CreateInternetGateway", e))?;
        let id = created
            .internet_gateway()
            .and_then(|g| g.internet_gateway_id())
            .ok_or_else(|| DriverError::new("CreateInternetGateway: no gateway id in the answer"))?
            .to_string();
        let mut known = desired.clone();
        known.insert("id".into(), attrs::text(&id));

        wait::until(
            &format!("internet gateway {id} to exist"),
            ctx.env.component_timeout,
            || find_gateway(&client, &id),
        )
        .await
        .after_create(&known)?;
        if let Some(vpc_id) = vpc_id {
            attach(ctx, &client, &id, vpc_id).await.after_create(&known)?;
        }
        read_back(self, ctx, desired, &id).await
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let Some(gateway) = find_gateway(&client, id).await? else {
            return Ok(None);
        };
        let owner = gateway.owner_id().unwrap_or_default();
        let mut out = state.clone();
        out.insert("id".into(), attrs::text(id));
        out.insert("arn".into(), attrs::text(&ec2_arn(ctx, owner, "internet-gateway", id)?));
        out.insert("owner_id".into(), attrs::text(owner));
        out.insert("vpc_id".into(), attrs::opt_text(attached_vpc(&gateway)));
        tags::put_read_state(ctx, &mut out, state, &ec2_tags::from_sdk(gateway.tags()))?;
        Ok(Some(out))
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let gateway = find_gateway(&client, id)
            .await?
            .ok_or_else(|| DriverError::new(format!("internet gateway {id} does not exist")))?;
        let current = attached_vpc(&gateway).map(str::to_string);
        let wanted = attrs::string(desired, "vpc_id")?;
        if current.as_deref() != wanted {
            if let Some(old) = &current {
                detach(ctx, &client, id, old).await?;
            }
            if let Some(new) = wanted {
                attach(ctx, &client, id, new).await?;
            }
        }
        ec2_tags::sync(
            &client,
            id,
            &ec2_tags::from_sdk(gateway.tags()),
            &tags::wanted(ctx, desired)?,
        )
        .await?;
        let mut seed = desired.clone();
        seed.insert("id".into(), attrs::text(id));
        self.read(ctx, &seed)
            .await?
            .ok_or_else(|| DriverError::new(format!("internet gateway {id} disappeared during its update")))
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let Some(gateway) = find_gateway(&client, id).await? else {
            return Ok(());
        };
        if let Some(vpc_id) = attached_vpc(&gateway) {
            detach(ctx, &client, id, vpc_id).await?;
        }
        let deleted = wait::retry_while(
            ctx.env.component_timeout,
            |e| has_code(e, DEPENDENCY_VIOLATION),
            || client.delete_internet_gateway().internet_gateway_id(id).send(),
        )
        .await;
        if found("DeleteInternetGateway", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("internet gateway {id} to be deleted"),
            ctx.env.component_timeout,
            || find_gateway(&client, id),
        )
        .await
    }

    /// DescribeInternetGateways by this child's tags.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let out = ec2_tags::client(ctx)
            .describe_internet_gateways()
            .set_filters(Some(ec2_tags::owner_filters(ctx)))
            .send()
            .await
            .map_err(|e| aws_error("DescribeInternetGateways", e))?;
        match out
            .internet_gateways()
            .iter()
            .filter(|g| ec2_tags::owned_by_child(ctx, g.tags()))
            .find_map(|g| g.internet_gateway_id())
        {
            Some(id) => adopt(self, ctx, desired, id, true).await,
            None => Ok(None),
        }
    }
}
