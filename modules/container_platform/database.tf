# Aurora MySQL behind RDS Proxy. The cluster's master password is generated and rotated by
# RDS in Secrets Manager (manage_master_user_password); the proxy reads that secret (and any
# in db_proxy_secret_arns) and lets clients in only with IAM authentication over TLS. The
# cluster itself refuses unencrypted connections and is reachable from the proxy only.

resource "aws_db_subnet_group" "this" {
  name        = "${var.name}-db"
  description = "Private subnets of ${var.name}"
  subnet_ids  = aws_subnet.private[*].id

  tags = var.tags
}

resource "aws_rds_cluster_parameter_group" "this" {
  name_prefix = "${var.name}-aurora-mysql8-"
  family      = "aurora-mysql8.0"
  description = "TLS-only connections for ${var.name}"

  parameter {
    name  = "require_secure_transport"
    value = "ON"
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_rds_cluster" "this" {
  cluster_identifier = "${var.name}-mysql"
  engine             = "aurora-mysql"
  engine_version     = var.db_engine_version
  database_name      = var.db_name
  port               = local.db_port

  master_username               = var.db_master_username
  manage_master_user_password   = true
  master_user_secret_kms_key_id = aws_kms_key.this.arn

  db_subnet_group_name            = aws_db_subnet_group.this.name
  vpc_security_group_ids          = [aws_security_group.db.id]
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.this.name

  storage_encrypted                   = true
  kms_key_id                          = aws_kms_key.this.arn
  iam_database_authentication_enabled = true

  backup_retention_period   = var.backup_retention_days
  preferred_backup_window   = "02:00-03:00"
  copy_tags_to_snapshot     = true
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = false
  final_snapshot_identifier = "${var.name}-mysql-final"

  enabled_cloudwatch_logs_exports = ["error", "slowquery"]

  tags = var.tags
}

resource "aws_rds_cluster_instance" "this" {
  count = var.db_instance_count

  identifier         = "${var.name}-mysql-${count.index}"
  cluster_identifier = aws_rds_cluster.this.id
  engine             = aws_rds_cluster.this.engine
  engine_version     = aws_rds_cluster.this.engine_version
  instance_class     = var.db_instance_class

  # One instance per zone, round robin: a zone failure promotes a reader elsewhere.
  availability_zone = var.availability_zones[count.index % local.az_count]
  promotion_tier    = count.index

  db_subnet_group_name                  = aws_db_subnet_group.this.name
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.this.arn
  performance_insights_retention_period = 7
  auto_minor_version_upgrade            = true

  tags = var.tags
}

# --- RDS Proxy ----------------------------------------------------------------------------

locals {
  db_proxy_secret_arns = concat([aws_rds_cluster.this.master_user_secret[0].secret_arn], var.db_proxy_secret_arns)
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
  description        = "Lets the ${var.name} RDS Proxy read its database secrets"
  assume_role_policy = data.aws_iam_policy_document.db_proxy_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "db_proxy" {
  statement {
    sid       = "ReadDatabaseSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = local.db_proxy_secret_arns
  }

  statement {
    sid       = "DecryptSecretsThroughSecretsManager"
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
  name   = "read-database-secrets"
  role   = aws_iam_role.db_proxy.id
  policy = data.aws_iam_policy_document.db_proxy.json
}

resource "aws_db_proxy" "this" {
  name                   = "${var.name}-mysql"
  engine_family          = "MYSQL"
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
      description = "IAM authentication for the user of secret ${auth.key}"
    }
  }

  tags = var.tags

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

  depends_on = [aws_rds_cluster_instance.this]
}

# Read-only traffic through the proxy goes to the readers.
resource "aws_db_proxy_endpoint" "read_only" {
  db_proxy_name          = aws_db_proxy.this.name
  db_proxy_endpoint_name = "${var.name}-mysql-ro"
  target_role            = "READ_ONLY"
  vpc_subnet_ids         = aws_subnet.private[*].id
  vpc_security_group_ids = [aws_security_group.db_proxy.id]

  tags = var.tags
}

# Attach this policy to the role of a workload (IRSA or EKS Pod Identity) that connects to
# the database through the proxy. IAM authentication connects as database users the proxy
# holds a secret for; the proxy's ID is the last part of its ARN.
data "aws_iam_policy_document" "db_connect" {
  statement {
    sid       = "ConnectThroughProxy"
    actions   = ["rds-db:connect"]
    resources = ["arn:${local.partition}:rds-db:${local.region}:${local.account_id}:dbuser:${element(split(":", aws_db_proxy.this.arn), 6)}/*"]
  }
}

resource "aws_iam_policy" "db_connect" {
  name        = "${var.name}-db-connect"
  description = "Connect to the ${var.name} database through its RDS Proxy with IAM authentication"
  policy      = data.aws_iam_policy_document.db_connect.json

  tags = var.tags
}
