//! `aws_apigatewayv2_stage`: a deployment stage of an API Gateway v2 API (the blueprint uses
//! an auto-deploying `$default` stage with throttling and access logs).

use async_trait::async_trait;
use aws_sdk_apigatewayv2::Client;
use aws_sdk_apigatewayv2::operation::get_stage::GetStageOutput;
use aws_sdk_apigatewayv2::types::{AccessLogSettings, ProtocolType, RouteSettings};
use serde_json::{Map, Value};

use super::apigatewayv2_api::{NOT_FOUND, client, parent_api, resource_arn, sync_tags};
use super::attrs::{self, Attrs};
use super::normalise;
use super::tags;
use super::{ChildCtx, ChildState, Driver, DriverError, adopt, arn, aws_error, found, wait};

pub struct ApiGatewayV2Stage;

/// The stage name API Gateway serves at the root of the API's endpoint.
const DEFAULT_STAGE: &str = "$default";

fn stage_arn(region: &str, api_id: &str, name: &str) -> String {
    resource_arn(region, &format!("/apis/{api_id}/stages/{name}"))
}

/// GetStage; `None` when the stage (or its API) does not exist.
async fn find(client: &Client, api: &str, name: &str) -> Result<Option<GetStageOutput>, DriverError> {
    found(
        "GetStage",
        NOT_FOUND,
        client.get_stage().api_id(api).stage_name(name).send().await,
    )
}

/// `default_route_settings [{throttling_rate_limit, throttling_burst_limit, detailed_metrics_enabled}]`.
fn route_settings(desired: &Attrs) -> Result<Option<RouteSettings>, DriverError> {
    let Some(s) = attrs::block(desired, "default_route_settings")? else {
        return Ok(None);
    };
    Ok(Some(
        RouteSettings::builder()
            .set_throttling_rate_limit(attrs::float(s, "throttling_rate_limit")?)
            .set_throttling_burst_limit(attrs::int32(s, "throttling_burst_limit")?)
            .set_detailed_metrics_enabled(attrs::boolean(s, "detailed_metrics_enabled")?)
            .build(),
    ))
}

/// `access_log_settings [{destination_arn, format}]`.
fn access_log_settings(desired: &Attrs) -> Result<Option<AccessLogSettings>, DriverError> {
    let Some(s) = attrs::block(desired, "access_log_settings")? else {
        return Ok(None);
    };
    Ok(Some(
        AccessLogSettings::builder()
            .set_destination_arn(attrs::owned_string(s, "destination_arn")?)
            .set_format(attrs::owned_string(s, "format")?)
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
        let region = arn::region(ctx)?;
        let api = parent_api(desired)?;
        let name = attrs::required_string(desired, "name")?;
        let tags = tags::wanted(ctx, desired)?;
        // Asked before CreateStage, so a failure leaves no orphan.
        let invoke_url = invoke_url(ctx, api, name).await?;
        client
            .create_stage()
            .api_id(api)
            .stage_name(name)
            .set_auto_deploy(attrs::boolean(desired, "auto_deploy")?)
            .set_description(attrs::owned_string(desired, "description")?)
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
        tags::put_applied(&mut state, desired, &tags)?;
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let name = attrs::required_string(state, "name")?;
        let Some(out) = find(&client(ctx), parent_api(state)?, name).await? else {
            return Ok(None);
        };
        let mut actual = Map::new();
        actual.insert(
            "name".into(),
            Value::String(out.stage_name().unwrap_or(name).to_string()),
        );
        actual.insert("auto_deploy".into(), Value::Bool(out.auto_deploy().unwrap_or(false)));
        actual.insert("description".into(), attrs::opt_text(out.description()));
        let settings = match out.default_route_settings() {
            Some(s) => {
                let mut m = Map::new();
                m.insert(
                    "throttling_rate_limit".into(),
                    s.throttling_rate_limit().map_or(Value::Null, attrs::number),
                );
                m.insert(
                    "throttling_burst_limit".into(),
                    s.throttling_burst_limit().map_or(Value::Null, Value::from),
                );
                m.insert(
                    "detailed_metrics_enabled".into(),
                    Value::Bool(s.detailed_metrics_enabled().unwrap_or(false)),
                );
                attrs::block_value(m)
            }
            None => Value::Array(Vec::new()),
        };
        actual.insert("default_route_settings".into(), settings);
        let logs = match out.access_log_settings() {
            Some(s) if s.destination_arn().is_some() || s.format().is_some() => {
                let mut m = Map::new();
                m.insert("destination_arn".into(), attrs::opt_text(s.destination_arn()));
                m.insert("format".into(), attrs::opt_text(s.format()));
                attrs::block_value(m)
            }
            _ => Value::Array(Vec::new()),
        };
        actual.insert("access_log_settings".into(), logs);
        tags::put_read_state(ctx, &mut actual, state, &tags::from_map(out.tags()))?;
        Ok(Some(normalise::read_state(state, actual)))
    }

    /// GetStage by name in the (already adopted) API. The API's ownership stands for the
    /// stage's: moto does not tag stages.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<Option<ChildState>, DriverError> {
        let api = parent_api(desired)?;
        let name = attrs::required_string(desired, "name")?;
        if find(&client(ctx), api, name).await?.is_none() {
            return Ok(None);
        }
        // What create records besides what read reports.
        let mut seed = desired.clone();
        seed.insert("arn".into(), Value::String(stage_arn(&arn::region(ctx)?, api, name)));
        seed.insert("invoke_url".into(), Value::String(invoke_url(ctx, api, name).await?));
        adopt(self, ctx, &seed, name, false).await
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
        let region = arn::region(ctx)?;
        let api = parent_api(state)?;
        let name = attrs::required_string(state, "name")?;
        if SETTINGS.iter().any(|k| desired.get(*k) != state.get(*k)) {
            // Absent blocks are sent empty so that AWS clears them.
            let logs = access_log_settings(desired)?.unwrap_or_else(|| AccessLogSettings::builder().build());
            let routes = route_settings(desired)?.unwrap_or_else(|| RouteSettings::builder().build());
            client
                .update_stage()
                .api_id(api)
                .stage_name(name)
                .auto_deploy(attrs::boolean(desired, "auto_deploy")?.unwrap_or(false))
                .description(attrs::string(desired, "description")?.unwrap_or_default())
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
        let tags = tags::wanted(ctx, desired)?;
        sync_tags(
            &client,
            &stage_arn(&region, api, name),
            &tags::from_map(current.tags()),
            &tags,
        )
        .await?;
        let mut next = state.clone();
        next.extend(desired.clone());
        tags::put_applied(&mut next, desired, &tags)?;
        Ok(next)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let api = parent_api(state)?;
        let name = attrs::required_string(state, "name")?;
        let deleted = client.delete_stage().api_id(api).stage_name(name).send().await;
        if found("DeleteStage", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("stage {name} to be deleted"),
            ctx.env.component_timeout,
            || find(&client, api, name),
        )
        .await
    }
}
