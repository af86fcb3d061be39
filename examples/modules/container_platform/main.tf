# A marketplace: a single-page app from S3 and its API on EKS, with Aurora MySQL behind
# RDS Proxy and a Redis session store.

variable "region" {
  type        = string
  description = "Region of the platform."
  default     = "eu-west-1"
}

variable "admin_cidrs" {
  type        = list(string)
  description = "Office and VPN ranges allowed to reach the Kubernetes API."
  default     = ["203.0.113.0/24"]
}

module "platform" {
  source = "../../../modules/container_platform"

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name            = "marketplace"
  domain_name     = "app.example.com"
  hosted_zone_id  = "Z04718952TQ6GJ1LP4YD3"
  certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0b5c8f3e-6a1d-4d2b-9f51-2c7e4a8b9d10"

  vpc_cidr           = "10.30.0.0/16"
  availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]

  kubernetes_version                   = "1.32"
  cluster_endpoint_public_access_cidrs = var.admin_cidrs
  node_ami_type                        = "AL2023_x86_64_STANDARD"
  node_groups = {
    general = {
      instance_types = ["m6i.large", "m7i.large"]
      capacity_type  = "ON_DEMAND"
      min_size       = 3
      max_size       = 9
      desired_size   = 3
    }
    batch = {
      instance_types = ["c6i.xlarge", "c7i.xlarge"]
      capacity_type  = "SPOT"
      min_size       = 1
      max_size       = 10
      desired_size   = 1
    }
  }
  ingress_node_port = 30080

  api_path_prefix            = "api"
  api_throttling_rate_limit  = 1000
  api_throttling_burst_limit = 2000
  api_jwt_issuer             = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E"
  api_jwt_audience           = ["4f8gk2l1q9m3n5p7r6s0t8u2v"]

  db_instance_class  = "db.r6g.large"
  db_instance_count  = 3
  db_name            = "marketplace"
  db_master_username = "marketplace_admin"

  cache_node_type  = "cache.r7g.large"
  cache_node_count = 3

  alarm_email_addresses = ["platform-oncall@example.com"]

  tags = {
    CostCenter = "marketplace"
  }
}

output "url" {
  description = "Public URL of the marketplace."
  value       = module.platform.url
}

output "cluster_name" {
  description = "EKS cluster to point kubectl at."
  value       = module.platform.cluster_name
}

output "db_proxy_endpoint" {
  description = "Where workloads connect to the database."
  value       = module.platform.db_proxy_endpoint
}

output "db_connect_policy_arn" {
  description = "Policy to attach to workload roles that use the database."
  value       = module.platform.db_connect_policy_arn
}
