//! `aws_nat_gateway`: CreateNatGateway / DescribeNatGateways / DeleteNatGateway.
//!
//! A NAT gateway takes minutes to become `available` (or ends `failed`, with a reason), and
//! as long to be `deleted`; a deleted one stays listed in that state for about an hour, so
//! read treats `deleted` as gone. Nothing but tags changes in place.

use async_trait::async_trait;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{ConnectivityType, NatGateway as SdkNatGateway, NatGatewayState, ResourceType};

use super::attrs::{self, Attrs};
use super::ec2_tags;
use super::tags;
use super::vpc::read_back;
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, state_id};

pub struct NatGateway;

const NOT_FOUND: &[&str] = &["NatGatewayNotFound", "InvalidNatGatewayID.NotFound"];

/// DescribeNatGateways for one gateway; `None` when it does not exist or is `deleted`.
async fn find_gateway(client: &Client, id: &str) -> Result<Option<SdkNatGateway>, DriverError> {
    let out = client.describe_nat_gateways().nat_gateway_ids(id).send().await;
    Ok(found("DescribeNatGateways", NOT_FOUND, out)?.and_then(|o| {
        o.nat_gateways()
            .iter()
            .find(|g| g.nat_gateway_id() == Some(id) && g.state() != Some(&NatGatewayState::Deleted))
            .cloned()
    }))
}

/// `public` (AWS's default) or `private`.
fn connectivity(desired: &Attrs) -> Result<ConnectivityType, DriverError> {
    match attrs::string(desired, "connectivity_type")? {
        None | Some("public") => Ok(ConnectivityType::Public),
        Some("private") => Ok(ConnectivityType::Private),
        Some(other) => Err(DriverError::new(format!(
            "attribute `connectivity_type`: expected public or private, got {other}"
        ))),
    }
}

/// Waits until the gateway is `available`; `failed` (or deleted meanwhile) ends the wait
/// with AWS's reason.
async fn wait_available(ctx: &ChildCtx<'_>, client: &Client, id: &str) -> Result<(), DriverError> {
    wait::until(
        &format!("NAT gateway {id} to become available"),
        ctx.env.component_timeout,
        || async {
            let Some(gateway) = find_gateway(client, id).await? else {
                // Eventual consistency right after create; a gateway that failed and
                // was cleaned up also ends here, until the timeout says so.
                return Ok(None);
            };
            match gateway.state() {
                Some(NatGatewayState::Available) => Ok(Some(())),
                Some(NatGatewayState::Failed | NatGatewayState::Deleting) => Err(DriverError::new(format!(
                    "NAT gateway {id} failed: {}: {}",
                    gateway.failure_code().unwrap_or("no failure code"),
                    gateway.failure_message().unwrap_or("no failure message")
                ))),
                _ => Ok(None),
            }
        },
    )
    .await
}

#[async_trait]
impl Driver for NatGateway {
    fn resource_type(&self) -> &'static str {
        "aws_nat_gateway"
    }

    fn service(&self) -> &'static str {
        "ec2"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["allocation_id", "subnet_id", "connectivity_type"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = ec2_tags::client(ctx);
        let subnet_id = attrs::required_string(desired, "subnet_id")?;
        let kind = connectivity(desired)?;
        let allocation_id = attrs::owned_string(desired, "allocation_id")?;
        if kind == ConnectivityType::Public && allocation_id.is_none() {
            return Err(DriverError::new(
                "attribute `allocation_id` is required for a public NAT gateway",
            ));
        }
        let all_tags = tags::wanted(ctx, desired)?;
        // The SDK fills ClientToken, so its own retries cannot make a second gateway.
        let created = client
            .create_nat_gateway()
            .subnet_id(subnet_id)
            .set_allocation_id(allocation_id)
            .connectivity_type(kind)
            .set_tag_specifications(ec2_tags::specification(ResourceType::Natgateway, &all_tags))
            .send()
            .await
            .map_err(|e| aws_error("CreateNatGateway", e))?;
        let id = created
            .nat_gateway()
            .and_then(|g| g.nat_gateway_id())
            .ok_or_else(|| DriverError::new("CreateNatGateway: no NAT gateway id in the answer"))?
            .to_string();
        let mut known = desired.clone();
        known.insert("id".into(), attrs::text(&id));
        wait_available(ctx, &client, &id).await.after_create(&known)?;
        read_back(self, ctx, desired, &id).await
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let Some(gateway) = find_gateway(&client, id).await? else {
            return Ok(None);
        };
        // The primary address: the one of the EIP the gateway was made with.
        let addresses = gateway.nat_gateway_addresses();
        let address = addresses
            .iter()
            .find(|a| a.is_primary() == Some(true))
            .or_else(|| addresses.first());
        let mut out = state.clone();
        out.insert("id".into(), attrs::text(id));
        out.insert("subnet_id".into(), attrs::opt_text(gateway.subnet_id()));
        // AWS always reports it; an emulator may not, and `public` is what AWS assumes.
        out.insert(
            "connectivity_type".into(),
            attrs::text(gateway.connectivity_type().map_or("public", ConnectivityType::as_str)),
        );
        out.insert(
            "allocation_id".into(),
            attrs::opt_text(address.and_then(|a| a.allocation_id())),
        );
        out.insert("public_ip".into(), attrs::opt_text(address.and_then(|a| a.public_ip())));
        out.insert(
            "private_ip".into(),
            attrs::opt_text(address.and_then(|a| a.private_ip())),
        );
        out.insert(
            "network_interface_id".into(),
            attrs::opt_text(address.and_then(|a| a.network_interface_id())),
        );
        out.insert(
            "association_id".into(),
            attrs::opt_text(address.and_then(|a| a.association_id())),
        );
        tags::put_read_state(ctx, &mut out, state, &ec2_tags::from_sdk(gateway.tags()))?;
        Ok(Some(out))
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let gateway = find_gateway(&client, id)
            .await?
            .ok_or_else(|| DriverError::new(format!("NAT gateway {id} does not exist")))?;
        attrs::unchanged(desired, "subnet_id", gateway.subnet_id().unwrap_or_default())?;
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
            .ok_or_else(|| DriverError::new(format!("NAT gateway {id} disappeared during its update")))
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        // Looked up first: a gateway already gone (or `deleting`) needs no call.
        let Some(gateway) = find_gateway(&client, id).await? else {
            return Ok(());
        };
        if gateway.state() != Some(&NatGatewayState::Deleting) {
            let out = client.delete_nat_gateway().nat_gateway_id(id).send().await;
            if found("DeleteNatGateway", NOT_FOUND, out)?.is_none() {
                return Ok(());
            }
        }
        wait::until_gone(
            &format!("NAT gateway {id} to be deleted"),
            ctx.env.component_timeout,
            || find_gateway(&client, id),
        )
        .await
    }

    /// DescribeNatGateways by this child's tags (deleted gateways are skipped).
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let out = ec2_tags::client(ctx)
            .describe_nat_gateways()
            .set_filter(Some(ec2_tags::owner_filters(ctx)))
            .send()
            .await
            .map_err(|e| aws_error("DescribeNatGateways", e))?;
        let candidate = out
            .nat_gateways()
            .iter()
            .filter(|g| {
                !matches!(
                    g.state(),
                    Some(NatGatewayState::Deleted | NatGatewayState::Deleting | NatGatewayState::Failed)
                ) && ec2_tags::owned_by_child(ctx, g.tags())
            })
            .find_map(|g| g.nat_gateway_id());
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
    fn connectivity_defaults_to_public() {
        let unset = json!({});
        assert_eq!(
            connectivity(unset.as_object().expect("object")),
            Ok(ConnectivityType::Public)
        );
        let private = json!({"connectivity_type": "private"});
        assert_eq!(
            connectivity(private.as_object().expect("object")),
            Ok(ConnectivityType::Private)
        );
        let bad = json!({"connectivity_type": "internet"});
        assert!(connectivity(bad.as_object().expect("object")).is_err());
    }
}
