# Multi-region commerce: the same application stack in two regions, a primary that takes
# the writes and a warm failover, behind one CloudFront distribution and Route 53.
#
#   CloudFront + WAF --(reads: origin group primary -> failover)--> ALB + WAF -> ASG (private)
#                    --(writes: origin.<domain>, Route 53 failover/latency + health checks)--^
#   Aurora PostgreSQL global database: writer + reader in the primary, secondary in the failover
#   S3 per region, replicated primary -> failover; alarms -> SNS in each region
#
# Terraform has no per-region loop over providers, so each regional resource is written
# twice, as "primary" and "failover", side by side in the same file:
#   network.tf, security_groups.tf, load_balancers.tf, compute.tf, database.tf, storage.tf,
#   edge.tf (CloudFront and its WAF), dns.tf (records, health checks), monitoring.tf,
#   iam.tf (global roles) and kms.tf.

data "aws_caller_identity" "current" {
  provider = aws.primary
}

data "aws_partition" "current" {
  provider = aws.primary
}

data "aws_region" "primary" {
  provider = aws.primary
}

data "aws_region" "failover" {
  provider = aws.failover
}

locals {
  account_id      = data.aws_caller_identity.current.account_id
  partition       = data.aws_partition.current.partition
  primary_region  = data.aws_region.primary.name
  failover_region = data.aws_region.failover.name

  primary_az_count  = length(var.primary_availability_zones)
  failover_az_count = length(var.failover_availability_zones)

  primary_nat_count  = var.single_nat_gateway ? 1 : local.primary_az_count
  failover_nat_count = var.single_nat_gateway ? 1 : local.failover_az_count

  # Host names of the origins. CloudFront reaches each ALB by a name its certificate covers.
  origin_domain          = "origin.${var.domain_name}"
  primary_origin_domain  = "primary.origin.${var.domain_name}"
  failover_origin_domain = "failover.origin.${var.domain_name}"

  db_port = 5432
}
