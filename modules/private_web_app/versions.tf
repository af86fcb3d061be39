terraform {
  required_version = ">= 1.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
      # CloudFront only accepts certificates and CLOUDFRONT-scope web ACLs from us-east-1.
      configuration_aliases = [aws.us_east_1]
    }
  }
}
