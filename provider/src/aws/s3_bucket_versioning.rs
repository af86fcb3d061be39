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
use super::s3_client::{self, NO_SUCH_BUCKET, bucket_state};
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, state_id};

pub struct S3BucketVersioning;

const DISABLED: &str = "Disabled";

/// The desired `versioning_configuration` block: status, and `mfa_delete` if set.
fn wanted(desired: &Attrs) -> Result<(&str, Option<&str>), DriverError> {
    let block = attrs::block(desired, "versioning_configuration")?
        .ok_or_else(|| DriverError::new("block `versioning_configuration` is required"))?;
    let status = attrs::required_string(block, "status")?;
    if !matches!(status, "Enabled" | "Suspended" | DISABLED) {
        return Err(DriverError::new(format!(
            "versioning_configuration.status: expected Enabled, Suspended or Disabled, got {status}"
        )));
    }
    Ok((status, attrs::string(block, "mfa_delete")?))
}

/// GetBucketVersioning as (status, mfa_delete); status `Disabled` for a never-versioned
/// bucket; `None` when the bucket does not exist.
async fn find_versioning(client: &Client, bucket: &str) -> Result<Option<(String, Option<String>)>, DriverError> {
    let out = client.get_bucket_versioning().bucket(bucket).send().await;
    Ok(found("GetBucketVersioning", NO_SUCH_BUCKET, out)?.map(|out| {
        (
            out.status().map_or(DISABLED, |s| s.as_str()).to_string(),
            out.mfa_delete().map(|m| m.as_str().to_string()),
        )
    }))
}

/// Puts `status`; `false` for `Disabled`, which S3 cannot set: that is a no-op on a bucket
/// that was never versioned, and an error on one that was.
async fn put_status(
    client: &Client,
    bucket: &str,
    status: &str,
    mfa_delete: Option<&str>,
) -> Result<bool, DriverError> {
    if status == DISABLED {
        let (current, _) = find_versioning(client, bucket)
            .await?
            .ok_or_else(|| DriverError::new(format!("bucket {bucket} does not exist")))?;
        if current == DISABLED {
            return Ok(false);
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
    Ok(true)
}

/// Waits until the bucket's versioning reads back `status` (S3 applies it eventually).
async fn wait_status(ctx: &ChildCtx<'_>, client: &Client, bucket: &str, status: &str) -> Result<(), DriverError> {
    wait::until(
        &format!("versioning of bucket {bucket} to read {status}"),
        ctx.env.component_timeout,
        || async { Ok(find_versioning(client, bucket).await?.filter(|(s, _)| s == status)) },
    )
    .await
    .map(|_| ())
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
        let state = bucket_state(desired, bucket);
        if put_status(&client, bucket, status, mfa_delete).await? {
            wait_status(ctx, &client, bucket, status).await.after_create(&state)?;
        }
        Ok(state)
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
        let mut out = bucket_state(state, bucket);
        out.insert("versioning_configuration".into(), json!([block]));
        Ok(Some(out))
    }

    /// The versioning configuration of the (already adopted) bucket: it has no tags of its own.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        adopt(self, ctx, desired, attrs::required_string(desired, "bucket")?, false).await
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = s3_client::client(ctx);
        let bucket = state_id(state)?;
        attrs::unchanged(desired, "bucket", bucket)?;
        let (status, mfa_delete) = wanted(desired)?;
        if put_status(&client, bucket, status, mfa_delete).await? {
            wait_status(ctx, &client, bucket, status).await?;
        }
        Ok(bucket_state(desired, bucket))
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
        let suspended = client
            .put_bucket_versioning()
            .bucket(bucket)
            .versioning_configuration(config)
            .send()
            .await;
        found("PutBucketVersioning", NO_SUCH_BUCKET, suspended).map(|_| ())
    }
}
