terraform {
  required_version = ">= 1.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
      # aws.primary and aws.failover are the two application regions; aws.us_east_1 holds
      # what AWS only serves from there (CloudFront's web ACL, Route 53 health-check metrics).
      configuration_aliases = [aws.primary, aws.failover, aws.us_east_1]
    }
  }
}
