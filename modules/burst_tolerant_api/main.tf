# Burst-tolerant API: requests are accepted at the edge and buffered in a queue, so a burst
# costs queue depth instead of errors, and the worker drains it at a rate the data stores
# were sized for.
#
#   Route 53 alias -> CloudFront + WAF -> HTTP API (JWT, throttling) -> SQS (+ DLQ)
#     -> Lambda (reserved concurrency) -> DynamoDB + S3;  CloudWatch alarms -> SNS
#
# The resources are split by concern: edge.tf, api.tf, queue.tf, worker.tf, storage.tf and
# monitoring.tf. This file holds what they share.

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  # A message must stay invisible for as long as Lambda may need it: six times the function
  # timeout (which leaves room for retries of throttled invocations) plus the time spent
  # filling a batch. A configured value below that is raised to it.
  minimum_visibility_timeout = 6 * var.lambda_timeout + var.maximum_batching_window_in_seconds
  visibility_timeout_seconds = var.queue_visibility_timeout_seconds == null ? local.minimum_visibility_timeout : max(var.queue_visibility_timeout_seconds, local.minimum_visibility_timeout)

  function_name = "${var.name}-worker"
}

# One customer managed key for the data at rest of this stack: table, payload bucket, log
# groups and alarm topic. The queues use SQS-managed encryption instead, so the API's role
# needs nothing but sqs:SendMessage.
resource "aws_kms_key" "this" {
  description             = "${var.name}: data at rest of the burst-tolerant API"
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
  name          = "alias/${var.name}-burst-api"
  target_key_id = aws_kms_key.this.key_id
}
