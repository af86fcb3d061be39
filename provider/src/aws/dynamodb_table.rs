//! `aws_dynamodb_table`: CreateTable / DescribeTable / UpdateTable /
//! UpdateContinuousBackups / DeleteTable.
//!
//! A table is usable only once ACTIVE (and point-in-time recovery can be switched on only
//! then), and UpdateTable takes one kind of change at a time, each followed by a wait for
//! ACTIVE. Key schema and attribute definitions cannot change in place (this driver knows
//! no secondary indexes, so every attribute definition is a key attribute). A table with
//! deletion protection is never deleted: delete fails and says so, and the orchestrator
//! decides what to do.

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, PointInTimeRecoverySpecification,
    PointInTimeRecoveryStatus, ProvisionedThroughput, ScalarAttributeType, SseSpecification, SseStatus, SseType,
    TableDescription, TableStatus, Tag,
};
use serde_json::{Value, json};

use super::attrs::{self, Attrs};
use super::normalise;
use super::tags::{self, Tags};
use super::wait;
use super::{
    AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, build_error, found, has_code, state_id,
};

pub struct DynamodbTable;

const NOT_FOUND: &[&str] = &["ResourceNotFoundException"];
/// The table is being created, updated or deleted; the call can be retried.
const IN_USE: &[&str] = &["ResourceInUseException"];
/// Continuous backups are still being set up right after CreateTable.
const BACKUPS_UNAVAILABLE: &[&str] = &["ContinuousBackupsUnavailableException"];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("dynamodb"))
}

/// What the configuration asks of a table, parsed once.
struct Spec {
    name: String,
    billing_mode: BillingMode,
    /// (read, write) capacity units; only with PROVISIONED billing.
    capacity: Option<(i64, i64)>,
    hash_key: String,
    range_key: Option<String>,
    attributes: Vec<(String, String)>,
    pitr: bool,
    sse: bool,
    kms_key_arn: Option<String>,
    deletion_protection: bool,
}

impl Spec {
    fn parse(desired: &Attrs) -> Result<Spec, DriverError> {
        let billing_mode = match attrs::string(desired, "billing_mode")? {
            None | Some("PROVISIONED") => BillingMode::Provisioned,
            Some("PAY_PER_REQUEST") => BillingMode::PayPerRequest,
            Some(other) => {
                return Err(DriverError::new(format!(
                    "attribute `billing_mode`: expected PAY_PER_REQUEST or PROVISIONED, got {other}"
                )));
            }
        };
        let capacity = match billing_mode {
            BillingMode::Provisioned => Some((
                attrs::int(desired, "read_capacity")?.ok_or_else(|| {
                    DriverError::new("attribute `read_capacity` is required with billing_mode PROVISIONED")
                })?,
                attrs::int(desired, "write_capacity")?.ok_or_else(|| {
                    DriverError::new("attribute `write_capacity` is required with billing_mode PROVISIONED")
                })?,
            )),
            _ => None,
        };
        let mut attributes = Vec::new();
        for block in attrs::blocks(desired, "attribute")? {
            let name = attrs::required_string(block, "name")?;
            let kind = attrs::required_string(block, "type")?;
            if !matches!(kind, "S" | "N" | "B") {
                return Err(DriverError::new(format!(
                    "attribute `attribute` {name}: type must be S, N or B, got {kind}"
                )));
            }
            attributes.push((name.to_string(), kind.to_string()));
        }
        let hash_key = attrs::required_string(desired, "hash_key")?.to_string();
        let range_key = attrs::owned_string(desired, "range_key")?;
        for key in std::iter::once(&hash_key).chain(range_key.as_ref()) {
            if !attributes.iter().any(|(n, _)| n == key) {
                return Err(DriverError::new(format!(
                    "key {key} needs an `attribute` block defining its type"
                )));
            }
        }
        let flag = |block: &str| -> Result<bool, DriverError> {
            match attrs::block(desired, block)? {
                Some(b) => Ok(attrs::boolean(b, "enabled")?.unwrap_or(false)),
                None => Ok(false),
            }
        };
        let kms_key_arn = match attrs::block(desired, "server_side_encryption")? {
            Some(b) => attrs::owned_string(b, "kms_key_arn")?,
            None => None,
        };
        Ok(Spec {
            name: attrs::required_string(desired, "name")?.to_string(),
            billing_mode,
            capacity,
            hash_key,
            range_key,
            attributes,
            pitr: flag("point_in_time_recovery")?,
            sse: flag("server_side_encryption")?,
            kms_key_arn,
            deletion_protection: attrs::boolean(desired, "deletion_protection_enabled")?.unwrap_or(false),
        })
    }

    fn throughput(&self) -> Result<Option<ProvisionedThroughput>, DriverError> {
        self.capacity
            .map(|(read, write)| {
                ProvisionedThroughput::builder()
                    .read_capacity_units(read)
                    .write_capacity_units(write)
                    .build()
                    .map_err(build_error("provisioned throughput"))
            })
            .transpose()
    }

    fn sse_specification(&self) -> SseSpecification {
        let mut sse = SseSpecification::builder().enabled(self.sse);
        if self.sse {
            sse = sse
                .sse_type(SseType::Kms)
                .set_kms_master_key_id(self.kms_key_arn.clone());
        }
        sse.build()
    }
}

/// DescribeTable; `None` when the table does not exist.
async fn find_table(client: &Client, name: &str) -> Result<Option<TableDescription>, DriverError> {
    let out = client.describe_table().table_name(name).send().await;
    Ok(found("DescribeTable", NOT_FOUND, out)?.and_then(|out| out.table))
}

fn sse_enabled(table: &TableDescription) -> bool {
    table
        .sse_description()
        .and_then(|d| d.status())
        .is_some_and(|s| matches!(s, SseStatus::Enabled | SseStatus::Enabling | SseStatus::Updating))
}

fn billing_mode(table: &TableDescription) -> BillingMode {
    table
        .billing_mode_summary()
        .and_then(|b| b.billing_mode())
        .cloned()
        .unwrap_or(BillingMode::Provisioned)
}

/// Waits until the table is ACTIVE with no encryption change in progress.
async fn wait_active(ctx: &ChildCtx<'_>, client: &Client, name: &str) -> Result<TableDescription, DriverError> {
    wait::until(
        &format!("table {name} to become ACTIVE"),
        ctx.env.component_timeout,
        || async {
            Ok(find_table(client, name).await?.filter(|table| {
                let active = table.table_status() == Some(&TableStatus::Active);
                let settling = table
                    .sse_description()
                    .and_then(|d| d.status())
                    .is_some_and(|s| matches!(s, SseStatus::Enabling | SseStatus::Disabling | SseStatus::Updating));
                active && !settling
            }))
        },
    )
    .await
}

async fn find_pitr(client: &Client, name: &str) -> Result<bool, DriverError> {
    let out = client
        .describe_continuous_backups()
        .table_name(name)
        .send()
        .await
        .map_err(|e| aws_error("DescribeContinuousBackups", e))?;
    Ok(out
        .continuous_backups_description()
        .and_then(|d| d.point_in_time_recovery_description())
        .and_then(|p| p.point_in_time_recovery_status())
        == Some(&PointInTimeRecoveryStatus::Enabled))
}

/// Switches point-in-time recovery and waits until DescribeContinuousBackups agrees.
async fn set_pitr(ctx: &ChildCtx<'_>, client: &Client, name: &str, enabled: bool) -> Result<(), DriverError> {
    let spec = PointInTimeRecoverySpecification::builder()
        .point_in_time_recovery_enabled(enabled)
        .build()
        .map_err(build_error("point-in-time recovery"))?;
    let timeout = ctx.env.component_timeout;
    wait::retry_while(
        timeout,
        |e| has_code(e, BACKUPS_UNAVAILABLE),
        || {
            client
                .update_continuous_backups()
                .table_name(name)
                .point_in_time_recovery_specification(spec.clone())
                .send()
        },
    )
    .await
    .map_err(|e| aws_error("UpdateContinuousBackups", e))?;
    let what = format!(
        "point-in-time recovery of table {name} to be {}",
        if enabled { "enabled" } else { "disabled" }
    );
    wait::until(&what, timeout, || async {
        Ok((find_pitr(client, name).await? == enabled).then_some(()))
    })
    .await
}

async fn find_tags(client: &Client, arn: &str) -> Result<Tags, DriverError> {
    let mut out = Tags::new();
    let mut token: Option<String> = None;
    // Bounded: DynamoDB allows 50 tags per resource, 10 per page at the least.
    for _ in 0..100 {
        let page = client
            .list_tags_of_resource()
            .resource_arn(arn)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| aws_error("ListTagsOfResource", e))?;
        out.extend(page.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())));
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_string()),
            _ => return Ok(out),
        }
    }
    Err(DriverError::new(format!(
        "ListTagsOfResource: too many pages for {arn}"
    )))
}

fn sdk_tags(tags: &Tags) -> Result<Vec<Tag>, DriverError> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build().map_err(build_error("tag")))
        .collect()
}

async fn sync_tags(client: &Client, arn: &str, wanted: &Tags) -> Result<(), DriverError> {
    tags::sync(
        &find_tags(client, arn).await?,
        wanted,
        |keys| async move {
            client
                .untag_resource()
                .resource_arn(arn)
                .set_tag_keys(Some(keys))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("UntagResource", e))
        },
        |set| async move {
            client
                .tag_resource()
                .resource_arn(arn)
                .set_tags(Some(sdk_tags(&set)?))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("TagResource", e))
        },
    )
    .await
}

/// The key attribute named `kind` of a table's key schema.
fn key_of(table: &TableDescription, kind: KeyType) -> Option<String> {
    table
        .key_schema()
        .iter()
        .find(|k| *k.key_type() == kind)
        .map(|k| k.attribute_name().to_string())
}

fn applied_state(desired: &Attrs, name: &str, arn: &str, all: &Tags) -> Result<ChildState, DriverError> {
    let mut state = desired.clone();
    state.insert("id".into(), Value::String(name.to_string()));
    state.insert("name".into(), Value::String(name.to_string()));
    state.insert("arn".into(), Value::String(arn.to_string()));
    tags::put_applied(&mut state, desired, all)?;
    Ok(state)
}

/// One UpdateTable call (DynamoDB takes one kind of change at a time), then a wait for ACTIVE.
async fn update_table(
    ctx: &ChildCtx<'_>,
    client: &Client,
    name: &str,
    change: impl FnOnce(
        aws_sdk_dynamodb::operation::update_table::builders::UpdateTableFluentBuilder,
    ) -> aws_sdk_dynamodb::operation::update_table::builders::UpdateTableFluentBuilder,
) -> Result<(), DriverError> {
    change(client.update_table().table_name(name))
        .send()
        .await
        .map_err(|e| aws_error("UpdateTable", e))?;
    wait_active(ctx, client, name).await?;
    Ok(())
}

#[async_trait]
impl Driver for DynamodbTable {
    fn resource_type(&self) -> &'static str {
        "aws_dynamodb_table"
    }

    fn service(&self) -> &'static str {
        "dynamodb"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["name", "hash_key", "range_key", "attribute"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let spec = Spec::parse(desired)?;
        let all_tags = tags::wanted(ctx, desired)?;

        let mut keys = vec![
            KeySchemaElement::builder()
                .attribute_name(&spec.hash_key)
                .key_type(KeyType::Hash)
                .build()
                .map_err(build_error("hash key"))?,
        ];
        if let Some(range) = &spec.range_key {
            keys.push(
                KeySchemaElement::builder()
                    .attribute_name(range)
                    .key_type(KeyType::Range)
                    .build()
                    .map_err(build_error("range key"))?,
            );
        }
        let definitions = spec
            .attributes
            .iter()
            .map(|(name, kind)| {
                AttributeDefinition::builder()
                    .attribute_name(name)
                    .attribute_type(ScalarAttributeType::from(kind.as_str()))
                    .build()
                    .map_err(build_error("attribute definition"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut request = client
            .create_table()
            .table_name(&spec.name)
            .billing_mode(spec.billing_mode.clone())
            .set_provisioned_throughput(spec.throughput()?)
            .set_key_schema(Some(keys))
            .set_attribute_definitions(Some(definitions))
            .deletion_protection_enabled(spec.deletion_protection);
        if spec.sse {
            request = request.sse_specification(spec.sse_specification());
        }
        if !all_tags.is_empty() {
            request = request.set_tags(Some(sdk_tags(&all_tags)?));
        }
        let created = request.send().await.map_err(|e| aws_error("CreateTable", e))?;
        let arn = created
            .table_description()
            .and_then(|t| t.table_arn())
            .unwrap_or_default()
            .to_string();
        let mut state = applied_state(desired, &spec.name, &arn, &all_tags)?;

        let table = wait_active(ctx, &client, &spec.name).await.after_create(&state)?;
        if spec.pitr {
            set_pitr(ctx, &client, &spec.name, true).await.after_create(&state)?;
        }
        if let Some(arn) = table.table_arn() {
            state.insert("arn".into(), Value::String(arn.to_string()));
        }
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        let Some(table) = find_table(&client, name).await? else {
            return Ok(None);
        };
        // Being deleted (by us or out of band): it will not be usable again.
        if table.table_status() == Some(&TableStatus::Deleting) {
            return Ok(None);
        }
        let arn = table.table_arn().unwrap_or_default().to_string();
        let mut out = state.clone();
        out.insert("id".into(), json!(name));
        out.insert("name".into(), json!(name));
        out.insert("arn".into(), json!(arn));
        let mode = billing_mode(&table);
        out.insert("billing_mode".into(), json!(mode.as_str()));
        if mode == BillingMode::Provisioned || state.contains_key("read_capacity") {
            let throughput = table.provisioned_throughput();
            out.insert(
                "read_capacity".into(),
                json!(throughput.and_then(|t| t.read_capacity_units()).unwrap_or(0)),
            );
            out.insert(
                "write_capacity".into(),
                json!(throughput.and_then(|t| t.write_capacity_units()).unwrap_or(0)),
            );
        }
        out.insert(
            "hash_key".into(),
            json!(key_of(&table, KeyType::Hash).unwrap_or_default()),
        );
        match key_of(&table, KeyType::Range) {
            Some(range) => out.insert("range_key".into(), json!(range)),
            None => out.remove("range_key"),
        };
        let definitions = table
            .attribute_definitions()
            .iter()
            .map(|a| json!({"name": a.attribute_name(), "type": a.attribute_type().as_str()}))
            .collect();
        out.insert(
            "attribute".into(),
            normalise::set_like_prior(state.get("attribute"), definitions),
        );
        out.insert(
            "point_in_time_recovery".into(),
            json!([{"enabled": find_pitr(&client, name).await?}]),
        );
        let mut sse = json!({"enabled": sse_enabled(&table)});
        // `kms_key_arn` only when the configuration names a key: AWS reports its own key
        // otherwise, which is no drift.
        let prior_sse = state
            .get("server_side_encryption")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(Value::as_object);
        if prior_sse.is_some_and(|b| b.get("kms_key_arn").is_some_and(|v| !v.is_null())) {
            sse["kms_key_arn"] = json!(
                table
                    .sse_description()
                    .and_then(|d| d.kms_master_key_arn())
                    .unwrap_or_default()
            );
        }
        out.insert("server_side_encryption".into(), json!([sse]));
        out.insert(
            "deletion_protection_enabled".into(),
            json!(table.deletion_protection_enabled().unwrap_or(false)),
        );
        tags::put_read_state(ctx, &mut out, state, &find_tags(&client, &arn).await?)?;
        Ok(Some(out))
    }

    /// The table of this name (DescribeTable, as `read`), if tagged for this composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        adopt(self, ctx, desired, attrs::required_string(desired, "name")?, true).await
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        let spec = Spec::parse(desired)?;
        if spec.name != name {
            return Err(DriverError::new(format!(
                "table name cannot change in place ({name} to {}); the table must be replaced",
                spec.name
            )));
        }
        let table = find_table(&client, name)
            .await?
            .ok_or_else(|| DriverError::new(format!("table {name} does not exist")))?;
        if key_of(&table, KeyType::Hash).as_deref() != Some(spec.hash_key.as_str())
            || key_of(&table, KeyType::Range) != spec.range_key
        {
            return Err(DriverError::new(format!(
                "the key schema of table {name} cannot change in place; the table must be replaced"
            )));
        }
        let table = wait_active(ctx, &client, name).await?;

        let capacity_now = table.provisioned_throughput().map(|t| {
            (
                t.read_capacity_units().unwrap_or(0),
                t.write_capacity_units().unwrap_or(0),
            )
        });
        let throughput_changes = spec.capacity.is_some() && spec.capacity != capacity_now;
        if billing_mode(&table) != spec.billing_mode || throughput_changes {
            let throughput = spec.throughput()?;
            let mode = spec.billing_mode.clone();
            update_table(ctx, &client, name, |u| {
                u.billing_mode(mode).set_provisioned_throughput(throughput)
            })
            .await?;
        }
        if table.deletion_protection_enabled().unwrap_or(false) != spec.deletion_protection {
            let on = spec.deletion_protection;
            update_table(ctx, &client, name, |u| u.deletion_protection_enabled(on)).await?;
        }
        let kms_changes = spec.sse
            && spec.kms_key_arn.is_some()
            && table.sse_description().and_then(|d| d.kms_master_key_arn()) != spec.kms_key_arn.as_deref();
        if sse_enabled(&table) != spec.sse || kms_changes {
            let sse = spec.sse_specification();
            update_table(ctx, &client, name, |u| u.sse_specification(sse)).await?;
        }
        if find_pitr(&client, name).await? != spec.pitr {
            set_pitr(ctx, &client, name, spec.pitr).await?;
        }
        let arn = table.table_arn().unwrap_or_default();
        let all_tags = tags::wanted(ctx, desired)?;
        sync_tags(&client, arn, &all_tags).await?;
        applied_state(desired, name, arn, &all_tags)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        let Some(table) = find_table(&client, name).await? else {
            return Ok(());
        };
        if table.deletion_protection_enabled() == Some(true) {
            return Err(DriverError::new(format!(
                "table {name} has deletion protection enabled (deletion_protection_enabled = true): \
                 set it to false and apply before the table can be deleted"
            )));
        }
        let timeout = ctx.env.component_timeout;
        if table.table_status() != Some(&TableStatus::Deleting) {
            // Still being created or updated: wait and try again.
            let deleted = wait::retry_while(
                timeout,
                |e| has_code(e, IN_USE),
                || client.delete_table().table_name(name).send(),
            )
            .await;
            if found("DeleteTable", NOT_FOUND, deleted)?.is_none() {
                return Ok(());
            }
        }
        wait::until_gone(&format!("table {name} to be deleted"), timeout, || {
            find_table(&client, name)
        })
        .await
    }
}
