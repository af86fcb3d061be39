//! `aws_kms_alias`: CreateAlias / ListAliases / UpdateAlias / DeleteAlias.
//!
//! An alias is a name (`alias/...`) pointing at one key of its region; it moves to another
//! key in place. Aliases cannot be tagged, so `find` adopts the alias of the desired name
//! only when it already points at the desired key.

use async_trait::async_trait;
use aws_sdk_kms::Client;
use aws_sdk_kms::types::AliasListEntry;
use serde_json::Value;

use super::attrs::{self, Attrs};
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, state_id};

pub struct KmsAlias;

const NOT_FOUND: &[&str] = &["NotFoundException"];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("kms"))
}

/// The alias name, checked: KMS wants `alias/` first and keeps `alias/aws/` for AWS managed keys.
fn wanted_name(desired: &Attrs) -> Result<&str, DriverError> {
    let name = attrs::required_string(desired, "name")?;
    if !name.starts_with("alias/") || name.starts_with("alias/aws/") {
        return Err(DriverError::new(format!(
            "attribute `name`: must start with alias/ (and not alias/aws/), got {name}"
        )));
    }
    Ok(name)
}

/// The key id in a key ARN (`arn:aws:kms:<region>:<account>:key/<id>`); a key id as it is.
fn key_id_of(target: &str) -> &str {
    match target.rsplit_once(":key/") {
        Some((_, id)) => id,
        None => target,
    }
}

/// The ARN of the key an alias points at, from the alias's ARN (same region and account).
fn target_key_arn(alias_arn: &str, key_id: &str) -> Option<String> {
    alias_arn
        .split_once(":alias/")
        .map(|(prefix, _)| format!("{prefix}:key/{key_id}"))
}

/// ListAliases, every page, for the alias `name`; `None` when there is none.
async fn find_alias(client: &Client, name: &str) -> Result<Option<AliasListEntry>, DriverError> {
    let mut marker = None;
    loop {
        let page = client
            .list_aliases()
            .set_marker(marker)
            .send()
            .await
            .map_err(|e| aws_error("ListAliases", e))?;
        if let Some(alias) = page.aliases().iter().find(|a| a.alias_name() == Some(name)) {
            return Ok(Some(alias.clone()));
        }
        marker = page.next_marker().map(str::to_string);
        if !page.truncated() || marker.is_none() {
            return Ok(None);
        }
    }
}

/// Waits until the alias `name` points at `key_id`.
async fn wait_target(
    ctx: &ChildCtx<'_>,
    client: &Client,
    name: &str,
    key_id: &str,
) -> Result<AliasListEntry, DriverError> {
    wait::until(
        &format!("KMS alias {name} to point at key {key_id}"),
        ctx.env.component_timeout,
        || async {
            Ok(find_alias(client, name)
                .await?
                .filter(|a| a.target_key_id() == Some(key_id)))
        },
    )
    .await
}

/// The state of `alias`; `prior` keeps its spelling of `target_key_id` (an id or an ARN)
/// while it names the same key.
fn alias_state(prior: &Attrs, name: &str, alias: &AliasListEntry) -> ChildState {
    let mut state = prior.clone();
    let key_id = alias.target_key_id().unwrap_or_default();
    state.insert("id".into(), attrs::text(name));
    state.insert("name".into(), attrs::text(name));
    state.insert("arn".into(), attrs::opt_text(alias.alias_arn()));
    let target = match prior.get("target_key_id").and_then(Value::as_str) {
        Some(p) if key_id_of(p) == key_id => p.to_string(),
        _ => key_id.to_string(),
    };
    state.insert("target_key_id".into(), Value::String(target));
    let arn = alias.alias_arn().and_then(|a| target_key_arn(a, key_id));
    state.insert("target_key_arn".into(), attrs::opt_text(arn.as_deref()));
    state
}

#[async_trait]
impl Driver for KmsAlias {
    fn resource_type(&self) -> &'static str {
        "aws_kms_alias"
    }

    fn service(&self) -> &'static str {
        "kms"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["name"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let name = wanted_name(desired)?;
        let target = attrs::required_string(desired, "target_key_id")?;
        client
            .create_alias()
            .alias_name(name)
            .target_key_id(target)
            .send()
            .await
            .map_err(|e| aws_error("CreateAlias", e))?;
        let mut state = desired.clone();
        state.insert("id".into(), attrs::text(name));
        let alias = wait_target(ctx, &client, name, key_id_of(target))
            .await
            .after_create(&state)?;
        Ok(alias_state(desired, name, &alias))
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let name = state_id(state)?;
        Ok(find_alias(&client(ctx), name)
            .await?
            .map(|alias| alias_state(state, name, &alias)))
    }

    /// The alias of the desired name, if it already points at the desired key.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let name = wanted_name(desired)?;
        let target = attrs::required_string(desired, "target_key_id")?;
        match find_alias(&client(ctx), name).await? {
            Some(alias) if alias.target_key_id() == Some(key_id_of(target)) => {
                adopt(self, ctx, desired, name, false).await
            }
            _ => Ok(None),
        }
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        attrs::unchanged(desired, "name", name)?;
        let target = attrs::required_string(desired, "target_key_id")?;
        let current = find_alias(&client, name)
            .await?
            .ok_or_else(|| DriverError::new(format!("KMS alias {name} does not exist")))?;
        if current.target_key_id() == Some(key_id_of(target)) {
            return Ok(alias_state(desired, name, &current));
        }
        client
            .update_alias()
            .alias_name(name)
            .target_key_id(target)
            .send()
            .await
            .map_err(|e| aws_error("UpdateAlias", e))?;
        let alias = wait_target(ctx, &client, name, key_id_of(target)).await?;
        Ok(alias_state(desired, name, &alias))
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let name = state_id(state)?;
        let deleted = client.delete_alias().alias_name(name).send().await;
        if found("DeleteAlias", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("KMS alias {name} to be deleted"),
            ctx.env.component_timeout,
            || find_alias(&client, name),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_and_targets() {
        let ok = json!({"name": "alias/app"});
        assert_eq!(wanted_name(ok.as_object().expect("object")), Ok("alias/app"));
        for bad in ["app", "alias/aws/s3"] {
            let d = json!({ "name": bad });
            assert!(wanted_name(d.as_object().expect("object")).is_err_and(|e| e.message.contains("alias/")));
        }
        assert_eq!(key_id_of("arn:aws:kms:eu-west-1:1:key/abc-1"), "abc-1");
        assert_eq!(key_id_of("abc-1"), "abc-1");
        assert_eq!(
            target_key_arn("arn:aws:kms:eu-west-3:1:alias/a/b", "k").as_deref(),
            Some("arn:aws:kms:eu-west-3:1:key/k")
        );
        assert_eq!(target_key_arn("bogus", "k"), None);
    }

    #[test]
    fn state_keeps_the_target_spelling_of_the_same_key() {
        let alias = AliasListEntry::builder()
            .alias_name("alias/a")
            .alias_arn("arn:aws:kms:eu-west-1:1:alias/a")
            .target_key_id("k1")
            .build();
        let prior = json!({"target_key_id": "arn:aws:kms:eu-west-1:1:key/k1"});
        let prior = prior.as_object().expect("object");
        let state = alias_state(prior, "alias/a", &alias);
        assert_eq!(state["target_key_id"], json!("arn:aws:kms:eu-west-1:1:key/k1"));
        assert_eq!(state["target_key_arn"], json!("arn:aws:kms:eu-west-1:1:key/k1"));
        assert_eq!(state["id"], json!("alias/a"));
        let moved = json!({"target_key_id": "k2"});
        let state = alias_state(moved.as_object().expect("object"), "alias/a", &alias);
        assert_eq!(state["target_key_id"], json!("k1"), "drift shows AWS's key");
    }
}
