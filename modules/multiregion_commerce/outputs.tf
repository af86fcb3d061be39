output "storefront_url" {
  description = "Public URL of the storefront (CloudFront)."
  value       = "https://${var.domain_name}"
}

output "origin_domain_name" {
  description = "Name Route 53 resolves to a healthy region (failover or latency routing); CloudFront sends dynamic paths there."
  value       = local.origin_domain
}

output "cloudfront_distribution_id" {
  description = "ID of the CloudFront distribution."
  value       = aws_cloudfront_distribution.this.id
}

output "cloudfront_domain_name" {
  description = "Domain name CloudFront assigned to the distribution."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "edge_web_acl_arn" {
  description = "ARN of the CLOUDFRONT-scope web ACL (us-east-1)."
  value       = aws_wafv2_web_acl.edge.arn
}

output "primary_vpc_id" {
  description = "ID of the primary region's VPC."
  value       = aws_vpc.primary.id
}

output "failover_vpc_id" {
  description = "ID of the failover region's VPC."
  value       = aws_vpc.failover.id
}

output "primary_private_subnet_ids" {
  description = "IDs of the primary region's private subnets."
  value       = aws_subnet.primary_private[*].id
}

output "failover_private_subnet_ids" {
  description = "IDs of the failover region's private subnets."
  value       = aws_subnet.failover_private[*].id
}

output "primary_alb_dns_name" {
  description = "DNS name of the primary region's load balancer."
  value       = aws_lb.primary.dns_name
}

output "failover_alb_dns_name" {
  description = "DNS name of the failover region's load balancer."
  value       = aws_lb.failover.dns_name
}

output "primary_autoscaling_group_name" {
  description = "Name of the primary region's Auto Scaling group."
  value       = aws_autoscaling_group.primary.name
}

output "failover_autoscaling_group_name" {
  description = "Name of the failover region's Auto Scaling group (scale it out as part of a failover when failover_min_size is 0)."
  value       = aws_autoscaling_group.failover.name
}

output "primary_health_check_id" {
  description = "ID of the Route 53 health check of the primary load balancer."
  value       = aws_route53_health_check.primary.id
}

output "failover_health_check_id" {
  description = "ID of the Route 53 health check of the failover load balancer."
  value       = aws_route53_health_check.failover.id
}

output "global_cluster_id" {
  description = "Identifier of the Aurora global database (used to switch over or fail over between regions)."
  value       = aws_rds_global_cluster.this.id
}

output "primary_cluster_endpoint" {
  description = "Writer endpoint of the primary Aurora cluster."
  value       = aws_rds_cluster.primary.endpoint
}

output "primary_reader_endpoint" {
  description = "Reader endpoint of the primary Aurora cluster."
  value       = aws_rds_cluster.primary.reader_endpoint
}

output "failover_reader_endpoint" {
  description = "Reader endpoint of the secondary Aurora cluster in the failover region."
  value       = aws_rds_cluster.failover.reader_endpoint
}

output "db_master_secret_arn" {
  description = "ARN of the Secrets Manager secret (replicated to the failover region) holding the database master credentials."
  value       = aws_secretsmanager_secret.db_master.arn
}

output "primary_bucket_name" {
  description = "Name of the primary region's data bucket (replicated to the failover bucket)."
  value       = aws_s3_bucket.primary.bucket
}

output "failover_bucket_name" {
  description = "Name of the failover region's data bucket (replica)."
  value       = aws_s3_bucket.failover.bucket
}

output "primary_kms_key_arn" {
  description = "ARN of the primary region's KMS key."
  value       = aws_kms_key.primary.arn
}

output "failover_kms_key_arn" {
  description = "ARN of the failover region's KMS key."
  value       = aws_kms_key.failover.arn
}

output "alarm_topic_arns" {
  description = "ARNs of the encrypted alarm topics, by region role: primary, failover and global (us-east-1, Route 53 health checks)."
  value = {
    primary  = aws_sns_topic.primary_alarms.arn
    failover = aws_sns_topic.failover_alarms.arn
    global   = aws_sns_topic.global_alarms.arn
  }
}
