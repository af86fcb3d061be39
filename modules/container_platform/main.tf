# Container platform: one domain in front of static assets and a containerised API.
#
#   Route 53 -> CloudFront + WAF --/*--------> S3 static assets (origin access control)
#                                --/api/*----> API Gateway HTTP API --VPC link--> internal NLB
#                                              -> EKS managed node groups (private subnets, NodePort)
#   pods -> RDS Proxy (IAM auth, TLS) -> Aurora MySQL;  pods -> ElastiCache Redis (TLS, AUTH)
#   CloudWatch alarms -> SNS
#
# Files: network.tf, security_groups.tf, eks.tf, api.tf (NLB, VPC link, HTTP API),
# database.tf, cache.tf, edge.tf (S3, CloudFront, WAF, Route 53), monitoring.tf.

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  az_count  = length(var.availability_zones)
  nat_count = var.single_nat_gateway ? 1 : local.az_count

  cluster_name = var.name
  db_port      = 3306
  cache_port   = 6379
}

# The platform's key for data at rest: EKS secrets, database, database secret, cache, log
# groups and the alarm topic. Static assets have a key of their own (edge.tf).
resource "aws_kms_key" "this" {
  description             = "${var.name}: data at rest of the container platform"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministration"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsEncryption"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"
          }
        }
      },
      {
        Sid       = "CloudWatchAlarmsPublishToEncryptedTopic"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
      },
    ]
  })

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}-platform"
  target_key_id = aws_kms_key.this.key_id
}
