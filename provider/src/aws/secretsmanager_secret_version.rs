//! `aws_secretsmanager_secret_version`: PutSecretValue / DescribeSecret /
//! UpdateSecretVersionStage.
//!
//! The value is write-only (`secret_string_wo`): it is put on create, and again only when
//! `secret_string_wo_version` changes (which makes a new version, so a new `id`); it never
//! reaches state, and read never fetches it. A version cannot be deleted on its own:
//! delete takes away its staging labels so Secrets Manager retires it, except AWSCURRENT,
//! which only a newer version can take over (the secret's deletion removes the rest).
//! Find (import, a re-apply after a crash) adopts the secret's AWSCURRENT version rather
//! than putting a new value, which would no longer match what its consumers were given.

use async_trait::async_trait;
use aws_sdk_secretsmanager::Client;
use serde_json::{Value, json};

use super::attrs::{self, Attrs};
use super::secretsmanager_secret::find_secret;
use super::{ChildCtx, ChildState, Driver, DriverError, aws_error, found};

pub struct SecretsmanagerSecretVersion;

const NOT_FOUND: &[&str] = &["ResourceNotFoundException"];
/// The label of the version clients get by default; only a newer version can take it over.
const CURRENT: &str = "AWSCURRENT";
/// Write-only attributes: used on create or on a version change, never kept in state.
const WRITE_ONLY: &[&str] = &["secret_string_wo"];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("secretsmanager"))
}

/// `<secret arn>|<version id>`, hashicorp/aws's id.
fn split_id(id: &str) -> Result<(&str, &str), DriverError> {
    id.rsplit_once('|')
        .filter(|(arn, version)| !arn.is_empty() && !version.is_empty())
        .ok_or_else(|| DriverError::new(format!("secret version id {id:?} is not `<secret arn>|<version id>`")))
}

fn state_id(state: &ChildState) -> Result<&str, DriverError> {
    super::state_id(state)
}

/// PutSecretValue with the configured value; the new version's id.
async fn put_value(client: &Client, secret_id: &str, desired: &Attrs) -> Result<(String, String), DriverError> {
    let value = attrs::required_string(desired, "secret_string_wo")?;
    let out = client
        .put_secret_value()
        .secret_id(secret_id)
        .secret_string(value)
        .send()
        .await
        .map_err(|e| aws_error("PutSecretValue", e))?;
    match (out.arn(), out.version_id()) {
        (Some(arn), Some(version)) => Ok((arn.to_string(), version.to_string())),
        _ => Err(DriverError::new("PutSecretValue: no ARN or version id in the answer")),
    }
}

/// The state of version `version` of secret `arn`: the desired attributes without the value.
fn applied_state(desired: &Attrs, arn: &str, version: &str, stages: &[String]) -> ChildState {
    let mut state = desired.clone();
    state.retain(|k, _| !WRITE_ONLY.contains(&k.as_str()));
    state.insert("id".into(), json!(format!("{arn}|{version}")));
    state.insert("arn".into(), json!(arn));
    state.insert("version_id".into(), json!(version));
    state.insert("version_stages".into(), attrs::string_set(stages));
    state
}

/// The staging labels of `version` (DescribeSecret's VersionIdsToStages); `None` when the
/// secret is gone or the version has no label left (retired).
async fn find_stages(client: &Client, arn: &str, version: &str) -> Result<Option<Vec<String>>, DriverError> {
    let Some(secret) = find_secret(client, arn).await? else {
        return Ok(None);
    };
    Ok(secret
        .version_ids_to_stages()
        .and_then(|m| m.get(version))
        .filter(|stages| !stages.is_empty())
        .cloned())
}

#[async_trait]
impl Driver for SecretsmanagerSecretVersion {
    fn resource_type(&self) -> &'static str {
        "aws_secretsmanager_secret_version"
    }

    fn service(&self) -> &'static str {
        "secretsmanager"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["secret_id"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let secret_id = attrs::required_string(desired, "secret_id")?;
        let (arn, version) = put_value(&client, secret_id, desired).await?;
        Ok(applied_state(desired, &arn, &version, &[CURRENT.to_string()]))
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let (arn, version) = split_id(state_id(state)?)?;
        let Some(stages) = find_stages(&client, arn, version).await? else {
            return Ok(None);
        };
        let mut out = state.clone();
        out.retain(|k, _| !WRITE_ONLY.contains(&k.as_str()));
        out.insert("arn".into(), json!(arn));
        out.insert("version_id".into(), json!(version));
        out.insert("version_stages".into(), attrs::string_set(&stages));
        Ok(Some(out))
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let (arn, version) = split_id(state_id(state)?)?;
        let version_of = |a: &Attrs| a.get("secret_string_wo_version").cloned().unwrap_or(Value::Null);
        if version_of(desired) != version_of(state) {
            let (arn, version) = put_value(&client, arn, desired).await?;
            return Ok(applied_state(desired, &arn, &version, &[CURRENT.to_string()]));
        }
        let stages = find_stages(&client, arn, version)
            .await?
            .ok_or_else(|| DriverError::new(format!("version {version} of secret {arn} does not exist")))?;
        Ok(applied_state(desired, arn, version, &stages))
    }

    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let secret_id = attrs::required_string(desired, "secret_id")?;
        let Some(secret) = find_secret(&client, secret_id).await? else {
            return Ok(None);
        };
        let (Some(arn), Some(stages)) = (secret.arn(), secret.version_ids_to_stages()) else {
            return Ok(None);
        };
        Ok(stages
            .iter()
            .find(|(_, labels)| labels.iter().any(|l| l == CURRENT))
            .map(|(version, labels)| applied_state(desired, arn, version, labels)))
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let (arn, version) = split_id(state_id(state)?)?;
        let Some(stages) = find_stages(&client, arn, version).await? else {
            return Ok(());
        };
        for stage in stages.iter().filter(|s| s.as_str() != CURRENT) {
            let out = client
                .update_secret_version_stage()
                .secret_id(arn)
                .version_stage(stage)
                .remove_from_version_id(version)
                .send()
                .await;
            found("UpdateSecretVersionStage", NOT_FOUND, out)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_secret_arn_and_version() {
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf";
        assert_eq!(split_id(&format!("{arn}|v1")), Ok((arn, "v1")));
        assert!(split_id(arn).is_err());
        assert!(split_id("|v1").is_err());
    }

    #[test]
    fn the_value_never_reaches_state() {
        let desired = json!({"secret_id": "s", "secret_string_wo": "hunter2", "secret_string_wo_version": 1});
        let state = applied_state(desired.as_object().expect("object"), "arn:s", "v1", &[CURRENT.into()]);
        assert!(!serde_json::to_string(&state).expect("json").contains("hunter2"));
        assert_eq!(state["id"], json!("arn:s|v1"));
        assert_eq!(state["secret_string_wo_version"], json!(1));
    }
}
