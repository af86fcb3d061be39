# SQS buffer with a dead-letter queue and an alarm on it, consumed by a Lambda whose
# concurrency is reserved and whose timeout fits six times into the visibility timeout.

resource "aws_sqs_queue" "jobs_dlq" {
  name              = "${var.name}-jobs-dlq"
  kms_master_key_id = aws_kms_key.data.id
}

resource "aws_sqs_queue" "jobs" {
  name                       = "${var.name}-jobs"
  visibility_timeout_seconds = 180
  kms_master_key_id          = aws_kms_key.data.id
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.jobs_dlq.arn
    maxReceiveCount     = 5
  })
}

resource "aws_sns_topic" "alerts" {
  name              = "${var.name}-alerts"
  kms_master_key_id = aws_kms_key.data.id
}

resource "aws_cloudwatch_metric_alarm" "dlq_not_empty" {
  alarm_name          = "${var.name}-jobs-dlq-not-empty"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.jobs_dlq.name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.alerts.arn]
}

resource "aws_cloudwatch_log_group" "worker" {
  name              = "/aws/lambda/${var.name}-worker"
  retention_in_days = 30
  kms_key_id        = aws_kms_key.data.arn
}

resource "aws_lambda_function" "worker" {
  function_name                  = "${var.name}-worker"
  role                           = aws_iam_role.worker.arn
  runtime                        = "python3.12"
  handler                        = "app.handler"
  filename                       = "worker.zip"
  timeout                        = 30
  memory_size                    = 512
  architectures                  = ["arm64"]
  reserved_concurrent_executions = 20

  tracing_config {
    mode = "Active"
  }
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn = aws_sqs_queue.jobs.arn
  function_name    = aws_lambda_function.worker.arn
  batch_size       = 10
}
