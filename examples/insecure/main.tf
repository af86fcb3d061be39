terraform {
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
  region = "eu-west-1"
}

variable "name" {
  type    = string
  default = "legacy"
}
