output "url" {
  description = "Public URL of the service."
  value       = "https://${var.domain_name}"
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "public_subnet_ids" {
  description = "IDs of the public subnets (NAT gateways only), one per availability zone."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets (load balancer, VPC link and tasks), one per availability zone."
  value       = aws_subnet.private[*].id
}

output "kms_key_arn" {
  description = "ARN of the customer managed KMS key that encrypts the service's data at rest."
  value       = aws_kms_key.this.arn
}

output "cloudfront_distribution_id" {
  description = "ID of the CloudFront distribution."
  value       = aws_cloudfront_distribution.this.id
}

output "cloudfront_domain_name" {
  description = "Domain name CloudFront assigned to the distribution."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "api_id" {
  description = "ID of the API Gateway HTTP API."
  value       = aws_apigatewayv2_api.this.id
}

output "api_endpoint" {
  description = "Default endpoint of the HTTP API. Calls that do not come through CloudFront are refused by the load balancer."
  value       = aws_apigatewayv2_api.this.api_endpoint
}

output "vpc_link_id" {
  description = "ID of the API Gateway VPC link."
  value       = aws_apigatewayv2_vpc_link.this.id
}

output "alb_arn" {
  description = "ARN of the internal Application Load Balancer."
  value       = aws_lb.this.arn
}

output "alb_listener_arn" {
  description = "ARN of the load balancer's HTTPS listener (the API Gateway integration target)."
  value       = aws_lb_listener.https.arn
}

output "ecs_cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "ecs_service_name" {
  description = "Name of the ECS service."
  value       = aws_ecs_service.this.name
}

output "task_definition_arn" {
  description = "ARN of the task definition revision the service runs."
  value       = aws_ecs_task_definition.this.arn
}

output "task_role_arn" {
  description = "ARN of the task role (the application's permissions)."
  value       = aws_iam_role.task.arn
}

output "execution_role_arn" {
  description = "ARN of the task execution role (image pull, logs, secrets)."
  value       = aws_iam_role.execution.arn
}

output "service_security_group_id" {
  description = "ID of the tasks' security group."
  value       = aws_security_group.service.id
}

output "dynamodb_table_name" {
  description = "Name of the DynamoDB table."
  value       = aws_dynamodb_table.this.name
}

output "dynamodb_table_arn" {
  description = "ARN of the DynamoDB table."
  value       = aws_dynamodb_table.this.arn
}

output "alarm_topic_arn" {
  description = "ARN of the encrypted SNS topic the alarms notify."
  value       = aws_sns_topic.alarms.arn
}
