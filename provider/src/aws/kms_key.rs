//! `aws_kms_key`: CreateKey / DescribeKey / UpdateKeyDescription / PutKeyPolicy /
//! Enable|DisableKeyRotation / ScheduleKeyDeletion.
//!
//! A KMS key is never deleted at once: ScheduleKeyDeletion puts it in `PendingDeletion` for
//! `deletion_window_in_days` (7 to 30, default 30), and such a key can no longer be used, so
//! read treats it as gone. KMS is eventually consistent: a new key, its rotation setting and
//! its policy can read back stale for a while, so writes wait until they read back.

use async_trait::async_trait;
use aws_sdk_kms::Client;
use aws_sdk_kms::types::{KeyMetadata, KeyState, KeyUsageType, Tag};
use serde_json::Value;

use super::attrs::{self, Attrs};
use super::policy_json;
use super::tags::{self, Tags};
use super::wait;
use super::{
    AfterCreate, COMPONENT_TAG, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, build_error, found,
    has_code, state_id,
};

pub struct KmsKey;

const NOT_FOUND: &[&str] = &["NotFoundException"];
/// The key is in a state that forbids the call (already pending deletion, for
/// ScheduleKeyDeletion).
const INVALID_STATE: &[&str] = &["KMSInvalidStateException"];
/// CreateKey / PutKeyPolicy reject a policy naming a principal IAM has not propagated yet
/// with this code; hashicorp/aws retries it for two minutes, and so do we.
const MALFORMED_POLICY: &[&str] = &["MalformedPolicyDocumentException"];
const POLICY_PROPAGATION: std::time::Duration = std::time::Duration::from_secs(120);
/// KMS keys have one key policy, always named `default`.
const POLICY_NAME: &str = "default";
/// ScheduleKeyDeletion's bounds and default (days).
const DELETION_WINDOW: (i64, i64, i32) = (7, 30, 30);

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("kms"))
}

/// States of a key that is on its way out: it cannot be used, so it counts as gone.
fn is_gone(state: Option<&KeyState>) -> bool {
    matches!(
        state,
        Some(KeyState::PendingDeletion | KeyState::PendingReplicaDeletion)
    )
}

/// DescribeKey; `None` when the key does not exist or is pending deletion.
async fn find_key(client: &Client, key_id: &str) -> Result<Option<KeyMetadata>, DriverError> {
    let out = client.describe_key().key_id(key_id).send().await;
    Ok(found("DescribeKey", NOT_FOUND, out)?
        .and_then(|o| o.key_metadata)
        .filter(|m| !is_gone(m.key_state())))
}

async fn find_policy(client: &Client, key_id: &str) -> Result<String, DriverError> {
    let out = client
        .get_key_policy()
        .key_id(key_id)
        .policy_name(POLICY_NAME)
        .send()
        .await
        .map_err(|e| aws_error("GetKeyPolicy", e))?;
    Ok(out.policy().unwrap_or_default().to_string())
}

/// GetKeyRotationStatus; asymmetric and HMAC keys cannot rotate, which KMS answers with
/// UnsupportedOperationException: that reads as `false`.
async fn find_rotation(client: &Client, key_id: &str) -> Result<bool, DriverError> {
    match client.get_key_rotation_status().key_id(key_id).send().await {
        Ok(out) => Ok(out.key_rotation_enabled()),
        Err(e) if has_code(&e, &["UnsupportedOperationException"]) => Ok(false),
        Err(e) => Err(aws_error("GetKeyRotationStatus", e)),
    }
}

/// ListResourceTags, every page.
async fn find_tags(client: &Client, key_id: &str) -> Result<Tags, DriverError> {
    Ok(tags_unless(client, key_id, &[]).await?.unwrap_or_default())
}

/// ListResourceTags, every page; `None` when KMS answers one of `refused` (for `find`, which
/// lists keys that may be AWS managed or deleted meanwhile).
async fn tags_unless(client: &Client, key_id: &str, refused: &[&str]) -> Result<Option<Tags>, DriverError> {
    let mut all = Tags::new();
    let mut marker = None;
    loop {
        let page = client
            .list_resource_tags()
            .key_id(key_id)
            .set_marker(marker)
            .send()
            .await;
        let Some(page) = found("ListResourceTags", refused, page)? else {
            return Ok(None);
        };
        all.extend(
            page.tags()
                .iter()
                .map(|t| (t.tag_key().to_string(), t.tag_value().to_string())),
        );
        marker = page.next_marker().map(str::to_string);
        if !page.truncated() || marker.is_none() {
            return Ok(Some(all));
        }
    }
}

fn sdk_tags(tags: &Tags) -> Result<Vec<Tag>, DriverError> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder()
                .tag_key(k)
                .tag_value(v)
                .build()
                .map_err(build_error("tag"))
        })
        .collect()
}

async fn sync_tags(client: &Client, key_id: &str, wanted: &Tags) -> Result<(), DriverError> {
    tags::sync(
        &find_tags(client, key_id).await?,
        wanted,
        |keys| async move {
            client
                .untag_resource()
                .key_id(key_id)
                .set_tag_keys(Some(keys))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("UntagResource", e))
        },
        |set| async move {
            client
                .tag_resource()
                .key_id(key_id)
                .set_tags(Some(sdk_tags(&set)?))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("TagResource", e))
        },
    )
    .await
}

/// The desired policy, checked to be JSON so a typo is reported against the attribute.
fn wanted_policy(desired: &Attrs) -> Result<Option<&str>, DriverError> {
    match attrs::string(desired, "policy")? {
        Some(doc) => {
            policy_json::canonical(doc).map_err(|e| DriverError::new(format!("attribute `policy`: {}", e.message)))?;
            Ok(Some(doc))
        }
        None => Ok(None),
    }
}

/// The desired `deletion_window_in_days`, within KMS's bounds (the default when unset).
fn deletion_window(attrs: &Attrs) -> Result<i32, DriverError> {
    let (min, max, default) = DELETION_WINDOW;
    match attrs::int(attrs, "deletion_window_in_days")? {
        None => Ok(default),
        Some(days) if (min..=max).contains(&days) => Ok(days as i32),
        Some(days) => Err(DriverError::new(format!(
            "attribute `deletion_window_in_days`: must be between {min} and {max}, got {days}"
        ))),
    }
}

/// The policy as state: the prior spelling when it is the same document, else canonical.
fn policy_value(prior: Option<&Value>, actual: &str) -> Value {
    if let Some(Value::String(p)) = prior
        && policy_json::equivalent(p, actual)
    {
        return Value::String(p.clone());
    }
    Value::String(policy_json::canonical(actual).unwrap_or_else(|_| actual.to_string()))
}

/// Waits until the key's policy reads back as `policy`.
async fn wait_policy(ctx: &ChildCtx<'_>, client: &Client, key_id: &str, policy: &str) -> Result<(), DriverError> {
    wait::until(
        &format!("the policy of KMS key {key_id} to apply"),
        ctx.env.component_timeout,
        || async { Ok(policy_json::equivalent(&find_policy(client, key_id).await?, policy).then_some(())) },
    )
    .await
}

/// Enables or disables rotation and waits until it reads back so.
async fn put_rotation(ctx: &ChildCtx<'_>, client: &Client, key_id: &str, enabled: bool) -> Result<(), DriverError> {
    if enabled {
        client
            .enable_key_rotation()
            .key_id(key_id)
            .send()
            .await
            .map_err(|e| aws_error("EnableKeyRotation", e))?;
    } else {
        client
            .disable_key_rotation()
            .key_id(key_id)
            .send()
            .await
            .map_err(|e| aws_error("DisableKeyRotation", e))?;
    }
    wait::until(
        &format!("rotation of KMS key {key_id} to read {enabled}"),
        ctx.env.component_timeout,
        || async { Ok((find_rotation(client, key_id).await? == enabled).then_some(())) },
    )
    .await
}

/// The state after create or update: desired plus identity and tags.
fn applied_state(desired: &Attrs, meta: &KeyMetadata, all: &Tags) -> Result<ChildState, DriverError> {
    let mut state = desired.clone();
    identity(&mut state, meta);
    tags::put_applied(&mut state, desired, all)?;
    Ok(state)
}

/// `id`, `key_id`, `arn` of a key.
fn identity(state: &mut ChildState, meta: &KeyMetadata) {
    state.insert("id".into(), attrs::text(meta.key_id()));
    state.insert("key_id".into(), attrs::text(meta.key_id()));
    state.insert("arn".into(), attrs::opt_text(meta.arn()));
}

#[async_trait]
impl Driver for KmsKey {
    fn resource_type(&self) -> &'static str {
        "aws_kms_key"
    }

    fn service(&self) -> &'static str {
        "kms"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["key_usage", "multi_region"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let policy = wanted_policy(desired)?;
        deletion_window(desired)?;
        let rotation = attrs::boolean(desired, "enable_key_rotation")?.unwrap_or(false);
        let all_tags = tags::wanted(ctx, desired)?;
        let request = client
            .create_key()
            .set_description(attrs::owned_string(desired, "description")?)
            .set_key_usage(attrs::string(desired, "key_usage")?.map(KeyUsageType::from))
            .set_multi_region(attrs::boolean(desired, "multi_region")?)
            .set_policy(policy.map(str::to_string))
            .set_tags(Some(sdk_tags(&all_tags)?));
        let created = wait::retry_while(
            POLICY_PROPAGATION.min(ctx.env.component_timeout),
            |e| policy.is_some() && has_code(e, MALFORMED_POLICY),
            || request.clone().send(),
        )
        .await
        .map_err(|e| aws_error("CreateKey", e))?;
        let meta = created
            .key_metadata
            .ok_or_else(|| DriverError::new("CreateKey: no key metadata in the response"))?;
        let key_id = meta.key_id().to_string();
        let state = applied_state(desired, &meta, &all_tags)?;

        async {
            wait::until(&format!("KMS key {key_id} to exist"), ctx.env.component_timeout, || {
                find_key(&client, &key_id)
            })
            .await?;
            if rotation {
                put_rotation(ctx, &client, &key_id, true).await?;
            }
            if let Some(policy) = policy {
                wait_policy(ctx, &client, &key_id, policy).await?;
            }
            Ok::<(), DriverError>(())
        }
        .await
        .after_create(&state)?;
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let key_id = state_id(state)?;
        let Some(meta) = find_key(&client, key_id).await? else {
            return Ok(None);
        };
        let mut out = state.clone();
        identity(&mut out, &meta);
        out.insert(
            "description".into(),
            attrs::text(meta.description().unwrap_or_default()),
        );
        out.insert(
            "key_usage".into(),
            attrs::opt_text(meta.key_usage().map(KeyUsageType::as_str)),
        );
        out.insert("multi_region".into(), Value::Bool(meta.multi_region().unwrap_or(false)));
        out.insert("is_enabled".into(), Value::Bool(meta.enabled()));
        out.insert(
            "enable_key_rotation".into(),
            Value::Bool(find_rotation(&client, key_id).await?),
        );
        let policy = find_policy(&client, key_id).await?;
        out.insert("policy".into(), policy_value(state.get("policy"), &policy));
        // `deletion_window_in_days` is an argument of the delete, not something KMS reports:
        // it stays as the prior state has it.
        tags::put_read_state(ctx, &mut out, state, &find_tags(&client, key_id).await?)?;
        Ok(Some(out))
    }

    /// ListKeys, then the key tagged for this composite and component (KMS keys have no
    /// name; a key pending deletion is not adopted).
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let mut marker = None;
        loop {
            let page = client
                .list_keys()
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| aws_error("ListKeys", e))?;
            for key in page.keys() {
                let Some(key_id) = key.key_id() else { continue };
                // AWS managed keys and keys deleted meanwhile can refuse their tags: not ours.
                let refused = ["AccessDeniedException", "NotFoundException"];
                let Some(key_tags) = tags_unless(&client, key_id, &refused).await? else {
                    continue;
                };
                let mine = tags::owned(ctx, &key_tags)
                    && key_tags.get(COMPONENT_TAG).map(String::as_str) == Some(ctx.component);
                if mine && let Some(state) = adopt(self, ctx, desired, key_id, true).await? {
                    return Ok(Some(state));
                }
            }
            marker = page.next_marker().map(str::to_string);
            if !page.truncated() || marker.is_none() {
                return Ok(None);
            }
        }
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let key_id = state_id(state)?;
        deletion_window(desired)?;
        let meta = find_key(&client, key_id)
            .await?
            .ok_or_else(|| DriverError::new(format!("KMS key {key_id} does not exist or is pending deletion")))?;

        let description = attrs::string(desired, "description")?.unwrap_or_default();
        if meta.description().unwrap_or_default() != description {
            client
                .update_key_description()
                .key_id(key_id)
                .description(description)
                .send()
                .await
                .map_err(|e| aws_error("UpdateKeyDescription", e))?;
        }
        // Left out of the configuration, the policy stays what it is (KMS always has one).
        if let Some(policy) = wanted_policy(desired)?
            && !policy_json::equivalent(&find_policy(&client, key_id).await?, policy)
        {
            wait::retry_while(
                POLICY_PROPAGATION.min(ctx.env.component_timeout),
                |e| has_code(e, MALFORMED_POLICY),
                || {
                    client
                        .put_key_policy()
                        .key_id(key_id)
                        .policy_name(POLICY_NAME)
                        .policy(policy)
                        .send()
                },
            )
            .await
            .map_err(|e| aws_error("PutKeyPolicy", e))?;
            wait_policy(ctx, &client, key_id, policy).await?;
        }
        let rotation = attrs::boolean(desired, "enable_key_rotation")?.unwrap_or(false);
        if find_rotation(&client, key_id).await? != rotation {
            put_rotation(ctx, &client, key_id, rotation).await?;
        }
        let all_tags = tags::wanted(ctx, desired)?;
        sync_tags(&client, key_id, &all_tags).await?;
        applied_state(desired, &meta, &all_tags)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let key_id = state_id(state)?;
        let scheduled = client
            .schedule_key_deletion()
            .key_id(key_id)
            .pending_window_in_days(deletion_window(state)?)
            .send()
            .await;
        match scheduled {
            Ok(_) => {}
            // Gone, or already scheduled for deletion.
            Err(e) if has_code(&e, NOT_FOUND) || has_code(&e, INVALID_STATE) => {}
            Err(e) => return Err(aws_error("ScheduleKeyDeletion", e)),
        }
        wait::until_gone(
            &format!("KMS key {key_id} to be pending deletion"),
            ctx.env.component_timeout,
            || find_key(&client, key_id),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Attrs {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn deletion_window_is_bounded_with_a_default() {
        assert_eq!(deletion_window(&obj(json!({}))), Ok(30));
        assert_eq!(deletion_window(&obj(json!({"deletion_window_in_days": 7}))), Ok(7));
        assert!(
            deletion_window(&obj(json!({"deletion_window_in_days": 6})))
                .is_err_and(|e| e.message.contains("between 7 and 30"))
        );
        assert!(deletion_window(&obj(json!({"deletion_window_in_days": 31}))).is_err());
    }

    #[test]
    fn policies_keep_the_desired_spelling_when_equivalent() {
        let prior = json!(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:*"],"Resource":"*","Principal":{"AWS":"arn:aws:iam::1:root"}}]}"#
        );
        let aws = r#"{"Statement": [{"Action": "kms:*", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Resource": "*"}], "Version": "2012-10-17"}"#;
        assert_eq!(policy_value(Some(&prior), aws), prior);
        let other = r#"{"Statement":[{"Action":"kms:Decrypt","Effect":"Allow","Resource":"*"}]}"#;
        assert_eq!(
            policy_value(Some(&prior), other),
            json!(r#"{"Statement":[{"Action":"kms:Decrypt","Effect":"Allow","Resource":"*"}]}"#)
        );
        assert!(wanted_policy(&obj(json!({"policy": "{nope"}))).is_err_and(|e| e.message.contains("`policy`")));
    }

    #[test]
    fn pending_deletion_counts_as_gone() {
        assert!(is_gone(Some(&KeyState::PendingDeletion)));
        assert!(is_gone(Some(&KeyState::PendingReplicaDeletion)));
        assert!(!is_gone(Some(&KeyState::Enabled)));
        assert!(!is_gone(Some(&KeyState::Disabled)));
        assert!(!is_gone(None));
    }
}
