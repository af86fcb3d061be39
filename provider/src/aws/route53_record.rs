//! `aws_route53_record`: one record set (simple routing) in a hosted zone: either `ttl` +
//! `records`, or an `alias` to another AWS name (a CloudFront distribution, a load balancer).

use async_trait::async_trait;
use aws_sdk_route53::Client;
use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, ChangeStatus, ResourceRecord, ResourceRecordSet, RrType,
};
use serde_json::{Map, Value};

use super::attrs::{self, Attrs};
use super::normalise;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, build_error, found, wait};

pub struct Route53Record;

const ZONE_GONE: &[&str] = &["NoSuchHostedZone"];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("route53"))
}

/// `Z123` from `Z123` or `/hostedzone/Z123`.
fn clean_zone_id(zone: &str) -> &str {
    zone.trim_start_matches("/hostedzone/")
}

/// A DNS name as Route 53 compares it: lower case, no trailing dot, `\052` as `*`.
fn normalize_name(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase().replace("\\052", "*")
}

/// The record's full name: `name` as is when it is inside the zone, else `name.zone`.
fn expand_name(name: &str, zone_name: &str) -> String {
    let name = normalize_name(name);
    let zone = normalize_name(zone_name);
    if name.is_empty() {
        zone
    } else if name == zone || name.ends_with(&format!(".{zone}")) {
        name
    } else {
        format!("{name}.{zone}")
    }
}

fn record_type(attrs: &Attrs) -> Result<RrType, DriverError> {
    let raw = attrs::required_string(attrs, "type")?.to_ascii_uppercase();
    RrType::try_parse(&raw).map_err(|_| DriverError::new(format!("`type` is not a Route 53 record type: {raw}")))
}

fn zone_id(attrs: &Attrs) -> Result<&str, DriverError> {
    Ok(clean_zone_id(attrs::required_string(attrs, "zone_id")?))
}

/// The zone's name, or `None` when the zone no longer exists.
async fn zone_name(client: &Client, zone: &str) -> Result<Option<String>, DriverError> {
    let out = client.get_hosted_zone().id(zone).send().await;
    Ok(found("GetHostedZone", ZONE_GONE, out)?.and_then(|out| out.hosted_zone.map(|z| z.name)))
}

/// The record set `desired` describes, named `fqdn`.
fn record_set(desired: &Attrs, fqdn: &str) -> Result<ResourceRecordSet, DriverError> {
    let mut b = ResourceRecordSet::builder().name(fqdn).r#type(record_type(desired)?);
    match attrs::block(desired, "alias")? {
        Some(alias) => {
            let target = AliasTarget::builder()
                .dns_name(attrs::required_string(alias, "name")?)
                .hosted_zone_id(attrs::required_string(alias, "zone_id")?)
                .evaluate_target_health(attrs::boolean(alias, "evaluate_target_health")?.unwrap_or(false))
                .build()
                .map_err(build_error("alias"))?;
            b = b.alias_target(target);
        }
        None => {
            let ttl = attrs::int(desired, "ttl")?
                .ok_or_else(|| DriverError::new("a record without `alias` needs `ttl` and `records`"))?;
            let records = attrs::string_list(desired, "records")?
                .into_iter()
                .map(|v| {
                    ResourceRecord::builder()
                        .value(v)
                        .build()
                        .map_err(build_error("records"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            if records.is_empty() {
                return Err(DriverError::new("a record without `alias` needs `ttl` and `records`"));
            }
            b = b.ttl(ttl).set_resource_records(Some(records));
        }
    }
    b.build().map_err(build_error("record set"))
}

/// The record set of this name and type (simple routing: no set identifier), if any.
async fn find(
    client: &Client,
    zone: &str,
    fqdn: &str,
    rtype: &RrType,
) -> Result<Option<ResourceRecordSet>, DriverError> {
    let out = client
        .list_resource_record_sets()
        .hosted_zone_id(zone)
        .start_record_name(format!("{fqdn}."))
        .start_record_type(rtype.clone())
        .max_items(1)
        .send()
        .await;
    let Some(out) = found("ListResourceRecordSets", ZONE_GONE, out)? else {
        return Ok(None);
    };
    Ok(out
        .resource_record_sets()
        .iter()
        .find(|r| normalize_name(&r.name) == fqdn && r.r#type == *rtype && r.set_identifier.is_none())
        .cloned())
}

/// Submits one change; the id of the change to wait for, `None` when it is INSYNC already.
async fn change(
    ctx: &ChildCtx<'_>,
    client: &Client,
    zone: &str,
    action: ChangeAction,
    set: ResourceRecordSet,
) -> Result<Option<String>, DriverError> {
    let op = format!("ChangeResourceRecordSets ({})", action.as_str());
    let batch = ChangeBatch::builder()
        .comment(format!("wellarch: {}", ctx.component))
        .changes(
            Change::builder()
                .action(action)
                .resource_record_set(set)
                .build()
                .map_err(build_error(&op))?,
        )
        .build()
        .map_err(build_error(&op))?;
    let out = client
        .change_resource_record_sets()
        .hosted_zone_id(zone)
        .change_batch(batch)
        .send()
        .await
        .map_err(|e| aws_error(&op, e))?;
    Ok(out
        .change_info()
        .filter(|i| i.status != ChangeStatus::Insync)
        .map(|i| i.id.clone()))
}

/// Waits until Route 53 reports a submitted change INSYNC (served by every name server).
async fn wait_insync(ctx: &ChildCtx<'_>, client: &Client, change: Option<String>) -> Result<(), DriverError> {
    let Some(id) = change else {
        return Ok(());
    };
    let id = id.as_str();
    wait::until(
        &format!("Route 53 change {id} to be INSYNC"),
        ctx.env.component_timeout,
        || async move {
            let out = client
                .get_change()
                .id(id)
                .send()
                .await
                .map_err(|e| aws_error("GetChange", e))?;
            Ok(out
                .change_info()
                .is_some_and(|i| i.status == ChangeStatus::Insync)
                .then_some(()))
        },
    )
    .await
}

/// `(zone, fqdn, type)` of a record in a state, with the zone's name looked up; `None` when
/// the zone is gone.
async fn locate(client: &Client, attrs: &Attrs) -> Result<Option<(String, String, RrType)>, DriverError> {
    let zone = zone_id(attrs)?;
    let Some(zone_name) = zone_name(client, zone).await? else {
        return Ok(None);
    };
    Ok(Some((
        zone.to_string(),
        expand_name(attrs::required_string(attrs, "name")?, &zone_name),
        record_type(attrs)?,
    )))
}

#[async_trait]
impl Driver for Route53Record {
    fn resource_type(&self) -> &'static str {
        "aws_route53_record"
    }

    fn service(&self) -> &'static str {
        "route53"
    }

    /// A record set is identified by zone, name and type.
    fn replace_on(&self) -> &'static [&'static str] {
        &["zone_id", "name", "type"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let Some((zone, fqdn, rtype)) = locate(&client, desired).await? else {
            return Err(DriverError::new(format!(
                "GetHostedZone: hosted zone {} does not exist",
                attrs::required_string(desired, "zone_id")?
            )));
        };
        let name = normalize_name(attrs::required_string(desired, "name")?);
        let submitted = change(ctx, &client, &zone, ChangeAction::Create, record_set(desired, &fqdn)?).await?;
        let mut state = desired.clone();
        state.insert("id".into(), Value::String(format!("{zone}_{name}_{}", rtype.as_str())));
        state.insert("fqdn".into(), Value::String(fqdn));
        wait_insync(ctx, &client, submitted).await.after_create(&state)?;
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let Some((zone, fqdn, rtype)) = locate(&client, state).await? else {
            return Ok(None);
        };
        let Some(rec) = find(&client, &zone, &fqdn, &rtype).await? else {
            return Ok(None);
        };
        let mut actual = Map::new();
        actual.insert("type".into(), Value::String(rec.r#type.as_str().to_string()));
        actual.insert("fqdn".into(), Value::String(fqdn));
        actual.insert("ttl".into(), rec.ttl.map_or(Value::Null, Value::from));
        let records: Vec<&str> = rec
            .resource_records
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|r| r.value.as_str())
            .collect();
        actual.insert("records".into(), attrs::strings_value(&records));
        let alias = match &rec.alias_target {
            Some(a) => {
                // Route 53 answers alias names in its canonical form (lower case, trailing dot).
                let prior = state
                    .get("alias")
                    .and_then(|v| v.pointer("/0/name"))
                    .and_then(Value::as_str);
                let name = match prior {
                    Some(p) if normalize_name(p) == normalize_name(&a.dns_name) => p.to_string(),
                    _ => normalize_name(&a.dns_name),
                };
                let mut m = Map::new();
                m.insert("name".into(), Value::String(name));
                m.insert("zone_id".into(), Value::String(a.hosted_zone_id.clone()));
                m.insert("evaluate_target_health".into(), Value::Bool(a.evaluate_target_health));
                attrs::block_value(m)
            }
            None => Value::Array(Vec::new()),
        };
        actual.insert("alias".into(), alias);
        Ok(Some(normalise::read_state(state, actual)))
    }

    /// The record set of this zone, name and type (ListResourceRecordSets, as `read`).
    /// Records carry no tags: the one the configuration names is the composite's.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<Option<ChildState>, DriverError> {
        let Some((zone, _, rtype)) = locate(&client(ctx), desired).await? else {
            return Ok(None);
        };
        let name = normalize_name(attrs::required_string(desired, "name")?);
        adopt(self, ctx, desired, &format!("{zone}_{name}_{}", rtype.as_str()), false).await
    }

    /// UPSERT: Route 53 replaces the record set of this name and type in one change.
    async fn update(
        &self,
        ctx: &ChildCtx<'_>,
        state: &ChildState,
        desired: &Map<String, Value>,
    ) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let Some((zone, fqdn, _)) = locate(&client, state).await? else {
            return Err(DriverError::new(format!(
                "GetHostedZone: hosted zone {} does not exist",
                attrs::required_string(state, "zone_id")?
            )));
        };
        let submitted = change(ctx, &client, &zone, ChangeAction::Upsert, record_set(desired, &fqdn)?).await?;
        wait_insync(ctx, &client, submitted).await?;
        let mut next = state.clone();
        next.extend(desired.clone());
        // Keys that were dropped from the desired attributes (ttl/records vs alias) go too.
        for key in ["ttl", "records", "alias"] {
            if !desired.contains_key(key) {
                next.remove(key);
            }
        }
        Ok(next)
    }

    /// DELETE needs the record's current values, so it is looked up first.
    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let Some((zone, fqdn, rtype)) = locate(&client, state).await? else {
            return Ok(());
        };
        let Some(rec) = find(&client, &zone, &fqdn, &rtype).await? else {
            return Ok(());
        };
        match change(ctx, &client, &zone, ChangeAction::Delete, rec).await {
            Ok(submitted) => wait_insync(ctx, &client, submitted).await?,
            // Deleted by someone else between the lookup and the change.
            Err(e) if e.message.contains("InvalidChangeBatch") => {
                if find(&client, &zone, &fqdn, &rtype).await?.is_some() {
                    return Err(e);
                }
            }
            Err(e) => return Err(e),
        }
        wait::until_gone(
            &format!("record {fqdn} {} to be deleted", rtype.as_str()),
            ctx.env.component_timeout,
            || find(&client, &zone, &fqdn, &rtype),
        )
        .await
    }
}
