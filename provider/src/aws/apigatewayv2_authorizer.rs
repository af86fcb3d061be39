//! `aws_apigatewayv2_authorizer`: a JWT (or Lambda) authorizer of an API Gateway v2 API.

use async_trait::async_trait;
use aws_sdk_apigatewayv2::types::{AuthorizerType, JwtConfiguration};
use serde_json::{Map, Value};

use super::apigatewayv2_api::{NOT_FOUND, client};
use super::edge_common::{
    Attrs, block, block_value, opt_str, read_state, req_str, str_list, strings_value, wait_until,
};
use super::{ChildCtx, ChildState, Driver, DriverError, aws_error, has_code, state_id};

pub struct ApiGatewayV2Authorizer;

fn authorizer_type(desired: &Attrs) -> Result<AuthorizerType, DriverError> {
    let raw = req_str(desired, "authorizer_type")?;
    AuthorizerType::try_parse(raw)
        .map_err(|_| DriverError::new(format!("`authorizer_type` must be JWT or REQUEST, got {raw}")))
}

/// `jwt_configuration [{audience, issuer}]` as the SDK type.
fn jwt_configuration(desired: &Attrs) -> Result<Option<JwtConfiguration>, DriverError> {
    let Some(jwt) = block(desired, "jwt_configuration")? else {
        return Ok(None);
    };
    Ok(Some(
        JwtConfiguration::builder()
            .set_audience(Some(str_list(jwt, "audience")?))
            .set_issuer(opt_str(jwt, "issuer")?.map(str::to_string))
            .build(),
    ))
}

fn api_id(attrs: &Attrs) -> Result<&str, DriverError> {
    req_str(attrs, "api_id")
}

#[async_trait]
impl Driver for ApiGatewayV2Authorizer {
    fn resource_type(&self) -> &'static str {
        "aws_apigatewayv2_authorizer"
    }

    fn service(&self) -> &'static str {
        "apigatewayv2"
    }

    /// An authorizer belongs to one API.
    fn replace_on(&self) -> &'static [&'static str] {
        &["api_id"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<ChildState, DriverError> {
        let out = client(ctx)
            .create_authorizer()
            .api_id(api_id(desired)?)
            .authorizer_type(authorizer_type(desired)?)
            .name(req_str(desired, "name")?)
            .set_identity_source(Some(str_list(desired, "identity_sources")?))
            .set_jwt_configuration(jwt_configuration(desired)?)
            .send()
            .await
            .map_err(|e| aws_error("CreateAuthorizer", e))?;
        let id = out
            .authorizer_id()
            .ok_or_else(|| DriverError::new("CreateAuthorizer: no AuthorizerId in the answer"))?;
        let mut state = desired.clone();
        state.insert("id".into(), Value::String(id.to_string()));
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let id = state_id(state)?;
        let out = match client(ctx)
            .get_authorizer()
            .api_id(api_id(state)?)
            .authorizer_id(id)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if has_code(&e, NOT_FOUND) => return Ok(None),
            Err(e) => return Err(aws_error("GetAuthorizer", e)),
        };
        let mut actual = Map::new();
        actual.insert(
            "authorizer_type".into(),
            Value::String(
                out.authorizer_type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
            ),
        );
        actual.insert("name".into(), Value::String(out.name().unwrap_or_default().to_string()));
        actual.insert("identity_sources".into(), strings_value(out.identity_source()));
        let jwt = match out.jwt_configuration() {
            Some(jwt) => {
                let mut m = Map::new();
                m.insert("audience".into(), strings_value(jwt.audience()));
                m.insert(
                    "issuer".into(),
                    Value::String(jwt.issuer().unwrap_or_default().to_string()),
                );
                block_value(m)
            }
            None => Value::Array(Vec::new()),
        };
        actual.insert("jwt_configuration".into(), jwt);
        Ok(Some(read_state(state, actual)))
    }

    async fn update(
        &self,
        ctx: &ChildCtx<'_>,
        state: &ChildState,
        desired: &Map<String, Value>,
    ) -> Result<ChildState, DriverError> {
        let id = state_id(state)?;
        client(ctx)
            .update_authorizer()
            .api_id(api_id(state)?)
            .authorizer_id(id)
            .authorizer_type(authorizer_type(desired)?)
            .name(req_str(desired, "name")?)
            .set_identity_source(Some(str_list(desired, "identity_sources")?))
            .set_jwt_configuration(jwt_configuration(desired)?)
            .send()
            .await
            .map_err(|e| aws_error("UpdateAuthorizer", e))?;
        let mut next = state.clone();
        next.extend(desired.clone());
        Ok(next)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        let api = api_id(state)?;
        match client.delete_authorizer().api_id(api).authorizer_id(id).send().await {
            Ok(_) => {}
            Err(e) if has_code(&e, NOT_FOUND) => return Ok(()),
            Err(e) => return Err(aws_error("DeleteAuthorizer", e)),
        }
        wait_until(ctx, &format!("authorizer {id} to be deleted"), || async {
            match client.get_authorizer().api_id(api).authorizer_id(id).send().await {
                Ok(_) => Ok(false),
                Err(e) if has_code(&e, NOT_FOUND) => Ok(true),
                Err(e) => Err(aws_error("GetAuthorizer", e)),
            }
        })
        .await
    }
}
