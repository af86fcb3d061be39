//! `aws_iam_role_policy`: an inline policy of an IAM role, id `role:name` as in
//! `hashicorp/aws`. `PutRolePolicy` both creates and replaces the document, so updates are
//! in place; a new name or role is a new resource.

use async_trait::async_trait;
use aws_sdk_iam::Client;
use serde_json::{Map, Value};

use super::attrs;
use super::policy_json;
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, state_id};

/// The driver for `aws_iam_role_policy`.
pub struct IamRolePolicy;

const NOT_FOUND: &[&str] = &["NoSuchEntity"];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("iam"))
}

/// `(role, policy name)` from an id `role:name` (IAM names cannot contain `:`).
fn split_id(id: &str) -> Result<(&str, &str), DriverError> {
    id.split_once(':')
        .filter(|(role, name)| !role.is_empty() && !name.is_empty())
        .ok_or_else(|| DriverError::new(format!("role policy id {id:?} is not `role:name`")))
}

/// The canonical policy document, `None` when the role or the policy is gone.
async fn find_policy(client: &Client, role: &str, name: &str) -> Result<Option<String>, DriverError> {
    let out = client.get_role_policy().role_name(role).policy_name(name).send().await;
    found("GetRolePolicy", NOT_FOUND, out)?
        .map(|out| policy_json::from_iam(out.policy_document()))
        .transpose()
}

fn policy_state(role: &str, name: &str, policy: String) -> ChildState {
    let mut state = Map::new();
    state.insert("id".into(), Value::String(format!("{role}:{name}")));
    state.insert("name".into(), Value::String(name.to_string()));
    state.insert("role".into(), Value::String(role.to_string()));
    state.insert("policy".into(), Value::String(policy));
    state
}

/// Puts the document; its canonical form, to wait for.
async fn put(client: &Client, role: &str, name: &str, policy: &str) -> Result<String, DriverError> {
    let wanted = policy_json::canonical(policy).map_err(|e| DriverError::new(format!("policy: {e}")))?;
    client
        .put_role_policy()
        .role_name(role)
        .policy_name(name)
        .policy_document(policy)
        .send()
        .await
        .map_err(|e| aws_error("PutRolePolicy", e))?;
    Ok(wanted)
}

/// Waits until IAM serves the `wanted` document back (IAM is eventually consistent).
async fn wait_visible(
    ctx: &ChildCtx<'_>,
    client: &Client,
    role: &str,
    name: &str,
    wanted: &str,
) -> Result<ChildState, DriverError> {
    let seen = wait::until(
        &format!("inline policy {name} of role {role} to be visible"),
        ctx.env.component_timeout,
        || async { Ok(find_policy(client, role, name).await?.filter(|p| p == wanted)) },
    )
    .await?;
    Ok(policy_state(role, name, seen))
}

#[async_trait]
impl Driver for IamRolePolicy {
    fn resource_type(&self) -> &'static str {
        "aws_iam_role_policy"
    }

    fn service(&self) -> &'static str {
        "iam"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["name", "role"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let role = attrs::required_string(desired, "role")?;
        let name = attrs::required_string(desired, "name")?;
        let wanted = put(&client, role, name, attrs::required_string(desired, "policy")?).await?;
        wait_visible(ctx, &client, role, name, &wanted)
            .await
            .after_create(&policy_state(role, name, wanted.clone()))
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let (role, name) = split_id(state_id(state)?)?;
        Ok(find_policy(&client(ctx), role, name)
            .await?
            .map(|policy| policy_state(role, name, policy)))
    }

    /// The inline policy of this name on the (already adopted) role (GetRolePolicy, as
    /// `read`): inline policies carry no tags.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<Option<ChildState>, DriverError> {
        let role = attrs::required_string(desired, "role")?;
        let name = attrs::required_string(desired, "name")?;
        adopt(self, ctx, desired, &format!("{role}:{name}"), false).await
    }

    async fn update(
        &self,
        ctx: &ChildCtx<'_>,
        state: &ChildState,
        desired: &Map<String, Value>,
    ) -> Result<ChildState, DriverError> {
        let (role, name) = split_id(state_id(state)?)?;
        let client = client(ctx);
        let wanted = put(&client, role, name, attrs::required_string(desired, "policy")?).await?;
        wait_visible(ctx, &client, role, name, &wanted).await
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let (role, name) = split_id(state_id(state)?)?;
        let deleted = client
            .delete_role_policy()
            .role_name(role)
            .policy_name(name)
            .send()
            .await;
        if found("DeleteRolePolicy", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("inline policy {name} of role {role} to be deleted"),
            ctx.env.component_timeout,
            || find_policy(&client, role, name),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_role_colon_name() {
        assert_eq!(split_id("api-role:sqs-send").ok(), Some(("api-role", "sqs-send")));
        assert!(split_id("no-colon").is_err());
        assert!(split_id(":name").is_err());
    }
}
