//! `aws_sns_topic_subscription`: Subscribe / GetSubscriptionAttributes /
//! SetSubscriptionAttributes / Unsubscribe.
//!
//! Topic, protocol and endpoint identify a subscription and cannot change; the delivery
//! options (`raw_message_delivery`, `filter_policy`, `filter_policy_scope`) change in place.
//! Subscribe asks for the real ARN even while confirmation is pending, so the subscription
//! can always be read and deleted.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_sns::Client;
use serde_json::Value;

use super::attrs::{self, Attrs};
use super::sns_topic::NOT_FOUND;
use super::wait::Waiter;
use super::{ChildCtx, ChildState, Driver, DriverError, aws_error, has_code, state_id};

pub struct SnsTopicSubscription;

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("sns"))
}

/// The delivery options as SNS attributes: name, and the value to set (`""` clears).
fn options(desired: &Attrs) -> Result<Vec<(&'static str, String)>, DriverError> {
    let mut out = vec![(
        "RawMessageDelivery",
        attrs::boolean(desired, "raw_message_delivery")?
            .unwrap_or(false)
            .to_string(),
    )];
    let policy = attrs::string(desired, "filter_policy")?;
    if let Some(doc) = &policy {
        attrs::canonical_json(doc)
            .map_err(|e| DriverError::new(format!("attribute `filter_policy`: {}", e.message)))?;
        // The scope only means something with a policy; SNS rejects it without one.
        if let Some(scope) = attrs::string(desired, "filter_policy_scope")? {
            out.push(("FilterPolicyScope", scope));
        }
    }
    out.push(("FilterPolicy", policy.unwrap_or_default()));
    Ok(out)
}

/// Whether SNS's `actual` value of attribute `name` is `wanted`.
fn same(name: &str, wanted: &str, actual: Option<&String>) -> bool {
    let actual = actual.map(String::as_str).unwrap_or("");
    match name {
        "RawMessageDelivery" => wanted.eq_ignore_ascii_case(if actual.is_empty() { "false" } else { actual }),
        "FilterPolicy" => (wanted.is_empty() && actual.is_empty()) || attrs::json_equivalent(wanted, actual),
        _ => wanted == actual,
    }
}

/// GetSubscriptionAttributes; `None` when the subscription does not exist.
async fn find_attributes(client: &Client, arn: &str) -> Result<Option<HashMap<String, String>>, DriverError> {
    match client.get_subscription_attributes().subscription_arn(arn).send().await {
        Ok(out) => Ok(Some(out.attributes().cloned().unwrap_or_default())),
        Err(e) if has_code(&e, NOT_FOUND) => Ok(None),
        Err(e) => Err(aws_error("GetSubscriptionAttributes", e)),
    }
}

/// Sets the delivery options that differ from `current`.
async fn apply_options(
    client: &Client,
    arn: &str,
    desired: &Attrs,
    current: &HashMap<String, String>,
) -> Result<(), DriverError> {
    for (name, value) in options(desired)? {
        if same(name, &value, current.get(name)) {
            continue;
        }
        client
            .set_subscription_attributes()
            .subscription_arn(arn)
            .attribute_name(name)
            .attribute_value(value)
            .send()
            .await
            .map_err(|e| aws_error("SetSubscriptionAttributes", e))?;
    }
    Ok(())
}

fn applied_state(desired: &Attrs, arn: &str) -> ChildState {
    let mut state = desired.clone();
    state.insert("id".into(), Value::String(arn.to_string()));
    state.insert("arn".into(), Value::String(arn.to_string()));
    state
}

#[async_trait]
impl Driver for SnsTopicSubscription {
    fn resource_type(&self) -> &'static str {
        "aws_sns_topic_subscription"
    }

    fn service(&self) -> &'static str {
        "sns"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["topic_arn", "protocol", "endpoint"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let topic_arn = attrs::required_string(desired, "topic_arn")?;
        let protocol = attrs::required_string(desired, "protocol")?;
        let endpoint = attrs::required_string(desired, "endpoint")?;
        let mut request = client
            .subscribe()
            .topic_arn(&topic_arn)
            .protocol(&protocol)
            .endpoint(&endpoint)
            .return_subscription_arn(true);
        // Set at subscription time so no message is delivered with the wrong options.
        for (name, value) in options(desired)? {
            let default = value.is_empty() || (name == "RawMessageDelivery" && value == "false");
            if !default {
                request = request.attributes(name, value);
            }
        }
        let arn = request
            .send()
            .await
            .map_err(|e| aws_error("Subscribe", e))?
            .subscription_arn()
            .map(str::to_string)
            .ok_or_else(|| DriverError::new("Subscribe: no subscription ARN in the response"))?;

        let mut waiter = Waiter::new(format!("subscription {arn} to exist"), ctx.env.component_timeout);
        while find_attributes(&client, &arn).await?.is_none() {
            waiter.pause().await?;
        }
        Ok(applied_state(desired, &arn))
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let arn = state_id(state)?;
        let Some(current) = find_attributes(&client, arn).await? else {
            return Ok(None);
        };
        let get = |name: &str| current.get(name).cloned().unwrap_or_default();
        let mut out = state.clone();
        out.insert("id".into(), Value::String(arn.to_string()));
        out.insert("arn".into(), Value::String(arn.to_string()));
        out.insert("topic_arn".into(), Value::String(get("TopicArn")));
        out.insert("protocol".into(), Value::String(get("Protocol")));
        out.insert("endpoint".into(), Value::String(get("Endpoint")));
        out.insert(
            "raw_message_delivery".into(),
            Value::Bool(get("RawMessageDelivery").eq_ignore_ascii_case("true")),
        );
        out.insert(
            "filter_policy".into(),
            attrs::json_like_prior(state.get("filter_policy"), &get("FilterPolicy")),
        );
        if current.contains_key("FilterPolicyScope") || state.contains_key("filter_policy_scope") {
            out.insert("filter_policy_scope".into(), Value::String(get("FilterPolicyScope")));
        }
        out.insert(
            "pending_confirmation".into(),
            Value::Bool(get("PendingConfirmation").eq_ignore_ascii_case("true")),
        );
        Ok(Some(out))
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let arn = state_id(state)?;
        let current = find_attributes(&client, arn)
            .await?
            .ok_or_else(|| DriverError::new(format!("subscription {arn} does not exist")))?;
        for (key, name) in [
            ("topic_arn", "TopicArn"),
            ("protocol", "Protocol"),
            ("endpoint", "Endpoint"),
        ] {
            let wanted = attrs::string(desired, key)?.unwrap_or_default();
            let actual = current.get(name).cloned().unwrap_or_default();
            if wanted != actual {
                return Err(DriverError::new(format!(
                    "`{key}` of a subscription cannot change in place ({actual} to {wanted}); it must be replaced"
                )));
            }
        }
        apply_options(&client, arn, desired, &current).await?;
        Ok(applied_state(desired, arn))
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let arn = state_id(state)?;
        match client.unsubscribe().subscription_arn(arn).send().await {
            Ok(_) => {}
            Err(e) if has_code(&e, NOT_FOUND) => return Ok(()),
            Err(e) => return Err(aws_error("Unsubscribe", e)),
        }
        let mut waiter = Waiter::new(format!("subscription {arn} to be deleted"), ctx.env.component_timeout);
        while find_attributes(&client, arn).await?.is_some() {
            waiter.pause().await?;
        }
        Ok(())
    }
}
