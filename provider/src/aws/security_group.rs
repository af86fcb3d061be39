//! `aws_security_group`: CreateSecurityGroup / DescribeSecurityGroups /
//! RevokeSecurityGroupEgress / DeleteSecurityGroup.
//!
//! Rules are separate resources (`aws_vpc_security_group_ingress_rule` / `_egress_rule`):
//! inline `ingress` / `egress` blocks are refused. Like `hashicorp/aws`, the allow-all egress
//! rule AWS adds to every new VPC group is revoked right after create, so a group allows
//! exactly what its rule resources say. Deleting a group that ENIs still use (an ALB's or a
//! NAT gateway's, which AWS releases minutes after their owner is gone) fails with
//! DependencyViolation: delete retries it for a bounded time.

use async_trait::async_trait;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{IpPermission, IpRange, ResourceType, SecurityGroup as AwsSecurityGroup};

use super::attrs::{self, Attrs};
use super::ec2_tags;
use super::tags;
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, arn, aws_error, found, has_code, state_id};

pub struct SecurityGroup;

const NOT_FOUND: &[&str] = &["InvalidGroup.NotFound", "InvalidSecurityGroupID.NotFound"];
/// ENIs (or another group's rules) still refer to the group.
const IN_USE: &[&str] = &["DependencyViolation", "InvalidGroup.InUse"];
/// The default egress rule is already gone.
const RULE_NOT_FOUND: &[&str] = &["InvalidPermission.NotFound"];
/// `hashicorp/aws`'s default description (it cannot be empty).
const DEFAULT_DESCRIPTION: &str = "Managed by Terraform";

/// DescribeSecurityGroups of one group; `None` when it does not exist.
async fn find_group(client: &Client, id: &str) -> Result<Option<AwsSecurityGroup>, DriverError> {
    let out = client.describe_security_groups().group_ids(id).send().await;
    Ok(found("DescribeSecurityGroups", NOT_FOUND, out)?.and_then(|o| o.security_groups().first().cloned()))
}

fn check_no_inline_rules(desired: &Attrs) -> Result<(), DriverError> {
    for key in ["ingress", "egress"] {
        if !attrs::blocks(desired, key)?.is_empty() {
            return Err(DriverError::new(format!(
                "aws_security_group: inline `{key}` blocks are not supported; use aws_vpc_security_group_{key}_rule"
            )));
        }
    }
    Ok(())
}

fn description(desired: &Attrs) -> Result<&str, DriverError> {
    Ok(attrs::string(desired, "description")?.unwrap_or(DEFAULT_DESCRIPTION))
}

/// Revokes the allow-all IPv4 egress rule every new VPC security group starts with.
async fn revoke_default_egress(client: &Client, id: &str) -> Result<(), DriverError> {
    let all = IpPermission::builder()
        .ip_protocol("-1")
        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
        .build();
    let out = client
        .revoke_security_group_egress()
        .group_id(id)
        .ip_permissions(all)
        .send()
        .await;
    found("RevokeSecurityGroupEgress", RULE_NOT_FOUND, out)?;
    Ok(())
}

fn group_state(ctx: &ChildCtx<'_>, group: &AwsSecurityGroup, prior: &ChildState) -> Result<ChildState, DriverError> {
    let id = group.group_id().unwrap_or_default();
    let owner = group.owner_id().unwrap_or_default();
    let group_arn = match group.security_group_arn() {
        Some(a) => a.to_string(),
        None => {
            let region = arn::region(ctx)?;
            arn::build(
                arn::partition(&region),
                "ec2",
                &region,
                owner,
                &format!("security-group/{id}"),
            )
        }
    };
    let mut out = prior.clone();
    out.insert("id".into(), attrs::text(id));
    out.insert("arn".into(), attrs::text(&group_arn));
    out.insert("owner_id".into(), attrs::text(owner));
    out.insert("name".into(), attrs::opt_text(group.group_name()));
    out.insert("description".into(), attrs::opt_text(group.description()));
    out.insert("vpc_id".into(), attrs::opt_text(group.vpc_id()));
    tags::put_read_state(ctx, &mut out, prior, &ec2_tags::from_sdk(group.tags()))?;
    Ok(out)
}

#[async_trait]
impl Driver for SecurityGroup {
    fn resource_type(&self) -> &'static str {
        "aws_security_group"
    }

    fn service(&self) -> &'static str {
        "ec2"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["name", "description", "vpc_id"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        check_no_inline_rules(desired)?;
        let client = ec2_tags::client(ctx);
        let name = attrs::required_string(desired, "name")?;
        let vpc_id = attrs::required_string(desired, "vpc_id")?;
        let all_tags = tags::wanted(ctx, desired)?;
        let created = client
            .create_security_group()
            .group_name(name)
            .description(description(desired)?)
            .vpc_id(vpc_id)
            .set_tag_specifications(ec2_tags::specification(ResourceType::SecurityGroup, &all_tags))
            .send()
            .await
            .map_err(|e| aws_error("CreateSecurityGroup", e))?;
        let id = created
            .group_id()
            .ok_or_else(|| DriverError::new("CreateSecurityGroup: no group id in the answer"))?
            .to_string();
        let mut state = desired.clone();
        state.insert("id".into(), attrs::text(&id));
        if let Some(a) = created.security_group_arn() {
            state.insert("arn".into(), attrs::text(a));
        }
        tags::put_applied(&mut state, desired, &all_tags)?;

        wait::until(
            &format!("security group {id} to exist"),
            ctx.env.component_timeout,
            || find_group(&client, &id),
        )
        .await
        .after_create(&state)?;
        revoke_default_egress(&client, &id).await.after_create(&state)?;
        let group = find_group(&client, &id)
            .await
            .and_then(|g| g.ok_or_else(|| DriverError::new(format!("security group {id} vanished after create"))))
            .after_create(&state)?;
        group_state(ctx, &group, &state).after_create(&state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        match find_group(&client, id).await? {
            Some(group) => Ok(Some(group_state(ctx, &group, state)?)),
            None => Ok(None),
        }
    }

    /// Only tags change in place: name, description and VPC need a new group.
    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        check_no_inline_rules(desired)?;
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let group = find_group(&client, id)
            .await?
            .ok_or_else(|| DriverError::new(format!("security group {id} does not exist")))?;
        attrs::unchanged(desired, "name", group.group_name().unwrap_or_default())?;
        attrs::unchanged(desired, "vpc_id", group.vpc_id().unwrap_or_default())?;
        if description(desired)? != group.description().unwrap_or_default() {
            return Err(DriverError::new(format!(
                "the description of security group {id} cannot change in place; the group must be replaced"
            )));
        }
        let all_tags = tags::wanted(ctx, desired)?;
        ec2_tags::sync(&client, id, &ec2_tags::from_sdk(group.tags()), &all_tags).await?;
        let mut applied = desired.clone();
        applied.insert("id".into(), attrs::text(id));
        tags::put_applied(&mut applied, desired, &all_tags)?;
        let group = find_group(&client, id)
            .await?
            .ok_or_else(|| DriverError::new(format!("security group {id} vanished during update")))?;
        group_state(ctx, &group, &applied)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let out = wait::retry_while(
            ctx.env.component_timeout,
            |e| has_code(e, IN_USE),
            || client.delete_security_group().group_id(id).send(),
        )
        .await;
        if found("DeleteSecurityGroup", NOT_FOUND, out)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("security group {id} to be deleted"),
            ctx.env.component_timeout,
            || find_group(&client, id),
        )
        .await
    }

    /// The group of this name in `vpc_id` (names are unique per VPC), if tagged for this
    /// composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let client = ec2_tags::client(ctx);
        let name = attrs::required_string(desired, "name")?;
        let vpc_id = attrs::required_string(desired, "vpc_id")?;
        let out = client
            .describe_security_groups()
            .filters(ec2_tags::filter("group-name", name))
            .filters(ec2_tags::filter("vpc-id", vpc_id))
            .send()
            .await
            .map_err(|e| aws_error("DescribeSecurityGroups", e))?;
        match out.security_groups().iter().find_map(|g| g.group_id()) {
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
    fn inline_rules_are_refused_and_description_has_a_default() {
        let inline = json!({"name": "x", "ingress": [{"from_port": 80}]});
        let inline = inline.as_object().expect("object");
        assert!(check_no_inline_rules(inline).is_err_and(|e| e.message.contains("ingress")));
        let plain = json!({"name": "x", "ingress": [], "egress": null});
        assert!(check_no_inline_rules(plain.as_object().expect("object")).is_ok());
        assert_eq!(description(plain.as_object().expect("object")), Ok(DEFAULT_DESCRIPTION));
    }
}
