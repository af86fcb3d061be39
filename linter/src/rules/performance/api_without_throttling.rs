use crate::declare_rule;
use crate::graph::{Graph, Resource, Value};
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an API Gateway stage whose requests are only limited by the account:
    /// - an `aws_api_gateway_stage` (REST API) with no `aws_api_gateway_method_settings` for it
    ///   (its `stage_name` references the stage, or names it and `rest_api_id` is the same API)
    ///   whose `settings` set both `throttling_rate_limit` and `throttling_burst_limit` (the
    ///   provider default `-1` means "not set"), and no `aws_api_gateway_usage_plan` with
    ///   `api_stages { stage = ... }` for it and a `throttle_settings` block (or a per-method
    ///   `api_stages { throttle {} }`);
    /// - an `aws_apigatewayv2_stage` (HTTP or WebSocket API) without
    ///   `default_route_settings { throttling_rate_limit, throttling_burst_limit }` or a
    ///   `route_settings` block that sets both.
    ///
    /// ## Why is this bad?
    /// Without stage or method limits, an API is throttled only by the account-level quota of
    /// 10,000 requests per second (burst 5,000) that every API of the account shares in the
    /// region. One API's traffic spike, a retry storm or a scraper can then starve every other
    /// API, and the backend behind the stage gets whatever the account allows instead of
    /// what it was load-tested for.
    ///
    /// Unknown limit values and dynamic `settings` blocks count as set; a method settings or
    /// usage plan whose stage or API is unknown (a variable without a value) is taken to
    /// apply. A method settings that sets only one of the two limits is reported as such.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_api_gateway_rest_api" "orders" {
    ///   name = "orders"
    /// }
    ///
    /// resource "aws_api_gateway_stage" "prod" {
    ///   rest_api_id   = aws_api_gateway_rest_api.orders.id
    ///   deployment_id = "a1b2c3"
    ///   stage_name    = "prod"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_api_gateway_rest_api" "orders" {
    ///   name = "orders"
    /// }
    ///
    /// resource "aws_api_gateway_stage" "prod" {
    ///   rest_api_id   = aws_api_gateway_rest_api.orders.id
    ///   deployment_id = "a1b2c3"
    ///   stage_name    = "prod"
    /// }
    ///
    /// resource "aws_api_gateway_method_settings" "prod_all" {
    ///   rest_api_id = aws_api_gateway_rest_api.orders.id
    ///   stage_name  = aws_api_gateway_stage.prod.stage_name
    ///   method_path = "*/*"
    ///
    ///   settings {
    ///     throttling_rate_limit  = 500
    ///     throttling_burst_limit = 1000
    ///   }
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// REL05-BP02: throttle requests, at the limits the workload was tested for, so a surge
    /// is shed at the edge instead of exhausting shared capacity.
    pub struct ApiWithoutThrottling {
        code: "PERF001",
        name: "api-without-throttling",
        pillar: PerformanceEfficiency,
        severity: Medium,
        best_practice: "REL05-BP02",
        since: "0.1.0",
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Limit {
    Set,
    Unset,
    Unknown,
}

/// A throttling limit in a settings block. REST method settings use `-1` for "not set".
fn limit(block: &Value, key: &str) -> Limit {
    match block.field(key) {
        None => Limit::Unset,
        Some(v) => match v.as_f64() {
            Some(n) if n < 0.0 => Limit::Unset,
            Some(_) => Limit::Set,
            None => Limit::Unknown,
        },
    }
}

/// `Ok(())` when some block sets both limits (or may), else the name of the one limit a block
/// sets alone, if any.
fn throttles(blocks: &[&Value], rate: &str, burst: &str) -> Result<(), Option<&'static str>> {
    let mut partial = None;
    for block in blocks {
        if !matches!(block, Value::Map(_)) {
            return Ok(());
        }
        match (limit(block, rate), limit(block, burst)) {
            (Limit::Unset, Limit::Unset) => {}
            (Limit::Unset, _) => partial = Some("throttling_burst_limit"),
            (_, Limit::Unset) => partial = Some("throttling_rate_limit"),
            _ => return Ok(()),
        }
    }
    Err(partial)
}

/// Whether two values may designate the same API: same reference, equal literals, or unknown.
fn same_api(g: &Graph, a: Option<&Value>, b: Option<&Value>) -> bool {
    let (Some(a), Some(b)) = (a, b) else {
        return true;
    };
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => return x == y,
        (Some(_), None) | (None, Some(_)) => return true,
        (None, None) => {}
    }
    let (ra, rb) = (a.refs(), b.refs());
    if ra.is_empty() || rb.is_empty() {
        return true;
    }
    ra.iter().any(|x| {
        let tx = g.resolve(x);
        rb.iter()
            .any(|y| x.resource == y.resource || g.resolve(y).iter().any(|t| tx.iter().any(|u| u.address == t.address)))
    })
}

/// Whether a `stage_name`/`stage` value (with its API id) designates `stage`.
fn designates(g: &Graph, stage_value: Option<&Value>, api_value: Option<&Value>, stage: &Resource) -> bool {
    let Some(value) = stage_value else {
        return false;
    };
    let stages = g.targets(value, "aws_api_gateway_stage");
    if stages.iter().any(|s| s.address == stage.address) {
        return true;
    }
    if !stages.is_empty() {
        return false;
    }
    let name_matches = match (value.as_str(), stage.str_attr("stage_name")) {
        (Some(a), Some(b)) => a == b,
        (Some(_), None) => stage.attr("stage_name").is_some_and(Value::is_unknown),
        (None, _) => value.is_unknown(),
    };
    name_matches && same_api(g, api_value, stage.attr("rest_api_id"))
}

fn check_rest_stage(ctx: &mut Ctx<'_>, stage: &Resource) {
    let g = ctx.graph;
    let mut partial: Option<(&Resource, &'static str)> = None;
    for ms in g.of_type("aws_api_gateway_method_settings") {
        if !designates(g, ms.attr("stage_name"), ms.attr("rest_api_id"), stage) {
            continue;
        }
        match throttles(
            &ms.attrs.blocks("settings"),
            "throttling_rate_limit",
            "throttling_burst_limit",
        ) {
            Ok(()) => return,
            Err(Some(only)) => partial = Some((ms, only)),
            Err(None) => {}
        }
    }
    for plan in g.of_type("aws_api_gateway_usage_plan") {
        let plan_stages = plan.attrs.blocks("api_stages");
        let throttled_plan = !plan.attrs.blocks("throttle_settings").is_empty();
        for api_stage in plan_stages {
            if !matches!(api_stage, Value::Map(_)) {
                if throttled_plan {
                    return;
                }
                continue;
            }
            if designates(g, api_stage.field("stage"), api_stage.field("api_id"), stage)
                && (throttled_plan || !api_stage.blocks("throttle").is_empty())
            {
                return;
            }
        }
    }
    let name = stage
        .str_attr("stage_name")
        .map(|n| format!(" `{n}`"))
        .unwrap_or_default();
    match partial {
        Some((ms, only)) => {
            ctx.report(
                stage,
                None,
                format!("API Gateway stage{name} sets only {only} in its method settings; the other limit stays at the account default shared by every API in the region"),
            )
            .related(ms, Some("settings"), format!("sets {only} but not the other throttling limit"));
        }
        None => {
            ctx.report(
                stage,
                None,
                format!("API Gateway stage{name} has no throttling (no method settings or usage plan limits), so it is only bounded by the account's 10,000 rps shared by every API in the region"),
            );
        }
    }
}

fn check_http_stage(ctx: &mut Ctx<'_>, stage: &Resource) {
    let rate = "throttling_rate_limit";
    let burst = "throttling_burst_limit";
    let default = throttles(&stage.attrs.blocks("default_route_settings"), rate, burst);
    let routes = throttles(&stage.attrs.blocks("route_settings"), rate, burst);
    let only = match (default, routes) {
        (Ok(()), _) | (_, Ok(())) => return,
        (Err(a), Err(b)) => a.or(b),
    };
    let name = stage.str_attr("name").map(|n| format!(" `{n}`")).unwrap_or_default();
    let attr = stage.attr("default_route_settings").map(|_| "default_route_settings");
    let message = match only {
        Some(only) => format!(
            "API Gateway stage{name} sets only {only} in its route settings; the other limit stays at the account default shared by every API in the region"
        ),
        None => format!(
            "API Gateway stage{name} sets no throttling_rate_limit/throttling_burst_limit in default_route_settings, so it is only bounded by the account's 10,000 rps shared by every API in the region"
        ),
    };
    ctx.report(stage, attr, message);
}

impl Rule for ApiWithoutThrottling {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        for stage in g.of_type("aws_api_gateway_stage") {
            check_rest_stage(ctx, stage);
        }
        for stage in g.of_type("aws_apigatewayv2_stage") {
            check_http_stage(ctx, stage);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, flagged};

    const API: &str = r#"
        resource "aws_api_gateway_rest_api" "api" { name = "api" }
        resource "aws_api_gateway_rest_api" "other" { name = "other" }
        resource "aws_api_gateway_stage" "prod" {
          rest_api_id   = aws_api_gateway_rest_api.api.id
          deployment_id = "d"
          stage_name    = "prod"
        }
    "#;

    #[test]
    fn method_settings_by_reference_or_by_name_on_the_same_api() {
        let by_ref = format!(
            "{API}{}",
            r#"
            resource "aws_api_gateway_method_settings" "m" {
              rest_api_id = aws_api_gateway_rest_api.api.id
              stage_name  = aws_api_gateway_stage.prod.stage_name
              method_path = "*/*"
              settings {
                throttling_rate_limit  = 100
                throttling_burst_limit = 200
              }
            }
        "#
        );
        assert!(flagged("PERF001", &by_ref).is_empty());
        let by_name = format!(
            "{API}{}",
            r#"
            resource "aws_api_gateway_method_settings" "m" {
              rest_api_id = aws_api_gateway_rest_api.api.id
              stage_name  = "prod"
              method_path = "*/*"
              settings {
                throttling_rate_limit  = 100
                throttling_burst_limit = 200
              }
            }
        "#
        );
        assert!(flagged("PERF001", &by_name).is_empty());
        let other_api = by_name.replace(
            "rest_api_id = aws_api_gateway_rest_api.api.id\n              stage_name  = \"prod\"",
            "rest_api_id = aws_api_gateway_rest_api.other.id\n              stage_name  = \"prod\"",
        );
        assert_eq!(flagged("PERF001", &other_api), ["aws_api_gateway_stage.prod"]);
    }

    #[test]
    fn minus_one_is_unset_and_a_single_limit_is_reported() {
        let tf = format!(
            "{API}{}",
            r#"
            resource "aws_api_gateway_method_settings" "m" {
              rest_api_id = aws_api_gateway_rest_api.api.id
              stage_name  = aws_api_gateway_stage.prod.stage_name
              method_path = "*/*"
              settings {
                throttling_rate_limit  = 100
                throttling_burst_limit = -1
                metrics_enabled        = true
              }
            }
        "#
        );
        let found = findings("PERF001", &tf);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("only throttling_rate_limit"),
            "{}",
            found[0].message
        );
        assert_eq!(found[0].related[0].resource, "aws_api_gateway_method_settings.m");
    }

    #[test]
    fn usage_plan_with_throttle_settings_counts() {
        let tf = format!(
            "{API}{}",
            r#"
            resource "aws_api_gateway_usage_plan" "p" {
              name = "p"
              api_stages {
                api_id = aws_api_gateway_rest_api.api.id
                stage  = aws_api_gateway_stage.prod.stage_name
              }
              throttle_settings {
                rate_limit  = 50
                burst_limit = 100
              }
            }
        "#
        );
        assert!(flagged("PERF001", &tf).is_empty());
        let without = tf
            .replace("throttle_settings {", "quota_settings {")
            .replace("rate_limit  = 50", "limit = 50")
            .replace("burst_limit = 100", "period = \"DAY\"");
        assert_eq!(flagged("PERF001", &without), ["aws_api_gateway_stage.prod"]);
    }

    #[test]
    fn unknown_limits_and_stage_names_count_as_throttled() {
        let tf = format!(
            "{API}{}",
            r#"
            variable "rate" { type = number }
            variable "stage" { type = string }
            resource "aws_api_gateway_method_settings" "m" {
              rest_api_id = aws_api_gateway_rest_api.api.id
              stage_name  = var.stage
              method_path = "*/*"
              settings {
                throttling_rate_limit  = var.rate
                throttling_burst_limit = var.rate
              }
            }
        "#
        );
        assert!(flagged("PERF001", &tf).is_empty());
    }

    #[test]
    fn http_api_default_route_settings() {
        let tf = r#"
            resource "aws_apigatewayv2_stage" "none" {
              api_id = "a"
              name   = "none"
            }
            resource "aws_apigatewayv2_stage" "metrics_only" {
              api_id = "a"
              name   = "m"
              default_route_settings { detailed_metrics_enabled = true }
            }
            resource "aws_apigatewayv2_stage" "ok" {
              api_id = "a"
              name   = "ok"
              default_route_settings {
                throttling_rate_limit  = 100
                throttling_burst_limit = 50
              }
            }
        "#;
        assert_eq!(
            flagged("PERF001", tf),
            ["aws_apigatewayv2_stage.metrics_only", "aws_apigatewayv2_stage.none"]
        );
    }

    #[test]
    fn counted_stages_each_need_their_own_settings() {
        let tf = r#"
            resource "aws_api_gateway_rest_api" "api" { name = "api" }
            resource "aws_api_gateway_stage" "s" {
              count         = 2
              rest_api_id   = aws_api_gateway_rest_api.api.id
              deployment_id = "d"
              stage_name    = "s${count.index}"
            }
            resource "aws_api_gateway_method_settings" "m" {
              rest_api_id = aws_api_gateway_rest_api.api.id
              stage_name  = aws_api_gateway_stage.s[0].stage_name
              method_path = "*/*"
              settings {
                throttling_rate_limit  = 1
                throttling_burst_limit = 1
              }
            }
        "#;
        assert_eq!(flagged("PERF001", tf), ["aws_api_gateway_stage.s[1]"]);
    }
}
