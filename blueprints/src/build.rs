//! Small constructors every blueprint's `expand` uses: references, literals from settings,
//! IAM policy documents, tags.

use serde_json::Number;

use crate::component::Body;
use crate::config::{Setting, SettingMap, map_expr};
use crate::expr::Expr;

/// `<component>.<attribute>`
pub fn r(component: &str, attribute: &str) -> Expr {
    Expr::reference(component, attribute)
}

pub fn strs(items: &[&str]) -> Expr {
    Expr::List(items.iter().map(|s| Expr::str(*s)).collect())
}

pub fn obj(fields: Vec<(&str, Expr)>) -> Expr {
    Expr::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// A number setting, written as an integer when it is one.
pub fn num(n: &Setting<f64>) -> Expr {
    match n {
        Setting::Known(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Expr::int(*n as i64),
        Setting::Known(n) => Number::from_f64(*n).map(Expr::Number).unwrap_or(Expr::Unknown),
        Setting::Unknown => Expr::Unknown,
    }
}

pub fn int(n: &Setting<i64>) -> Expr {
    n.clone().into()
}

pub fn string(s: &Setting<String>) -> Expr {
    s.clone().into()
}

/// `"<parts...>"`: string interpolation.
pub fn template(parts: Vec<Expr>) -> Expr {
    Expr::Template(parts)
}

/// Adds the composite's `tags` (when there are any) to a taggable component.
pub fn tagged(tags: &Setting<SettingMap>, body: Body) -> Body {
    match tags {
        Setting::Known(t) if t.is_empty() => body,
        Setting::Known(t) => body.attr("tags", map_expr(t)),
        Setting::Unknown => body.attr("tags", Expr::Unknown),
    }
}

/// An IAM policy document as `jsonencode({...})`.
pub fn policy(statements: Vec<Expr>) -> Expr {
    Expr::json(obj(vec![
        ("Version", Expr::str("2012-10-17")),
        ("Statement", Expr::List(statements)),
    ]))
}

pub fn allow(sid: &str, actions: &[&str], resource: Expr) -> Expr {
    obj(vec![
        ("Sid", Expr::str(sid)),
        ("Effect", Expr::str("Allow")),
        ("Action", strs(actions)),
        ("Resource", resource),
    ])
}

/// A trust policy letting `service` assume the role.
pub fn assume_role(service: &str) -> Expr {
    policy(vec![obj(vec![
        ("Effect", Expr::str("Allow")),
        ("Principal", obj(vec![("Service", Expr::str(service))])),
        ("Action", Expr::str("sts:AssumeRole")),
    ])])
}

/// `arn:aws:iam::<account>:root`, the account id read from `data.aws_caller_identity.<name>`.
pub fn account_root(caller_identity: &str) -> Expr {
    template(vec![
        Expr::str("arn:aws:iam::"),
        r(caller_identity, "account_id"),
        Expr::str(":root"),
    ])
}

/// An `Allow` statement of a resource policy (key or bucket policy): it names a principal.
pub fn grant(sid: &str, principal: Expr, actions: &[&str], resource: Expr) -> Expr {
    obj(vec![
        ("Sid", Expr::str(sid)),
        ("Effect", Expr::str("Allow")),
        ("Principal", principal),
        ("Action", strs(actions)),
        ("Resource", resource),
    ])
}

/// The policy of a customer managed key that encrypts an alarm topic: the account
/// administers it through IAM (AWS's default key policy), and CloudWatch may use it, which it
/// must to publish alarms to a topic encrypted with the key (AWS managed `aws/sns` never lets it).
pub fn alarm_topic_key_policy(caller_identity: &str) -> Expr {
    policy(vec![
        grant(
            "AccountAdministersThroughIam",
            obj(vec![("AWS", account_root(caller_identity))]),
            &["kms:*"],
            Expr::str("*"),
        ),
        grant(
            "CloudWatchAlarmsPublishToEncryptedTopics",
            obj(vec![("Service", Expr::str("cloudwatch.amazonaws.com"))]),
            &["kms:Decrypt", "kms:GenerateDataKey*"],
            Expr::str("*"),
        ),
    ])
}

/// A WAF web ACL that allows by default, blocks a client IP over `rate_limit` requests per
/// five minutes (first, so a flood is dropped before the managed rules inspect it), then
/// applies AWS managed rule `groups`. `metric(rule)` names the CloudWatch metric of a rule
/// (`rate-limit` or a group's name), `metric("")` that of the ACL itself.
pub fn rate_limited_web_acl(
    name: Expr,
    scope: &str,
    description: &str,
    rate_limit: &Setting<i64>,
    groups: &[String],
    metric: &dyn Fn(&str) -> Expr,
) -> Body {
    let visibility = |rule: &str| {
        Body::new()
            .attr("cloudwatch_metrics_enabled", true)
            .attr("metric_name", metric(rule))
            .attr("sampled_requests_enabled", true)
    };
    let mut acl = Body::new()
        .attr("name", name)
        .attr("scope", scope)
        .attr("description", description)
        .block("default_action", Body::new().block("allow", Body::new()))
        .block(
            "rule",
            Body::new()
                .attr("name", "rate-limit")
                .attr("priority", 0)
                .block("action", Body::new().block("block", Body::new()))
                .block(
                    "statement",
                    Body::new().block(
                        "rate_based_statement",
                        Body::new()
                            .attr("limit", int(rate_limit))
                            .attr("aggregate_key_type", "IP"),
                    ),
                )
                .block("visibility_config", visibility("rate-limit")),
        );
    for (i, group) in groups.iter().enumerate() {
        acl = acl.block(
            "rule",
            Body::new()
                .attr("name", group.as_str())
                .attr("priority", i as i64 + 1)
                .block("override_action", Body::new().block("none", Body::new()))
                .block(
                    "statement",
                    Body::new().block(
                        "managed_rule_group_statement",
                        Body::new().attr("name", group.as_str()).attr("vendor_name", "AWS"),
                    ),
                )
                .block("visibility_config", visibility(group)),
        );
    }
    acl.block("visibility_config", visibility(""))
}
