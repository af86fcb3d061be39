output "url" {
  description = "Public URL of the API."
  value       = "https://${var.domain_name}"
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "public_subnet_ids" {
  description = "IDs of the public subnets (load balancer and NAT gateways), one per availability zone."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets (API and worker tasks, RDS Proxy), one per availability zone."
  value       = aws_subnet.private[*].id
}

output "database_subnet_ids" {
  description = "IDs of the database subnets (Aurora, Redis, MSK), which have no route out of the VPC."
  value       = aws_subnet.database[*].id
}

output "kms_key_arn" {
  description = "ARN of the customer managed KMS key that encrypts the platform's data at rest."
  value       = aws_kms_key.this.arn
}

output "alb_arn" {
  description = "ARN of the internet-facing Application Load Balancer."
  value       = aws_lb.this.arn
}

output "alb_dns_name" {
  description = "DNS name of the load balancer (domain_name is an alias of it)."
  value       = aws_lb.this.dns_name
}

output "ecs_cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "api_service_name" {
  description = "Name of the API ECS service."
  value       = aws_ecs_service.api.name
}

output "worker_service_name" {
  description = "Name of the worker ECS service."
  value       = aws_ecs_service.worker.name
}

output "api_task_role_arn" {
  description = "ARN of the API tasks' role."
  value       = aws_iam_role.api.arn
}

output "worker_task_role_arn" {
  description = "ARN of the worker tasks' role."
  value       = aws_iam_role.worker.arn
}

output "job_queue_url" {
  description = "URL of the SQS job queue."
  value       = aws_sqs_queue.jobs.url
}

output "job_queue_arn" {
  description = "ARN of the SQS job queue."
  value       = aws_sqs_queue.jobs.arn
}

output "job_dlq_url" {
  description = "URL of the job dead-letter queue (inspect and redrive failed jobs here)."
  value       = aws_sqs_queue.jobs_dlq.url
}

output "job_events_topic_arn" {
  description = "ARN of the encrypted SNS topic on which workers announce finished and failed jobs."
  value       = aws_sns_topic.job_events.arn
}

output "msk_cluster_arn" {
  description = "ARN of the MSK cluster."
  value       = aws_msk_cluster.this.arn
}

output "msk_bootstrap_brokers_sasl_iam" {
  description = "Bootstrap brokers for clients that authenticate with IAM over TLS (port 9098)."
  value       = aws_msk_cluster.this.bootstrap_brokers_sasl_iam
}

output "db_proxy_endpoint" {
  description = "Read/write endpoint of RDS Proxy; clients connect with an IAM token over TLS."
  value       = aws_db_proxy.this.endpoint
}

output "db_proxy_reader_endpoint" {
  description = "Read-only endpoint of RDS Proxy, spread over the Aurora readers."
  value       = aws_db_proxy_endpoint.reader.endpoint
}

output "db_cluster_identifier" {
  description = "Identifier of the Aurora PostgreSQL cluster."
  value       = aws_rds_cluster.this.cluster_identifier
}

output "db_master_user_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the master credentials that RDS generated."
  value       = aws_rds_cluster.this.master_user_secret[0].secret_arn
}

output "redis_primary_endpoint" {
  description = "Primary endpoint of the Redis replication group (TLS required)."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "redis_reader_endpoint" {
  description = "Reader endpoint of the Redis replication group (TLS required)."
  value       = aws_elasticache_replication_group.this.reader_endpoint_address
}

output "payload_bucket_name" {
  description = "Name of the S3 bucket for job payloads."
  value       = aws_s3_bucket.payloads.id
}

output "alarm_topic_arn" {
  description = "ARN of the encrypted SNS topic the alarms notify."
  value       = aws_sns_topic.alarms.arn
}
