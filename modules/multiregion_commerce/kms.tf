# One customer managed key per region (KMS keys are regional): database storage, the
# database secret, data buckets, flow logs and alarm topics of that region. The us-east-1 key
# only encrypts the topic of the Route 53 health-check alarms, whose metrics live there.

data "aws_region" "us_east_1" {
  provider = aws.us_east_1
}

locals {
  key_regions = {
    primary   = local.primary_region
    failover  = local.failover_region
    us_east_1 = data.aws_region.us_east_1.name
  }

  # The account administers the key through IAM; CloudWatch Logs may use it for this region's
  # log groups, and CloudWatch alarms may publish to topics encrypted with it.
  key_policies = {
    for key, region in local.key_regions : key => jsonencode({
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
          Principal = { Service = "logs.${region}.amazonaws.com" }
          Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
          Resource  = "*"
          Condition = {
            ArnLike = {
              "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${region}:${local.account_id}:log-group:*"
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
  }
}

resource "aws_kms_key" "primary" {
  provider = aws.primary

  description             = "${var.name}: data at rest in the primary region"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = local.key_policies["primary"]

  tags = var.tags
}

resource "aws_kms_alias" "primary" {
  provider = aws.primary

  name          = "alias/${var.name}-commerce"
  target_key_id = aws_kms_key.primary.key_id
}

resource "aws_kms_key" "failover" {
  provider = aws.failover

  description             = "${var.name}: data at rest in the failover region"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = local.key_policies["failover"]

  tags = var.tags
}

resource "aws_kms_alias" "failover" {
  provider = aws.failover

  name          = "alias/${var.name}-commerce"
  target_key_id = aws_kms_key.failover.key_id
}

resource "aws_kms_key" "us_east_1" {
  provider = aws.us_east_1

  description             = "${var.name}: global alarm topic (us-east-1)"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = local.key_policies["us_east_1"]

  tags = var.tags
}

resource "aws_kms_alias" "us_east_1" {
  provider = aws.us_east_1

  name          = "alias/${var.name}-commerce-global"
  target_key_id = aws_kms_key.us_east_1.key_id
}
