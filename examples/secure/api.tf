# HTTP API with throttling and access logs, sending to the queue.

resource "aws_apigatewayv2_api" "orders" {
  name          = "${var.name}-api"
  protocol_type = "HTTP"
}

resource "aws_cloudwatch_log_group" "api" {
  name              = "/aws/apigateway/${var.name}"
  retention_in_days = 30
  kms_key_id        = aws_kms_key.data.arn
}

resource "aws_apigatewayv2_stage" "live" {
  api_id      = aws_apigatewayv2_api.orders.id
  name        = "live"
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit  = 100
    throttling_burst_limit = 200
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api.arn
    format          = jsonencode({ requestId = "$context.requestId", status = "$context.status" })
  }
}
