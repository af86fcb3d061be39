# ---------------------------------------------------------------------------------------------
# Naming and tagging
# ---------------------------------------------------------------------------------------------

variable "name" {
  type        = string
  description = "Name of the service; prefixes every resource name and tags every resource with Application = name."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}[a-z0-9]$", var.name))
    error_message = "The name must be 3-22 characters of lowercase letters, digits and hyphens, start with a letter and not end with a hyphen."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource that supports them."
  default     = {}
}

# ---------------------------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------------------------

variable "vpc_cidr" {
  type        = string
  description = "IPv4 CIDR block of the VPC. It is split into public and private subnets, one of each per availability zone."
  default     = "10.30.0.0/16"

  validation {
    condition     = can(regex("^([0-9]{1,3}\\.){3}[0-9]{1,3}/(1[6-9]|20)$", var.vpc_cidr)) && can(cidrhost(var.vpc_cidr, 0))
    error_message = "The vpc_cidr must be a valid IPv4 CIDR block from /16 to /20."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones to spread the subnets, NAT gateways and tasks over (two to four)."

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 4 && length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "Give two to four distinct availability zones."
  }
}

variable "single_nat_gateway" {
  type        = bool
  description = "Use one NAT gateway for all private subnets instead of one per availability zone. Cheaper, but losing that zone cuts every private subnet off the internet."
  default     = false
}

variable "flow_log_retention_days" {
  type        = number
  description = "Days to keep VPC flow logs (CloudWatch Logs) and load balancer access logs (S3)."
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "The flow_log_retention_days must be a retention period CloudWatch Logs supports (1, 3, 5, 7, 14, 30, ... 3653)."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Days to keep the container logs and the API access logs in CloudWatch Logs."
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "The log_retention_days must be a retention period CloudWatch Logs supports (1, 3, 5, 7, 14, 30, ... 3653)."
  }
}

# ---------------------------------------------------------------------------------------------
# DNS, certificates and the edge
# ---------------------------------------------------------------------------------------------

variable "domain_name" {
  type        = string
  description = "Public host name of the service (for example api.example.com). CloudFront serves it with a certificate issued in us-east-1."

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.domain_name))
    error_message = "The domain_name must be a lowercase fully qualified domain name."
  }
}

variable "hosted_zone_id" {
  type        = string
  description = "ID of the public Route 53 hosted zone of domain_name; certificate validation and alias records are created in it."

  validation {
    condition     = can(regex("^Z[A-Z0-9]{1,31}$", var.hosted_zone_id))
    error_message = "The hosted_zone_id must be a Route 53 hosted zone ID (Z followed by uppercase letters and digits)."
  }
}

variable "internal_subdomain" {
  type        = string
  description = "Label prepended to domain_name for the internal load balancer's certificate (internal.api.example.com). API Gateway verifies this name when it connects over TLS; it needs no DNS record."
  default     = "internal"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", var.internal_subdomain))
    error_message = "The internal_subdomain must be a single lowercase DNS label."
  }
}

variable "origin_verify_secret" {
  type        = string
  description = "Shared secret CloudFront sends in the X-Origin-Verify header; the load balancer rejects requests without it, so the API cannot be called around CloudFront and its web ACL. Keep it out of version control (for example read it from Secrets Manager in the caller)."
  sensitive   = true

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{32,128}$", var.origin_verify_secret))
    error_message = "The origin_verify_secret must be 32 to 128 letters, digits, underscores and hyphens."
  }
}

variable "cloudfront_price_class" {
  type        = string
  description = "CloudFront price class: which edge locations serve the API."
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.cloudfront_price_class)
    error_message = "The cloudfront_price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "waf_rate_limit" {
  type        = number
  description = "Requests a single client IP may send in any 5-minute window before the web ACL blocks it."
  default     = 2000

  validation {
    condition     = var.waf_rate_limit >= 100 && var.waf_rate_limit <= 2000000000
    error_message = "The waf_rate_limit must be between 100 and 2,000,000,000."
  }
}

# ---------------------------------------------------------------------------------------------
# API Gateway
# ---------------------------------------------------------------------------------------------

variable "api_throttling_rate_limit" {
  type        = number
  description = "Steady-state requests per second the HTTP API stage accepts before answering 429."
  default     = 1000

  validation {
    condition     = var.api_throttling_rate_limit > 0
    error_message = "The api_throttling_rate_limit must be greater than zero."
  }
}

variable "api_throttling_burst_limit" {
  type        = number
  description = "Burst of concurrent requests the HTTP API stage accepts above the rate limit."
  default     = 500

  validation {
    condition     = var.api_throttling_burst_limit > 0 && floor(var.api_throttling_burst_limit) == var.api_throttling_burst_limit
    error_message = "The api_throttling_burst_limit must be a positive whole number."
  }
}

variable "jwt_issuer" {
  type        = string
  description = "Issuer URL of a JWT authorizer for every route (for example a Cognito user pool). Empty: the API passes requests through unauthenticated and the service authenticates them itself."
  default     = ""

  validation {
    condition     = var.jwt_issuer == "" || can(regex("^https://", var.jwt_issuer))
    error_message = "The jwt_issuer must be empty or an https:// URL."
  }
}

variable "jwt_audience" {
  type        = list(string)
  description = "Accepted audiences (aud or client_id claims) of the JWT authorizer; required when jwt_issuer is set."
  default     = []
}

# ---------------------------------------------------------------------------------------------
# Container and task
# ---------------------------------------------------------------------------------------------

variable "container_image" {
  type        = string
  description = "Container image of the service, pinned by digest or an immutable tag (for example 123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders@sha256:...)."

  validation {
    condition     = length(var.container_image) > 0 && !can(regex(":latest$", var.container_image))
    error_message = "The container_image must be set and must not use the mutable latest tag."
  }
}

variable "ecr_repository_arns" {
  type        = list(string)
  description = "ARNs of the ECR repositories the task execution role may pull images from; leave empty for images outside ECR."
  default     = []

  validation {
    condition     = alltrue([for a in var.ecr_repository_arns : can(regex("^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/.+$", a))])
    error_message = "Every entry must be an ECR repository ARN."
  }
}

variable "container_port" {
  type        = number
  description = "Port the container listens on."
  default     = 8080

  validation {
    condition     = var.container_port >= 1024 && var.container_port <= 65535
    error_message = "The container_port must be an unprivileged port (1024-65535)."
  }
}

variable "container_environment" {
  type        = map(string)
  description = "Plain environment variables of the container (never secrets). TABLE_NAME is always set to the DynamoDB table."
  default     = {}
}

variable "container_secrets" {
  type        = map(string)
  description = "Environment variables filled from Secrets Manager at task start: variable name => secret ARN (optionally with a JSON key, <ARN>:<key>::). Only these secrets are readable by the execution role; a secret encrypted with a customer managed key must also let the role decrypt with it."
  default     = {}

  validation {
    condition     = alltrue([for arn in values(var.container_secrets) : can(regex("^arn:aws[a-z-]*:secretsmanager:", arn))])
    error_message = "Every value must be a Secrets Manager secret ARN."
  }
}

variable "health_check_path" {
  type        = string
  description = "HTTP path the load balancer probes on each task."
  default     = "/healthz"

  validation {
    condition     = can(regex("^/", var.health_check_path))
    error_message = "The health_check_path must start with a slash."
  }
}

variable "task_cpu" {
  type        = number
  description = "CPU units of a task (1024 = one vCPU)."
  default     = 512

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.task_cpu)
    error_message = "The task_cpu must be a Fargate CPU size: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  }
}

variable "task_memory" {
  type        = number
  description = "Memory of a task in MiB; must be a combination Fargate supports for task_cpu."
  default     = 1024

  validation {
    condition     = var.task_memory >= 512 && var.task_memory <= 122880
    error_message = "The task_memory must be between 512 and 122880 MiB."
  }
}

variable "cpu_architecture" {
  type        = string
  description = "CPU architecture of the tasks; ARM64 (Graviton) costs less for the same work. The image must be built for it."
  default     = "ARM64"

  validation {
    condition     = contains(["ARM64", "X86_64"], var.cpu_architecture)
    error_message = "The cpu_architecture must be ARM64 or X86_64."
  }
}

variable "enable_execute_command" {
  type        = bool
  description = "Allow ECS Exec into running tasks (sessions are encrypted with the module's key and logged). Off by default."
  default     = false
}

# ---------------------------------------------------------------------------------------------
# Scaling
# ---------------------------------------------------------------------------------------------

variable "min_capacity" {
  type        = number
  description = "Minimum number of tasks; at least two so that tasks run in more than one availability zone."
  default     = 2

  validation {
    condition     = var.min_capacity >= 2
    error_message = "The min_capacity must be at least 2."
  }
}

variable "max_capacity" {
  type        = number
  description = "Maximum number of tasks the CPU target tracking policy may scale out to."
  default     = 10

  validation {
    condition     = var.max_capacity >= 2 && var.max_capacity <= 1000
    error_message = "The max_capacity must be between 2 and 1000."
  }
}

variable "cpu_target_percent" {
  type        = number
  description = "Average CPU utilisation of the service that target tracking keeps the task count at."
  default     = 60

  validation {
    condition     = var.cpu_target_percent >= 10 && var.cpu_target_percent <= 90
    error_message = "The cpu_target_percent must be between 10 and 90."
  }
}

# ---------------------------------------------------------------------------------------------
# DynamoDB
# ---------------------------------------------------------------------------------------------

variable "dynamodb_hash_key" {
  type        = string
  description = "Partition key (string attribute) of the DynamoDB table."
  default     = "pk"

  validation {
    condition     = length(var.dynamodb_hash_key) > 0
    error_message = "The dynamodb_hash_key must not be empty."
  }
}

variable "dynamodb_range_key" {
  type        = string
  description = "Sort key (string attribute) of the DynamoDB table; empty for a table without one."
  default     = "sk"
}

variable "dynamodb_ttl_attribute" {
  type        = string
  description = "Attribute holding an item's expiry time (epoch seconds); empty to keep items until deleted."
  default     = ""
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the DynamoDB table and the load balancer from deletion. Turn off only to tear down a non-production copy."
  default     = true
}

# ---------------------------------------------------------------------------------------------
# Alerts
# ---------------------------------------------------------------------------------------------

variable "alarm_email_addresses" {
  type        = list(string)
  description = "Email addresses subscribed to the alarm topic. Each subscription must be confirmed from the email AWS sends."
  default     = []

  validation {
    condition     = alltrue([for e in var.alarm_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "Every entry must be an email address."
  }
}
