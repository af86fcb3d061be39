# Redis OSS replication group: a primary and replicas in other zones with automatic failover,
# encrypted at rest (platform key) and in transit, protected by an AUTH token that Secrets
# Manager generates and keeps (pods read it from there), slow log shipped to CloudWatch.

locals {
  cache_group_id = "${var.name}-redis"
}

resource "aws_elasticache_subnet_group" "this" {
  name        = "${var.name}-cache"
  description = "Private subnets of ${var.name}"
  subnet_ids  = aws_subnet.private[*].id

  tags = var.tags
}

data "aws_secretsmanager_random_password" "cache_auth" {
  password_length     = 64
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "cache_auth" {
  name_prefix             = "${var.name}/redis/auth-"
  description             = "AUTH token of the ${var.name} Redis replication group"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = 30

  tags = var.tags
}

resource "aws_secretsmanager_secret_version" "cache_auth" {
  secret_id = aws_secretsmanager_secret.cache_auth.id
  secret_string = jsonencode({
    auth_token = data.aws_secretsmanager_random_password.cache_auth.random_password
  })

  # The data source draws a new token on every plan; the first one is kept.
  lifecycle {
    ignore_changes = [secret_string]
  }
}

resource "aws_cloudwatch_log_group" "cache_slow_log" {
  name              = "/aws/elasticache/${var.name}/slow-log"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn

  tags = var.tags
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id = local.cache_group_id
  description          = "Cache and session store of ${var.name}"
  engine               = "redis"
  engine_version       = var.cache_engine_version
  parameter_group_name = "default.redis7"
  node_type            = var.cache_node_type
  port                 = local.cache_port

  num_cache_clusters          = var.cache_node_count
  preferred_cache_cluster_azs = [for index in range(var.cache_node_count) : var.availability_zones[index % local.az_count]]
  automatic_failover_enabled  = true
  multi_az_enabled            = true

  subnet_group_name  = aws_elasticache_subnet_group.this.name
  security_group_ids = [aws_security_group.cache.id]

  at_rest_encryption_enabled = true
  kms_key_id                 = aws_kms_key.this.arn
  transit_encryption_enabled = true
  auth_token                 = jsondecode(aws_secretsmanager_secret_version.cache_auth.secret_string)["auth_token"]

  snapshot_retention_limit   = var.cache_snapshot_retention_days
  snapshot_window            = "03:00-04:00"
  maintenance_window         = "sun:04:30-sun:05:30"
  auto_minor_version_upgrade = true
  apply_immediately          = false

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.cache_slow_log.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }

  tags = var.tags

  lifecycle {
    # The token lives in Secrets Manager; rotate it there and with the ElastiCache API.
    ignore_changes = [auth_token]
  }
}
