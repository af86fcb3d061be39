//! `aws_eip`: AllocateAddress / DescribeAddresses / ReleaseAddress.
//!
//! Only VPC addresses exist today (EC2-Classic is gone), so `domain` is `vpc`. The id is
//! the allocation id, as in hashicorp/aws. An address a NAT gateway used stays associated
//! for a while after the gateway is deleted, so release retries `InvalidIPAddress.InUse`
//! until the component timeout.

use async_trait::async_trait;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Address, DomainType, ResourceType};

use super::attrs::{self, Attrs};
use super::ec2_tags;
use super::tags;
use super::vpc::read_back;
use super::wait;
use super::{ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, has_code, state_id};

pub struct Eip;

const NOT_FOUND: &[&str] = &["InvalidAllocationID.NotFound", "InvalidAddress.NotFound"];
/// Still associated (with an ENI being released): the release can be retried.
const IN_USE: &[&str] = &["InvalidIPAddress.InUse"];

async fn find_address(client: &Client, id: &str) -> Result<Option<Address>, DriverError> {
    let out = client.describe_addresses().allocation_ids(id).send().await;
    Ok(found("DescribeAddresses", NOT_FOUND, out)?.and_then(|o| o.addresses().first().cloned()))
}

/// `vpc`, the only domain this driver (and AWS, since EC2-Classic) allocates in.
fn check_domain(desired: &Attrs) -> Result<(), DriverError> {
    match attrs::string(desired, "domain")? {
        None | Some("vpc") => Ok(()),
        Some(other) => Err(DriverError::new(format!(
            "attribute `domain`: only \"vpc\" is supported, got {other}"
        ))),
    }
}

#[async_trait]
impl Driver for Eip {
    fn resource_type(&self) -> &'static str {
        "aws_eip"
    }

    fn service(&self) -> &'static str {
        "ec2"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["domain"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = ec2_tags::client(ctx);
        check_domain(desired)?;
        let all_tags = tags::wanted(ctx, desired)?;
        let created = client
            .allocate_address()
            .domain(DomainType::Vpc)
            .set_tag_specifications(ec2_tags::specification(ResourceType::ElasticIp, &all_tags))
            .send()
            .await
            .map_err(|e| aws_error("AllocateAddress", e))?;
        let id = created
            .allocation_id()
            .ok_or_else(|| DriverError::new("AllocateAddress: no allocation id in the answer"))?
            .to_string();
        // DescribeAddresses may not know the allocation for a moment.
        let mut known = desired.clone();
        known.insert("id".into(), attrs::text(&id));
        known.insert("allocation_id".into(), attrs::text(&id));
        known.insert("public_ip".into(), attrs::opt_text(created.public_ip()));
        wait::until(
            &format!("address {id} to be allocated"),
            ctx.env.component_timeout,
            || find_address(&client, &id),
        )
        .await
        .map_err(|e| DriverError::after_create(e.message, known.clone()))?;
        read_back(self, ctx, desired, &id).await
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let Some(address) = find_address(&client, id).await? else {
            return Ok(None);
        };
        let mut out = state.clone();
        out.insert("id".into(), attrs::text(id));
        out.insert("allocation_id".into(), attrs::text(id));
        out.insert(
            "domain".into(),
            attrs::opt_text(address.domain().map(DomainType::as_str)),
        );
        out.insert("public_ip".into(), attrs::opt_text(address.public_ip()));
        // moto answers "" for "not associated"; AWS leaves the field out.
        let some = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_string);
        out.insert(
            "association_id".into(),
            attrs::opt_text(some(address.association_id()).as_deref()),
        );
        out.insert(
            "network_interface".into(),
            attrs::opt_text(some(address.network_interface_id()).as_deref()),
        );
        out.insert(
            "private_ip".into(),
            attrs::opt_text(some(address.private_ip_address()).as_deref()),
        );
        tags::put_read_state(ctx, &mut out, state, &ec2_tags::from_sdk(address.tags()))?;
        Ok(Some(out))
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        check_domain(desired)?;
        let address = find_address(&client, id)
            .await?
            .ok_or_else(|| DriverError::new(format!("address {id} does not exist")))?;
        ec2_tags::sync(
            &client,
            id,
            &ec2_tags::from_sdk(address.tags()),
            &tags::wanted(ctx, desired)?,
        )
        .await?;
        let mut seed = desired.clone();
        seed.insert("id".into(), attrs::text(id));
        self.read(ctx, &seed)
            .await?
            .ok_or_else(|| DriverError::new(format!("address {id} disappeared during its update")))
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let released = wait::retry_while(
            ctx.env.component_timeout,
            |e| has_code(e, IN_USE),
            || client.release_address().allocation_id(id).send(),
        )
        .await;
        if found("ReleaseAddress", NOT_FOUND, released)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("address {id} to be released"),
            ctx.env.component_timeout,
            || find_address(&client, id),
        )
        .await
    }

    /// DescribeAddresses by this child's tags.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let out = ec2_tags::client(ctx)
            .describe_addresses()
            .set_filters(Some(ec2_tags::owner_filters(ctx)))
            .send()
            .await
            .map_err(|e| aws_error("DescribeAddresses", e))?;
        match out
            .addresses()
            .iter()
            .filter(|a| ec2_tags::owned_by_child(ctx, a.tags()))
            .find_map(|a| a.allocation_id())
        {
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
    fn only_vpc_addresses() {
        let ok = json!({"domain": "vpc"});
        assert!(check_domain(ok.as_object().expect("object")).is_ok());
        let unset = json!({});
        assert!(check_domain(unset.as_object().expect("object")).is_ok());
        let classic = json!({"domain": "standard"});
        let err = check_domain(classic.as_object().expect("object")).expect_err("standard is gone");
        assert!(err.message.contains("`domain`"), "{err}");
    }
}
