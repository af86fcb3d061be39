//! `aws_apigatewayv2_api`: an HTTP (or WebSocket) API of API Gateway v2.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_apigatewayv2::Client;
use aws_sdk_apigatewayv2::types::ProtocolType;
use serde_json::{Map, Value};

use super::edge_common::{
    Attrs, account_id, opt_str, own_tags, partition_of, put_tags, read_state, req_str, require_region, str_map,
    tag_changes, tags_to_apply, wait_until,
};
use super::{ChildCtx, ChildState, Driver, DriverError, aws_error, has_code, state_id};

/// API Gateway v2's "no such API / stage / route …" error code.
pub(crate) const NOT_FOUND: &[&str] = &["NotFoundException"];

pub struct ApiGatewayV2Api;

pub(crate) fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("apigatewayv2"))
}

/// `arn:aws:apigateway:<region>::/apis/<id>`: the ARN API Gateway tags by.
pub(crate) fn api_arn(region: &str, api_id: &str) -> String {
    format!("arn:{}:apigateway:{region}::/apis/{api_id}", partition_of(region))
}

/// Applies the difference between two tag sets to an API Gateway resource.
pub(crate) async fn sync_tags(
    client: &Client,
    arn: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Result<(), DriverError> {
    let (set, remove) = tag_changes(old, new);
    if !remove.is_empty() {
        client
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(remove))
            .send()
            .await
            .map_err(|e| aws_error("UntagResource", e))?;
    }
    if !set.is_empty() {
        client
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(set))
            .send()
            .await
            .map_err(|e| aws_error("TagResource", e))?;
    }
    Ok(())
}

fn protocol_type(desired: &Attrs) -> Result<ProtocolType, DriverError> {
    let raw = req_str(desired, "protocol_type")?;
    ProtocolType::try_parse(raw)
        .map_err(|_| DriverError::new(format!("`protocol_type` must be HTTP or WEBSOCKET, got {raw}")))
}

#[async_trait]
impl Driver for ApiGatewayV2Api {
    fn resource_type(&self) -> &'static str {
        "aws_apigatewayv2_api"
    }

    fn service(&self) -> &'static str {
        "apigatewayv2"
    }

    /// API Gateway cannot turn an HTTP API into a WebSocket one.
    fn replace_on(&self) -> &'static [&'static str] {
        &["protocol_type"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let region = require_region(ctx)?;
        let tags = tags_to_apply(ctx, desired)?;
        // Everything that can fail is asked before CreateApi, so a failure leaves no orphan.
        let account = account_id(ctx).await?;
        let out = client
            .create_api()
            .name(req_str(desired, "name")?)
            .protocol_type(protocol_type(desired)?)
            .set_description(opt_str(desired, "description")?.map(str::to_string))
            .set_tags(Some(tags.clone().into_iter().collect()))
            .send()
            .await
            .map_err(|e| aws_error("CreateApi", e))?;
        let id = out
            .api_id()
            .ok_or_else(|| DriverError::new("CreateApi: no ApiId in the answer"))?
            .to_string();
        let partition = partition_of(&region);
        let mut state = desired.clone();
        state.insert("id".into(), Value::String(id.clone()));
        state.insert("arn".into(), Value::String(api_arn(&region, &id)));
        state.insert(
            "api_endpoint".into(),
            Value::String(out.api_endpoint().unwrap_or_default().to_string()),
        );
        state.insert(
            "execution_arn".into(),
            Value::String(format!("arn:{partition}:execute-api:{region}:{account}:{id}")),
        );
        put_tags(&mut state, &str_map(desired, "tags")?, &tags);
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let id = state_id(state)?;
        let out = match client(ctx).get_api().api_id(id).send().await {
            Ok(out) => out,
            Err(e) if has_code(&e, NOT_FOUND) => return Ok(None),
            Err(e) => return Err(aws_error("GetApi", e)),
        };
        let all: BTreeMap<String, String> = out.tags().cloned().unwrap_or_default().into_iter().collect();
        let mut actual = Map::new();
        actual.insert("name".into(), Value::String(out.name().unwrap_or_default().to_string()));
        actual.insert(
            "protocol_type".into(),
            Value::String(out.protocol_type().map(|p| p.as_str().to_string()).unwrap_or_default()),
        );
        actual.insert(
            "description".into(),
            Value::String(out.description().unwrap_or_default().to_string()),
        );
        if let Some(endpoint) = out.api_endpoint() {
            actual.insert("api_endpoint".into(), Value::String(endpoint.to_string()));
        }
        put_tags(&mut actual, &own_tags(ctx, state, &all)?, &all);
        Ok(Some(read_state(state, actual)))
    }

    async fn update(
        &self,
        ctx: &ChildCtx<'_>,
        state: &ChildState,
        desired: &Map<String, Value>,
    ) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        let region = require_region(ctx)?;
        // UpdateApi treats an absent field as "unchanged", so a removed description is sent empty.
        client
            .update_api()
            .api_id(id)
            .name(req_str(desired, "name")?)
            .description(opt_str(desired, "description")?.unwrap_or_default())
            .send()
            .await
            .map_err(|e| aws_error("UpdateApi", e))?;
        // Diff against the tags the API has now, not the state's: the state may predate an
        // out-of-band change.
        let current = client
            .get_api()
            .api_id(id)
            .send()
            .await
            .map_err(|e| aws_error("GetApi", e))?;
        let old: BTreeMap<String, String> = current.tags().cloned().unwrap_or_default().into_iter().collect();
        let tags = tags_to_apply(ctx, desired)?;
        sync_tags(&client, &api_arn(&region, id), &old, &tags).await?;
        let mut next = state.clone();
        next.extend(desired.clone());
        put_tags(&mut next, &str_map(desired, "tags")?, &tags);
        Ok(next)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        match client.delete_api().api_id(id).send().await {
            Ok(_) => {}
            Err(e) if has_code(&e, NOT_FOUND) => return Ok(()),
            Err(e) => return Err(aws_error("DeleteApi", e)),
        }
        wait_until(ctx, &format!("API {id} to be deleted"), || async {
            match client.get_api().api_id(id).send().await {
                Ok(_) => Ok(false),
                Err(e) if has_code(&e, NOT_FOUND) => Ok(true),
                Err(e) => Err(aws_error("GetApi", e)),
            }
        })
        .await
    }
}
