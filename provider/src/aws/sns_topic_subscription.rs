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
use super::normalise;
use super::sns_topic::NOT_FOUND;
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, state_id};

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
    if let Some(doc) = policy {
        normalise::canonical_json(doc)
            .map_err(|e| DriverError::new(format!("attribute `filter_policy`: {}", e.message)))?;
        // The scope only means something with a policy; SNS rejects it without one.
        if let Some(scope) = attrs::string(desired, "filter_policy_scope")? {
            out.push(("FilterPolicyScope", scope.to_string()));
        }
    }
    out.push(("FilterPolicy", policy.unwrap_or_default().to_string()));
    Ok(out)
}

/// Whether SNS's `actual` value of attribute `name` is `wanted`.
fn same(name: &str, wanted: &str, actual: Option<&String>) -> bool {
    let actual = actual.map(String::as_str).unwrap_or("");
    match name {
        "RawMessageDelivery" => wanted.eq_ignore_ascii_case(if actual.is_empty() { "false" } else { actual }),
        "FilterPolicy" => (wanted.is_empty() && actual.is_empty()) || normalise::json_equivalent(wanted, actual),
        _ => wanted == actual,
    }
}

/// GetSubscriptionAttributes; `None` when the subscription does not exist.
async fn find_attributes(client: &Client, arn: &str) -> Result<Option<HashMap<String, String>>, DriverError> {
    let out = client.get_subscription_attributes().subscription_arn(arn).send().await;
    Ok(found("GetSubscriptionAttributes", NOT_FOUND, out)?.map(|out| out.attributes().cloned().unwrap_or_default()))
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
            .topic_arn(topic_arn)
            .protocol(protocol)
            .endpoint(endpoint)
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

        let state = applied_state(desired, &arn);
        wait::until(
            &format!("subscription {arn} to exist"),
            ctx.env.component_timeout,
            || find_attributes(&client, &arn),
        )
        .await
        .after_create(&state)?;
        Ok(state)
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
            normalise::json_like_prior(state.get("filter_policy"), &get("FilterPolicy")),
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

    /// ListSubscriptionsByTopic of the (already adopted) topic, by protocol and endpoint:
    /// subscriptions carry no tags.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let protocol = attrs::required_string(desired, "protocol")?;
        let endpoint = attrs::required_string(desired, "endpoint")?;
        let mut token = None;
        loop {
            let page = client
                .list_subscriptions_by_topic()
                .topic_arn(attrs::required_string(desired, "topic_arn")?)
                .set_next_token(token)
                .send()
                .await;
            let Some(page) = found("ListSubscriptionsByTopic", NOT_FOUND, page)? else {
                return Ok(None);
            };
            let mine = page
                .subscriptions()
                .iter()
                .filter(|s| s.protocol() == Some(protocol) && s.endpoint() == Some(endpoint))
                // An unconfirmed subscription has no ARN yet.
                .find_map(|s| s.subscription_arn().filter(|a| a.starts_with("arn:")));
            if let Some(arn) = mine {
                return adopt(self, ctx, desired, arn, false).await;
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(None);
            }
        }
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
            let actual = current.get(name).map_or("", String::as_str);
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
        let deleted = client.unsubscribe().subscription_arn(arn).send().await;
        if found("Unsubscribe", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("subscription {arn} to be deleted"),
            ctx.env.component_timeout,
            || find_attributes(&client, arn),
        )
        .await
    }
}
