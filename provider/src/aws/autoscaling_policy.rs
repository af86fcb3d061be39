//! `aws_autoscaling_policy`: PutScalingPolicy (create and update) / DescribePolicies /
//! DeletePolicy, for target tracking policies.
//!
//! A policy is named within its group and cannot be tagged, so `find` adopts the policy of
//! that name in the group named by the configuration (adopted first). The ARN is read from
//! DescribePolicies when PutScalingPolicy does not return it (moto does not).

use async_trait::async_trait;
use aws_sdk_autoscaling::Client;
use aws_sdk_autoscaling::types::{
    MetricType, PredefinedMetricSpecification, ScalingPolicy, TargetTrackingConfiguration,
};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::{Map, Value, json};

use super::attrs::{self, Attrs};
use super::normalise;
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, has_code, state_id};

pub struct AutoscalingPolicy;

/// The only policy type this driver writes.
const TARGET_TRACKING: &str = "TargetTrackingScaling";

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("autoscaling"))
}

/// Auto Scaling reports a missing group or policy as a ValidationError "... not found".
fn is_not_found<E: ProvideErrorMetadata>(err: &E) -> bool {
    has_code(err, &["ValidationError"]) && err.message().is_some_and(|m| m.contains("not found"))
}

fn group_name(attrs: &Attrs) -> Result<&str, DriverError> {
    attrs::required_string(attrs, "autoscaling_group_name")
}

/// The `target_tracking_configuration` block as the SDK's structure.
fn target_tracking(desired: &Attrs) -> Result<TargetTrackingConfiguration, DriverError> {
    let policy_type = attrs::string(desired, "policy_type")?.unwrap_or(TARGET_TRACKING);
    if policy_type != TARGET_TRACKING {
        return Err(DriverError::new(format!(
            "attribute `policy_type`: only {TARGET_TRACKING} is supported, got {policy_type}"
        )));
    }
    let block = attrs::block(desired, "target_tracking_configuration")?
        .ok_or_else(|| DriverError::new("block `target_tracking_configuration` is required"))?;
    attrs::only_supported(
        block,
        "target_tracking_configuration",
        &["predefined_metric_specification", "target_value", "disable_scale_in"],
    )?;
    let metric = attrs::block(block, "predefined_metric_specification")?
        .ok_or_else(|| DriverError::new("block `predefined_metric_specification` is required"))?;
    attrs::only_supported(
        metric,
        "predefined_metric_specification",
        &["predefined_metric_type", "resource_label"],
    )?;
    let target_value =
        attrs::float(block, "target_value")?.ok_or_else(|| DriverError::new("attribute `target_value` is required"))?;
    Ok(TargetTrackingConfiguration::builder()
        .predefined_metric_specification(
            PredefinedMetricSpecification::builder()
                .predefined_metric_type(MetricType::from(attrs::required_string(
                    metric,
                    "predefined_metric_type",
                )?))
                .set_resource_label(attrs::owned_string(metric, "resource_label")?)
                .build(),
        )
        .target_value(target_value)
        .set_disable_scale_in(attrs::boolean(block, "disable_scale_in")?)
        .build())
}

/// DescribePolicies for `name` in `group`; `None` when either does not exist.
async fn find_policy(client: &Client, group: &str, name: &str) -> Result<Option<ScalingPolicy>, DriverError> {
    let out = client
        .describe_policies()
        .auto_scaling_group_name(group)
        .policy_names(name)
        .send()
        .await;
    match out {
        Ok(out) => Ok(out
            .scaling_policies()
            .iter()
            .find(|p| p.policy_name() == Some(name))
            .cloned()),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(aws_error("DescribePolicies", e)),
    }
}

/// PutScalingPolicy (it creates or replaces the policy of that name).
async fn put(client: &Client, desired: &Attrs) -> Result<Option<String>, DriverError> {
    let out = client
        .put_scaling_policy()
        .auto_scaling_group_name(group_name(desired)?)
        .policy_name(attrs::required_string(desired, "name")?)
        .policy_type(TARGET_TRACKING)
        .target_tracking_configuration(target_tracking(desired)?)
        .send()
        .await
        .map_err(|e| aws_error("PutScalingPolicy", e))?;
    Ok(out.policy_arn().map(str::to_string))
}

fn attributes(policy: &ScalingPolicy) -> Attrs {
    let mut out = Map::new();
    let name = policy.policy_name().unwrap_or_default();
    out.insert("id".into(), attrs::text(name));
    out.insert("name".into(), attrs::text(name));
    out.insert(
        "autoscaling_group_name".into(),
        attrs::opt_text(policy.auto_scaling_group_name()),
    );
    out.insert("arn".into(), attrs::opt_text(policy.policy_arn()));
    out.insert("policy_type".into(), attrs::opt_text(policy.policy_type()));
    let tracking: Vec<Value> = policy
        .target_tracking_configuration()
        .map(|t| {
            let metric: Vec<Value> = t
                .predefined_metric_specification()
                .map(|m| {
                    json!({
                        "predefined_metric_type": m.predefined_metric_type().map(|t| t.as_str()),
                        "resource_label": m.resource_label(),
                    })
                })
                .into_iter()
                .collect();
            json!({
                "predefined_metric_specification": metric,
                "target_value": t.target_value().map_or(Value::Null, attrs::number),
                "disable_scale_in": t.disable_scale_in().unwrap_or(false),
            })
        })
        .into_iter()
        .collect();
    out.insert("target_tracking_configuration".into(), Value::Array(tracking));
    out
}

#[async_trait]
impl Driver for AutoscalingPolicy {
    fn resource_type(&self) -> &'static str {
        "aws_autoscaling_policy"
    }

    fn service(&self) -> &'static str {
        "autoscaling"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["name", "autoscaling_group_name"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let name = attrs::required_string(desired, "name")?;
        let arn = put(&client, desired).await?;
        let mut state = desired.clone();
        state.insert("id".into(), attrs::text(name));
        if let Some(arn) = arn {
            state.insert("arn".into(), Value::String(arn));
        }
        wait::until(
            &format!("scaling policy {name} to be readable"),
            ctx.env.component_timeout,
            || self.read(ctx, &state),
        )
        .await
        .after_create(&state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let name = state_id(state)?;
        let group = group_name(state)?;
        let Some(policy) = find_policy(&client(ctx), group, name).await? else {
            return Ok(None);
        };
        Ok(Some(normalise::read_state(state, attributes(&policy))))
    }

    /// The policy of this name in the configured group (policies cannot be tagged; the group
    /// is adopted first).
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        adopt(self, ctx, desired, attrs::required_string(desired, "name")?, false).await
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let name = state_id(state)?;
        attrs::unchanged(desired, "name", name)?;
        attrs::unchanged(desired, "autoscaling_group_name", group_name(state)?)?;
        put(&client(ctx), desired).await?;
        let mut next = state.clone();
        next.extend(desired.clone());
        self.read(ctx, &next)
            .await?
            .ok_or_else(|| DriverError::new(format!("scaling policy {name} disappeared during update")))
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        let group = group_name(state)?;
        let deleted = client
            .delete_policy()
            .auto_scaling_group_name(group)
            .policy_name(name)
            .send()
            .await;
        match deleted {
            Ok(_) => {}
            Err(e) if is_not_found(&e) => return Ok(()),
            Err(e) => return Err(aws_error("DeletePolicy", e)),
        }
        wait::until_gone(
            &format!("scaling policy {name} to be deleted"),
            ctx.env.component_timeout,
            || find_policy(&client, group, name),
        )
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
    fn target_tracking_is_the_only_policy_type() {
        let desired = obj(json!({
            "name": "cpu", "autoscaling_group_name": "web", "policy_type": "TargetTrackingScaling",
            "target_tracking_configuration": [{
                "predefined_metric_specification": [{"predefined_metric_type": "ASGAverageCPUUtilization"}],
                "target_value": 50, "disable_scale_in": false,
            }],
        }));
        let t = target_tracking(&desired).expect("parse");
        assert_eq!(t.target_value(), Some(50.0));
        assert_eq!(
            t.predefined_metric_specification()
                .and_then(|m| m.predefined_metric_type()),
            Some(&MetricType::AsgAverageCpuUtilization)
        );
        let mut simple = desired.clone();
        simple.insert("policy_type".into(), json!("SimpleScaling"));
        assert!(target_tracking(&simple).is_err_and(|e| e.message.contains("SimpleScaling")));
        let mut custom = desired;
        custom.insert(
            "target_tracking_configuration".into(),
            json!([{"customized_metric_specification": [{"metric_name": "x"}], "target_value": 1}]),
        );
        assert!(target_tracking(&custom).is_err_and(|e| e.message.contains("customized_metric_specification")));
    }
}
