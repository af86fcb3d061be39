//! `aws_cloudwatch_log_group`: CreateLogGroup / DescribeLogGroups / PutRetentionPolicy /
//! AssociateKmsKey / DeleteLogGroup.
//!
//! `retention_in_days = 0` means "never expire" (no retention policy), as in `hashicorp/aws`;
//! `arn` is the log group ARN without the `:*` that DescribeLogGroups appends.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::types::LogGroup;
use serde_json::json;

use super::attrs::{self, Attrs};
use super::tags::{self, Tags};
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, state_id};

pub struct CloudwatchLogGroup;

const NOT_FOUND: &[&str] = &["ResourceNotFoundException"];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("logs"))
}

/// The log group named exactly `name` (DescribeLogGroups matches by prefix), if any.
async fn find_group(client: &Client, name: &str) -> Result<Option<LogGroup>, DriverError> {
    let mut token: Option<String> = None;
    // Bounded: every page holds up to 50 groups sharing the prefix, in name order.
    for _ in 0..1000 {
        let page = client
            .describe_log_groups()
            .log_group_name_prefix(name)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| aws_error("DescribeLogGroups", e))?;
        if let Some(group) = page.log_groups().iter().find(|g| g.log_group_name() == Some(name)) {
            return Ok(Some(group.clone()));
        }
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_string()),
            _ => return Ok(None),
        }
    }
    Err(DriverError::new(format!(
        "DescribeLogGroups: too many pages looking for {name}"
    )))
}

/// The ARN tagging APIs take: without the trailing `:*`.
fn group_arn(group: &LogGroup) -> String {
    group
        .log_group_arn()
        .map(str::to_string)
        .or_else(|| group.arn().map(|a| a.trim_end_matches(":*").to_string()))
        .unwrap_or_default()
}

async fn find_tags(client: &Client, arn: &str) -> Result<Tags, DriverError> {
    let out = client
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| aws_error("ListTagsForResource", e))?;
    Ok(tags::from_map(out.tags()))
}

async fn sync_tags(client: &Client, arn: &str, wanted: &Tags) -> Result<(), DriverError> {
    tags::sync(
        &find_tags(client, arn).await?,
        wanted,
        |keys| async move {
            client
                .untag_resource()
                .resource_arn(arn)
                .set_tag_keys(Some(keys))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("UntagResource", e))
        },
        |set| async move {
            client
                .tag_resource()
                .resource_arn(arn)
                .set_tags(Some(set.into_iter().collect()))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("TagResource", e))
        },
    )
    .await
}

/// PutRetentionPolicy, or DeleteRetentionPolicy for 0 (never expire).
async fn set_retention(client: &Client, name: &str, days: i32) -> Result<(), DriverError> {
    if days == 0 {
        client
            .delete_retention_policy()
            .log_group_name(name)
            .send()
            .await
            .map_err(|e| aws_error("DeleteRetentionPolicy", e))?;
    } else {
        client
            .put_retention_policy()
            .log_group_name(name)
            .retention_in_days(days)
            .send()
            .await
            .map_err(|e| aws_error("PutRetentionPolicy", e))?;
    }
    Ok(())
}

/// The state after create or update (the ARN once known).
fn applied_state(desired: &Attrs, name: &str, all: &Tags) -> Result<ChildState, DriverError> {
    let mut state = desired.clone();
    state.insert("id".into(), json!(name));
    state.insert("name".into(), json!(name));
    tags::put_applied(&mut state, desired, all)?;
    Ok(state)
}

#[async_trait]
impl Driver for CloudwatchLogGroup {
    fn resource_type(&self) -> &'static str {
        "aws_cloudwatch_log_group"
    }

    fn service(&self) -> &'static str {
        "logs"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["name"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let name = attrs::required_string(desired, "name")?;
        let retention = attrs::int32(desired, "retention_in_days")?.unwrap_or(0);
        attrs::boolean(desired, "skip_destroy")?;
        let all_tags = tags::wanted(ctx, desired)?;
        let tag_map: HashMap<String, String> = all_tags.clone().into_iter().collect();
        client
            .create_log_group()
            .log_group_name(name)
            .set_kms_key_id(attrs::owned_string(desired, "kms_key_id")?)
            .set_tags((!tag_map.is_empty()).then_some(tag_map))
            .send()
            .await
            .map_err(|e| aws_error("CreateLogGroup", e))?;
        let mut state = applied_state(desired, name, &all_tags)?;
        if retention != 0 {
            set_retention(&client, name, retention).await.after_create(&state)?;
        }
        let group = wait::until(&format!("log group {name} to exist"), ctx.env.component_timeout, || {
            find_group(&client, name)
        })
        .await
        .after_create(&state)?;
        state.insert("arn".into(), json!(group_arn(&group)));
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        let Some(group) = find_group(&client, name).await? else {
            return Ok(None);
        };
        let arn = group_arn(&group);
        let mut out = state.clone();
        out.insert("id".into(), json!(name));
        out.insert("name".into(), json!(name));
        out.insert("arn".into(), json!(arn));
        out.insert(
            "retention_in_days".into(),
            json!(group.retention_in_days().unwrap_or(0)),
        );
        out.insert("kms_key_id".into(), json!(group.kms_key_id().unwrap_or_default()));
        tags::put_read_state(ctx, &mut out, state, &find_tags(&client, &arn).await?)?;
        Ok(Some(out))
    }

    /// The group of this name (DescribeLogGroups by prefix, as `read`), if tagged for this composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        adopt(self, ctx, desired, attrs::required_string(desired, "name")?, true).await
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        attrs::unchanged(desired, "name", name)?;
        let group = find_group(&client, name)
            .await?
            .ok_or_else(|| DriverError::new(format!("log group {name} does not exist")))?;
        let retention = attrs::int32(desired, "retention_in_days")?.unwrap_or(0);
        if group.retention_in_days().unwrap_or(0) != retention {
            set_retention(&client, name, retention).await?;
        }
        let kms_key = attrs::string(desired, "kms_key_id")?;
        if group.kms_key_id() != kms_key {
            match kms_key {
                Some(key) => client
                    .associate_kms_key()
                    .log_group_name(name)
                    .kms_key_id(key)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| aws_error("AssociateKmsKey", e))?,
                None => client
                    .disassociate_kms_key()
                    .log_group_name(name)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| aws_error("DisassociateKmsKey", e))?,
            }
        }
        let arn = group_arn(&group);
        let all_tags = tags::wanted(ctx, desired)?;
        sync_tags(&client, &arn, &all_tags).await?;
        let mut state = applied_state(desired, name, &all_tags)?;
        state.insert("arn".into(), json!(arn));
        Ok(state)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        // `skip_destroy`: the log group outlives the configuration, as in `hashicorp/aws`.
        if attrs::boolean(state, "skip_destroy")?.unwrap_or(false) {
            return Ok(());
        }
        let deleted = client.delete_log_group().log_group_name(name).send().await;
        if found("DeleteLogGroup", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("log group {name} to be deleted"),
            ctx.env.component_timeout,
            || find_group(&client, name),
        )
        .await
    }
}
