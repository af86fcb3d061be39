# Route 53: the storefront name points at CloudFront; origin names point at the ALBs.
#
#   <domain_name>              A/AAAA alias -> CloudFront (origin names are A only: the ALBs are IPv4)
#   primary.origin.<domain>    alias -> primary ALB   (origin group member)
#   failover.origin.<domain>   alias -> failover ALB  (origin group member)
#   origin.<domain>            PRIMARY/SECONDARY failover records (or latency records),
#                              each tied to a health check of its region's ALB
#
# Route 53 is global; its resources use the us-east-1 provider, where health-check metrics
# (and so their alarms, monitoring.tf) live.

resource "aws_route53_health_check" "primary" {
  provider = aws.us_east_1

  fqdn              = aws_lb.primary.dns_name
  port              = 443
  type              = "HTTPS"
  resource_path     = var.health_check_path
  request_interval  = 30
  failure_threshold = 3
  measure_latency   = true

  tags = merge(var.tags, { Name = "${var.name}-primary-alb" })
}

resource "aws_route53_health_check" "failover" {
  provider = aws.us_east_1

  fqdn              = aws_lb.failover.dns_name
  port              = 443
  type              = "HTTPS"
  resource_path     = var.health_check_path
  request_interval  = 30
  failure_threshold = 3
  measure_latency   = true

  tags = merge(var.tags, { Name = "${var.name}-failover-alb" })
}

# --- Per-region origin names (CloudFront origin group) ------------------------------------

resource "aws_route53_record" "primary_origin" {
  provider = aws.us_east_1

  zone_id = var.hosted_zone_id
  name    = local.primary_origin_domain
  type    = "A"

  alias {
    name                   = aws_lb.primary.dns_name
    zone_id                = aws_lb.primary.zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_record" "failover_origin" {
  provider = aws.us_east_1

  zone_id = var.hosted_zone_id
  name    = local.failover_origin_domain
  type    = "A"

  alias {
    name                   = aws_lb.failover.dns_name
    zone_id                = aws_lb.failover.zone_id
    evaluate_target_health = true
  }
}

# --- origin.<domain>: failover (default) or latency routing -------------------------------

resource "aws_route53_record" "origin_primary" {
  provider = aws.us_east_1

  zone_id         = var.hosted_zone_id
  name            = local.origin_domain
  type            = "A"
  set_identifier  = "${var.name}-primary"
  health_check_id = aws_route53_health_check.primary.id

  dynamic "failover_routing_policy" {
    for_each = var.routing_policy == "failover" ? ["PRIMARY"] : []

    content {
      type = failover_routing_policy.value
    }
  }

  dynamic "latency_routing_policy" {
    for_each = var.routing_policy == "latency" ? [local.primary_region] : []

    content {
      region = latency_routing_policy.value
    }
  }

  alias {
    name                   = aws_lb.primary.dns_name
    zone_id                = aws_lb.primary.zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_record" "origin_failover" {
  provider = aws.us_east_1

  zone_id         = var.hosted_zone_id
  name            = local.origin_domain
  type            = "A"
  set_identifier  = "${var.name}-failover"
  health_check_id = aws_route53_health_check.failover.id

  dynamic "failover_routing_policy" {
    for_each = var.routing_policy == "failover" ? ["SECONDARY"] : []

    content {
      type = failover_routing_policy.value
    }
  }

  dynamic "latency_routing_policy" {
    for_each = var.routing_policy == "latency" ? [local.failover_region] : []

    content {
      region = latency_routing_policy.value
    }
  }

  alias {
    name                   = aws_lb.failover.dns_name
    zone_id                = aws_lb.failover.zone_id
    evaluate_target_health = true
  }
}

# --- The storefront -----------------------------------------------------------------------

resource "aws_route53_record" "storefront" {
  provider = aws.us_east_1
  for_each = toset(["A", "AAAA"])

  zone_id = var.hosted_zone_id
  name    = var.domain_name
  type    = each.value

  alias {
    name                   = aws_cloudfront_distribution.this.domain_name
    zone_id                = aws_cloudfront_distribution.this.hosted_zone_id
    evaluate_target_health = false
  }
}
