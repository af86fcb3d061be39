use crate::declare_rule;
use crate::graph::{Resource, Value};
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an API Gateway stage (`aws_api_gateway_stage` for REST APIs,
    /// `aws_apigatewayv2_stage` for HTTP and WebSocket APIs) without access logging: no
    /// `access_log_settings` block, or one without a `destination_arn`. Access logging is off
    /// unless that block is written.
    ///
    /// ## Why is this bad?
    /// Access logs are the record of who called which route, when, from where, with which
    /// status and latency. Without them, a spike of 5xx or 429 responses, a misbehaving
    /// client or an abuse attempt can be seen in metrics but not explained, and there is no
    /// audit trail of the API's use.
    ///
    /// An unknown `destination_arn` or a dynamic `access_log_settings` block counts as
    /// configured: the rule only flags stages that certainly do not log.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_apigatewayv2_api" "orders" {
    ///   name          = "orders"
    ///   protocol_type = "HTTP"
    /// }
    ///
    /// resource "aws_apigatewayv2_stage" "prod" {
    ///   api_id      = aws_apigatewayv2_api.orders.id
    ///   name        = "prod"
    ///   auto_deploy = true
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_apigatewayv2_api" "orders" {
    ///   name          = "orders"
    ///   protocol_type = "HTTP"
    /// }
    ///
    /// resource "aws_cloudwatch_log_group" "orders_access" {
    ///   name              = "/apigateway/orders/prod"
    ///   retention_in_days = 90
    /// }
    ///
    /// resource "aws_apigatewayv2_stage" "prod" {
    ///   api_id      = aws_apigatewayv2_api.orders.id
    ///   name        = "prod"
    ///   auto_deploy = true
    ///
    ///   access_log_settings {
    ///     destination_arn = aws_cloudwatch_log_group.orders_access.arn
    ///     format = jsonencode({
    ///       requestId = "$context.requestId"
    ///       ip        = "$context.identity.sourceIp"
    ///       route     = "$context.routeKey"
    ///       status    = "$context.status"
    ///       latency   = "$context.responseLatency"
    ///     })
    ///   }
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// OPS08-BP02: analyze workload logs; an API's access log is its primary record of
    /// requests and outcomes.
    pub struct ApiWithoutAccessLogs {
        code: "OPS001",
        name: "api-without-access-logs",
        pillar: OperationalExcellence,
        severity: Medium,
        best_practice: "OPS08-BP02",
        since: "0.1.0",
    }
}

/// Why a stage certainly does not write access logs (`None` = it does, or it is unknown).
fn missing_access_logs(stage: &Resource) -> Option<&'static str> {
    let blocks = stage.attrs.blocks("access_log_settings");
    if blocks.is_empty() {
        return Some("has no access_log_settings block");
    }
    let configured = blocks.iter().any(|b| match b {
        Value::Map(_) => b.field("destination_arn").is_some_and(|d| d.as_str() != Some("")),
        _ => true,
    });
    if configured {
        None
    } else {
        Some("has access_log_settings without a destination_arn")
    }
}

impl Rule for ApiWithoutAccessLogs {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        for (rtype, name_attr) in [
            ("aws_api_gateway_stage", "stage_name"),
            ("aws_apigatewayv2_stage", "name"),
        ] {
            for stage in g.of_type(rtype) {
                let Some(why) = missing_access_logs(stage) else {
                    continue;
                };
                let name = stage.str_attr(name_attr).map(|n| format!(" `{n}`")).unwrap_or_default();
                let attr = stage.attr("access_log_settings").map(|_| "access_log_settings");
                ctx.report(
                    stage,
                    attr,
                    format!("API Gateway stage{name} {why}, so requests to it are not logged"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings_in, flagged};

    #[test]
    fn rest_and_http_stages_are_checked() {
        let tf = r#"
            resource "aws_api_gateway_rest_api" "api" { name = "api" }
            resource "aws_api_gateway_stage" "v1" {
              rest_api_id   = aws_api_gateway_rest_api.api.id
              deployment_id = "d1"
              stage_name    = "prod"
            }
            resource "aws_api_gateway_stage" "logged" {
              rest_api_id   = aws_api_gateway_rest_api.api.id
              deployment_id = "d1"
              stage_name    = "test"
              access_log_settings {
                destination_arn = "arn:aws:logs:eu-west-1:123456789012:log-group:api"
                format          = "$context.requestId"
              }
            }
            resource "aws_apigatewayv2_stage" "v2" {
              api_id = "abc"
              name   = "$default"
              access_log_settings { format = "$context.requestId" }
            }
        "#;
        assert_eq!(
            flagged("OPS001", tf),
            ["aws_api_gateway_stage.v1", "aws_apigatewayv2_stage.v2"]
        );
    }

    #[test]
    fn unknown_destination_and_dynamic_block_count_as_logging() {
        let tf = r#"
            variable "log_arn" { type = string }
            variable "logs" { type = list(string) }
            resource "aws_apigatewayv2_stage" "a" {
              api_id = "abc"
              name   = "a"
              access_log_settings {
                destination_arn = var.log_arn
                format          = "$context.requestId"
              }
            }
            resource "aws_apigatewayv2_stage" "b" {
              api_id = "abc"
              name   = "b"
              dynamic "access_log_settings" {
                for_each = var.logs
                content {
                  destination_arn = access_log_settings.value
                  format          = "$context.requestId"
                }
              }
            }
        "#;
        assert!(flagged("OPS001", tf).is_empty());
    }

    #[test]
    fn an_empty_dynamic_block_is_no_logging_in_a_module() {
        let files = [
            ("main.tf", r#"module "api" { source = "./api" }"#),
            (
                "api/main.tf",
                r#"
                variable "log_arns" { default = [] }
                resource "aws_apigatewayv2_stage" "this" {
                  api_id = "abc"
                  name   = "prod"
                  dynamic "access_log_settings" {
                    for_each = var.log_arns
                    content {
                      destination_arn = access_log_settings.value
                      format          = "$context.requestId"
                    }
                  }
                }
            "#,
            ),
        ];
        let found = findings_in("OPS001", &files);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].resource, "module.api.aws_apigatewayv2_stage.this");
        assert!(found[0].message.contains("`prod`"), "{}", found[0].message);
    }
}
