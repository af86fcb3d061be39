//! `aws_cognito_user_pool`: a Cognito user pool with its password policy, MFA setting,
//! auto-verified attributes and tags.
//!
//! As in `hashicorp/aws`, MFA is set with `SetUserPoolMfaConfig` after the pool exists and
//! read back with `GetUserPoolMfaConfig`. `UpdateUserPool` resets every setting it is not
//! given to its default, so an update always sends all managed settings (MFA and tags
//! included). Tags are written through `UserPoolTags`, which both AWS and moto honour;
//! `UntagResource` is only called for keys that survive that.

use async_trait::async_trait;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
use aws_sdk_cognitoidentityprovider::types::{
    PasswordPolicyType, SoftwareTokenMfaConfigType, UserPoolMfaType, UserPoolPolicyType, UserPoolType,
    VerifiedAttributeType,
};
use serde_json::{Map, Value, json};

use super::attrs;
use super::tags;
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, arn, aws_error, found, state_id};

/// The driver for `aws_cognito_user_pool`.
pub struct CognitoUserPool;

const NOT_FOUND: &[&str] = &["ResourceNotFoundException"];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("cognitoidp"))
}

/// The managed settings of `desired`.
struct Settings {
    password_policy: Option<PasswordPolicyType>,
    mfa: Option<String>,
    /// `software_token_mfa_configuration [{enabled}]`: not in the blueprint's list, but AWS
    /// needs an MFA method before `mfa_configuration` can be ON or OPTIONAL.
    software_token: Option<bool>,
    auto_verified: Vec<VerifiedAttributeType>,
}

impl Settings {
    fn from_desired(desired: &Map<String, Value>) -> Result<Settings, DriverError> {
        let password_policy = match attrs::block(desired, "password_policy")? {
            Some(p) => Some(
                PasswordPolicyType::builder()
                    .set_minimum_length(attrs::int32(p, "minimum_length")?)
                    .set_require_lowercase(attrs::boolean(p, "require_lowercase")?)
                    .set_require_numbers(attrs::boolean(p, "require_numbers")?)
                    .set_require_symbols(attrs::boolean(p, "require_symbols")?)
                    .set_require_uppercase(attrs::boolean(p, "require_uppercase")?)
                    .set_temporary_password_validity_days(attrs::int32(p, "temporary_password_validity_days")?)
                    .build(),
            ),
            None => None,
        };
        let software_token = match attrs::block(desired, "software_token_mfa_configuration")? {
            Some(b) => attrs::boolean(b, "enabled")?,
            None => None,
        };
        Ok(Settings {
            password_policy,
            mfa: attrs::owned_string(desired, "mfa_configuration")?,
            software_token,
            auto_verified: attrs::string_list(desired, "auto_verified_attributes")?
                .iter()
                .map(|a| VerifiedAttributeType::from(a.as_str()))
                .collect(),
        })
    }

    fn policies(&self) -> Option<UserPoolPolicyType> {
        self.password_policy
            .clone()
            .map(|p| UserPoolPolicyType::builder().password_policy(p).build())
    }

    /// `None` when none are configured, as `hashicorp/aws` sends it.
    fn auto_verified(&self) -> Option<Vec<VerifiedAttributeType>> {
        (!self.auto_verified.is_empty()).then(|| self.auto_verified.clone())
    }

    fn software_token_config(&self) -> Option<SoftwareTokenMfaConfigType> {
        self.software_token
            .map(|enabled| SoftwareTokenMfaConfigType::builder().enabled(enabled).build())
    }
}

/// The pool and its MFA configuration, `None` when the pool does not exist.
async fn find_pool(
    client: &Client,
    id: &str,
) -> Result<Option<(UserPoolType, GetUserPoolMfaConfigOutput)>, DriverError> {
    let pool = client.describe_user_pool().user_pool_id(id).send().await;
    let Some(pool) = found("DescribeUserPool", NOT_FOUND, pool)?.and_then(|out| out.user_pool) else {
        return Ok(None);
    };
    let mfa = client.get_user_pool_mfa_config().user_pool_id(id).send().await;
    Ok(found("GetUserPoolMfaConfig", NOT_FOUND, mfa)?.map(|mfa| (pool, mfa)))
}

fn pool_state(
    ctx: &ChildCtx<'_>,
    prior: &Map<String, Value>,
    pool: &UserPoolType,
    mfa: &GetUserPoolMfaConfigOutput,
) -> Result<ChildState, DriverError> {
    let id = pool
        .id()
        .ok_or_else(|| DriverError::new("DescribeUserPool: the answer has no pool id"))?;
    let password_policy = match pool.policies().and_then(|p| p.password_policy()) {
        Some(p) => json!([{
            "minimum_length": p.minimum_length(),
            "require_lowercase": p.require_lowercase(),
            "require_numbers": p.require_numbers(),
            "require_symbols": p.require_symbols(),
            "require_uppercase": p.require_uppercase(),
            "temporary_password_validity_days": p.temporary_password_validity_days(),
        }]),
        None => json!([]),
    };
    let software_token = match mfa.software_token_mfa_configuration() {
        Some(t) => json!([{ "enabled": t.enabled() }]),
        None => json!([]),
    };
    let mut state = Map::new();
    state.insert("id".into(), json!(id));
    state.insert("arn".into(), json!(pool.arn()));
    state.insert("endpoint".into(), json!(endpoint(ctx, id)?));
    state.insert("name".into(), json!(pool.name()));
    state.insert("password_policy".into(), password_policy);
    state.insert(
        "mfa_configuration".into(),
        json!(mfa.mfa_configuration().map_or("OFF", UserPoolMfaType::as_str)),
    );
    state.insert("software_token_mfa_configuration".into(), software_token);
    state.insert(
        "auto_verified_attributes".into(),
        attrs::string_set(
            pool.auto_verified_attributes()
                .iter()
                .map(VerifiedAttributeType::as_str),
        ),
    );
    tags::put_read_state(ctx, &mut state, prior, &tags::from_map(pool.user_pool_tags()))?;
    Ok(state)
}

/// `cognito-idp.<region>.amazonaws.com/<id>`: the issuer of the pool's tokens.
fn endpoint(ctx: &ChildCtx<'_>, id: &str) -> Result<String, DriverError> {
    let region = arn::region(ctx)?;
    Ok(format!(
        "cognito-idp.{region}.{}/{id}",
        arn::dns_suffix(arn::partition(&region))
    ))
}

async fn current_state(
    ctx: &ChildCtx<'_>,
    client: &Client,
    id: &str,
    prior: &Map<String, Value>,
) -> Result<ChildState, DriverError> {
    let (pool, mfa) = find_pool(client, id)
        .await?
        .ok_or_else(|| DriverError::new(format!("Cognito user pool {id} vanished")))?;
    pool_state(ctx, prior, &pool, &mfa)
}

async fn set_mfa(client: &Client, id: &str, mfa: &str, settings: &Settings) -> Result<(), DriverError> {
    client
        .set_user_pool_mfa_config()
        .user_pool_id(id)
        .mfa_configuration(UserPoolMfaType::from(mfa))
        .set_software_token_mfa_configuration(settings.software_token_config())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| aws_error("SetUserPoolMfaConfig", e))
}

#[async_trait]
impl Driver for CognitoUserPool {
    fn resource_type(&self) -> &'static str {
        "aws_cognito_user_pool"
    }

    fn service(&self) -> &'static str {
        "cognitoidp"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["name"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let name = attrs::required_string(desired, "name")?;
        let settings = Settings::from_desired(desired)?;
        let all_tags = tags::wanted(ctx, desired)?;
        let created = client
            .create_user_pool()
            .pool_name(name)
            .set_policies(settings.policies())
            .set_auto_verified_attributes(settings.auto_verified())
            .set_user_pool_tags(Some(all_tags.clone().into_iter().collect()))
            .send()
            .await
            .map_err(|e| aws_error("CreateUserPool", e))?;
        let id = created
            .user_pool()
            .and_then(UserPoolType::id)
            .ok_or_else(|| DriverError::new("CreateUserPool: the answer has no pool id"))?;

        let mut state = desired.clone();
        state.insert("id".into(), json!(id));
        tags::put_applied(&mut state, desired, &all_tags)?;
        if let Some(mfa) = settings.mfa.as_deref().filter(|m| *m != "OFF") {
            set_mfa(&client, id, mfa, &settings).await.after_create(&state)?;
        }
        wait::until(
            &format!("Cognito user pool {id} to be visible"),
            ctx.env.component_timeout,
            || find_pool(&client, id),
        )
        .await
        .after_create(&state)?;
        current_state(ctx, &client, id, desired).await.after_create(&state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        match find_pool(&client, state_id(state)?).await? {
            Some((pool, mfa)) => pool_state(ctx, state, &pool, &mfa).map(Some),
            None => Ok(None),
        }
    }

    /// ListUserPools, by name (not unique), then the first pool tagged for this composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let name = attrs::required_string(desired, "name")?;
        let mut token = None;
        loop {
            let page = client
                .list_user_pools()
                .max_results(60)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| aws_error("ListUserPools", e))?;
            for id in page
                .user_pools()
                .iter()
                .filter(|p| p.name() == Some(name))
                .filter_map(|p| p.id())
            {
                if let Some(state) = adopt(self, ctx, desired, id, true).await? {
                    return Ok(Some(state));
                }
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
        let settings = Settings::from_desired(desired)?;
        let (pool, mfa_now) = find_pool(&client, id)
            .await?
            .ok_or_else(|| DriverError::new(format!("Cognito user pool {id} no longer exists")))?;

        let current_mfa = mfa_now.mfa_configuration().map_or("OFF", UserPoolMfaType::as_str);
        let mfa = settings.mfa.as_deref().unwrap_or(current_mfa).to_string();
        let token_now = mfa_now.software_token_mfa_configuration().map(|t| t.enabled());
        let token_changed = settings.software_token.is_some() && settings.software_token != token_now;
        if mfa != current_mfa || token_changed {
            set_mfa(&client, id, &mfa, &settings).await?;
        }

        let wanted_tags = tags::wanted(ctx, desired)?;
        client
            .update_user_pool()
            .user_pool_id(id)
            .set_policies(settings.policies())
            .set_auto_verified_attributes(settings.auto_verified())
            .mfa_configuration(UserPoolMfaType::from(mfa.as_str()))
            .set_user_pool_tags(Some(wanted_tags.clone().into_iter().collect()))
            .send()
            .await
            .map_err(|e| aws_error("UpdateUserPool", e))?;

        // UserPoolTags adds and overwrites; tags that were there before may survive it.
        if tags::from_map(pool.user_pool_tags())
            .keys()
            .any(|k| !wanted_tags.contains_key(k))
        {
            let (pool, _) = find_pool(&client, id)
                .await?
                .ok_or_else(|| DriverError::new(format!("Cognito user pool {id} vanished during update")))?;
            let arn = pool
                .arn()
                .ok_or_else(|| DriverError::new("DescribeUserPool: the answer has no ARN"))?;
            let client = &client;
            tags::sync(
                &tags::from_map(pool.user_pool_tags()),
                &wanted_tags,
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
            .await?;
        }

        current_state(ctx, &client, id, desired).await
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        let deleted = client.delete_user_pool().user_pool_id(id).send().await;
        if found("DeleteUserPool", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("Cognito user pool {id} to be deleted"),
            ctx.env.component_timeout,
            || find_pool(&client, id),
        )
        .await
    }
}
