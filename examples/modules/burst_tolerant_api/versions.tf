terraform {
  required_version = ">= 1.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = ">= 2.4"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Application = "orders"
      Environment = "production"
      ManagedBy   = "terraform"
    }
  }
}

# CloudFront's web ACL has to be created in us-east-1.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  default_tags {
    tags = {
      Application = "orders"
      Environment = "production"
      ManagedBy   = "terraform"
    }
  }
}
