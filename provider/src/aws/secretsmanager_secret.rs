//! `aws_secretsmanager_secret`: CreateSecret / DescribeSecret / UpdateSecret /
//! ReplicateSecretToRegions / RemoveRegionsFromReplication / TagResource / UntagResource /
//! DeleteSecret.
//!
//! The secret's metadata only: its value is `aws_secretsmanager_secret_version`. A secret
//! scheduled for deletion (recovery window) still answers DescribeSecret with a DeletedDate;
//! that counts as gone. A secret with replicas cannot be deleted, so delete removes the
//! replicas first.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretOutput;
use aws_sdk_secretsmanager::types::{ReplicaRegionType, Tag};
use serde_json::{Map, Value, json};

use super::attrs::{self, Attrs};
use super::normalise;
use super::tags::{self, Tags};
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, state_id};

pub struct SecretsmanagerSecret;

const NOT_FOUND: &[&str] = &["ResourceNotFoundException"];
/// hashicorp/aws's default recovery window.
const DEFAULT_RECOVERY_DAYS: i64 = 30;

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("secretsmanager"))
}

/// DescribeSecret; `None` when the secret does not exist or is scheduled for deletion.
pub(crate) async fn find_secret(client: &Client, id: &str) -> Result<Option<DescribeSecretOutput>, DriverError> {
    let out = client.describe_secret().secret_id(id).send().await;
    Ok(found("DescribeSecret", NOT_FOUND, out)?.filter(|s| s.deleted_date().is_none()))
}

fn sdk_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

fn tags_of(secret: &DescribeSecretOutput) -> Tags {
    secret
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string())))
        .collect()
}

/// The configured replicas: region to KMS key (`None`: the region's default key).
fn wanted_replicas(desired: &Attrs) -> Result<BTreeMap<String, Option<String>>, DriverError> {
    attrs::blocks(desired, "replica")?
        .into_iter()
        .map(|b| {
            attrs::only_supported(
                b,
                "replica",
                &["region", "kms_key_id", "status", "status_message", "last_accessed_date"],
            )?;
            Ok((
                attrs::required_string(b, "region")?.to_string(),
                attrs::owned_string(b, "kms_key_id")?,
            ))
        })
        .collect()
}

fn replica_types(replicas: &BTreeMap<String, Option<String>>) -> Vec<ReplicaRegionType> {
    replicas
        .iter()
        .map(|(region, key)| {
            ReplicaRegionType::builder()
                .region(region)
                .set_kms_key_id(key.clone())
                .build()
        })
        .collect()
}

/// The replicas AWS has: region to KMS key.
fn current_replicas(secret: &DescribeSecretOutput) -> BTreeMap<String, Option<String>> {
    secret
        .replication_status()
        .iter()
        .filter_map(|r| Some((r.region()?.to_string(), r.kms_key_id().map(str::to_string))))
        .collect()
}

fn state_of(ctx: &ChildCtx<'_>, secret: &DescribeSecretOutput, prior: &Attrs) -> Result<ChildState, DriverError> {
    let mut actual = Map::new();
    let arn = secret.arn().unwrap_or_default();
    actual.insert("id".into(), json!(arn));
    actual.insert("arn".into(), json!(arn));
    actual.insert("name".into(), json!(secret.name().unwrap_or_default()));
    actual.insert("description".into(), json!(secret.description().unwrap_or_default()));
    // AWS reports no key (or its managed one) when none is configured: no drift then.
    if prior.get("kms_key_id").is_some_and(|v| !attrs::is_unset(v)) || secret.kms_key_id().is_some() {
        actual.insert("kms_key_id".into(), json!(secret.kms_key_id().unwrap_or_default()));
    }
    let prior_keys: BTreeMap<String, bool> = attrs::blocks(prior, "replica")?
        .into_iter()
        .filter_map(|b| {
            let region = attrs::string(b, "region").ok().flatten()?;
            Some((
                region.to_string(),
                attrs::string(b, "kms_key_id").ok().flatten().is_some(),
            ))
        })
        .collect();
    let replicas: Vec<Value> = secret
        .replication_status()
        .iter()
        .map(|r| {
            let region = r.region().unwrap_or_default();
            let mut block = json!({"region": region});
            // The key only when configured: AWS names its default key otherwise.
            if prior_keys.get(region).copied().unwrap_or(false) {
                block["kms_key_id"] = json!(r.kms_key_id().unwrap_or_default());
            }
            block
        })
        .collect();
    let replicas = normalise::order_like(replicas, prior.get("replica"), "region");
    actual.insert("replica".into(), Value::Array(replicas));
    let mut state = normalise::read_state(prior, actual);
    tags::put_read_state(ctx, &mut state, prior, &tags_of(secret))?;
    Ok(state)
}

async fn sync_tags(client: &Client, arn: &str, actual: &Tags, wanted: &Tags) -> Result<(), DriverError> {
    tags::sync(
        actual,
        wanted,
        |keys| async move {
            client
                .untag_resource()
                .secret_id(arn)
                .set_tag_keys(Some(keys))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("UntagResource", e))
        },
        |set| async move {
            client
                .tag_resource()
                .secret_id(arn)
                .set_tags(Some(sdk_tags(&set)))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("TagResource", e))
        },
    )
    .await
}

/// Brings the replicas from `current` to `wanted`: a replica whose configured key differs is
/// removed and added again (AWS cannot change a replica's key in place).
async fn sync_replicas(
    client: &Client,
    arn: &str,
    current: &BTreeMap<String, Option<String>>,
    wanted: &BTreeMap<String, Option<String>>,
) -> Result<(), DriverError> {
    let remove: Vec<String> = current
        .iter()
        .filter(|(region, key)| match wanted.get(*region) {
            None => true,
            Some(Some(w)) => key.as_deref() != Some(w.as_str()),
            Some(None) => false,
        })
        .map(|(region, _)| region.clone())
        .collect();
    if !remove.is_empty() {
        client
            .remove_regions_from_replication()
            .secret_id(arn)
            .set_remove_replica_regions(Some(remove.clone()))
            .send()
            .await
            .map_err(|e| aws_error("RemoveRegionsFromReplication", e))?;
    }
    let add: BTreeMap<String, Option<String>> = wanted
        .iter()
        .filter(|(region, _)| !current.contains_key(*region) || remove.contains(region))
        .map(|(r, k)| (r.clone(), k.clone()))
        .collect();
    if !add.is_empty() {
        client
            .replicate_secret_to_regions()
            .secret_id(arn)
            .set_add_replica_regions(Some(replica_types(&add)))
            .send()
            .await
            .map_err(|e| aws_error("ReplicateSecretToRegions", e))?;
    }
    Ok(())
}

fn created_state(desired: &Attrs, arn: &str, all: &Tags) -> Result<ChildState, DriverError> {
    let mut state = desired.clone();
    state.insert("id".into(), json!(arn));
    state.insert("arn".into(), json!(arn));
    tags::put_applied(&mut state, desired, all)?;
    Ok(state)
}

#[async_trait]
impl Driver for SecretsmanagerSecret {
    fn resource_type(&self) -> &'static str {
        "aws_secretsmanager_secret"
    }

    fn service(&self) -> &'static str {
        "secretsmanager"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["name"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let name = attrs::required_string(desired, "name")?;
        let all_tags = tags::wanted(ctx, desired)?;
        let replicas = wanted_replicas(desired)?;
        let created = client
            .create_secret()
            .name(name)
            .set_description(attrs::owned_string(desired, "description")?)
            .set_kms_key_id(attrs::owned_string(desired, "kms_key_id")?)
            .set_tags(Some(sdk_tags(&all_tags)))
            .set_add_replica_regions((!replicas.is_empty()).then(|| replica_types(&replicas)))
            .send()
            .await
            .map_err(|e| aws_error("CreateSecret", e))?;
        let arn = created
            .arn()
            .ok_or_else(|| DriverError::new("CreateSecret: no ARN in the answer"))?
            .to_string();
        let state = created_state(desired, &arn, &all_tags)?;
        let secret = find_secret(&client, &arn)
            .await
            .and_then(|s| s.ok_or_else(|| DriverError::new(format!("secret {name} vanished after create"))))
            .after_create(&state)?;
        state_of(ctx, &secret, &state).after_create(&state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        match find_secret(&client, state_id(state)?).await? {
            Some(secret) => Ok(Some(state_of(ctx, &secret, state)?)),
            None => Ok(None),
        }
    }

    /// The secret of this name (DescribeSecret accepts names), if tagged for this composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let name = attrs::required_string(desired, "name")?;
        match find_secret(&client(ctx), name)
            .await?
            .and_then(|s| s.arn().map(str::to_string))
        {
            Some(arn) => adopt(self, ctx, desired, &arn, true).await,
            None => Ok(None),
        }
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let arn = state_id(state)?;
        let secret = find_secret(&client, arn)
            .await?
            .ok_or_else(|| DriverError::new(format!("secret {arn} does not exist")))?;
        attrs::unchanged(desired, "name", secret.name().unwrap_or_default())?;
        let description = attrs::string(desired, "description")?.unwrap_or_default();
        let key = attrs::owned_string(desired, "kms_key_id")?;
        let key_changes = key.is_some() && key.as_deref() != secret.kms_key_id();
        if secret.description().unwrap_or_default() != description || key_changes {
            client
                .update_secret()
                .secret_id(arn)
                .description(description)
                .set_kms_key_id(key)
                .send()
                .await
                .map_err(|e| aws_error("UpdateSecret", e))?;
        }
        sync_replicas(&client, arn, &current_replicas(&secret), &wanted_replicas(desired)?).await?;
        let all_tags = tags::wanted(ctx, desired)?;
        sync_tags(&client, arn, &tags_of(&secret), &all_tags).await?;
        let secret = find_secret(&client, arn)
            .await?
            .ok_or_else(|| DriverError::new(format!("secret {arn} vanished during update")))?;
        let mut prior = desired.clone();
        prior.insert("id".into(), json!(arn));
        state_of(ctx, &secret, &prior)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let arn = state_id(state)?;
        let Some(secret) = find_secret(&client, arn).await? else {
            return Ok(());
        };
        let replicas: Vec<String> = current_replicas(&secret).into_keys().collect();
        if !replicas.is_empty() {
            let removed = client
                .remove_regions_from_replication()
                .secret_id(arn)
                .set_remove_replica_regions(Some(replicas))
                .send()
                .await;
            found("RemoveRegionsFromReplication", NOT_FOUND, removed)?;
        }
        let days = attrs::int(state, "recovery_window_in_days")?.unwrap_or(DEFAULT_RECOVERY_DAYS);
        let request = client.delete_secret().secret_id(arn);
        let request = if days == 0 {
            request.force_delete_without_recovery(true)
        } else {
            request.recovery_window_in_days(days)
        };
        if found("DeleteSecret", NOT_FOUND, request.send().await)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("secret {arn} to be deleted"),
            ctx.env.component_timeout,
            || find_secret(&client, arn),
        )
        .await
    }
}
