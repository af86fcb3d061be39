//! `aws_rds_global_cluster`: CreateGlobalCluster / DescribeGlobalClusters /
//! ModifyGlobalCluster / DeleteGlobalCluster.
//!
//! An Aurora global database is created empty, before its member clusters (the primary joins
//! first, secondaries in other regions after it), and can only be deleted once every member
//! has been detached: delete retries while AWS reports it not empty (members still detaching).
//! Global clusters are account-wide; the API answers from any region.
//!
//! DescribeGlobalClusters is filtered here, not only by the request's identifier: some
//! emulators ignore the identifier and list every global cluster.

use async_trait::async_trait;
use aws_sdk_rds::Client;
use aws_sdk_rds::types::GlobalCluster;
use serde_json::{Map, Value, json};

use super::attrs::{self, Attrs};
use super::normalise;
use super::rds_cluster::{from_tag_list, sdk_tags, sync_tags_from};
use super::tags::{self, Tags};
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, has_code, state_id};

pub struct RdsGlobalCluster;

const NOT_FOUND: &[&str] = &["GlobalClusterNotFoundFault"];
/// Members are still detaching, or the global cluster is busy.
const BUSY: &[&str] = &["InvalidGlobalClusterStateFault"];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("rds"))
}

/// The global cluster `id`; `None` when it does not exist.
async fn find_global(client: &Client, id: &str) -> Result<Option<GlobalCluster>, DriverError> {
    let out = client
        .describe_global_clusters()
        .global_cluster_identifier(id)
        .send()
        .await;
    Ok(found("DescribeGlobalClusters", NOT_FOUND, out)?.and_then(|o| {
        o.global_clusters()
            .iter()
            .find(|g| {
                g.global_cluster_identifier()
                    .is_some_and(|g| g.eq_ignore_ascii_case(id))
            })
            .cloned()
    }))
}

async fn wait_available(ctx: &ChildCtx<'_>, client: &Client, id: &str) -> Result<GlobalCluster, DriverError> {
    wait::until(
        &format!("global cluster {id} to become available"),
        ctx.env.component_timeout,
        || async {
            match find_global(client, id).await? {
                Some(g) if g.status() == Some("available") => Ok(Some(g)),
                Some(_) => Ok(None),
                None => Err(DriverError::new(format!(
                    "global cluster {id} disappeared while waiting for it"
                ))),
            }
        },
    )
    .await
}

/// The attributes AWS reports for `global`.
fn observed(global: &GlobalCluster, prior: &Attrs) -> Attrs {
    let mut out = Map::new();
    let id = global.global_cluster_identifier().unwrap_or_default();
    out.insert("id".into(), json!(id));
    out.insert("global_cluster_identifier".into(), json!(id));
    out.insert("arn".into(), json!(global.global_cluster_arn().unwrap_or_default()));
    out.insert(
        "global_cluster_resource_id".into(),
        json!(global.global_cluster_resource_id().unwrap_or_default()),
    );
    if let Some(endpoint) = global.endpoint() {
        out.insert("endpoint".into(), json!(endpoint));
    }
    if let Some(engine) = global.engine() {
        out.insert("engine".into(), json!(engine));
    }
    if let Some(version) = global.engine_version() {
        let shown = match prior.get("engine_version").and_then(Value::as_str) {
            Some(p) if !p.is_empty() && version.starts_with(p) => p,
            _ => version,
        };
        out.insert("engine_version".into(), json!(shown));
        out.insert("engine_version_actual".into(), json!(version));
    }
    if let Some(name) = global.database_name() {
        out.insert("database_name".into(), json!(name));
    }
    out.insert(
        "storage_encrypted".into(),
        json!(global.storage_encrypted().unwrap_or(false)),
    );
    out.insert(
        "deletion_protection".into(),
        json!(global.deletion_protection().unwrap_or(false)),
    );
    let members: Vec<Value> = global
        .global_cluster_members()
        .iter()
        .map(|m| {
            json!({
                "db_cluster_arn": m.db_cluster_arn().unwrap_or_default(),
                "is_writer": m.is_writer().unwrap_or(false),
            })
        })
        .collect();
    out.insert("global_cluster_members".into(), Value::Array(members));
    out
}

fn state_of(ctx: &ChildCtx<'_>, global: &GlobalCluster, prior: &Attrs) -> Result<ChildState, DriverError> {
    let mut state = normalise::read_state(prior, observed(global, prior));
    tags::put_read_state(ctx, &mut state, prior, &from_tag_list(global.tag_list()))?;
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
impl Driver for RdsGlobalCluster {
    fn resource_type(&self) -> &'static str {
        "aws_rds_global_cluster"
    }

    fn service(&self) -> &'static str {
        "rds"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &[
            "global_cluster_identifier",
            "engine",
            "database_name",
            "storage_encrypted",
        ]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let id = attrs::required_string(desired, "global_cluster_identifier")?;
        let all_tags = tags::wanted(ctx, desired)?;
        let created = client
            .create_global_cluster()
            .global_cluster_identifier(id)
            .engine(attrs::required_string(desired, "engine")?)
            .set_engine_version(attrs::owned_string(desired, "engine_version")?)
            .set_database_name(attrs::owned_string(desired, "database_name")?)
            .set_storage_encrypted(attrs::boolean(desired, "storage_encrypted")?)
            .set_deletion_protection(attrs::boolean(desired, "deletion_protection")?)
            .set_tags(Some(sdk_tags(&all_tags)))
            .send()
            .await
            .map_err(|e| aws_error("CreateGlobalCluster", e))?;
        let arn = created
            .global_cluster()
            .and_then(|g| g.global_cluster_arn())
            .unwrap_or_default()
            .to_string();
        let state = created_state(desired, id, &arn, &all_tags)?;
        let global = wait_available(ctx, &client, id).await.after_create(&state)?;
        state_of(ctx, &global, &state).after_create(&state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        match find_global(&client, id).await? {
            Some(g) if g.status() != Some("deleting") => Ok(Some(state_of(ctx, &g, state)?)),
            _ => Ok(None),
        }
    }

    /// The global cluster of this identifier, if its tags say it is this composite's.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let id = attrs::required_string(desired, "global_cluster_identifier")?;
        adopt(self, ctx, desired, id, true).await
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        attrs::unchanged(desired, "global_cluster_identifier", id)?;
        let global = wait_available(ctx, &client, id).await?;
        let mut modify = client.modify_global_cluster().global_cluster_identifier(id);
        let mut changed = false;
        let protection = attrs::boolean(desired, "deletion_protection")?.unwrap_or(false);
        if global.deletion_protection().unwrap_or(false) != protection {
            modify = modify.deletion_protection(protection);
            changed = true;
        }
        if let Some(version) = attrs::string(desired, "engine_version")?
            && !global.engine_version().unwrap_or_default().starts_with(version)
        {
            let major = |v: &str| v.split('.').next().unwrap_or_default().to_string();
            let now = global.engine_version().unwrap_or_default();
            modify = modify
                .engine_version(version)
                .allow_major_version_upgrade(major(now) != major(version));
            changed = true;
        }
        if changed {
            modify.send().await.map_err(|e| aws_error("ModifyGlobalCluster", e))?;
        }
        let all_tags = tags::wanted(ctx, desired)?;
        if let Some(arn) = global.global_cluster_arn() {
            // The TagList comes with DescribeGlobalClusters: no ListTagsForResource needed.
            sync_tags_from(&client, arn, &from_tag_list(global.tag_list()), &all_tags).await?;
        }
        let global = wait_available(ctx, &client, id).await?;
        let mut prior = desired.clone();
        prior.insert("id".into(), json!(id));
        state_of(ctx, &global, &prior)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        let Some(global) = find_global(&client, id).await? else {
            return Ok(());
        };
        if global.deletion_protection() == Some(true) {
            return Err(DriverError::new(format!(
                "global cluster {id} has deletion protection enabled (deletion_protection = true): \
                 set it to false and apply before it can be deleted"
            )));
        }
        let timeout = ctx.env.component_timeout;
        if global.status() != Some("deleting") {
            let deleted = wait::retry_while(
                timeout,
                |e| has_code(e, BUSY),
                || client.delete_global_cluster().global_cluster_identifier(id).send(),
            )
            .await;
            if found("DeleteGlobalCluster", NOT_FOUND, deleted)?.is_none() {
                return Ok(());
            }
        }
        wait::until_gone(&format!("global cluster {id} to be deleted"), timeout, || {
            find_global(&client, id)
        })
        .await
    }
}
