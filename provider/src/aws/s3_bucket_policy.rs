//! `aws_s3_bucket_policy`: PutBucketPolicy / GetBucketPolicy / DeleteBucketPolicy.
//!
//! A bucket has one policy; a put replaces it, so create and update are the same call. S3
//! re-serialises the document and applies it eventually: documents compare as IAM policies
//! (`policy_json`), and writes wait until the policy reads back.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use serde_json::Value;

use super::attrs::{self, Attrs};
use super::policy_json;
use super::s3_client::{self, bucket_state};
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, state_id};

pub struct S3BucketPolicy;

/// The bucket or its policy does not exist.
const GONE: &[&str] = &["NoSuchBucket", "NotFound", "NoSuchBucketPolicy"];
/// S3 rejects a policy naming a principal IAM has not propagated yet as MalformedPolicy
/// ("Invalid principal in policy"); hashicorp/aws retries it for two minutes, and so do we.
const PROPAGATION: std::time::Duration = std::time::Duration::from_secs(120);

/// The desired policy, checked to be JSON so a typo is reported against the attribute.
fn wanted_policy(desired: &Attrs) -> Result<&str, DriverError> {
    let doc = attrs::required_string(desired, "policy")?;
    policy_json::canonical(doc).map_err(|e| DriverError::new(format!("attribute `policy`: {}", e.message)))?;
    Ok(doc)
}

/// GetBucketPolicy; `None` when the bucket or its policy does not exist.
async fn find_policy(client: &Client, bucket: &str) -> Result<Option<String>, DriverError> {
    let out = client.get_bucket_policy().bucket(bucket).send().await;
    Ok(found("GetBucketPolicy", GONE, out)?.map(|o| o.policy().unwrap_or_default().to_string()))
}

/// Whether an error is S3 refusing a principal that may still be propagating.
fn invalid_principal<E: aws_smithy_types::error::metadata::ProvideErrorMetadata>(e: &E) -> bool {
    e.code() == Some("MalformedPolicy") && e.message().is_some_and(|m| m.contains("Invalid principal"))
}

/// Puts the policy unless S3 already has an equivalent one, then waits until it reads back.
async fn put_policy(ctx: &ChildCtx<'_>, client: &Client, bucket: &str, policy: &str) -> Result<(), DriverError> {
    if find_policy(client, bucket)
        .await?
        .is_some_and(|now| policy_json::equivalent(&now, policy))
    {
        return Ok(());
    }
    wait::retry_while(PROPAGATION.min(ctx.env.component_timeout), invalid_principal, || {
        client.put_bucket_policy().bucket(bucket).policy(policy).send()
    })
    .await
    .map_err(|e| aws_error("PutBucketPolicy", e))?;
    Ok(())
}

async fn wait_policy(ctx: &ChildCtx<'_>, client: &Client, bucket: &str, policy: &str) -> Result<(), DriverError> {
    wait::until(
        &format!("the policy of bucket {bucket} to apply"),
        ctx.env.component_timeout,
        || async {
            Ok(find_policy(client, bucket)
                .await?
                .filter(|now| policy_json::equivalent(now, policy)))
        },
    )
    .await
    .map(|_| ())
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

#[async_trait]
impl Driver for S3BucketPolicy {
    fn resource_type(&self) -> &'static str {
        "aws_s3_bucket_policy"
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
        let policy = wanted_policy(desired)?;
        put_policy(ctx, &client, bucket, policy).await?;
        let state = bucket_state(desired, bucket);
        wait_policy(ctx, &client, bucket, policy).await.after_create(&state)?;
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let bucket = state_id(state)?;
        let Some(policy) = find_policy(&s3_client::client(ctx), bucket).await? else {
            return Ok(None);
        };
        let mut out = bucket_state(state, bucket);
        out.insert("policy".into(), policy_value(state.get("policy"), &policy));
        Ok(Some(out))
    }

    /// The policy of the (already adopted) bucket: it has no tags of its own.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        adopt(self, ctx, desired, attrs::required_string(desired, "bucket")?, false).await
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = s3_client::client(ctx);
        let bucket = state_id(state)?;
        attrs::unchanged(desired, "bucket", bucket)?;
        let policy = wanted_policy(desired)?;
        put_policy(ctx, &client, bucket, policy).await?;
        wait_policy(ctx, &client, bucket, policy).await?;
        Ok(bucket_state(desired, bucket))
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = s3_client::client(ctx);
        let bucket = state_id(state)?;
        let deleted = client.delete_bucket_policy().bucket(bucket).send().await;
        if found("DeleteBucketPolicy", GONE, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("the policy of bucket {bucket} to be deleted"),
            ctx.env.component_timeout,
            || find_policy(&client, bucket),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn policies_are_checked_and_keep_their_spelling() {
        let desired = json!({"bucket": "b", "policy": "{oops"});
        assert!(wanted_policy(desired.as_object().expect("object")).is_err_and(|e| e.message.contains("`policy`")));
        let missing = json!({"bucket": "b"});
        assert!(wanted_policy(missing.as_object().expect("object")).is_err());
        let prior = json!(
            r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":["s3:*"],"Resource":"arn:aws:s3:::b/*"}]}"#
        );
        let aws = r#"{"Statement": [{"Action": "s3:*", "Effect": "Deny", "Principal": "*", "Resource": ["arn:aws:s3:::b/*"]}]}"#;
        assert_eq!(policy_value(Some(&prior), aws), prior);
        let changed = r#"{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Principal":"*","Resource":"arn:aws:s3:::b/*"}]}"#;
        assert_eq!(policy_value(Some(&prior), changed), json!(changed));
    }
}
