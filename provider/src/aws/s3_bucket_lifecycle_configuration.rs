//! `aws_s3_bucket_lifecycle_configuration`: PutBucketLifecycleConfiguration /
//! GetBucketLifecycleConfiguration / DeleteBucketLifecycle. The whole rule list is written at
//! once, so create and update are the same call.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, BucketLifecycleConfiguration, ExpirationStatus, LifecycleExpiration, LifecycleRule,
    LifecycleRuleFilter, NoncurrentVersionExpiration,
};
use serde_json::{Value, json};

use super::attrs::{self, Attrs};
use super::s3_client::{self, NO_SUCH_BUCKET};
use super::{ChildCtx, ChildState, Driver, DriverError, aws_error, has_code, state_id};

pub struct S3BucketLifecycleConfiguration;

const NO_LIFECYCLE: &[&str] = &["NoSuchLifecycleConfiguration"];

/// One `rule {}` block as the SDK type.
fn rule_of(block: &Attrs) -> Result<LifecycleRule, DriverError> {
    let status = match attrs::string(block, "status")?.as_deref() {
        None | Some("Enabled") => ExpirationStatus::Enabled,
        Some("Disabled") => ExpirationStatus::Disabled,
        Some(other) => {
            return Err(DriverError::new(format!(
                "rule status must be Enabled or Disabled, not {other:?}"
            )));
        }
    };
    let mut filter = LifecycleRuleFilter::builder();
    if let Some(f) = attrs::block(block, "filter")?
        && let Some(prefix) = attrs::string(f, "prefix")?
    {
        filter = filter.prefix(prefix);
    }
    let mut rule = LifecycleRule::builder().status(status).filter(filter.build());
    if let Some(id) = attrs::string(block, "id")? {
        rule = rule.id(id);
    }
    if let Some(e) = attrs::block(block, "expiration")? {
        rule = rule.expiration(
            LifecycleExpiration::builder()
                .set_days(attrs::int32(e, "days")?)
                .build(),
        );
    }
    if let Some(n) = attrs::block(block, "noncurrent_version_expiration")? {
        rule = rule.noncurrent_version_expiration(
            NoncurrentVersionExpiration::builder()
                .set_noncurrent_days(attrs::int32(n, "noncurrent_days")?)
                .build(),
        );
    }
    if let Some(a) = attrs::block(block, "abort_incomplete_multipart_upload")? {
        rule = rule.abort_incomplete_multipart_upload(
            AbortIncompleteMultipartUpload::builder()
                .set_days_after_initiation(attrs::int32(a, "days_after_initiation")?)
                .build(),
        );
    }
    rule.build()
        .map_err(|e| DriverError::new(format!("lifecycle rule: {e}")))
}

/// A rule as Terraform writes it: the blocks this driver manages.
fn block_of(rule: &LifecycleRule) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("id".into(), json!(rule.id()));
    out.insert("status".into(), json!(rule.status().as_str()));
    let prefix = rule.filter().and_then(|f| f.prefix()).filter(|p| !p.is_empty());
    out.insert(
        "filter".into(),
        json!([prefix.map_or_else(|| json!({}), |p| json!({ "prefix": p }))]),
    );
    if let Some(e) = rule.expiration().and_then(|e| e.days()) {
        out.insert("expiration".into(), json!([{ "days": e }]));
    }
    if let Some(days) = rule.noncurrent_version_expiration().and_then(|n| n.noncurrent_days()) {
        out.insert(
            "noncurrent_version_expiration".into(),
            json!([{ "noncurrent_days": days }]),
        );
    }
    if let Some(days) = rule
        .abort_incomplete_multipart_upload()
        .and_then(|a| a.days_after_initiation())
    {
        out.insert(
            "abort_incomplete_multipart_upload".into(),
            json!([{ "days_after_initiation": days }]),
        );
    }
    Value::Object(out)
}

async fn put(client: &Client, bucket: &str, desired: &Attrs) -> Result<(), DriverError> {
    let rules = attrs::blocks(desired, "rule")?
        .into_iter()
        .map(rule_of)
        .collect::<Result<Vec<_>, _>>()?;
    let config = BucketLifecycleConfiguration::builder()
        .set_rules(Some(rules))
        .build()
        .map_err(|e| DriverError::new(format!("lifecycle configuration: {e}")))?;
    client
        .put_bucket_lifecycle_configuration()
        .bucket(bucket)
        .lifecycle_configuration(config)
        .send()
        .await
        .map_err(|e| aws_error("PutBucketLifecycleConfiguration", e))?;
    Ok(())
}

fn state_of(base: &Attrs, bucket: &str) -> ChildState {
    let mut state = base.clone();
    state.insert("id".into(), json!(bucket));
    state.insert("bucket".into(), json!(bucket));
    state
}

#[async_trait]
impl Driver for S3BucketLifecycleConfiguration {
    fn resource_type(&self) -> &'static str {
        "aws_s3_bucket_lifecycle_configuration"
    }

    fn service(&self) -> &'static str {
        "s3"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["bucket"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let bucket = attrs::required_string(desired, "bucket")?;
        put(&s3_client::client(ctx), &bucket, desired).await?;
        Ok(state_of(desired, &bucket))
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let bucket = state_id(state)?;
        let client = s3_client::client(ctx);
        match client.get_bucket_lifecycle_configuration().bucket(bucket).send().await {
            Ok(out) => {
                let mut current = state_of(state, bucket);
                current.insert("rule".into(), Value::Array(out.rules().iter().map(block_of).collect()));
                Ok(Some(current))
            }
            Err(e) if has_code(&e, NO_SUCH_BUCKET) || has_code(&e, NO_LIFECYCLE) => Ok(None),
            Err(e) => Err(aws_error("GetBucketLifecycleConfiguration", e)),
        }
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let bucket = state_id(state)?;
        put(&s3_client::client(ctx), bucket, desired).await?;
        Ok(state_of(desired, bucket))
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let bucket = state_id(state)?;
        match s3_client::client(ctx)
            .delete_bucket_lifecycle()
            .bucket(bucket)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if has_code(&e, NO_SUCH_BUCKET) || has_code(&e, NO_LIFECYCLE) => Ok(()),
            Err(e) => Err(aws_error("DeleteBucketLifecycle", e)),
        }
    }
}
