# A customer portal: React UI and API on EKS, Aurora PostgreSQL, a 3,000 USD monthly budget.

terraform {
  required_version = ">= 1.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      Environment = "production"
      Owner       = "portal-team"
    }
  }
}

# CloudFront certificates and CLOUDFRONT-scope web ACLs must be created in us-east-1.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  default_tags {
    tags = {
      Environment = "production"
      Owner       = "portal-team"
    }
  }
}

module "portal" {
  source = "../../../modules/private_web_app"

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name               = "portal"
  availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  vpc_cidr           = "10.20.0.0/16"

  domain_name    = "portal.example.com"
  hosted_zone_id = "Z0123456789ABCDEFGHIJ"

  kubernetes_version  = "1.30"
  node_instance_types = ["m7g.large", "m6g.large"]
  node_min_size       = 3
  node_desired_size   = 3
  node_max_size       = 9

  db_instance_class        = "db.r7g.large"
  db_instance_count        = 3
  db_backup_retention_days = 35

  monthly_budget_usd             = 3000
  budget_alert_threshold_percent = 80
  alarm_email_addresses          = ["portal-oncall@example.com"]

  tags = {
    CostCenter = "cc-1042"
  }
}

output "url" {
  description = "Public URL of the portal."
  value       = module.portal.url
}

output "ui_bucket_name" {
  description = "Bucket the UI pipeline deploys to."
  value       = module.portal.ui_bucket_name
}

output "alb_target_group_arn" {
  description = "Target group for the TargetGroupBinding of the API service."
  value       = module.portal.alb_target_group_arn
}
