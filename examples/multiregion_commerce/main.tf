# A web shop in two regions as one resource: per region a VPC over two zones, an ALB behind
# WAF, an Auto Scaling group (pilot light in the failover region) and a cluster of an Aurora
# global database; replicated S3 buckets, KMS keys, CloudFront with origin failover, Route 53
# health checks (and failover records when a hosted zone is given), alarms to SNS.
#
# Against AWS:   terraform apply -var ami_id=ami-... -var zone_id=Z... -var domain_name=shop.example.com
# Against moto:  cargo test -p terraform-provider-wellarch --test e2e_multiregion_commerce

terraform {
  required_version = ">= 1.0"
  required_providers {
    wellarch = {
      source = "wellarch/wellarch"
    }
  }
}

provider "wellarch" {
  region = var.primary_region

  default_tags {
    tags = {
      project = "shop"
    }
  }
}

resource "wellarch_multiregion_commerce" "shop" {
  name            = var.name
  primary_region  = var.primary_region
  failover_region = var.failover_region

  compute {
    ami_id            = var.ami_id
    failover_ami_id   = var.failover_ami_id
    instance_type     = var.instance_type
    min_size          = var.min_size
    failover_min_size = var.failover_min_size
  }

  network {
    nat_gateways = var.nat_gateways
  }

  database {
    failover_instances  = var.failover_instances
    deletion_protection = var.deletion_protection
    skip_final_snapshot = !var.deletion_protection
  }

  storage {
    force_destroy = !var.deletion_protection
  }

  # HTTPS needs ACM certificates in both regions and us-east-1.
  dynamic "tls" {
    for_each = var.primary_certificate_arn == null ? [] : [1]
    content {
      primary_certificate_arn    = var.primary_certificate_arn
      failover_certificate_arn   = var.failover_certificate_arn
      cloudfront_certificate_arn = var.cloudfront_certificate_arn
    }
  }

  # Failover records need the shop's hosted zone.
  dynamic "dns" {
    for_each = var.zone_id == null ? [] : [1]
    content {
      zone_id     = var.zone_id
      domain_name = var.domain_name
      routing     = var.routing
    }
  }

  edge {}

  notifications {
    subscription {
      protocol = "email"
      endpoint = var.alarm_email
    }
  }

  tags = {
    team = "commerce"
  }
}
