resource "aws_db_subnet_group" "legacy" {
  name       = "${var.name}-db"
  subnet_ids = aws_subnet.data[*].id
}

# SEC015: PostgreSQL open to the world on the database's port.
resource "aws_security_group" "db" {
  name   = "${var.name}-db"
  vpc_id = aws_vpc.main.id

  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# SEC001 (public subnet), SEC005, REL003, REL006, REL007, SUS002 (db.t2).
resource "aws_db_instance" "legacy" {
  identifier              = "${var.name}-orders"
  engine                  = "postgres"
  instance_class          = "db.t2.medium"
  allocated_storage       = 20
  db_subnet_group_name    = aws_db_subnet_group.legacy.name
  vpc_security_group_ids  = [aws_security_group.db.id]
  backup_retention_period = 0
  skip_final_snapshot     = true
}

# REL004: a single Aurora instance.
resource "aws_rds_cluster" "reports" {
  cluster_identifier          = "${var.name}-reports"
  engine                      = "aurora-mysql"
  master_username             = "reports"
  manage_master_user_password = true
  storage_encrypted           = true
  backup_retention_period     = 7
  deletion_protection         = true
}

resource "aws_rds_cluster_instance" "reports" {
  identifier         = "${var.name}-reports-0"
  cluster_identifier = aws_rds_cluster.reports.id
  instance_class     = "db.r6g.large"
  engine             = "aurora-mysql"
}

# SEC010, REL005: an unencrypted single-node Redis replication group.
resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id = "${var.name}-sessions"
  description          = "sessions"
  engine               = "redis"
  node_type            = "cache.t3.micro"
  num_cache_clusters   = 1
}

# SEC006, REL008, REL009, SUS003: provisioned, no PITR, no deletion protection, AWS-owned key.
resource "aws_dynamodb_table" "carts" {
  name           = "${var.name}-carts"
  hash_key       = "id"
  read_capacity  = 5
  write_capacity = 5

  attribute {
    name = "id"
    type = "S"
  }
}

# SEC009, SEC014, REL010, REL011, COST002: a critical bucket with none of the safeguards.
resource "aws_s3_bucket" "invoices" {
  bucket = "${var.name}-invoices"
  tags = {
    Criticality = "critical"
  }
}

# SEC011, COST003: an unencrypted gp2 volume.
resource "aws_ebs_volume" "scratch" {
  availability_zone = "eu-west-1a"
  size              = 100
  type              = "gp2"
}
