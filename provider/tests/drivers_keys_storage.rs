//! The key and storage drivers of the multi-region composite (KMS keys and aliases, S3
//! cross-region replication, S3 bucket policies, the caller identity data source) against a
//! real moto server, in eu-west-1 (primary) and eu-west-3 (failover): basic (create, read
//! equals desired, delete, read is gone), update in place, find (adopt), drift (changed out
//! of band: read shows AWS's value), and the SNS topic encrypted with one of our CMKs.

mod common;

use std::collections::BTreeMap;

use common::driver_kit::{assert_gone, assert_reads_as, driver, obj, read, string as s, tag};
use serde_json::{Map, Value, json};
use terraform_provider_wellarch::aws::{self, AwsEnv, COMPONENT_TAG, COMPOSITE_TAG, ChildCtx, ChildState};

const PRIMARY: &str = "eu-west-1";
const FAILOVER: &str = "eu-west-3";
const COMPOSITE: &str = "wellarch_multiregion_commerce.test";
const ACCOUNT: &str = "123456789012";

/// The moto-backed environment, or `None` (test skipped) when moto is not installed.
async fn env() -> Option<AwsEnv> {
    let moto = common::moto()?;
    Some(common::aws_env(moto, PRIMARY).await)
}

/// Context tags of one component; components are unique per test, since `find` of a KMS key
/// matches on them and tests share one moto.
fn ctx_tags(component: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (COMPOSITE_TAG.to_string(), COMPOSITE.to_string()),
        (COMPONENT_TAG.to_string(), component.to_string()),
        ("team".to_string(), "storage".to_string()),
    ])
}

fn ctx<'a>(env: &'a AwsEnv, region: &'a str, tags: &'a BTreeMap<String, String>, component: &'a str) -> ChildCtx<'a> {
    ChildCtx {
        env,
        region: Some(region),
        tags,
        composite: COMPOSITE,
        component,
    }
}

fn kms(env: &AwsEnv, region: &str) -> aws_sdk_kms::Client {
    aws_sdk_kms::Client::new(&env.config("kms", Some(region)))
}

fn s3(env: &AwsEnv, region: &str) -> aws_sdk_s3::Client {
    let cfg = env.config("s3", Some(region));
    aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&cfg).force_path_style(true).build())
}

/// A key policy that lets the account administer the key, with a statement named `sid`.
fn key_policy(sid: &str) -> String {
    json!({
        "Version": "2012-10-17",
        "Id": "wellarch",
        "Statement": [{
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
            "Action": "kms:*",
            "Resource": "*",
        }],
    })
    .to_string()
}

fn key_desired(description: &str) -> Map<String, Value> {
    obj(json!({
        "description": description,
        "key_usage": "ENCRYPT_DECRYPT",
        "enable_key_rotation": true,
        "policy": key_policy("Admin"),
        "deletion_window_in_days": 7,
        "multi_region": false,
        "tags": {"data": "orders"},
    }))
}

/// A plain key for the tests of other drivers (aliases, replication, SNS).
async fn plain_key(env: &AwsEnv, region: &str, component: &str) -> ChildState {
    let tags = ctx_tags(component);
    driver("aws_kms_key")
        .create(
            &ctx(env, region, &tags, component),
            &obj(json!({"description": component, "deletion_window_in_days": 7})),
        )
        .await
        .expect("create a KMS key")
}

async fn drop_key(env: &AwsEnv, region: &str, component: &str, key: &ChildState) {
    let tags = ctx_tags(component);
    driver("aws_kms_key")
        .delete(&ctx(env, region, &tags, component), key)
        .await
        .expect("delete the KMS key");
}

// ---------------------------------------------------------------- aws_kms_key

#[tokio::test]
async fn kms_key_in_two_regions() {
    let Some(env) = env().await else { return };
    let d = driver("aws_kms_key");
    assert_eq!(d.replace_on(), &["key_usage", "multi_region"]);
    for region in [PRIMARY, FAILOVER] {
        let component = format!("aws_kms_key.basic_{}", region.replace('-', "_"));
        let tags = ctx_tags(&component);
        let c = ctx(&env, region, &tags, &component);
        let desired = key_desired(&format!("data key {region}"));

        let state = d.create(&c, &desired).await.expect("create");
        let key_id = s(&state, "id").to_string();
        assert_eq!(s(&state, "key_id"), key_id);
        assert_eq!(s(&state, "arn"), format!("arn:aws:kms:{region}:{ACCOUNT}:key/{key_id}"));
        assert_reads_as(&state, &desired);

        let got = read(d, &c, &state).await;
        assert_reads_as(&got, &desired);
        assert_eq!(got.get("arn"), state.get("arn"));
        assert_eq!(tag(&got, "tags_all", "data"), Some("orders"));
        assert_eq!(tag(&got, "tags_all", "team"), Some("storage"));
        assert_eq!(tag(&got, "tags_all", COMPONENT_TAG), Some(component.as_str()));

        // What KMS has, asked directly, in the key's region only.
        let meta = kms(&env, region)
            .describe_key()
            .key_id(&key_id)
            .send()
            .await
            .expect("DescribeKey")
            .key_metadata
            .expect("metadata");
        assert_eq!(meta.description(), Some(format!("data key {region}").as_str()));
        let other = if region == PRIMARY { FAILOVER } else { PRIMARY };
        assert!(
            kms(&env, other).describe_key().key_id(&key_id).send().await.is_err(),
            "the key lives in {region} only"
        );
        let rotation = kms(&env, region)
            .get_key_rotation_status()
            .key_id(&key_id)
            .send()
            .await
            .expect("GetKeyRotationStatus");
        assert!(rotation.key_rotation_enabled());

        // Update in place: description, rotation, policy, tags.
        let mut changed = desired.clone();
        changed.insert("description".into(), json!("rotated off"));
        changed.insert("enable_key_rotation".into(), json!(false));
        changed.insert("policy".into(), json!(key_policy("AdminToo")));
        changed.insert("tags".into(), json!({"data": "payments", "tier": "1"}));
        let updated = d.update(&c, &state, &changed).await.expect("update");
        assert_eq!(updated.get("id"), state.get("id"), "updated in place");
        assert_reads_as(&updated, &changed);
        let got = read(d, &c, &updated).await;
        assert_reads_as(&got, &changed);
        assert_eq!(tag(&got, "tags_all", "tier"), Some("1"));
        let policy = kms(&env, region)
            .get_key_policy()
            .key_id(&key_id)
            .policy_name("default")
            .send()
            .await
            .expect("GetKeyPolicy");
        assert!(policy.policy().unwrap_or_default().contains("AdminToo"));

        // Delete schedules deletion with the configured window; the key then reads as gone.
        d.delete(&c, &updated).await.expect("delete");
        assert_gone(d, &c, &updated).await;
        let meta = kms(&env, region)
            .describe_key()
            .key_id(&key_id)
            .send()
            .await
            .expect("DescribeKey after delete")
            .key_metadata
            .expect("metadata");
        assert_eq!(meta.key_state(), Some(&aws_sdk_kms::types::KeyState::PendingDeletion));
        d.delete(&c, &updated).await.expect("deleting a deleted key succeeds");
    }
}

#[tokio::test]
async fn kms_key_find_and_drift() {
    let Some(env) = env().await else { return };
    let d = driver("aws_kms_key");
    let component = "aws_kms_key.drift";
    let tags = ctx_tags(component);
    let c = ctx(&env, FAILOVER, &tags, component);
    let desired = key_desired("drift");
    let state = d.create(&c, &desired).await.expect("create");
    let key_id = s(&state, "id");

    let found = d
        .find(&c, &desired)
        .await
        .expect("find")
        .expect("adopts the tagged key");
    assert_eq!(found.get("id"), state.get("id"));
    assert_reads_as(&found, &desired);
    // Another component's key, or this one seen from the other region, is not adopted.
    let other_tags = ctx_tags("aws_kms_key.other");
    let other = ctx(&env, FAILOVER, &other_tags, "aws_kms_key.other");
    assert_eq!(d.find(&other, &desired).await.expect("find"), None);
    assert_eq!(
        d.find(&ctx(&env, PRIMARY, &tags, component), &desired)
            .await
            .expect("find"),
        None
    );

    let client = kms(&env, FAILOVER);
    client
        .update_key_description()
        .key_id(key_id)
        .description("changed by hand")
        .send()
        .await
        .expect("UpdateKeyDescription out of band");
    client
        .disable_key_rotation()
        .key_id(key_id)
        .send()
        .await
        .expect("DisableKeyRotation out of band");
    client
        .put_key_policy()
        .key_id(key_id)
        .policy_name("default")
        .policy(key_policy("ByHand"))
        .send()
        .await
        .expect("PutKeyPolicy out of band");
    client
        .tag_resource()
        .key_id(key_id)
        .tags(
            aws_sdk_kms::types::Tag::builder()
                .tag_key("team")
                .tag_value("someone-else")
                .build()
                .expect("tag"),
        )
        .send()
        .await
        .expect("TagResource out of band");
    let got = read(d, &c, &state).await;
    assert_eq!(got["description"], json!("changed by hand"));
    assert_eq!(got["enable_key_rotation"], json!(false));
    assert!(
        s(&got, "policy").contains("ByHand"),
        "policy drift: {}",
        s(&got, "policy")
    );
    assert_eq!(tag(&got, "tags", "team"), Some("someone-else"));

    // Update brings it back.
    let fixed = d.update(&c, &got, &desired).await.expect("update");
    let got = read(d, &c, &fixed).await;
    assert_reads_as(&got, &desired);
    assert_eq!(tag(&got, "tags_all", "team"), Some("storage"));

    // Scheduled for deletion out of band: gone.
    client
        .schedule_key_deletion()
        .key_id(key_id)
        .pending_window_in_days(7)
        .send()
        .await
        .expect("ScheduleKeyDeletion out of band");
    assert_gone(d, &c, &state).await;
    assert_eq!(
        d.find(&c, &desired).await.expect("find"),
        None,
        "a dying key is not adopted"
    );
    d.delete(&c, &state)
        .await
        .expect("deleting a key pending deletion succeeds");
}

#[tokio::test]
async fn kms_key_rejects_what_kms_would() {
    let Some(env) = env().await else { return };
    let d = driver("aws_kms_key");
    let component = "aws_kms_key.invalid";
    let tags = ctx_tags(component);
    let c = ctx(&env, PRIMARY, &tags, component);
    let err = d
        .create(&c, &obj(json!({"deletion_window_in_days": 3})))
        .await
        .expect_err("window below 7 days");
    assert!(err.message.contains("between 7 and 30"), "{err}");
    assert!(err.created.is_none());
    let err = d
        .create(&c, &obj(json!({"policy": "{\"Statement\": ["})))
        .await
        .expect_err("not JSON");
    assert!(err.message.contains("`policy`"), "{err}");
}

// ---------------------------------------------------------------- aws_kms_alias

#[tokio::test]
async fn kms_alias_basic_update_find_drift() {
    let Some(env) = env().await else { return };
    let d = driver("aws_kms_alias");
    assert_eq!(d.replace_on(), &["name"]);
    let first = plain_key(&env, FAILOVER, "aws_kms_key.alias_first").await;
    let second = plain_key(&env, FAILOVER, "aws_kms_key.alias_second").await;
    let component = "aws_kms_alias.data";
    let tags = ctx_tags(component);
    let c = ctx(&env, FAILOVER, &tags, component);
    let name = format!("alias/{}", common::unique("wellarch-data"));
    let desired = obj(json!({"name": name, "target_key_id": s(&first, "key_id")}));

    let state = d.create(&c, &desired).await.expect("create");
    assert_eq!(s(&state, "id"), name);
    assert_eq!(
        s(&state, "arn"),
        format!("arn:aws:kms:{FAILOVER}:{ACCOUNT}:alias/{}", &name[6..])
    );
    assert_eq!(s(&state, "target_key_arn"), s(&first, "arn"));
    assert_reads_as(&state, &desired);
    let got = read(d, &c, &state).await;
    assert_reads_as(&got, &desired);
    // The alias resolves to the key, asked directly.
    let meta = kms(&env, FAILOVER)
        .describe_key()
        .key_id(&name)
        .send()
        .await
        .expect("DescribeKey by alias")
        .key_metadata
        .expect("metadata");
    assert_eq!(meta.key_id(), s(&first, "key_id"));

    // Move it to the second key, named by ARN: the ARN spelling stays in state.
    let moved = obj(json!({"name": name, "target_key_id": s(&second, "arn")}));
    let updated = d.update(&c, &state, &moved).await.expect("update");
    assert_eq!(updated.get("id"), state.get("id"));
    assert_reads_as(&updated, &moved);
    let got = read(d, &c, &updated).await;
    assert_reads_as(&got, &moved);
    assert_eq!(s(&got, "target_key_arn"), s(&second, "arn"));

    // find adopts the alias only while it points at the desired key.
    let found = d.find(&c, &moved).await.expect("find").expect("adopted");
    assert_eq!(found.get("id"), state.get("id"));
    assert_eq!(d.find(&c, &desired).await.expect("find"), None);

    // Drift: moved back by hand.
    kms(&env, FAILOVER)
        .update_alias()
        .alias_name(&name)
        .target_key_id(s(&first, "key_id"))
        .send()
        .await
        .expect("UpdateAlias out of band");
    let got = read(d, &c, &updated).await;
    assert_eq!(got["target_key_id"], json!(s(&first, "key_id")));
    assert_eq!(s(&got, "target_key_arn"), s(&first, "arn"));

    d.delete(&c, &updated).await.expect("delete");
    assert_gone(d, &c, &updated).await;
    d.delete(&c, &updated).await.expect("deleting a deleted alias succeeds");
    drop_key(&env, FAILOVER, "aws_kms_key.alias_first", &first).await;
    drop_key(&env, FAILOVER, "aws_kms_key.alias_second", &second).await;
}

// ---------------------------------------------------------------- S3

struct Bucket {
    region: &'static str,
    component: String,
    state: ChildState,
    versioning: Option<ChildState>,
}

/// A bucket in `region` (the s3_bucket driver), versioned when `versioned` (the
/// s3_bucket_versioning driver).
async fn bucket(env: &AwsEnv, region: &'static str, prefix: &str, versioned: bool) -> Bucket {
    let component = format!("aws_s3_bucket.{prefix}");
    let tags = ctx_tags(&component);
    let c = ctx(env, region, &tags, &component);
    let state = driver("aws_s3_bucket")
        .create(
            &c,
            &obj(json!({"bucket": common::unique(prefix), "force_destroy": true})),
        )
        .await
        .expect("create the bucket");
    let mut versioning = None;
    if versioned {
        versioning = Some(
            driver("aws_s3_bucket_versioning")
                .create(
                    &c,
                    &obj(json!({"bucket": s(&state, "id"), "versioning_configuration": [{"status": "Enabled"}]})),
                )
                .await
                .expect("enable versioning"),
        );
    }
    Bucket {
        region,
        component: component.clone(),
        state,
        versioning,
    }
}

impl Bucket {
    fn name(&self) -> &str {
        s(&self.state, "id")
    }

    fn arn(&self) -> &str {
        s(&self.state, "arn")
    }

    async fn remove(self, env: &AwsEnv) {
        let tags = ctx_tags(&self.component);
        let c = ctx(env, self.region, &tags, &self.component);
        if let Some(v) = &self.versioning {
            driver("aws_s3_bucket_versioning")
                .delete(&c, v)
                .await
                .expect("suspend versioning");
        }
        driver("aws_s3_bucket")
            .delete(&c, &self.state)
            .await
            .expect("delete the bucket");
    }
}

fn replication_desired(src: &Bucket, dst: &Bucket, replica_key_arn: &str, storage_class: &str) -> Map<String, Value> {
    obj(json!({
        "bucket": src.name(),
        "role": format!("arn:aws:iam::{ACCOUNT}:role/wellarch-replication"),
        "rule": [{
            "id": "to-failover",
            "status": "Enabled",
            "priority": 1,
            "filter": [{}],
            "delete_marker_replication": [{"status": "Disabled"}],
            "destination": [{
                "bucket": dst.arn(),
                "storage_class": storage_class,
                "encryption_configuration": [{"replica_kms_key_id": replica_key_arn}],
            }],
        }],
    }))
}

#[tokio::test]
async fn s3_replication_from_primary_to_failover() {
    let Some(env) = env().await else { return };
    let d = driver("aws_s3_bucket_replication_configuration");
    assert_eq!(d.replace_on(), &["bucket"]);
    let replica_key = plain_key(&env, FAILOVER, "aws_kms_key.replica").await;
    let src = bucket(&env, PRIMARY, "wellarch-primary", true).await;
    let dst = bucket(&env, FAILOVER, "wellarch-failover", true).await;
    assert_eq!(src.state["region"], json!(PRIMARY));
    assert_eq!(dst.state["region"], json!(FAILOVER));
    let component = "aws_s3_bucket_replication_configuration.primary";
    let tags = ctx_tags(component);
    let c = ctx(&env, PRIMARY, &tags, component);
    let desired = replication_desired(&src, &dst, s(&replica_key, "arn"), "STANDARD");

    let state = d.create(&c, &desired).await.expect("create");
    assert_eq!(s(&state, "id"), src.name());
    assert_reads_as(&state, &desired);
    let got = read(d, &c, &state).await;
    assert_reads_as(&got, &desired);

    // What S3 has, asked directly.
    let out = s3(&env, PRIMARY)
        .get_bucket_replication()
        .bucket(src.name())
        .send()
        .await
        .expect("GetBucketReplication");
    let config = out.replication_configuration().expect("configuration");
    assert_eq!(config.role(), desired["role"].as_str().expect("role"));
    let rule = &config.rules()[0];
    let dest = rule.destination().expect("destination");
    assert_eq!(dest.bucket(), dst.arn());
    assert_eq!(
        dest.encryption_configuration().and_then(|e| e.replica_kms_key_id()),
        Some(s(&replica_key, "arn"))
    );

    // Update in place: storage class and priority.
    let mut changed = replication_desired(&src, &dst, s(&replica_key, "arn"), "STANDARD_IA");
    changed["rule"][0]["priority"] = json!(2);
    let updated = d.update(&c, &state, &changed).await.expect("update");
    assert_eq!(updated.get("id"), state.get("id"));
    let got = read(d, &c, &updated).await;
    assert_reads_as(&got, &changed);

    // find adopts the configuration of the bucket.
    let found = d.find(&c, &changed).await.expect("find").expect("adopted");
    assert_reads_as(&found, &changed);

    // Drift: another destination storage class, set by hand.
    let drifted = aws_sdk_s3::types::ReplicationConfiguration::builder()
        .role(desired["role"].as_str().expect("role"))
        .rules(
            aws_sdk_s3::types::ReplicationRule::builder()
                .id("to-failover")
                .priority(2)
                .status(aws_sdk_s3::types::ReplicationRuleStatus::Enabled)
                .filter(aws_sdk_s3::types::ReplicationRuleFilter::builder().prefix("").build())
                .delete_marker_replication(
                    aws_sdk_s3::types::DeleteMarkerReplication::builder()
                        .status(aws_sdk_s3::types::DeleteMarkerReplicationStatus::Disabled)
                        .build(),
                )
                .destination(
                    aws_sdk_s3::types::Destination::builder()
                        .bucket(dst.arn())
                        .storage_class(aws_sdk_s3::types::StorageClass::Glacier)
                        .build()
                        .expect("destination"),
                )
                .build()
                .expect("rule"),
        )
        .build()
        .expect("configuration");
    s3(&env, PRIMARY)
        .put_bucket_replication()
        .bucket(src.name())
        .replication_configuration(drifted)
        .send()
        .await
        .expect("PutBucketReplication out of band");
    let got = read(d, &c, &updated).await;
    let dest = &got["rule"][0]["destination"][0];
    assert_eq!(dest["storage_class"], json!("GLACIER"));
    assert_eq!(dest.get("encryption_configuration"), None, "{got:#?}");
    let fixed = d.update(&c, &got, &changed).await.expect("update repairs the drift");
    assert_reads_as(&read(d, &c, &fixed).await, &changed);

    d.delete(&c, &fixed).await.expect("delete");
    assert_gone(d, &c, &fixed).await;
    d.delete(&c, &fixed)
        .await
        .expect("deleting a deleted configuration succeeds");

    src.remove(&env).await;
    dst.remove(&env).await;
    drop_key(&env, FAILOVER, "aws_kms_key.replica", &replica_key).await;
}

/// Settings moto 5.2.5 drops from GetBucketReplication (delete marker replication, the
/// filter's prefix, source selection criteria): the driver still sends them (checked in the
/// driver's unit tests) and the configuration still arrives; what moto returns then reads
/// as drift, as it would if S3 itself had lost them.
#[tokio::test]
async fn s3_replication_with_every_supported_setting() {
    let Some(env) = env().await else { return };
    let d = driver("aws_s3_bucket_replication_configuration");
    let src = bucket(&env, PRIMARY, "wellarch-kms-src", true).await;
    let dst = bucket(&env, FAILOVER, "wellarch-kms-dst", true).await;
    let component = "aws_s3_bucket_replication_configuration.full";
    let tags = ctx_tags(component);
    let c = ctx(&env, PRIMARY, &tags, component);
    let mut desired = replication_desired(&src, &dst, "arn:aws:kms:eu-west-3:123456789012:key/x", "STANDARD");
    desired["rule"][0]["filter"] = json!([{"prefix": "orders/"}]);
    desired["rule"][0]["delete_marker_replication"] = json!([{"status": "Enabled"}]);
    desired["rule"][0]["source_selection_criteria"] = json!([{"sse_kms_encrypted_objects": [{"status": "Enabled"}]}]);

    let state = d.create(&c, &desired).await.expect("create");
    let got = read(d, &c, &state).await;
    let rule = &got["rule"][0];
    assert_eq!(rule["id"], json!("to-failover"));
    assert_eq!(rule["priority"], json!(1));
    assert_eq!(rule["destination"], desired["rule"][0]["destination"]);

    d.delete(&c, &state).await.expect("delete");
    assert_gone(d, &c, &state).await;
    src.remove(&env).await;
    dst.remove(&env).await;
}

#[tokio::test]
async fn s3_replication_needs_versioning_first() {
    let Some(env) = env().await else { return };
    let d = driver("aws_s3_bucket_replication_configuration");
    let src = bucket(&env, PRIMARY, "wellarch-unversioned", false).await;
    let dst = bucket(&env, FAILOVER, "wellarch-unversioned-dst", true).await;
    let component = "aws_s3_bucket_replication_configuration.early";
    let tags = ctx_tags(component);
    let c = ctx(&env, PRIMARY, &tags, component);
    let err = d
        .create(
            &c,
            &replication_desired(&src, &dst, "arn:aws:kms:eu-west-3:123456789012:key/x", "STANDARD"),
        )
        .await
        .expect_err("S3 refuses replication without versioning");
    assert!(err.message.starts_with("PutBucketReplication"), "{err}");
    assert!(err.message.contains("Versioning"), "{err}");
    assert!(err.created.is_none(), "nothing was made");
    src.remove(&env).await;
    dst.remove(&env).await;
}

fn bucket_policy(bucket_arn: &str, sid: &str) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": sid,
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [bucket_arn, format!("{bucket_arn}/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }],
    })
    .to_string()
}

#[tokio::test]
async fn s3_bucket_policy_basic_update_find_drift() {
    let Some(env) = env().await else { return };
    let d = driver("aws_s3_bucket_policy");
    assert_eq!(d.replace_on(), &["bucket"]);
    let b = bucket(&env, FAILOVER, "wellarch-policy", false).await;
    let component = "aws_s3_bucket_policy.tls_only";
    let tags = ctx_tags(component);
    let c = ctx(&env, FAILOVER, &tags, component);
    let desired = obj(json!({"bucket": b.name(), "policy": bucket_policy(b.arn(), "TlsOnly")}));

    let state = d.create(&c, &desired).await.expect("create");
    assert_eq!(s(&state, "id"), b.name());
    assert_reads_as(&state, &desired);
    let got = read(d, &c, &state).await;
    assert_reads_as(&got, &desired);
    let direct = s3(&env, FAILOVER)
        .get_bucket_policy()
        .bucket(b.name())
        .send()
        .await
        .expect("GetBucketPolicy");
    assert!(direct.policy().unwrap_or_default().contains("TlsOnly"));

    let changed = obj(json!({"bucket": b.name(), "policy": bucket_policy(b.arn(), "TlsOnlyV2")}));
    let updated = d.update(&c, &state, &changed).await.expect("update");
    assert_reads_as(&read(d, &c, &updated).await, &changed);
    let found = d.find(&c, &changed).await.expect("find").expect("adopted");
    assert_reads_as(&found, &changed);

    s3(&env, FAILOVER)
        .put_bucket_policy()
        .bucket(b.name())
        .policy(bucket_policy(b.arn(), "ByHand"))
        .send()
        .await
        .expect("PutBucketPolicy out of band");
    let got = read(d, &c, &updated).await;
    assert!(s(&got, "policy").contains("ByHand"), "{got:#?}");
    assert_ne!(got["policy"], changed["policy"]);

    s3(&env, FAILOVER)
        .delete_bucket_policy()
        .bucket(b.name())
        .send()
        .await
        .expect("DeleteBucketPolicy out of band");
    assert_gone(d, &c, &updated).await;
    assert_eq!(d.find(&c, &changed).await.expect("find"), None);
    d.delete(&c, &updated)
        .await
        .expect("deleting a deleted policy succeeds");

    let state = d.create(&c, &desired).await.expect("create again");
    d.delete(&c, &state).await.expect("delete");
    assert_gone(d, &c, &state).await;
    b.remove(&env).await;
}

// ---------------------------------------------------------------- data sources, SNS

#[tokio::test]
async fn caller_identity() {
    let Some(env) = env().await else { return };
    let source = aws::data_source("aws_caller_identity").expect("registered");
    assert_eq!(source.service(), "sts");
    let tags = ctx_tags("data.aws_caller_identity.current");
    let got = source
        .read(
            &ctx(&env, FAILOVER, &tags, "data.aws_caller_identity.current"),
            &Map::new(),
        )
        .await
        .expect("read");
    assert_eq!(got["account_id"], json!(ACCOUNT));
    assert_eq!(got["id"], json!(ACCOUNT));
    assert!(
        got["arn"]
            .as_str()
            .is_some_and(|a| a.starts_with(&format!("arn:aws:sts::{ACCOUNT}:"))),
        "{got:?}"
    );
    assert!(got["user_id"].as_str().is_some_and(|u| !u.is_empty()), "{got:?}");
}

#[tokio::test]
async fn sns_topic_encrypted_with_our_cmk() {
    let Some(env) = env().await else { return };
    let key = plain_key(&env, PRIMARY, "aws_kms_key.alarms").await;
    let d = driver("aws_sns_topic");
    let component = "aws_sns_topic.alarms";
    let tags = ctx_tags(component);
    let c = ctx(&env, PRIMARY, &tags, component);
    let desired = obj(json!({"name": common::unique("alarms"), "kms_master_key_id": s(&key, "arn")}));
    let state = d.create(&c, &desired).await.expect("create");
    assert!(s(&state, "arn").starts_with(&format!("arn:aws:sns:{PRIMARY}:")));
    let got = read(d, &c, &state).await;
    assert_reads_as(&got, &desired);
    let attributes = aws_sdk_sns::Client::new(&env.config("sns", Some(PRIMARY)))
        .get_topic_attributes()
        .topic_arn(s(&state, "arn"))
        .send()
        .await
        .expect("GetTopicAttributes");
    assert_eq!(
        attributes
            .attributes()
            .and_then(|a| a.get("KmsMasterKeyId"))
            .map(String::as_str),
        Some(s(&key, "arn"))
    );
    d.delete(&c, &state).await.expect("delete");
    assert_gone(d, &c, &state).await;
    drop_key(&env, PRIMARY, "aws_kms_key.alarms", &key).await;
}
