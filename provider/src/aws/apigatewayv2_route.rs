//! `aws_apigatewayv2_route`: a route key (`POST /orders`) of an API Gateway v2 API, its
//! target integration and its authorization.

use async_trait::async_trait;
use aws_sdk_apigatewayv2::types::AuthorizationType;
use serde_json::{Map, Value};

use super::apigatewayv2_api::{NOT_FOUND, client};
use super::edge_common::{Attrs, opt_str, read_state, req_str, wait_until};
use super::{ChildCtx, ChildState, Driver, DriverError, aws_error, has_code, state_id};

pub struct ApiGatewayV2Route;

fn authorization_type(desired: &Attrs) -> Result<Option<AuthorizationType>, DriverError> {
    let Some(raw) = opt_str(desired, "authorization_type")? else {
        return Ok(None);
    };
    AuthorizationType::try_parse(raw).map(Some).map_err(|_| {
        DriverError::new(format!(
            "`authorization_type` must be one of NONE, AWS_IAM, CUSTOM, JWT, got {raw}"
        ))
    })
}

fn api_id(attrs: &Attrs) -> Result<&str, DriverError> {
    req_str(attrs, "api_id")
}

fn owned(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(str::to_string)
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
            .api_id(api_id(desired)?)
            .route_key(req_str(desired, "route_key")?)
            .set_target(owned(opt_str(desired, "target")?))
            .set_authorization_type(authorization_type(desired)?)
            .set_authorizer_id(owned(opt_str(desired, "authorizer_id")?))
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
        let out = match client(ctx).get_route().api_id(api_id(state)?).route_id(id).send().await {
            Ok(out) => out,
            Err(e) if has_code(&e, NOT_FOUND) => return Ok(None),
            Err(e) => return Err(aws_error("GetRoute", e)),
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
        Ok(Some(read_state(state, actual)))
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
            let now = owned(opt_str(desired, key)?);
            let before = owned(opt_str(state, key)?);
            Ok(match (now, before) {
                (Some(v), _) => Some(v),
                (None, Some(_)) => Some(String::new()),
                (None, None) => None,
            })
        };
        client(ctx)
            .update_route()
            .api_id(api_id(state)?)
            .route_id(id)
            .route_key(req_str(desired, "route_key")?)
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
        let api = api_id(state)?;
        match client.delete_route().api_id(api).route_id(id).send().await {
            Ok(_) => {}
            Err(e) if has_code(&e, NOT_FOUND) => return Ok(()),
            Err(e) => return Err(aws_error("DeleteRoute", e)),
        }
        wait_until(ctx, &format!("route {id} to be deleted"), || async {
            match client.get_route().api_id(api).route_id(id).send().await {
                Ok(_) => Ok(false),
                Err(e) if has_code(&e, NOT_FOUND) => Ok(true),
                Err(e) => Err(aws_error("GetRoute", e)),
            }
        })
        .await
    }
}
