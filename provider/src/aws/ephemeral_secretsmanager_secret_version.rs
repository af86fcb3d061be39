//! ephemeral `aws_secretsmanager_secret_version`: GetSecretValue.
//!
//! A secret's value for a write-only attribute, read when an apply needs it and never
//! stored. Without `version_id` or `version_stage`, the AWSCURRENT version.

use async_trait::async_trait;
use aws_sdk_secretsmanager::Client;
use serde_json::{Map, Value, json};

use super::attrs::{self, Attrs};
use super::{ChildCtx, DataDriver, DriverError, aws_error};

pub struct SecretsmanagerSecretVersionEphemeral;

#[async_trait]
impl DataDriver for SecretsmanagerSecretVersionEphemeral {
    fn source_type(&self) -> &'static str {
        "aws_secretsmanager_secret_version"
    }

    fn service(&self) -> &'static str {
        "secretsmanager"
    }

    async fn read(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Map<String, Value>, DriverError> {
        let client = Client::new(&ctx.config("secretsmanager"));
        let secret_id = attrs::required_string(desired, "secret_id")?;
        let out = client
            .get_secret_value()
            .secret_id(secret_id)
            .set_version_id(attrs::owned_string(desired, "version_id")?)
            .set_version_stage(attrs::owned_string(desired, "version_stage")?)
            .send()
            .await
            .map_err(|e| aws_error("GetSecretValue", e))?;
        let mut result = desired.clone();
        result.insert("arn".into(), json!(out.arn().unwrap_or_default()));
        result.insert("version_id".into(), json!(out.version_id().unwrap_or_default()));
        result.insert("version_stages".into(), attrs::strings_value(out.version_stages()));
        if let Some(text) = out.secret_string() {
            result.insert("secret_string".into(), json!(text));
        }
        if let Some(binary) = out.secret_binary() {
            use base64::Engine as _;
            result.insert(
                "secret_binary".into(),
                json!(base64::engine::general_purpose::STANDARD.encode(binary.as_ref())),
            );
        }
        Ok(result)
    }
}
