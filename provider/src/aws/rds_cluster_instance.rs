//! `aws_rds_cluster_instance`: CreateDBInstance / DescribeDBInstances / ModifyDBInstance /
//! DeleteDBInstance, for the instances of an Aurora cluster (the writer and its readers).
//!
//! Storage, credentials and backups belong to the cluster; an instance only has a class, a
//! place and a failover priority (`promotion_tier`). It is usable once `available`; delete
//! waits until it is gone, because its cluster cannot be deleted before.

use async_trait::async_trait;
use aws_sdk_rds::Client;
use aws_sdk_rds::types::DbInstance;
use serde_json::{Map, json};

use super::attrs::{self, Attrs};
use super::normalise;
use super::rds_cluster::{find_cluster, from_tag_list, sdk_tags, sync_tags};
use super::tags::{self, Tags};
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, has_code, state_id};

pub struct RdsClusterInstance;

const NOT_FOUND: &[&str] = &["DBInstanceNotFound", "DBInstanceNotFoundFault"];
/// Being created, modified or backed up: the call can be retried once it settles.
const BUSY: &[&str] = &["InvalidDBInstanceState", "InvalidDBInstanceStateFault"];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("rds"))
}

async fn find_instance(client: &Client, id: &str) -> Result<Option<DbInstance>, DriverError> {
    let out = client.describe_db_instances().db_instance_identifier(id).send().await;
    Ok(found("DescribeDBInstances", NOT_FOUND, out)?.and_then(|o| o.db_instances().first().cloned()))
}

async fn wait_available(ctx: &ChildCtx<'_>, client: &Client, id: &str) -> Result<DbInstance, DriverError> {
    wait::until(
        &format!("DB instance {id} to become available"),
        ctx.env.component_timeout,
        || async {
            match find_instance(client, id).await? {
                Some(i) if i.db_instance_status() == Some("available") => Ok(Some(i)),
                Some(i) if matches!(i.db_instance_status(), Some("failed" | "incompatible-parameters")) => {
                    Err(DriverError::new(format!(
                        "DB instance {id} is {}",
                        i.db_instance_status().unwrap_or_default()
                    )))
                }
                Some(_) => Ok(None),
                None => Err(DriverError::new(format!(
                    "DB instance {id} disappeared while waiting for it"
                ))),
            }
        },
    )
    .await
}

/// Whether the instance is its cluster's writer (DescribeDBClusters' member list says).
async fn is_writer(client: &Client, instance: &DbInstance) -> Result<bool, DriverError> {
    let (Some(cluster), Some(id)) = (instance.db_cluster_identifier(), instance.db_instance_identifier()) else {
        return Ok(false);
    };
    Ok(find_cluster(client, cluster).await?.is_some_and(|c| {
        c.db_cluster_members()
            .iter()
            .any(|m| m.db_instance_identifier() == Some(id) && m.is_cluster_writer() == Some(true))
    }))
}

async fn state_of(
    ctx: &ChildCtx<'_>,
    client: &Client,
    instance: &DbInstance,
    prior: &Attrs,
) -> Result<ChildState, DriverError> {
    let mut actual = Map::new();
    let id = instance.db_instance_identifier().unwrap_or_default();
    actual.insert("id".into(), json!(id));
    actual.insert("identifier".into(), json!(id));
    actual.insert("arn".into(), json!(instance.db_instance_arn().unwrap_or_default()));
    actual.insert(
        "cluster_identifier".into(),
        json!(instance.db_cluster_identifier().unwrap_or_default()),
    );
    if let Some(class) = instance.db_instance_class() {
        actual.insert("instance_class".into(), json!(class));
    }
    if let Some(engine) = instance.engine() {
        actual.insert("engine".into(), json!(engine));
    }
    if let Some(version) = instance.engine_version() {
        actual.insert("engine_version_actual".into(), json!(version));
    }
    if let Some(az) = instance.availability_zone() {
        actual.insert("availability_zone".into(), json!(az));
    }
    actual.insert(
        "publicly_accessible".into(),
        json!(instance.publicly_accessible().unwrap_or(false)),
    );
    actual.insert(
        "auto_minor_version_upgrade".into(),
        json!(instance.auto_minor_version_upgrade().unwrap_or(true)),
    );
    actual.insert(
        "performance_insights_enabled".into(),
        json!(instance.performance_insights_enabled().unwrap_or(false)),
    );
    if let Some(tier) = instance.promotion_tier() {
        actual.insert("promotion_tier".into(), json!(tier));
    }
    if let Some(endpoint) = instance.endpoint() {
        actual.insert("endpoint".into(), json!(endpoint.address().unwrap_or_default()));
        if let Some(port) = endpoint.port() {
            actual.insert("port".into(), json!(port));
        }
    }
    actual.insert("writer".into(), json!(is_writer(client, instance).await?));
    let mut state = normalise::read_state(prior, actual);
    tags::put_read_state(ctx, &mut state, prior, &from_tag_list(instance.tag_list()))?;
    Ok(state)
}

fn created_state(desired: &Attrs, id: &str, arn: &str, all: &Tags) -> Result<ChildState, DriverError> {
    let mut state = desired.clone();
    state.insert("id".into(), json!(id));
    state.insert("arn".into(), json!(arn));
    tags::put_applied(&mut state, desired, all)?;
    Ok(state)
}

#[async_trait]
impl Driver for RdsClusterInstance {
    fn resource_type(&self) -> &'static str {
        "aws_rds_cluster_instance"
    }

    fn service(&self) -> &'static str {
        "rds"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["identifier", "cluster_identifier", "engine", "availability_zone"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let id = attrs::required_string(desired, "identifier")?;
        let all_tags = tags::wanted(ctx, desired)?;
        let created = client
            .create_db_instance()
            .db_instance_identifier(id)
            .db_cluster_identifier(attrs::required_string(desired, "cluster_identifier")?)
            .db_instance_class(attrs::required_string(desired, "instance_class")?)
            .engine(attrs::required_string(desired, "engine")?)
            .set_availability_zone(attrs::owned_string(desired, "availability_zone")?)
            .set_publicly_accessible(attrs::boolean(desired, "publicly_accessible")?)
            .set_auto_minor_version_upgrade(attrs::boolean(desired, "auto_minor_version_upgrade")?)
            .set_enable_performance_insights(attrs::boolean(desired, "performance_insights_enabled")?)
            .set_promotion_tier(attrs::int32(desired, "promotion_tier")?)
            .set_tags(Some(sdk_tags(&all_tags)))
            .send()
            .await
            .map_err(|e| aws_error("CreateDBInstance", e))?;
        let arn = created
            .db_instance()
            .and_then(|i| i.db_instance_arn())
            .unwrap_or_default()
            .to_string();
        let state = created_state(desired, id, &arn, &all_tags)?;
        let instance = wait_available(ctx, &client, id).await.after_create(&state)?;
        state_of(ctx, &client, &instance, &state).await.after_create(&state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        match find_instance(&client, state_id(state)?).await? {
            Some(i) if i.db_instance_status() != Some("deleting") => Ok(Some(state_of(ctx, &client, &i, state).await?)),
            _ => Ok(None),
        }
    }

    /// The instance of this identifier, if tagged for this composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        adopt(self, ctx, desired, attrs::required_string(desired, "identifier")?, true).await
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        attrs::unchanged(desired, "identifier", id)?;
        let instance = wait_available(ctx, &client, id).await?;
        let mut modify = client
            .modify_db_instance()
            .db_instance_identifier(id)
            // The state returned is read back from AWS: changes must apply now to show there.
            .apply_immediately(attrs::boolean(desired, "apply_immediately")?.unwrap_or(true));
        let mut changed = false;
        if let Some(class) = attrs::string(desired, "instance_class")?
            && instance.db_instance_class() != Some(class)
        {
            modify = modify.db_instance_class(class);
            changed = true;
        }
        if let Some(tier) = attrs::int32(desired, "promotion_tier")?
            && instance.promotion_tier() != Some(tier)
        {
            modify = modify.promotion_tier(tier);
            changed = true;
        }
        if let Some(public) = attrs::boolean(desired, "publicly_accessible")?
            && instance.publicly_accessible().unwrap_or(false) != public
        {
            modify = modify.publicly_accessible(public);
            changed = true;
        }
        if let Some(upgrade) = attrs::boolean(desired, "auto_minor_version_upgrade")?
            && instance.auto_minor_version_upgrade().unwrap_or(true) != upgrade
        {
            modify = modify.auto_minor_version_upgrade(upgrade);
            changed = true;
        }
        if let Some(insights) = attrs::boolean(desired, "performance_insights_enabled")?
            && instance.performance_insights_enabled().unwrap_or(false) != insights
        {
            modify = modify.enable_performance_insights(insights);
            changed = true;
        }
        if changed {
            wait::retry_while(
                ctx.env.component_timeout,
                |e| has_code(e, BUSY),
                || modify.clone().send(),
            )
            .await
            .map_err(|e| aws_error("ModifyDBInstance", e))?;
        }
        let all_tags = tags::wanted(ctx, desired)?;
        sync_tags(&client, instance.db_instance_arn().unwrap_or_default(), &all_tags).await?;
        let instance = wait_available(ctx, &client, id).await?;
        let mut prior = desired.clone();
        prior.insert("id".into(), json!(id));
        state_of(ctx, &client, &instance, &prior).await
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        let timeout = ctx.env.component_timeout;
        let Some(instance) = find_instance(&client, id).await? else {
            return Ok(());
        };
        if instance.db_instance_status() != Some("deleting") {
            // Cluster instances take no final snapshot: the cluster keeps the data.
            let deleted = wait::retry_while(
                timeout,
                |e| has_code(e, BUSY),
                || client.delete_db_instance().db_instance_identifier(id).send(),
            )
            .await;
            if found("DeleteDBInstance", NOT_FOUND, deleted)?.is_none() {
                return Ok(());
            }
        }
        wait::until_gone(&format!("DB instance {id} to be deleted"), timeout, || {
            find_instance(&client, id)
        })
        .await
    }
}
