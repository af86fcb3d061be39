//! `aws_wafv2_web_acl`: a WAF web ACL with managed rule groups and rate limits, in front of
//! CloudFront (scope CLOUDFRONT, which AWS only accepts in us-east-1) or a regional resource.

use async_trait::async_trait;
use aws_sdk_wafv2::Client;
use aws_sdk_wafv2::types::{
    AllowAction, BlockAction, CaptchaAction, ChallengeAction, CountAction, DefaultAction, ManagedRuleGroupStatement,
    NoneAction, OverrideAction, RateBasedStatement, RateBasedStatementAggregateKeyType, Rule, RuleAction, Scope,
    Statement, Tag, VisibilityConfig, WebAcl,
};
use serde_json::{Map, Value};

use super::attrs::{self, Attrs};
use super::normalise;
use super::tags::{self, Tags};
use super::{
    ChildCtx, ChildState, Driver, DriverError, adopt, arn, aws_error, build_error, found, has_code, state_id, wait,
};

pub struct Wafv2WebAcl;

const NOT_FOUND: &[&str] = &["WAFNonexistentItemException"];
const LOCKED: &[&str] = &["WAFOptimisticLockException"];

/// WAF for CloudFront is a global resource managed through this region only.
const CLOUDFRONT_REGION: &str = "us-east-1";

/// How often an update or delete is retried when someone else changed the ACL in between
/// (WAFOptimisticLockException).
const LOCK_RETRIES: usize = 3;

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("wafv2"))
}

fn scope(attrs: &Attrs) -> Result<Scope, DriverError> {
    match attrs::required_string(attrs, "scope")? {
        "CLOUDFRONT" => Ok(Scope::Cloudfront),
        "REGIONAL" => Ok(Scope::Regional),
        other => Err(DriverError::new(format!(
            "`scope` must be CLOUDFRONT or REGIONAL, got {other}"
        ))),
    }
}

/// AWS only accepts CLOUDFRONT-scope ACLs through us-east-1 (emulators may not check).
fn check_region(ctx: &ChildCtx<'_>, scope: &Scope) -> Result<(), DriverError> {
    if *scope != Scope::Cloudfront {
        return Ok(());
    }
    match arn::region(ctx) {
        Ok(r) if r == CLOUDFRONT_REGION => Ok(()),
        other => Err(DriverError::new(format!(
            "{}: a web ACL with scope CLOUDFRONT must be managed in {CLOUDFRONT_REGION}, but this component's region is {}; set the component's region to {CLOUDFRONT_REGION}",
            ctx.component,
            other.as_deref().unwrap_or("not set")
        ))),
    }
}

// ---- Terraform JSON -> SDK ----

/// Which one of `options` (empty blocks such as `allow [{}]`) a block chooses.
fn choice<'a>(m: &Attrs, what: &str, options: &[&'a str]) -> Result<&'a str, DriverError> {
    attrs::only_supported(m, what, options)?;
    let chosen: Vec<&str> = options.iter().copied().filter(|o| attrs::has_block(m, o)).collect();
    let [one] = chosen.as_slice() else {
        return Err(DriverError::new(format!(
            "{what} needs exactly one of {}",
            options.join(", ")
        )));
    };
    if let Some(inner) = attrs::block(m, one)? {
        attrs::only_supported(inner, &format!("{what}.{one}"), &[])?;
    }
    Ok(one)
}

fn visibility_config(m: &Attrs, what: &str) -> Result<VisibilityConfig, DriverError> {
    let v = attrs::block(m, "visibility_config")?
        .ok_or_else(|| DriverError::new(format!("{what}: visibility_config is required")))?;
    VisibilityConfig::builder()
        .cloud_watch_metrics_enabled(attrs::boolean(v, "cloudwatch_metrics_enabled")?.unwrap_or(false))
        .metric_name(attrs::required_string(v, "metric_name")?)
        .sampled_requests_enabled(attrs::boolean(v, "sampled_requests_enabled")?.unwrap_or(false))
        .build()
        .map_err(build_error(&format!("{what}: visibility_config")))
}

fn default_action(desired: &Attrs) -> Result<DefaultAction, DriverError> {
    let d = attrs::block(desired, "default_action")?.ok_or_else(|| DriverError::new("`default_action` is required"))?;
    Ok(match choice(d, "default_action", &["allow", "block"])? {
        "allow" => DefaultAction::builder().allow(AllowAction::builder().build()).build(),
        _ => DefaultAction::builder().block(BlockAction::builder().build()).build(),
    })
}

fn rule_action(m: &Attrs, what: &str) -> Result<RuleAction, DriverError> {
    let b = RuleAction::builder();
    Ok(
        match choice(m, what, &["allow", "block", "count", "captcha", "challenge"])? {
            "allow" => b.allow(AllowAction::builder().build()),
            "block" => b.block(BlockAction::builder().build()),
            "count" => b.count(CountAction::builder().build()),
            "captcha" => b.captcha(CaptchaAction::builder().build()),
            _ => b.challenge(ChallengeAction::builder().build()),
        }
        .build(),
    )
}

fn override_action(m: &Attrs, what: &str) -> Result<OverrideAction, DriverError> {
    let b = OverrideAction::builder();
    Ok(match choice(m, what, &["none", "count"])? {
        "none" => b.none(NoneAction::builder().build()),
        _ => b.count(CountAction::builder().build()),
    }
    .build())
}

fn statement(m: &Attrs, what: &str) -> Result<Statement, DriverError> {
    let kind = choice_of_statement(m, what)?;
    let s = attrs::block(m, kind)?.ok_or_else(|| DriverError::new(format!("{what}: empty {kind}")))?;
    let what = format!("{what}.{kind}");
    if kind == "managed_rule_group_statement" {
        attrs::only_supported(s, &what, &["name", "vendor_name", "version"])?;
        let group = ManagedRuleGroupStatement::builder()
            .vendor_name(attrs::required_string(s, "vendor_name")?)
            .name(attrs::required_string(s, "name")?)
            .set_version(attrs::owned_string(s, "version")?)
            .build()
            .map_err(build_error(&what))?;
        return Ok(Statement::builder().managed_rule_group_statement(group).build());
    }
    attrs::only_supported(s, &what, &["limit", "aggregate_key_type", "evaluation_window_sec"])?;
    let key = attrs::string(s, "aggregate_key_type")?.unwrap_or("IP");
    let key = RateBasedStatementAggregateKeyType::try_parse(key)
        .map_err(|_| DriverError::new(format!("{what}: unknown aggregate_key_type {key}")))?;
    let limit = attrs::int(s, "limit")?.ok_or_else(|| DriverError::new(format!("{what}: limit is required")))?;
    let rate = RateBasedStatement::builder()
        .limit(limit)
        .aggregate_key_type(key)
        .set_evaluation_window_sec(attrs::int(s, "evaluation_window_sec")?)
        .build()
        .map_err(build_error(&what))?;
    Ok(Statement::builder().rate_based_statement(rate).build())
}

fn choice_of_statement(m: &Attrs, what: &str) -> Result<&'static str, DriverError> {
    const KINDS: [&str; 2] = ["managed_rule_group_statement", "rate_based_statement"];
    attrs::only_supported(m, what, &KINDS)
        .map_err(|e| DriverError::new(format!("{e} (supported statements: {})", KINDS.join(", "))))?;
    let chosen: Vec<&'static str> = KINDS.iter().copied().filter(|k| attrs::has_block(m, k)).collect();
    match chosen.as_slice() {
        [one] => Ok(one),
        _ => Err(DriverError::new(format!(
            "{what} needs exactly one of {}",
            KINDS.join(", ")
        ))),
    }
}

fn rule(m: &Attrs) -> Result<Rule, DriverError> {
    let name = attrs::required_string(m, "name")?;
    let what = format!("rule {name}");
    attrs::only_supported(
        m,
        &what,
        &[
            "name",
            "priority",
            "action",
            "override_action",
            "statement",
            "visibility_config",
        ],
    )?;
    let s = attrs::block(m, "statement")?.ok_or_else(|| DriverError::new(format!("{what}: statement is required")))?;
    let action = match attrs::block(m, "action")? {
        Some(a) => Some(rule_action(a, &format!("{what}: action"))?),
        None => None,
    };
    let overridden = match attrs::block(m, "override_action")? {
        Some(a) => Some(override_action(a, &format!("{what}: override_action"))?),
        None => None,
    };
    Rule::builder()
        .name(name)
        .priority(
            attrs::int32(m, "priority")?.ok_or_else(|| DriverError::new(format!("{what}: priority is required")))?,
        )
        .statement(statement(s, &format!("{what}: statement"))?)
        .set_action(action)
        .set_override_action(overridden)
        .visibility_config(visibility_config(m, &what)?)
        .build()
        .map_err(build_error(&what))
}

fn rules(desired: &Attrs) -> Result<Vec<Rule>, DriverError> {
    attrs::blocks(desired, "rule")?.into_iter().map(rule).collect()
}

fn tags_list(tags: &Tags) -> Result<Vec<Tag>, DriverError> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build().map_err(build_error("tag")))
        .collect()
}

// ---- SDK -> Terraform JSON ----

fn empty_block(name: &str) -> Attrs {
    let mut m = Map::new();
    m.insert(name.to_string(), Value::Array(vec![Value::Object(Map::new())]));
    m
}

fn flatten_visibility(v: &VisibilityConfig) -> Value {
    let mut m = Map::new();
    m.insert(
        "cloudwatch_metrics_enabled".into(),
        Value::Bool(v.cloud_watch_metrics_enabled),
    );
    m.insert("metric_name".into(), Value::String(v.metric_name.clone()));
    m.insert(
        "sampled_requests_enabled".into(),
        Value::Bool(v.sampled_requests_enabled),
    );
    attrs::block_value(m)
}

fn flatten_rule_action(a: &RuleAction) -> Value {
    let name = if a.allow.is_some() {
        "allow"
    } else if a.block.is_some() {
        "block"
    } else if a.count.is_some() {
        "count"
    } else if a.captcha.is_some() {
        "captcha"
    } else if a.challenge.is_some() {
        "challenge"
    } else {
        return Value::Array(Vec::new());
    };
    attrs::block_value(empty_block(name))
}

fn flatten_override_action(a: &OverrideAction) -> Value {
    match (&a.none, &a.count) {
        (Some(_), _) => attrs::block_value(empty_block("none")),
        (None, Some(_)) => attrs::block_value(empty_block("count")),
        (None, None) => Value::Array(Vec::new()),
    }
}

/// The rate window AWS applies when none is given; left out of reads unless declared, so an
/// ACL that never set it does not show a phantom change.
const DEFAULT_RATE_WINDOW: i64 = 300;

fn flatten_statement(s: &Statement, prev: Option<&Value>) -> Value {
    let mut m = Map::new();
    if let Some(g) = &s.managed_rule_group_statement {
        let mut inner = Map::new();
        inner.insert("name".into(), Value::String(g.name.clone()));
        inner.insert("vendor_name".into(), Value::String(g.vendor_name.clone()));
        if let Some(v) = &g.version {
            inner.insert("version".into(), Value::String(v.clone()));
        }
        m.insert("managed_rule_group_statement".into(), attrs::block_value(inner));
    } else if let Some(r) = &s.rate_based_statement {
        let mut inner = Map::new();
        inner.insert("limit".into(), Value::from(r.limit));
        inner.insert(
            "aggregate_key_type".into(),
            Value::String(r.aggregate_key_type.as_str().to_string()),
        );
        let declared = prev
            .and_then(|p| p.pointer("/0/rate_based_statement/0/evaluation_window_sec"))
            .is_some_and(|v| !v.is_null());
        let window = r.evaluation_window_sec;
        if declared || (window != 0 && window != DEFAULT_RATE_WINDOW) {
            inner.insert("evaluation_window_sec".into(), Value::from(window));
        }
        m.insert("rate_based_statement".into(), attrs::block_value(inner));
    } else {
        // A statement this driver does not manage (changed out of band): shown as such, so
        // it reads as drift instead of matching by accident.
        m.insert("unsupported_statement".into(), Value::String(format!("{s:?}")));
    }
    attrs::block_value(m)
}

fn flatten_rules(rules: &[Rule], prev: Option<&Value>) -> Value {
    let flat = rules
        .iter()
        .map(|r| {
            let prev_rule = match prev {
                Some(Value::Array(p)) => p
                    .iter()
                    .find(|x| x.get("name").and_then(Value::as_str) == Some(r.name.as_str())),
                _ => None,
            };
            let mut m = Map::new();
            m.insert("name".into(), Value::String(r.name.clone()));
            m.insert("priority".into(), Value::from(r.priority));
            if let Some(a) = &r.action {
                m.insert("action".into(), flatten_rule_action(a));
            }
            if let Some(a) = &r.override_action {
                m.insert("override_action".into(), flatten_override_action(a));
            }
            if let Some(s) = &r.statement {
                m.insert(
                    "statement".into(),
                    flatten_statement(s, prev_rule.and_then(|p| p.get("statement"))),
                );
            }
            if let Some(v) = &r.visibility_config {
                m.insert("visibility_config".into(), flatten_visibility(v));
            }
            Value::Object(m)
        })
        .collect();
    // Terraform's `rule` is a set: follow the prior order.
    Value::Array(normalise::order_like(flat, prev, "name"))
}

fn flatten_default_action(d: &DefaultAction) -> Value {
    match (&d.allow, &d.block) {
        (Some(_), _) => attrs::block_value(empty_block("allow")),
        (None, Some(_)) => attrs::block_value(empty_block("block")),
        (None, None) => Value::Array(Vec::new()),
    }
}

// ---- AWS calls ----

/// The ACL and its current lock token; `None` when it no longer exists.
async fn find(client: &Client, name: &str, scope: &Scope, id: &str) -> Result<Option<(WebAcl, String)>, DriverError> {
    let out = client.get_web_acl().name(name).scope(scope.clone()).id(id).send().await;
    Ok(found("GetWebACL", NOT_FOUND, out)?.and_then(|out| {
        let token = out.lock_token().unwrap_or_default().to_string();
        out.web_acl.map(|acl| (acl, token))
    }))
}

async fn current_tags(client: &Client, arn: &str) -> Result<Tags, DriverError> {
    let out = client
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| aws_error("ListTagsForResource", e))?;
    Ok(out
        .tag_info_for_resource()
        .map(|t| t.tag_list().iter().map(|t| (t.key.clone(), t.value.clone())).collect())
        .unwrap_or_default())
}

async fn sync_tags(client: &Client, arn: &str, wanted: &Tags) -> Result<(), DriverError> {
    tags::sync(
        &current_tags(client, arn).await?,
        wanted,
        |keys| async move {
            client
                .untag_resource()
                .resource_arn(arn)
                .set_tag_keys(Some(keys))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("UntagResource", e))
        },
        |set| async move {
            client
                .tag_resource()
                .resource_arn(arn)
                .set_tags(Some(tags_list(&set)?))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("TagResource", e))
        },
    )
    .await
}

#[async_trait]
impl Driver for Wafv2WebAcl {
    fn resource_type(&self) -> &'static str {
        "aws_wafv2_web_acl"
    }

    fn service(&self) -> &'static str {
        "wafv2"
    }

    /// WAF identifies an ACL by name and scope; neither can change.
    fn replace_on(&self) -> &'static [&'static str] {
        &["name", "scope"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<ChildState, DriverError> {
        let scope = scope(desired)?;
        check_region(ctx, &scope)?;
        let name = attrs::required_string(desired, "name")?;
        let tags = tags::wanted(ctx, desired)?;
        let out = client(ctx)
            .create_web_acl()
            .name(name)
            .scope(scope)
            .set_description(attrs::owned_string(desired, "description")?)
            .default_action(default_action(desired)?)
            .set_rules(Some(rules(desired)?))
            .visibility_config(visibility_config(desired, "web ACL")?)
            .set_tags(Some(tags_list(&tags)?))
            .send()
            .await
            .map_err(|e| aws_error("CreateWebACL", e))?;
        let summary = out
            .summary()
            .ok_or_else(|| DriverError::new("CreateWebACL: no summary in the answer"))?;
        let field = |v: Option<&str>, what: &str| {
            v.map(|s| Value::String(s.to_string()))
                .ok_or_else(|| DriverError::new(format!("CreateWebACL: no {what} in the answer")))
        };
        let mut state = desired.clone();
        state.insert("id".into(), field(summary.id(), "Id")?);
        state.insert("arn".into(), field(summary.arn(), "ARN")?);
        state.insert("lock_token".into(), field(summary.lock_token(), "LockToken")?);
        state.insert("name".into(), Value::String(name.to_string()));
        tags::put_applied(&mut state, desired, &tags)?;
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        let Some((acl, token)) = find(&client, attrs::required_string(state, "name")?, &scope(state)?, id).await?
        else {
            return Ok(None);
        };
        let mut actual = Map::new();
        actual.insert("name".into(), Value::String(acl.name.clone()));
        actual.insert("arn".into(), Value::String(acl.arn.clone()));
        actual.insert("lock_token".into(), Value::String(token));
        actual.insert(
            "description".into(),
            Value::String(acl.description.clone().unwrap_or_default()),
        );
        if let Some(d) = &acl.default_action {
            actual.insert("default_action".into(), flatten_default_action(d));
        }
        actual.insert(
            "rule".into(),
            flatten_rules(acl.rules.as_deref().unwrap_or_default(), state.get("rule")),
        );
        if let Some(v) = &acl.visibility_config {
            actual.insert("visibility_config".into(), flatten_visibility(v));
        }
        tags::put_read_state(ctx, &mut actual, state, &current_tags(&client, &acl.arn).await?)?;
        Ok(Some(normalise::read_state(state, actual)))
    }

    /// ListWebACLs of the scope, by name (unique per scope and region).
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let name = attrs::required_string(desired, "name")?;
        let scope = scope(desired)?;
        let mut marker = None;
        loop {
            let page = client
                .list_web_acls()
                .scope(scope.clone())
                .set_next_marker(marker.clone())
                .send()
                .await
                .map_err(|e| aws_error("ListWebACLs", e))?;
            let mine = page.web_acls().iter().find(|a| a.name() == Some(name));
            if let Some(id) = mine.and_then(|a| a.id()) {
                return adopt(self, ctx, desired, id, true).await;
            }
            // WAF answers a marker even on the last page: an empty page, or the same marker
            // again, ends the list.
            let next = page.next_marker().map(str::to_string);
            if next.is_none() || next == marker || page.web_acls().is_empty() {
                return Ok(None);
            }
            marker = next;
        }
    }

    async fn update(
        &self,
        ctx: &ChildCtx<'_>,
        state: &ChildState,
        desired: &Map<String, Value>,
    ) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let scope = scope(state)?;
        check_region(ctx, &scope)?;
        let id = state_id(state)?;
        let name = attrs::required_string(state, "name")?;
        let rules = rules(desired)?;
        let mut attempt = 0;
        let token = loop {
            attempt += 1;
            // The lock token in the state may be stale (a read elsewhere, or a prior
            // update): take the current one, and retry if it changes under us.
            let Some((_, token)) = find(&client, name, &scope, id).await? else {
                return Err(DriverError::new(format!(
                    "UpdateWebACL: web ACL {name} ({id}) no longer exists"
                )));
            };
            let sent = client
                .update_web_acl()
                .name(name)
                .scope(scope.clone())
                .id(id)
                .lock_token(token)
                .set_description(attrs::owned_string(desired, "description")?)
                .default_action(default_action(desired)?)
                .set_rules(Some(rules.clone()))
                .visibility_config(visibility_config(desired, "web ACL")?)
                .send()
                .await;
            match sent {
                Ok(out) => break out.next_lock_token().unwrap_or_default().to_string(),
                Err(e) if has_code(&e, LOCKED) && attempt < LOCK_RETRIES => continue,
                Err(e) => return Err(aws_error("UpdateWebACL", e)),
            }
        };
        let tags = tags::wanted(ctx, desired)?;
        // Diff against the tags the ACL has now, not the state's.
        sync_tags(&client, attrs::required_string(state, "arn")?, &tags).await?;
        let mut next = state.clone();
        next.extend(desired.clone());
        next.insert("lock_token".into(), Value::String(token));
        tags::put_applied(&mut next, desired, &tags)?;
        Ok(next)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let scope = scope(state)?;
        let id = state_id(state)?;
        let name = attrs::required_string(state, "name")?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            // DeleteWebACL needs the current lock token.
            let Some((_, token)) = find(&client, name, &scope, id).await? else {
                return Ok(());
            };
            match client
                .delete_web_acl()
                .name(name)
                .scope(scope.clone())
                .id(id)
                .lock_token(token)
                .send()
                .await
            {
                Ok(_) => break,
                Err(e) if has_code(&e, NOT_FOUND) => return Ok(()),
                Err(e) if has_code(&e, LOCKED) && attempt < LOCK_RETRIES => continue,
                Err(e) => return Err(aws_error("DeleteWebACL", e)),
            }
        }
        wait::until_gone(
            &format!("web ACL {name} to be deleted"),
            ctx.env.component_timeout,
            || find(&client, name, &scope, id),
        )
        .await
    }
}
