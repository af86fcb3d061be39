terraform {
  required_version = ">= 1.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
    wellarch = {
      source = "wellarch/wellarch"
    }
  }
}

provider "aws" {
  region = var.region
}
