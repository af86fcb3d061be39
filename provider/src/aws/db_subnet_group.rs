//! `aws_db_subnet_group`: CreateDBSubnetGroup / DescribeDBSubnetGroups /
//! ModifyDBSubnetGroup / DeleteDBSubnetGroup.
//!
//! The subnets (at least two AZs for Aurora) where a DB cluster's instances go. Description
//! and subnets change in place; the name identifies the group. A group still used by a
//! cluster cannot be deleted: delete retries while AWS says it is in use, since the cluster's
//! deletion may still be finishing.

use async_trait::async_trait;
use aws_sdk_rds::Client;
use aws_sdk_rds::types::DbSubnetGroup as Group;
use serde_json::{Map, Value, json};

use super::attrs::{self, Attrs};
use super::normalise;
use super::rds_cluster::{find_tags, sdk_tags, sync_tags};
use super::tags::{self, Tags};
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, has_code, state_id};

pub struct DbSubnetGroup;

const NOT_FOUND: &[&str] = &["DBSubnetGroupNotFoundFault"];
/// Still used by a cluster or instance that is being deleted.
const IN_USE: &[&str] = &["InvalidDBSubnetGroupStateFault"];
/// hashicorp/aws's default description (AWS requires one).
const DEFAULT_DESCRIPTION: &str = "Managed by Terraform";

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("rds"))
}

async fn find_group(client: &Client, name: &str) -> Result<Option<Group>, DriverError> {
    let out = client
        .describe_db_subnet_groups()
        .db_subnet_group_name(name)
        .send()
        .await;
    Ok(found("DescribeDBSubnetGroups", NOT_FOUND, out)?.and_then(|o| o.db_subnet_groups().first().cloned()))
}

fn subnet_ids(group: &Group) -> Vec<String> {
    group
        .subnets()
        .iter()
        .filter_map(|s| s.subnet_identifier().map(str::to_string))
        .collect()
}

fn description(desired: &Attrs) -> Result<String, DriverError> {
    Ok(attrs::owned_string(desired, "description")?.unwrap_or_else(|| DEFAULT_DESCRIPTION.to_string()))
}

async fn state_of(
    ctx: &ChildCtx<'_>,
    client: &Client,
    group: &Group,
    prior: &Attrs,
) -> Result<ChildState, DriverError> {
    let mut actual = Map::new();
    let name = group.db_subnet_group_name().unwrap_or_default();
    let arn = group.db_subnet_group_arn().unwrap_or_default();
    actual.insert("id".into(), json!(name));
    actual.insert("name".into(), json!(name));
    actual.insert("arn".into(), json!(arn));
    actual.insert(
        "description".into(),
        json!(group.db_subnet_group_description().unwrap_or_default()),
    );
    actual.insert("vpc_id".into(), json!(group.vpc_id().unwrap_or_default()));
    let ids: Vec<Value> = subnet_ids(group).into_iter().map(Value::String).collect();
    actual.insert(
        "subnet_ids".into(),
        normalise::set_like_prior(prior.get("subnet_ids"), ids),
    );
    let mut state = normalise::read_state(prior, actual);
    tags::put_read_state(ctx, &mut state, prior, &find_tags(client, arn).await?)?;
    Ok(state)
}

fn created_state(desired: &Attrs, name: &str, arn: &str, all: &Tags) -> Result<ChildState, DriverError> {
    let mut state = desired.clone();
    state.insert("id".into(), json!(name));
    state.insert("arn".into(), json!(arn));
    tags::put_applied(&mut state, desired, all)?;
    Ok(state)
}

#[async_trait]
impl Driver for DbSubnetGroup {
    fn resource_type(&self) -> &'static str {
        "aws_db_subnet_group"
    }

    fn service(&self) -> &'static str {
        "rds"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["name"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let name = attrs::required_string(desired, "name")?;
        let all_tags = tags::wanted(ctx, desired)?;
        let created = client
            .create_db_subnet_group()
            .db_subnet_group_name(name)
            .db_subnet_group_description(description(desired)?)
            .set_subnet_ids(Some(attrs::string_list(desired, "subnet_ids")?))
            .set_tags(Some(sdk_tags(&all_tags)))
            .send()
            .await
            .map_err(|e| aws_error("CreateDBSubnetGroup", e))?;
        let arn = created
            .db_subnet_group()
            .and_then(|g| g.db_subnet_group_arn())
            .unwrap_or_default()
            .to_string();
        let state = created_state(desired, name, &arn, &all_tags)?;
        let group = find_group(&client, name)
            .await
            .and_then(|g| g.ok_or_else(|| DriverError::new(format!("DB subnet group {name} vanished after create"))))
            .after_create(&state)?;
        state_of(ctx, &client, &group, &state).await.after_create(&state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let Some(group) = find_group(&client, state_id(state)?).await? else {
            return Ok(None);
        };
        Ok(Some(state_of(ctx, &client, &group, state).await?))
    }

    /// The group of this name, if tagged for this composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        adopt(self, ctx, desired, attrs::required_string(desired, "name")?, true).await
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        attrs::unchanged(desired, "name", name)?;
        let group = find_group(&client, name)
            .await?
            .ok_or_else(|| DriverError::new(format!("DB subnet group {name} does not exist")))?;
        let wanted_description = description(desired)?;
        let mut wanted_subnets = attrs::string_list(desired, "subnet_ids")?;
        let mut subnets_now = subnet_ids(&group);
        wanted_subnets.sort();
        subnets_now.sort();
        if group.db_subnet_group_description() != Some(wanted_description.as_str()) || wanted_subnets != subnets_now {
            client
                .modify_db_subnet_group()
                .db_subnet_group_name(name)
                .db_subnet_group_description(wanted_description)
                .set_subnet_ids(Some(wanted_subnets))
                .send()
                .await
                .map_err(|e| aws_error("ModifyDBSubnetGroup", e))?;
        }
        let all_tags = tags::wanted(ctx, desired)?;
        sync_tags(&client, group.db_subnet_group_arn().unwrap_or_default(), &all_tags).await?;
        let group = find_group(&client, name)
            .await?
            .ok_or_else(|| DriverError::new(format!("DB subnet group {name} vanished during update")))?;
        let mut prior = desired.clone();
        prior.insert("id".into(), json!(name));
        state_of(ctx, &client, &group, &prior).await
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        let timeout = ctx.env.component_timeout;
        let deleted = wait::retry_while(
            timeout,
            |e| has_code(e, IN_USE),
            || client.delete_db_subnet_group().db_subnet_group_name(name).send(),
        )
        .await;
        if found("DeleteDBSubnetGroup", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(&format!("DB subnet group {name} to be deleted"), timeout, || {
            find_group(&client, name)
        })
        .await
    }
}
