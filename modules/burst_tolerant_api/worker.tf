# The worker drains the queue at a bounded rate: its reserved concurrency is both its
# guarantee and its ceiling, and the event source mapping never scales past it. Its role
# reads its queue, writes its table and its bucket, and writes its own logs and traces.

data "aws_iam_policy_document" "worker_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "worker" {
  name               = "${var.name}-worker"
  description        = "Execution role of the ${var.name} queue worker"
  assume_role_policy = data.aws_iam_policy_document.worker_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "worker" {
  statement {
    sid = "ConsumeJobQueue"
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes",
    ]
    resources = [aws_sqs_queue.jobs.arn]
  }

  statement {
    sid       = "WriteJobsTable"
    actions   = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"]
    resources = [aws_dynamodb_table.jobs.arn]
  }

  statement {
    sid       = "WritePayloads"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.payloads.arn}/*"]
  }

  # The table and the bucket are encrypted with the stack's key; the worker may use it only
  # through those two services.
  statement {
    sid       = "UseDataKeyThroughS3AndDynamoDB"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.this.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values = [
        "s3.${local.region}.amazonaws.com",
        "dynamodb.${local.region}.amazonaws.com",
      ]
    }
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.worker.arn}:*"]
  }

  statement {
    sid       = "WriteTraces"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "worker" {
  name   = "consume-queue-write-table-and-bucket"
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.worker.json
}

resource "aws_cloudwatch_log_group" "worker" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn

  tags = var.tags
}

resource "aws_lambda_function" "worker" {
  function_name    = local.function_name
  description      = "Processes ${var.name} jobs from the queue"
  role             = aws_iam_role.worker.arn
  filename         = var.lambda_package
  source_code_hash = filebase64sha256(var.lambda_package)
  handler          = var.lambda_handler
  runtime          = var.lambda_runtime
  architectures    = ["arm64"]
  timeout          = var.lambda_timeout
  memory_size      = var.lambda_memory_size

  reserved_concurrent_executions = var.lambda_reserved_concurrency

  environment {
    variables = merge(var.lambda_environment, {
      TABLE_NAME  = aws_dynamodb_table.jobs.name
      BUCKET_NAME = aws_s3_bucket.payloads.bucket
    })
  }

  tracing_config {
    mode = "Active"
  }

  tags = var.tags

  # The log group (with its retention and key) must exist before Lambda creates a default one.
  depends_on = [aws_cloudwatch_log_group.worker, aws_iam_role_policy.worker]
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn                   = aws_sqs_queue.jobs.arn
  function_name                      = aws_lambda_function.worker.arn
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_in_seconds

  # Failed messages of a batch go back to the queue one by one instead of the whole batch.
  function_response_types = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.lambda_reserved_concurrency
  }
}
