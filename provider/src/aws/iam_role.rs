//! `aws_iam_role`: an IAM role with its trust policy, description and tags.
//!
//! IAM is global (any region's endpoint works) and eventually consistent: a new role is
//! awaited with `GetRole` before it is reported usable, and a deleted one until `GetRole`
//! says `NoSuchEntity`. Deleting first removes inline policies, detaches managed policies and
//! takes the role out of instance profiles, which IAM requires.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_iam::Client;
use aws_sdk_iam::types::{Role, Tag};
use serde_json::{Map, Value};

use crate::aws::bounded_wait::{retry_while, until};
use crate::aws::driver_attrs::{opt_str, req_str, tag_changes, tags_all, tags_state};
use crate::aws::policy_json;
use crate::aws::{ChildCtx, ChildState, Driver, DriverError, aws_error, has_code, state_id};

/// The driver for `aws_iam_role`.
pub struct IamRole;

const NOT_FOUND: &[&str] = &["NoSuchEntity"];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("iam"))
}

/// The role named `name`, `None` when IAM does not know it.
async fn find_role(client: &Client, name: &str) -> Result<Option<Role>, DriverError> {
    match client.get_role().role_name(name).send().await {
        Ok(out) => Ok(out.role),
        Err(e) if has_code(&e, NOT_FOUND) => Ok(None),
        Err(e) => Err(aws_error("GetRole", e)),
    }
}

fn iam_tags(tags: &HashMap<String, String>) -> Result<Vec<Tag>, DriverError> {
    let mut keys: Vec<&String> = tags.keys().collect();
    keys.sort();
    keys.into_iter()
        .map(|k| {
            Tag::builder()
                .key(k)
                .value(tags.get(k).map(String::as_str).unwrap_or_default())
                .build()
                .map_err(|e| DriverError::new(format!("tag {k}: {e}")))
        })
        .collect()
}

fn role_tags(role: &Role) -> HashMap<String, String> {
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
    let (tags, tags_all) = tags_state(ctx, prior, &role_tags(role));
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
    state.insert("tags".into(), tags);
    state.insert("tags_all".into(), tags_all);
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
    let inline = match inline {
        Ok(names) => names,
        Err(e) if has_code(&e, NOT_FOUND) => return Ok(false),
        Err(e) => return Err(aws_error("ListRolePolicies", e)),
    };
    for policy in inline {
        match client
            .delete_role_policy()
            .role_name(name)
            .policy_name(&policy)
            .send()
            .await
        {
            Ok(_) => {}
            Err(e) if has_code(&e, NOT_FOUND) => {}
            Err(e) => return Err(aws_error("DeleteRolePolicy", e)),
        }
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
        match client.detach_role_policy().role_name(name).policy_arn(arn).send().await {
            Ok(_) => {}
            Err(e) if has_code(&e, NOT_FOUND) => {}
            Err(e) => return Err(aws_error("DetachRolePolicy", e)),
        }
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
        match client
            .remove_role_from_instance_profile()
            .role_name(name)
            .instance_profile_name(profile.instance_profile_name())
            .send()
            .await
        {
            Ok(_) => {}
            Err(e) if has_code(&e, NOT_FOUND) => {}
            Err(e) => return Err(aws_error("RemoveRoleFromInstanceProfile", e)),
        }
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
        let name = req_str(desired, "name")?;
        let policy = req_str(desired, "assume_role_policy")?;
        // Reject a malformed document here, with the attribute's name, not as an IAM error.
        policy_json::canonical(policy).map_err(|e| DriverError::new(format!("assume_role_policy: {e}")))?;
        let tags = iam_tags(&tags_all(ctx, desired)?)?;

        client
            .create_role()
            .role_name(name)
            .assume_role_policy_document(policy)
            .set_description(opt_str(desired, "description")?.map(str::to_string))
            .set_tags(Some(tags))
            .send()
            .await
            .map_err(|e| aws_error("CreateRole", e))?;

        let role = until(
            &format!("IAM role {name} to be visible"),
            ctx.env.component_timeout,
            || {
                let client = &client;
                async move { find_role(client, name).await }
            },
        )
        .await?;
        role_state(ctx, desired, &role)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        match find_role(&client, state_id(state)?).await? {
            Some(role) => role_state(ctx, state, &role).map(Some),
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
        let name = state_id(state)?;
        let role = find_role(&client, name)
            .await?
            .ok_or_else(|| DriverError::new(format!("IAM role {name} no longer exists")))?;

        let policy = req_str(desired, "assume_role_policy")?;
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

        let description = opt_str(desired, "description")?.unwrap_or_default();
        if role.description().unwrap_or_default() != description {
            client
                .update_role()
                .role_name(name)
                .description(description)
                .send()
                .await
                .map_err(|e| aws_error("UpdateRole", e))?;
        }

        let (set, remove) = tag_changes(&role_tags(&role), &tags_all(ctx, desired)?);
        if !remove.is_empty() {
            client
                .untag_role()
                .role_name(name)
                .set_tag_keys(Some(remove))
                .send()
                .await
                .map_err(|e| aws_error("UntagRole", e))?;
        }
        if !set.is_empty() {
            client
                .tag_role()
                .role_name(name)
                .set_tags(Some(iam_tags(&set)?))
                .send()
                .await
                .map_err(|e| aws_error("TagRole", e))?;
        }

        let role = find_role(&client, name)
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
        retry_while(
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
        until(&format!("IAM role {name} to be deleted"), timeout, || {
            let client = &client;
            async move { Ok(find_role(client, name).await?.is_none().then_some(())) }
        })
        .await
    }
}
