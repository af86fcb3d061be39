//! `aws_lb_target_group`: CreateTargetGroup / DescribeTargetGroups / ModifyTargetGroup
//! (health check) / ModifyTargetGroupAttributes (`deregistration_delay`) / DeleteTargetGroup.
//!
//! A target group stays "in use" for a moment after the listener that forwarded to it is
//! deleted, so delete retries ResourceInUse for a bounded time.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::types::{Matcher, ProtocolEnum, TargetGroup, TargetGroupAttribute, TargetTypeEnum};
use serde_json::{Map, Value};

use super::attrs::{self, Attrs};
use super::lb::{arn_suffix, elb_client, elb_tags, sdk_tags, sync_elb_tags};
use super::tags;
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, has_code, state_id};

pub struct LbTargetGroup;

const NOT_FOUND: &[&str] = &["TargetGroupNotFound"];
const IN_USE: &[&str] = &["ResourceInUse"];
const DEREGISTRATION_DELAY: &str = "deregistration_delay.timeout_seconds";
/// AWS's deregistration delay when nothing sets it (hashicorp/aws's default too).
const DEFAULT_DELAY: &str = "300";
const HEALTH_CHECK_KEYS: &[&str] = &[
    "enabled",
    "path",
    "matcher",
    "interval",
    "timeout",
    "healthy_threshold",
    "unhealthy_threshold",
    "protocol",
    "port",
];

/// A string attribute that Terraform configurations also write as a number (`port = 80`,
/// `matcher = 200`, `deregistration_delay = 30`).
fn text_or_number(m: &Attrs, key: &str) -> Result<Option<String>, DriverError> {
    match m.get(key) {
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        _ => attrs::owned_string(m, key),
    }
}

/// AWS's string `value` in the JSON type the prior state used for it: a number when the
/// configuration wrote a number, so reads compare equal to what was desired.
fn like_prior(prior: Option<&Value>, value: &str) -> Value {
    match (prior, value.parse::<i64>()) {
        (Some(Value::Number(_)), Ok(n)) => Value::from(n),
        _ => attrs::text(value),
    }
}

/// The health check settings of `desired`; `None` for what the configuration leaves to AWS.
#[derive(Default)]
struct HealthCheck {
    enabled: Option<bool>,
    path: Option<String>,
    matcher: Option<String>,
    interval: Option<i32>,
    timeout: Option<i32>,
    healthy: Option<i32>,
    unhealthy: Option<i32>,
    protocol: Option<ProtocolEnum>,
    port: Option<String>,
}

impl HealthCheck {
    fn parse(desired: &Attrs) -> Result<Self, DriverError> {
        let Some(h) = attrs::block(desired, "health_check")? else {
            return Ok(HealthCheck::default());
        };
        attrs::only_supported(h, "health_check", HEALTH_CHECK_KEYS)?;
        Ok(HealthCheck {
            enabled: attrs::boolean(h, "enabled")?,
            path: attrs::owned_string(h, "path")?,
            matcher: text_or_number(h, "matcher")?,
            interval: attrs::int32(h, "interval")?,
            timeout: attrs::int32(h, "timeout")?,
            healthy: attrs::int32(h, "healthy_threshold")?,
            unhealthy: attrs::int32(h, "unhealthy_threshold")?,
            protocol: attrs::string(h, "protocol")?.map(ProtocolEnum::from),
            port: text_or_number(h, "port")?,
        })
    }

    fn matcher(&self) -> Option<Matcher> {
        self.matcher.as_ref().map(|m| Matcher::builder().http_code(m).build())
    }

    /// Whether a configured setting differs from what target group `tg` has.
    fn differs_from(&self, tg: &TargetGroup) -> bool {
        fn differs<T: PartialEq + ?Sized>(wanted: Option<&T>, have: Option<&T>) -> bool {
            wanted.is_some() && wanted != have
        }
        differs(self.enabled.as_ref(), tg.health_check_enabled().as_ref())
            || differs(self.path.as_deref(), tg.health_check_path())
            || differs(self.matcher.as_deref(), tg.matcher().and_then(|m| m.http_code()))
            || differs(self.interval.as_ref(), tg.health_check_interval_seconds().as_ref())
            || differs(self.timeout.as_ref(), tg.health_check_timeout_seconds().as_ref())
            || differs(self.healthy.as_ref(), tg.healthy_threshold_count().as_ref())
            || differs(self.unhealthy.as_ref(), tg.unhealthy_threshold_count().as_ref())
            || differs(self.protocol.as_ref(), tg.health_check_protocol())
            || differs(self.port.as_deref(), tg.health_check_port())
    }
}

/// The `health_check` block of target group `tg`, each value in the JSON type the prior
/// block used.
fn health_check_value(tg: &TargetGroup, prior: Option<&Value>) -> Value {
    let prior = prior
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_object);
    let p = |key: &str| prior.and_then(|p| p.get(key));
    let int = |n: Option<i32>| n.map_or(Value::Null, Value::from);
    let mut m = Map::new();
    m.insert(
        "enabled".into(),
        Value::Bool(tg.health_check_enabled().unwrap_or(false)),
    );
    m.insert("path".into(), attrs::text(tg.health_check_path().unwrap_or_default()));
    m.insert(
        "matcher".into(),
        like_prior(
            p("matcher"),
            tg.matcher().and_then(|x| x.http_code()).unwrap_or_default(),
        ),
    );
    m.insert("interval".into(), int(tg.health_check_interval_seconds()));
    m.insert("timeout".into(), int(tg.health_check_timeout_seconds()));
    m.insert("healthy_threshold".into(), int(tg.healthy_threshold_count()));
    m.insert("unhealthy_threshold".into(), int(tg.unhealthy_threshold_count()));
    m.insert(
        "protocol".into(),
        attrs::text(tg.health_check_protocol().map(ProtocolEnum::as_str).unwrap_or_default()),
    );
    m.insert(
        "port".into(),
        like_prior(p("port"), tg.health_check_port().unwrap_or_default()),
    );
    attrs::block_value(m)
}

async fn find_tg(client: &Client, arn: &str) -> Result<Option<TargetGroup>, DriverError> {
    let out = client.describe_target_groups().target_group_arns(arn).send().await;
    Ok(found("DescribeTargetGroups", NOT_FOUND, out)?.and_then(|o| o.target_groups().first().cloned()))
}

async fn find_attributes(client: &Client, arn: &str) -> Result<HashMap<String, String>, DriverError> {
    let out = client
        .describe_target_group_attributes()
        .target_group_arn(arn)
        .send()
        .await
        .map_err(|e| aws_error("DescribeTargetGroupAttributes", e))?;
    Ok(out
        .attributes()
        .iter()
        .filter_map(|a| Some((a.key()?.to_string(), a.value().unwrap_or_default().to_string())))
        .collect())
}

/// Sets the deregistration delay when it differs from `current`.
async fn set_delay(client: &Client, arn: &str, wanted: &str, current: Option<&str>) -> Result<(), DriverError> {
    if current.unwrap_or(DEFAULT_DELAY) == wanted {
        return Ok(());
    }
    client
        .modify_target_group_attributes()
        .target_group_arn(arn)
        .attributes(
            TargetGroupAttribute::builder()
                .key(DEREGISTRATION_DELAY)
                .value(wanted)
                .build(),
        )
        .send()
        .await
        .map_err(|e| aws_error("ModifyTargetGroupAttributes", e))?;
    Ok(())
}

/// The state of target group `tg` as AWS has it; `prior` gives JSON types and own tags.
async fn state_of(
    ctx: &ChildCtx<'_>,
    client: &Client,
    tg: &TargetGroup,
    prior: &Attrs,
) -> Result<ChildState, DriverError> {
    let arn = tg
        .target_group_arn()
        .ok_or_else(|| DriverError::new("DescribeTargetGroups: no TargetGroupArn in the answer"))?;
    let current = find_attributes(client, arn).await?;
    let mut out = prior.clone();
    out.insert("id".into(), attrs::text(arn));
    out.insert("arn".into(), attrs::text(arn));
    // `targetgroup/<name>/<id>`, as CloudWatch's TargetGroup dimension wants it.
    let suffix = arn_suffix(arn, ":targetgroup/");
    out.insert("arn_suffix".into(), attrs::text(&format!("targetgroup/{suffix}")));
    out.insert("name".into(), attrs::opt_text(tg.target_group_name()));
    out.insert("port".into(), tg.port().map_or(Value::Null, Value::from));
    out.insert(
        "protocol".into(),
        attrs::opt_text(tg.protocol().map(ProtocolEnum::as_str)),
    );
    out.insert("vpc_id".into(), attrs::opt_text(tg.vpc_id()));
    out.insert(
        "target_type".into(),
        attrs::opt_text(tg.target_type().map(TargetTypeEnum::as_str)),
    );
    out.insert(
        "deregistration_delay".into(),
        like_prior(
            prior.get("deregistration_delay"),
            current.get(DEREGISTRATION_DELAY).map_or(DEFAULT_DELAY, String::as_str),
        ),
    );
    out.insert("health_check".into(), health_check_value(tg, prior.get("health_check")));
    out.insert("load_balancer_arns".into(), attrs::string_set(tg.load_balancer_arns()));
    tags::put_read_state(ctx, &mut out, prior, &elb_tags(client, arn).await?)?;
    Ok(out)
}

#[async_trait]
impl Driver for LbTargetGroup {
    fn resource_type(&self) -> &'static str {
        "aws_lb_target_group"
    }

    fn service(&self) -> &'static str {
        "elbv2"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["name", "port", "protocol", "vpc_id", "target_type"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = elb_client(ctx);
        let name = attrs::required_string(desired, "name")?;
        let hc = HealthCheck::parse(desired)?;
        let delay = text_or_number(desired, "deregistration_delay")?;
        let all_tags = tags::wanted(ctx, desired)?;
        let out = client
            .create_target_group()
            .name(name)
            .set_port(attrs::int32(desired, "port")?)
            .set_protocol(attrs::string(desired, "protocol")?.map(ProtocolEnum::from))
            .set_vpc_id(attrs::owned_string(desired, "vpc_id")?)
            .target_type(TargetTypeEnum::from(
                attrs::string(desired, "target_type")?.unwrap_or("instance"),
            ))
            .set_health_check_enabled(hc.enabled)
            .set_health_check_path(hc.path.clone())
            .set_matcher(hc.matcher())
            .set_health_check_interval_seconds(hc.interval)
            .set_health_check_timeout_seconds(hc.timeout)
            .set_healthy_threshold_count(hc.healthy)
            .set_unhealthy_threshold_count(hc.unhealthy)
            .set_health_check_protocol(hc.protocol.clone())
            .set_health_check_port(hc.port.clone())
            .set_tags(Some(sdk_tags(&all_tags)).filter(|t| !t.is_empty()))
            .send()
            .await
            .map_err(|e| aws_error("CreateTargetGroup", e))?;
        let arn = out
            .target_groups()
            .first()
            .and_then(|tg| tg.target_group_arn())
            .ok_or_else(|| DriverError::new("CreateTargetGroup: no TargetGroupArn in the answer"))?
            .to_string();
        let mut state = desired.clone();
        state.insert("id".into(), attrs::text(&arn));
        state.insert("arn".into(), attrs::text(&arn));
        tags::put_applied(&mut state, desired, &all_tags)?;

        let result = async {
            if let Some(delay) = &delay {
                set_delay(&client, &arn, delay, None).await?;
            }
            let tg = find_tg(&client, &arn)
                .await?
                .ok_or_else(|| DriverError::new(format!("target group {arn} disappeared after create")))?;
            state_of(ctx, &client, &tg, desired).await
        }
        .await;
        result.after_create(&state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = elb_client(ctx);
        let arn = state_id(state)?;
        match find_tg(&client, arn).await? {
            Some(tg) => Ok(Some(state_of(ctx, &client, &tg, state).await?)),
            None => Ok(None),
        }
    }

    /// DescribeTargetGroups by name (unique per region and account), if tagged for this
    /// composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let name = attrs::required_string(desired, "name")?;
        let out = elb_client(ctx).describe_target_groups().names(name).send().await;
        let arn = found("DescribeTargetGroups", NOT_FOUND, out)?.and_then(|o| {
            o.target_groups()
                .first()
                .and_then(|t| t.target_group_arn().map(str::to_string))
        });
        match arn {
            Some(arn) => adopt(self, ctx, desired, &arn, true).await,
            None => Ok(None),
        }
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = elb_client(ctx);
        let arn = state_id(state)?;
        let tg = find_tg(&client, arn)
            .await?
            .ok_or_else(|| DriverError::new(format!("target group {arn} does not exist")))?;
        attrs::unchanged(desired, "name", tg.target_group_name().unwrap_or_default())?;
        let hc = HealthCheck::parse(desired)?;
        if hc.differs_from(&tg) {
            client
                .modify_target_group()
                .target_group_arn(arn)
                .set_health_check_enabled(hc.enabled)
                .set_health_check_path(hc.path.clone())
                .set_matcher(hc.matcher())
                .set_health_check_interval_seconds(hc.interval)
                .set_health_check_timeout_seconds(hc.timeout)
                .set_healthy_threshold_count(hc.healthy)
                .set_unhealthy_threshold_count(hc.unhealthy)
                .set_health_check_protocol(hc.protocol.clone())
                .set_health_check_port(hc.port.clone())
                .send()
                .await
                .map_err(|e| aws_error("ModifyTargetGroup", e))?;
        }
        // Left out of the configuration: back to AWS's default, as hashicorp/aws does.
        let delay = text_or_number(desired, "deregistration_delay")?.unwrap_or_else(|| DEFAULT_DELAY.to_string());
        let current = find_attributes(&client, arn).await?;
        set_delay(
            &client,
            arn,
            &delay,
            current.get(DEREGISTRATION_DELAY).map(String::as_str),
        )
        .await?;
        sync_elb_tags(&client, arn, &tags::wanted(ctx, desired)?).await?;
        let tg = find_tg(&client, arn)
            .await?
            .ok_or_else(|| DriverError::new(format!("target group {arn} disappeared during update")))?;
        state_of(ctx, &client, &tg, desired).await
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = elb_client(ctx);
        let arn = state_id(state)?;
        let timeout = ctx.env.component_timeout;
        let deleted = wait::retry_while(
            timeout,
            |e| has_code(e, IN_USE),
            || client.delete_target_group().target_group_arn(arn).send(),
        )
        .await;
        if found("DeleteTargetGroup", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(&format!("target group {arn} to be deleted"), timeout, || {
            find_tg(&client, arn)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_keep_the_configured_json_type() {
        assert_eq!(like_prior(Some(&json!(30)), "30"), json!(30));
        assert_eq!(like_prior(Some(&json!("30")), "30"), json!("30"));
        assert_eq!(like_prior(None, "300"), json!("300"));
        assert_eq!(like_prior(Some(&json!(80)), "traffic-port"), json!("traffic-port"));
        let m = json!({"port": 8080, "matcher": "200-299"});
        let m = m.as_object().expect("object");
        assert_eq!(text_or_number(m, "port"), Ok(Some("8080".into())));
        assert_eq!(text_or_number(m, "matcher"), Ok(Some("200-299".into())));
    }

    #[test]
    fn health_check_changes_only_count_for_configured_settings() {
        let tg = TargetGroup::builder()
            .health_check_path("/health")
            .health_check_interval_seconds(30)
            .health_check_port("traffic-port")
            .build();
        let same = json!({"health_check": [{"path": "/health", "port": "traffic-port"}]});
        let same = HealthCheck::parse(same.as_object().expect("object")).expect("parse");
        assert!(!same.differs_from(&tg));
        let other = json!({"health_check": [{"interval": 15}]});
        let other = HealthCheck::parse(other.as_object().expect("object")).expect("parse");
        assert!(other.differs_from(&tg));
        let unknown = json!({"health_check": [{"grpc": true}]});
        assert!(HealthCheck::parse(unknown.as_object().expect("object")).is_err());
    }
}
