//! `aws_cloudwatch_metric_alarm`: PutMetricAlarm / DescribeAlarms / DeleteAlarms.
//!
//! PutMetricAlarm both creates and replaces an alarm's whole configuration, so update sends
//! every attribute again; it sets tags only when it creates, so later tag changes go through
//! TagResource / UntagResource.

use async_trait::async_trait;
use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::operation::put_metric_alarm::builders::PutMetricAlarmFluentBuilder;
use aws_sdk_cloudwatch::types::{AlarmType, ComparisonOperator, Dimension, MetricAlarm, StandardUnit, Statistic, Tag};
use serde_json::{Value, json};

use super::attrs::{self, Attrs};
use super::normalise;
use super::tags::{self, Tags};
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, state_id};

pub struct CloudwatchMetricAlarm;

const NOT_FOUND: &[&str] = &["ResourceNotFound", "ResourceNotFoundException"];

/// Optional attributes a read reports only when AWS has a value or the configuration set them.
const OPTIONAL: &[&str] = &["extended_statistic", "unit", "datapoints_to_alarm"];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("cloudwatch"))
}

/// PutMetricAlarm with every configured attribute.
fn put_request(client: &Client, name: &str, desired: &Attrs) -> Result<PutMetricAlarmFluentBuilder, DriverError> {
    let dimensions: Vec<Dimension> = attrs::string_map(desired, "dimensions")?
        .into_iter()
        .map(|(k, v)| Dimension::builder().name(k).value(v).build())
        .collect();
    let comparison = attrs::required_string(desired, "comparison_operator")?;
    let threshold =
        attrs::float(desired, "threshold")?.ok_or_else(|| DriverError::new("attribute `threshold` is required"))?;
    let evaluation_periods = attrs::int32(desired, "evaluation_periods")?
        .ok_or_else(|| DriverError::new("attribute `evaluation_periods` is required"))?;
    Ok(client
        .put_metric_alarm()
        .alarm_name(name)
        .set_alarm_description(attrs::owned_string(desired, "alarm_description")?)
        .set_namespace(attrs::owned_string(desired, "namespace")?)
        .set_metric_name(attrs::owned_string(desired, "metric_name")?)
        .set_dimensions((!dimensions.is_empty()).then_some(dimensions))
        .set_statistic(attrs::string(desired, "statistic")?.map(Statistic::from))
        .set_extended_statistic(attrs::owned_string(desired, "extended_statistic")?)
        .set_period(attrs::int32(desired, "period")?)
        .set_unit(attrs::string(desired, "unit")?.map(StandardUnit::from))
        .evaluation_periods(evaluation_periods)
        .set_datapoints_to_alarm(attrs::int32(desired, "datapoints_to_alarm")?)
        .threshold(threshold)
        .comparison_operator(ComparisonOperator::from(comparison))
        .set_treat_missing_data(attrs::owned_string(desired, "treat_missing_data")?)
        .actions_enabled(attrs::boolean(desired, "actions_enabled")?.unwrap_or(true))
        .set_alarm_actions(Some(attrs::string_list(desired, "alarm_actions")?))
        .set_ok_actions(Some(attrs::string_list(desired, "ok_actions")?))
        .set_insufficient_data_actions(Some(attrs::string_list(desired, "insufficient_data_actions")?)))
}

/// DescribeAlarms for one metric alarm; `None` when it does not exist.
async fn find_alarm(client: &Client, name: &str) -> Result<Option<MetricAlarm>, DriverError> {
    let out = client
        .describe_alarms()
        .alarm_names(name)
        .alarm_types(AlarmType::MetricAlarm)
        .send()
        .await
        .map_err(|e| aws_error("DescribeAlarms", e))?;
    Ok(out
        .metric_alarms()
        .iter()
        .find(|a| a.alarm_name() == Some(name))
        .cloned())
}

async fn find_tags(client: &Client, arn: &str) -> Result<Tags, DriverError> {
    let out = client
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| aws_error("ListTagsForResource", e))?;
    Ok(out
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
        .collect())
}

fn sdk_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
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
                .set_tags(Some(sdk_tags(&set)))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("TagResource", e))
        },
    )
    .await
}

/// Waits until DescribeAlarms returns the alarm, and returns its ARN.
async fn wait_arn(ctx: &ChildCtx<'_>, client: &Client, name: &str) -> Result<String, DriverError> {
    wait::until(&format!("alarm {name} to exist"), ctx.env.component_timeout, || async {
        Ok(find_alarm(client, name)
            .await?
            .and_then(|a| a.alarm_arn().map(str::to_string)))
    })
    .await
}

/// The state after create or update (the ARN once known).
fn applied_state(desired: &Attrs, name: &str, all: &Tags) -> Result<ChildState, DriverError> {
    let mut state = desired.clone();
    state.insert("id".into(), json!(name));
    state.insert("alarm_name".into(), json!(name));
    tags::put_applied(&mut state, desired, all)?;
    Ok(state)
}

fn strings(items: &[String]) -> Vec<Value> {
    items.iter().map(|s| json!(s)).collect()
}

#[async_trait]
impl Driver for CloudwatchMetricAlarm {
    fn resource_type(&self) -> &'static str {
        "aws_cloudwatch_metric_alarm"
    }

    fn service(&self) -> &'static str {
        "cloudwatch"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["alarm_name"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let name = attrs::required_string(desired, "alarm_name")?;
        let all_tags = tags::wanted(ctx, desired)?;
        put_request(&client, name, desired)?
            .set_tags((!all_tags.is_empty()).then(|| sdk_tags(&all_tags)))
            .send()
            .await
            .map_err(|e| aws_error("PutMetricAlarm", e))?;
        let mut state = applied_state(desired, name, &all_tags)?;
        let arn = wait_arn(ctx, &client, name).await.after_create(&state)?;
        state.insert("arn".into(), json!(arn));
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        let Some(alarm) = find_alarm(&client, name).await? else {
            return Ok(None);
        };
        let arn = alarm.alarm_arn().unwrap_or_default().to_string();
        let mut out = state.clone();
        out.insert("id".into(), json!(name));
        out.insert("alarm_name".into(), json!(name));
        out.insert("arn".into(), json!(arn));
        out.insert(
            "alarm_description".into(),
            json!(alarm.alarm_description().unwrap_or_default()),
        );
        out.insert("namespace".into(), json!(alarm.namespace().unwrap_or_default()));
        out.insert("metric_name".into(), json!(alarm.metric_name().unwrap_or_default()));
        let dimensions: serde_json::Map<String, Value> = alarm
            .dimensions()
            .iter()
            .filter_map(|d| Some((d.name()?.to_string(), json!(d.value()?))))
            .collect();
        out.insert("dimensions".into(), Value::Object(dimensions));
        out.insert("statistic".into(), json!(alarm.statistic().map_or("", |s| s.as_str())));
        out.insert("period".into(), json!(alarm.period().unwrap_or(0)));
        out.insert(
            "evaluation_periods".into(),
            json!(alarm.evaluation_periods().unwrap_or(0)),
        );
        out.insert("threshold".into(), alarm.threshold().map_or(Value::Null, attrs::number));
        out.insert(
            "comparison_operator".into(),
            json!(alarm.comparison_operator().map_or("", |c| c.as_str())),
        );
        // AWS leaves it out when it is the default.
        out.insert(
            "treat_missing_data".into(),
            json!(alarm.treat_missing_data().unwrap_or("missing")),
        );
        out.insert("actions_enabled".into(), json!(alarm.actions_enabled().unwrap_or(true)));
        for (key, actions) in [
            ("alarm_actions", alarm.alarm_actions()),
            ("ok_actions", alarm.ok_actions()),
            ("insufficient_data_actions", alarm.insufficient_data_actions()),
        ] {
            out.insert(key.into(), normalise::set_like_prior(state.get(key), strings(actions)));
        }
        let optional = [
            json!(alarm.extended_statistic()),
            json!(alarm.unit().map(|u| u.as_str())),
            json!(alarm.datapoints_to_alarm()),
        ];
        for (key, value) in OPTIONAL.iter().zip(optional) {
            if !value.is_null() || state.contains_key(*key) {
                out.insert((*key).to_string(), value);
            }
        }
        tags::put_read_state(ctx, &mut out, state, &find_tags(&client, &arn).await?)?;
        Ok(Some(out))
    }

    /// The alarm of this name (DescribeAlarms, as `read`), if tagged for this composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        adopt(self, ctx, desired, attrs::required_string(desired, "alarm_name")?, true).await
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        attrs::unchanged(desired, "alarm_name", name)?;
        if find_alarm(&client, name).await?.is_none() {
            return Err(DriverError::new(format!("alarm {name} does not exist")));
        }
        put_request(&client, name, desired)?
            .send()
            .await
            .map_err(|e| aws_error("PutMetricAlarm", e))?;
        let arn = wait_arn(ctx, &client, name).await?;
        let all_tags = tags::wanted(ctx, desired)?;
        sync_tags(&client, &arn, &all_tags).await?;
        let mut state = applied_state(desired, name, &all_tags)?;
        state.insert("arn".into(), json!(arn));
        Ok(state)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        let deleted = client.delete_alarms().alarm_names(name).send().await;
        if found("DeleteAlarms", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("alarm {name} to be deleted"),
            ctx.env.component_timeout,
            || find_alarm(&client, name),
        )
        .await
    }
}
