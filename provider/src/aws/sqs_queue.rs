//! `aws_sqs_queue`: CreateQueue / GetQueueAttributes / SetQueueAttributes / DeleteQueue.
//!
//! SQS is eventually consistent: attributes set by CreateQueue or SetQueueAttributes can
//! read back stale for a while, and a deleted queue lingers. Create and update wait until
//! the attributes read back as set, delete until the queue is gone.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::QueueAttributeName as Q;
use serde_json::Value;

use super::attrs::{self, Attrs};
use super::normalise;
use super::tags::{self, Tags};
use super::wait::{self, Waiter};
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, has_code, state_id};

pub struct SqsQueue;

const NOT_FOUND: &[&str] = &["AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"];
/// A queue of the same name was deleted less than 60 s ago; AWS asks to retry.
const DELETED_RECENTLY: &[&str] = &["AWS.SimpleQueueService.QueueDeletedRecently", "QueueDeletedRecently"];
/// Consecutive matching reads before attributes count as propagated.
const STABLE_READS: u32 = 3;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Int,
    Bool,
    Str,
    /// A JSON document (compared as a document, not as text).
    Json,
}

/// The queue attributes this driver manages: Terraform name, SQS name, kind, and the value
/// SQS falls back to when the attribute is removed from the configuration.
const ATTRIBUTES: &[(&str, Q, Kind, &str)] = &[
    ("visibility_timeout_seconds", Q::VisibilityTimeout, Kind::Int, "30"),
    (
        "message_retention_seconds",
        Q::MessageRetentionPeriod,
        Kind::Int,
        "345600",
    ),
    (
        "receive_wait_time_seconds",
        Q::ReceiveMessageWaitTimeSeconds,
        Kind::Int,
        "0",
    ),
    ("delay_seconds", Q::DelaySeconds, Kind::Int, "0"),
    ("max_message_size", Q::MaximumMessageSize, Kind::Int, "262144"),
    ("sqs_managed_sse_enabled", Q::SqsManagedSseEnabled, Kind::Bool, "true"),
    ("kms_master_key_id", Q::KmsMasterKeyId, Kind::Str, ""),
    (
        "kms_data_key_reuse_period_seconds",
        Q::KmsDataKeyReusePeriodSeconds,
        Kind::Int,
        "300",
    ),
    ("redrive_policy", Q::RedrivePolicy, Kind::Json, ""),
    ("redrive_allow_policy", Q::RedriveAllowPolicy, Kind::Json, ""),
];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("sqs"))
}

/// The SQS spelling of a desired attribute; `None` when it is not set.
fn encode(desired: &Attrs, key: &str, kind: Kind) -> Result<Option<String>, DriverError> {
    Ok(match kind {
        Kind::Int => attrs::int(desired, key)?.map(|n| n.to_string()),
        Kind::Bool => attrs::boolean(desired, key)?.map(|b| b.to_string()),
        Kind::Str => attrs::owned_string(desired, key)?,
        Kind::Json => match attrs::string(desired, key)? {
            // Validated here so a typo is reported against the attribute, not as an SQS error.
            Some(doc) => Some(
                normalise::canonical_json(doc)
                    .map(|_| doc.to_string())
                    .map_err(|e| DriverError::new(format!("attribute `{key}`: {}", e.message)))?,
            ),
            None => None,
        },
    })
}

/// Whether SQS's value `actual` (absent: `None`) is the `wanted` SQS spelling.
fn same(kind: Kind, wanted: &str, actual: Option<&String>) -> bool {
    let actual = actual.map(String::as_str).unwrap_or("");
    match kind {
        Kind::Int => wanted.parse::<i64>().ok() == actual.parse::<i64>().ok(),
        Kind::Bool => wanted.eq_ignore_ascii_case(actual),
        Kind::Str => wanted == actual,
        Kind::Json => (wanted.is_empty() && actual.is_empty()) || normalise::json_equivalent(wanted, actual),
    }
}

/// Every managed attribute in its SQS spelling: the desired value, or SQS's default for an
/// attribute the configuration leaves out (only used to undo a removal).
fn wanted_attributes(desired: &Attrs) -> Result<Vec<(Q, Kind, String, bool)>, DriverError> {
    ATTRIBUTES
        .iter()
        .map(|(key, name, kind, default)| {
            Ok(match encode(desired, key, *kind)? {
                Some(v) => (name.clone(), *kind, v, true),
                None => (name.clone(), *kind, (*default).to_string(), false),
            })
        })
        .collect()
}

/// GetQueueAttributes(All); `None` when the queue does not exist.
async fn find_attributes(client: &Client, url: &str) -> Result<Option<HashMap<Q, String>>, DriverError> {
    let out = client
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(Q::All)
        .send()
        .await;
    Ok(found("GetQueueAttributes", NOT_FOUND, out)?.map(|out| out.attributes().cloned().unwrap_or_default()))
}

async fn find_tags(client: &Client, url: &str) -> Result<Tags, DriverError> {
    let out = client
        .list_queue_tags()
        .queue_url(url)
        .send()
        .await
        .map_err(|e| aws_error("ListQueueTags", e))?;
    Ok(tags::from_map(out.tags()))
}

/// Waits until `expected` attributes read back as set, [`STABLE_READS`] times in a row.
async fn wait_propagated(
    ctx: &ChildCtx<'_>,
    client: &Client,
    url: &str,
    expected: &[(Q, Kind, String)],
) -> Result<(), DriverError> {
    let mut waiter = Waiter::new(
        format!("queue {url} attributes to propagate"),
        ctx.env.component_timeout,
    );
    let mut streak = 0;
    loop {
        let current = find_attributes(client, url).await?;
        let matches = current
            .as_ref()
            .is_some_and(|cur| expected.iter().all(|(name, kind, v)| same(*kind, v, cur.get(name))));
        streak = if matches { streak + 1 } else { 0 };
        if streak >= STABLE_READS {
            return Ok(());
        }
        waiter.pause().await?;
    }
}

/// Brings the queue's tags to `wanted`.
async fn sync_tags(client: &Client, url: &str, wanted: &Tags) -> Result<(), DriverError> {
    tags::sync(
        &find_tags(client, url).await?,
        wanted,
        |keys| async move {
            client
                .untag_queue()
                .queue_url(url)
                .set_tag_keys(Some(keys))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("UntagQueue", e))
        },
        |set| async move {
            client
                .tag_queue()
                .queue_url(url)
                .set_tags(Some(set.into_iter().collect()))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("TagQueue", e))
        },
    )
    .await
}

/// The queue name in a queue URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`).
fn name_from_url(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or(url)
}

/// The state after create or update: the desired attributes plus identity and tags (the
/// ARN once known).
fn applied_state(desired: &Attrs, url: &str, all: &Tags) -> Result<ChildState, DriverError> {
    let mut state = desired.clone();
    state.insert("id".into(), Value::String(url.to_string()));
    state.insert("url".into(), Value::String(url.to_string()));
    state.insert("name".into(), Value::String(name_from_url(url).to_string()));
    tags::put_applied(&mut state, desired, all)?;
    Ok(state)
}

#[async_trait]
impl Driver for SqsQueue {
    fn resource_type(&self) -> &'static str {
        "aws_sqs_queue"
    }

    fn service(&self) -> &'static str {
        "sqs"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["name"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let name = attrs::required_string(desired, "name")?;
        let set: Vec<(Q, Kind, String)> = wanted_attributes(desired)?
            .into_iter()
            .filter(|(_, _, _, configured)| *configured)
            .map(|(n, k, v, _)| (n, k, v))
            .collect();
        let all_tags = tags::wanted(ctx, desired)?;
        let attributes: HashMap<Q, String> = set.iter().map(|(n, _, v)| (n.clone(), v.clone())).collect();
        let tag_map: HashMap<String, String> = all_tags.clone().into_iter().collect();

        // A queue of this name deleted less than 60 s ago blocks the name for a while.
        let created = wait::retry_while(
            ctx.env.component_timeout,
            |e| has_code(e, DELETED_RECENTLY),
            || {
                client
                    .create_queue()
                    .queue_name(name)
                    .set_attributes(Some(attributes.clone()))
                    .set_tags(Some(tag_map.clone()))
                    .send()
            },
        )
        .await
        .map_err(|e| aws_error("CreateQueue", e))?;
        let url = created
            .queue_url()
            .map(str::to_string)
            .ok_or_else(|| DriverError::new("CreateQueue: no queue URL in the response"))?;

        let mut state = applied_state(desired, &url, &all_tags)?;
        wait_propagated(ctx, &client, &url, &set).await.after_create(&state)?;
        let arn = find_attributes(&client, &url)
            .await
            .and_then(|a| {
                a.and_then(|a| a.get(&Q::QueueArn).cloned())
                    .ok_or_else(|| DriverError::new(format!("queue {url} has no QueueArn")))
            })
            .after_create(&state)?;
        state.insert("arn".into(), Value::String(arn));
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let url = state_id(state)?;
        let Some(current) = find_attributes(&client, url).await? else {
            return Ok(None);
        };
        let mut out = state.clone();
        out.insert("id".into(), Value::String(url.to_string()));
        out.insert("url".into(), Value::String(url.to_string()));
        out.insert("name".into(), Value::String(name_from_url(url).to_string()));
        if let Some(arn) = current.get(&Q::QueueArn) {
            out.insert("arn".into(), Value::String(arn.clone()));
        }
        for (key, name, kind, _) in ATTRIBUTES {
            let raw = current.get(name);
            let value = match kind {
                Kind::Int => match raw.and_then(|s| s.parse::<i64>().ok()) {
                    Some(n) => Value::from(n),
                    None => continue,
                },
                Kind::Bool => Value::Bool(raw.is_some_and(|s| s.eq_ignore_ascii_case("true"))),
                Kind::Str => Value::String(raw.cloned().unwrap_or_default()),
                Kind::Json => normalise::json_like_prior(state.get(*key), raw.map(String::as_str).unwrap_or("")),
            };
            out.insert((*key).to_string(), value);
        }
        let actual = find_tags(&client, url).await?;
        tags::put_read_state(ctx, &mut out, state, &actual)?;
        Ok(Some(out))
    }

    /// GetQueueUrl by name, then `read`, if tagged for this composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let name = attrs::required_string(desired, "name")?;
        let out = client(ctx).get_queue_url().queue_name(name).send().await;
        match found("GetQueueUrl", NOT_FOUND, out)?.and_then(|o| o.queue_url().map(str::to_string)) {
            Some(url) => adopt(self, ctx, desired, &url, true).await,
            None => Ok(None),
        }
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let url = state_id(state)?;
        attrs::unchanged(desired, "name", name_from_url(url))?;
        let current = find_attributes(&client, url)
            .await?
            .ok_or_else(|| DriverError::new(format!("queue {url} does not exist")))?;
        let wanted = wanted_attributes(desired)?;
        // Only what differs from AWS; an attribute left out of the configuration is reset to
        // SQS's default only if the previous configuration set it.
        let changes: Vec<(Q, Kind, String)> = wanted
            .into_iter()
            .zip(ATTRIBUTES)
            .filter(|((_, _, _, configured), (key, ..))| *configured || state.get(*key).is_some_and(|v| !v.is_null()))
            .filter(|((name, kind, v, _), _)| !same(*kind, v, current.get(name)))
            .map(|((n, k, v, _), _)| (n, k, v))
            .collect();
        if !changes.is_empty() {
            client
                .set_queue_attributes()
                .queue_url(url)
                .set_attributes(Some(changes.iter().map(|(n, _, v)| (n.clone(), v.clone())).collect()))
                .send()
                .await
                .map_err(|e| aws_error("SetQueueAttributes", e))?;
            wait_propagated(ctx, &client, url, &changes).await?;
        }
        let all_tags = tags::wanted(ctx, desired)?;
        sync_tags(&client, url, &all_tags).await?;
        let mut state = applied_state(desired, url, &all_tags)?;
        let arn = current.get(&Q::QueueArn).cloned().unwrap_or_default();
        state.insert("arn".into(), Value::String(arn));
        Ok(state)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let url = state_id(state)?;
        let deleted = client.delete_queue().queue_url(url).send().await;
        if found("DeleteQueue", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(&format!("queue {url} to be deleted"), ctx.env.component_timeout, || {
            find_attributes(&client, url)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn desired_values_take_their_sqs_spelling() {
        let desired = json!({
            "visibility_timeout_seconds": "180",
            "sqs_managed_sse_enabled": true,
            "redrive_allow_policy": r#"{"redrivePermission": "denyAll"}"#,
            "redrive_policy": "{not json",
        });
        let desired = desired.as_object().expect("object");
        assert_eq!(
            encode(desired, "visibility_timeout_seconds", Kind::Int),
            Ok(Some("180".into()))
        );
        assert_eq!(
            encode(desired, "sqs_managed_sse_enabled", Kind::Bool),
            Ok(Some("true".into()))
        );
        assert_eq!(encode(desired, "delay_seconds", Kind::Int), Ok(None));
        // JSON documents go to SQS as written, after a syntax check that names the attribute.
        assert_eq!(
            encode(desired, "redrive_allow_policy", Kind::Json),
            Ok(Some(r#"{"redrivePermission": "denyAll"}"#.into()))
        );
        assert!(encode(desired, "redrive_policy", Kind::Json).is_err_and(|e| e.message.contains("`redrive_policy`")));
    }

    #[test]
    fn sqs_values_compare_by_meaning() {
        let s = |v: &str| Some(v.to_string());
        assert!(same(Kind::Int, "30", s("30").as_ref()));
        assert!(!same(Kind::Int, "30", s("31").as_ref()));
        assert!(same(Kind::Bool, "true", s("True").as_ref()));
        assert!(same(
            Kind::Json,
            r#"{"a":1,"b":2}"#,
            s(r#"{ "b": 2, "a": 1 }"#).as_ref()
        ));
        // An attribute SQS leaves out is unset: equal to "" only.
        assert!(same(Kind::Json, "", None));
        assert!(!same(Kind::Json, r#"{"redrivePermission":"allowAll"}"#, None));
        assert!(same(Kind::Str, "", None));
    }
}
