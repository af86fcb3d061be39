//! `aws_wafv2_web_acl_association`: puts a REGIONAL web ACL in front of a regional resource
//! (an Application Load Balancer). AssociateWebACL / GetWebACLForResource /
//! DisassociateWebACL.
//!
//! An association has no identity of its own and cannot be tagged: it is the pair
//! (web ACL, resource), read through the resource, which has at most one web ACL.

use async_trait::async_trait;
use aws_sdk_wafv2::Client;
use serde_json::Value;

use super::attrs::{self, Attrs};
use super::{ChildCtx, ChildState, Driver, DriverError, aws_error, found, has_code, wait};

pub struct Wafv2WebAclAssociation;

/// The resource (or the web ACL) does not exist.
const NOT_FOUND: &[&str] = &["WAFNonexistentItemException"];
/// A load balancer just created is not yet known to WAF; AWS asks to retry.
const UNAVAILABLE: &[&str] = &["WAFUnavailableEntityException"];

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("wafv2"))
}

/// The ARN of the web ACL in front of `resource_arn`; `None` when there is none or the
/// resource is gone.
async fn acl_of(client: &Client, resource_arn: &str) -> Result<Option<String>, DriverError> {
    let out = client
        .get_web_acl_for_resource()
        .resource_arn(resource_arn)
        .send()
        .await;
    Ok(found("GetWebACLForResource", NOT_FOUND, out)?.and_then(|o| o.web_acl().map(|w| w.arn().to_string())))
}

/// `(web_acl_arn, resource_arn)` of a desired or stored association.
fn pair(a: &Attrs) -> Result<(&str, &str), DriverError> {
    Ok((
        attrs::required_string(a, "web_acl_arn")?,
        attrs::required_string(a, "resource_arn")?,
    ))
}

/// hashicorp/aws's id: `<web_acl_arn>,<resource_arn>`.
fn state(prior: &Attrs, web_acl_arn: &str, resource_arn: &str) -> ChildState {
    let mut out = prior.clone();
    out.insert("id".into(), Value::String(format!("{web_acl_arn},{resource_arn}")));
    out.insert("web_acl_arn".into(), attrs::text(web_acl_arn));
    out.insert("resource_arn".into(), attrs::text(resource_arn));
    out
}

#[async_trait]
impl Driver for Wafv2WebAclAssociation {
    fn resource_type(&self) -> &'static str {
        "aws_wafv2_web_acl_association"
    }

    fn service(&self) -> &'static str {
        "wafv2"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["web_acl_arn", "resource_arn"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let (acl, resource) = pair(desired)?;
        wait::retry_while(
            ctx.env.component_timeout,
            |e| has_code(e, UNAVAILABLE),
            || {
                client
                    .associate_web_acl()
                    .web_acl_arn(acl)
                    .resource_arn(resource)
                    .send()
            },
        )
        .await
        .map_err(|e| aws_error("AssociateWebACL", e))?;
        // Read back: the association is what GetWebACLForResource answers.
        wait::until(
            &format!("web ACL {acl} to be associated with {resource}"),
            ctx.env.component_timeout,
            || async { Ok((acl_of(&client, resource).await?.as_deref() == Some(acl)).then_some(())) },
        )
        .await
        .map_err(|e| DriverError::after_create(e.message, state(desired, acl, resource)))?;
        Ok(state(desired, acl, resource))
    }

    /// Gone when the resource has no web ACL; another web ACL in front of the resource reads
    /// as a changed `web_acl_arn` (drift, which replaces the association).
    async fn read(&self, ctx: &ChildCtx<'_>, prior: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let (_, resource) = pair(prior)?;
        let Some(actual) = acl_of(&client(ctx), resource).await? else {
            return Ok(None);
        };
        let mut out = state(prior, &actual, resource);
        // The id names the association that was made, as hashicorp/aws keeps it.
        if let Some(id) = prior.get("id") {
            out.insert("id".into(), id.clone());
        }
        Ok(Some(out))
    }

    /// The resource's web ACL, when it is the desired one.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let (acl, resource) = pair(desired)?;
        let actual = acl_of(&client(ctx), resource).await?;
        Ok((actual.as_deref() == Some(acl)).then(|| state(desired, acl, resource)))
    }

    /// Both attributes need a new association; an update only confirms nothing else changed.
    async fn update(&self, ctx: &ChildCtx<'_>, prior: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let (acl, resource) = pair(desired)?;
        attrs::unchanged(desired, "resource_arn", pair(prior)?.1)?;
        attrs::unchanged(desired, "web_acl_arn", pair(prior)?.0)?;
        match self.read(ctx, prior).await? {
            Some(current) if current.get("web_acl_arn").and_then(Value::as_str) == Some(acl) => {
                let mut out = state(desired, acl, resource);
                if let Some(id) = current.get("id") {
                    out.insert("id".into(), id.clone());
                }
                Ok(out)
            }
            _ => Err(DriverError::new(format!(
                "web ACL {acl} is no longer associated with {resource}; the association must be re-created"
            ))),
        }
    }

    /// Disassociates only when the resource's web ACL is still this one, so an association
    /// someone made since is left alone.
    async fn delete(&self, ctx: &ChildCtx<'_>, prior: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let (acl, resource) = pair(prior)?;
        if acl_of(&client, resource).await?.as_deref() != Some(acl) {
            return Ok(());
        }
        let out = client.disassociate_web_acl().resource_arn(resource).send().await;
        if found("DisassociateWebACL", NOT_FOUND, out)?.is_none() {
            return Ok(());
        }
        wait::until(
            &format!("web ACL {acl} to be disassociated from {resource}"),
            ctx.env.component_timeout,
            || async { Ok((acl_of(&client, resource).await?.as_deref() != Some(acl)).then_some(())) },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_id_is_the_pair() {
        let desired = json!({"web_acl_arn": "arn:acl", "resource_arn": "arn:lb"});
        let desired = desired.as_object().expect("object");
        let (acl, resource) = pair(desired).expect("pair");
        assert_eq!(state(desired, acl, resource).get("id"), Some(&json!("arn:acl,arn:lb")));
        let missing = json!({"web_acl_arn": "arn:acl"});
        assert!(pair(missing.as_object().expect("object")).is_err_and(|e| e.message.contains("resource_arn")));
    }
}
