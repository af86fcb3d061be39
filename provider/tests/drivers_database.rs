//! Drivers of the database components (Aurora global database, DB subnet groups, Secrets
//! Manager) against moto: an Aurora global database with its primary (writer + reader) in
//! eu-west-1 and a secondary in eu-west-3, deleted in the order AWS requires; write-only
//! values (the master password, a secret's value) that must never reach state; and the
//! ephemeral Secrets Manager sources.
//!
//! The fixture VPCs and subnets are made with the EC2 API directly.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::driver_kit::{assert_reads_as, driver as the_driver, obj, string as str_attr};
use serde_json::{Value, json};
use terraform_provider_wellarch::aws::{
    AwsEnv, COMPONENT_TAG, COMPOSITE_TAG, ChildCtx, ChildState, ephemeral_resource,
};

const COMPOSITE: &str = "wellarch_multiregion_commerce.test";
const PRIMARY: &str = "eu-west-1";
const FAILOVER: &str = "eu-west-3";

/// AWS configuration and tags for the children of one test, the way the orchestrator passes them.
struct Fixture {
    env: AwsEnv,
    /// Every request to RDS, in order (RDS goes through a recording proxy).
    rds_log: Arc<Mutex<Vec<common::proxy::Request>>>,
    tags: BTreeMap<String, String>,
}

impl Fixture {
    fn ctx<'a>(&'a self, region: &'a str, component: &'a str) -> ChildCtx<'a> {
        ChildCtx {
            env: &self.env,
            region: Some(region),
            tags: &self.tags,
            composite: COMPOSITE,
            component,
        }
    }

    fn config(&self, service: &str, region: &str) -> aws_types::SdkConfig {
        self.env.config(service, Some(region))
    }

    fn rds(&self, region: &str) -> aws_sdk_rds::Client {
        aws_sdk_rds::Client::new(&self.config("rds", region))
    }

    fn secrets(&self, region: &str) -> aws_sdk_secretsmanager::Client {
        aws_sdk_secretsmanager::Client::new(&self.config("secretsmanager", region))
    }

    /// The RDS actions recorded so far, with their form bodies.
    fn rds_calls(&self) -> Vec<String> {
        self.rds_log
            .lock()
            .expect("log")
            .iter()
            .map(|r| r.body.clone())
            .collect()
    }
}

/// `None` (test skipped) only when moto is not installed.
async fn fixture() -> Option<Fixture> {
    let moto = common::moto()?;
    let mut env = common::aws_env(moto, PRIMARY).await;
    let rds_log = Arc::new(Mutex::new(Vec::new()));
    let proxy = common::proxy::start(&moto.endpoint, common::proxy::Hooks::default().record(rds_log.clone())).await;
    env.endpoints.insert("rds".into(), proxy);
    let tags = BTreeMap::from([
        (COMPOSITE_TAG.to_string(), COMPOSITE.to_string()),
        (COMPONENT_TAG.to_string(), "set per child".to_string()),
        ("env".to_string(), "test".to_string()),
    ]);
    Some(Fixture { env, rds_log, tags })
}

/// The fixture's tags for one component (`wellarch:component` names it).
fn tags_for(fx: &Fixture, component: &str) -> BTreeMap<String, String> {
    let mut tags = fx.tags.clone();
    tags.insert(COMPONENT_TAG.to_string(), component.to_string());
    tags
}

fn ctx_with<'a>(
    fx: &'a Fixture,
    region: &'a str,
    component: &'a str,
    tags: &'a BTreeMap<String, String>,
) -> ChildCtx<'a> {
    ChildCtx {
        tags,
        ..fx.ctx(region, component)
    }
}

/// No write-only attribute and no secret text anywhere in a state.
fn assert_no_secret(state: &ChildState, secret: &str) {
    let text = serde_json::to_string(state).expect("state as JSON");
    assert!(!text.contains(secret), "a secret reached state: {text}");
    assert!(
        state.keys().all(|k| !k.ends_with("_wo")),
        "a write-only attribute reached state: {state:#?}"
    );
}

/// A VPC with one subnet in each of two AZs of `region`; the subnet ids.
async fn subnets(fx: &Fixture, region: &str, cidr: u8) -> Vec<String> {
    let ec2 = aws_sdk_ec2::Client::new(&fx.config("ec2", region));
    let vpc = ec2
        .create_vpc()
        .cidr_block(format!("10.{cidr}.0.0/16"))
        .send()
        .await
        .expect("CreateVpc");
    let vpc_id = vpc.vpc().and_then(|v| v.vpc_id()).expect("vpc id").to_string();
    let mut ids = Vec::new();
    for (i, az) in ["a", "b"].iter().enumerate() {
        let subnet = ec2
            .create_subnet()
            .vpc_id(&vpc_id)
            .cidr_block(format!("10.{cidr}.{i}.0/24"))
            .availability_zone(format!("{region}{az}"))
            .send()
            .await
            .expect("CreateSubnet");
        ids.push(
            subnet
                .subnet()
                .and_then(|s| s.subnet_id())
                .expect("subnet id")
                .to_string(),
        );
    }
    ids
}

/// The value at a JSON pointer (`/tags_all/env`) of a state.
fn pointer<'a>(state: &'a ChildState, path: &str) -> Option<&'a Value> {
    let (first, rest) = path
        .trim_start_matches('/')
        .split_once('/')
        .unwrap_or((path.trim_start_matches('/'), ""));
    let value = state.get(first)?;
    if rest.is_empty() {
        Some(value)
    } else {
        value.pointer(&format!("/{rest}"))
    }
}

/// Index of the first recorded RDS call whose body has every one of `parts`.
fn call_index(calls: &[String], parts: &[&str]) -> usize {
    calls
        .iter()
        .position(|body| parts.iter().all(|p| body.contains(p)))
        .unwrap_or_else(|| panic!("no RDS call with {parts:?} among {calls:#?}"))
}

// ---------------------------------------------------------------------------------------
// Aurora global database across two regions

#[tokio::test]
async fn global_database_across_two_regions() {
    let Some(fx) = fixture().await else {
        return;
    };
    let global_d = the_driver("aws_rds_global_cluster");
    let group_d = the_driver("aws_db_subnet_group");
    let cluster_d = the_driver("aws_rds_cluster");
    let instance_d = the_driver("aws_rds_cluster_instance");
    for key in [
        "global_cluster_identifier",
        "engine",
        "database_name",
        "storage_encrypted",
    ] {
        assert!(global_d.replace_on().contains(&key), "{key}");
    }
    for key in [
        "cluster_identifier",
        "global_cluster_identifier",
        "kms_key_id",
        "source_region",
    ] {
        assert!(cluster_d.replace_on().contains(&key), "{key}");
    }
    let password = format!("pw-{}-never-in-state", std::process::id());
    let name = common::unique("orders");

    // The global cluster first, in the primary region.
    let global_desired = obj(json!({
        "global_cluster_identifier": format!("{name}-global"),
        "engine": "aurora-postgresql",
        "engine_version": "15.4",
        "database_name": "orders",
        "storage_encrypted": true,
        "deletion_protection": false,
    }));
    let global_tags = tags_for(&fx, "aws_rds_global_cluster.db");
    let global_ctx = ctx_with(&fx, PRIMARY, "aws_rds_global_cluster.db", &global_tags);
    let global = global_d
        .create(&global_ctx, &global_desired)
        .await
        .expect("create the global cluster");
    let global_id = str_attr(&global, "id").to_string();
    assert_eq!(global_id, format!("{name}-global"));
    assert_eq!(
        str_attr(&global, "arn"),
        format!("arn:aws:rds::123456789012:global-cluster:{global_id}")
    );
    assert_reads_as(&global, &global_desired);

    // Subnet groups in both regions.
    let primary_subnets = subnets(&fx, PRIMARY, 10).await;
    let failover_subnets = subnets(&fx, FAILOVER, 20).await;
    let group_tags = tags_for(&fx, "aws_db_subnet_group.db");
    let group_primary = group_d
        .create(
            &ctx_with(&fx, PRIMARY, "aws_db_subnet_group.db", &group_tags),
            &obj(json!({"name": format!("{name}-p"), "subnet_ids": primary_subnets})),
        )
        .await
        .expect("create the primary subnet group");
    let group_failover = group_d
        .create(
            &ctx_with(&fx, FAILOVER, "aws_db_subnet_group.db", &group_tags),
            &obj(json!({"name": format!("{name}-s"), "subnet_ids": failover_subnets})),
        )
        .await
        .expect("create the failover subnet group");
    assert!(str_attr(&group_failover, "arn").starts_with("arn:aws:rds:eu-west-3:"));

    // The primary cluster, with its write-only master password.
    let primary_desired = obj(json!({
        "cluster_identifier": format!("{name}-primary"),
        "engine": "aurora-postgresql",
        "engine_version": "15.4",
        "global_cluster_identifier": global_id,
        "db_subnet_group_name": str_attr(&group_primary, "id"),
        "database_name": "orders",
        "master_username": "orders_admin",
        "master_password_wo": password,
        "master_password_wo_version": 1,
        "storage_encrypted": true,
        "backup_retention_period": 7,
        "preferred_backup_window": "03:00-04:00",
        "deletion_protection": false,
        "copy_tags_to_snapshot": true,
        "skip_final_snapshot": false,
        "final_snapshot_identifier": format!("{name}-final"),
        "enabled_cloudwatch_logs_exports": ["postgresql"],
        "iam_database_authentication_enabled": true,
        "tags": {"tier": "data"},
    }));
    let primary_tags = tags_for(&fx, "aws_rds_cluster.primary");
    let primary_ctx = ctx_with(&fx, PRIMARY, "aws_rds_cluster.primary", &primary_tags);
    let primary = cluster_d
        .create(&primary_ctx, &primary_desired)
        .await
        .expect("create the primary cluster");
    assert_no_secret(&primary, &password);
    assert_reads_as(&primary, &primary_desired);
    let primary_id = str_attr(&primary, "id").to_string();
    assert_eq!(primary_id, format!("{name}-primary"));
    let primary_arn = str_attr(&primary, "arn").to_string();
    assert_eq!(
        primary_arn,
        format!("arn:aws:rds:eu-west-1:123456789012:cluster:{primary_id}")
    );
    assert!(str_attr(&primary, "endpoint").contains(".eu-west-1."), "{primary:#?}");
    assert!(
        str_attr(&primary, "reader_endpoint").contains(".cluster-ro-"),
        "{primary:#?}"
    );
    assert_eq!(primary.get("port"), Some(&json!(5432)));
    assert!(str_attr(&primary, "cluster_resource_id").starts_with("cluster-"));
    assert_eq!(
        pointer(&primary, "/tags_all/wellarch:component"),
        Some(&json!("aws_rds_cluster.primary"))
    );
    assert_eq!(pointer(&primary, "/tags/tier"), Some(&json!("data")));
    // The password went to AWS, and only in CreateDBCluster.
    let calls = fx.rds_calls();
    let sent: Vec<&String> = calls.iter().filter(|b| b.contains("MasterUserPassword=")).collect();
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert!(sent[0].contains("Action=CreateDBCluster") && sent[0].contains(&password));

    // Writer and reader.
    let instance_tags = tags_for(&fx, "aws_rds_cluster_instance.db");
    let instance_ctx = ctx_with(&fx, PRIMARY, "aws_rds_cluster_instance.db", &instance_tags);
    let writer_desired = obj(json!({
        "identifier": format!("{name}-w"),
        "cluster_identifier": primary_id,
        "instance_class": "db.r6g.large",
        "engine": "aurora-postgresql",
        "availability_zone": "eu-west-1a",
        "publicly_accessible": false,
        "auto_minor_version_upgrade": true,
        "performance_insights_enabled": false,
        "promotion_tier": 0,
    }));
    let writer = instance_d
        .create(&instance_ctx, &writer_desired)
        .await
        .expect("create the writer");
    assert_reads_as(&writer, &writer_desired);
    assert_eq!(writer.get("writer"), Some(&json!(true)), "{writer:#?}");
    assert!(str_attr(&writer, "endpoint").starts_with(&format!("{name}-w.")));
    assert!(str_attr(&writer, "arn").ends_with(&format!(":db:{name}-w")));
    let mut reader_desired = writer_desired.clone();
    reader_desired.insert("identifier".into(), json!(format!("{name}-r")));
    reader_desired.insert("availability_zone".into(), json!("eu-west-1b"));
    reader_desired.insert("promotion_tier".into(), json!(1));
    let reader = instance_d
        .create(&instance_ctx, &reader_desired)
        .await
        .expect("create the reader");
    assert_reads_as(&reader, &reader_desired);
    assert_eq!(reader.get("writer"), Some(&json!(false)), "{reader:#?}");

    // The reader changes class and failover priority in place.
    let mut reader_changed = reader_desired.clone();
    reader_changed.insert("instance_class".into(), json!("db.r6g.xlarge"));
    reader_changed.insert("promotion_tier".into(), json!(2));
    let reader = instance_d
        .update(&instance_ctx, &reader, &reader_changed)
        .await
        .expect("update the reader");
    assert_reads_as(&reader, &reader_changed);
    let reader = instance_d
        .read(&instance_ctx, &reader)
        .await
        .expect("read")
        .expect("reader exists");
    assert_reads_as(&reader, &reader_changed);

    // The secondary cluster joins the global database from the failover region, without
    // credentials or a database name of its own.
    let secondary_desired = obj(json!({
        "cluster_identifier": format!("{name}-secondary"),
        "engine": "aurora-postgresql",
        "engine_version": "15.4",
        "global_cluster_identifier": global_id,
        "db_subnet_group_name": str_attr(&group_failover, "id"),
        "storage_encrypted": true,
        "kms_key_id": "arn:aws:kms:eu-west-3:123456789012:key/11111111-2222-3333-4444-555555555555",
        "source_region": PRIMARY,
        "skip_final_snapshot": true,
    }));
    let secondary_tags = tags_for(&fx, "aws_rds_cluster.secondary");
    let secondary_ctx = ctx_with(&fx, FAILOVER, "aws_rds_cluster.secondary", &secondary_tags);
    let secondary = cluster_d
        .create(&secondary_ctx, &secondary_desired)
        .await
        .expect("create the secondary cluster");
    assert_reads_as(&secondary, &secondary_desired);
    let secondary_arn = str_attr(&secondary, "arn").to_string();
    assert!(secondary_arn.starts_with("arn:aws:rds:eu-west-3:"), "{secondary_arn}");
    assert!(str_attr(&secondary, "endpoint").contains(".eu-west-3."));
    assert_eq!(secondary.get("master_username"), None, "{secondary:#?}");

    // The global cluster lists both members, the primary as writer.
    let global = global_d
        .read(&global_ctx, &global)
        .await
        .expect("read")
        .expect("global exists");
    assert_reads_as(&global, &global_desired);
    let members = global["global_cluster_members"].as_array().expect("members");
    assert!(
        members.contains(&json!({"db_cluster_arn": primary_arn, "is_writer": true})),
        "{members:#?}"
    );
    assert!(
        members.contains(&json!({"db_cluster_arn": secondary_arn, "is_writer": false})),
        "{members:#?}"
    );

    // Read: as desired, membership from the global cluster, still no password.
    let read = cluster_d
        .read(&primary_ctx, &primary)
        .await
        .expect("read")
        .expect("primary exists");
    assert_reads_as(&read, &primary_desired);
    assert_no_secret(&read, &password);

    // Update in place: backup retention, and a new password only because its version changed.
    let mut changed = primary_desired.clone();
    changed.insert("backup_retention_period".into(), json!(3));
    changed.insert("tags".into(), json!({"tier": "gold"}));
    let before = fx.rds_calls().len();
    let updated = cluster_d.update(&primary_ctx, &read, &changed).await.expect("update");
    assert_reads_as(&updated, &changed);
    assert_no_secret(&updated, &password);
    assert!(
        fx.rds_calls()[before..]
            .iter()
            .all(|b| !b.contains("MasterUserPassword")),
        "an unchanged password version must not send the password"
    );
    let new_password = format!("{password}-2");
    changed.insert("master_password_wo".into(), json!(new_password));
    changed.insert("master_password_wo_version".into(), json!(2));
    let before = fx.rds_calls().len();
    let updated = cluster_d
        .update(&primary_ctx, &updated, &changed)
        .await
        .expect("rotate the password");
    assert_no_secret(&updated, &new_password);
    assert_eq!(updated.get("master_password_wo_version"), Some(&json!(2)));
    let calls = fx.rds_calls();
    let modify = &calls[before + call_index(&calls[before..], &["Action=ModifyDBCluster"])];
    assert!(modify.contains(&new_password), "{modify}");
    let aws_tags = fx
        .rds(PRIMARY)
        .list_tags_for_resource()
        .resource_name(&primary_arn)
        .send()
        .await
        .expect("ListTagsForResource");
    assert!(
        aws_tags
            .tag_list()
            .iter()
            .any(|t| t.key() == Some("tier") && t.value() == Some("gold"))
    );

    // Drift: changed out of band, read shows AWS's value.
    fx.rds(PRIMARY)
        .modify_db_cluster()
        .db_cluster_identifier(&primary_id)
        .backup_retention_period(5)
        .apply_immediately(true)
        .send()
        .await
        .expect("ModifyDBCluster");
    let drifted = cluster_d
        .read(&primary_ctx, &updated)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(drifted.get("backup_retention_period"), Some(&json!(5)));

    // find adopts this composite's cluster, not another composite's.
    let found = cluster_d
        .find(&primary_ctx, &changed)
        .await
        .expect("find")
        .expect("adopted");
    assert_eq!(str_attr(&found, "id"), primary_id);
    assert_no_secret(&found, &new_password);
    let other = ChildCtx {
        composite: "wellarch_multiregion_commerce.other",
        ..primary_ctx.clone()
    };
    assert_eq!(cluster_d.find(&other, &changed).await.expect("find"), None);

    // Deletion in dependency order: instances, the secondary (detached first), the primary
    // (detached, final snapshot), then the global cluster.
    instance_d
        .delete(&instance_ctx, &reader)
        .await
        .expect("delete the reader");
    instance_d
        .delete(&instance_ctx, &writer)
        .await
        .expect("delete the writer");
    assert_eq!(instance_d.read(&instance_ctx, &writer).await.expect("read"), None);
    let before = fx.rds_calls().len();
    cluster_d
        .delete(&secondary_ctx, &secondary)
        .await
        .expect("delete the secondary");
    assert_eq!(cluster_d.read(&secondary_ctx, &secondary).await.expect("read"), None);
    assert!(cluster_d.read(&primary_ctx, &updated).await.expect("read").is_some());
    cluster_d
        .delete(&primary_ctx, &updated)
        .await
        .expect("delete the primary");
    assert_eq!(cluster_d.read(&primary_ctx, &updated).await.expect("read"), None);
    let snapshots = fx
        .rds(PRIMARY)
        .describe_db_cluster_snapshots()
        .db_cluster_snapshot_identifier(format!("{name}-final"))
        .send()
        .await
        .expect("DescribeDBClusterSnapshots");
    assert_eq!(snapshots.db_cluster_snapshots().len(), 1, "the final snapshot");

    // The global database can only be deleted once empty; moto never empties it (its
    // RemoveFromGlobalCluster only works for us-east-1 clusters), so the delete is given a
    // short timeout and either succeeds or fails on exactly that.
    let short = AwsEnv {
        component_timeout: Duration::from_secs(3),
        ..fx.env.clone()
    };
    let short_ctx = ChildCtx {
        env: &short,
        ..global_ctx.clone()
    };
    let global_deleted = global_d.delete(&short_ctx, &global).await;

    let calls = fx.rds_calls()[before..].to_vec();
    let secondary_name = format!("{name}-secondary");
    let remove_secondary = call_index(
        &calls,
        &["Action=RemoveFromGlobalCluster", &format!("cluster%3A{secondary_name}")],
    );
    let delete_secondary = call_index(
        &calls,
        &[
            "Action=DeleteDBCluster",
            &format!("DBClusterIdentifier={secondary_name}&"),
        ],
    );
    let remove_primary = call_index(
        &calls,
        &["Action=RemoveFromGlobalCluster", &format!("cluster%3A{primary_id}")],
    );
    let delete_primary = call_index(
        &calls,
        &["Action=DeleteDBCluster", &format!("DBClusterIdentifier={primary_id}&")],
    );
    let delete_global = call_index(&calls, &["Action=DeleteGlobalCluster"]);
    assert!(remove_secondary < delete_secondary, "{calls:#?}");
    assert!(delete_secondary < remove_primary, "{calls:#?}");
    assert!(remove_primary < delete_primary, "{calls:#?}");
    assert!(delete_primary < delete_global, "{calls:#?}");
    match global_deleted {
        Ok(()) => assert_eq!(global_d.read(&global_ctx, &global).await.expect("read"), None),
        Err(e) => assert!(
            e.message.contains("InvalidGlobalClusterStateFault") && e.message.contains("not empty"),
            "{e}"
        ),
    }

    group_d
        .delete(
            &ctx_with(&fx, FAILOVER, "aws_db_subnet_group.db", &group_tags),
            &group_failover,
        )
        .await
        .expect("delete the failover subnet group");
    group_d
        .delete(
            &ctx_with(&fx, PRIMARY, "aws_db_subnet_group.db", &group_tags),
            &group_primary,
        )
        .await
        .expect("delete the primary subnet group");
}

#[tokio::test]
async fn rds_global_cluster_basic_and_narrow_update() {
    let Some(fx) = fixture().await else {
        return;
    };
    let d = the_driver("aws_rds_global_cluster");
    let tags = tags_for(&fx, "aws_rds_global_cluster.db");
    let ctx = ctx_with(&fx, PRIMARY, "aws_rds_global_cluster.db", &tags);
    let desired = obj(json!({
        "global_cluster_identifier": common::unique("lonely"),
        "engine": "aurora-mysql",
        "database_name": "app",
        "storage_encrypted": false,
    }));
    let state = d.create(&ctx, &desired).await.expect("create");
    assert_reads_as(&state, &desired);
    assert_eq!(state.get("deletion_protection"), Some(&json!(false)));
    assert!(
        state
            .get("engine_version")
            .and_then(Value::as_str)
            .is_some_and(|v| !v.is_empty())
    );

    // moto 5.2.5 answers ModifyGlobalCluster with a 500: the change fails and says where.
    let mut protected = desired.clone();
    protected.insert("deletion_protection".into(), json!(true));
    let err = d
        .update(&ctx, &state, &protected)
        .await
        .expect_err("moto lacks ModifyGlobalCluster");
    assert!(err.message.starts_with("ModifyGlobalCluster"), "{err}");

    // Deleted out of band: read is None, delete succeeds.
    d.delete(&ctx, &state).await.expect("delete");
    assert_eq!(d.read(&ctx, &state).await.expect("read"), None);
    d.delete(&ctx, &state).await.expect("delete again");
}

// ---------------------------------------------------------------------------------------
// aws_db_subnet_group

#[tokio::test]
async fn db_subnet_group_lifecycle() {
    let Some(fx) = fixture().await else {
        return;
    };
    let d = the_driver("aws_db_subnet_group");
    assert_eq!(d.replace_on(), &["name"]);
    let ids = subnets(&fx, FAILOVER, 30).await;
    let tags = tags_for(&fx, "aws_db_subnet_group.db");
    let ctx = ctx_with(&fx, FAILOVER, "aws_db_subnet_group.db", &tags);
    let desired = obj(json!({
        "name": common::unique("db"),
        "description": "orders database",
        "subnet_ids": ids,
        "tags": {"team": "orders"},
    }));
    let state = d.create(&ctx, &desired).await.expect("create");
    assert_reads_as(&state, &desired);
    let name = str_attr(&state, "id").to_string();
    assert_eq!(name, desired["name"].as_str().expect("name"));
    assert_eq!(
        str_attr(&state, "arn"),
        format!("arn:aws:rds:eu-west-3:123456789012:subgrp:{name}")
    );
    assert!(str_attr(&state, "vpc_id").starts_with("vpc-"));
    assert_eq!(pointer(&state, "/tags_all/env"), Some(&json!("test")));

    // Drift: a tag added out of band shows in read.
    fx.rds(FAILOVER)
        .add_tags_to_resource()
        .resource_name(str_attr(&state, "arn"))
        .tags(aws_sdk_rds::types::Tag::builder().key("owner").value("someone").build())
        .send()
        .await
        .expect("AddTagsToResource");
    let drifted = d.read(&ctx, &state).await.expect("read").expect("exists");
    assert_eq!(pointer(&drifted, "/tags/owner"), Some(&json!("someone")));

    // Update tags in place (the extra tag goes, `team` changes).
    let mut retagged = desired.clone();
    retagged.insert("tags".into(), json!({"team": "payments"}));
    let updated = d.update(&ctx, &drifted, &retagged).await.expect("update tags");
    assert_reads_as(&updated, &retagged);
    let read = d.read(&ctx, &updated).await.expect("read").expect("exists");
    assert_reads_as(&read, &retagged);
    assert_eq!(pointer(&read, "/tags_all/owner"), None);

    // find adopts it for this composite only.
    let adopted = d.find(&ctx, &retagged).await.expect("find").expect("adopted");
    assert_eq!(str_attr(&adopted, "id"), name);
    let other = ChildCtx {
        composite: "wellarch_multiregion_commerce.other",
        ..ctx.clone()
    };
    assert_eq!(d.find(&other, &retagged).await.expect("find"), None);

    // Description and subnets change with ModifyDBSubnetGroup. moto 5.2.5 drops a group it
    // modifies (its modify_db_subnet_group pops the group and never puts it back), so the
    // call is checked as sent, and the outcome is either the change read back or that loss.
    let mut changed = retagged.clone();
    changed.insert("description".into(), json!("orders database (one AZ)"));
    changed.insert("subnet_ids".into(), json!([ids[1]]));
    let before = fx.rds_calls().len();
    let result = d.update(&ctx, &read, &changed).await;
    let calls = fx.rds_calls()[before..].to_vec();
    let modify = &calls[call_index(&calls, &["Action=ModifyDBSubnetGroup"])];
    assert!(
        modify.contains(&format!("SubnetIds.SubnetIdentifier.1={}", ids[1])),
        "{modify}"
    );
    assert!(!modify.contains(&ids[0]), "{modify}");
    assert!(
        modify.contains("DBSubnetGroupDescription=orders%20database%20%28one%20AZ%29"),
        "{modify}"
    );
    match result {
        Ok(updated) => assert_reads_as(&updated, &changed),
        Err(e) => {
            assert!(e.message.contains("vanished during update"), "{e}");
            assert_eq!(d.read(&ctx, &read).await.expect("read"), None);
        }
    }

    d.delete(&ctx, &read).await.expect("delete");
    assert_eq!(d.read(&ctx, &read).await.expect("read"), None);
    d.delete(&ctx, &read).await.expect("delete again");
}

// ---------------------------------------------------------------------------------------
// Secrets Manager

#[tokio::test]
async fn secretsmanager_secret_lifecycle() {
    let Some(fx) = fixture().await else {
        return;
    };
    let d = the_driver("aws_secretsmanager_secret");
    let tags = tags_for(&fx, "aws_secretsmanager_secret.db");
    let ctx = ctx_with(&fx, PRIMARY, "aws_secretsmanager_secret.db", &tags);
    let desired = obj(json!({
        "name": common::unique("db-credentials"),
        "description": "orders database credentials",
        "recovery_window_in_days": 7,
        "replica": [{"region": FAILOVER}],
        "tags": {"team": "orders"},
    }));
    let state = d.create(&ctx, &desired).await.expect("create");
    assert_reads_as(&state, &desired);
    let arn = str_attr(&state, "id").to_string();
    assert_eq!(str_attr(&state, "arn"), arn);
    assert!(
        arn.starts_with("arn:aws:secretsmanager:eu-west-1:123456789012:secret:"),
        "{arn}"
    );
    assert_eq!(pointer(&state, "/tags_all/wellarch:composite"), Some(&json!(COMPOSITE)));

    // Update: description, replica moved to another region with its own key, tags.
    let mut changed = desired.clone();
    changed.insert("description".into(), json!("rotated monthly"));
    changed.insert(
        "replica".into(),
        // moto 5.2.5 ignores a replica's KmsKeyId (it reports the default key): no key here.
        json!([{"region": "eu-west-2"}]),
    );
    changed.insert("tags".into(), json!({"team": "payments"}));
    let updated = d.update(&ctx, &state, &changed).await.expect("update");
    assert_reads_as(&updated, &changed);
    let read = d.read(&ctx, &updated).await.expect("read").expect("exists");
    assert_reads_as(&read, &changed);

    // Drift.
    fx.secrets(PRIMARY)
        .update_secret()
        .secret_id(&arn)
        .description("edited by hand")
        .send()
        .await
        .expect("UpdateSecret");
    let drifted = d.read(&ctx, &read).await.expect("read").expect("exists");
    assert_eq!(drifted.get("description"), Some(&json!("edited by hand")));

    // find adopts it for this composite only.
    let adopted = d.find(&ctx, &changed).await.expect("find").expect("adopted");
    assert_eq!(str_attr(&adopted, "id"), arn);
    let other = ChildCtx {
        composite: "wellarch_multiregion_commerce.other",
        ..ctx.clone()
    };
    assert_eq!(d.find(&other, &changed).await.expect("find"), None);

    // Delete removes the replica first (AWS refuses otherwise), then schedules deletion.
    d.delete(&ctx, &read).await.expect("delete");
    assert_eq!(d.read(&ctx, &read).await.expect("read"), None);
    let described = fx
        .secrets(PRIMARY)
        .describe_secret()
        .secret_id(&arn)
        .send()
        .await
        .expect("a scheduled deletion still describes");
    assert!(described.deleted_date().is_some());
    assert!(described.replication_status().is_empty());
    d.delete(&ctx, &read).await.expect("delete again");
}

#[tokio::test]
async fn secret_version_value_is_write_only() {
    let Some(fx) = fixture().await else {
        return;
    };
    let secret_d = the_driver("aws_secretsmanager_secret");
    let d = the_driver("aws_secretsmanager_secret_version");
    let tags = tags_for(&fx, "aws_secretsmanager_secret_version.db");
    let ctx = ctx_with(&fx, PRIMARY, "aws_secretsmanager_secret_version.db", &tags);
    let secret = secret_d
        .create(
            &ctx,
            &obj(json!({"name": common::unique("app"), "recovery_window_in_days": 0})),
        )
        .await
        .expect("create the secret");
    let secret_arn = str_attr(&secret, "arn").to_string();

    let first_value = format!("value-one-{}", std::process::id());
    let desired = obj(json!({
        "secret_id": secret_arn,
        "secret_string_wo": first_value,
        "secret_string_wo_version": 1,
    }));
    let first = d.create(&ctx, &desired).await.expect("create");
    assert_no_secret(&first, &first_value);
    let version = str_attr(&first, "version_id").to_string();
    assert_eq!(str_attr(&first, "id"), format!("{secret_arn}|{version}"));
    assert_eq!(str_attr(&first, "arn"), secret_arn);
    assert_eq!(first.get("version_stages"), Some(&json!(["AWSCURRENT"])));
    let got = fx
        .secrets(PRIMARY)
        .get_secret_value()
        .secret_id(&secret_arn)
        .send()
        .await
        .expect("GetSecretValue");
    assert_eq!(got.secret_string(), Some(first_value.as_str()));
    let read = d.read(&ctx, &first).await.expect("read").expect("exists");
    assert_no_secret(&read, &first_value);
    assert_eq!(read.get("secret_string_wo_version"), Some(&json!(1)));

    // Same version: nothing is put.
    let same = d.update(&ctx, &read, &desired).await.expect("update, same version");
    assert_eq!(same.get("id"), first.get("id"));

    // A new version puts the new value: a new version id, AWSCURRENT moves to it.
    let second_value = format!("value-two-{}", std::process::id());
    let mut changed = desired.clone();
    changed.insert("secret_string_wo".into(), json!(second_value));
    changed.insert("secret_string_wo_version".into(), json!(2));
    let second = d.update(&ctx, &same, &changed).await.expect("update, new version");
    assert_no_secret(&second, &second_value);
    assert_ne!(second.get("version_id"), first.get("version_id"));
    let old = d
        .read(&ctx, &first)
        .await
        .expect("read")
        .expect("the old version still exists");
    assert_eq!(old.get("version_stages"), Some(&json!(["AWSPREVIOUS"])));

    // Find adopts the current version (import): no new value is put.
    let adopted = d.find(&ctx, &changed).await.expect("find").expect("adopts");
    assert_eq!(adopted.get("id"), second.get("id"));
    assert_no_secret(&adopted, &second_value);

    // The ephemeral source reads values without any state.
    let ephemeral = ephemeral_resource("aws_secretsmanager_secret_version").expect("registered");
    let current = ephemeral
        .read(&ctx, &obj(json!({"secret_id": secret_arn})))
        .await
        .expect("read the current value");
    assert_eq!(current.get("secret_string"), Some(&json!(second_value)));
    assert_eq!(current.get("version_id"), second.get("version_id"));
    let previous = ephemeral
        .read(&ctx, &obj(json!({"secret_id": secret_arn, "version_id": version})))
        .await
        .expect("read the first value");
    assert_eq!(previous.get("secret_string"), Some(&json!(first_value)));

    // Deleting the old version retires it; the current one keeps AWSCURRENT.
    d.delete(&ctx, &old).await.expect("delete the old version");
    assert_eq!(d.read(&ctx, &old).await.expect("read"), None);
    d.delete(&ctx, &second).await.expect("delete the current version");
    assert!(d.read(&ctx, &second).await.expect("read").is_some());

    secret_d.delete(&ctx, &secret).await.expect("delete the secret");
    assert_eq!(d.read(&ctx, &second).await.expect("read"), None, "gone with its secret");
}

#[tokio::test]
async fn ephemeral_random_password() {
    let Some(fx) = fixture().await else {
        return;
    };
    let source = ephemeral_resource("aws_secretsmanager_random_password").expect("registered");
    assert_eq!(source.service(), "secretsmanager");
    let tags = tags_for(&fx, "aws_rds_cluster.primary");
    let ctx = ctx_with(&fx, PRIMARY, "aws_rds_cluster.primary", &tags);
    let out = source
        .read(
            &ctx,
            &obj(json!({"password_length": 24, "exclude_punctuation": true, "exclude_characters": "abcXYZ"})),
        )
        .await
        .expect("GetRandomPassword");
    let password = out["random_password"].as_str().expect("a password");
    assert_eq!(password.chars().count(), 24, "{password}");
    assert!(password.chars().all(|c| c.is_ascii_alphanumeric()), "{password}");
    assert!(!password.chars().any(|c| "abcXYZ".contains(c)), "{password}");
}
