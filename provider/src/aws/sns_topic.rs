//! `aws_sns_topic`: CreateTopic / GetTopicAttributes / SetTopicAttributes / DeleteTopic.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_sns::Client;
use aws_sdk_sns::types::Tag;
use serde_json::Value;

use super::attrs::{self, Attrs};
use super::tags::{self, Tags};
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, build_error, found, state_id};

pub struct SnsTopic;

/// SNS's code for a topic (or subscription) that does not exist.
pub(crate) const NOT_FOUND: &[&str] = &["NotFound", "ResourceNotFound"];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("sns"))
}

/// GetTopicAttributes; `None` when the topic does not exist.
async fn find_attributes(client: &Client, arn: &str) -> Result<Option<HashMap<String, String>>, DriverError> {
    let out = client.get_topic_attributes().topic_arn(arn).send().await;
    Ok(found("GetTopicAttributes", NOT_FOUND, out)?.map(|out| out.attributes().cloned().unwrap_or_default()))
}

async fn find_tags(client: &Client, arn: &str) -> Result<Tags, DriverError> {
    let out = client
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| aws_error("ListTagsForResource", e))?;
    Ok(out
        .tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect())
}

fn sdk_tags(tags: &Tags) -> Result<Vec<Tag>, DriverError> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build().map_err(build_error("tag")))
        .collect()
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
                .set_tags(Some(sdk_tags(&set)?))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("TagResource", e))
        },
    )
    .await
}

/// The topic name in its ARN (`arn:aws:sns:<region>:<account>:<name>`).
fn name_from_arn(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

fn applied_state(desired: &Attrs, arn: &str, all: &Tags) -> Result<ChildState, DriverError> {
    let mut state = desired.clone();
    state.insert("id".into(), Value::String(arn.to_string()));
    state.insert("arn".into(), Value::String(arn.to_string()));
    state.insert("name".into(), Value::String(name_from_arn(arn).to_string()));
    tags::put_applied(&mut state, desired, all)?;
    Ok(state)
}

#[async_trait]
impl Driver for SnsTopic {
    fn resource_type(&self) -> &'static str {
        "aws_sns_topic"
    }

    fn service(&self) -> &'static str {
        "sns"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["name", "fifo_topic"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let name = attrs::required_string(desired, "name")?;
        let all_tags = tags::wanted(ctx, desired)?;
        let mut request = client.create_topic().name(name).set_tags(Some(sdk_tags(&all_tags)?));
        if let Some(key) = attrs::string(desired, "kms_master_key_id")? {
            request = request.attributes("KmsMasterKeyId", key);
        }
        if attrs::boolean(desired, "fifo_topic")? == Some(true) {
            request = request.attributes("FifoTopic", "true");
        }
        let arn = request
            .send()
            .await
            .map_err(|e| aws_error("CreateTopic", e))?
            .topic_arn()
            .map(str::to_string)
            .ok_or_else(|| DriverError::new("CreateTopic: no topic ARN in the response"))?;

        let state = applied_state(desired, &arn, &all_tags)?;
        wait::until(&format!("topic {arn} to exist"), ctx.env.component_timeout, || {
            find_attributes(&client, &arn)
        })
        .await
        .after_create(&state)?;
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let arn = state_id(state)?;
        let Some(current) = find_attributes(&client, arn).await? else {
            return Ok(None);
        };
        let mut out = state.clone();
        out.insert("id".into(), Value::String(arn.to_string()));
        out.insert("arn".into(), Value::String(arn.to_string()));
        out.insert("name".into(), Value::String(name_from_arn(arn).to_string()));
        out.insert(
            "kms_master_key_id".into(),
            Value::String(current.get("KmsMasterKeyId").cloned().unwrap_or_default()),
        );
        out.insert(
            "fifo_topic".into(),
            Value::Bool(current.get("FifoTopic").is_some_and(|v| v.eq_ignore_ascii_case("true"))),
        );
        tags::put_read_state(ctx, &mut out, state, &find_tags(&client, arn).await?)?;
        Ok(Some(out))
    }

    /// ListTopics, by the name at the end of the ARN, then `read`, if tagged for this composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let name = attrs::required_string(desired, "name")?;
        let mut token = None;
        loop {
            let page = client
                .list_topics()
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| aws_error("ListTopics", e))?;
            let mine = page
                .topics()
                .iter()
                .filter_map(|t| t.topic_arn())
                .find(|arn| name_from_arn(arn) == name);
            if let Some(arn) = mine {
                return adopt(self, ctx, desired, arn, true).await;
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(None);
            }
        }
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let arn = state_id(state)?;
        let current = find_attributes(&client, arn)
            .await?
            .ok_or_else(|| DriverError::new(format!("topic {arn} does not exist")))?;
        let wanted_key = attrs::string(desired, "kms_master_key_id")?.unwrap_or_default();
        if current.get("KmsMasterKeyId").map_or("", String::as_str) != wanted_key {
            client
                .set_topic_attributes()
                .topic_arn(arn)
                .attribute_name("KmsMasterKeyId")
                .attribute_value(wanted_key)
                .send()
                .await
                .map_err(|e| aws_error("SetTopicAttributes", e))?;
        }
        let all_tags = tags::wanted(ctx, desired)?;
        sync_tags(&client, arn, &all_tags).await?;
        applied_state(desired, arn, &all_tags)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let arn = state_id(state)?;
        let deleted = client.delete_topic().topic_arn(arn).send().await;
        if found("DeleteTopic", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(&format!("topic {arn} to be deleted"), ctx.env.component_timeout, || {
            find_attributes(&client, arn)
        })
        .await
    }
}
