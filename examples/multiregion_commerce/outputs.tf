output "primary_endpoint" {
  value       = wellarch_multiregion_commerce.shop.primary_endpoint
  description = "DNS name of the primary load balancer."
}

output "failover_endpoint" {
  value       = wellarch_multiregion_commerce.shop.failover_endpoint
  description = "DNS name of the failover load balancer."
}

output "distribution_domain" {
  value       = wellarch_multiregion_commerce.shop.distribution_domain
  description = "CloudFront domain in front of both load balancers."
}

output "health_check_ids" {
  value = {
    primary  = wellarch_multiregion_commerce.shop.primary_health_check_id
    failover = wellarch_multiregion_commerce.shop.failover_health_check_id
  }
  description = "Route 53 health checks on each load balancer."
}

output "global_cluster_id" {
  value       = wellarch_multiregion_commerce.shop.global_cluster_id
  description = "The Aurora global database."
}

output "buckets" {
  value = {
    primary  = wellarch_multiregion_commerce.shop.primary_bucket
    failover = wellarch_multiregion_commerce.shop.failover_bucket
  }
  description = "The data bucket of each region (failover is the replica)."
}

output "components" {
  value       = wellarch_multiregion_commerce.shop.components
  description = "Every child resource: address → physical id."
}
