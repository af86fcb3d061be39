output "api_endpoint" {
  value       = wellarch_burst_tolerant_api.orders.api_endpoint
  description = "Where clients send requests."
}

output "distribution_domain" {
  value       = wellarch_burst_tolerant_api.orders.distribution_domain
  description = "CloudFront domain in front of the API."
}

output "components" {
  value       = wellarch_burst_tolerant_api.orders.components
  description = "Every child resource: address → physical id."
}
