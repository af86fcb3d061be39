# IAM is global: one role of each kind serves both regions, each allowed exactly the
# resources of both regions it needs.

# --- VPC flow logs ------------------------------------------------------------------------

data "aws_iam_policy_document" "flow_logs_assume" {
  provider = aws.primary

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "flow_logs" {
  provider = aws.primary

  name               = "${var.name}-vpc-flow-logs"
  description        = "Writes the VPC flow logs of ${var.name} in both regions"
  assume_role_policy = data.aws_iam_policy_document.flow_logs_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "flow_logs" {
  provider = aws.primary

  statement {
    sid       = "WriteFlowLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.primary_flow_logs.arn}:*", "${aws_cloudwatch_log_group.failover_flow_logs.arn}:*"]
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  provider = aws.primary

  name   = "write-flow-logs"
  role   = aws_iam_role.flow_logs.id
  policy = data.aws_iam_policy_document.flow_logs.json
}

# --- Application instances ----------------------------------------------------------------

data "aws_iam_policy_document" "app_assume" {
  provider = aws.primary

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "app" {
  provider = aws.primary

  name               = "${var.name}-app"
  description        = "Application instances of ${var.name} in both regions"
  assume_role_policy = data.aws_iam_policy_document.app_assume.json

  tags = var.tags
}

# Session Manager instead of SSH: no inbound port, every session logged.
resource "aws_iam_role_policy_attachment" "app_ssm" {
  provider = aws.primary

  role       = aws_iam_role.app.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

data "aws_iam_policy_document" "app" {
  provider = aws.primary

  statement {
    sid       = "ReadWriteRegionalDataBuckets"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.primary.arn}/*", "${aws_s3_bucket.failover.arn}/*"]
  }

  statement {
    sid       = "ListRegionalDataBuckets"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.primary.arn, aws_s3_bucket.failover.arn]
  }

  # The secret and its replica share a name; only the region differs.
  statement {
    sid     = "ReadDatabaseSecret"
    actions = ["secretsmanager:GetSecretValue"]
    resources = [
      aws_secretsmanager_secret.db_master.arn,
      replace(aws_secretsmanager_secret.db_master.arn, ":${local.primary_region}:", ":${local.failover_region}:"),
    ]
  }

  statement {
    sid       = "UseRegionalKeysThroughS3AndSecretsManager"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.primary.arn, aws_kms_key.failover.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values = [
        "s3.${local.primary_region}.amazonaws.com",
        "s3.${local.failover_region}.amazonaws.com",
        "secretsmanager.${local.primary_region}.amazonaws.com",
        "secretsmanager.${local.failover_region}.amazonaws.com",
      ]
    }
  }
}

resource "aws_iam_role_policy" "app" {
  provider = aws.primary

  name   = "data-buckets-and-database-secret"
  role   = aws_iam_role.app.id
  policy = data.aws_iam_policy_document.app.json
}

resource "aws_iam_instance_profile" "app" {
  provider = aws.primary

  name = "${var.name}-app"
  role = aws_iam_role.app.name

  tags = var.tags
}

# --- S3 replication -----------------------------------------------------------------------

data "aws_iam_policy_document" "replication_assume" {
  provider = aws.primary

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "replication" {
  provider = aws.primary

  name               = "${var.name}-s3-replication"
  description        = "Replicates the ${var.name} primary data bucket to the failover region"
  assume_role_policy = data.aws_iam_policy_document.replication_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "replication" {
  provider = aws.primary

  statement {
    sid       = "ReadReplicationConfiguration"
    actions   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
    resources = [aws_s3_bucket.primary.arn]
  }

  statement {
    sid       = "ReadSourceVersions"
    actions   = ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"]
    resources = ["${aws_s3_bucket.primary.arn}/*"]
  }

  statement {
    sid       = "WriteReplicas"
    actions   = ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"]
    resources = ["${aws_s3_bucket.failover.arn}/*"]
  }

  statement {
    sid       = "DecryptSource"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.primary.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.primary_region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "EncryptReplicas"
    actions   = ["kms:Encrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.failover.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.failover_region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "replication" {
  provider = aws.primary

  name   = "replicate-primary-to-failover"
  role   = aws_iam_role.replication.id
  policy = data.aws_iam_policy_document.replication.json
}
