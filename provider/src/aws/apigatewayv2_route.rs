//! `aws_apigatewayv2_route`: a route key (`POST /orders`) of an API Gateway v2 API, its
//! target integration and its authorization.

use async_trait::async_trait;
use aws_sdk_apigatewayv2::Client;
use aws_sdk_apigatewayv2::operation::get_route::GetRouteOutput;
use aws_sdk_apigatewayv2::types::AuthorizationType;
use serde_json::{Map, Value};

use super::apigatewayv2_api::{NOT_FOUND, client, parent_api};
use super::attrs::{self, Attrs};
use super::normalise;
use super::{ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, state_id, wait};

pub struct ApiGatewayV2Route;

fn authorization_type(desired: &Attrs) -> Result<Option<AuthorizationType>, DriverError> {
    let Some(raw) = attrs::string(desired, "authorization_type")? else {
        return Ok(None);
    };
    AuthorizationType::try_parse(raw).map(Some).map_err(|_| {
        DriverError::new(format!(
            "`authorization_type` must be one of NONE, AWS_IAM, CUSTOM, JWT, got {raw}"
        ))
    })
}

/// GetRoute; `None` when the route (or its API) does not exist.
async fn find(client: &Client, api: &str, id: &str) -> Result<Option<GetRouteOutput>, DriverError> {
    found(
        "GetRoute",
        NOT_FOUND,
        client.get_route().api_id(api).route_id(id).send().await,
    )
}

#[async_trait]
impl Driver for ApiGatewayV2Route {
    fn resource_type(&self) -> &'static str {
        "aws_apigatewayv2_route"
    }

    fn service(&self) -> &'static str {
        "apigatewayv2"
    }

    /// A route belongs to one API.
    fn replace_on(&self) -> &'static [&'static str] {
        &["api_id"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<ChildState, DriverError> {
        let out = client(ctx)
            .create_route()
            .api_id(parent_api(desired)?)
            .route_key(attrs::required_string(desired, "route_key")?)
            .set_target(attrs::owned_string(desired, "target")?)
            .set_authorization_type(authorization_type(desired)?)
            .set_authorizer_id(attrs::owned_string(desired, "authorizer_id")?)
            .send()
            .await
            .map_err(|e| aws_error("CreateRoute", e))?;
        let id = out
            .route_id()
            .ok_or_else(|| DriverError::new("CreateRoute: no RouteId in the answer"))?;
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
        actual.insert("route_key".into(), text(out.route_key()));
        actual.insert("target".into(), text(out.target()));
        // API Gateway reports NONE for a route created without authorization.
        actual.insert(
            "authorization_type".into(),
            Value::String(
                out.authorization_type()
                    .map_or("NONE", AuthorizationType::as_str)
                    .to_string(),
            ),
        );
        actual.insert("authorizer_id".into(), text(out.authorizer_id()));
        Ok(Some(normalise::read_state(state, actual)))
    }

    /// GetRoutes of the (already adopted) API, by route key: routes carry no tags.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let key = attrs::required_string(desired, "route_key")?;
        let mut token = None;
        loop {
            let page = client
                .get_routes()
                .api_id(parent_api(desired)?)
                .set_next_token(token)
                .send()
                .await;
            let Some(page) = found("GetRoutes", NOT_FOUND, page)? else {
                return Ok(None);
            };
            let mine = page.items().iter().find(|r| r.route_key() == Some(key));
            if let Some(id) = mine.and_then(|r| r.route_id()) {
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
        // UpdateRoute leaves absent fields alone: a removed target or authorizer is sent empty.
        let cleared = |key: &str| -> Result<Option<String>, DriverError> {
            let now = attrs::owned_string(desired, key)?;
            let before = attrs::owned_string(state, key)?;
            Ok(match (now, before) {
                (Some(v), _) => Some(v),
                (None, Some(_)) => Some(String::new()),
                (None, None) => None,
            })
        };
        client(ctx)
            .update_route()
            .api_id(parent_api(state)?)
            .route_id(id)
            .route_key(attrs::required_string(desired, "route_key")?)
            .set_target(cleared("target")?)
            .set_authorization_type(authorization_type(desired)?.or(Some(AuthorizationType::None)))
            .set_authorizer_id(cleared("authorizer_id")?)
            .send()
            .await
            .map_err(|e| aws_error("UpdateRoute", e))?;
        let mut next = state.clone();
        next.extend(desired.clone());
        Ok(next)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        let api = parent_api(state)?;
        let deleted = client.delete_route().api_id(api).route_id(id).send().await;
        if found("DeleteRoute", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(&format!("route {id} to be deleted"), ctx.env.component_timeout, || {
            find(&client, api, id)
        })
        .await
    }
}
