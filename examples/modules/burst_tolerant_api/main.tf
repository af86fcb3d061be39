# An order-intake API for a flash sale: bursts of POST /orders are queued and written to
# DynamoDB at the pace of 25 concurrent workers.

variable "region" {
  type        = string
  description = "Region of the API, queue, worker and data."
  default     = "eu-west-1"
}

variable "certificate_arn" {
  type        = string
  description = "ACM certificate (us-east-1) for orders-api.example.com."
  default     = "arn:aws:acm:us-east-1:123456789012:certificate/0b5c8f3e-6a1d-4d2b-9f51-2c7e4a8b9d10"
}

data "archive_file" "worker" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/build/worker.zip"
}

module "orders_api" {
  source = "../../../modules/burst_tolerant_api"

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name            = "orders"
  domain_name     = "orders-api.example.com"
  hosted_zone_id  = "Z04718952TQ6GJ1LP4YD3"
  certificate_arn = var.certificate_arn

  route_key              = "POST /orders"
  throttling_rate_limit  = 500
  throttling_burst_limit = 1000
  waf_rate_limit         = 3000

  lambda_package              = data.archive_file.worker.output_path
  lambda_handler              = "app.handler"
  lambda_runtime              = "python3.12"
  lambda_timeout              = 20
  lambda_memory_size          = 1024
  lambda_reserved_concurrency = 25
  lambda_environment = {
    LOG_LEVEL = "INFO"
  }

  batch_size                         = 25
  maximum_batching_window_in_seconds = 2
  max_receive_count                  = 5

  table_hash_key          = "order_id"
  queue_age_alarm_seconds = 120
  alarm_email_addresses   = ["oncall@example.com"]

  tags = {
    CostCenter = "checkout"
  }
}

output "api_url" {
  description = "Where clients send orders."
  value       = module.orders_api.api_url
}

output "user_pool_client_id" {
  description = "Cognito app client that issues tokens for the API."
  value       = module.orders_api.user_pool_client_id
}

output "alarm_topic_arn" {
  description = "SNS topic receiving the stack's alarms."
  value       = module.orders_api.alarm_topic_arn
}
