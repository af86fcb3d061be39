//! `aws_s3_bucket_public_access_block`: PutPublicAccessBlock / GetPublicAccessBlock /
//! DeletePublicAccessBlock. S3 applies the settings eventually, so writes wait until they
//! read back.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::types::PublicAccessBlockConfiguration;
use serde_json::json;

use super::attrs::{self, Attrs};
use super::s3_client::{self, NO_SUCH_BUCKET};
use super::wait::Waiter;
use super::{ChildCtx, ChildState, Driver, DriverError, aws_error, has_code, state_id};

pub struct S3BucketPublicAccessBlock;

const NO_BLOCK: &[&str] = &["NoSuchPublicAccessBlockConfiguration"];

/// The four settings, in the order of [`FLAGS`].
type Flags = [bool; 4];

const FLAGS: [&str; 4] = [
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
];

/// The desired settings; an unset one is `false`, as in `hashicorp/aws`.
fn wanted(desired: &Attrs) -> Result<Flags, DriverError> {
    let mut flags = [false; 4];
    for (flag, key) in flags.iter_mut().zip(FLAGS) {
        *flag = attrs::boolean(desired, key)?.unwrap_or(false);
    }
    Ok(flags)
}

/// GetPublicAccessBlock; `None` when the bucket or its block does not exist.
async fn find_flags(client: &Client, bucket: &str) -> Result<Option<Flags>, DriverError> {
    match client.get_public_access_block().bucket(bucket).send().await {
        Ok(out) => {
            let c = out.public_access_block_configuration();
            let get = |f: fn(&PublicAccessBlockConfiguration) -> Option<bool>| c.and_then(f).unwrap_or(false);
            Ok(Some([
                get(PublicAccessBlockConfiguration::block_public_acls),
                get(PublicAccessBlockConfiguration::block_public_policy),
                get(PublicAccessBlockConfiguration::ignore_public_acls),
                get(PublicAccessBlockConfiguration::restrict_public_buckets),
            ]))
        }
        Err(e) if has_code(&e, NO_SUCH_BUCKET) || has_code(&e, NO_BLOCK) => Ok(None),
        Err(e) => Err(aws_error("GetPublicAccessBlock", e)),
    }
}

async fn put_flags(ctx: &ChildCtx<'_>, client: &Client, bucket: &str, flags: Flags) -> Result<(), DriverError> {
    let [block_acls, block_policy, ignore_acls, restrict] = flags;
    let config = PublicAccessBlockConfiguration::builder()
        .block_public_acls(block_acls)
        .block_public_policy(block_policy)
        .ignore_public_acls(ignore_acls)
        .restrict_public_buckets(restrict)
        .build();
    client
        .put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(config)
        .send()
        .await
        .map_err(|e| aws_error("PutPublicAccessBlock", e))?;
    let mut waiter = Waiter::new(
        format!("public access block of bucket {bucket} to apply"),
        ctx.env.component_timeout,
    );
    while find_flags(client, bucket).await? != Some(flags) {
        waiter.pause().await?;
    }
    Ok(())
}

fn state_of(base: &Attrs, bucket: &str, flags: Flags) -> ChildState {
    let mut state = base.clone();
    state.insert("id".into(), json!(bucket));
    state.insert("bucket".into(), json!(bucket));
    for (flag, key) in flags.into_iter().zip(FLAGS) {
        state.insert(key.into(), json!(flag));
    }
    state
}

#[async_trait]
impl Driver for S3BucketPublicAccessBlock {
    fn resource_type(&self) -> &'static str {
        "aws_s3_bucket_public_access_block"
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
        let flags = wanted(desired)?;
        put_flags(ctx, &client, &bucket, flags).await?;
        Ok(state_of(desired, &bucket, flags))
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = s3_client::client(ctx);
        let bucket = state_id(state)?;
        Ok(find_flags(&client, bucket)
            .await?
            .map(|flags| state_of(state, bucket, flags)))
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = s3_client::client(ctx);
        let bucket = state_id(state)?;
        if let Some(wanted_bucket) = attrs::string(desired, "bucket")?
            && wanted_bucket != bucket
        {
            return Err(DriverError::new(format!(
                "the bucket of a public access block cannot change in place ({bucket} to {wanted_bucket})"
            )));
        }
        let flags = wanted(desired)?;
        if find_flags(&client, bucket).await? != Some(flags) {
            put_flags(ctx, &client, bucket, flags).await?;
        }
        Ok(state_of(desired, bucket, flags))
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = s3_client::client(ctx);
        let bucket = state_id(state)?;
        match client.delete_public_access_block().bucket(bucket).send().await {
            Ok(_) => {}
            Err(e) if has_code(&e, NO_SUCH_BUCKET) || has_code(&e, NO_BLOCK) => return Ok(()),
            Err(e) => return Err(aws_error("DeletePublicAccessBlock", e)),
        }
        let mut waiter = Waiter::new(
            format!("public access block of bucket {bucket} to be deleted"),
            ctx.env.component_timeout,
        );
        while find_flags(&client, bucket).await?.is_some() {
            waiter.pause().await?;
        }
        Ok(())
    }
}
