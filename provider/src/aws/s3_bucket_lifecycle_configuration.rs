//! `aws_s3_bucket_lifecycle_configuration`: PutBucketLifecycleConfiguration /
//! GetBucketLifecycleConfiguration / DeleteBucketLifecycle.
//!
//! A bucket has one lifecycle configuration holding all its rules; a put replaces it whole,
//! so create and update are the same call. S3 applies it eventually, so writes wait until
//! it reads back. A rule may have a `filter` (empty: the whole bucket; or a `prefix`) and
//! the actions `expiration [{days}]`, `noncurrent_version_expiration [{noncurrent_days}]`
//! and `abort_incomplete_multipart_upload [{days_after_initiation}]`; any other setting is
//! rejected rather than dropped, and one set out of band reads as drift.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, BucketLifecycleConfiguration, ExpirationStatus, LifecycleExpiration, LifecycleRule,
    LifecycleRuleFilter, NoncurrentVersionExpiration,
};
use serde_json::{Map, Value, json};

use super::attrs::{self, Attrs};
use super::normalise;
use super::s3_client::{self, bucket_state};
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, build_error, found, state_id};

pub struct S3BucketLifecycleConfiguration;

/// The bucket ([`s3_client::NO_SUCH_BUCKET`]) or its lifecycle configuration does not exist.
const GONE: &[&str] = &["NoSuchBucket", "NotFound", "NoSuchLifecycleConfiguration"];

const RULE_SETTINGS: &[&str] = &[
    "id",
    "status",
    "filter",
    "expiration",
    "noncurrent_version_expiration",
    "abort_incomplete_multipart_upload",
];

/// One lifecycle rule, as configured or as S3 reports it.
#[derive(Clone, Debug, PartialEq)]
struct Rule {
    id: String,
    status: String,
    /// `None`: the rule applies to the whole bucket.
    prefix: Option<String>,
    expiration_days: Option<i32>,
    noncurrent_days: Option<i32>,
    abort_days: Option<i32>,
    /// Settings S3 reports that this driver does not manage (set out of band).
    unsupported: Vec<&'static str>,
}

/// The days of a single-setting action block such as `expiration [{days}]`.
fn action_days(rule: &Attrs, block: &str, key: &str, what: &str) -> Result<Option<i32>, DriverError> {
    let Some(b) = attrs::block(rule, block)? else {
        return Ok(None);
    };
    attrs::only_supported(b, &format!("{what}: {block}"), &[key])?;
    attrs::int32(b, key)?
        .map(Some)
        .ok_or_else(|| DriverError::new(format!("{what}: {block}.{key} is required")))
}

fn wanted_rule(rule: &Attrs) -> Result<Rule, DriverError> {
    let id = attrs::required_string(rule, "id")?;
    let what = format!("rule {id}");
    if attrs::string(rule, "prefix")?.is_some() {
        return Err(DriverError::new(format!(
            "{what}: the rule-level `prefix` is deprecated; use `filter {{ prefix = ... }}`"
        )));
    }
    attrs::only_supported(rule, &what, RULE_SETTINGS)?;
    let status = attrs::required_string(rule, "status")?;
    if !matches!(status, "Enabled" | "Disabled") {
        return Err(DriverError::new(format!(
            "{what}: status must be Enabled or Disabled, got {status}"
        )));
    }
    let prefix = match attrs::block(rule, "filter")? {
        Some(filter) => {
            attrs::only_supported(filter, &format!("{what}: filter"), &["prefix"])?;
            attrs::owned_string(filter, "prefix")?
        }
        None => None,
    };
    Ok(Rule {
        id: id.to_string(),
        status: status.to_string(),
        prefix,
        expiration_days: action_days(rule, "expiration", "days", &what)?,
        noncurrent_days: action_days(rule, "noncurrent_version_expiration", "noncurrent_days", &what)?,
        abort_days: action_days(
            rule,
            "abort_incomplete_multipart_upload",
            "days_after_initiation",
            &what,
        )?,
        unsupported: Vec::new(),
    })
}

/// The desired rules.
fn wanted(desired: &Attrs) -> Result<Vec<Rule>, DriverError> {
    let rules = attrs::blocks(desired, "rule")?;
    if rules.is_empty() {
        return Err(DriverError::new("at least one `rule` block is required"));
    }
    rules.into_iter().map(wanted_rule).collect()
}

/// A rule as S3 reports it.
// The rule-level `Prefix` is deprecated, but a rule written by an older tool still has it.
#[allow(deprecated)]
fn rule_of(r: &LifecycleRule) -> Rule {
    let filter = r.filter();
    let expiration = r.expiration();
    let noncurrent = r.noncurrent_version_expiration();
    let unsupported = [
        ("transition", !r.transitions().is_empty()),
        (
            "noncurrent_version_transition",
            !r.noncurrent_version_transitions().is_empty(),
        ),
        ("filter.tag", filter.and_then(|f| f.tag()).is_some()),
        ("filter.and", filter.and_then(|f| f.and()).is_some()),
        (
            "filter.object_size",
            filter.is_some_and(|f| f.object_size_greater_than().is_some() || f.object_size_less_than().is_some()),
        ),
        ("expiration.date", expiration.and_then(|e| e.date()).is_some()),
        (
            "expiration.expired_object_delete_marker",
            expiration
                .and_then(|e| e.expired_object_delete_marker())
                .unwrap_or(false),
        ),
        (
            "noncurrent_version_expiration.newer_noncurrent_versions",
            noncurrent.and_then(|n| n.newer_noncurrent_versions()).is_some(),
        ),
    ]
    .into_iter()
    .filter_map(|(name, present)| present.then_some(name))
    .collect();
    Rule {
        id: r.id().unwrap_or_default().to_string(),
        status: r.status().as_str().to_string(),
        prefix: filter
            .and_then(|f| f.prefix())
            .or(r.prefix())
            .filter(|p| !p.is_empty())
            .map(str::to_string),
        expiration_days: expiration.and_then(|e| e.days()),
        noncurrent_days: noncurrent.and_then(|n| n.noncurrent_days()),
        abort_days: r
            .abort_incomplete_multipart_upload()
            .and_then(|a| a.days_after_initiation()),
        unsupported,
    }
}

fn sdk_rule(r: &Rule) -> Result<LifecycleRule, DriverError> {
    // The whole bucket as an empty prefix: what S3 and S3-compatible stores all accept.
    let filter = LifecycleRuleFilter::builder()
        .prefix(r.prefix.clone().unwrap_or_default())
        .build();
    LifecycleRule::builder()
        .id(&r.id)
        .status(ExpirationStatus::from(r.status.as_str()))
        .filter(filter)
        .set_expiration(
            r.expiration_days
                .map(|d| LifecycleExpiration::builder().days(d).build()),
        )
        .set_noncurrent_version_expiration(
            r.noncurrent_days
                .map(|d| NoncurrentVersionExpiration::builder().noncurrent_days(d).build()),
        )
        .set_abort_incomplete_multipart_upload(r.abort_days.map(|d| {
            AbortIncompleteMultipartUpload::builder()
                .days_after_initiation(d)
                .build()
        }))
        .build()
        .map_err(build_error(&format!("rule {}", r.id)))
}

/// GetBucketLifecycleConfiguration; `None` when the bucket or its configuration does not
/// exist.
async fn find_rules(client: &Client, bucket: &str) -> Result<Option<Vec<Rule>>, DriverError> {
    let out = client.get_bucket_lifecycle_configuration().bucket(bucket).send().await;
    Ok(found("GetBucketLifecycleConfiguration", GONE, out)?.map(|out| out.rules().iter().map(rule_of).collect()))
}

async fn put_rules(client: &Client, bucket: &str, rules: &[Rule]) -> Result<(), DriverError> {
    let config = BucketLifecycleConfiguration::builder()
        .set_rules(Some(rules.iter().map(sdk_rule).collect::<Result<Vec<_>, _>>()?))
        .build()
        .map_err(build_error("lifecycle configuration"))?;
    client
        .put_bucket_lifecycle_configuration()
        .bucket(bucket)
        .lifecycle_configuration(config)
        .send()
        .await
        .map_err(|e| aws_error("PutBucketLifecycleConfiguration", e))?;
    Ok(())
}

/// Rules compare as a set: S3 keeps their order, but it carries no meaning.
fn same_rules(a: &[Rule], b: &[Rule]) -> bool {
    a.len() == b.len() && a.iter().all(|r| b.contains(r))
}

/// Waits until the configuration reads back as `rules` (S3 applies it eventually).
async fn wait_rules(ctx: &ChildCtx<'_>, client: &Client, bucket: &str, rules: &[Rule]) -> Result<(), DriverError> {
    wait::until(
        &format!("lifecycle configuration of bucket {bucket} to apply"),
        ctx.env.component_timeout,
        || async { Ok(find_rules(client, bucket).await?.filter(|now| same_rules(now, rules))) },
    )
    .await
    .map(|_| ())
}

fn days_block(key: &str, days: Option<i32>) -> Option<Value> {
    days.map(|d| json!([{ key: d }]))
}

/// A rule as state, in the shape of the configured rule `prior` where they mean the same:
/// a whole-bucket filter shows as `filter [{}]` only if the configuration wrote one.
fn rule_value(rule: &Rule, prior: Option<&Map<String, Value>>) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(rule.id));
    m.insert("status".into(), json!(rule.status));
    match &rule.prefix {
        Some(prefix) => {
            m.insert("filter".into(), json!([{ "prefix": prefix }]));
        }
        None if prior.is_none_or(|p| p.contains_key("filter")) => {
            m.insert("filter".into(), json!([{}]));
        }
        None => {}
    }
    let actions = [
        ("expiration", days_block("days", rule.expiration_days)),
        (
            "noncurrent_version_expiration",
            days_block("noncurrent_days", rule.noncurrent_days),
        ),
        (
            "abort_incomplete_multipart_upload",
            days_block("days_after_initiation", rule.abort_days),
        ),
    ];
    for (key, value) in actions {
        if let Some(v) = value {
            m.insert(key.into(), v);
        }
    }
    if !rule.unsupported.is_empty() {
        // Shown so that a setting made out of band reads as drift instead of matching.
        m.insert("unsupported_settings".into(), json!(rule.unsupported));
    }
    let value = Value::Object(m);
    match prior {
        Some(p) => normalise::mirror(value, &Value::Object(p.clone())),
        None => value,
    }
}

/// The rules as state, in the prior order (matched by `id`) and shape.
fn rules_value(rules: &[Rule], prior: Option<&Value>) -> Value {
    let prior_rule = |id: &str| {
        prior
            .and_then(Value::as_array)
            .and_then(|p| p.iter().find(|r| r.get("id").and_then(Value::as_str) == Some(id)))
            .and_then(Value::as_object)
    };
    let values = rules.iter().map(|r| rule_value(r, prior_rule(&r.id))).collect();
    Value::Array(normalise::order_like(values, prior, "id"))
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

    /// The lifecycle configuration of the (already adopted) bucket: it has no tags of its own.
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
        let deleted = client.delete_bucket_lifecycle().bucket(bucket).send().await;
        if found("DeleteBucketLifecycle", GONE, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("lifecycle configuration of bucket {bucket} to be deleted"),
            ctx.env.component_timeout,
            || find_rules(&client, bucket),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Attrs {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn rules_take_filters_and_actions() {
        let desired = obj(json!({"bucket": "b", "rule": [
            {"id": "all", "status": "Enabled", "filter": [{}], "expiration": [{"days": 30}]},
            {"id": "logs", "status": "Disabled", "filter": [{"prefix": "logs/"}],
             "noncurrent_version_expiration": [{"noncurrent_days": 7}],
             "abort_incomplete_multipart_upload": [{"days_after_initiation": "2"}]},
        ]}));
        let rules = wanted(&desired).expect("rules");
        assert_eq!(rules[0].prefix, None);
        assert_eq!(rules[0].expiration_days, Some(30));
        assert_eq!(rules[1].prefix.as_deref(), Some("logs/"));
        assert_eq!((rules[1].noncurrent_days, rules[1].abort_days), (Some(7), Some(2)));
    }

    #[test]
    fn unsupported_settings_are_errors() {
        let transition = obj(json!({"rule": [{"id": "r", "status": "Enabled", "transition": [{"days": 30}]}]}));
        assert!(wanted(&transition).is_err_and(|e| e.message.contains("transition")));
        let tag = obj(json!({"rule": [{"id": "r", "status": "Enabled", "filter": [{"tag": [{"key": "a"}]}]}]}));
        assert!(wanted(&tag).is_err_and(|e| e.message.contains("filter: not supported: tag")));
        let status = obj(json!({"rule": [{"id": "r", "status": "On"}]}));
        assert!(wanted(&status).is_err_and(|e| e.message.contains("Enabled or Disabled")));
        assert!(wanted(&obj(json!({"rule": []}))).is_err());
        let legacy = obj(json!({"rule": [{"id": "r", "status": "Enabled", "prefix": "x/"}]}));
        assert!(wanted(&legacy).is_err_and(|e| e.message.contains("filter")));
    }

    #[test]
    fn reads_keep_the_configured_shape() {
        let rule = Rule {
            id: "r".into(),
            status: "Enabled".into(),
            prefix: None,
            expiration_days: Some(30),
            noncurrent_days: None,
            abort_days: None,
            unsupported: Vec::new(),
        };
        let with_filter = json!([{"id": "r", "status": "Enabled", "filter": [{}], "expiration": [{"days": 30}]}]);
        assert_eq!(
            rules_value(std::slice::from_ref(&rule), Some(&with_filter)),
            with_filter
        );
        let without = json!([{"id": "r", "status": "Enabled", "expiration": [{"days": 30}]}]);
        assert_eq!(rules_value(std::slice::from_ref(&rule), Some(&without)), without);
        let empty_prefix =
            json!([{"id": "r", "status": "Enabled", "filter": [{"prefix": ""}], "expiration": [{"days": 30}]}]);
        assert_eq!(
            rules_value(std::slice::from_ref(&rule), Some(&empty_prefix)),
            empty_prefix
        );
        let drifted = Rule {
            unsupported: vec!["transition"],
            ..rule
        };
        assert_ne!(rules_value(&[drifted], Some(&with_filter)), with_filter);
    }
}
