# CloudFront in front of both regions, behind a CLOUDFRONT-scope web ACL (us-east-1).
#
# CloudFront origin groups only serve GET, HEAD and OPTIONS, so traffic is split by path:
# - reads (default behaviour) go to an origin group: the primary ALB, and the failover ALB
#   when the primary answers 5xx or cannot be reached;
# - dynamic_path_patterns (cart, checkout, API: writes) are never cached and go to
#   origin.<domain_name>, which Route 53 resolves to a healthy region (dns.tf).

resource "aws_wafv2_web_acl" "edge" {
  provider = aws.us_east_1

  name        = "${var.name}-edge"
  description = "Rate limit and AWS managed rules in front of the ${var.name} storefront"
  scope       = "CLOUDFRONT"

  default_action {
    allow {}
  }

  rule {
    name     = "rate-limit-per-ip"
    priority = 0

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit              = var.waf_rate_limit
        aggregate_key_type = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-edge-rate-limit"
      sampled_requests_enabled   = true
    }
  }

  dynamic "rule" {
    for_each = local.managed_rule_groups

    content {
      name     = rule.key
      priority = rule.value

      override_action {
        none {}
      }

      statement {
        managed_rule_group_statement {
          vendor_name = "AWS"
          name        = rule.key
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${var.name}-edge-${rule.key}"
        sampled_requests_enabled   = true
      }
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.name}-edge"
    sampled_requests_enabled   = true
  }

  tags = var.tags
}

# Storefront pages are cached only as long as the application's Cache-Control says; the
# query string is part of the key (search, filters, pagination).
resource "aws_cloudfront_cache_policy" "storefront" {
  provider = aws.us_east_1

  name        = "${var.name}-storefront"
  comment     = "Origin-controlled caching for ${var.name} storefront pages"
  min_ttl     = 0
  default_ttl = 0
  max_ttl     = 86400

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_brotli = true
    enable_accept_encoding_gzip   = true

    cookies_config {
      cookie_behavior = "none"
    }

    headers_config {
      header_behavior = "none"
    }

    query_strings_config {
      query_string_behavior = "all"
    }
  }
}

data "aws_cloudfront_cache_policy" "caching_disabled" {
  provider = aws.us_east_1

  name = "Managed-CachingDisabled"
}

# Everything the viewer sent except Host: the origins' certificates are for their own names.
data "aws_cloudfront_origin_request_policy" "all_viewer_except_host" {
  provider = aws.us_east_1

  name = "Managed-AllViewerExceptHostHeader"
}

locals {
  alb_origins = {
    primary-alb       = local.primary_origin_domain
    failover-alb      = local.failover_origin_domain
    regional-failover = local.origin_domain
  }
}

resource "aws_cloudfront_distribution" "this" {
  provider = aws.us_east_1

  enabled         = true
  is_ipv6_enabled = true
  comment         = "${var.name} storefront (${local.primary_region} with failover to ${local.failover_region})"
  aliases         = [var.domain_name]
  price_class     = "PriceClass_All"
  http_version    = "http2and3"
  web_acl_id      = aws_wafv2_web_acl.edge.arn

  dynamic "origin" {
    for_each = local.alb_origins

    content {
      origin_id   = origin.key
      domain_name = origin.value

      custom_origin_config {
        http_port                = 80
        https_port               = 443
        origin_protocol_policy   = "https-only"
        origin_ssl_protocols     = ["TLSv1.2"]
        origin_read_timeout      = 30
        origin_keepalive_timeout = 5
      }
    }
  }

  origin_group {
    origin_id = "alb-primary-then-failover"

    failover_criteria {
      status_codes = [500, 502, 503, 504]
    }

    member {
      origin_id = "primary-alb"
    }

    member {
      origin_id = "failover-alb"
    }
  }

  default_cache_behavior {
    target_origin_id         = "alb-primary-then-failover"
    viewer_protocol_policy   = "redirect-to-https"
    allowed_methods          = ["GET", "HEAD", "OPTIONS"]
    cached_methods           = ["GET", "HEAD"]
    compress                 = true
    cache_policy_id          = aws_cloudfront_cache_policy.storefront.id
    origin_request_policy_id = data.aws_cloudfront_origin_request_policy.all_viewer_except_host.id
  }

  dynamic "ordered_cache_behavior" {
    for_each = var.dynamic_path_patterns

    content {
      path_pattern             = ordered_cache_behavior.value
      target_origin_id         = "regional-failover"
      viewer_protocol_policy   = "redirect-to-https"
      allowed_methods          = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
      cached_methods           = ["GET", "HEAD"]
      compress                 = true
      cache_policy_id          = data.aws_cloudfront_cache_policy.caching_disabled.id
      origin_request_policy_id = data.aws_cloudfront_origin_request_policy.all_viewer_except_host.id
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    acm_certificate_arn      = var.cloudfront_certificate_arn
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }

  tags = var.tags

  # The origins' names must resolve before CloudFront sends traffic to them.
  depends_on = [aws_route53_record.primary_origin, aws_route53_record.failover_origin]
}
