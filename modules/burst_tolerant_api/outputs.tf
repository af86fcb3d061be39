output "api_url" {
  description = "Public URL of the API (through CloudFront and WAF)."
  value       = "https://${var.domain_name}"
}

output "api_id" {
  description = "ID of the HTTP API."
  value       = aws_apigatewayv2_api.this.id
}

output "cloudfront_distribution_id" {
  description = "ID of the CloudFront distribution in front of the API."
  value       = aws_cloudfront_distribution.this.id
}

output "cloudfront_domain_name" {
  description = "Domain name CloudFront assigned to the distribution."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "web_acl_arn" {
  description = "ARN of the WAF web ACL (CLOUDFRONT scope, us-east-1)."
  value       = aws_wafv2_web_acl.this.arn
}

output "user_pool_id" {
  description = "ID of the Cognito user pool whose tokens the API accepts."
  value       = aws_cognito_user_pool.this.id
}

output "user_pool_client_id" {
  description = "ID of the Cognito app client; the audience of accepted tokens."
  value       = aws_cognito_user_pool_client.api.id
}

output "queue_url" {
  description = "URL of the job queue."
  value       = aws_sqs_queue.jobs.url
}

output "queue_arn" {
  description = "ARN of the job queue."
  value       = aws_sqs_queue.jobs.arn
}

output "queue_visibility_timeout_seconds" {
  description = "Visibility timeout applied to the job queue (never below 6 x lambda_timeout + batching window)."
  value       = local.visibility_timeout_seconds
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "function_name" {
  description = "Name of the worker function."
  value       = aws_lambda_function.worker.function_name
}

output "function_arn" {
  description = "ARN of the worker function."
  value       = aws_lambda_function.worker.arn
}

output "function_role_arn" {
  description = "ARN of the worker's execution role."
  value       = aws_iam_role.worker.arn
}

output "table_name" {
  description = "Name of the DynamoDB jobs table."
  value       = aws_dynamodb_table.jobs.name
}

output "table_arn" {
  description = "ARN of the DynamoDB jobs table."
  value       = aws_dynamodb_table.jobs.arn
}

output "payload_bucket_name" {
  description = "Name of the S3 payload bucket."
  value       = aws_s3_bucket.payloads.bucket
}

output "alarm_topic_arn" {
  description = "ARN of the encrypted SNS topic that receives every alarm; subscribe more endpoints to it."
  value       = aws_sns_topic.alarms.arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the table, bucket, log groups and alarm topic."
  value       = aws_kms_key.this.arn
}
