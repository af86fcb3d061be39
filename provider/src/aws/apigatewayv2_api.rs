//! `aws_apigatewayv2_api`: an HTTP (or WebSocket) API of API Gateway v2.

use async_trait::async_trait;
use aws_sdk_apigatewayv2::Client;
use aws_sdk_apigatewayv2::types::ProtocolType;
use serde_json::{Map, Value};

use super::attrs::{self, Attrs};
use super::normalise;
use super::tags::{self, Tags};
use super::{ChildCtx, ChildState, Driver, DriverError, adopt, arn, aws_error, found, state_id, wait};

/// API Gateway v2's "no such API / stage / route …" error code.
pub(crate) const NOT_FOUND: &[&str] = &["NotFoundException"];

pub struct ApiGatewayV2Api;

pub(crate) fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("apigatewayv2"))
}

/// `arn:aws:apigateway:<region>::<path>`: the ARN API Gateway tags an API (`/apis/<id>`) or
/// a stage (`/apis/<id>/stages/<name>`) by.
pub(crate) fn resource_arn(region: &str, path: &str) -> String {
    arn::build(arn::partition(region), "apigateway", region, "", path)
}

/// Brings the tags of an API Gateway resource from `actual` to `wanted`.
pub(crate) async fn sync_tags(client: &Client, arn: &str, actual: &Tags, wanted: &Tags) -> Result<(), DriverError> {
    tags::sync(
        actual,
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
                .set_tags(Some(set.into_iter().collect()))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("TagResource", e))
        },
    )
    .await
}

/// The API a child (authorizer, integration, route, stage) belongs to.
pub(crate) fn parent_api(attrs: &Attrs) -> Result<&str, DriverError> {
    attrs::required_string(attrs, "api_id")
}

/// GetApi; `None` when the API does not exist.
async fn find_api(
    client: &Client,
    id: &str,
) -> Result<Option<aws_sdk_apigatewayv2::operation::get_api::GetApiOutput>, DriverError> {
    found("GetApi", NOT_FOUND, client.get_api().api_id(id).send().await)
}

fn protocol_type(desired: &Attrs) -> Result<ProtocolType, DriverError> {
    let raw = attrs::required_string(desired, "protocol_type")?;
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
        let region = arn::region(ctx)?;
        let tags = tags::wanted(ctx, desired)?;
        // Everything that can fail is asked before CreateApi, so a failure leaves no orphan.
        let account = arn::account_id(ctx).await?;
        let out = client
            .create_api()
            .name(attrs::required_string(desired, "name")?)
            .protocol_type(protocol_type(desired)?)
            .set_description(attrs::owned_string(desired, "description")?)
            .set_tags(Some(tags.clone().into_iter().collect()))
            .send()
            .await
            .map_err(|e| aws_error("CreateApi", e))?;
        let id = out
            .api_id()
            .ok_or_else(|| DriverError::new("CreateApi: no ApiId in the answer"))?
            .to_string();
        let mut state = desired.clone();
        state.insert("id".into(), Value::String(id.clone()));
        state.insert(
            "arn".into(),
            Value::String(resource_arn(&region, &format!("/apis/{id}"))),
        );
        state.insert(
            "api_endpoint".into(),
            Value::String(out.api_endpoint().unwrap_or_default().to_string()),
        );
        state.insert(
            "execution_arn".into(),
            Value::String(arn::build(
                arn::partition(&region),
                "execute-api",
                &region,
                &account,
                &id,
            )),
        );
        tags::put_applied(&mut state, desired, &tags)?;
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let id = state_id(state)?;
        let Some(out) = find_api(&client(ctx), id).await? else {
            return Ok(None);
        };
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
        tags::put_read_state(ctx, &mut actual, state, &tags::from_map(out.tags()))?;
        Ok(Some(normalise::read_state(state, actual)))
    }

    /// GetApis, by name among the APIs tagged for this composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let name = attrs::required_string(desired, "name")?;
        let mut token = None;
        loop {
            let page = client
                .get_apis()
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| aws_error("GetApis", e))?;
            let mine = page
                .items()
                .iter()
                .find(|a| a.name() == Some(name) && tags::owned(ctx, &tags::from_map(a.tags())));
            if let Some(id) = mine.and_then(|a| a.api_id()) {
                // What create records besides what read reports.
                let region = arn::region(ctx)?;
                let account = arn::account_id(ctx).await?;
                let mut seed = desired.clone();
                seed.insert(
                    "arn".into(),
                    Value::String(resource_arn(&region, &format!("/apis/{id}"))),
                );
                let execution_arn = arn::build(arn::partition(&region), "execute-api", &region, &account, id);
                seed.insert("execution_arn".into(), Value::String(execution_arn));
                return adopt(self, ctx, &seed, id, true).await;
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
        let client = client(ctx);
        let id = state_id(state)?;
        let region = arn::region(ctx)?;
        // UpdateApi treats an absent field as "unchanged", so a removed description is sent empty.
        client
            .update_api()
            .api_id(id)
            .name(attrs::required_string(desired, "name")?)
            .description(attrs::string(desired, "description")?.unwrap_or_default())
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
        let tags = tags::wanted(ctx, desired)?;
        let arn = resource_arn(&region, &format!("/apis/{id}"));
        sync_tags(&client, &arn, &tags::from_map(current.tags()), &tags).await?;
        let mut next = state.clone();
        next.extend(desired.clone());
        tags::put_applied(&mut next, desired, &tags)?;
        Ok(next)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        let deleted = client.delete_api().api_id(id).send().await;
        if found("DeleteApi", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(&format!("API {id} to be deleted"), ctx.env.component_timeout, || {
            find_api(&client, id)
        })
        .await
    }
}
