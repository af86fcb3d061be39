//! `aws_lb_listener`: CreateListener / DescribeListeners / ModifyListener / DeleteListener,
//! with `forward`, `redirect` and `fixed_response` default actions.
//!
//! A listener has no name: `find` looks among the listeners of its load balancer for the one
//! tagged with this composite and component.

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, Certificate, FixedResponseActionConfig, Listener, ProtocolEnum, RedirectActionConfig,
    RedirectActionStatusCodeEnum,
};
use serde_json::{Map, Value};

use super::attrs::{self, Attrs};
use super::lb::{elb_client, elb_tags, sdk_tags, sync_elb_tags};
use super::tags;
use super::wait;
use super::{AfterCreate, COMPONENT_TAG, ChildCtx, ChildState, Driver, DriverError, adopt, aws_error, found, state_id};

pub struct LbListener;

const NOT_FOUND: &[&str] = &["ListenerNotFound"];
const LB_NOT_FOUND: &[&str] = &["LoadBalancerNotFound"];
/// Pages of DescribeListeners `find` reads at most (a load balancer has at most 50 listeners).
const MAX_PAGES: usize = 20;

/// The listener settings of `desired`, in the API's types.
struct Spec {
    port: Option<i32>,
    protocol: Option<ProtocolEnum>,
    ssl_policy: Option<String>,
    certificates: Option<Vec<Certificate>>,
    actions: Vec<Action>,
}

impl Spec {
    fn parse(desired: &Attrs) -> Result<Self, DriverError> {
        let actions = attrs::blocks(desired, "default_action")?
            .into_iter()
            .enumerate()
            .map(|(i, a)| action(a, &format!("default_action[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        if actions.is_empty() {
            return Err(DriverError::new("`default_action` is required"));
        }
        Ok(Spec {
            port: attrs::int32(desired, "port")?,
            protocol: attrs::string(desired, "protocol")?.map(ProtocolEnum::from),
            ssl_policy: attrs::owned_string(desired, "ssl_policy")?,
            certificates: attrs::string(desired, "certificate_arn")?
                .map(|arn| vec![Certificate::builder().certificate_arn(arn).build()]),
            actions,
        })
    }
}

/// One `default_action` block as an API action.
fn action(a: &Attrs, what: &str) -> Result<Action, DriverError> {
    attrs::only_supported(a, what, &["type", "target_group_arn", "redirect", "fixed_response"])?;
    let kind = attrs::required_string(a, "type")?;
    let b = Action::builder().r#type(ActionTypeEnum::from(kind));
    Ok(match kind {
        "forward" => {
            let tg = attrs::string(a, "target_group_arn")?
                .ok_or_else(|| DriverError::new(format!("{what}: `target_group_arn` is required for type forward")))?;
            b.target_group_arn(tg).build()
        }
        "redirect" => {
            let r = attrs::block(a, "redirect")?
                .ok_or_else(|| DriverError::new(format!("{what}: a `redirect` block is required for type redirect")))?;
            let what = format!("{what}.redirect");
            attrs::only_supported(r, &what, &["port", "protocol", "status_code", "host", "path", "query"])?;
            let status = match attrs::required_string(r, "status_code")? {
                "HTTP_301" => RedirectActionStatusCodeEnum::Http301,
                "HTTP_302" => RedirectActionStatusCodeEnum::Http302,
                other => {
                    return Err(DriverError::new(format!(
                        "{what}: `status_code` must be HTTP_301 or HTTP_302, got {other}"
                    )));
                }
            };
            let port = match r.get("port") {
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => attrs::owned_string(r, "port")?,
            };
            let config = RedirectActionConfig::builder()
                .set_port(port)
                .set_protocol(attrs::owned_string(r, "protocol")?)
                .set_host(attrs::owned_string(r, "host")?)
                .set_path(attrs::owned_string(r, "path")?)
                .set_query(attrs::owned_string(r, "query")?)
                .status_code(status)
                .build();
            b.redirect_config(config).build()
        }
        "fixed-response" => {
            let f = attrs::block(a, "fixed_response")?.ok_or_else(|| {
                DriverError::new(format!(
                    "{what}: a `fixed_response` block is required for type fixed-response"
                ))
            })?;
            let what = format!("{what}.fixed_response");
            attrs::only_supported(f, &what, &["content_type", "message_body", "status_code"])?;
            let status = match f.get("status_code") {
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => attrs::owned_string(f, "status_code")?,
            };
            let config = FixedResponseActionConfig::builder()
                .content_type(attrs::required_string(f, "content_type")?)
                .set_message_body(attrs::owned_string(f, "message_body")?)
                .set_status_code(status)
                .build();
            b.fixed_response_config(config).build()
        }
        other => {
            return Err(DriverError::new(format!(
                "{what}: type {other} is not supported (forward, redirect, fixed-response)"
            )));
        }
    })
}

/// An API action as a `default_action` block.
fn action_value(a: &Action) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), attrs::opt_text(a.r#type().map(ActionTypeEnum::as_str)));
    match a.r#type() {
        Some(ActionTypeEnum::Forward) => {
            // A forward to one group may come back as a ForwardConfig only.
            let tg = a.target_group_arn().or_else(|| {
                a.forward_config()
                    .filter(|f| f.target_groups().len() == 1)
                    .and_then(|f| f.target_groups().first())
                    .and_then(|t| t.target_group_arn())
            });
            m.insert("target_group_arn".into(), attrs::opt_text(tg));
        }
        Some(ActionTypeEnum::Redirect) => {
            let mut r = Map::new();
            if let Some(c) = a.redirect_config() {
                r.insert("port".into(), attrs::opt_text(c.port()));
                r.insert("protocol".into(), attrs::opt_text(c.protocol()));
                r.insert(
                    "status_code".into(),
                    attrs::opt_text(c.status_code().map(RedirectActionStatusCodeEnum::as_str)),
                );
                r.insert("host".into(), attrs::opt_text(c.host()));
                r.insert("path".into(), attrs::opt_text(c.path()));
                r.insert("query".into(), attrs::opt_text(c.query()));
            }
            m.insert("redirect".into(), attrs::block_value(r));
        }
        Some(ActionTypeEnum::FixedResponse) => {
            let mut f = Map::new();
            if let Some(c) = a.fixed_response_config() {
                f.insert("content_type".into(), attrs::opt_text(c.content_type()));
                f.insert("message_body".into(), attrs::opt_text(c.message_body()));
                f.insert("status_code".into(), attrs::opt_text(c.status_code()));
            }
            m.insert("fixed_response".into(), attrs::block_value(f));
        }
        _ => {}
    }
    Value::Object(m)
}

async fn find_listener(client: &Client, arn: &str) -> Result<Option<Listener>, DriverError> {
    let out = client.describe_listeners().listener_arns(arn).send().await;
    Ok(found("DescribeListeners", NOT_FOUND, out)?.and_then(|o| o.listeners().first().cloned()))
}

/// Whether a listener of `protocol` has a TLS policy (HTTPS and TLS listeners only; AWS may
/// report a policy for others, which means nothing).
fn uses_tls(protocol: Option<&ProtocolEnum>) -> bool {
    matches!(protocol, Some(ProtocolEnum::Https | ProtocolEnum::Tls))
}

/// The state of listener `l` as AWS has it; `prior` gives the own tags.
async fn state_of(ctx: &ChildCtx<'_>, client: &Client, l: &Listener, prior: &Attrs) -> Result<ChildState, DriverError> {
    let arn = l
        .listener_arn()
        .ok_or_else(|| DriverError::new("DescribeListeners: no ListenerArn in the answer"))?;
    let mut out = prior.clone();
    out.insert("id".into(), attrs::text(arn));
    out.insert("arn".into(), attrs::text(arn));
    out.insert("load_balancer_arn".into(), attrs::opt_text(l.load_balancer_arn()));
    out.insert("port".into(), l.port().map_or(Value::Null, Value::from));
    out.insert(
        "protocol".into(),
        attrs::opt_text(l.protocol().map(ProtocolEnum::as_str)),
    );
    let policy = if uses_tls(l.protocol()) { l.ssl_policy() } else { None };
    out.insert("ssl_policy".into(), attrs::text(policy.unwrap_or_default()));
    let certificate = l
        .certificates()
        .iter()
        .find(|c| c.is_default() != Some(false))
        .and_then(|c| c.certificate_arn());
    out.insert("certificate_arn".into(), attrs::text(certificate.unwrap_or_default()));
    out.insert(
        "default_action".into(),
        Value::Array(l.default_actions().iter().map(action_value).collect()),
    );
    tags::put_read_state(ctx, &mut out, prior, &elb_tags(client, arn).await?)?;
    Ok(out)
}

#[async_trait]
impl Driver for LbListener {
    fn resource_type(&self) -> &'static str {
        "aws_lb_listener"
    }

    fn service(&self) -> &'static str {
        "elbv2"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["load_balancer_arn"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = elb_client(ctx);
        let lb = attrs::required_string(desired, "load_balancer_arn")?;
        let spec = Spec::parse(desired)?;
        let all_tags = tags::wanted(ctx, desired)?;
        let out = client
            .create_listener()
            .load_balancer_arn(lb)
            .set_port(spec.port)
            .set_protocol(spec.protocol)
            .set_ssl_policy(spec.ssl_policy)
            .set_certificates(spec.certificates)
            .set_default_actions(Some(spec.actions))
            .set_tags(Some(sdk_tags(&all_tags)).filter(|t| !t.is_empty()))
            .send()
            .await
            .map_err(|e| aws_error("CreateListener", e))?;
        let arn = out
            .listeners()
            .first()
            .and_then(|l| l.listener_arn())
            .ok_or_else(|| DriverError::new("CreateListener: no ListenerArn in the answer"))?
            .to_string();
        let mut state = desired.clone();
        state.insert("id".into(), attrs::text(&arn));
        state.insert("arn".into(), attrs::text(&arn));
        tags::put_applied(&mut state, desired, &all_tags)?;
        let result = async {
            let l = find_listener(&client, &arn)
                .await?
                .ok_or_else(|| DriverError::new(format!("listener {arn} disappeared after create")))?;
            state_of(ctx, &client, &l, desired).await
        }
        .await;
        result.after_create(&state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = elb_client(ctx);
        let arn = state_id(state)?;
        match find_listener(&client, arn).await? {
            Some(l) => Ok(Some(state_of(ctx, &client, &l, state).await?)),
            None => Ok(None),
        }
    }

    /// The listener of `load_balancer_arn` tagged with this composite and component.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let client = elb_client(ctx);
        let lb = attrs::required_string(desired, "load_balancer_arn")?;
        let mut marker: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let out = client
                .describe_listeners()
                .load_balancer_arn(lb)
                .set_marker(marker.take())
                .send()
                .await;
            let Some(page) = found("DescribeListeners", LB_NOT_FOUND, out)? else {
                return Ok(None);
            };
            for arn in page.listeners().iter().filter_map(|l| l.listener_arn()) {
                let t = elb_tags(&client, arn).await?;
                if tags::owned(ctx, &t) && t.get(COMPONENT_TAG).map(String::as_str) == Some(ctx.component) {
                    return adopt(self, ctx, desired, arn, true).await;
                }
            }
            match page.next_marker() {
                Some(next) if !next.is_empty() => marker = Some(next.to_string()),
                _ => return Ok(None),
            }
        }
        Err(DriverError::new(format!("DescribeListeners: too many pages for {lb}")))
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = elb_client(ctx);
        let arn = state_id(state)?;
        let current = find_listener(&client, arn)
            .await?
            .ok_or_else(|| DriverError::new(format!("listener {arn} does not exist")))?;
        attrs::unchanged(
            desired,
            "load_balancer_arn",
            current.load_balancer_arn().unwrap_or_default(),
        )?;
        let spec = Spec::parse(desired)?;
        // ModifyListener takes the whole listener: what is unchanged stays so.
        client
            .modify_listener()
            .listener_arn(arn)
            .set_port(spec.port)
            .set_protocol(spec.protocol)
            .set_ssl_policy(spec.ssl_policy)
            .set_certificates(spec.certificates)
            .set_default_actions(Some(spec.actions))
            .send()
            .await
            .map_err(|e| aws_error("ModifyListener", e))?;
        sync_elb_tags(&client, arn, &tags::wanted(ctx, desired)?).await?;
        let l = find_listener(&client, arn)
            .await?
            .ok_or_else(|| DriverError::new(format!("listener {arn} disappeared during update")))?;
        state_of(ctx, &client, &l, desired).await
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = elb_client(ctx);
        let arn = state_id(state)?;
        let deleted = client.delete_listener().listener_arn(arn).send().await;
        if found("DeleteListener", NOT_FOUND, deleted)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("listener {arn} to be deleted"),
            ctx.env.component_timeout,
            || find_listener(&client, arn),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Attrs {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn actions_round_trip() {
        let redirect = obj(json!({
            "type": "redirect",
            "redirect": [{"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}],
        }));
        let a = action(&redirect, "default_action[0]").expect("redirect");
        assert_eq!(
            action_value(&a),
            json!({"type": "redirect", "redirect": [{
                "port": "443", "protocol": "HTTPS", "status_code": "HTTP_301",
                "host": null, "path": null, "query": null,
            }]})
        );
        let forward = obj(json!({"type": "forward", "target_group_arn": "arn:tg", "redirect": []}));
        let a = action(&forward, "default_action[0]").expect("forward");
        assert_eq!(
            action_value(&a),
            json!({"type": "forward", "target_group_arn": "arn:tg"})
        );
    }

    #[test]
    fn incomplete_actions_are_named() {
        let no_tg = obj(json!({"type": "forward"}));
        assert!(action(&no_tg, "default_action[0]").is_err_and(|e| e.message.contains("target_group_arn")));
        let bad = obj(json!({"type": "redirect", "redirect": [{"status_code": "HTTP_308"}]}));
        assert!(action(&bad, "default_action[0]").is_err_and(|e| e.message.contains("HTTP_308")));
        let other = obj(json!({"type": "authenticate-oidc"}));
        assert!(action(&other, "default_action[0]").is_err());
        assert!(Spec::parse(&obj(json!({"port": 80}))).is_err_and(|e| e.message.contains("default_action")));
    }
}
