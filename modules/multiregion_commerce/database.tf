# Aurora PostgreSQL global database: the primary cluster (a writer and a reader in different
# zones) takes the writes; storage-level replication keeps a secondary cluster in the failover
# region a second or so behind, ready to be promoted. Both clusters are encrypted with their
# region's key, live in private subnets only and accept connections from the application
# tier only.
#
# Master password: RDS-managed master passwords (manage_master_user_password) are not
# supported for clusters that belong to an Aurora global database, so the module generates
# the password with Secrets Manager and keeps it in a secret that is replicated to the
# failover region. It is never an input, and it is not rotated by Terraform: both the secret
# and the cluster ignore later changes, so a rotation done outside Terraform sticks.

resource "aws_db_subnet_group" "primary" {
  provider = aws.primary

  name        = "${var.name}-primary-db"
  description = "Private subnets of the primary region"
  subnet_ids  = aws_subnet.primary_private[*].id

  tags = var.tags
}

resource "aws_db_subnet_group" "failover" {
  provider = aws.failover

  name        = "${var.name}-failover-db"
  description = "Private subnets of the failover region"
  subnet_ids  = aws_subnet.failover_private[*].id

  tags = var.tags
}

resource "aws_rds_global_cluster" "this" {
  provider = aws.primary

  global_cluster_identifier = "${var.name}-global"
  engine                    = "aurora-postgresql"
  engine_version            = var.db_engine_version
  database_name             = var.db_name
  storage_encrypted         = true
  deletion_protection       = var.deletion_protection
}

# --- Master credentials -------------------------------------------------------------------

data "aws_secretsmanager_random_password" "db_master" {
  provider = aws.primary

  password_length     = 40
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "db_master" {
  provider = aws.primary

  name_prefix             = "${var.name}/aurora/master-"
  description             = "Master credentials of the ${var.name} Aurora global database"
  kms_key_id              = aws_kms_key.primary.arn
  recovery_window_in_days = 30

  # The failover region can read the credentials even when the primary region is down.
  replica {
    region     = local.failover_region
    kms_key_id = aws_kms_key.failover.arn
  }

  tags = var.tags
}

resource "aws_secretsmanager_secret_version" "db_master" {
  provider = aws.primary

  secret_id = aws_secretsmanager_secret.db_master.id
  secret_string = jsonencode({
    engine   = "postgres"
    port     = local.db_port
    dbname   = var.db_name
    username = var.db_master_username
    password = data.aws_secretsmanager_random_password.db_master.random_password
  })

  # The data source draws a new password on every plan; the first one is kept.
  lifecycle {
    ignore_changes = [secret_string]
  }
}

# --- Primary cluster ----------------------------------------------------------------------

resource "aws_rds_cluster" "primary" {
  provider = aws.primary

  cluster_identifier        = "${var.name}-primary"
  global_cluster_identifier = aws_rds_global_cluster.this.id
  engine                    = aws_rds_global_cluster.this.engine
  engine_version            = aws_rds_global_cluster.this.engine_version
  database_name             = var.db_name
  port                      = local.db_port

  master_username = var.db_master_username
  master_password = jsondecode(aws_secretsmanager_secret_version.db_master.secret_string)["password"]

  db_subnet_group_name   = aws_db_subnet_group.primary.name
  vpc_security_group_ids = [aws_security_group.primary_db.id]

  storage_encrypted                   = true
  kms_key_id                          = aws_kms_key.primary.arn
  iam_database_authentication_enabled = true

  backup_retention_period   = var.backup_retention_days
  preferred_backup_window   = "02:00-03:00"
  copy_tags_to_snapshot     = true
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = false
  final_snapshot_identifier = "${var.name}-primary-final"

  enabled_cloudwatch_logs_exports = ["postgresql"]

  tags = var.tags

  lifecycle {
    # Engine upgrades go through the global cluster; the password lives in Secrets Manager.
    ignore_changes = [engine_version, master_password]
  }
}

resource "aws_rds_cluster_instance" "primary" {
  provider = aws.primary
  count    = 2

  identifier         = "${var.name}-primary-${count.index}"
  cluster_identifier = aws_rds_cluster.primary.id
  engine             = aws_rds_cluster.primary.engine
  engine_version     = aws_rds_cluster.primary.engine_version
  instance_class     = var.db_instance_class

  # Writer and reader in different zones: a zone failure promotes the reader.
  availability_zone = var.primary_availability_zones[count.index]
  promotion_tier    = count.index

  db_subnet_group_name                  = aws_db_subnet_group.primary.name
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.primary.arn
  performance_insights_retention_period = 7
  auto_minor_version_upgrade            = true

  tags = var.tags
}

# --- Secondary cluster (failover region) --------------------------------------------------

resource "aws_rds_cluster" "failover" {
  provider = aws.failover

  cluster_identifier        = "${var.name}-failover"
  global_cluster_identifier = aws_rds_global_cluster.this.id
  engine                    = aws_rds_global_cluster.this.engine
  engine_version            = aws_rds_global_cluster.this.engine_version
  port                      = local.db_port

  db_subnet_group_name   = aws_db_subnet_group.failover.name
  vpc_security_group_ids = [aws_security_group.failover_db.id]

  # Cross-region replicas of an encrypted cluster need a key of their own region.
  storage_encrypted                   = true
  kms_key_id                          = aws_kms_key.failover.arn
  iam_database_authentication_enabled = true

  # Writes made in the failover region while the primary is healthy are forwarded to it.
  enable_global_write_forwarding = true

  backup_retention_period = var.backup_retention_days
  preferred_backup_window = "02:00-03:00"
  copy_tags_to_snapshot   = true
  deletion_protection     = var.deletion_protection
  # A secondary holds a copy of the primary's data, which has its own final snapshot.
  skip_final_snapshot = true

  enabled_cloudwatch_logs_exports = ["postgresql"]

  tags = var.tags

  lifecycle {
    # Replication is managed by the global cluster (and reset by a failover).
    ignore_changes = [engine_version, replication_source_identifier]
  }

  # A secondary can only join once the primary cluster has a writer.
  depends_on = [aws_rds_cluster_instance.primary]
}

resource "aws_rds_cluster_instance" "failover" {
  provider = aws.failover
  count    = var.failover_db_instance_count

  identifier         = "${var.name}-failover-${count.index}"
  cluster_identifier = aws_rds_cluster.failover.id
  engine             = aws_rds_cluster.failover.engine
  engine_version     = aws_rds_cluster.failover.engine_version
  instance_class     = var.db_instance_class

  availability_zone = var.failover_availability_zones[count.index % local.failover_az_count]
  promotion_tier    = count.index

  db_subnet_group_name                  = aws_db_subnet_group.failover.name
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.failover.arn
  performance_insights_retention_period = 7
  auto_minor_version_upgrade            = true

  tags = var.tags
}
