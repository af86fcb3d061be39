//! `aws_rds_cluster`: CreateDBCluster / DescribeDBClusters / ModifyDBCluster /
//! RemoveFromGlobalCluster / DeleteDBCluster, for Aurora clusters that may belong to a global
//! database (the primary in one region, secondaries in others).
//!
//! The master password is write-only (`master_password_wo`): it is sent on create, and again
//! only when `master_password_wo_version` changes; it never reaches state. A secondary cluster
//! of a global database has no credentials or database name of its own: it inherits them.
//! A cluster becomes usable only once `available`, so create and update wait for it. A member
//! of a global database cannot be deleted: delete detaches it first (RemoveFromGlobalCluster)
//! and retries the deletion while AWS still reports the detachment in progress.
//!
//! The RDS tag helpers used by every RDS driver live here.

use async_trait::async_trait;
use aws_sdk_rds::Client;
use aws_sdk_rds::types::{CloudwatchLogsExportConfiguration, DbCluster, Tag};
use serde_json::{Map, Value, json};

use super::attrs::{self, Attrs};
use super::normalise;
use super::tags::{self, Tags};
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, has_code, state_id};

pub struct RdsCluster;

const NOT_FOUND: &[&str] = &["DBClusterNotFoundFault"];
/// The cluster is busy (creating, modifying, still detaching from a global database, instances
/// still being deleted): the call can be retried once it settles.
const BUSY: &[&str] = &["InvalidDBClusterStateFault"];
/// Global cluster or membership already gone: nothing to detach.
const NOT_A_MEMBER: &[&str] = &["GlobalClusterNotFoundFault", "DBClusterNotFoundFault"];

/// Write-only attributes: used on create or on a version change, never kept in state.
const WRITE_ONLY: &[&str] = &["master_password_wo"];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("rds"))
}

// ---- RDS tags (shared by the RDS drivers) ----

/// Tags in the RDS SDK's shape.
pub(crate) fn sdk_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// Tags of an RDS tag list (DescribeDB* answers carry one).
pub(crate) fn from_tag_list(list: &[Tag]) -> Tags {
    list.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string())))
        .collect()
}

/// ListTagsForResource.
pub(crate) async fn find_tags(client: &Client, arn: &str) -> Result<Tags, DriverError> {
    let out = client
        .list_tags_for_resource()
        .resource_name(arn)
        .send()
        .await
        .map_err(|e| aws_error("ListTagsForResource", e))?;
    Ok(from_tag_list(out.tag_list()))
}

/// Brings an RDS resource's tags to `wanted`, reading them first (ListTagsForResource).
pub(crate) async fn sync_tags(client: &Client, arn: &str, wanted: &Tags) -> Result<(), DriverError> {
    sync_tags_from(client, arn, &find_tags(client, arn).await?, wanted).await
}

/// Brings an RDS resource's tags from `actual` to `wanted` (RemoveTagsFromResource,
/// AddTagsToResource).
pub(crate) async fn sync_tags_from(
    client: &Client,
    arn: &str,
    actual: &Tags,
    wanted: &Tags,
) -> Result<(), DriverError> {
    tags::sync(
        actual,
        wanted,
        |keys| async move {
            client
                .remove_tags_from_resource()
                .resource_name(arn)
                .set_tag_keys(Some(keys))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("RemoveTagsFromResource", e))
        },
        |set| async move {
            client
                .add_tags_to_resource()
                .resource_name(arn)
                .set_tags(Some(sdk_tags(&set)))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("AddTagsToResource", e))
        },
    )
    .await
}

// ---- clusters ----

/// DescribeDBClusters for one cluster; `None` when it does not exist.
pub(crate) async fn find_cluster(client: &Client, id: &str) -> Result<Option<DbCluster>, DriverError> {
    let out = client.describe_db_clusters().db_cluster_identifier(id).send().await;
    Ok(found("DescribeDBClusters", NOT_FOUND, out)?.and_then(|o| o.db_clusters().first().cloned()))
}

/// The global cluster `cluster` belongs to: the cluster's own answer, else the global
/// cluster that lists its ARN as a member (what hashicorp/aws reads; older API answers and
/// moto leave the cluster's field out).
async fn global_membership(client: &Client, cluster: &DbCluster) -> Result<Option<String>, DriverError> {
    if let Some(id) = cluster.global_cluster_identifier().filter(|s| !s.is_empty()) {
        return Ok(Some(id.to_string()));
    }
    let Some(arn) = cluster.db_cluster_arn() else {
        return Ok(None);
    };
    let mut marker: Option<String> = None;
    // Bounded: 100 pages of global clusters is far beyond any account's quota.
    for _ in 0..100 {
        let page = client
            .describe_global_clusters()
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| aws_error("DescribeGlobalClusters", e))?;
        for global in page.global_clusters() {
            if global
                .global_cluster_members()
                .iter()
                .any(|m| m.db_cluster_arn() == Some(arn))
            {
                return Ok(global.global_cluster_identifier().map(str::to_string));
            }
        }
        match page.marker() {
            Some(next) if !next.is_empty() => marker = Some(next.to_string()),
            _ => return Ok(None),
        }
    }
    Ok(None)
}

/// Waits until the cluster is `available` (created, modified, joined to its global database).
async fn wait_available(ctx: &ChildCtx<'_>, client: &Client, id: &str) -> Result<DbCluster, DriverError> {
    wait::until(
        &format!("DB cluster {id} to become available"),
        ctx.env.component_timeout,
        || async {
            match find_cluster(client, id).await? {
                Some(c) if c.status() == Some("available") => Ok(Some(c)),
                Some(c) if matches!(c.status(), Some("failed" | "inaccessible-encryption-credentials")) => Err(
                    DriverError::new(format!("DB cluster {id} is {}", c.status().unwrap_or_default())),
                ),
                Some(_) => Ok(None),
                None => Err(DriverError::new(format!(
                    "DB cluster {id} disappeared while waiting for it"
                ))),
            }
        },
    )
    .await
}

/// The configuration's password, when this call must send it: on create, or when
/// `master_password_wo_version` differs from the applied one.
fn password_to_send<'a>(desired: &'a Attrs, prior: Option<&Attrs>) -> Result<Option<&'a str>, DriverError> {
    let password = attrs::string(desired, "master_password_wo")?;
    match prior {
        None => Ok(password),
        Some(prior) => {
            let version = |a: &Attrs| a.get("master_password_wo_version").cloned().unwrap_or(Value::Null);
            if version(desired) == version(prior) {
                Ok(None)
            } else {
                Ok(password)
            }
        }
    }
}

/// The state value of a configured string that AWS may report in another spelling:
/// the prior value when AWS's starts with it (an engine version `15` that AWS runs as
/// `15.4`), else AWS's.
fn like_prior(prior: Option<&Value>, actual: &str) -> Value {
    match prior.and_then(Value::as_str) {
        Some(p) if !p.is_empty() && actual.starts_with(p) => json!(p),
        _ => json!(actual),
    }
}

/// Whether the prior state configured `key` (so AWS's value is reported, not its default).
fn configured(prior: &Attrs, key: &str) -> bool {
    prior.get(key).is_some_and(|v| !attrs::is_unset(v))
}

/// The attributes AWS reports for `cluster`, in hashicorp/aws's names.
async fn observed(client: &Client, cluster: &DbCluster, prior: &Attrs) -> Result<Attrs, DriverError> {
    let mut out = Map::new();
    let id = cluster.db_cluster_identifier().unwrap_or_default();
    out.insert("id".into(), json!(id));
    out.insert("cluster_identifier".into(), json!(id));
    out.insert("arn".into(), json!(cluster.db_cluster_arn().unwrap_or_default()));
    out.insert("endpoint".into(), json!(cluster.endpoint().unwrap_or_default()));
    out.insert(
        "reader_endpoint".into(),
        json!(cluster.reader_endpoint().unwrap_or_default()),
    );
    if let Some(port) = cluster.port() {
        out.insert("port".into(), json!(port));
    }
    out.insert(
        "cluster_resource_id".into(),
        json!(cluster.db_cluster_resource_id().unwrap_or_default()),
    );
    if let Some(engine) = cluster.engine() {
        out.insert("engine".into(), json!(engine));
    }
    if let Some(version) = cluster.engine_version() {
        out.insert(
            "engine_version".into(),
            like_prior(prior.get("engine_version"), version),
        );
        out.insert("engine_version_actual".into(), json!(version));
    }
    // A secondary inherits these from its primary: reported when AWS has them.
    if let Some(name) = cluster.database_name() {
        out.insert("database_name".into(), json!(name));
    }
    if let Some(user) = cluster.master_username() {
        out.insert("master_username".into(), json!(user));
    }
    out.insert(
        "db_subnet_group_name".into(),
        json!(cluster.db_subnet_group().unwrap_or_default()),
    );
    let groups: Vec<Value> = cluster
        .vpc_security_groups()
        .iter()
        .filter_map(|g| g.vpc_security_group_id().map(|s| json!(s)))
        .collect();
    out.insert(
        "vpc_security_group_ids".into(),
        normalise::set_like_prior(prior.get("vpc_security_group_ids"), groups),
    );
    out.insert(
        "storage_encrypted".into(),
        json!(cluster.storage_encrypted().unwrap_or(false)),
    );
    // AWS reports its default key when the configuration names none: no drift then.
    if configured(prior, "kms_key_id") {
        out.insert("kms_key_id".into(), json!(cluster.kms_key_id().unwrap_or_default()));
    }
    if let Some(days) = cluster.backup_retention_period() {
        out.insert("backup_retention_period".into(), json!(days));
    }
    if let Some(window) = cluster.preferred_backup_window() {
        out.insert("preferred_backup_window".into(), json!(window));
    }
    out.insert(
        "deletion_protection".into(),
        json!(cluster.deletion_protection().unwrap_or(false)),
    );
    out.insert(
        "copy_tags_to_snapshot".into(),
        json!(cluster.copy_tags_to_snapshot().unwrap_or(false)),
    );
    let logs: Vec<Value> = cluster
        .enabled_cloudwatch_logs_exports()
        .iter()
        .map(|s| json!(s))
        .collect();
    out.insert(
        "enabled_cloudwatch_logs_exports".into(),
        normalise::set_like_prior(prior.get("enabled_cloudwatch_logs_exports"), logs),
    );
    out.insert(
        "iam_database_authentication_enabled".into(),
        json!(cluster.iam_database_authentication_enabled().unwrap_or(false)),
    );
    out.insert(
        "global_cluster_identifier".into(),
        json!(global_membership(client, cluster).await?.unwrap_or_default()),
    );
    Ok(out)
}

/// The state for `cluster` read now, on top of `prior` (desired attributes AWS does not
/// report, such as `skip_final_snapshot`, stay as they were); never a write-only value.
async fn state_of(
    ctx: &ChildCtx<'_>,
    client: &Client,
    cluster: &DbCluster,
    prior: &Attrs,
) -> Result<ChildState, DriverError> {
    let mut state = normalise::read_state(prior, observed(client, cluster, prior).await?);
    state.retain(|k, _| !WRITE_ONLY.contains(&k.as_str()));
    tags::put_read_state(ctx, &mut state, prior, &from_tag_list(cluster.tag_list()))?;
    Ok(state)
}

/// A minimal state for a cluster just created, for [`AfterCreate`].
fn created_state(desired: &Attrs, id: &str, arn: &str, all: &Tags) -> Result<ChildState, DriverError> {
    let mut state = desired.clone();
    state.retain(|k, _| !WRITE_ONLY.contains(&k.as_str()));
    state.insert("id".into(), json!(id));
    state.insert("arn".into(), json!(arn));
    tags::put_applied(&mut state, desired, all)?;
    Ok(state)
}

/// The log types to enable and disable to go from `current` to `wanted`.
fn log_changes(current: &[String], wanted: &[String]) -> Option<CloudwatchLogsExportConfiguration> {
    let enable: Vec<String> = wanted.iter().filter(|w| !current.contains(w)).cloned().collect();
    let disable: Vec<String> = current.iter().filter(|c| !wanted.contains(c)).cloned().collect();
    if enable.is_empty() && disable.is_empty() {
        return None;
    }
    Some(
        CloudwatchLogsExportConfiguration::builder()
            .set_enable_log_types(Some(enable))
            .set_disable_log_types(Some(disable))
            .build(),
    )
}

fn same_set(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}

#[async_trait]
impl Driver for RdsCluster {
    fn resource_type(&self) -> &'static str {
        "aws_rds_cluster"
    }

    fn service(&self) -> &'static str {
        "rds"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &[
            "cluster_identifier",
            "engine",
            "global_cluster_identifier",
            "db_subnet_group_name",
            "database_name",
            "master_username",
            "storage_encrypted",
            "kms_key_id",
            "source_region",
        ]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let id = attrs::required_string(desired, "cluster_identifier")?;
        let all_tags = tags::wanted(ctx, desired)?;
        let security_groups = attrs::string_list(desired, "vpc_security_group_ids")?;
        let logs = attrs::string_list(desired, "enabled_cloudwatch_logs_exports")?;
        // `source_region` names the primary's region for hashicorp/aws's presigned URL; the
        // Rust SDK has no such customisation and a global database secondary needs none.
        let request = client
            .create_db_cluster()
            .db_cluster_identifier(id)
            .engine(attrs::required_string(desired, "engine")?)
            .set_engine_version(attrs::owned_string(desired, "engine_version")?)
            .set_global_cluster_identifier(attrs::owned_string(desired, "global_cluster_identifier")?)
            .set_db_subnet_group_name(attrs::owned_string(desired, "db_subnet_group_name")?)
            .set_vpc_security_group_ids((!security_groups.is_empty()).then_some(security_groups))
            .set_database_name(attrs::owned_string(desired, "database_name")?)
            .set_master_username(attrs::owned_string(desired, "master_username")?)
            .set_master_user_password(password_to_send(desired, None)?.map(str::to_string))
            .set_storage_encrypted(attrs::boolean(desired, "storage_encrypted")?)
            .set_kms_key_id(attrs::owned_string(desired, "kms_key_id")?)
            .set_backup_retention_period(attrs::int32(desired, "backup_retention_period")?)
            .set_preferred_backup_window(attrs::owned_string(desired, "preferred_backup_window")?)
            .set_deletion_protection(attrs::boolean(desired, "deletion_protection")?)
            .set_copy_tags_to_snapshot(attrs::boolean(desired, "copy_tags_to_snapshot")?)
            .set_enable_cloudwatch_logs_exports((!logs.is_empty()).then_some(logs))
            .set_enable_iam_database_authentication(attrs::boolean(desired, "iam_database_authentication_enabled")?)
            .set_tags(Some(sdk_tags(&all_tags)));
        let created = request.send().await.map_err(|e| aws_error("CreateDBCluster", e))?;
        let arn = created
            .db_cluster()
            .and_then(|c| c.db_cluster_arn())
            .unwrap_or_default()
            .to_string();
        let state = created_state(desired, id, &arn, &all_tags)?;
        let cluster = wait_available(ctx, &client, id).await.after_create(&state)?;
        state_of(ctx, &client, &cluster, &state).await.after_create(&state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        let Some(cluster) = find_cluster(&client, id).await? else {
            return Ok(None);
        };
        if cluster.status() == Some("deleting") {
            return Ok(None);
        }
        Ok(Some(state_of(ctx, &client, &cluster, state).await?))
    }

    /// The cluster of this identifier, if tagged for this composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let id = attrs::required_string(desired, "cluster_identifier")?;
        adopt(self, ctx, desired, id, true).await
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        attrs::unchanged(desired, "cluster_identifier", id)?;
        let cluster = wait_available(ctx, &client, id).await?;

        let mut modify = client
            .modify_db_cluster()
            .db_cluster_identifier(id)
            // The state returned is read back from AWS: changes must apply now to show there.
            .apply_immediately(attrs::boolean(desired, "apply_immediately")?.unwrap_or(true));
        let mut changed = false;
        if let Some(password) = password_to_send(desired, Some(state))? {
            modify = modify.master_user_password(password);
            changed = true;
        }
        if let Some(days) = attrs::int32(desired, "backup_retention_period")?
            && cluster.backup_retention_period() != Some(days)
        {
            modify = modify.backup_retention_period(days);
            changed = true;
        }
        if let Some(window) = attrs::string(desired, "preferred_backup_window")?
            && cluster.preferred_backup_window() != Some(window)
        {
            modify = modify.preferred_backup_window(window);
            changed = true;
        }
        if let Some(version) = attrs::string(desired, "engine_version")?
            && !cluster.engine_version().unwrap_or_default().starts_with(version)
        {
            modify = modify.engine_version(version);
            changed = true;
        }
        let flags: [(&str, Option<bool>); 3] = [
            ("deletion_protection", cluster.deletion_protection()),
            ("copy_tags_to_snapshot", cluster.copy_tags_to_snapshot()),
            (
                "iam_database_authentication_enabled",
                cluster.iam_database_authentication_enabled(),
            ),
        ];
        for (key, now) in flags {
            let wanted = attrs::boolean(desired, key)?;
            // Unset means false, as hashicorp/aws defaults these, but only once configured.
            let wanted = match wanted {
                Some(w) => w,
                None if configured(state, key) => false,
                None => continue,
            };
            if now.unwrap_or(false) != wanted {
                modify = match key {
                    "deletion_protection" => modify.deletion_protection(wanted),
                    "copy_tags_to_snapshot" => modify.copy_tags_to_snapshot(wanted),
                    _ => modify.enable_iam_database_authentication(wanted),
                };
                changed = true;
            }
        }
        let groups = attrs::string_list(desired, "vpc_security_group_ids")?;
        let groups_now: Vec<String> = cluster
            .vpc_security_groups()
            .iter()
            .filter_map(|g| g.vpc_security_group_id().map(str::to_string))
            .collect();
        if !groups.is_empty() && !same_set(&groups, &groups_now) {
            modify = modify.set_vpc_security_group_ids(Some(groups));
            changed = true;
        }
        let logs = attrs::string_list(desired, "enabled_cloudwatch_logs_exports")?;
        if let Some(config) = log_changes(cluster.enabled_cloudwatch_logs_exports(), &logs) {
            modify = modify.cloudwatch_logs_export_configuration(config);
            changed = true;
        }
        if changed {
            modify.send().await.map_err(|e| aws_error("ModifyDBCluster", e))?;
        }
        let all_tags = tags::wanted(ctx, desired)?;
        let arn = cluster.db_cluster_arn().unwrap_or_default();
        sync_tags(&client, arn, &all_tags).await?;
        let cluster = wait_available(ctx, &client, id).await?;
        let mut prior = desired.clone();
        prior.insert("id".into(), json!(id));
        state_of(ctx, &client, &cluster, &prior).await
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        let Some(cluster) = find_cluster(&client, id).await? else {
            return Ok(());
        };
        if cluster.deletion_protection() == Some(true) {
            return Err(DriverError::new(format!(
                "DB cluster {id} has deletion protection enabled (deletion_protection = true): \
                 set it to false and apply before the cluster can be deleted"
            )));
        }
        let timeout = ctx.env.component_timeout;
        if cluster.status() != Some("deleting") {
            if let (Some(global), Some(arn)) = (global_membership(&client, &cluster).await?, cluster.db_cluster_arn()) {
                let removed = client
                    .remove_from_global_cluster()
                    .global_cluster_identifier(&global)
                    .db_cluster_identifier(arn)
                    .send()
                    .await;
                found("RemoveFromGlobalCluster", NOT_A_MEMBER, removed)?;
            }
            let skip = attrs::boolean(state, "skip_final_snapshot")?.unwrap_or(false);
            let snapshot = if skip {
                None
            } else {
                Some(attrs::owned_string(state, "final_snapshot_identifier")?.ok_or_else(|| {
                    DriverError::new(format!(
                        "DB cluster {id}: final_snapshot_identifier is required unless skip_final_snapshot = true"
                    ))
                })?)
            };
            // Detaching from the global database, or instances still being deleted: AWS
            // refuses with InvalidDBClusterStateFault until that settles.
            let deleted = wait::retry_while(
                timeout,
                |e| has_code(e, BUSY),
                || {
                    client
                        .delete_db_cluster()
                        .db_cluster_identifier(id)
                        .skip_final_snapshot(skip)
                        .set_final_db_snapshot_identifier(snapshot.clone())
                        .send()
                },
            )
            .await;
            if found("DeleteDBCluster", NOT_FOUND, deleted)?.is_none() {
                return Ok(());
            }
        }
        wait::until_gone(&format!("DB cluster {id} to be deleted"), timeout, || {
            find_cluster(&client, id)
        })
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
    fn the_password_is_sent_on_create_and_on_a_new_version_only() {
        let desired = obj(json!({"master_password_wo": "s3cret", "master_password_wo_version": 1}));
        assert_eq!(password_to_send(&desired, None), Ok(Some("s3cret")));
        let applied = obj(json!({"master_password_wo_version": 1}));
        assert_eq!(password_to_send(&desired, Some(&applied)), Ok(None));
        let older = obj(json!({"master_password_wo_version": 0}));
        assert_eq!(password_to_send(&desired, Some(&older)), Ok(Some("s3cret")));
    }

    #[test]
    fn log_exports_change_by_difference() {
        let now = vec!["postgresql".to_string()];
        assert!(log_changes(&now, &now).is_none());
        let config = log_changes(&now, &["upgrade".to_string()]).expect("a change");
        assert_eq!(config.enable_log_types(), ["upgrade".to_string()]);
        assert_eq!(config.disable_log_types(), ["postgresql".to_string()]);
    }

    #[test]
    fn an_engine_version_prefix_reads_as_configured() {
        assert_eq!(like_prior(Some(&json!("15")), "15.4"), json!("15"));
        assert_eq!(like_prior(Some(&json!("14")), "15.4"), json!("15.4"));
        assert_eq!(like_prior(None, "15.4"), json!("15.4"));
    }
}
