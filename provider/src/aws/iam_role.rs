//! `aws_iam_role`: an IAM role with its trust policy, description and tags.
//!
//! IAM is global (any region's endpoint works) and eventually consistent: a new role is
//! awaited with `GetRole` before it is reported usable, and a deleted one until `GetRole`
//! says `NoSuchEntity`. Deleting first removes inline policies, detaches managed policies and
//! takes the role out of instance profiles, which IAM requires.

use async_trait::async_trait;
use aws_sdk_iam::Client;
use aws_sdk_iam::types::{Role, Tag};
use serde_json::{Map, Value};

use super::attrs;
use super::policy_json;
use super::tags::{self, Tags};
use super::wait;
use super::{
    AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, build_error, found, has_code, state_id,
};

/// The driver for `aws_iam_role`.
pub struct IamRole;

const NOT_FOUND: &[&str] = &["NoSuchEntity"];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("iam"))
}

/// The role named `name`, `None` when IAM does not know it.
async fn find_role(client: &Client, name: &str) -> Result<Option<Role>, DriverError> {
    let out = client.get_role().role_name(name).send().await;
    Ok(found("GetRole", NOT_FOUND, out)?.and_then(|out| out.role))
}

fn iam_tags(tags: &Tags) -> Result<Vec<Tag>, DriverError> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build().map_err(build_error("tag")))
        .collect()
}

fn role_tags(role: &Role) -> Tags {
    role.tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

/// The state of `role`; `prior` supplies which tags the component configured.
fn role_state(ctx: &ChildCtx<'_>, prior: &Map<String, Value>, role: &Role) -> Result<ChildState, DriverError> {
    let policy = match role.assume_role_policy_document() {
        Some(doc) => Value::String(policy_json::from_iam(doc)?),
        None => Value::Null,
    };
    let mut state = Map::new();
    state.insert("id".into(), Value::String(role.role_name().to_string()));
    state.insert("arn".into(), Value::String(role.arn().to_string()));
    state.insert("name".into(), Value::String(role.role_name().to_string()));
    state.insert("unique_id".into(), Value::String(role.role_id().to_string()));
    state.insert("assume_role_policy".into(), policy);
    state.insert(
        "description".into(),
        Value::String(role.description().unwrap_or_default().to_string()),
    );
    tags::put_read_state(ctx, &mut state, prior, &role_tags(role))?;
    Ok(state)
}

/// Removes every inline policy, managed-policy attachment and instance-profile membership,
/// which IAM insists on before `DeleteRole`. `false` when the role is already gone.
async fn detach_everything(client: &Client, name: &str) -> Result<bool, DriverError> {
    let inline = client
        .list_role_policies()
        .role_name(name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let Some(inline) = found("ListRolePolicies", NOT_FOUND, inline)? else {
        return Ok(false);
    };
    // Each removal tolerates NoSuchEntity: something else may detach concurrently.
    for policy in inline {
        let deleted = client
            .delete_role_policy()
            .role_name(name)
            .policy_name(&policy)
            .send()
            .await;
        found("DeleteRolePolicy", NOT_FOUND, deleted)?;
    }

    let attached = client
        .list_attached_role_policies()
        .role_name(name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| aws_error("ListAttachedRolePolicies", e))?;
    for policy in attached {
        let Some(arn) = policy.policy_arn() else { continue };
        let detached = client.detach_role_policy().role_name(name).policy_arn(arn).send().await;
        found("DetachRolePolicy", NOT_FOUND, detached)?;
    }

    let profiles = client
        .list_instance_profiles_for_role()
        .role_name(name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| aws_error("ListInstanceProfilesForRole", e))?;
    for profile in profiles {
        let removed = client
            .remove_role_from_instance_profile()
            .role_name(name)
            .instance_profile_name(profile.instance_profile_name())
            .send()
            .await;
        found("RemoveRoleFromInstanceProfile", NOT_FOUND, removed)?;
    }
    Ok(true)
}

/// A failed deletion attempt; `conflict` when IAM still sees something attached.
struct DeleteAttempt {
    conflict: bool,
    error: DriverError,
}

impl DeleteAttempt {
    fn failed(error: DriverError) -> Self {
        DeleteAttempt { conflict: false, error }
    }
}

#[async_trait]
impl Driver for IamRole {
    fn resource_type(&self) -> &'static str {
        "aws_iam_role"
    }

    fn service(&self) -> &'static str {
        "iam"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["name"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let name = attrs::required_string(desired, "name")?;
        let policy = attrs::required_string(desired, "assume_role_policy")?;
        // Reject a malformed document here, with the attribute's name, not as an IAM error.
        policy_json::canonical(policy).map_err(|e| DriverError::new(format!("assume_role_policy: {e}")))?;
        let all_tags = tags::wanted(ctx, desired)?;

        client
            .create_role()
            .role_name(name)
            .assume_role_policy_document(policy)
            .set_description(attrs::owned_string(desired, "description")?)
            .set_tags(Some(iam_tags(&all_tags)?))
            .send()
            .await
            .map_err(|e| aws_error("CreateRole", e))?;

        let mut created = desired.clone();
        created.insert("id".into(), Value::String(name.to_string()));
        tags::put_applied(&mut created, desired, &all_tags)?;
        let role = wait::until(
            &format!("IAM role {name} to be visible"),
            ctx.env.component_timeout,
            || find_role(&client, name),
        )
        .await
        .after_create(&created)?;
        role_state(ctx, desired, &role).after_create(&created)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        match find_role(&client, state_id(state)?).await? {
            Some(role) => role_state(ctx, state, &role).map(Some),
            None => Ok(None),
        }
    }

    /// The role of this name (GetRole, as `read`), if tagged for this composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<Option<ChildState>, DriverError> {
        adopt(self, ctx, desired, attrs::required_string(desired, "name")?, true).await
    }

    async fn update(
        &self,
        ctx: &ChildCtx<'_>,
        state: &ChildState,
        desired: &Map<String, Value>,
    ) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        let role = find_role(&client, name)
            .await?
            .ok_or_else(|| DriverError::new(format!("IAM role {name} no longer exists")))?;

        let policy = attrs::required_string(desired, "assume_role_policy")?;
        let wanted_policy =
            policy_json::canonical(policy).map_err(|e| DriverError::new(format!("assume_role_policy: {e}")))?;
        let current_policy = role
            .assume_role_policy_document()
            .map(policy_json::from_iam)
            .transpose()?;
        if current_policy.as_deref() != Some(wanted_policy.as_str()) {
            client
                .update_assume_role_policy()
                .role_name(name)
                .policy_document(policy)
                .send()
                .await
                .map_err(|e| aws_error("UpdateAssumeRolePolicy", e))?;
        }

        let description = attrs::string(desired, "description")?.unwrap_or_default();
        if role.description().unwrap_or_default() != description {
            client
                .update_role()
                .role_name(name)
                .description(description)
                .send()
                .await
                .map_err(|e| aws_error("UpdateRole", e))?;
        }

        let client = &client;
        tags::sync(
            &role_tags(&role),
            &tags::wanted(ctx, desired)?,
            |keys| async move {
                client
                    .untag_role()
                    .role_name(name)
                    .set_tag_keys(Some(keys))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| aws_error("UntagRole", e))
            },
            |set| async move {
                client
                    .tag_role()
                    .role_name(name)
                    .set_tags(Some(iam_tags(&set)?))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| aws_error("TagRole", e))
            },
        )
        .await?;

        let role = find_role(client, name)
            .await?
            .ok_or_else(|| DriverError::new(format!("IAM role {name} vanished during update")))?;
        role_state(ctx, desired, &role)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        let timeout = ctx.env.component_timeout;
        // A policy attached concurrently (drift, another tool) makes DeleteRole fail with
        // DeleteConflict: detach again and retry within the timeout.
        wait::retry_while(
            timeout,
            |attempt: &DeleteAttempt| attempt.conflict,
            || {
                let client = &client;
                async move {
                    if !detach_everything(client, name).await.map_err(DeleteAttempt::failed)? {
                        return Ok(());
                    }
                    match client.delete_role().role_name(name).send().await {
                        Ok(_) => Ok(()),
                        Err(e) if has_code(&e, NOT_FOUND) => Ok(()),
                        Err(e) => Err(DeleteAttempt {
                            conflict: has_code(&e, &["DeleteConflict"]),
                            error: aws_error("DeleteRole", e),
                        }),
                    }
                }
            },
        )
        .await
        .map_err(|attempt| attempt.error)?;
        wait::until_gone(&format!("IAM role {name} to be deleted"), timeout, || {
            find_role(&client, name)
        })
        .await
    }
}
