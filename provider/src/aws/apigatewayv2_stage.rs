//! `aws_apigatewayv2_stage`: a deployment stage of an API Gateway v2 API (the blueprint uses
//! an auto-deploying `$default` stage with throttling and access logs).

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_apigatewayv2::types::{AccessLogSettings, ProtocolType, RouteSettings};
use serde_json::{Map, Value};

use super::apigatewayv2_api::{NOT_FOUND, client, sync_tags};
use super::edge_common::{
    Attrs, block, block_value, f64_value, opt_bool, opt_f64, opt_i32, opt_str, opt_string_value, own_tags,
    partition_of, put_tags, read_state, req_str, require_region, str_map, tags_to_apply, wait_until,
};
use super::{ChildCtx, ChildState, Driver, DriverError, aws_error, has_code};

pub struct ApiGatewayV2Stage;

/// The stage name API Gateway serves at the root of the API's endpoint.
const DEFAULT_STAGE: &str = "$default";

fn api_id(attrs: &Attrs) -> Result<&str, DriverError> {
    req_str(attrs, "api_id")
}

fn stage_arn(region: &str, api_id: &str, name: &str) -> String {
    format!(
        "arn:{}:apigateway:{region}::/apis/{api_id}/stages/{name}",
        partition_of(region)
    )
}

/// `default_route_settings [{throttling_rate_limit, throttling_burst_limit, detailed_metrics_enabled}]`.
fn route_settings(desired: &Attrs) -> Result<Option<RouteSettings>, DriverError> {
    let Some(s) = block(desired, "default_route_settings")? else {
        return Ok(None);
    };
    Ok(Some(
        RouteSettings::builder()
            .set_throttling_rate_limit(opt_f64(s, "throttling_rate_limit")?)
            .set_throttling_burst_limit(opt_i32(s, "throttling_burst_limit")?)
            .set_detailed_metrics_enabled(opt_bool(s, "detailed_metrics_enabled")?)
            .build(),
    ))
}

/// `access_log_settings [{destination_arn, format}]`.
fn access_log_settings(desired: &Attrs) -> Result<Option<AccessLogSettings>, DriverError> {
    let Some(s) = block(desired, "access_log_settings")? else {
        return Ok(None);
    };
    Ok(Some(
        AccessLogSettings::builder()
            .set_destination_arn(opt_str(s, "destination_arn")?.map(str::to_string))
            .set_format(opt_str(s, "format")?.map(str::to_string))
            .build(),
    ))
}

/// The URL clients call: the API's endpoint, plus the stage name unless it is `$default`.
async fn invoke_url(ctx: &ChildCtx<'_>, api_id: &str, name: &str) -> Result<String, DriverError> {
    let api = client(ctx)
        .get_api()
        .api_id(api_id)
        .send()
        .await
        .map_err(|e| aws_error("GetApi", e))?;
    let endpoint = api.api_endpoint().unwrap_or_default();
    Ok(match api.protocol_type() {
        Some(ProtocolType::Http) if name == DEFAULT_STAGE => format!("{endpoint}/"),
        _ => format!("{endpoint}/{name}"),
    })
}

/// The stage settings UpdateStage changes, to tell whether a call is needed at all.
const SETTINGS: &[&str] = &[
    "auto_deploy",
    "default_route_settings",
    "access_log_settings",
    "description",
];

#[async_trait]
impl Driver for ApiGatewayV2Stage {
    fn resource_type(&self) -> &'static str {
        "aws_apigatewayv2_stage"
    }

    fn service(&self) -> &'static str {
        "apigatewayv2"
    }

    /// A stage is named within one API; neither can change.
    fn replace_on(&self) -> &'static [&'static str] {
        &["api_id", "name"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let region = require_region(ctx)?;
        let api = api_id(desired)?;
        let name = req_str(desired, "name")?;
        let tags = tags_to_apply(ctx, desired)?;
        // Asked before CreateStage, so a failure leaves no orphan.
        let invoke_url = invoke_url(ctx, api, name).await?;
        client
            .create_stage()
            .api_id(api)
            .stage_name(name)
            .set_auto_deploy(opt_bool(desired, "auto_deploy")?)
            .set_description(opt_str(desired, "description")?.map(str::to_string))
            .set_default_route_settings(route_settings(desired)?)
            .set_access_log_settings(access_log_settings(desired)?)
            .set_tags(Some(tags.clone().into_iter().collect()))
            .send()
            .await
            .map_err(|e| aws_error("CreateStage", e))?;
        let mut state = desired.clone();
        state.insert("id".into(), Value::String(name.to_string()));
        state.insert("arn".into(), Value::String(stage_arn(&region, api, name)));
        state.insert("invoke_url".into(), Value::String(invoke_url));
        put_tags(&mut state, &str_map(desired, "tags")?, &tags);
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let name = req_str(state, "name")?;
        let out = match client(ctx)
            .get_stage()
            .api_id(api_id(state)?)
            .stage_name(name)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if has_code(&e, NOT_FOUND) => return Ok(None),
            Err(e) => return Err(aws_error("GetStage", e)),
        };
        let mut actual = Map::new();
        actual.insert(
            "name".into(),
            Value::String(out.stage_name().unwrap_or(name).to_string()),
        );
        actual.insert("auto_deploy".into(), Value::Bool(out.auto_deploy().unwrap_or(false)));
        actual.insert("description".into(), opt_string_value(out.description()));
        let settings = match out.default_route_settings() {
            Some(s) => {
                let mut m = Map::new();
                m.insert(
                    "throttling_rate_limit".into(),
                    s.throttling_rate_limit().map_or(Value::Null, f64_value),
                );
                m.insert(
                    "throttling_burst_limit".into(),
                    s.throttling_burst_limit().map_or(Value::Null, Value::from),
                );
                m.insert(
                    "detailed_metrics_enabled".into(),
                    Value::Bool(s.detailed_metrics_enabled().unwrap_or(false)),
                );
                block_value(m)
            }
            None => Value::Array(Vec::new()),
        };
        actual.insert("default_route_settings".into(), settings);
        let logs = match out.access_log_settings() {
            Some(s) if s.destination_arn().is_some() || s.format().is_some() => {
                let mut m = Map::new();
                m.insert("destination_arn".into(), opt_string_value(s.destination_arn()));
                m.insert("format".into(), opt_string_value(s.format()));
                block_value(m)
            }
            _ => Value::Array(Vec::new()),
        };
        actual.insert("access_log_settings".into(), logs);
        let all: BTreeMap<String, String> = out.tags().cloned().unwrap_or_default().into_iter().collect();
        put_tags(&mut actual, &own_tags(ctx, state, &all)?, &all);
        Ok(Some(read_state(state, actual)))
    }

    /// UpdateStage for settings (only when they changed), TagResource/UntagResource for tags.
    /// moto 5.2.5 implements neither UpdateStage nor tagging by stage ARN.
    async fn update(
        &self,
        ctx: &ChildCtx<'_>,
        state: &ChildState,
        desired: &Map<String, Value>,
    ) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let region = require_region(ctx)?;
        let api = api_id(state)?;
        let name = req_str(state, "name")?;
        if SETTINGS.iter().any(|k| desired.get(*k) != state.get(*k)) {
            // Absent blocks are sent empty so that AWS clears them.
            let logs = access_log_settings(desired)?.unwrap_or_else(|| AccessLogSettings::builder().build());
            let routes = route_settings(desired)?.unwrap_or_else(|| RouteSettings::builder().build());
            client
                .update_stage()
                .api_id(api)
                .stage_name(name)
                .auto_deploy(opt_bool(desired, "auto_deploy")?.unwrap_or(false))
                .description(opt_str(desired, "description")?.unwrap_or_default())
                .default_route_settings(routes)
                .access_log_settings(logs)
                .send()
                .await
                .map_err(|e| aws_error("UpdateStage", e))?;
        }
        // Diff against the tags the stage has now, not the state's.
        let current = client
            .get_stage()
            .api_id(api)
            .stage_name(name)
            .send()
            .await
            .map_err(|e| aws_error("GetStage", e))?;
        let old: BTreeMap<String, String> = current.tags().cloned().unwrap_or_default().into_iter().collect();
        let tags = tags_to_apply(ctx, desired)?;
        sync_tags(&client, &stage_arn(&region, api, name), &old, &tags).await?;
        let mut next = state.clone();
        next.extend(desired.clone());
        put_tags(&mut next, &str_map(desired, "tags")?, &tags);
        Ok(next)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let api = api_id(state)?;
        let name = req_str(state, "name")?;
        match client.delete_stage().api_id(api).stage_name(name).send().await {
            Ok(_) => {}
            Err(e) if has_code(&e, NOT_FOUND) => return Ok(()),
            Err(e) => return Err(aws_error("DeleteStage", e)),
        }
        wait_until(ctx, &format!("stage {name} to be deleted"), || async {
            match client.get_stage().api_id(api).stage_name(name).send().await {
                Ok(_) => Ok(false),
                Err(e) if has_code(&e, NOT_FOUND) => Ok(true),
                Err(e) => Err(aws_error("GetStage", e)),
            }
        })
        .await
    }
}
