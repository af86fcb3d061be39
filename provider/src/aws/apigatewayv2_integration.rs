//! `aws_apigatewayv2_integration`: the backend a route sends requests to (here typically an
//! AWS service integration such as `SQS-SendMessage`).

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_apigatewayv2::types::IntegrationType;
use serde_json::{Map, Value};

use super::apigatewayv2_api::{NOT_FOUND, client};
use super::edge_common::{Attrs, opt_i32, opt_str, read_state, req_str, str_map, string_map_value, wait_until};
use super::{ChildCtx, ChildState, Driver, DriverError, aws_error, has_code, state_id};

pub struct ApiGatewayV2Integration;

fn integration_type(desired: &Attrs) -> Result<IntegrationType, DriverError> {
    let raw = req_str(desired, "integration_type")?;
    IntegrationType::try_parse(raw).map_err(|_| {
        DriverError::new(format!(
            "`integration_type` must be one of AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK, got {raw}"
        ))
    })
}

fn api_id(attrs: &Attrs) -> Result<&str, DriverError> {
    req_str(attrs, "api_id")
}

fn owned(s: Option<&str>) -> Option<String> {
    s.map(str::to_string)
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
        let params: HashMap<String, String> = str_map(desired, "request_parameters")?.into_iter().collect();
        let out = client(ctx)
            .create_integration()
            .api_id(api_id(desired)?)
            .integration_type(integration_type(desired)?)
            .set_integration_subtype(owned(opt_str(desired, "integration_subtype")?))
            .set_credentials_arn(owned(opt_str(desired, "credentials_arn")?))
            .set_request_parameters((!params.is_empty()).then_some(params))
            .set_payload_format_version(owned(opt_str(desired, "payload_format_version")?))
            .set_timeout_in_millis(opt_i32(desired, "timeout_milliseconds")?)
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
        let out = match client(ctx)
            .get_integration()
            .api_id(api_id(state)?)
            .integration_id(id)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if has_code(&e, NOT_FOUND) => return Ok(None),
            Err(e) => return Err(aws_error("GetIntegration", e)),
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
        let params: std::collections::BTreeMap<String, String> = params.into_iter().collect();
        actual.insert("request_parameters".into(), string_map_value(&params));
        actual.insert("payload_format_version".into(), text(out.payload_format_version()));
        if let Some(ms) = out.timeout_in_millis() {
            actual.insert("timeout_milliseconds".into(), Value::from(ms));
        }
        Ok(Some(read_state(state, actual)))
    }

    async fn update(
        &self,
        ctx: &ChildCtx<'_>,
        state: &ChildState,
        desired: &Map<String, Value>,
    ) -> Result<ChildState, DriverError> {
        let id = state_id(state)?;
        // UpdateIntegration merges request parameters: a key is removed by sending it empty.
        let mut params: HashMap<String, String> = str_map(state, "request_parameters")?
            .into_keys()
            .map(|k| (k, String::new()))
            .collect();
        params.extend(str_map(desired, "request_parameters")?);
        client(ctx)
            .update_integration()
            .api_id(api_id(state)?)
            .integration_id(id)
            .integration_type(integration_type(desired)?)
            .set_integration_subtype(owned(opt_str(desired, "integration_subtype")?))
            .set_credentials_arn(owned(opt_str(desired, "credentials_arn")?))
            .set_request_parameters((!params.is_empty()).then_some(params))
            .set_payload_format_version(owned(opt_str(desired, "payload_format_version")?))
            .set_timeout_in_millis(opt_i32(desired, "timeout_milliseconds")?)
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
        let api = api_id(state)?;
        match client.delete_integration().api_id(api).integration_id(id).send().await {
            Ok(_) => {}
            Err(e) if has_code(&e, NOT_FOUND) => return Ok(()),
            Err(e) => return Err(aws_error("DeleteIntegration", e)),
        }
        wait_until(ctx, &format!("integration {id} to be deleted"), || async {
            match client.get_integration().api_id(api).integration_id(id).send().await {
                Ok(_) => Ok(false),
                Err(e) if has_code(&e, NOT_FOUND) => Ok(true),
                Err(e) => Err(aws_error("GetIntegration", e)),
            }
        })
        .await
    }
}
