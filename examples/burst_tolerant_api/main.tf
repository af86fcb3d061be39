# A burst-tolerant API as one resource: CloudFront + WAF → HTTP API (Cognito JWT auth) → SQS
# (with a dead-letter queue) → Lambda → DynamoDB + S3, SNS fan-out and CloudWatch alarms.
#
# Against AWS:   terraform apply
# Against moto:  make demo   (from the repository root; see README "Provider quick start")

terraform {
  required_version = ">= 1.0"
  required_providers {
    wellarch = {
      source = "wellarch/wellarch"
    }
  }
}

provider "wellarch" {
  region = var.region

  default_tags {
    tags = {
      project = "orders"
    }
  }
}

resource "wellarch_burst_tolerant_api" "orders" {
  name = var.name

  handler {
    filename    = "${path.module}/build/handler.zip"
    runtime     = "python3.12"
    handler     = "app.handler"
    timeout     = 30
    memory_size = var.handler_memory
  }

  table {
    hash_key            = "order_id"
    deletion_protection = var.deletion_protection
  }

  bucket {
    force_destroy = !var.deletion_protection
  }

  edge {}

  notifications {
    subscription {
      protocol = "email"
      endpoint = var.alarm_email
    }
  }

  tags = {
    team = "orders"
  }
}
