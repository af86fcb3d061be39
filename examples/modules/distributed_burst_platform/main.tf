# Media ingestion: an API that accepts uploads in bursts, transcoding jobs on SQS, ordered
# catalogue events on MSK, Aurora behind RDS Proxy, Redis for rate limits.

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
  region = "eu-central-1"

  default_tags {
    tags = {
      Environment = "production"
      Owner       = "media-team"
    }
  }
}

module "ingest" {
  source = "../../../modules/distributed_burst_platform"

  name               = "ingest"
  availability_zones = ["eu-central-1a", "eu-central-1b", "eu-central-1c"]
  vpc_cidr           = "10.40.0.0/16"

  domain_name    = "ingest.example.com"
  hosted_zone_id = "Z0123456789ABCDEFGHIJ"

  api_container_image    = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/ingest-api:2.3.0"
  worker_container_image = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/ingest-worker:2.3.0"
  ecr_repository_arns = [
    "arn:aws:ecr:eu-central-1:123456789012:repository/ingest-api",
    "arn:aws:ecr:eu-central-1:123456789012:repository/ingest-worker",
  ]

  api_min_capacity             = 3
  api_max_capacity             = 30
  worker_min_capacity          = 2
  worker_max_capacity          = 60
  worker_scale_out_queue_depth = 200
  worker_task_cpu              = 2048
  worker_task_memory           = 4096

  job_visibility_timeout_seconds = 900
  job_max_receive_count          = 3

  msk_topics                       = ["catalogue-events", "upload-events"]
  msk_consumer_group               = "ingest-workers"
  msk_broker_volume_size           = 500
  msk_consumer_lag_alarm_threshold = 50000

  db_instance_count         = 3
  db_app_username           = "ingest_app"
  db_proxy_user_secret_arns = ["arn:aws:secretsmanager:eu-central-1:123456789012:secret:ingest/db-app-user-Xy12Ab"]

  redis_node_type  = "cache.r7g.large"
  redis_node_count = 3

  alarm_email_addresses = ["media-oncall@example.com"]
}

output "url" {
  description = "Public URL of the ingest API."
  value       = module.ingest.url
}

output "job_dlq_url" {
  description = "Dead-letter queue to inspect when the DLQ alarm fires."
  value       = module.ingest.job_dlq_url
}
