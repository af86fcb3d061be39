//! `aws_route53_record`: one record set in a hosted zone: either `ttl` + `records`, or an
//! `alias` to another AWS name (a CloudFront distribution, a load balancer). Simple routing,
//! or failover / latency routing with a `set_identifier` (and usually a `health_check_id`).
//!
//! A record set is identified by zone, name, type and set identifier (hashicorp/aws's id
//! `ZONE_NAME_TYPE[_SETID]`): records of one name and type with different set identifiers
//! coexist and are read, changed and deleted independently.

use async_trait::async_trait;
use aws_sdk_route53::Client;
use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, ChangeStatus, ResourceRecord, ResourceRecordSet,
    ResourceRecordSetFailover, ResourceRecordSetRegion, RrType,
};
use serde_json::{Map, Value};

use super::attrs::{self, Attrs};
use super::normalise;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, build_error, found, wait};

pub struct Route53Record;

const ZONE_GONE: &[&str] = &["NoSuchHostedZone"];
/// Record sets per ListResourceRecordSets page (the API's maximum is 300).
const PAGE: i32 = 100;
/// Pages of one name and type read before giving up: far more set identifiers than any
/// configuration has, and a bound if a service ignores the paging identifier.
const MAX_PAGES: usize = 20;
/// Routing policies of hashicorp/aws this driver does not map: an error, never dropped.
const UNSUPPORTED_POLICIES: &[&str] = &[
    "weighted_routing_policy",
    "geolocation_routing_policy",
    "geoproximity_routing_policy",
    "cidr_routing_policy",
];

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

/// The set identifier of a record (`None`: simple routing).
fn set_identifier(attrs: &Attrs) -> Result<Option<&str>, DriverError> {
    attrs::string(attrs, "set_identifier")
}

/// hashicorp/aws's id: `ZONE_NAME_TYPE`, plus `_SETID` for a record with a set identifier.
fn record_id(zone: &str, name: &str, rtype: &RrType, set_id: Option<&str>) -> String {
    match set_id {
        Some(set) => format!("{zone}_{name}_{}_{set}", rtype.as_str()),
        None => format!("{zone}_{name}_{}", rtype.as_str()),
    }
}

/// The failover or latency routing of `desired`, checked the way hashicorp/aws's schema
/// does (one policy at most, and only with a set identifier).
fn routing(
    desired: &Attrs,
) -> Result<(Option<ResourceRecordSetFailover>, Option<ResourceRecordSetRegion>), DriverError> {
    for key in UNSUPPORTED_POLICIES {
        if attrs::has_block(desired, key) {
            return Err(DriverError::new(format!("`{key}` is not supported")));
        }
    }
    if attrs::boolean(desired, "multivalue_answer_routing_policy")? == Some(true) {
        return Err(DriverError::new("`multivalue_answer_routing_policy` is not supported"));
    }
    let failover = match attrs::block(desired, "failover_routing_policy")? {
        Some(f) => {
            attrs::only_supported(f, "failover_routing_policy", &["type"])?;
            let raw = attrs::required_string(f, "type")?.to_ascii_uppercase();
            Some(ResourceRecordSetFailover::try_parse(&raw).map_err(|_| {
                DriverError::new(format!(
                    "failover_routing_policy: `type` must be PRIMARY or SECONDARY, got {raw}"
                ))
            })?)
        }
        None => None,
    };
    let latency = match attrs::block(desired, "latency_routing_policy")? {
        Some(l) => {
            attrs::only_supported(l, "latency_routing_policy", &["region"])?;
            let raw = attrs::required_string(l, "region")?;
            Some(ResourceRecordSetRegion::try_parse(raw).map_err(|_| {
                DriverError::new(format!(
                    "latency_routing_policy: `region` is not a Route 53 latency region: {raw}"
                ))
            })?)
        }
        None => None,
    };
    if failover.is_some() && latency.is_some() {
        return Err(DriverError::new(
            "`failover_routing_policy` conflicts with `latency_routing_policy`",
        ));
    }
    let routed = failover.is_some() || latency.is_some();
    match (routed, set_identifier(desired)?.is_some()) {
        (true, false) => Err(DriverError::new(
            "a routing policy needs `set_identifier` (records of one name and type are told apart by it)",
        )),
        (false, true) => Err(DriverError::new(
            "`set_identifier` needs a routing policy (`failover_routing_policy` or `latency_routing_policy`)",
        )),
        _ => Ok((failover, latency)),
    }
}

/// The record set `desired` describes, named `fqdn`.
fn record_set(desired: &Attrs, fqdn: &str) -> Result<ResourceRecordSet, DriverError> {
    let (failover, region) = routing(desired)?;
    let mut b = ResourceRecordSet::builder()
        .name(fqdn)
        .r#type(record_type(desired)?)
        .set_set_identifier(attrs::owned_string(desired, "set_identifier")?)
        .set_failover(failover)
        .set_region(region)
        .set_health_check_id(attrs::owned_string(desired, "health_check_id")?);
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

/// The record set of this name, type and set identifier (`None`: simple routing), if any.
///
/// Route 53 lists records sorted by name, type and set identifier, so the sets of one name
/// and type are read from that name and type on, page by page, until the list moves past
/// them.
async fn find(
    client: &Client,
    zone: &str,
    fqdn: &str,
    rtype: &RrType,
    set_id: Option<&str>,
) -> Result<Option<ResourceRecordSet>, DriverError> {
    let mut next_identifier: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let out = client
            .list_resource_record_sets()
            .hosted_zone_id(zone)
            .start_record_name(format!("{fqdn}."))
            .start_record_type(rtype.clone())
            .set_start_record_identifier(next_identifier.clone())
            .max_items(PAGE)
            .send()
            .await;
        let Some(out) = found("ListResourceRecordSets", ZONE_GONE, out)? else {
            return Ok(None);
        };
        let ours = |r: &&ResourceRecordSet| normalize_name(&r.name) == fqdn && r.r#type == *rtype;
        if let Some(hit) = out
            .resource_record_sets()
            .iter()
            .filter(ours)
            .find(|r| r.set_identifier.as_deref() == set_id)
        {
            return Ok(Some(hit.clone()));
        }
        // Another page only while it still holds this name and type.
        let same_next =
            out.next_record_name().is_some_and(|n| normalize_name(n) == fqdn) && out.next_record_type() == Some(rtype);
        let identifier = out.next_record_identifier().map(str::to_string);
        if !out.is_truncated() || !same_next || identifier.is_none() || identifier == next_identifier {
            return Ok(None);
        }
        next_identifier = identifier;
    }
    Ok(None)
}

/// Submits one change; the id of the change to wait for, `None` when it is INSYNC already.
async fn change(
    ctx: &ChildCtx<'_>,
    client: &Client,
    zone: &str,
    action: ChangeAction,
    set: ResourceRecordSet,
) -> Result<Option<String>, DriverError> {
    change_all(ctx, client, zone, vec![(action, set)]).await
}

/// Submits several changes as one batch, which Route 53 applies all or nothing.
async fn change_all(
    ctx: &ChildCtx<'_>,
    client: &Client,
    zone: &str,
    changes: Vec<(ChangeAction, ResourceRecordSet)>,
) -> Result<Option<String>, DriverError> {
    let actions: Vec<&str> = changes.iter().map(|(a, _)| a.as_str()).collect();
    let op = format!("ChangeResourceRecordSets ({})", actions.join(" + "));
    let changes = changes
        .into_iter()
        .map(|(action, set)| {
            Change::builder()
                .action(action)
                .resource_record_set(set)
                .build()
                .map_err(build_error(&op))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let batch = ChangeBatch::builder()
        .comment(format!("wellarch: {}", ctx.component))
        .set_changes(Some(changes))
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

/// Where a record set lives and what identifies it there.
struct Located {
    zone: String,
    fqdn: String,
    rtype: RrType,
    set_id: Option<String>,
}

impl Located {
    async fn find(&self, client: &Client) -> Result<Option<ResourceRecordSet>, DriverError> {
        find(client, &self.zone, &self.fqdn, &self.rtype, self.set_id.as_deref()).await
    }

    fn what(&self) -> String {
        match &self.set_id {
            Some(set) => format!("record {} {} ({set})", self.fqdn, self.rtype.as_str()),
            None => format!("record {} {}", self.fqdn, self.rtype.as_str()),
        }
    }
}

/// The zone, fqdn, type and set identifier of a record in `attrs`, with the zone's name
/// looked up; `None` when the zone is gone.
async fn locate(client: &Client, attrs: &Attrs) -> Result<Option<Located>, DriverError> {
    let zone = zone_id(attrs)?;
    let Some(zone_name) = zone_name(client, zone).await? else {
        return Ok(None);
    };
    Ok(Some(Located {
        zone: zone.to_string(),
        fqdn: expand_name(attrs::required_string(attrs, "name")?, &zone_name),
        rtype: record_type(attrs)?,
        set_id: set_identifier(attrs)?.map(str::to_string),
    }))
}

fn zone_gone(attrs: &Attrs) -> Result<DriverError, DriverError> {
    Ok(DriverError::new(format!(
        "GetHostedZone: hosted zone {} does not exist",
        attrs::required_string(attrs, "zone_id")?
    )))
}

/// The id of the record `attrs` describes in zone `zone`.
fn id_of(attrs: &Attrs, zone: &str) -> Result<String, DriverError> {
    Ok(record_id(
        zone,
        &normalize_name(attrs::required_string(attrs, "name")?),
        &record_type(attrs)?,
        set_identifier(attrs)?,
    ))
}

/// A one-instance block of one string attribute, or `[]` when AWS has none.
fn single(key: &str, value: Option<&str>) -> Value {
    match value {
        Some(v) => {
            let mut m = Map::new();
            m.insert(key.into(), attrs::text(v));
            attrs::block_value(m)
        }
        None => Value::Array(Vec::new()),
    }
}

#[async_trait]
impl Driver for Route53Record {
    fn resource_type(&self) -> &'static str {
        "aws_route53_record"
    }

    fn service(&self) -> &'static str {
        "route53"
    }

    /// A record set is identified by zone, name and type (and its set identifier, which
    /// `update` changes in place with one DELETE + CREATE batch, as hashicorp/aws does).
    fn replace_on(&self) -> &'static [&'static str] {
        &["zone_id", "name", "type"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let Some(at) = locate(&client, desired).await? else {
            return Err(zone_gone(desired)?);
        };
        let set = record_set(desired, &at.fqdn)?;
        let submitted = change(ctx, &client, &at.zone, ChangeAction::Create, set).await?;
        let mut state = desired.clone();
        state.insert("id".into(), Value::String(id_of(desired, &at.zone)?));
        state.insert("fqdn".into(), Value::String(at.fqdn));
        wait_insync(ctx, &client, submitted).await.after_create(&state)?;
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let Some(at) = locate(&client, state).await? else {
            return Ok(None);
        };
        let Some(rec) = at.find(&client).await? else {
            return Ok(None);
        };
        let mut actual = Map::new();
        actual.insert("type".into(), Value::String(rec.r#type.as_str().to_string()));
        actual.insert("fqdn".into(), Value::String(at.fqdn));
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
        actual.insert("set_identifier".into(), attrs::opt_text(rec.set_identifier.as_deref()));
        actual.insert(
            "failover_routing_policy".into(),
            single("type", rec.failover.as_ref().map(ResourceRecordSetFailover::as_str)),
        );
        actual.insert(
            "latency_routing_policy".into(),
            single("region", rec.region.as_ref().map(ResourceRecordSetRegion::as_str)),
        );
        actual.insert(
            "health_check_id".into(),
            attrs::opt_text(rec.health_check_id.as_deref()),
        );
        Ok(Some(normalise::read_state(state, actual)))
    }

    /// The record set of this zone, name, type and set identifier (ListResourceRecordSets,
    /// as `read`). Records carry no tags: the one the configuration names is the composite's.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<Option<ChildState>, DriverError> {
        let Some(at) = locate(&client(ctx), desired).await? else {
            return Ok(None);
        };
        adopt(self, ctx, desired, &id_of(desired, &at.zone)?, false).await
    }

    /// UPSERT: Route 53 replaces the record set of this name, type and set identifier in one
    /// change. A new set identifier is another record set: the old one is deleted and the new
    /// one created in one batch, so the name never goes unanswered.
    async fn update(
        &self,
        ctx: &ChildCtx<'_>,
        state: &ChildState,
        desired: &Map<String, Value>,
    ) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let Some(at) = locate(&client, state).await? else {
            return Err(zone_gone(state)?);
        };
        let wanted = record_set(desired, &at.fqdn)?;
        let submitted = if set_identifier(desired)? == at.set_id.as_deref() {
            change(ctx, &client, &at.zone, ChangeAction::Upsert, wanted).await?
        } else {
            let mut changes = Vec::new();
            if let Some(old) = at.find(&client).await? {
                changes.push((ChangeAction::Delete, old));
            }
            changes.push((ChangeAction::Create, wanted));
            change_all(ctx, &client, &at.zone, changes).await?
        };
        wait_insync(ctx, &client, submitted).await?;
        let mut next = state.clone();
        next.extend(desired.clone());
        // Keys that were dropped from the desired attributes (ttl/records vs alias, routing) go too.
        for key in [
            "ttl",
            "records",
            "alias",
            "set_identifier",
            "failover_routing_policy",
            "latency_routing_policy",
            "health_check_id",
        ] {
            if !desired.contains_key(key) {
                next.remove(key);
            }
        }
        next.insert("id".into(), Value::String(id_of(desired, &at.zone)?));
        Ok(next)
    }

    /// DELETE needs the record's current values, so it is looked up first.
    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let Some(at) = locate(&client, state).await? else {
            return Ok(());
        };
        let Some(rec) = at.find(&client).await? else {
            return Ok(());
        };
        match change(ctx, &client, &at.zone, ChangeAction::Delete, rec).await {
            Ok(submitted) => wait_insync(ctx, &client, submitted).await?,
            // Deleted by someone else between the lookup and the change.
            Err(e) if e.message.contains("InvalidChangeBatch") => {
                if at.find(&client).await?.is_some() {
                    return Err(e);
                }
            }
            Err(e) => return Err(e),
        }
        wait::until_gone(
            &format!("{} to be deleted", at.what()),
            ctx.env.component_timeout,
            || at.find(&client),
        )
        .await
    }
}
