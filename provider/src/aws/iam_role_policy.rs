//! `aws_iam_role_policy`: an inline policy of an IAM role, id `role:name` as in
//! `hashicorp/aws`. `PutRolePolicy` both creates and replaces the document, so updates are
//! in place; a new name or role is a new resource.

use async_trait::async_trait;
use aws_sdk_iam::Client;
use serde_json::{Map, Value};

use crate::aws::bounded_wait::until;
use crate::aws::driver_attrs::req_str;
use crate::aws::policy_json;
use crate::aws::{ChildCtx, ChildState, Driver, DriverError, aws_error, has_code, state_id};

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
    match client.get_role_policy().role_name(role).policy_name(name).send().await {
        Ok(out) => policy_json::from_iam(out.policy_document()).map(Some),
        Err(e) if has_code(&e, NOT_FOUND) => Ok(None),
        Err(e) => Err(aws_error("GetRolePolicy", e)),
    }
}

fn policy_state(role: &str, name: &str, policy: String) -> ChildState {
    let mut state = Map::new();
    state.insert("id".into(), Value::String(format!("{role}:{name}")));
    state.insert("name".into(), Value::String(name.to_string()));
    state.insert("role".into(), Value::String(role.to_string()));
    state.insert("policy".into(), Value::String(policy));
    state
}

/// Puts the document and waits until IAM serves it back (IAM is eventually consistent).
async fn put(ctx: &ChildCtx<'_>, role: &str, name: &str, policy: &str) -> Result<ChildState, DriverError> {
    let client = client(ctx);
    let wanted = policy_json::canonical(policy).map_err(|e| DriverError::new(format!("policy: {e}")))?;
    client
        .put_role_policy()
        .role_name(role)
        .policy_name(name)
        .policy_document(policy)
        .send()
        .await
        .map_err(|e| aws_error("PutRolePolicy", e))?;
    let seen = until(
        &format!("inline policy {name} of role {role} to be visible"),
        ctx.env.component_timeout,
        || {
            let (client, wanted) = (&client, &wanted);
            async move { Ok(find_policy(client, role, name).await?.filter(|p| p == wanted)) }
        },
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
        put(
            ctx,
            req_str(desired, "role")?,
            req_str(desired, "name")?,
            req_str(desired, "policy")?,
        )
        .await
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let (role, name) = split_id(state_id(state)?)?;
        Ok(find_policy(&client(ctx), role, name)
            .await?
            .map(|policy| policy_state(role, name, policy)))
    }

    async fn update(
        &self,
        ctx: &ChildCtx<'_>,
        state: &ChildState,
        desired: &Map<String, Value>,
    ) -> Result<ChildState, DriverError> {
        let (role, name) = split_id(state_id(state)?)?;
        put(ctx, role, name, req_str(desired, "policy")?).await
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let (role, name) = split_id(state_id(state)?)?;
        match client
            .delete_role_policy()
            .role_name(role)
            .policy_name(name)
            .send()
            .await
        {
            Ok(_) => {}
            Err(e) if has_code(&e, NOT_FOUND) => return Ok(()),
            Err(e) => return Err(aws_error("DeleteRolePolicy", e)),
        }
        until(
            &format!("inline policy {name} of role {role} to be deleted"),
            ctx.env.component_timeout,
            || {
                let client = &client;
                async move { Ok(find_policy(client, role, name).await?.is_none().then_some(())) }
            },
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
