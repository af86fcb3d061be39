# A storefront served from Ireland with a warm standby in Frankfurt.

module "shop" {
  source = "../../../modules/multiregion_commerce"

  providers = {
    aws.primary   = aws.eu_west_1
    aws.failover  = aws.eu_central_1
    aws.us_east_1 = aws.us_east_1
  }

  name           = "shop"
  domain_name    = "shop.example.com"
  hosted_zone_id = "Z04718952TQ6GJ1LP4YD3"

  cloudfront_certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0b5c8f3e-6a1d-4d2b-9f51-2c7e4a8b9d10"
  primary_certificate_arn    = "arn:aws:acm:eu-west-1:123456789012:certificate/5d2e7a10-3c4b-4f6e-8a9d-1b2c3d4e5f60"
  failover_certificate_arn   = "arn:aws:acm:eu-central-1:123456789012:certificate/9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b"

  routing_policy        = "failover"
  dynamic_path_patterns = ["/api/*", "/cart/*", "/checkout/*", "/account/*"]

  primary_vpc_cidr            = "10.10.0.0/16"
  failover_vpc_cidr           = "10.20.0.0/16"
  primary_availability_zones  = ["eu-west-1a", "eu-west-1b"]
  failover_availability_zones = ["eu-central-1a", "eu-central-1b"]
  single_nat_gateway          = false

  # The same application image, copied to both regions.
  primary_ami_id    = "ami-0a1b2c3d4e5f60718"
  failover_ami_id   = "ami-0f1e2d3c4b5a69788"
  instance_type     = "m7i.large"
  app_port          = 8080
  health_check_path = "/health"
  user_data         = <<-EOT
    #!/bin/bash
    set -euo pipefail
    systemctl enable --now shop.service
  EOT

  min_size           = 2
  max_size           = 12
  failover_min_size  = 1
  cpu_target_percent = 55

  db_engine_version          = "16.4"
  db_instance_class          = "db.r6g.large"
  db_name                    = "shop"
  db_master_username         = "shop_admin"
  backup_retention_days      = 14
  failover_db_instance_count = 2

  replica_lag_alarm_ms  = 1000
  alarm_email_addresses = ["oncall@example.com"]

  tags = {
    CostCenter = "commerce"
  }
}

output "storefront_url" {
  description = "Public URL of the shop."
  value       = module.shop.storefront_url
}

output "global_cluster_id" {
  description = "Aurora global database to switch over or fail over."
  value       = module.shop.global_cluster_id
}

output "alarm_topic_arns" {
  description = "Alarm topics per region role."
  value       = module.shop.alarm_topic_arns
}
