//! `aws_apigatewayv2_authorizer`: a JWT (or Lambda) authorizer of an API Gateway v2 API.

use async_trait::async_trait;
use aws_sdk_apigatewayv2::Client;
use aws_sdk_apigatewayv2::operation::get_authorizer::GetAuthorizerOutput;
use aws_sdk_apigatewayv2::types::{AuthorizerType, JwtConfiguration};
use serde_json::{Map, Value};

use super::apigatewayv2_api::{NOT_FOUND, client, parent_api};
use super::attrs::{self, Attrs};
use super::normalise;
use super::{ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, state_id, wait};

pub struct ApiGatewayV2Authorizer;

fn authorizer_type(desired: &Attrs) -> Result<AuthorizerType, DriverError> {
    let raw = attrs::required_string(desired, "authorizer_type")?;
    AuthorizerType::try_parse(raw)
        .map_err(|_| DriverError::new(format!("`authorizer_type` must be JWT or REQUEST, got {raw}")))
}

/// `jwt_configuration [{audience, issuer}]` as the SDK type.
fn jwt_configuration(desired: &Attrs) -> Result<Option<JwtConfiguration>, DriverError> {
    let Some(jwt) = attrs::block(desired, "jwt_configuration")? else {
        return Ok(None);
    };
    Ok(Some(
        JwtConfiguration::builder()
            .set_audience(Some(attrs::string_list(jwt, "audience")?))
            .set_issuer(attrs::owned_string(jwt, "issuer")?)
            .build(),
    ))
}

/// GetAuthorizer; `None` when the authorizer (or its API) does not exist.
async fn find(client: &Client, api: &str, id: &str) -> Result<Option<GetAuthorizerOutput>, DriverError> {
    let out = client.get_authorizer().api_id(api).authorizer_id(id).send().await;
    found("GetAuthorizer", NOT_FOUND, out)
}

/// Every authorizer id of `api` (GetAuthorizers).
async fn listed(client: &Client, api: &str) -> Result<Vec<String>, DriverError> {
    let mut ids = Vec::new();
    let mut token = None;
    loop {
        // One attempt: `find` falls back to the routes' authorizers when listing fails, and
        // retrying an endpoint that always fails (moto lacks it) would stall every create.
        let page = client
            .get_authorizers()
            .api_id(api)
            .set_next_token(token)
            .customize()
            .config_override(
                aws_sdk_apigatewayv2::config::Config::builder()
                    .retry_config(aws_sdk_apigatewayv2::config::retry::RetryConfig::disabled()),
            )
            .send()
            .await
            .map_err(|e| aws_error("GetAuthorizers", e))?;
        ids.extend(
            page.items()
                .iter()
                .filter_map(|a| a.authorizer_id())
                .map(str::to_string),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(ids);
        }
    }
}

/// The authorizer ids the routes of `api` use (GetRoutes).
async fn used_by_routes(client: &Client, api: &str) -> Result<Vec<String>, DriverError> {
    let mut ids = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .get_routes()
            .api_id(api)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| aws_error("GetRoutes", e))?;
        for id in page.items().iter().filter_map(|r| r.authorizer_id()) {
            if !ids.iter().any(|known| known == id) {
                ids.push(id.to_string());
            }
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(ids);
        }
    }
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
            .api_id(parent_api(desired)?)
            .authorizer_type(authorizer_type(desired)?)
            .name(attrs::required_string(desired, "name")?)
            .set_identity_source(Some(attrs::string_list(desired, "identity_sources")?))
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
        let Some(out) = find(&client(ctx), parent_api(state)?, id).await? else {
            return Ok(None);
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
        actual.insert("identity_sources".into(), attrs::strings_value(out.identity_source()));
        let jwt = match out.jwt_configuration() {
            Some(jwt) => {
                let mut m = Map::new();
                m.insert("audience".into(), attrs::strings_value(jwt.audience()));
                m.insert(
                    "issuer".into(),
                    Value::String(jwt.issuer().unwrap_or_default().to_string()),
                );
                attrs::block_value(m)
            }
            None => Value::Array(Vec::new()),
        };
        actual.insert("jwt_configuration".into(), jwt);
        Ok(Some(normalise::read_state(state, actual)))
    }

    /// GetAuthorizers of the (already adopted) API, by name: authorizers carry no tags.
    /// moto 5.2 does not implement GetAuthorizers (HTTP 500): then the authorizers the API's
    /// routes use are the candidates.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let api = parent_api(desired)?;
        let name = attrs::required_string(desired, "name")?;
        let ids = match listed(&client, api).await {
            Ok(ids) => ids,
            Err(_) => used_by_routes(&client, api).await?,
        };
        for id in ids {
            let Some(out) = find(&client, api, &id).await? else {
                continue;
            };
            if out.name() == Some(name) {
                return adopt(self, ctx, desired, &id, false).await;
            }
        }
        Ok(None)
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
            .api_id(parent_api(state)?)
            .authorizer_id(id)
            .authorizer_type(authorizer_type(desired)?)
            .name(attrs::required_string(desired, "name")?)
            .set_identity_source(Some(attrs::string_list(desired, "identity_sources")?))
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
        let api = parent_api(state)?;
        let deleted = client.delete_authorizer().api_id(api).authorizer_id(id).send().await;
        if found("DeleteAuthorizer", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("authorizer {id} to be deleted"),
            ctx.env.component_timeout,
            || find(&client, api, id),
        )
        .await
    }
}
