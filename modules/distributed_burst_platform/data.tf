# The data tier, encrypted with the module's key:
#   - Aurora PostgreSQL in the database subnets (TLS required, instances across zones, backups,
#     deletion protection), reached only through RDS Proxy, which pools the connections of a
#     bursting fleet and requires IAM authentication and TLS from clients. The proxy sits in the
#     private subnets: it reads its user secrets from Secrets Manager over HTTPS, through NAT;
#   - ElastiCache Redis in the database subnets, with automatic failover to another zone, TLS
#     and encryption at rest;
#   - the S3 bucket for job payloads.
# RDS generates the master password and keeps it in Secrets Manager; nothing secret passes
# through Terraform.

locals {
  db_cluster_identifier = "${var.name}-db"
  db_engine_major       = split(".", var.db_engine_version)[0]
}

resource "aws_db_subnet_group" "this" {
  name        = "${var.name}-db"
  description = "Database subnets of ${var.name} (no route out of the VPC)."
  subnet_ids  = aws_subnet.database[*].id

  tags = local.tags
}

resource "aws_rds_cluster_parameter_group" "this" {
  name        = "${var.name}-aurora-postgresql${local.db_engine_major}"
  family      = "aurora-postgresql${local.db_engine_major}"
  description = "${var.name}: TLS-only connections, DDL and slow statement logging."

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }

  tags = local.tags
}

# RDS would create the log group of exported logs itself, without retention or encryption.
resource "aws_cloudwatch_log_group" "db" {
  name              = "/aws/rds/cluster/${local.db_cluster_identifier}/postgresql"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn

  tags = local.tags
}

resource "aws_rds_cluster" "this" {
  cluster_identifier              = local.db_cluster_identifier
  engine                          = "aurora-postgresql"
  engine_version                  = var.db_engine_version
  database_name                   = var.db_name
  master_username                 = var.db_master_username
  manage_master_user_password     = true
  master_user_secret_kms_key_id   = aws_kms_key.this.arn
  db_subnet_group_name            = aws_db_subnet_group.this.name
  vpc_security_group_ids          = [aws_security_group.db.id]
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.this.name
  port                            = 5432

  storage_encrypted                   = true
  kms_key_id                          = aws_kms_key.this.arn
  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports     = ["postgresql"]

  backup_retention_period      = var.db_backup_retention_days
  preferred_backup_window      = var.db_backup_window
  preferred_maintenance_window = var.db_maintenance_window
  copy_tags_to_snapshot        = true
  deletion_protection          = var.deletion_protection
  skip_final_snapshot          = false
  final_snapshot_identifier    = "${local.db_cluster_identifier}-final"

  tags = local.tags

  depends_on = [aws_cloudwatch_log_group.db]
}

data "aws_iam_policy_document" "rds_monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "rds_monitoring" {
  name               = "${var.name}-rds-monitoring"
  assume_role_policy = data.aws_iam_policy_document.rds_monitoring_assume.json

  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "rds_monitoring" {
  role       = aws_iam_role.rds_monitoring.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

# No availability_zone: RDS places the instances in different zones of the subnet group, and
# promotes a reader in another zone if the writer's zone fails.
resource "aws_rds_cluster_instance" "this" {
  count = var.db_instance_count

  identifier                            = "${local.db_cluster_identifier}-${count.index + 1}"
  cluster_identifier                    = aws_rds_cluster.this.id
  engine                                = aws_rds_cluster.this.engine
  engine_version                        = aws_rds_cluster.this.engine_version
  instance_class                        = var.db_instance_class
  db_subnet_group_name                  = aws_db_subnet_group.this.name
  publicly_accessible                   = false
  auto_minor_version_upgrade            = true
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.this.arn
  performance_insights_retention_period = 7
  monitoring_interval                   = 30
  monitoring_role_arn                   = aws_iam_role.rds_monitoring.arn
  promotion_tier                        = count.index

  tags = local.tags
}

# ---------------------------------------------------------------------------------------------
# RDS Proxy
# ---------------------------------------------------------------------------------------------

locals {
  db_master_secret_arn = aws_rds_cluster.this.master_user_secret[0].secret_arn
  db_proxy_secret_arns = concat([local.db_master_secret_arn], var.db_proxy_user_secret_arns)

  # The user the tasks log in as, and the IAM resource that lets them (rds-db:connect).
  db_app_username   = var.db_app_username == "" ? var.db_master_username : var.db_app_username
  db_proxy_resource = element(split(":", aws_db_proxy.this.arn), 6)
  db_connect_arn    = "arn:${local.partition}:rds-db:${local.region}:${local.account_id}:dbuser:${local.db_proxy_resource}/${local.db_app_username}"
}

data "aws_iam_policy_document" "db_proxy_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["rds.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "db_proxy" {
  name               = "${var.name}-db-proxy"
  description        = "RDS Proxy of ${var.name}: read the registered database user secrets."
  assume_role_policy = data.aws_iam_policy_document.db_proxy_assume.json

  tags = local.tags
}

data "aws_iam_policy_document" "db_proxy" {
  statement {
    sid       = "ReadUserSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = local.db_proxy_secret_arns
  }

  statement {
    sid       = "DecryptTheMasterSecret"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.this.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "db_proxy" {
  name   = "read-user-secrets"
  role   = aws_iam_role.db_proxy.id
  policy = data.aws_iam_policy_document.db_proxy.json
}

resource "aws_db_proxy" "this" {
  name                   = "${var.name}-db"
  engine_family          = "POSTGRESQL"
  role_arn               = aws_iam_role.db_proxy.arn
  vpc_subnet_ids         = aws_subnet.private[*].id
  vpc_security_group_ids = [aws_security_group.db_proxy.id]
  require_tls            = true
  idle_client_timeout    = 1800
  debug_logging          = false

  dynamic "auth" {
    for_each = local.db_proxy_secret_arns

    content {
      auth_scheme = "SECRETS"
      iam_auth    = "REQUIRED"
      secret_arn  = auth.value
    }
  }

  tags = local.tags

  depends_on = [aws_iam_role_policy.db_proxy]
}

resource "aws_db_proxy_default_target_group" "this" {
  db_proxy_name = aws_db_proxy.this.name

  connection_pool_config {
    max_connections_percent      = 90
    max_idle_connections_percent = 50
    connection_borrow_timeout    = 120
  }
}

resource "aws_db_proxy_target" "this" {
  db_proxy_name         = aws_db_proxy.this.name
  target_group_name     = aws_db_proxy_default_target_group.this.name
  db_cluster_identifier = aws_rds_cluster.this.cluster_identifier
}

# A second endpoint that spreads read-only sessions over the Aurora readers.
resource "aws_db_proxy_endpoint" "reader" {
  db_proxy_name          = aws_db_proxy.this.name
  db_proxy_endpoint_name = "${var.name}-db-reader"
  vpc_subnet_ids         = aws_subnet.private[*].id
  vpc_security_group_ids = [aws_security_group.db_proxy.id]
  target_role            = "READ_ONLY"

  tags = local.tags
}

# ---------------------------------------------------------------------------------------------
# ElastiCache Redis
# ---------------------------------------------------------------------------------------------

resource "aws_elasticache_subnet_group" "this" {
  name        = "${var.name}-redis"
  description = "Database subnets of ${var.name} (no route out of the VPC)."
  subnet_ids  = aws_subnet.database[*].id

  tags = local.tags
}

resource "aws_cloudwatch_log_group" "redis" {
  name              = "/aws/elasticache/${var.name}/slow-log"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn

  tags = local.tags
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id = var.name
  description          = "${var.name}: cache and rate-limit counters of the API and workers."
  engine               = "redis"
  engine_version       = var.redis_engine_version
  node_type            = var.redis_node_type
  num_cache_clusters   = var.redis_node_count
  port                 = 6379
  subnet_group_name    = aws_elasticache_subnet_group.this.name
  security_group_ids   = [aws_security_group.redis.id]

  automatic_failover_enabled = true
  multi_az_enabled           = true

  at_rest_encryption_enabled = true
  kms_key_id                 = aws_kms_key.this.arn
  transit_encryption_enabled = true

  snapshot_retention_limit   = 7
  snapshot_window            = "00:00-01:00"
  maintenance_window         = var.db_maintenance_window
  auto_minor_version_upgrade = true
  apply_immediately          = false

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.redis.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }

  tags = local.tags
}

# ---------------------------------------------------------------------------------------------
# Payload bucket: request bodies too large for a queue message, and job results.
# ---------------------------------------------------------------------------------------------

resource "aws_s3_bucket" "payloads" {
  bucket = "${var.name}-payloads-${local.account_id}"

  tags = local.tags
}

resource "aws_s3_bucket_ownership_controls" "payloads" {
  bucket = aws_s3_bucket.payloads.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "payloads" {
  bucket                  = aws_s3_bucket.payloads.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "payloads" {
  bucket = aws_s3_bucket.payloads.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "payloads" {
  bucket = aws_s3_bucket.payloads.id

  rule {
    bucket_key_enabled = true

    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "payloads" {
  bucket = aws_s3_bucket.payloads.id

  rule {
    id     = "expire-payloads"
    status = "Enabled"

    filter {}

    expiration {
      days = var.payload_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 7
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.payloads]
}

data "aws_iam_policy_document" "payloads" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.payloads.arn, "${aws_s3_bucket.payloads.arn}/*"]

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

resource "aws_s3_bucket_policy" "payloads" {
  bucket = aws_s3_bucket.payloads.id
  policy = data.aws_iam_policy_document.payloads.json

  depends_on = [aws_s3_bucket_public_access_block.payloads]
}
