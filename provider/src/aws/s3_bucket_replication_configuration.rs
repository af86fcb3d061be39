//! `aws_s3_bucket_replication_configuration`: PutBucketReplication / GetBucketReplication /
//! DeleteBucketReplication.
//!
//! A bucket has one replication configuration (an IAM role plus rules); a put replaces it
//! whole, so create and update are the same call. S3 refuses it unless versioning is enabled
//! on the source bucket (and the destination needs it too): the blueprint orders the
//! versioning components first. Rules are always written in S3's current schema (a `filter`,
//! a `priority` and a `delete_marker_replication` status on every rule), the form that allows
//! several rules. Supported per rule: `id`, `status`, `priority`, `filter [{prefix}]`,
//! `delete_marker_replication [{status}]`, `destination [{bucket, storage_class,
//! encryption_configuration [{replica_kms_key_id}]}]` and `source_selection_criteria
//! [{sse_kms_encrypted_objects [{status}]}]`; any other setting is rejected rather than
//! dropped, and one set out of band reads as drift.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::types::{
    DeleteMarkerReplication, DeleteMarkerReplicationStatus, Destination, EncryptionConfiguration,
    ReplicationConfiguration, ReplicationRule, ReplicationRuleFilter, ReplicationRuleStatus, SourceSelectionCriteria,
    SseKmsEncryptedObjects, SseKmsEncryptedObjectsStatus, StorageClass,
};
use serde_json::{Map, Value, json};

use super::attrs::{self, Attrs};
use super::normalise;
use super::s3_client::{self, bucket_state};
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, build_error, found, state_id};

pub struct S3BucketReplicationConfiguration;

/// The bucket or its replication configuration does not exist.
const GONE: &[&str] = &["NoSuchBucket", "NotFound", "ReplicationConfigurationNotFoundError"];

const RULE_SETTINGS: &[&str] = &[
    "id",
    "status",
    "priority",
    "filter",
    "delete_marker_replication",
    "destination",
    "source_selection_criteria",
];

const DISABLED: &str = "Disabled";

/// One replication rule, as configured or as S3 reports it.
#[derive(Clone, Debug, PartialEq)]
struct Rule {
    id: String,
    status: String,
    priority: Option<i32>,
    /// `None`: the rule applies to the whole bucket.
    prefix: Option<String>,
    delete_marker: Option<String>,
    /// The destination bucket's ARN.
    bucket: String,
    storage_class: Option<String>,
    replica_kms_key_id: Option<String>,
    /// `source_selection_criteria.sse_kms_encrypted_objects.status`
    sse_kms: Option<String>,
    /// Settings S3 reports that this driver does not manage (set out of band).
    unsupported: Vec<&'static str>,
}

impl Rule {
    /// The rule with S3's defaults filled in, for comparing a configuration with S3's.
    fn canonical(&self) -> Rule {
        Rule {
            priority: Some(self.priority.unwrap_or(0)),
            prefix: self.prefix.clone().filter(|p| !p.is_empty()),
            delete_marker: Some(self.delete_marker.clone().unwrap_or_else(|| DISABLED.into())),
            ..self.clone()
        }
    }
}

/// `Enabled` or `Disabled` from `block.key`.
fn status_of(block: &Attrs, key: &str, what: &str) -> Result<String, DriverError> {
    let status = attrs::required_string(block, key)?;
    if !matches!(status, "Enabled" | DISABLED) {
        return Err(DriverError::new(format!(
            "{what}: {key} must be Enabled or Disabled, got {status}"
        )));
    }
    Ok(status.to_string())
}

/// The one block `key` of `parent`, checked to hold only `supported` settings.
fn sub_block<'a>(
    parent: &'a Attrs,
    key: &str,
    what: &str,
    supported: &[&str],
) -> Result<Option<&'a Attrs>, DriverError> {
    let block = attrs::block(parent, key)?;
    if let Some(b) = block {
        attrs::only_supported(b, &format!("{what}: {key}"), supported)?;
    }
    Ok(block)
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
    let prefix = match sub_block(rule, "filter", &what, &["prefix"])? {
        Some(filter) => attrs::owned_string(filter, "prefix")?,
        None => None,
    };
    let delete_marker = sub_block(rule, "delete_marker_replication", &what, &["status"])?
        .map(|b| status_of(b, "status", &format!("{what}: delete_marker_replication")))
        .transpose()?;
    let destination = sub_block(
        rule,
        "destination",
        &what,
        &["bucket", "storage_class", "encryption_configuration"],
    )?
    .ok_or_else(|| DriverError::new(format!("{what}: block `destination` is required")))?;
    let dest_what = format!("{what}: destination");
    let replica_kms_key_id = match sub_block(
        destination,
        "encryption_configuration",
        &dest_what,
        &["replica_kms_key_id"],
    )? {
        Some(b) => Some(attrs::required_string(b, "replica_kms_key_id")?.to_string()),
        None => None,
    };
    let sse_kms = match sub_block(rule, "source_selection_criteria", &what, &["sse_kms_encrypted_objects"])? {
        Some(criteria) => {
            let criteria_what = format!("{what}: source_selection_criteria");
            sub_block(criteria, "sse_kms_encrypted_objects", &criteria_what, &["status"])?
                .map(|b| status_of(b, "status", &format!("{criteria_what}: sse_kms_encrypted_objects")))
                .transpose()?
        }
        None => None,
    };
    Ok(Rule {
        id: id.to_string(),
        status: status_of(rule, "status", &what)?,
        priority: attrs::int32(rule, "priority")?,
        prefix,
        delete_marker,
        bucket: attrs::required_string(destination, "bucket")?.to_string(),
        storage_class: attrs::owned_string(destination, "storage_class")?,
        replica_kms_key_id,
        sse_kms,
        unsupported: Vec::new(),
    })
}

/// The desired role and rules.
fn wanted(desired: &Attrs) -> Result<(&str, Vec<Rule>), DriverError> {
    let role = attrs::required_string(desired, "role")?;
    let rules = attrs::blocks(desired, "rule")?;
    if rules.is_empty() {
        return Err(DriverError::new("at least one `rule` block is required"));
    }
    let rules: Vec<Rule> = rules.into_iter().map(wanted_rule).collect::<Result<_, _>>()?;
    let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        return Err(DriverError::new("rule ids must be unique"));
    }
    Ok((role, rules))
}

/// A rule as S3 reports it.
// The rule-level `Prefix` is deprecated, but a rule written by an older tool still has it.
#[allow(deprecated)]
fn rule_of(r: &ReplicationRule) -> Rule {
    let filter = r.filter();
    let destination = r.destination();
    let criteria = r.source_selection_criteria();
    let unsupported = [
        ("filter.tag", filter.and_then(|f| f.tag()).is_some()),
        ("filter.and", filter.and_then(|f| f.and()).is_some()),
        ("existing_object_replication", r.existing_object_replication().is_some()),
        ("destination.account", destination.and_then(|d| d.account()).is_some()),
        (
            "destination.access_control_translation",
            destination.and_then(|d| d.access_control_translation()).is_some(),
        ),
        (
            "destination.replication_time",
            destination.and_then(|d| d.replication_time()).is_some(),
        ),
        ("destination.metrics", destination.and_then(|d| d.metrics()).is_some()),
        (
            "source_selection_criteria.replica_modifications",
            criteria.and_then(|c| c.replica_modifications()).is_some(),
        ),
    ]
    .into_iter()
    .filter_map(|(name, present)| present.then_some(name))
    .collect();
    Rule {
        id: r.id().unwrap_or_default().to_string(),
        status: r.status().as_str().to_string(),
        priority: r.priority(),
        prefix: filter
            .and_then(|f| f.prefix())
            .or(r.prefix())
            .filter(|p| !p.is_empty())
            .map(str::to_string),
        delete_marker: r
            .delete_marker_replication()
            .and_then(|d| d.status())
            .map(|s| s.as_str().to_string()),
        bucket: destination.map(|d| d.bucket().to_string()).unwrap_or_default(),
        storage_class: destination
            .and_then(|d| d.storage_class())
            .map(|s| s.as_str().to_string()),
        replica_kms_key_id: destination
            .and_then(|d| d.encryption_configuration())
            .and_then(|e| e.replica_kms_key_id())
            .map(str::to_string),
        sse_kms: criteria
            .and_then(|c| c.sse_kms_encrypted_objects())
            .map(|s| s.status().as_str().to_string()),
        unsupported,
    }
}

fn sdk_rule(r: &Rule) -> Result<ReplicationRule, DriverError> {
    let what = format!("rule {}", r.id);
    let destination = Destination::builder()
        .bucket(&r.bucket)
        .set_storage_class(r.storage_class.as_deref().map(StorageClass::from))
        .set_encryption_configuration(
            r.replica_kms_key_id
                .as_ref()
                .map(|k| EncryptionConfiguration::builder().replica_kms_key_id(k).build()),
        )
        .build()
        .map_err(build_error(&what))?;
    let criteria = match &r.sse_kms {
        Some(status) => Some(
            SourceSelectionCriteria::builder()
                .sse_kms_encrypted_objects(
                    SseKmsEncryptedObjects::builder()
                        .status(SseKmsEncryptedObjectsStatus::from(status.as_str()))
                        .build()
                        .map_err(build_error(&what))?,
                )
                .build(),
        ),
        None => None,
    };
    let canonical = r.canonical();
    ReplicationRule::builder()
        .id(&r.id)
        .status(ReplicationRuleStatus::from(r.status.as_str()))
        .set_priority(canonical.priority)
        // The whole bucket as an empty prefix: what S3 and S3-compatible stores all accept.
        .filter(
            ReplicationRuleFilter::builder()
                .prefix(r.prefix.clone().unwrap_or_default())
                .build(),
        )
        .delete_marker_replication(
            DeleteMarkerReplication::builder()
                .set_status(
                    canonical
                        .delete_marker
                        .as_deref()
                        .map(DeleteMarkerReplicationStatus::from),
                )
                .build(),
        )
        .destination(destination)
        .set_source_selection_criteria(criteria)
        .build()
        .map_err(build_error(&what))
}

fn sdk_configuration(role: &str, rules: &[Rule]) -> Result<ReplicationConfiguration, DriverError> {
    ReplicationConfiguration::builder()
        .role(role)
        .set_rules(Some(rules.iter().map(sdk_rule).collect::<Result<Vec<_>, _>>()?))
        .build()
        .map_err(build_error("replication configuration"))
}

/// GetBucketReplication as (role, rules); `None` when the bucket or its configuration does
/// not exist.
async fn find_configuration(client: &Client, bucket: &str) -> Result<Option<(String, Vec<Rule>)>, DriverError> {
    let out = client.get_bucket_replication().bucket(bucket).send().await;
    Ok(found("GetBucketReplication", GONE, out)?
        .and_then(|o| o.replication_configuration)
        .map(|c| (c.role().to_string(), c.rules().iter().map(rule_of).collect())))
}

/// Whether S3's configuration is the wanted one (rules as a set, defaults filled in).
fn same_configuration(now: &(String, Vec<Rule>), role: &str, rules: &[Rule]) -> bool {
    let (now_role, now_rules) = now;
    let now_rules: Vec<Rule> = now_rules.iter().map(Rule::canonical).collect();
    now_role == role && now_rules.len() == rules.len() && rules.iter().all(|r| now_rules.contains(&r.canonical()))
}

/// Whether a write has arrived: the role, and every wanted rule by id, status and
/// destination. (Only these: S3-compatible stores and emulators drop settings they do not
/// implement, which then read as drift instead of a write that never arrives.)
fn arrived(now: &(String, Vec<Rule>), role: &str, rules: &[Rule]) -> bool {
    let (now_role, now_rules) = now;
    now_role == role
        && now_rules.len() == rules.len()
        && rules.iter().all(|r| {
            now_rules
                .iter()
                .any(|n| n.id == r.id && n.status == r.status && n.bucket == r.bucket)
        })
}

async fn put_configuration(client: &Client, bucket: &str, role: &str, rules: &[Rule]) -> Result<(), DriverError> {
    client
        .put_bucket_replication()
        .bucket(bucket)
        .replication_configuration(sdk_configuration(role, rules)?)
        .send()
        .await
        .map_err(|e| aws_error("PutBucketReplication", e))?;
    Ok(())
}

/// Waits until a put has [`arrived`].
async fn wait_arrived(
    ctx: &ChildCtx<'_>,
    client: &Client,
    bucket: &str,
    role: &str,
    rules: &[Rule],
) -> Result<(), DriverError> {
    wait::until(
        &format!("replication configuration of bucket {bucket} to apply"),
        ctx.env.component_timeout,
        || async {
            Ok(find_configuration(client, bucket)
                .await?
                .filter(|now| arrived(now, role, rules)))
        },
    )
    .await
    .map(|_| ())
}

/// A rule as state, in the shape of the configured rule `prior` where they mean the same: a
/// default S3 fills in (priority 0, delete markers not replicated, the whole bucket) shows
/// only if the configuration wrote it.
fn rule_value(rule: &Rule, prior: Option<&Map<String, Value>>) -> Value {
    let configured = |key: &str| prior.is_none_or(|p| p.contains_key(key));
    let mut m = Map::new();
    m.insert("id".into(), json!(rule.id));
    m.insert("status".into(), json!(rule.status));
    if let Some(p) = rule.priority
        && (p != 0 || configured("priority"))
    {
        m.insert("priority".into(), json!(p));
    }
    match &rule.prefix {
        Some(prefix) => {
            m.insert("filter".into(), json!([{ "prefix": prefix }]));
        }
        None if configured("filter") => {
            m.insert("filter".into(), json!([{}]));
        }
        None => {}
    }
    if let Some(status) = &rule.delete_marker
        && (status != DISABLED || configured("delete_marker_replication"))
    {
        m.insert("delete_marker_replication".into(), json!([{ "status": status }]));
    }
    let mut destination = Map::new();
    destination.insert("bucket".into(), json!(rule.bucket));
    if let Some(class) = &rule.storage_class {
        destination.insert("storage_class".into(), json!(class));
    }
    if let Some(key) = &rule.replica_kms_key_id {
        destination.insert(
            "encryption_configuration".into(),
            json!([{ "replica_kms_key_id": key }]),
        );
    }
    m.insert("destination".into(), json!([destination]));
    if let Some(status) = &rule.sse_kms {
        m.insert(
            "source_selection_criteria".into(),
            json!([{ "sse_kms_encrypted_objects": [{ "status": status }] }]),
        );
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
impl Driver for S3BucketReplicationConfiguration {
    fn resource_type(&self) -> &'static str {
        "aws_s3_bucket_replication_configuration"
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
        let (role, rules) = wanted(desired)?;
        put_configuration(&client, bucket, role, &rules).await?;
        let state = bucket_state(desired, bucket);
        wait_arrived(ctx, &client, bucket, role, &rules)
            .await
            .after_create(&state)?;
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let bucket = state_id(state)?;
        let Some((role, rules)) = find_configuration(&s3_client::client(ctx), bucket).await? else {
            return Ok(None);
        };
        let mut out = bucket_state(state, bucket);
        out.insert("role".into(), json!(role));
        out.insert("rule".into(), rules_value(&rules, state.get("rule")));
        Ok(Some(out))
    }

    /// The replication configuration of the (already adopted) bucket: it has no tags of its own.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        adopt(self, ctx, desired, attrs::required_string(desired, "bucket")?, false).await
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = s3_client::client(ctx);
        let bucket = state_id(state)?;
        attrs::unchanged(desired, "bucket", bucket)?;
        let (role, rules) = wanted(desired)?;
        if !find_configuration(&client, bucket)
            .await?
            .is_some_and(|now| same_configuration(&now, role, &rules))
        {
            put_configuration(&client, bucket, role, &rules).await?;
            wait_arrived(ctx, &client, bucket, role, &rules).await?;
        }
        Ok(bucket_state(desired, bucket))
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = s3_client::client(ctx);
        let bucket = state_id(state)?;
        let deleted = client.delete_bucket_replication().bucket(bucket).send().await;
        if found("DeleteBucketReplication", GONE, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("replication configuration of bucket {bucket} to be deleted"),
            ctx.env.component_timeout,
            || find_configuration(&client, bucket),
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

    fn full() -> Attrs {
        obj(json!({"bucket": "src", "role": "arn:aws:iam::1:role/r", "rule": [{
            "id": "all", "status": "Enabled", "priority": 1, "filter": [{}],
            "delete_marker_replication": [{"status": "Enabled"}],
            "destination": [{"bucket": "arn:aws:s3:::dst", "storage_class": "STANDARD_IA",
                             "encryption_configuration": [{"replica_kms_key_id": "arn:aws:kms:eu-west-3:1:key/k"}]}],
            "source_selection_criteria": [{"sse_kms_encrypted_objects": [{"status": "Enabled"}]}],
        }]}))
    }

    #[test]
    fn rules_take_every_supported_setting_to_s3() {
        let desired = full();
        let (role, rules) = wanted(&desired).expect("rules");
        assert_eq!(role, "arn:aws:iam::1:role/r");
        let config = sdk_configuration(role, &rules).expect("configuration");
        let rule = &config.rules()[0];
        assert_eq!(rule.id(), Some("all"));
        assert_eq!(rule.priority(), Some(1));
        assert_eq!(rule.filter().and_then(|f| f.prefix()), Some(""));
        assert_eq!(
            rule.delete_marker_replication().and_then(|d| d.status()),
            Some(&DeleteMarkerReplicationStatus::Enabled)
        );
        let dest = rule.destination().expect("destination");
        assert_eq!(dest.bucket(), "arn:aws:s3:::dst");
        assert_eq!(dest.storage_class(), Some(&StorageClass::StandardIa));
        assert_eq!(
            dest.encryption_configuration().and_then(|e| e.replica_kms_key_id()),
            Some("arn:aws:kms:eu-west-3:1:key/k")
        );
        assert_eq!(
            rule.source_selection_criteria()
                .and_then(|c| c.sse_kms_encrypted_objects())
                .map(|s| s.status()),
            Some(&SseKmsEncryptedObjectsStatus::Enabled)
        );
        // S3 answering with what was sent reads back as the configuration.
        let read = rules_value(&[rule_of(rule)], full().get("rule"));
        assert_eq!(Some(&read), full().get("rule"));
    }

    #[test]
    fn defaults_are_filled_in_when_left_out() {
        let desired = obj(json!({"role": "r", "rule": [
            {"id": "a", "status": "Enabled", "destination": [{"bucket": "arn:aws:s3:::d"}]}]}));
        let (_, rules) = wanted(&desired).expect("rules");
        let sdk = sdk_rule(&rules[0]).expect("rule");
        assert_eq!(sdk.priority(), Some(0));
        assert_eq!(
            sdk.delete_marker_replication().and_then(|d| d.status()),
            Some(&DeleteMarkerReplicationStatus::Disabled)
        );
        // S3's defaults read back in the configured shape, so they are no drift.
        let read = rules_value(&[rule_of(&sdk)], desired.get("rule"));
        assert_eq!(Some(&read), desired.get("rule"));
        assert!(same_configuration(&("r".into(), vec![rule_of(&sdk)]), "r", &rules));
    }

    #[test]
    fn unsupported_and_invalid_settings_are_errors() {
        let mut tag = full();
        tag["rule"][0]["filter"] = json!([{"tag": [{"key": "a", "value": "b"}]}]);
        assert!(wanted(&tag).is_err_and(|e| e.message.contains("filter: not supported: tag")));
        let mut metrics = full();
        metrics["rule"][0]["destination"][0]["metrics"] = json!([{"status": "Enabled"}]);
        assert!(wanted(&metrics).is_err_and(|e| e.message.contains("destination: not supported: metrics")));
        let mut status = full();
        status["rule"][0]["status"] = json!("On");
        assert!(wanted(&status).is_err_and(|e| e.message.contains("Enabled or Disabled")));
        let mut no_dest = full();
        no_dest["rule"][0].as_object_mut().expect("rule").remove("destination");
        assert!(wanted(&no_dest).is_err_and(|e| e.message.contains("destination")));
        let mut twice = full();
        let rule = twice["rule"][0].clone();
        twice["rule"].as_array_mut().expect("rules").push(rule);
        assert!(wanted(&twice).is_err_and(|e| e.message.contains("unique")));
        assert!(wanted(&obj(json!({"role": "r", "rule": []}))).is_err());
    }

    #[test]
    fn changes_out_of_band_read_as_drift() {
        let desired = full();
        let (_, rules) = wanted(&desired).expect("rules");
        let mut changed = rules[0].clone();
        changed.delete_marker = Some(DISABLED.into());
        changed.sse_kms = None;
        let read = rules_value(&[changed.clone()], full().get("rule"));
        assert_ne!(Some(&read), full().get("rule"));
        assert!(!same_configuration(
            &("arn:aws:iam::1:role/r".into(), vec![changed.clone()]),
            "arn:aws:iam::1:role/r",
            &rules
        ));
        // …while the write still counts as arrived (same ids, status and destinations).
        assert!(arrived(
            &("arn:aws:iam::1:role/r".into(), vec![changed]),
            "arn:aws:iam::1:role/r",
            &rules
        ));
        let extra = Rule {
            unsupported: vec!["destination.metrics"],
            ..rules[0].clone()
        };
        assert_ne!(Some(&rules_value(&[extra], full().get("rule"))), full().get("rule"));
    }
}
