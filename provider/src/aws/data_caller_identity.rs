//! `data "aws_caller_identity"`: STS GetCallerIdentity, for the account id that policies
//! and ARNs need (`id` is the account id, as in `hashicorp/aws`).

use async_trait::async_trait;
use serde_json::{Map, Value};

use super::attrs;
use super::{ChildCtx, DataDriver, DriverError, aws_error};

pub struct CallerIdentity;

#[async_trait]
impl DataDriver for CallerIdentity {
    fn source_type(&self) -> &'static str {
        "aws_caller_identity"
    }

    fn service(&self) -> &'static str {
        "sts"
    }

    async fn read(&self, ctx: &ChildCtx<'_>, _desired: &Map<String, Value>) -> Result<Map<String, Value>, DriverError> {
        let out = aws_sdk_sts::Client::new(&ctx.config("sts"))
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| aws_error("GetCallerIdentity", e))?;
        let account = out
            .account()
            .ok_or_else(|| DriverError::new("GetCallerIdentity: no account in the answer"))?;
        let mut attributes = Map::new();
        attributes.insert("id".into(), attrs::text(account));
        attributes.insert("account_id".into(), attrs::text(account));
        attributes.insert("arn".into(), attrs::opt_text(out.arn()));
        attributes.insert("user_id".into(), attrs::opt_text(out.user_id()));
        Ok(attributes)
    }
}
