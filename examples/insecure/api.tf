resource "aws_api_gateway_rest_api" "orders" {
  name = "${var.name}-orders"
}

# SEC004, PERF001, OPS001: no WAF, no throttling, no access logs.
resource "aws_api_gateway_stage" "prod" {
  rest_api_id   = aws_api_gateway_rest_api.orders.id
  deployment_id = "abc123"
  stage_name    = "prod"
}
