# A data bucket per region (product media, order documents): versioned, KMS-encrypted with
# the region's key, private, TLS only. Every object written in the primary region is
# replicated to the failover region's bucket, re-encrypted with the failover key.

# --- Primary region -----------------------------------------------------------------------

resource "aws_s3_bucket" "primary" {
  provider = aws.primary

  bucket_prefix = "${var.name}-primary-data-"

  # Critical data: REL011 expects it to be replicated, which it is (below).
  tags = merge(var.tags, { Criticality = "high" })
}

resource "aws_s3_bucket_ownership_controls" "primary" {
  provider = aws.primary

  bucket = aws_s3_bucket.primary.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "primary" {
  provider = aws.primary

  bucket                  = aws_s3_bucket.primary.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "primary" {
  provider = aws.primary

  bucket = aws_s3_bucket.primary.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "primary" {
  provider = aws.primary

  bucket = aws_s3_bucket.primary.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.primary.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "primary" {
  provider = aws.primary

  bucket = aws_s3_bucket.primary.id

  rule {
    id     = "expire-replaced-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = 90
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.primary]
}

data "aws_iam_policy_document" "primary_bucket" {
  provider = aws.primary

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.primary.arn, "${aws_s3_bucket.primary.arn}/*"]

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

resource "aws_s3_bucket_policy" "primary" {
  provider = aws.primary

  bucket = aws_s3_bucket.primary.id
  policy = data.aws_iam_policy_document.primary_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.primary]
}

resource "aws_s3_bucket_replication_configuration" "primary_to_failover" {
  provider = aws.primary

  bucket = aws_s3_bucket.primary.id
  role   = aws_iam_role.replication.arn

  rule {
    id     = "to-failover-region"
    status = "Enabled"

    filter {}

    delete_marker_replication {
      status = "Enabled"
    }

    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }

    destination {
      bucket        = aws_s3_bucket.failover.arn
      storage_class = "STANDARD"

      encryption_configuration {
        replica_kms_key_id = aws_kms_key.failover.arn
      }
    }
  }

  # S3 refuses a replication rule until both buckets are versioned.
  depends_on = [aws_s3_bucket_versioning.primary, aws_s3_bucket_versioning.failover]
}

# --- Failover region ----------------------------------------------------------------------

resource "aws_s3_bucket" "failover" {
  provider = aws.failover

  bucket_prefix = "${var.name}-failover-data-"

  tags = merge(var.tags, { Criticality = "high" })
}

resource "aws_s3_bucket_ownership_controls" "failover" {
  provider = aws.failover

  bucket = aws_s3_bucket.failover.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "failover" {
  provider = aws.failover

  bucket                  = aws_s3_bucket.failover.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "failover" {
  provider = aws.failover

  bucket = aws_s3_bucket.failover.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "failover" {
  provider = aws.failover

  bucket = aws_s3_bucket.failover.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.failover.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "failover" {
  provider = aws.failover

  bucket = aws_s3_bucket.failover.id

  rule {
    id     = "expire-replaced-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = 90
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.failover]
}

data "aws_iam_policy_document" "failover_bucket" {
  provider = aws.failover

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.failover.arn, "${aws_s3_bucket.failover.arn}/*"]

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

resource "aws_s3_bucket_policy" "failover" {
  provider = aws.failover

  bucket = aws_s3_bucket.failover.id
  policy = data.aws_iam_policy_document.failover_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.failover]
}
