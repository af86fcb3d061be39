# ---------------------------------------------------------------------------------------------
# Naming and tagging
# ---------------------------------------------------------------------------------------------

variable "name" {
  type        = string
  description = "Name of the application; prefixes every resource name and tags every resource with Application = name."

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
  description = "IPv4 CIDR block of the VPC. It is split into public, private (application) and database subnets, one of each per availability zone."
  default     = "10.20.0.0/16"

  validation {
    condition     = can(regex("^([0-9]{1,3}\\.){3}[0-9]{1,3}/(1[6-9]|20)$", var.vpc_cidr)) && can(cidrhost(var.vpc_cidr, 0))
    error_message = "The vpc_cidr must be a valid IPv4 CIDR block from /16 to /20."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones to spread the subnets, NAT gateways, nodes and database instances over (two to four)."

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
  description = "Days to keep the EKS control plane and Aurora logs in CloudWatch Logs."
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
  description = "Public host name of the application (for example app.example.com). CloudFront serves it; a certificate for it is issued in us-east-1."

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.domain_name))
    error_message = "The domain_name must be a lowercase fully qualified domain name."
  }
}

variable "origin_subdomain" {
  type        = string
  description = "Label prepended to domain_name for the load balancer's own name (origin.app.example.com), which CloudFront uses to reach it over TLS."
  default     = "origin"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", var.origin_subdomain))
    error_message = "The origin_subdomain must be a single lowercase DNS label."
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

variable "cloudfront_price_class" {
  type        = string
  description = "CloudFront price class: which edge locations serve the application."
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.cloudfront_price_class)
    error_message = "The cloudfront_price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "waf_rate_limit" {
  type        = number
  description = "Requests a single client IP may send in any 5-minute window before both web ACLs block it."
  default     = 2000

  validation {
    condition     = var.waf_rate_limit >= 100 && var.waf_rate_limit <= 2000000000
    error_message = "The waf_rate_limit must be between 100 and 2,000,000,000."
  }
}

# ---------------------------------------------------------------------------------------------
# Load balancer and application
# ---------------------------------------------------------------------------------------------

variable "app_port" {
  type        = number
  description = "Port the application pods listen on; the load balancer's target group forwards to it."
  default     = 8080

  validation {
    condition     = var.app_port >= 1024 && var.app_port <= 65535
    error_message = "The app_port must be an unprivileged port (1024-65535)."
  }
}

variable "app_health_check_path" {
  type        = string
  description = "HTTP path the load balancer probes on each pod."
  default     = "/healthz"

  validation {
    condition     = can(regex("^/", var.app_health_check_path))
    error_message = "The app_health_check_path must start with a slash."
  }
}

variable "api_path_pattern" {
  type        = string
  description = "CloudFront path pattern routed to the load balancer (the API); every other path is served from the UI bucket."
  default     = "/api/*"

  validation {
    condition     = can(regex("^/", var.api_path_pattern))
    error_message = "The api_path_pattern must start with a slash."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the load balancer and the Aurora cluster from deletion. Turn off only to tear down a non-production copy."
  default     = true
}

# ---------------------------------------------------------------------------------------------
# EKS
# ---------------------------------------------------------------------------------------------

variable "kubernetes_version" {
  type        = string
  description = "Kubernetes version of the EKS control plane."
  default     = "1.30"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "The kubernetes_version must look like 1.30."
  }
}

variable "cluster_endpoint_public_access" {
  type        = bool
  description = "Expose the Kubernetes API endpoint on the internet as well as inside the VPC. Off by default: reach the API over VPN, Direct Connect or a bastion."
  default     = false
}

variable "cluster_endpoint_public_access_cidrs" {
  type        = list(string)
  description = "CIDR blocks allowed to reach the public Kubernetes API endpoint; used only when cluster_endpoint_public_access is true."
  default     = []

  validation {
    condition     = alltrue([for c in var.cluster_endpoint_public_access_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "Every entry must be a valid CIDR block, and 0.0.0.0/0 is not allowed."
  }
}

variable "node_instance_types" {
  type        = list(string)
  description = "EC2 instance types of the managed node group, in order of preference. They must match the architecture of node_ami_type."
  default     = ["m7g.large"]

  validation {
    condition     = length(var.node_instance_types) > 0
    error_message = "Give at least one instance type."
  }
}

variable "node_ami_type" {
  type        = string
  description = "AMI type of the managed node group (for example AL2023_ARM_64_STANDARD or AL2023_x86_64_STANDARD; AL2023 types need hashicorp/aws 5.27 or later)."
  default     = "AL2023_ARM_64_STANDARD"
}

variable "node_disk_size" {
  type        = number
  description = "Size in GiB of each node's encrypted gp3 root volume."
  default     = 50

  validation {
    condition     = var.node_disk_size >= 20 && var.node_disk_size <= 16384
    error_message = "The node_disk_size must be between 20 and 16384 GiB."
  }
}

variable "node_min_size" {
  type        = number
  description = "Minimum number of nodes; at least two so that the loss of one node or zone leaves capacity."
  default     = 2

  validation {
    condition     = var.node_min_size >= 2
    error_message = "The node_min_size must be at least 2."
  }
}

variable "node_desired_size" {
  type        = number
  description = "Initial number of nodes (later changes are left to the cluster autoscaler)."
  default     = 3

  validation {
    condition     = var.node_desired_size >= 2
    error_message = "The node_desired_size must be at least 2."
  }
}

variable "node_max_size" {
  type        = number
  description = "Maximum number of nodes."
  default     = 6

  validation {
    condition     = var.node_max_size >= 2 && var.node_max_size <= 450
    error_message = "The node_max_size must be between 2 and 450."
  }
}

# ---------------------------------------------------------------------------------------------
# Aurora PostgreSQL
# ---------------------------------------------------------------------------------------------

variable "db_engine_version" {
  type        = string
  description = "Aurora PostgreSQL engine version (major.minor)."
  default     = "16.4"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+$", var.db_engine_version))
    error_message = "The db_engine_version must look like 16.4."
  }
}

variable "db_instance_class" {
  type        = string
  description = "Instance class of every Aurora instance."
  default     = "db.r7g.large"

  validation {
    condition     = can(regex("^db\\.", var.db_instance_class))
    error_message = "The db_instance_class must start with db."
  }
}

variable "db_instance_count" {
  type        = number
  description = "Number of Aurora instances (one writer, the rest readers and failover targets in other zones)."
  default     = 2

  validation {
    condition     = var.db_instance_count >= 2 && var.db_instance_count <= 16
    error_message = "The db_instance_count must be between 2 and 16, so the cluster survives the loss of a zone."
  }
}

variable "db_name" {
  type        = string
  description = "Name of the database created in the cluster."
  default     = "app"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.db_name))
    error_message = "The db_name must start with a lowercase letter and hold only lowercase letters, digits and underscores (at most 63)."
  }
}

variable "db_master_username" {
  type        = string
  description = "Master user name. Its password is generated and kept in Secrets Manager by RDS, encrypted with the module's KMS key."
  default     = "app_admin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,15}$", var.db_master_username)) && !contains(["admin", "postgres", "rdsadmin"], var.db_master_username)
    error_message = "The db_master_username must be 1-16 lowercase letters, digits or underscores starting with a letter, and not a reserved name."
  }
}

variable "db_backup_retention_days" {
  type        = number
  description = "Days of automated Aurora backups (point-in-time recovery window)."
  default     = 35

  validation {
    condition     = var.db_backup_retention_days >= 7 && var.db_backup_retention_days <= 35
    error_message = "The db_backup_retention_days must be between 7 and 35."
  }
}

variable "db_backup_window" {
  type        = string
  description = "Daily UTC window for automated backups (hh24:mi-hh24:mi); must not overlap db_maintenance_window."
  default     = "02:00-03:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.db_backup_window))
    error_message = "The db_backup_window must look like 02:00-03:00."
  }
}

variable "db_maintenance_window" {
  type        = string
  description = "Weekly UTC maintenance window (ddd:hh24:mi-ddd:hh24:mi)."
  default     = "sun:04:00-sun:05:00"

  validation {
    condition     = can(regex("^(mon|tue|wed|thu|fri|sat|sun):[0-2][0-9]:[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):[0-2][0-9]:[0-5][0-9]$", var.db_maintenance_window))
    error_message = "The db_maintenance_window must look like sun:04:00-sun:05:00."
  }
}

# ---------------------------------------------------------------------------------------------
# Alerts and cost
# ---------------------------------------------------------------------------------------------

variable "alarm_email_addresses" {
  type        = list(string)
  description = "Email addresses subscribed to the alarm topic and notified directly by the budget. Each subscription must be confirmed from the email AWS sends."
  default     = []

  validation {
    condition     = alltrue([for e in var.alarm_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "Every entry must be an email address."
  }
}

variable "monthly_budget_usd" {
  type        = number
  description = "Monthly cost budget in US dollars for the resources tagged Application = name."

  validation {
    condition     = var.monthly_budget_usd > 0
    error_message = "The monthly_budget_usd must be greater than zero."
  }
}

variable "budget_alert_threshold_percent" {
  type        = number
  description = "Percentage of the monthly budget at which actual spend raises an alert (a forecast above 100% always does)."
  default     = 80

  validation {
    condition     = var.budget_alert_threshold_percent > 0 && var.budget_alert_threshold_percent <= 100
    error_message = "The budget_alert_threshold_percent must be between 1 and 100."
  }
}
