//! `aws_s3_bucket_public_access_block`: PutPublicAccessBlock / GetPublicAccessBlock /
//! DeletePublicAccessBlock. S3 applies the settings eventually, so writes wait until they
//! read back.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::types::PublicAccessBlockConfiguration;
use serde_json::json;

use super::attrs::{self, Attrs};
use super::s3_client::{self, bucket_state};
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, state_id};

pub struct S3BucketPublicAccessBlock;

/// The bucket ([`s3_client::NO_SUCH_BUCKET`]) or its public access block does not exist.
const GONE: &[&str] = &["NoSuchBucket", "NotFound", "NoSuchPublicAccessBlockConfiguration"];

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
    let out = client.get_public_access_block().bucket(bucket).send().await;
    Ok(found("GetPublicAccessBlock", GONE, out)?.map(|out| {
        let c = out.public_access_block_configuration();
        let get = |f: fn(&PublicAccessBlockConfiguration) -> Option<bool>| c.and_then(f).unwrap_or(false);
        [
            get(PublicAccessBlockConfiguration::block_public_acls),
            get(PublicAccessBlockConfiguration::block_public_policy),
            get(PublicAccessBlockConfiguration::ignore_public_acls),
            get(PublicAccessBlockConfiguration::restrict_public_buckets),
        ]
    }))
}

async fn put_flags(client: &Client, bucket: &str, flags: Flags) -> Result<(), DriverError> {
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
    Ok(())
}

/// Waits until the settings read back as `flags` (S3 applies them eventually).
async fn wait_flags(ctx: &ChildCtx<'_>, client: &Client, bucket: &str, flags: Flags) -> Result<(), DriverError> {
    wait::until(
        &format!("public access block of bucket {bucket} to apply"),
        ctx.env.component_timeout,
        || async { Ok(find_flags(client, bucket).await?.filter(|now| *now == flags)) },
    )
    .await
    .map(|_| ())
}

fn state_of(base: &Attrs, bucket: &str, flags: Flags) -> ChildState {
    let mut state = bucket_state(base, bucket);
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
        put_flags(&client, bucket, flags).await?;
        let state = state_of(desired, bucket, flags);
        wait_flags(ctx, &client, bucket, flags).await.after_create(&state)?;
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = s3_client::client(ctx);
        let bucket = state_id(state)?;
        Ok(find_flags(&client, bucket)
            .await?
            .map(|flags| state_of(state, bucket, flags)))
    }

    /// The public access block of the (already adopted) bucket: it has no tags of its own.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        adopt(self, ctx, desired, attrs::required_string(desired, "bucket")?, false).await
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = s3_client::client(ctx);
        let bucket = state_id(state)?;
        attrs::unchanged(desired, "bucket", bucket)?;
        let flags = wanted(desired)?;
        if find_flags(&client, bucket).await? != Some(flags) {
            put_flags(&client, bucket, flags).await?;
            wait_flags(ctx, &client, bucket, flags).await?;
        }
        Ok(state_of(desired, bucket, flags))
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = s3_client::client(ctx);
        let bucket = state_id(state)?;
        let deleted = client.delete_public_access_block().bucket(bucket).send().await;
        if found("DeletePublicAccessBlock", GONE, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("public access block of bucket {bucket} to be deleted"),
            ctx.env.component_timeout,
            || find_flags(&client, bucket),
        )
        .await
    }
}
