# The orders API: one container image from ECR on Fargate, an orders table, JWTs from Cognito.

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
      Owner       = "orders-team"
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
      Owner       = "orders-team"
    }
  }
}

# The CloudFront-to-origin secret is created and rotated outside Terraform code.
data "aws_secretsmanager_secret_version" "origin_verify" {
  secret_id = "orders-api/origin-verify"
}

module "orders_api" {
  source = "../../../modules/fargate_service"

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name               = "orders-api"
  availability_zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  vpc_cidr           = "10.30.0.0/16"

  domain_name          = "orders.example.com"
  hosted_zone_id       = "Z0123456789ABCDEFGHIJ"
  origin_verify_secret = data.aws_secretsmanager_secret_version.origin_verify.secret_string

  jwt_issuer   = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example01"
  jwt_audience = ["4example5client6id7"]

  container_image     = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:1.14.2"
  ecr_repository_arns = ["arn:aws:ecr:eu-west-1:123456789012:repository/orders-api"]
  container_port      = 8080
  container_environment = {
    LOG_LEVEL = "info"
  }
  container_secrets = {
    PAYMENT_PROVIDER_KEY = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-api/payment-provider-AbCdEf"
  }

  task_cpu           = 1024
  task_memory        = 2048
  min_capacity       = 3
  max_capacity       = 30
  cpu_target_percent = 60

  dynamodb_hash_key      = "pk"
  dynamodb_range_key     = "sk"
  dynamodb_ttl_attribute = "expires_at"

  alarm_email_addresses = ["orders-oncall@example.com"]
}

output "url" {
  description = "Public URL of the orders API."
  value       = module.orders_api.url
}

output "dynamodb_table_name" {
  description = "Name of the orders table."
  value       = module.orders_api.dynamodb_table_name
}
