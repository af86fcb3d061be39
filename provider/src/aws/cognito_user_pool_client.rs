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

use super::attrs;
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, state_id};

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
        let flows = attrs::string_list(desired, "explicit_auth_flows")?;
        Ok(Settings {
            name: attrs::required_string(desired, "name")?.to_string(),
            // Not sent when empty, as in `hashicorp/aws`: Cognito then picks its default flows.
            explicit_auth_flows: (!flows.is_empty())
                .then(|| flows.iter().map(|f| ExplicitAuthFlowsType::from(f.as_str())).collect()),
            prevent_user_existence_errors: attrs::string(desired, "prevent_user_existence_errors")?
                .map(PreventUserExistenceErrorTypes::from),
            access_token_validity: attrs::int32(desired, "access_token_validity")?,
            id_token_validity: attrs::int32(desired, "id_token_validity")?,
            refresh_token_validity: attrs::int32(desired, "refresh_token_validity")?,
        })
    }
}

/// The client, `None` when it (or its pool) does not exist.
async fn find_client(client: &Client, pool: &str, id: &str) -> Result<Option<UserPoolClientType>, DriverError> {
    let out = client
        .describe_user_pool_client()
        .user_pool_id(pool)
        .client_id(id)
        .send()
        .await;
    Ok(found("DescribeUserPoolClient", NOT_FOUND, out)?.and_then(|out| out.user_pool_client))
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
        attrs::string_set(c.explicit_auth_flows().iter().map(ExplicitAuthFlowsType::as_str)),
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
        let pool = attrs::required_string(desired, "user_pool_id")?;
        let s = Settings::from_desired(desired)?;
        let created = client
            .create_user_pool_client()
            .user_pool_id(pool)
            .client_name(&s.name)
            .set_generate_secret(attrs::boolean(desired, "generate_secret")?)
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

        let mut state = desired.clone();
        state.insert("id".into(), json!(id));
        let visible = wait::until(
            &format!("Cognito user pool client {id} to be visible"),
            ctx.env.component_timeout,
            || find_client(&client, pool, id),
        )
        .await
        .after_create(&state)?;
        client_state(&visible).after_create(&state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        match find_client(&client(ctx), pool_of(state)?, state_id(state)?).await? {
            Some(c) => client_state(&c).map(Some),
            None => Ok(None),
        }
    }

    /// ListUserPoolClients of the (already adopted) pool, by name: clients carry no tags.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let name = attrs::required_string(desired, "name")?;
        let mut token = None;
        loop {
            let page = client
                .list_user_pool_clients()
                .user_pool_id(pool_of(desired)?)
                .max_results(60)
                .set_next_token(token)
                .send()
                .await;
            let Some(page) = found("ListUserPoolClients", NOT_FOUND, page)? else {
                return Ok(None);
            };
            let mine = page.user_pool_clients().iter().find(|c| c.client_name() == Some(name));
            if let Some(id) = mine.and_then(|c| c.client_id()) {
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
        let deleted = client
            .delete_user_pool_client()
            .user_pool_id(pool)
            .client_id(id)
            .send()
            .await;
        if found("DeleteUserPoolClient", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("Cognito user pool client {id} to be deleted"),
            ctx.env.component_timeout,
            || find_client(&client, pool, id),
        )
        .await
    }
}
