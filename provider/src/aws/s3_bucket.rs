//! `aws_s3_bucket`: CreateBucket / HeadBucket / PutBucketTagging / DeleteBucket.
//!
//! Only the bucket and its tags: versioning, encryption and the public access block are
//! their own components, as in `hashicorp/aws` v5. `force_destroy` is not an AWS setting:
//! it tells delete to remove every object version and delete marker first.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration, Delete, ObjectIdentifier, Tag, Tagging};
use serde_json::{Value, json};

use super::attrs::{self, Attrs};
use super::s3_client::{self, NO_SUCH_BUCKET};
use super::tags::{self, Tags};
use super::wait::{self, Waiter};
use super::{
    AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, arn, aws_error, build_error, found, has_code,
    state_id,
};

pub struct S3Bucket;

const NO_TAGS: &[&str] = &["NoSuchTagSet", "NoSuchTagSetError"];
/// DeleteObjects takes at most this many keys per call.
const DELETE_BATCH: usize = 1000;

/// HeadBucket; the bucket's region when it exists, `None` when it does not.
async fn find_bucket(client: &Client, bucket: &str) -> Result<Option<Option<String>>, DriverError> {
    let out = client.head_bucket().bucket(bucket).send().await;
    Ok(found("HeadBucket", NO_SUCH_BUCKET, out)?.map(|out| out.bucket_region().map(str::to_string)))
}

async fn find_tags(client: &Client, bucket: &str) -> Result<Tags, DriverError> {
    let out = client.get_bucket_tagging().bucket(bucket).send().await;
    Ok(found("GetBucketTagging", NO_TAGS, out)?
        .map(|out| {
            out.tag_set()
                .iter()
                .map(|t| (t.key().to_string(), t.value().to_string()))
                .collect()
        })
        .unwrap_or_default())
}

/// S3 replaces the whole tag set at once.
async fn put_tags(client: &Client, bucket: &str, wanted: &Tags) -> Result<(), DriverError> {
    if wanted.is_empty() {
        client
            .delete_bucket_tagging()
            .bucket(bucket)
            .send()
            .await
            .map_err(|e| aws_error("DeleteBucketTagging", e))?;
        return Ok(());
    }
    let tag_set = wanted
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build().map_err(build_error("tag")))
        .collect::<Result<Vec<_>, _>>()?;
    let tagging = Tagging::builder()
        .set_tag_set(Some(tag_set))
        .build()
        .map_err(build_error("tagging"))?;
    client
        .put_bucket_tagging()
        .bucket(bucket)
        .tagging(tagging)
        .send()
        .await
        .map_err(|e| aws_error("PutBucketTagging", e))?;
    Ok(())
}

/// The computed attributes other components refer to.
fn identity(state: &mut ChildState, bucket: &str, region: &str) {
    let partition = arn::partition(region);
    state.insert("id".into(), json!(bucket));
    state.insert("bucket".into(), json!(bucket));
    state.insert("arn".into(), json!(arn::build(partition, "s3", "", "", bucket)));
    state.insert(
        "bucket_regional_domain_name".into(),
        json!(format!("{bucket}.s3.{region}.{}", arn::dns_suffix(partition))),
    );
    state.insert("region".into(), json!(region));
}

/// Deletes every object version and delete marker, page by page.
async fn empty_bucket(ctx: &ChildCtx<'_>, client: &Client, bucket: &str) -> Result<(), DriverError> {
    let waiter = Waiter::new(format!("bucket {bucket} to be emptied"), ctx.env.component_timeout);
    loop {
        waiter.check()?;
        let listed = client.list_object_versions().bucket(bucket).send().await;
        let Some(page) = found("ListObjectVersions", NO_SUCH_BUCKET, listed)? else {
            return Ok(());
        };
        let mut ids = Vec::new();
        let listed = page
            .versions()
            .iter()
            .map(|v| (v.key(), v.version_id()))
            .chain(page.delete_markers().iter().map(|m| (m.key(), m.version_id())));
        for (key, version) in listed {
            let Some(key) = key else { continue };
            ids.push(
                ObjectIdentifier::builder()
                    .key(key)
                    .set_version_id(version.map(str::to_string))
                    .build()
                    .map_err(build_error("object identifier"))?,
            );
        }
        if ids.is_empty() {
            return Ok(());
        }
        // Deleting what was listed and listing again from the start needs no markers and
        // always makes progress.
        for batch in ids.chunks(DELETE_BATCH) {
            let delete = Delete::builder()
                .set_objects(Some(batch.to_vec()))
                .quiet(true)
                .build()
                .map_err(build_error("delete request"))?;
            let out = client
                .delete_objects()
                .bucket(bucket)
                .delete(delete)
                .bypass_governance_retention(true)
                .send()
                .await
                .map_err(|e| aws_error("DeleteObjects", e))?;
            if let Some(err) = out.errors().first() {
                return Err(DriverError::new(format!(
                    "DeleteObjects: {} object(s) of bucket {bucket} not deleted, first {}: {}: {}",
                    out.errors().len(),
                    err.key().unwrap_or_default(),
                    err.code().unwrap_or_default(),
                    err.message().unwrap_or_default()
                )));
            }
        }
    }
}

#[async_trait]
impl Driver for S3Bucket {
    fn resource_type(&self) -> &'static str {
        "aws_s3_bucket"
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
        attrs::boolean(desired, "force_destroy")?;
        let region = arn::region(ctx)?;
        let all_tags = tags::wanted(ctx, desired)?;
        let mut request = client.create_bucket().bucket(bucket);
        // us-east-1 is the default location and AWS rejects it as an explicit constraint.
        if region != "us-east-1" {
            request = request.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(region.as_str()))
                    .build(),
            );
        }
        request.send().await.map_err(|e| aws_error("CreateBucket", e))?;

        let mut state = desired.clone();
        identity(&mut state, bucket, &region);
        tags::put_applied(&mut state, desired, &all_tags)?;
        wait::until(&format!("bucket {bucket} to exist"), ctx.env.component_timeout, || {
            find_bucket(&client, bucket)
        })
        .await
        .after_create(&state)?;
        if !all_tags.is_empty() {
            put_tags(&client, bucket, &all_tags).await.after_create(&state)?;
        }
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = s3_client::client(ctx);
        let bucket = state_id(state)?;
        let Some(bucket_region) = find_bucket(&client, bucket).await? else {
            return Ok(None);
        };
        let region = match bucket_region {
            Some(region) => region,
            None => arn::region(ctx)?,
        };
        let mut out = state.clone();
        identity(&mut out, bucket, &region);
        // Not an AWS setting: what the configuration said.
        out.insert(
            "force_destroy".into(),
            Value::Bool(attrs::boolean(state, "force_destroy")?.unwrap_or(false)),
        );
        tags::put_read_state(ctx, &mut out, state, &find_tags(&client, bucket).await?)?;
        Ok(Some(out))
    }

    /// The bucket of this name (HeadBucket and GetBucketTagging, as `read`), if tagged for this composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        adopt(self, ctx, desired, attrs::required_string(desired, "bucket")?, true).await
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = s3_client::client(ctx);
        let bucket = state_id(state)?;
        attrs::unchanged(desired, "bucket", bucket)?;
        attrs::boolean(desired, "force_destroy")?;
        let Some(bucket_region) = find_bucket(&client, bucket).await? else {
            return Err(DriverError::new(format!("bucket {bucket} does not exist")));
        };
        let all_tags = tags::wanted(ctx, desired)?;
        if find_tags(&client, bucket).await? != all_tags {
            put_tags(&client, bucket, &all_tags).await?;
        }
        let region = match bucket_region {
            Some(region) => region,
            None => arn::region(ctx)?,
        };
        let mut out = desired.clone();
        identity(&mut out, bucket, &region);
        tags::put_applied(&mut out, desired, &all_tags)?;
        Ok(out)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = s3_client::client(ctx);
        let bucket = state_id(state)?;
        if attrs::boolean(state, "force_destroy")?.unwrap_or(false) {
            empty_bucket(ctx, &client, bucket).await?;
        }
        let deleted = client.delete_bucket().bucket(bucket).send().await;
        if let Err(e) = &deleted
            && has_code(e, &["BucketNotEmpty"])
        {
            return Err(DriverError::new(format!(
                "DeleteBucket: bucket {bucket} is not empty; set force_destroy = true to delete it \
                 with every object version in it"
            )));
        }
        if found("DeleteBucket", NO_SUCH_BUCKET, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("bucket {bucket} to be deleted"),
            ctx.env.component_timeout,
            || find_bucket(&client, bucket),
        )
        .await
    }
}
