output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "public_subnet_ids" {
  description = "IDs of the public subnets (load balancer and NAT gateways), one per availability zone."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "IDs of the private application subnets (EKS nodes and pods), one per availability zone."
  value       = aws_subnet.private[*].id
}

output "database_subnet_ids" {
  description = "IDs of the database subnets, which have no route out of the VPC."
  value       = aws_subnet.database[*].id
}

output "kms_key_arn" {
  description = "ARN of the customer managed KMS key that encrypts the application's data at rest."
  value       = aws_kms_key.this.arn
}

output "url" {
  description = "Public URL of the application."
  value       = "https://${var.domain_name}"
}

output "cloudfront_distribution_id" {
  description = "ID of the CloudFront distribution (for cache invalidations after a UI deployment)."
  value       = aws_cloudfront_distribution.this.id
}

output "cloudfront_domain_name" {
  description = "Domain name CloudFront assigned to the distribution."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "ui_bucket_name" {
  description = "Name of the versioned S3 bucket to deploy the UI into."
  value       = aws_s3_bucket.ui.id
}

output "alb_arn" {
  description = "ARN of the internet-facing Application Load Balancer."
  value       = aws_lb.this.arn
}

output "alb_dns_name" {
  description = "DNS name of the load balancer; clients use the CloudFront name instead."
  value       = aws_lb.this.dns_name
}

output "alb_target_group_arn" {
  description = "ARN of the IP target group to bind the API service to (AWS Load Balancer Controller TargetGroupBinding)."
  value       = aws_lb_target_group.app.arn
}

output "node_security_group_id" {
  description = "ID of the security group of the EKS nodes, which the load balancer may reach on app_port."
  value       = aws_security_group.nodes.id
}

output "eks_cluster_name" {
  description = "Name of the EKS cluster."
  value       = aws_eks_cluster.this.name
}

output "eks_cluster_endpoint" {
  description = "Endpoint of the Kubernetes API server."
  value       = aws_eks_cluster.this.endpoint
}

output "eks_cluster_certificate_authority" {
  description = "Base64-encoded certificate authority data of the cluster."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "db_cluster_endpoint" {
  description = "Writer endpoint of the Aurora PostgreSQL cluster."
  value       = aws_rds_cluster.this.endpoint
}

output "db_cluster_reader_endpoint" {
  description = "Reader endpoint of the Aurora PostgreSQL cluster."
  value       = aws_rds_cluster.this.reader_endpoint
}

output "db_master_user_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the master credentials that RDS generated."
  value       = aws_rds_cluster.this.master_user_secret[0].secret_arn
}

output "alarm_topic_arn" {
  description = "ARN of the encrypted SNS topic that alarms and the budget notify."
  value       = aws_sns_topic.alarms.arn
}

output "budget_name" {
  description = "Name of the monthly AWS Budgets budget."
  value       = aws_budgets_budget.monthly.name
}
