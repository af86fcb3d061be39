terraform {
  required_version = ">= 1.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
      # The web ACL of a CloudFront distribution must live in us-east-1, whatever the
      # region of the rest of the stack: the caller passes a provider for it.
      configuration_aliases = [aws.us_east_1]
    }
  }
}
