//! `aws_s3_bucket_server_side_encryption_configuration`: PutBucketEncryption /
//! GetBucketEncryption / DeleteBucketEncryption.
//!
//! On AWS every bucket has had SSE-S3 default encryption since January 2023, so after
//! DeleteBucketEncryption a read finds `AES256` rather than nothing; an emulator may report
//! no configuration at all. Both read back as what S3 says.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::types::{
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};
use serde_json::{Map, Value, json};

use super::attrs::{self, Attrs};
use super::normalise;
use super::s3_client::{self, bucket_state};
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, build_error, found, state_id};

pub struct S3BucketServerSideEncryptionConfiguration;

/// The bucket ([`s3_client::NO_SUCH_BUCKET`]) or its encryption configuration does not exist.
const GONE: &[&str] = &[
    "NoSuchBucket",
    "NotFound",
    "ServerSideEncryptionConfigurationNotFoundError",
];

/// One encryption rule, as configured or as S3 reports it.
#[derive(Clone, Debug, PartialEq)]
struct Rule {
    algorithm: String,
    kms_key: Option<String>,
    bucket_key: bool,
}

fn wanted(desired: &Attrs) -> Result<Vec<Rule>, DriverError> {
    let rules = attrs::blocks(desired, "rule")?;
    if rules.is_empty() {
        return Err(DriverError::new("at least one `rule` block is required"));
    }
    rules
        .into_iter()
        .map(|rule| {
            let default = attrs::block(rule, "apply_server_side_encryption_by_default")?
                .ok_or_else(|| DriverError::new("rule.apply_server_side_encryption_by_default is required"))?;
            Ok(Rule {
                algorithm: attrs::required_string(default, "sse_algorithm")?.to_string(),
                kms_key: attrs::owned_string(default, "kms_master_key_id")?,
                bucket_key: attrs::boolean(rule, "bucket_key_enabled")?.unwrap_or(false),
            })
        })
        .collect()
}

/// GetBucketEncryption; `None` when the bucket or its configuration does not exist.
async fn find_rules(client: &Client, bucket: &str) -> Result<Option<Vec<Rule>>, DriverError> {
    let out = client.get_bucket_encryption().bucket(bucket).send().await;
    let Some(out) = found("GetBucketEncryption", GONE, out)? else {
        return Ok(None);
    };
    let rules = out
        .server_side_encryption_configuration()
        .map(|c| c.rules())
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let default = r.apply_server_side_encryption_by_default();
            Rule {
                algorithm: default
                    .map(|d| d.sse_algorithm().as_str().to_string())
                    .unwrap_or_default(),
                kms_key: default.and_then(|d| d.kms_master_key_id()).map(str::to_string),
                bucket_key: r.bucket_key_enabled().unwrap_or(false),
            }
        })
        .collect();
    Ok(Some(rules))
}

async fn put_rules(client: &Client, bucket: &str, rules: &[Rule]) -> Result<(), DriverError> {
    let sdk_rules = rules
        .iter()
        .map(|r| {
            let default = ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::from(r.algorithm.as_str()))
                .set_kms_master_key_id(r.kms_key.clone())
                .build()
                .map_err(build_error("apply_server_side_encryption_by_default"))?;
            Ok(ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(default)
                .bucket_key_enabled(r.bucket_key)
                .build())
        })
        .collect::<Result<Vec<_>, DriverError>>()?;
    let config = ServerSideEncryptionConfiguration::builder()
        .set_rules(Some(sdk_rules))
        .build()
        .map_err(build_error("server-side encryption configuration"))?;
    client
        .put_bucket_encryption()
        .bucket(bucket)
        .server_side_encryption_configuration(config)
        .send()
        .await
        .map_err(|e| aws_error("PutBucketEncryption", e))?;
    Ok(())
}

/// Waits until the configuration reads back as `rules` (S3 applies it eventually).
async fn wait_rules(ctx: &ChildCtx<'_>, client: &Client, bucket: &str, rules: &[Rule]) -> Result<(), DriverError> {
    wait::until(
        &format!("encryption configuration of bucket {bucket} to apply"),
        ctx.env.component_timeout,
        || async { Ok(find_rules(client, bucket).await?.filter(|now| same_rules(now, rules))) },
    )
    .await
    .map(|_| ())
}

fn same_rules(a: &[Rule], b: &[Rule]) -> bool {
    a.len() == b.len() && a.iter().all(|r| b.contains(r))
}

/// A rule as state, in the shape of the configured rule `prior` (optional fields appear
/// when configured or when S3 reports a value).
fn rule_value(rule: &Rule, prior: Option<&Map<String, Value>>) -> Value {
    let prior_default = prior
        .and_then(|p| p.get("apply_server_side_encryption_by_default"))
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_object);
    let mut default = json!({ "sse_algorithm": rule.algorithm });
    match (&rule.kms_key, prior_default.and_then(|d| d.get("kms_master_key_id"))) {
        (Some(key), _) => default["kms_master_key_id"] = json!(key),
        // Configured as unset (null or ""): keep that spelling.
        (None, Some(p)) if p.is_null() || p.as_str() == Some("") => default["kms_master_key_id"] = p.clone(),
        (None, Some(_)) => default["kms_master_key_id"] = json!(""),
        (None, None) => {}
    }
    let mut out = json!({ "apply_server_side_encryption_by_default": [default] });
    if rule.bucket_key || prior.is_some_and(|p| p.contains_key("bucket_key_enabled")) {
        out["bucket_key_enabled"] = json!(rule.bucket_key);
    }
    out
}

fn rules_value(rules: &[Rule], prior: Option<&Value>) -> Value {
    let prior_rules: Vec<&Map<String, Value>> = prior
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default();
    let values = rules
        .iter()
        .enumerate()
        .map(|(i, r)| rule_value(r, prior_rules.get(i).or(prior_rules.first()).copied()))
        .collect();
    normalise::set_like_prior(prior, values)
}

#[async_trait]
impl Driver for S3BucketServerSideEncryptionConfiguration {
    fn resource_type(&self) -> &'static str {
        "aws_s3_bucket_server_side_encryption_configuration"
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
        let rules = wanted(desired)?;
        put_rules(&client, bucket, &rules).await?;
        let state = bucket_state(desired, bucket);
        wait_rules(ctx, &client, bucket, &rules).await.after_create(&state)?;
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = s3_client::client(ctx);
        let bucket = state_id(state)?;
        let Some(rules) = find_rules(&client, bucket).await? else {
            return Ok(None);
        };
        let mut out = bucket_state(state, bucket);
        out.insert("rule".into(), rules_value(&rules, state.get("rule")));
        Ok(Some(out))
    }

    /// The encryption configuration of the (already adopted) bucket: it has no tags of its own.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        adopt(self, ctx, desired, attrs::required_string(desired, "bucket")?, false).await
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = s3_client::client(ctx);
        let bucket = state_id(state)?;
        attrs::unchanged(desired, "bucket", bucket)?;
        let rules = wanted(desired)?;
        if !find_rules(&client, bucket)
            .await?
            .is_some_and(|now| same_rules(&now, &rules))
        {
            put_rules(&client, bucket, &rules).await?;
            wait_rules(ctx, &client, bucket, &rules).await?;
        }
        Ok(bucket_state(desired, bucket))
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = s3_client::client(ctx);
        let bucket = state_id(state)?;
        let deleted = client.delete_bucket_encryption().bucket(bucket).send().await;
        found("DeleteBucketEncryption", GONE, deleted).map(|_| ())
    }
}
