//! `aws_s3_bucket_versioning`: PutBucketVersioning / GetBucketVersioning.
//!
//! Versioning, once enabled, can only be suspended, never removed: deleting this component
//! suspends it (as `hashicorp/aws` does) and the bucket then reads back `Suspended`; the
//! component is gone only with its bucket. `Disabled` is what a never-versioned bucket reads
//! as; asking for it is a no-op on such a bucket and an error on a versioned one.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::types::{BucketVersioningStatus, MfaDelete, VersioningConfiguration};
use serde_json::{Value, json};

use super::attrs::{self, Attrs};
use super::s3_client::{self, NO_SUCH_BUCKET};
use super::wait::Waiter;
use super::{ChildCtx, ChildState, Driver, DriverError, aws_error, has_code, state_id};

pub struct S3BucketVersioning;

const DISABLED: &str = "Disabled";

/// The desired `versioning_configuration` block: status, and `mfa_delete` if set.
fn wanted(desired: &Attrs) -> Result<(String, Option<String>), DriverError> {
    let block = attrs::block(desired, "versioning_configuration")?
        .ok_or_else(|| DriverError::new("block `versioning_configuration` is required"))?;
    let status = attrs::required_string(block, "status")?;
    if !matches!(status.as_str(), "Enabled" | "Suspended" | DISABLED) {
        return Err(DriverError::new(format!(
            "versioning_configuration.status: expected Enabled, Suspended or Disabled, got {status}"
        )));
    }
    Ok((status, attrs::string(block, "mfa_delete")?))
}

/// GetBucketVersioning as (status, mfa_delete); status `Disabled` for a never-versioned
/// bucket; `None` when the bucket does not exist.
async fn find_versioning(client: &Client, bucket: &str) -> Result<Option<(String, Option<String>)>, DriverError> {
    match client.get_bucket_versioning().bucket(bucket).send().await {
        Ok(out) => Ok(Some((
            out.status().map_or(DISABLED, |s| s.as_str()).to_string(),
            out.mfa_delete().map(|m| m.as_str().to_string()),
        ))),
        Err(e) if has_code(&e, NO_SUCH_BUCKET) => Ok(None),
        Err(e) => Err(aws_error("GetBucketVersioning", e)),
    }
}

/// Puts `status` (unless it is `Disabled`, which S3 cannot set) and waits until it reads back.
async fn put_status(
    ctx: &ChildCtx<'_>,
    client: &Client,
    bucket: &str,
    status: &str,
    mfa_delete: Option<&str>,
) -> Result<(), DriverError> {
    if status == DISABLED {
        let (current, _) = find_versioning(client, bucket)
            .await?
            .ok_or_else(|| DriverError::new(format!("bucket {bucket} does not exist")))?;
        if current == DISABLED {
            return Ok(());
        }
        return Err(DriverError::new(format!(
            "versioning of bucket {bucket} is {current} and cannot go back to Disabled; use Suspended"
        )));
    }
    let config = VersioningConfiguration::builder()
        .status(BucketVersioningStatus::from(status))
        .set_mfa_delete(mfa_delete.map(MfaDelete::from))
        .build();
    client
        .put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(config)
        .send()
        .await
        .map_err(|e| aws_error("PutBucketVersioning", e))?;
    let mut waiter = Waiter::new(
        format!("versioning of bucket {bucket} to read {status}"),
        ctx.env.component_timeout,
    );
    while find_versioning(client, bucket).await?.map(|(s, _)| s).as_deref() != Some(status) {
        waiter.pause().await?;
    }
    Ok(())
}

fn applied_state(desired: &Attrs, bucket: &str) -> ChildState {
    let mut state = desired.clone();
    state.insert("id".into(), json!(bucket));
    state.insert("bucket".into(), json!(bucket));
    state
}

#[async_trait]
impl Driver for S3BucketVersioning {
    fn resource_type(&self) -> &'static str {
        "aws_s3_bucket_versioning"
    }

    fn service(&self) -> &'static str {
        "s3"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["bucket"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = s3_client::client(ctx);
        let bucket = attrs::required_string(desired, "bucket")?;
        let (status, mfa_delete) = wanted(desired)?;
        put_status(ctx, &client, &bucket, &status, mfa_delete.as_deref()).await?;
        Ok(applied_state(desired, &bucket))
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = s3_client::client(ctx);
        let bucket = state_id(state)?;
        let Some((status, mfa_delete)) = find_versioning(&client, bucket).await? else {
            return Ok(None);
        };
        let mut block = json!({ "status": status });
        // `mfa_delete` only when configured or set: S3 omits it when it was never set.
        let prior_mfa = state
            .get("versioning_configuration")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(|b| b.get("mfa_delete"));
        if prior_mfa.is_some() || mfa_delete.is_some() {
            block["mfa_delete"] = json!(mfa_delete.unwrap_or_else(|| DISABLED.to_string()));
        }
        let mut out = state.clone();
        out.insert("id".into(), json!(bucket));
        out.insert("bucket".into(), json!(bucket));
        out.insert("versioning_configuration".into(), json!([block]));
        Ok(Some(out))
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = s3_client::client(ctx);
        let bucket = state_id(state)?;
        if let Some(wanted_bucket) = attrs::string(desired, "bucket")?
            && wanted_bucket != bucket
        {
            return Err(DriverError::new(format!(
                "the bucket of a versioning configuration cannot change in place ({bucket} to {wanted_bucket})"
            )));
        }
        let (status, mfa_delete) = wanted(desired)?;
        put_status(ctx, &client, bucket, &status, mfa_delete.as_deref()).await?;
        Ok(applied_state(desired, bucket))
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = s3_client::client(ctx);
        let bucket = state_id(state)?;
        // A configuration of `Disabled` never changed the bucket, so there is nothing to undo.
        if wanted(state).is_ok_and(|(status, _)| status == DISABLED) {
            return Ok(());
        }
        let config = VersioningConfiguration::builder()
            .status(BucketVersioningStatus::Suspended)
            .build();
        match client
            .put_bucket_versioning()
            .bucket(bucket)
            .versioning_configuration(config)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if has_code(&e, NO_SUCH_BUCKET) => Ok(()),
            Err(e) => Err(aws_error("PutBucketVersioning", e)),
        }
    }
}
