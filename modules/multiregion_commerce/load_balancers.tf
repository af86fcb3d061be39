# An internet-facing Application Load Balancer per region, in the public subnets, behind a
# regional web ACL. It is internet-facing on purpose: CloudFront reaches it as a custom
# origin, and Route 53 health checks probe it from several regions. HTTP only redirects to
# HTTPS; access logs go to a log bucket of the same region (S3-managed encryption, the only
# kind ELB log delivery supports).

data "aws_elb_service_account" "primary" {
  provider = aws.primary
}

data "aws_elb_service_account" "failover" {
  provider = aws.failover
}

locals {
  # Rules of the regional web ACLs: a per-IP rate limit, then AWS managed rule groups.
  managed_rule_groups = {
    "AWSManagedRulesAmazonIpReputationList" = 1
    "AWSManagedRulesCommonRuleSet"          = 2
    "AWSManagedRulesKnownBadInputsRuleSet"  = 3
    "AWSManagedRulesSQLiRuleSet"            = 4
  }
}

# --- Primary region -----------------------------------------------------------------------

resource "aws_s3_bucket" "primary_alb_logs" {
  provider = aws.primary

  bucket_prefix = "${var.name}-primary-alb-logs-"

  tags = var.tags
}

resource "aws_s3_bucket_ownership_controls" "primary_alb_logs" {
  provider = aws.primary

  bucket = aws_s3_bucket.primary_alb_logs.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "primary_alb_logs" {
  provider = aws.primary

  bucket                  = aws_s3_bucket.primary_alb_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "primary_alb_logs" {
  provider = aws.primary

  bucket = aws_s3_bucket.primary_alb_logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "primary_alb_logs" {
  provider = aws.primary

  bucket = aws_s3_bucket.primary_alb_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "primary_alb_logs" {
  provider = aws.primary

  bucket = aws_s3_bucket.primary_alb_logs.id

  rule {
    id     = "expire-access-logs"
    status = "Enabled"

    filter {}

    expiration {
      days = 90
    }

    noncurrent_version_expiration {
      noncurrent_days = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.primary_alb_logs]
}

data "aws_iam_policy_document" "primary_alb_logs" {
  provider = aws.primary

  statement {
    sid       = "ElbLogDelivery"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.primary_alb_logs.arn}/AWSLogs/${local.account_id}/*"]

    principals {
      type        = "AWS"
      identifiers = [data.aws_elb_service_account.primary.arn]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.primary_alb_logs.arn, "${aws_s3_bucket.primary_alb_logs.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "primary_alb_logs" {
  provider = aws.primary

  bucket = aws_s3_bucket.primary_alb_logs.id
  policy = data.aws_iam_policy_document.primary_alb_logs.json

  depends_on = [aws_s3_bucket_public_access_block.primary_alb_logs]
}

resource "aws_lb" "primary" {
  provider = aws.primary

  name                       = "${var.name}-primary"
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = aws_subnet.primary_public[*].id
  security_groups            = [aws_security_group.primary_alb.id]
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection

  access_logs {
    bucket  = aws_s3_bucket.primary_alb_logs.id
    enabled = true
  }

  tags = var.tags

  depends_on = [aws_s3_bucket_policy.primary_alb_logs]
}

resource "aws_lb_target_group" "primary" {
  provider = aws.primary

  name                 = "${var.name}-primary-app"
  vpc_id               = aws_vpc.primary.id
  port                 = var.app_port
  protocol             = "HTTP"
  target_type          = "instance"
  deregistration_delay = 30

  health_check {
    path                = var.health_check_path
    matcher             = "200"
    interval            = 15
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = var.tags
}

resource "aws_lb_listener" "primary_https" {
  provider = aws.primary

  load_balancer_arn = aws_lb.primary.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.primary_certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.primary.arn
  }

  tags = var.tags
}

resource "aws_lb_listener" "primary_http" {
  provider = aws.primary

  load_balancer_arn = aws_lb.primary.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }

  tags = var.tags
}

resource "aws_wafv2_web_acl" "primary" {
  provider = aws.primary

  name        = "${var.name}-primary-alb"
  description = "Rate limit and AWS managed rules for the primary load balancer"
  scope       = "REGIONAL"

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
      metric_name                = "${var.name}-primary-rate-limit"
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
        metric_name                = "${var.name}-primary-${rule.key}"
        sampled_requests_enabled   = true
      }
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.name}-primary-alb"
    sampled_requests_enabled   = true
  }

  tags = var.tags
}

resource "aws_wafv2_web_acl_association" "primary_alb" {
  provider = aws.primary

  resource_arn = aws_lb.primary.arn
  web_acl_arn  = aws_wafv2_web_acl.primary.arn
}

# --- Failover region ----------------------------------------------------------------------

resource "aws_s3_bucket" "failover_alb_logs" {
  provider = aws.failover

  bucket_prefix = "${var.name}-failover-alb-logs-"

  tags = var.tags
}

resource "aws_s3_bucket_ownership_controls" "failover_alb_logs" {
  provider = aws.failover

  bucket = aws_s3_bucket.failover_alb_logs.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "failover_alb_logs" {
  provider = aws.failover

  bucket                  = aws_s3_bucket.failover_alb_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "failover_alb_logs" {
  provider = aws.failover

  bucket = aws_s3_bucket.failover_alb_logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "failover_alb_logs" {
  provider = aws.failover

  bucket = aws_s3_bucket.failover_alb_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "failover_alb_logs" {
  provider = aws.failover

  bucket = aws_s3_bucket.failover_alb_logs.id

  rule {
    id     = "expire-access-logs"
    status = "Enabled"

    filter {}

    expiration {
      days = 90
    }

    noncurrent_version_expiration {
      noncurrent_days = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.failover_alb_logs]
}

data "aws_iam_policy_document" "failover_alb_logs" {
  provider = aws.failover

  statement {
    sid       = "ElbLogDelivery"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.failover_alb_logs.arn}/AWSLogs/${local.account_id}/*"]

    principals {
      type        = "AWS"
      identifiers = [data.aws_elb_service_account.failover.arn]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.failover_alb_logs.arn, "${aws_s3_bucket.failover_alb_logs.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "failover_alb_logs" {
  provider = aws.failover

  bucket = aws_s3_bucket.failover_alb_logs.id
  policy = data.aws_iam_policy_document.failover_alb_logs.json

  depends_on = [aws_s3_bucket_public_access_block.failover_alb_logs]
}

resource "aws_lb" "failover" {
  provider = aws.failover

  name                       = "${var.name}-failover"
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = aws_subnet.failover_public[*].id
  security_groups            = [aws_security_group.failover_alb.id]
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection

  access_logs {
    bucket  = aws_s3_bucket.failover_alb_logs.id
    enabled = true
  }

  tags = var.tags

  depends_on = [aws_s3_bucket_policy.failover_alb_logs]
}

resource "aws_lb_target_group" "failover" {
  provider = aws.failover

  name                 = "${var.name}-failover-app"
  vpc_id               = aws_vpc.failover.id
  port                 = var.app_port
  protocol             = "HTTP"
  target_type          = "instance"
  deregistration_delay = 30

  health_check {
    path                = var.health_check_path
    matcher             = "200"
    interval            = 15
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = var.tags
}

resource "aws_lb_listener" "failover_https" {
  provider = aws.failover

  load_balancer_arn = aws_lb.failover.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.failover_certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.failover.arn
  }

  tags = var.tags
}

resource "aws_lb_listener" "failover_http" {
  provider = aws.failover

  load_balancer_arn = aws_lb.failover.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }

  tags = var.tags
}

resource "aws_wafv2_web_acl" "failover" {
  provider = aws.failover

  name        = "${var.name}-failover-alb"
  description = "Rate limit and AWS managed rules for the failover load balancer"
  scope       = "REGIONAL"

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
      metric_name                = "${var.name}-failover-rate-limit"
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
        metric_name                = "${var.name}-failover-${rule.key}"
        sampled_requests_enabled   = true
      }
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.name}-failover-alb"
    sampled_requests_enabled   = true
  }

  tags = var.tags
}

resource "aws_wafv2_web_acl_association" "failover_alb" {
  provider = aws.failover

  resource_arn = aws_lb.failover.arn
  web_acl_arn  = aws_wafv2_web_acl.failover.arn
}
