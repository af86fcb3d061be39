//! `aws_apigatewayv2_integration`: the backend a route sends requests to (here typically an
//! AWS service integration such as `SQS-SendMessage`).

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_apigatewayv2::Client;
use aws_sdk_apigatewayv2::operation::get_integration::GetIntegrationOutput;
use aws_sdk_apigatewayv2::types::IntegrationType;
use serde_json::{Map, Value};

use super::apigatewayv2_api::{NOT_FOUND, client, parent_api};
use super::attrs::{self, Attrs};
use super::normalise;
use super::{ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, state_id, wait};

pub struct ApiGatewayV2Integration;

fn integration_type(desired: &Attrs) -> Result<IntegrationType, DriverError> {
    let raw = attrs::required_string(desired, "integration_type")?;
    IntegrationType::try_parse(raw).map_err(|_| {
        DriverError::new(format!(
            "`integration_type` must be one of AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK, got {raw}"
        ))
    })
}

/// GetIntegration; `None` when the integration (or its API) does not exist.
async fn find(client: &Client, api: &str, id: &str) -> Result<Option<GetIntegrationOutput>, DriverError> {
    let out = client.get_integration().api_id(api).integration_id(id).send().await;
    found("GetIntegration", NOT_FOUND, out)
}

#[async_trait]
impl Driver for ApiGatewayV2Integration {
    fn resource_type(&self) -> &'static str {
        "aws_apigatewayv2_integration"
    }

    fn service(&self) -> &'static str {
        "apigatewayv2"
    }

    /// The API, and the kind of integration, are fixed at creation.
    fn replace_on(&self) -> &'static [&'static str] {
        &["api_id", "integration_type", "integration_subtype"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<ChildState, DriverError> {
        let params: HashMap<String, String> = attrs::string_map(desired, "request_parameters")?.into_iter().collect();
        let out = client(ctx)
            .create_integration()
            .api_id(parent_api(desired)?)
            .integration_type(integration_type(desired)?)
            .set_integration_subtype(attrs::owned_string(desired, "integration_subtype")?)
            .set_credentials_arn(attrs::owned_string(desired, "credentials_arn")?)
            .set_request_parameters((!params.is_empty()).then_some(params))
            .set_payload_format_version(attrs::owned_string(desired, "payload_format_version")?)
            .set_timeout_in_millis(attrs::int32(desired, "timeout_milliseconds")?)
            .send()
            .await
            .map_err(|e| aws_error("CreateIntegration", e))?;
        let id = out
            .integration_id()
            .ok_or_else(|| DriverError::new("CreateIntegration: no IntegrationId in the answer"))?;
        let mut state = desired.clone();
        state.insert("id".into(), Value::String(id.to_string()));
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let id = state_id(state)?;
        let Some(out) = find(&client(ctx), parent_api(state)?, id).await? else {
            return Ok(None);
        };
        let text = |s: Option<&str>| Value::String(s.unwrap_or_default().to_string());
        let mut actual = Map::new();
        actual.insert(
            "integration_type".into(),
            text(out.integration_type().map(IntegrationType::as_str)),
        );
        actual.insert("integration_subtype".into(), text(out.integration_subtype()));
        actual.insert("credentials_arn".into(), text(out.credentials_arn()));
        let params = out.request_parameters().cloned().unwrap_or_default();
        actual.insert("request_parameters".into(), attrs::map_value(&params));
        actual.insert("payload_format_version".into(), text(out.payload_format_version()));
        if let Some(ms) = out.timeout_in_millis() {
            actual.insert("timeout_milliseconds".into(), Value::from(ms));
        }
        Ok(Some(normalise::read_state(state, actual)))
    }

    /// GetIntegrations of the (already adopted) API, by type and subtype: integrations
    /// carry no tags and no name.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let kind = attrs::string(desired, "integration_type")?;
        let subtype = attrs::string(desired, "integration_subtype")?;
        let mut token = None;
        loop {
            let page = client
                .get_integrations()
                .api_id(parent_api(desired)?)
                .set_next_token(token)
                .send()
                .await;
            let Some(page) = found("GetIntegrations", NOT_FOUND, page)? else {
                return Ok(None);
            };
            let mine = page.items().iter().find(|i| {
                i.integration_type().map(IntegrationType::as_str) == kind && i.integration_subtype() == subtype
            });
            if let Some(id) = mine.and_then(|i| i.integration_id()) {
                return adopt(self, ctx, desired, id, false).await;
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(None);
            }
        }
    }

    async fn update(
        &self,
        ctx: &ChildCtx<'_>,
        state: &ChildState,
        desired: &Map<String, Value>,
    ) -> Result<ChildState, DriverError> {
        let id = state_id(state)?;
        // UpdateIntegration merges request parameters: a key is removed by sending it empty.
        let mut params: HashMap<String, String> = attrs::string_map(state, "request_parameters")?
            .into_keys()
            .map(|k| (k, String::new()))
            .collect();
        params.extend(attrs::string_map(desired, "request_parameters")?);
        client(ctx)
            .update_integration()
            .api_id(parent_api(state)?)
            .integration_id(id)
            .integration_type(integration_type(desired)?)
            .set_integration_subtype(attrs::owned_string(desired, "integration_subtype")?)
            .set_credentials_arn(attrs::owned_string(desired, "credentials_arn")?)
            .set_request_parameters((!params.is_empty()).then_some(params))
            .set_payload_format_version(attrs::owned_string(desired, "payload_format_version")?)
            .set_timeout_in_millis(attrs::int32(desired, "timeout_milliseconds")?)
            .send()
            .await
            .map_err(|e| aws_error("UpdateIntegration", e))?;
        let mut next = state.clone();
        next.extend(desired.clone());
        Ok(next)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        let api = parent_api(state)?;
        let deleted = client.delete_integration().api_id(api).integration_id(id).send().await;
        if found("DeleteIntegration", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("integration {id} to be deleted"),
            ctx.env.component_timeout,
            || find(&client, api, id),
        )
        .await
    }
}
