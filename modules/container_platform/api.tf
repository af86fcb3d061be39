# The API path: API Gateway HTTP API -> VPC link -> internal Network Load Balancer -> the
# cluster's ingress service on ingress_node_port of every node. API Gateway throttles and
# logs every request (and checks JWTs when api_jwt_issuer is set); CloudFront in front of it
# adds the WAF (edge.tf).

# --- Internal NLB -------------------------------------------------------------------------

resource "aws_lb" "ingress" {
  name                             = "${var.name}-ingress"
  load_balancer_type               = "network"
  internal                         = true
  subnets                          = aws_subnet.private[*].id
  enable_cross_zone_load_balancing = true

  tags = var.tags
}

resource "aws_lb_target_group" "ingress" {
  name                 = "${var.name}-ingress"
  vpc_id               = aws_vpc.this.id
  port                 = var.ingress_node_port
  protocol             = "TCP"
  target_type          = "instance"
  deregistration_delay = 30

  health_check {
    protocol            = "TCP"
    port                = "traffic-port"
    interval            = 10
    healthy_threshold   = 3
    unhealthy_threshold = 3
  }

  tags = var.tags
}

resource "aws_lb_listener" "ingress" {
  load_balancer_arn = aws_lb.ingress.arn
  port              = 80
  protocol          = "TCP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.ingress.arn
  }

  tags = var.tags
}

# Every node of every group is a target: the ingress service answers on the NodePort of each.
resource "aws_autoscaling_attachment" "ingress" {
  for_each = var.node_groups

  autoscaling_group_name = aws_eks_node_group.this[each.key].resources[0].autoscaling_groups[0].name
  lb_target_group_arn    = aws_lb_target_group.ingress.arn
}

# --- HTTP API -----------------------------------------------------------------------------

resource "aws_apigatewayv2_vpc_link" "this" {
  name               = "${var.name}-ingress"
  subnet_ids         = aws_subnet.private[*].id
  security_group_ids = [aws_security_group.vpc_link.id]

  tags = var.tags
}

resource "aws_apigatewayv2_api" "this" {
  name          = "${var.name}-api"
  description   = "Public API of ${var.name}, served by the EKS cluster"
  protocol_type = "HTTP"

  tags = var.tags
}

resource "aws_apigatewayv2_authorizer" "jwt" {
  count = var.api_jwt_issuer == null ? 0 : 1

  api_id           = aws_apigatewayv2_api.this.id
  name             = "jwt"
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]

  jwt_configuration {
    issuer   = var.api_jwt_issuer
    audience = var.api_jwt_audience
  }
}

resource "aws_apigatewayv2_integration" "cluster" {
  api_id                 = aws_apigatewayv2_api.this.id
  description            = "The cluster's ingress, through the VPC link and the internal NLB"
  integration_type       = "HTTP_PROXY"
  integration_method     = "ANY"
  integration_uri        = aws_lb_listener.ingress.arn
  connection_type        = "VPC_LINK"
  connection_id          = aws_apigatewayv2_vpc_link.this.id
  payload_format_version = "1.0"
  timeout_milliseconds   = 29000
}

resource "aws_apigatewayv2_route" "api" {
  api_id             = aws_apigatewayv2_api.this.id
  route_key          = "ANY /${var.api_path_prefix}/{proxy+}"
  target             = "integrations/${aws_apigatewayv2_integration.cluster.id}"
  authorization_type = var.api_jwt_issuer == null ? "NONE" : "JWT"
  authorizer_id      = var.api_jwt_issuer == null ? null : aws_apigatewayv2_authorizer.jwt[0].id
}

resource "aws_cloudwatch_log_group" "api_access" {
  name              = "/aws/apigateway/${var.name}-api"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn

  tags = var.tags
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit    = var.api_throttling_rate_limit
    throttling_burst_limit   = var.api_throttling_burst_limit
    detailed_metrics_enabled = true
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format = jsonencode({
      requestId          = "$context.requestId"
      requestTime        = "$context.requestTime"
      sourceIp           = "$context.identity.sourceIp"
      httpMethod         = "$context.httpMethod"
      path               = "$context.path"
      routeKey           = "$context.routeKey"
      status             = "$context.status"
      responseLength     = "$context.responseLength"
      integrationStatus  = "$context.integrationStatus"
      integrationError   = "$context.integrationErrorMessage"
      integrationLatency = "$context.integrationLatency"
    })
  }

  tags = var.tags
}
