//! `aws_cognito_user_pool_client`: an app client of a Cognito user pool.
//!
//! `UpdateUserPoolClient` resets whatever it is not given, so an update sends every managed
//! attribute. Whether a secret exists cannot change in place (`generate_secret` forces a new
//! client); the secret itself is not kept in the state.

use async_trait::async_trait;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    ExplicitAuthFlowsType, PreventUserExistenceErrorTypes, UserPoolClientType,
};
use serde_json::{Map, Value, json};

use crate::aws::bounded_wait::until;
use crate::aws::driver_attrs::{opt_bool, opt_i32, opt_str, opt_str_list, req_str, string_set};
use crate::aws::{ChildCtx, ChildState, Driver, DriverError, aws_error, has_code, state_id};

/// The driver for `aws_cognito_user_pool_client`.
pub struct CognitoUserPoolClient;

const NOT_FOUND: &[&str] = &["ResourceNotFoundException"];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("cognitoidp"))
}

/// The attributes an update can change.
struct Settings {
    name: String,
    explicit_auth_flows: Option<Vec<ExplicitAuthFlowsType>>,
    prevent_user_existence_errors: Option<PreventUserExistenceErrorTypes>,
    access_token_validity: Option<i32>,
    id_token_validity: Option<i32>,
    refresh_token_validity: Option<i32>,
}

impl Settings {
    fn from_desired(desired: &Map<String, Value>) -> Result<Settings, DriverError> {
        Ok(Settings {
            name: req_str(desired, "name")?.to_string(),
            explicit_auth_flows: opt_str_list(desired, "explicit_auth_flows")?
                .map(|flows| flows.iter().map(|f| ExplicitAuthFlowsType::from(f.as_str())).collect()),
            prevent_user_existence_errors: opt_str(desired, "prevent_user_existence_errors")?
                .map(PreventUserExistenceErrorTypes::from),
            access_token_validity: opt_i32(desired, "access_token_validity")?,
            id_token_validity: opt_i32(desired, "id_token_validity")?,
            refresh_token_validity: opt_i32(desired, "refresh_token_validity")?,
        })
    }
}

/// The client, `None` when it (or its pool) does not exist.
async fn find_client(client: &Client, pool: &str, id: &str) -> Result<Option<UserPoolClientType>, DriverError> {
    match client
        .describe_user_pool_client()
        .user_pool_id(pool)
        .client_id(id)
        .send()
        .await
    {
        Ok(out) => Ok(out.user_pool_client),
        Err(e) if has_code(&e, NOT_FOUND) => Ok(None),
        Err(e) => Err(aws_error("DescribeUserPoolClient", e)),
    }
}

fn client_state(c: &UserPoolClientType) -> Result<ChildState, DriverError> {
    let id = c
        .client_id()
        .ok_or_else(|| DriverError::new("DescribeUserPoolClient: the answer has no client id"))?;
    let mut state = Map::new();
    state.insert("id".into(), json!(id));
    state.insert("name".into(), json!(c.client_name()));
    state.insert("user_pool_id".into(), json!(c.user_pool_id()));
    state.insert("generate_secret".into(), json!(c.client_secret().is_some()));
    state.insert(
        "explicit_auth_flows".into(),
        string_set(c.explicit_auth_flows().iter().map(ExplicitAuthFlowsType::as_str)),
    );
    state.insert(
        "prevent_user_existence_errors".into(),
        json!(
            c.prevent_user_existence_errors()
                .map(PreventUserExistenceErrorTypes::as_str)
        ),
    );
    // Unset validities read as 0, as in `hashicorp/aws`.
    state.insert(
        "access_token_validity".into(),
        json!(c.access_token_validity().unwrap_or(0)),
    );
    state.insert("id_token_validity".into(), json!(c.id_token_validity().unwrap_or(0)));
    state.insert("refresh_token_validity".into(), json!(c.refresh_token_validity()));
    Ok(state)
}

/// The pool id recorded in the state.
fn pool_of(state: &ChildState) -> Result<&str, DriverError> {
    state
        .get("user_pool_id")
        .and_then(Value::as_str)
        .ok_or_else(|| DriverError::new("user pool client state has no user_pool_id"))
}

#[async_trait]
impl Driver for CognitoUserPoolClient {
    fn resource_type(&self) -> &'static str {
        "aws_cognito_user_pool_client"
    }

    fn service(&self) -> &'static str {
        "cognitoidp"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["user_pool_id", "generate_secret"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let pool = req_str(desired, "user_pool_id")?;
        let s = Settings::from_desired(desired)?;
        let created = client
            .create_user_pool_client()
            .user_pool_id(pool)
            .client_name(&s.name)
            .set_generate_secret(opt_bool(desired, "generate_secret")?)
            .set_explicit_auth_flows(s.explicit_auth_flows)
            .set_prevent_user_existence_errors(s.prevent_user_existence_errors)
            .set_access_token_validity(s.access_token_validity)
            .set_id_token_validity(s.id_token_validity)
            .set_refresh_token_validity(s.refresh_token_validity)
            .send()
            .await
            .map_err(|e| aws_error("CreateUserPoolClient", e))?;
        let id = created
            .user_pool_client()
            .and_then(UserPoolClientType::client_id)
            .ok_or_else(|| DriverError::new("CreateUserPoolClient: the answer has no client id"))?;

        let found = until(
            &format!("Cognito user pool client {id} to be visible"),
            ctx.env.component_timeout,
            || {
                let client = &client;
                async move { find_client(client, pool, id).await }
            },
        )
        .await?;
        client_state(&found)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        match find_client(&client(ctx), pool_of(state)?, state_id(state)?).await? {
            Some(c) => client_state(&c).map(Some),
            None => Ok(None),
        }
    }

    async fn update(
        &self,
        ctx: &ChildCtx<'_>,
        state: &ChildState,
        desired: &Map<String, Value>,
    ) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let (pool, id) = (pool_of(state)?, state_id(state)?);
        let s = Settings::from_desired(desired)?;
        let updated = client
            .update_user_pool_client()
            .user_pool_id(pool)
            .client_id(id)
            .client_name(&s.name)
            .set_explicit_auth_flows(s.explicit_auth_flows)
            .set_prevent_user_existence_errors(s.prevent_user_existence_errors)
            .set_access_token_validity(s.access_token_validity)
            .set_id_token_validity(s.id_token_validity)
            .set_refresh_token_validity(s.refresh_token_validity)
            .send()
            .await
            .map_err(|e| aws_error("UpdateUserPoolClient", e))?;
        match updated.user_pool_client() {
            Some(c) => client_state(c),
            None => match find_client(&client, pool, id).await? {
                Some(c) => client_state(&c),
                None => Err(DriverError::new(format!("Cognito user pool client {id} vanished"))),
            },
        }
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let (pool, id) = (pool_of(state)?, state_id(state)?);
        match client
            .delete_user_pool_client()
            .user_pool_id(pool)
            .client_id(id)
            .send()
            .await
        {
            Ok(_) => {}
            Err(e) if has_code(&e, NOT_FOUND) => return Ok(()),
            Err(e) => return Err(aws_error("DeleteUserPoolClient", e)),
        }
        until(
            &format!("Cognito user pool client {id} to be deleted"),
            ctx.env.component_timeout,
            || {
                let client = &client;
                async move { Ok(find_client(client, pool, id).await?.is_none().then_some(())) }
            },
        )
        .await
    }
}
