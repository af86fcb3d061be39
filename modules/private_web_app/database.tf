# Aurora PostgreSQL in the database subnets: encrypted with the module's key, TLS required,
# instances spread over the availability zones, 35 days of point-in-time recovery by default,
# deletion protection and a final snapshot. RDS generates the master password and keeps it in
# Secrets Manager; nothing secret passes through Terraform.

locals {
  db_cluster_identifier = "${var.name}-db"
  db_engine_major       = split(".", var.db_engine_version)[0]
}

resource "aws_security_group" "db" {
  name        = "${var.name}-db"
  description = "Aurora: PostgreSQL from the EKS nodes only."
  vpc_id      = aws_vpc.this.id

  tags = merge(local.tags, { Name = "${var.name}-db" })
}

resource "aws_vpc_security_group_ingress_rule" "db_from_nodes" {
  for_each = {
    nodes   = aws_security_group.nodes.id
    cluster = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
  }

  security_group_id            = aws_security_group.db.id
  description                  = "PostgreSQL from the EKS ${each.key} security group"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = each.value
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
