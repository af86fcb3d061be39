output "url" {
  description = "Public URL of the platform (CloudFront): static assets at /, the API under /<api_path_prefix>/."
  value       = "https://${var.domain_name}"
}

output "cloudfront_distribution_id" {
  description = "ID of the CloudFront distribution (invalidate it after deploying static assets)."
  value       = aws_cloudfront_distribution.this.id
}

output "web_acl_arn" {
  description = "ARN of the CLOUDFRONT-scope web ACL (us-east-1)."
  value       = aws_wafv2_web_acl.edge.arn
}

output "static_bucket_name" {
  description = "Name of the S3 bucket holding the static assets."
  value       = aws_s3_bucket.static.bucket
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets (nodes, NLB, database, cache)."
  value       = aws_subnet.private[*].id
}

output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = aws_eks_cluster.this.name
}

output "cluster_endpoint" {
  description = "Endpoint of the Kubernetes API server."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64-encoded certificate authority of the cluster, for kubeconfig."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "cluster_security_group_id" {
  description = "Security group EKS created for the cluster and its nodes; allowed into the proxy and the cache."
  value       = local.cluster_security_group_id
}

output "node_role_arn" {
  description = "ARN of the IAM role of the managed nodes."
  value       = aws_iam_role.node.arn
}

output "ingress_target_group_arn" {
  description = "ARN of the NLB target group that sends API traffic to ingress_node_port on every node."
  value       = aws_lb_target_group.ingress.arn
}

output "api_id" {
  description = "ID of the HTTP API."
  value       = aws_apigatewayv2_api.this.id
}

output "db_cluster_identifier" {
  description = "Identifier of the Aurora MySQL cluster."
  value       = aws_rds_cluster.this.cluster_identifier
}

output "db_proxy_endpoint" {
  description = "Read/write endpoint of the RDS Proxy: connect here with TLS and an IAM authentication token."
  value       = aws_db_proxy.this.endpoint
}

output "db_proxy_read_only_endpoint" {
  description = "Read-only endpoint of the RDS Proxy (the Aurora readers)."
  value       = aws_db_proxy_endpoint.read_only.endpoint
}

output "db_master_secret_arn" {
  description = "ARN of the RDS-managed Secrets Manager secret with the master credentials."
  value       = aws_rds_cluster.this.master_user_secret[0].secret_arn
}

output "db_connect_policy_arn" {
  description = "ARN of an IAM policy allowing rds-db:connect through the proxy; attach it to workload roles (IRSA or EKS Pod Identity)."
  value       = aws_iam_policy.db_connect.arn
}

output "cache_primary_endpoint" {
  description = "Primary endpoint of the Redis replication group (TLS, AUTH)."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "cache_reader_endpoint" {
  description = "Reader endpoint of the Redis replication group."
  value       = aws_elasticache_replication_group.this.reader_endpoint_address
}

output "cache_auth_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the Redis AUTH token."
  value       = aws_secretsmanager_secret.cache_auth.arn
}

output "alarm_topic_arn" {
  description = "ARN of the encrypted SNS topic that receives every alarm; subscribe more endpoints to it."
  value       = aws_sns_topic.alarms.arn
}

output "kms_key_arn" {
  description = "ARN of the platform's KMS key (EKS secrets, database, cache, logs, alarm topic)."
  value       = aws_kms_key.this.arn
}
