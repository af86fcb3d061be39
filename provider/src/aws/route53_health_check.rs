//! `aws_route53_health_check`: an endpoint check (HTTP, HTTPS, HTTPS_STR_MATCH, TCP …) that
//! failover records name in `health_check_id`, so Route 53 answers with the secondary when
//! the primary stops answering.
//!
//! Route 53 is global: the check has no region, its ARN has neither region nor account.
//! Tags cannot be passed to CreateHealthCheck; they are set right after with
//! ChangeTagsForResource, and a failure there still records the check (after_create).

use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use aws_sdk_route53::Client;
use aws_sdk_route53::types::{
    HealthCheck, HealthCheckConfig, HealthCheckRegion, HealthCheckType, ResettableElementName, Tag, TagResourceType,
};
use serde_json::Value;

use super::attrs::{self, Attrs};
use super::normalise;
use super::tags::{self, Tags};
use super::{
    AfterCreate, COMPONENT_TAG, ChildCtx, ChildState, Driver, DriverError, adopt, arn, aws_error, build_error, found,
    has_code, state_id, wait,
};

pub struct Route53HealthCheck;

const NOT_FOUND: &[&str] = &["NoSuchHealthCheck"];
/// A record set still names the check; the orchestrator deletes records first, but Route 53
/// can take a moment to let go.
const IN_USE: &[&str] = &["HealthCheckInUse"];
/// ChangeTagsForResource takes at most 10 tags (and 10 keys) per call.
const TAGS_PER_CALL: usize = 10;
/// ListTagsForResources takes at most 10 resource ids per call.
const IDS_PER_CALL: usize = 10;

/// Arguments of hashicorp/aws's health check this driver does not map (CALCULATED,
/// CLOUDWATCH_METRIC and RECOVERY_CONTROL checks): an error when set, never dropped.
const UNSUPPORTED: &[&str] = &[
    "child_healthchecks",
    "child_health_threshold",
    "cloudwatch_alarm_name",
    "cloudwatch_alarm_region",
    "insufficient_data_health_status",
    "routing_control_arn",
];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("route53"))
}

fn check_supported(desired: &Attrs) -> Result<(), DriverError> {
    match UNSUPPORTED
        .iter()
        .find(|k| desired.get(**k).is_some_and(|v| !attrs::is_unset(v)))
    {
        Some(key) => Err(DriverError::new(format!(
            "aws_route53_health_check: `{key}` is not supported"
        ))),
        None => Ok(()),
    }
}

fn check_type(desired: &Attrs) -> Result<HealthCheckType, DriverError> {
    let raw = attrs::required_string(desired, "type")?.to_ascii_uppercase();
    HealthCheckType::try_parse(&raw)
        .map_err(|_| DriverError::new(format!("`type` is not a Route 53 health check type: {raw}")))
}

fn regions(desired: &Attrs) -> Result<Option<Vec<HealthCheckRegion>>, DriverError> {
    let list = attrs::string_list(desired, "regions")?;
    if list.is_empty() {
        return Ok(None);
    }
    if list.len() < 3 {
        return Err(DriverError::new(
            "attribute `regions`: Route 53 checks from at least 3 regions",
        ));
    }
    list.iter()
        .map(|r| {
            HealthCheckRegion::try_parse(r)
                .map_err(|_| DriverError::new(format!("attribute `regions`: not a health check region: {r}")))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// The configuration CreateHealthCheck gets from `desired` (only what is set, so Route 53
/// applies its own defaults to the rest, as hashicorp/aws does).
fn config(desired: &Attrs) -> Result<HealthCheckConfig, DriverError> {
    check_supported(desired)?;
    let kind = check_type(desired)?;
    let measure = attrs::boolean(desired, "measure_latency")?;
    HealthCheckConfig::builder()
        .r#type(kind)
        .set_fully_qualified_domain_name(attrs::owned_string(desired, "fqdn")?)
        .set_ip_address(attrs::owned_string(desired, "ip_address")?)
        .set_port(attrs::int32(desired, "port")?)
        .set_resource_path(attrs::owned_string(desired, "resource_path")?)
        .set_search_string(attrs::owned_string(desired, "search_string")?)
        .set_failure_threshold(attrs::int32(desired, "failure_threshold")?)
        .set_request_interval(attrs::int32(desired, "request_interval")?)
        // Only `true` is sent: false is the default and some types reject the field.
        .set_measure_latency(measure.filter(|m| *m))
        .set_regions(regions(desired)?)
        .set_inverted(attrs::boolean(desired, "invert_healthcheck")?)
        .set_disabled(attrs::boolean(desired, "disabled")?)
        .set_enable_sni(attrs::boolean(desired, "enable_sni")?)
        .build()
        .map_err(build_error("health check config"))
}

/// A caller reference unique per create (CreateHealthCheck is idempotent on it), prefixed
/// with `reference_name` as hashicorp/aws does.
fn caller_reference(desired: &Attrs) -> Result<String, DriverError> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let unique = format!("wellarch-{}-{nanos}", std::process::id());
    Ok(match attrs::string(desired, "reference_name")? {
        Some(prefix) => format!("{prefix}-{unique}"),
        None => unique,
    })
}

/// `arn:aws:route53:::healthcheck/<id>`: the check is global and the ARN carries no account.
fn health_check_arn(ctx: &ChildCtx<'_>, id: &str) -> String {
    let partition = arn::region(ctx).map_or("aws", |r| arn::partition(&r));
    arn::build(partition, "route53", "", "", &format!("healthcheck/{id}"))
}

/// GetHealthCheck; `None` when the check does not exist.
async fn get(client: &Client, id: &str) -> Result<Option<HealthCheck>, DriverError> {
    let out = client.get_health_check().health_check_id(id).send().await;
    Ok(found("GetHealthCheck", NOT_FOUND, out)?.and_then(|o| o.health_check))
}

async fn current_tags(client: &Client, id: &str) -> Result<Tags, DriverError> {
    let out = client
        .list_tags_for_resource()
        .resource_type(TagResourceType::Healthcheck)
        .resource_id(id)
        .send()
        .await
        .map_err(|e| aws_error("ListTagsForResource", e))?;
    Ok(tag_map(
        out.resource_tag_set()
            .and_then(|s| s.tags.as_deref())
            .unwrap_or_default(),
    ))
}

fn tag_map(items: &[Tag]) -> Tags {
    items
        .iter()
        .filter_map(|t| Some((t.key.clone()?, t.value.clone().unwrap_or_default())))
        .collect()
}

/// ChangeTagsForResource, at most [`TAGS_PER_CALL`] adds and removals per call.
async fn sync_tags(client: &Client, id: &str, actual: &Tags, wanted: &Tags) -> Result<(), DriverError> {
    tags::sync(
        actual,
        wanted,
        |keys| async move {
            for chunk in keys.chunks(TAGS_PER_CALL) {
                client
                    .change_tags_for_resource()
                    .resource_type(TagResourceType::Healthcheck)
                    .resource_id(id)
                    .set_remove_tag_keys(Some(chunk.to_vec()))
                    .send()
                    .await
                    .map_err(|e| aws_error("ChangeTagsForResource (remove)", e))?;
            }
            Ok(())
        },
        |set| async move {
            let items: Vec<Tag> = set
                .iter()
                .map(|(k, v)| Tag::builder().key(k).value(v).build())
                .collect();
            for chunk in items.chunks(TAGS_PER_CALL) {
                client
                    .change_tags_for_resource()
                    .resource_type(TagResourceType::Healthcheck)
                    .resource_id(id)
                    .set_add_tags(Some(chunk.to_vec()))
                    .send()
                    .await
                    .map_err(|e| aws_error("ChangeTagsForResource (add)", e))?;
            }
            Ok(())
        },
    )
    .await
}

/// The managed attributes of a check as Route 53 reports them.
fn flatten(cfg: &HealthCheckConfig, prior: &Attrs) -> Attrs {
    let mut m = Attrs::new();
    m.insert("type".into(), attrs::text(cfg.r#type.as_str()));
    m.insert(
        "fqdn".into(),
        attrs::opt_text(cfg.fully_qualified_domain_name.as_deref()),
    );
    m.insert("ip_address".into(), attrs::opt_text(cfg.ip_address.as_deref()));
    m.insert("port".into(), cfg.port.map_or(Value::Null, Value::from));
    m.insert("resource_path".into(), attrs::opt_text(cfg.resource_path.as_deref()));
    m.insert("search_string".into(), attrs::opt_text(cfg.search_string.as_deref()));
    m.insert(
        "failure_threshold".into(),
        cfg.failure_threshold.map_or(Value::Null, Value::from),
    );
    m.insert(
        "request_interval".into(),
        cfg.request_interval.map_or(Value::Null, Value::from),
    );
    m.insert(
        "measure_latency".into(),
        Value::Bool(cfg.measure_latency.unwrap_or(false)),
    );
    let regions: Vec<Value> = cfg
        .regions
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|r| attrs::text(r.as_str()))
        .collect();
    // A set: the order Route 53 answers in is not a change.
    m.insert(
        "regions".into(),
        normalise::set_like_prior(prior.get("regions"), regions),
    );
    m.insert("invert_healthcheck".into(), Value::Bool(cfg.inverted.unwrap_or(false)));
    m.insert("disabled".into(), Value::Bool(cfg.disabled.unwrap_or(false)));
    m.insert("enable_sni".into(), cfg.enable_sni.map_or(Value::Null, Value::Bool));
    m
}

/// Whether `key` was set in `prior` and is unset in `desired` (Route 53 keeps a value that
/// is merely left out of UpdateHealthCheck: it must be reset explicitly).
fn dropped(prior: &Attrs, desired: &Attrs, key: &str) -> bool {
    prior.get(key).is_some_and(|v| !attrs::is_unset(v)) && desired.get(key).is_none_or(attrs::is_unset)
}

#[async_trait]
impl Driver for Route53HealthCheck {
    fn resource_type(&self) -> &'static str {
        "aws_route53_health_check"
    }

    fn service(&self) -> &'static str {
        "route53"
    }

    /// UpdateHealthCheck cannot change these (as hashicorp/aws's ForceNew).
    fn replace_on(&self) -> &'static [&'static str] {
        &["type", "request_interval", "measure_latency", "reference_name"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let cfg = config(desired)?;
        let all_tags = tags::wanted(ctx, desired)?;
        let out = client
            .create_health_check()
            .caller_reference(caller_reference(desired)?)
            .health_check_config(cfg)
            .send()
            .await
            .map_err(|e| aws_error("CreateHealthCheck", e))?;
        let id = out
            .health_check()
            .map(|h| h.id.clone())
            .ok_or_else(|| DriverError::new("CreateHealthCheck: no health check in the answer"))?;
        let mut state = desired.clone();
        state.insert("id".into(), attrs::text(&id));
        state.insert("arn".into(), attrs::text(&health_check_arn(ctx, &id)));
        tags::put_applied(&mut state, desired, &Tags::new())?;
        sync_tags(&client, &id, &Tags::new(), &all_tags)
            .await
            .after_create(&state)?;
        tags::put_applied(&mut state, desired, &all_tags)?;
        let read = self.read(ctx, &state).await.after_create(&state)?;
        read.ok_or_else(|| DriverError::after_create(format!("health check {id} vanished after create"), state))
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        let Some(check) = get(&client, id).await? else {
            return Ok(None);
        };
        let mut actual = match &check.health_check_config {
            Some(cfg) => flatten(cfg, state),
            None => Attrs::new(),
        };
        actual.insert("id".into(), attrs::text(id));
        actual.insert("arn".into(), attrs::text(&health_check_arn(ctx, id)));
        let mut out = normalise::read_state(state, actual);
        tags::put_read_state(ctx, &mut out, state, &current_tags(&client, id).await?)?;
        Ok(Some(out))
    }

    /// ListHealthChecks, then ListTagsForResources (10 ids a call) for the check tagged with
    /// this composite and component (checks have no name to look them up by).
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let mut marker: Option<String> = None;
        loop {
            let out = client
                .list_health_checks()
                .set_marker(marker.clone())
                .send()
                .await
                .map_err(|e| aws_error("ListHealthChecks", e))?;
            let ids: Vec<String> = out.health_checks().iter().map(|h| h.id.clone()).collect();
            for chunk in ids.chunks(IDS_PER_CALL) {
                let tagged = client
                    .list_tags_for_resources()
                    .resource_type(TagResourceType::Healthcheck)
                    .set_resource_ids(Some(chunk.to_vec()))
                    .send()
                    .await
                    .map_err(|e| aws_error("ListTagsForResources", e))?;
                for set in tagged.resource_tag_sets() {
                    let tags = tag_map(set.tags.as_deref().unwrap_or_default());
                    let component = tags.get(COMPONENT_TAG).map(String::as_str);
                    if let Some(id) = set.resource_id.as_deref()
                        && tags::owned(ctx, &tags)
                        && component == Some(ctx.component)
                    {
                        return adopt(self, ctx, desired, id, true).await;
                    }
                }
            }
            let next = out.next_marker().filter(|m| !m.is_empty()).map(str::to_string);
            // Stop on a marker that does not move, so a service that ignores it cannot loop.
            if !out.is_truncated() || next.is_none() || next == marker {
                return Ok(None);
            }
            marker = next;
        }
    }

    /// UpdateHealthCheck with every configured attribute (unchanged values are harmless) and
    /// ResetElements for those the configuration dropped; then the tags.
    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        check_supported(desired)?;
        let mut reset = Vec::new();
        for (key, element) in [
            ("fqdn", ResettableElementName::FullyQualifiedDomainName),
            ("resource_path", ResettableElementName::ResourcePath),
            ("regions", ResettableElementName::Regions),
        ] {
            if dropped(state, desired, key) {
                reset.push(element);
            }
        }
        client
            .update_health_check()
            .health_check_id(id)
            .set_fully_qualified_domain_name(attrs::owned_string(desired, "fqdn")?)
            .set_ip_address(attrs::owned_string(desired, "ip_address")?)
            .set_port(attrs::int32(desired, "port")?)
            .set_resource_path(attrs::owned_string(desired, "resource_path")?)
            .set_search_string(attrs::owned_string(desired, "search_string")?)
            .set_failure_threshold(attrs::int32(desired, "failure_threshold")?)
            .set_regions(regions(desired)?)
            .set_inverted(attrs::boolean(desired, "invert_healthcheck")?)
            .set_disabled(attrs::boolean(desired, "disabled")?)
            .set_enable_sni(attrs::boolean(desired, "enable_sni")?)
            .set_reset_elements((!reset.is_empty()).then_some(reset))
            .send()
            .await
            .map_err(|e| aws_error("UpdateHealthCheck", e))?;
        let all_tags = tags::wanted(ctx, desired)?;
        sync_tags(&client, id, &current_tags(&client, id).await?, &all_tags).await?;
        let mut next = desired.clone();
        next.insert("id".into(), attrs::text(id));
        next.insert("arn".into(), attrs::text(&health_check_arn(ctx, id)));
        tags::put_applied(&mut next, desired, &all_tags)?;
        self.read(ctx, &next)
            .await?
            .ok_or_else(|| DriverError::new(format!("health check {id} vanished during update")))
    }

    /// DeleteHealthCheck (retried while a record still uses it), then waits until gone.
    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        let out = wait::retry_while(
            ctx.env.component_timeout,
            |e| has_code(e, IN_USE),
            || client.delete_health_check().health_check_id(id).send(),
        )
        .await;
        found("DeleteHealthCheck", NOT_FOUND, out)?;
        wait::until_gone(
            &format!("health check {id} to be deleted"),
            ctx.env.component_timeout,
            || get(&client, id),
        )
        .await
    }
}
