# SEC007: a queue with encryption switched off.
resource "aws_sqs_queue" "dlq" {
  name                    = "${var.name}-jobs-dlq"
  sqs_managed_sse_enabled = false
}

# REL013: visibility timeout 30 s < 6 x 60 s Lambda timeout. OPS002 fires on its DLQ (no alarm).
resource "aws_sqs_queue" "jobs" {
  name                       = "${var.name}-jobs"
  visibility_timeout_seconds = 30
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = 3
  })
}

# REL001: no dead-letter queue at all.
resource "aws_sqs_queue" "emails" {
  name = "${var.name}-emails"
}

# SEC008: an unencrypted topic.
resource "aws_sns_topic" "events" {
  name = "${var.name}-events"
}

# COST001: logs kept forever.
resource "aws_cloudwatch_log_group" "worker" {
  name = "/aws/lambda/${var.name}-worker"
}

# PERF002, PERF003, OPS003, SUS001: consumer with default memory, no reserved concurrency,
# no tracing, x86.
resource "aws_lambda_function" "worker" {
  function_name = "${var.name}-worker"
  role          = aws_iam_role.worker.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "worker.zip"
  timeout       = 60
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn = aws_sqs_queue.jobs.arn
  function_name    = aws_lambda_function.worker.arn
}

# REL002: invoked asynchronously by SNS without a dead-letter queue or failure destination.
resource "aws_lambda_function" "notifier" {
  function_name = "${var.name}-notifier"
  role          = aws_iam_role.worker.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "notifier.zip"
  memory_size   = 256
  architectures = ["arm64"]

  tracing_config {
    mode = "Active"
  }
}

resource "aws_sns_topic_subscription" "notifier" {
  topic_arn = aws_sns_topic.events.arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.notifier.arn
}
