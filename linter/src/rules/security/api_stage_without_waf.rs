use std::collections::HashSet;

use crate::declare_rule;
use crate::graph::{Graph, Resource};
use crate::rules::security::alb_without_waf::{WafIndex, untraceable_association};
use crate::rules::{Ctx, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `aws_api_gateway_stage` of a REST API that no `aws_wafv2_web_acl_association`
    /// (or WAF Classic `aws_wafregional_web_acl_association`) protects. An association protects
    /// the stage when its `resource_arn` references it: usually the ARN is a string template
    /// such as `"${aws_api_gateway_rest_api.x.execution_arn}/stages/${aws_api_gateway_stage.s.stage_name}"`
    /// or `aws_api_gateway_stage.s.arn`; any reference to the stage counts. Stages of a REST API
    /// whose endpoint type is `PRIVATE` are not flagged.
    ///
    /// HTTP and WebSocket APIs (`aws_apigatewayv2_stage`) are deliberately left alone: AWS WAF
    /// cannot be associated with them; put CloudFront with a web ACL in front instead.
    ///
    /// ## Why is this bad?
    /// A public REST API stage hands every request to its integrations: Lambda invocations,
    /// backend calls and database queries are paid for and exposed to injection payloads, bots
    /// and floods. API Gateway throttling limits volume but does not inspect content; a web ACL
    /// does both, per client.
    ///
    /// When an association references the stage's REST API but no stage of it (the stage name
    /// written out, like `.../stages/prod`), it may protect any stage of that API, so none of
    /// them is flagged. An association whose `resource_arn` cannot be traced at all silences
    /// the rule; unknown endpoint types count as public. Deployments that create a stage
    /// implicitly (`aws_api_gateway_deployment.stage_name`) are not checked.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_api_gateway_rest_api" "orders" {
    ///   name = "orders"
    /// }
    ///
    /// resource "aws_api_gateway_deployment" "orders" {
    ///   rest_api_id = aws_api_gateway_rest_api.orders.id
    /// }
    ///
    /// resource "aws_api_gateway_stage" "prod" {
    ///   rest_api_id   = aws_api_gateway_rest_api.orders.id
    ///   deployment_id = aws_api_gateway_deployment.orders.id
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
    /// resource "aws_api_gateway_deployment" "orders" {
    ///   rest_api_id = aws_api_gateway_rest_api.orders.id
    /// }
    ///
    /// resource "aws_api_gateway_stage" "prod" {
    ///   rest_api_id   = aws_api_gateway_rest_api.orders.id
    ///   deployment_id = aws_api_gateway_deployment.orders.id
    ///   stage_name    = "prod"
    /// }
    ///
    /// resource "aws_wafv2_web_acl" "api" {
    ///   name  = "orders-api"
    ///   scope = "REGIONAL"
    ///
    ///   default_action {
    ///     allow {}
    ///   }
    ///
    ///   visibility_config {
    ///     cloudwatch_metrics_enabled = true
    ///     metric_name                = "orders-api"
    ///     sampled_requests_enabled   = true
    ///   }
    /// }
    ///
    /// resource "aws_wafv2_web_acl_association" "prod" {
    ///   resource_arn = aws_api_gateway_stage.prod.arn
    ///   web_acl_arn  = aws_wafv2_web_acl.api.arn
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// SEC05-BP02: control traffic flow within your network layers; inspect and filter API
    /// requests where they enter the workload.
    pub struct ApiStageWithoutWaf {
        code: "SEC004",
        name: "api-stage-without-waf",
        pillar: Security,
        severity: High,
        best_practice: "SEC05-BP02",
        since: "0.1.0",
    }
}

/// The REST APIs a stage belongs to.
fn apis_of<'g>(g: &'g Graph, stage: &Resource) -> Vec<&'g Resource> {
    stage
        .attr("rest_api_id")
        .map(|v| g.linked(v, "aws_api_gateway_rest_api", "id"))
        .unwrap_or_default()
}

fn is_private(api: &Resource) -> bool {
    api.attr("endpoint_configuration")
        .and_then(|_| api.attrs.blocks("endpoint_configuration").into_iter().next())
        .and_then(|b| b.field("types"))
        .is_some_and(|t| {
            let types = t.strings();
            !types.is_empty() && types.iter().all(|s| s.eq_ignore_ascii_case("PRIVATE"))
        })
}

/// True when an association references an API of the stage but no stage at all.
/// An association that references the stage's REST API but none of its stages.
fn api_wide_association(index: &WafIndex<'_>, apis: &[&Resource]) -> bool {
    apis.iter()
        .any(|api| index.referenced_without_stage.contains(api.address.as_str()))
}

/// The `{name}` of every known `resource_arn` string ending in `/stages/{name}` where the name
/// has no `/`.
fn stage_names<'g>(index: &WafIndex<'g>) -> HashSet<&'g str> {
    index
        .strings
        .iter()
        .filter_map(|s| s.rsplit_once('/'))
        .filter(|(head, _)| head.ends_with("/stages"))
        .map(|(_, tail)| tail)
        .collect()
}

impl Rule for ApiStageWithoutWaf {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        if untraceable_association(g) {
            return;
        }
        let index = WafIndex::new(g);
        let stage_names = stage_names(&index);
        for stage in g.of_type("aws_api_gateway_stage") {
            let apis = apis_of(g, stage);
            if !apis.is_empty() && apis.iter().all(|a| is_private(a)) {
                continue;
            }
            let arn = stage.str_attr("arn");
            let name = stage.str_attr("stage_name");
            let by_name = name.is_some_and(|n| {
                if n.contains('/') {
                    let suffix = format!("/stages/{n}");
                    index.strings.iter().any(|s| s.ends_with(&suffix))
                } else {
                    stage_names.contains(n)
                }
            });
            let protected = index.references(stage) || arn.is_some_and(|a| index.string_set.contains(a)) || by_name;
            if protected || api_wide_association(&index, &apis) {
                continue;
            }
            let label = name
                .map(|n| format!("API Gateway stage \"{n}\""))
                .unwrap_or_else(|| "API Gateway stage".into());
            let f = ctx.report(
                stage,
                None,
                format!("{label} has no AWS WAF web ACL association (no aws_wafv2_web_acl_association references it)"),
            );
            for api in apis {
                f.related(api, None, "the REST API this stage serves");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings_in, flagged};

    const API: &str = r#"
        resource "aws_api_gateway_rest_api" "api" { name = "api" }
        resource "aws_api_gateway_stage" "prod" {
          rest_api_id = aws_api_gateway_rest_api.api.id
          stage_name  = "prod"
        }
        resource "aws_api_gateway_stage" "dev" {
          rest_api_id = aws_api_gateway_rest_api.api.id
          stage_name  = "dev"
        }
        resource "aws_wafv2_web_acl" "w" { scope = "REGIONAL" }
    "#;

    #[test]
    fn arn_built_as_a_template_referencing_the_stage() {
        let tf = format!(
            r#"{API}
            data "aws_region" "current" {{}}
            resource "aws_wafv2_web_acl_association" "prod" {{
              resource_arn = "arn:aws:apigateway:${{data.aws_region.current.name}}::/restapis/${{aws_api_gateway_rest_api.api.id}}/stages/${{aws_api_gateway_stage.prod.stage_name}}"
              web_acl_arn  = aws_wafv2_web_acl.w.arn
            }}
            "#
        );
        assert_eq!(flagged("SEC004", &tf), ["aws_api_gateway_stage.dev"]);
    }

    #[test]
    fn stage_name_written_out_covers_the_api_stages() {
        let tf = format!(
            r#"{API}
            resource "aws_wafv2_web_acl_association" "prod" {{
              resource_arn = "${{aws_api_gateway_rest_api.api.arn}}/stages/prod"
              web_acl_arn  = aws_wafv2_web_acl.w.arn
            }}
            "#
        );
        assert!(flagged("SEC004", &tf).is_empty());
    }

    #[test]
    fn private_apis_and_http_apis_are_not_flagged() {
        let tf = r#"
            resource "aws_api_gateway_rest_api" "internal" {
              name = "internal"
              endpoint_configuration { types = ["PRIVATE"] }
            }
            resource "aws_api_gateway_stage" "internal" {
              rest_api_id = aws_api_gateway_rest_api.internal.id
              stage_name  = "prod"
            }
            resource "aws_apigatewayv2_api" "http" { protocol_type = "HTTP" }
            resource "aws_apigatewayv2_stage" "http" { api_id = aws_apigatewayv2_api.http.id }
        "#;
        assert!(flagged("SEC004", tf).is_empty());
    }

    #[test]
    fn unknown_association_target_is_not_flagged() {
        let tf = format!(
            r#"{API}
            variable "arn" {{}}
            resource "aws_wafv2_web_acl_association" "x" {{
              resource_arn = var.arn
              web_acl_arn  = aws_wafv2_web_acl.w.arn
            }}
            "#
        );
        assert!(flagged("SEC004", &tf).is_empty());
    }

    #[test]
    fn association_in_another_module() {
        let files = [
            (
                "main.tf",
                r#"
                module "api" { source = "./api" }
                resource "aws_wafv2_web_acl" "w" { scope = "REGIONAL" }
                resource "aws_wafv2_web_acl_association" "api" {
                  for_each     = module.api.stage_arns
                  resource_arn = each.value
                  web_acl_arn  = aws_wafv2_web_acl.w.arn
                }
            "#,
            ),
            (
                "api/main.tf",
                r#"
                resource "aws_api_gateway_rest_api" "this" { name = "api" }
                resource "aws_api_gateway_stage" "this" {
                  for_each    = toset(["prod", "dev"])
                  rest_api_id = aws_api_gateway_rest_api.this.id
                  stage_name  = each.key
                }
                resource "aws_api_gateway_stage" "unprotected" {
                  rest_api_id = aws_api_gateway_rest_api.this.id
                  stage_name  = "test"
                }
                output "stage_arns" {
                  value = { for k, s in aws_api_gateway_stage.this : k => s.arn }
                }
            "#,
            ),
        ];
        let found: Vec<String> = findings_in("SEC004", &files).into_iter().map(|f| f.resource).collect();
        assert_eq!(found, ["module.api.aws_api_gateway_stage.unprotected"]);
    }
}
