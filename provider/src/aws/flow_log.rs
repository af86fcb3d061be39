//! `aws_flow_log`: CreateFlowLogs / DescribeFlowLogs / DeleteFlowLogs.
//!
//! A flow log cannot change: everything but its tags replaces it. It watches one VPC,
//! subnet or network interface (`vpc_id`, `subnet_id` or `eni_id`). CreateFlowLogs and
//! DeleteFlowLogs report per-resource failures in `Unsuccessful` rather than as errors, so
//! both read that list.

use async_trait::async_trait;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{
    FlowLog as AwsFlowLog, FlowLogsResourceType, LogDestinationType, ResourceType, TrafficType, UnsuccessfulItem,
};
use serde_json::Value;

use super::attrs::{self, Attrs};
use super::ec2_tags;
use super::tags;
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, arn, aws_error, found, state_id};

pub struct FlowLog;

const NOT_FOUND: &[&str] = &["InvalidFlowLogId.NotFound"];

/// The resources a flow log may watch: attribute, CreateFlowLogs resource type, id prefix.
const SOURCES: &[(&str, FlowLogsResourceType, &str)] = &[
    ("vpc_id", FlowLogsResourceType::Vpc, "vpc-"),
    ("subnet_id", FlowLogsResourceType::Subnet, "subnet-"),
    ("eni_id", FlowLogsResourceType::NetworkInterface, "eni-"),
];

/// `hashicorp/aws`'s defaults.
const DEFAULT_DESTINATION_TYPE: &str = "cloud-watch-logs";
const DEFAULT_AGGREGATION_INTERVAL: i32 = 600;

fn source(desired: &Attrs) -> Result<(&'static str, FlowLogsResourceType, &str), DriverError> {
    let mut set = Vec::new();
    for (key, kind, _) in SOURCES {
        if let Some(id) = attrs::string(desired, key)? {
            set.push((*key, kind.clone(), id));
        }
    }
    match set.len() {
        1 => Ok(set.remove(0)),
        _ => Err(DriverError::new(
            "aws_flow_log: set exactly one of vpc_id, subnet_id, eni_id",
        )),
    }
}

fn unsuccessful(operation: &str, items: &[UnsuccessfulItem]) -> Option<DriverError> {
    let item = items.first()?;
    let error = item.error();
    Some(DriverError::new(format!(
        "{operation}: {}: {} ({})",
        error.and_then(|e| e.code()).unwrap_or("Unsuccessful"),
        error.and_then(|e| e.message()).unwrap_or("no message"),
        item.resource_id().unwrap_or_default()
    )))
}

/// DescribeFlowLogs of one flow log; `None` when it does not exist.
async fn find_flow_log(client: &Client, id: &str) -> Result<Option<AwsFlowLog>, DriverError> {
    let out = client.describe_flow_logs().flow_log_ids(id).send().await;
    Ok(found("DescribeFlowLogs", NOT_FOUND, out)?
        .and_then(|o| o.flow_logs().iter().find(|f| f.flow_log_id() == Some(id)).cloned()))
}

/// The flow log's ARN (DescribeFlowLogs has none): kept from the prior state, else built
/// from the account.
async fn flow_log_arn(ctx: &ChildCtx<'_>, id: &str, prior: &ChildState) -> Result<String, DriverError> {
    if let Some(a) = prior.get("arn").and_then(Value::as_str)
        && a.ends_with(&format!("/{id}"))
    {
        return Ok(a.to_string());
    }
    let region = arn::region(ctx)?;
    let account = arn::account_id(ctx).await?;
    Ok(arn::build(
        arn::partition(&region),
        "ec2",
        &region,
        &account,
        &format!("vpc-flow-log/{id}"),
    ))
}

async fn flow_log_state(ctx: &ChildCtx<'_>, fl: &AwsFlowLog, prior: &ChildState) -> Result<ChildState, DriverError> {
    let id = fl.flow_log_id().unwrap_or_default();
    let mut out = prior.clone();
    out.insert("id".into(), attrs::text(id));
    out.insert("arn".into(), attrs::text(&flow_log_arn(ctx, id, prior).await?));
    let resource = fl.resource_id().unwrap_or_default();
    for (key, _, prefix) in SOURCES {
        if resource.starts_with(prefix) {
            out.insert((*key).to_string(), attrs::text(resource));
        }
    }
    out.insert(
        "traffic_type".into(),
        attrs::opt_text(fl.traffic_type().map(TrafficType::as_str)),
    );
    out.insert(
        "log_destination_type".into(),
        attrs::opt_text(fl.log_destination_type().map(LogDestinationType::as_str)),
    );
    out.insert("log_destination".into(), attrs::opt_text(fl.log_destination()));
    out.insert("iam_role_arn".into(), attrs::opt_text(fl.deliver_logs_permission_arn()));
    if let Some(n) = fl.max_aggregation_interval() {
        out.insert("max_aggregation_interval".into(), Value::from(n));
    }
    // AWS fills in its default format; only a configured one is compared.
    if prior.get("log_format").is_some_and(|v| !attrs::is_unset(v)) {
        out.insert("log_format".into(), attrs::opt_text(fl.log_format()));
    }
    tags::put_read_state(ctx, &mut out, prior, &ec2_tags::from_sdk(fl.tags()))?;
    Ok(out)
}

#[async_trait]
impl Driver for FlowLog {
    fn resource_type(&self) -> &'static str {
        "aws_flow_log"
    }

    fn service(&self) -> &'static str {
        "ec2"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &[
            "vpc_id",
            "subnet_id",
            "eni_id",
            "traffic_type",
            "log_destination_type",
            "log_destination",
            "iam_role_arn",
            "max_aggregation_interval",
            "log_format",
        ]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = ec2_tags::client(ctx);
        let (_, kind, resource_id) = source(desired)?;
        let traffic_type = attrs::required_string(desired, "traffic_type")?;
        let destination_type = attrs::string(desired, "log_destination_type")?.unwrap_or(DEFAULT_DESTINATION_TYPE);
        let all_tags = tags::wanted(ctx, desired)?;
        let out = client
            .create_flow_logs()
            .resource_ids(resource_id)
            .resource_type(kind)
            .traffic_type(TrafficType::from(traffic_type))
            .log_destination_type(LogDestinationType::from(destination_type))
            .set_log_destination(attrs::owned_string(desired, "log_destination")?)
            .set_deliver_logs_permission_arn(attrs::owned_string(desired, "iam_role_arn")?)
            .max_aggregation_interval(
                attrs::int32(desired, "max_aggregation_interval")?.unwrap_or(DEFAULT_AGGREGATION_INTERVAL),
            )
            .set_log_format(attrs::owned_string(desired, "log_format")?)
            .set_tag_specifications(ec2_tags::specification(ResourceType::VpcFlowLog, &all_tags))
            .send()
            .await
            .map_err(|e| aws_error("CreateFlowLogs", e))?;
        let Some(id) = out.flow_log_ids().first() else {
            return Err(unsuccessful("CreateFlowLogs", out.unsuccessful())
                .unwrap_or_else(|| DriverError::new("CreateFlowLogs: no flow log id in the answer")));
        };
        let mut state = desired.clone();
        state.insert("id".into(), attrs::text(id));
        tags::put_applied(&mut state, desired, &all_tags)?;
        let fl = wait::until(&format!("flow log {id} to exist"), ctx.env.component_timeout, || {
            find_flow_log(&client, id)
        })
        .await
        .after_create(&state)?;
        flow_log_state(ctx, &fl, &state).await.after_create(&state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        match find_flow_log(&client, id).await? {
            Some(fl) => Ok(Some(flow_log_state(ctx, &fl, state).await?)),
            None => Ok(None),
        }
    }

    /// Only tags change in place.
    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let fl = find_flow_log(&client, id)
            .await?
            .ok_or_else(|| DriverError::new(format!("flow log {id} does not exist")))?;
        let (_, _, resource_id) = source(desired)?;
        if fl.resource_id() != Some(resource_id) {
            return Err(DriverError::new(format!(
                "flow log {id} watches {}, not {resource_id}; it must be replaced",
                fl.resource_id().unwrap_or_default()
            )));
        }
        let all_tags = tags::wanted(ctx, desired)?;
        ec2_tags::sync(&client, id, &ec2_tags::from_sdk(fl.tags()), &all_tags).await?;
        let mut applied = desired.clone();
        applied.insert("id".into(), attrs::text(id));
        if let Some(a) = state.get("arn") {
            applied.insert("arn".into(), a.clone());
        }
        tags::put_applied(&mut applied, desired, &all_tags)?;
        let fl = find_flow_log(&client, id)
            .await?
            .ok_or_else(|| DriverError::new(format!("flow log {id} vanished during update")))?;
        flow_log_state(ctx, &fl, &applied).await
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let out = client.delete_flow_logs().flow_log_ids(id).send().await;
        let Some(out) = found("DeleteFlowLogs", NOT_FOUND, out)? else {
            return Ok(());
        };
        // AWS answers a flow log that is already gone with an Unsuccessful item.
        let failed: Vec<UnsuccessfulItem> = out
            .unsuccessful()
            .iter()
            .filter(|i| !i.error().and_then(|e| e.code()).is_some_and(|c| NOT_FOUND.contains(&c)))
            .cloned()
            .collect();
        if let Some(e) = unsuccessful("DeleteFlowLogs", &failed) {
            return Err(e);
        }
        wait::until_gone(
            &format!("flow log {id} to be deleted"),
            ctx.env.component_timeout,
            || find_flow_log(&client, id),
        )
        .await
    }

    /// The flow log of the watched resource tagged for this component of this composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let client = ec2_tags::client(ctx);
        let (_, _, resource_id) = source(desired)?;
        let mut filters = ec2_tags::owner_filters(ctx);
        filters.push(ec2_tags::filter("resource-id", resource_id));
        let out = client
            .describe_flow_logs()
            .set_filter(Some(filters))
            .send()
            .await
            .map_err(|e| aws_error("DescribeFlowLogs", e))?;
        match out
            .flow_logs()
            .iter()
            .filter(|f| f.resource_id() == Some(resource_id))
            .find_map(|f| f.flow_log_id())
        {
            Some(id) => adopt(self, ctx, desired, id, true).await,
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_flow_log_watches_exactly_one_resource() {
        let vpc = json!({"vpc_id": "vpc-1", "subnet_id": null});
        let (key, kind, id) = source(vpc.as_object().expect("object")).expect("one source");
        assert_eq!((key, kind, id), ("vpc_id", FlowLogsResourceType::Vpc, "vpc-1"));
        let two = json!({"vpc_id": "vpc-1", "subnet_id": "subnet-1"});
        assert!(source(two.as_object().expect("object")).is_err());
        assert!(source(json!({}).as_object().expect("object")).is_err());
    }
}
