# --- Naming -------------------------------------------------------------------------------

variable "name" {
  type        = string
  description = "Prefix of every resource name (3-16 lower-case letters, digits and hyphens: load balancer and target group names are short)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,14}[a-z0-9]$", var.name))
    error_message = "The name must be 3-16 characters of lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource that supports them."
  default     = {}
}

# --- DNS and certificates -----------------------------------------------------------------

variable "domain_name" {
  type        = string
  description = "Domain name of the storefront (for example shop.example.com). Origins are published under origin.<domain_name>."

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.domain_name))
    error_message = "The domain_name must be a lower-case fully qualified domain name such as shop.example.com."
  }
}

variable "hosted_zone_id" {
  type        = string
  description = "ID of the Route 53 public hosted zone that holds domain_name."

  validation {
    condition     = can(regex("^Z[A-Z0-9]{1,31}$", var.hosted_zone_id))
    error_message = "The hosted_zone_id must be a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ."
  }
}

variable "cloudfront_certificate_arn" {
  type        = string
  description = "ARN of an issued ACM certificate in us-east-1 for domain_name, used by CloudFront."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/.+$", var.cloudfront_certificate_arn))
    error_message = "The cloudfront_certificate_arn must be an ACM certificate ARN in us-east-1."
  }
}

variable "primary_certificate_arn" {
  type        = string
  description = "ARN of an issued ACM certificate in the primary region covering origin.<domain_name> and *.origin.<domain_name>, used by the primary ALB."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$", var.primary_certificate_arn))
    error_message = "The primary_certificate_arn must be an ACM certificate ARN."
  }
}

variable "failover_certificate_arn" {
  type        = string
  description = "ARN of an issued ACM certificate in the failover region covering origin.<domain_name> and *.origin.<domain_name>, used by the failover ALB."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$", var.failover_certificate_arn))
    error_message = "The failover_certificate_arn must be an ACM certificate ARN."
  }
}

variable "routing_policy" {
  type        = string
  description = "How Route 53 answers for origin.<domain_name>: \"failover\" (primary region while healthy, then failover) or \"latency\" (nearest healthy region: active-active reads, writes still go to the primary database)."
  default     = "failover"

  validation {
    condition     = contains(["failover", "latency"], var.routing_policy)
    error_message = "The routing_policy must be \"failover\" or \"latency\"."
  }
}

variable "dynamic_path_patterns" {
  type        = list(string)
  description = "CloudFront path patterns that are never cached and accept writes (POST, PUT, ...). They are sent to origin.<domain_name>, which Route 53 resolves to a healthy region; every other path is read-only and served by an origin group that fails over from the primary to the failover ALB."
  default     = ["/api/*", "/cart/*", "/checkout/*", "/account/*"]

  validation {
    condition     = length(var.dynamic_path_patterns) <= 20 && alltrue([for p in var.dynamic_path_patterns : can(regex("^/", p))])
    error_message = "The dynamic_path_patterns must be at most 20 patterns, each starting with \"/\"."
  }
}

variable "waf_rate_limit" {
  type        = number
  description = "Requests one client IP may send in any 5-minute window before a web ACL blocks it (applied at CloudFront and at each ALB)."
  default     = 2000

  validation {
    condition     = var.waf_rate_limit >= 100 && var.waf_rate_limit <= 2000000000
    error_message = "The waf_rate_limit must be between 100 and 2,000,000,000."
  }
}

# --- Network ------------------------------------------------------------------------------

variable "primary_vpc_cidr" {
  type        = string
  description = "CIDR block of the primary region's VPC (/16 to /20); must not overlap failover_vpc_cidr."
  default     = "10.10.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.primary_vpc_cidr)) && tonumber(split("/", var.primary_vpc_cidr)[1]) >= 16 && tonumber(split("/", var.primary_vpc_cidr)[1]) <= 20
    error_message = "The primary_vpc_cidr must be an IPv4 CIDR block between /16 and /20."
  }
}

variable "failover_vpc_cidr" {
  type        = string
  description = "CIDR block of the failover region's VPC (/16 to /20); must not overlap primary_vpc_cidr."
  default     = "10.20.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.failover_vpc_cidr)) && tonumber(split("/", var.failover_vpc_cidr)[1]) >= 16 && tonumber(split("/", var.failover_vpc_cidr)[1]) <= 20
    error_message = "The failover_vpc_cidr must be an IPv4 CIDR block between /16 and /20."
  }
}

variable "primary_availability_zones" {
  type        = list(string)
  description = "Availability zones of the primary region to spread subnets, instances and the database over (2 to 4)."

  validation {
    condition     = length(var.primary_availability_zones) >= 2 && length(var.primary_availability_zones) <= 4 && length(distinct(var.primary_availability_zones)) == length(var.primary_availability_zones)
    error_message = "The primary_availability_zones must list 2 to 4 distinct availability zones."
  }
}

variable "failover_availability_zones" {
  type        = list(string)
  description = "Availability zones of the failover region to spread subnets, instances and the database over (2 to 4)."

  validation {
    condition     = length(var.failover_availability_zones) >= 2 && length(var.failover_availability_zones) <= 4 && length(distinct(var.failover_availability_zones)) == length(var.failover_availability_zones)
    error_message = "The failover_availability_zones must list 2 to 4 distinct availability zones."
  }
}

variable "single_nat_gateway" {
  type        = bool
  description = "Use one NAT gateway per region instead of one per availability zone: cheaper, but private subnets lose outbound access when that zone fails."
  default     = false
}

variable "flow_log_retention_days" {
  type        = number
  description = "Days to keep VPC flow logs."
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "The flow_log_retention_days must be a retention period CloudWatch Logs supports (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

# --- Application tier ---------------------------------------------------------------------

variable "primary_ami_id" {
  type        = string
  description = "AMI of the application instances in the primary region."

  validation {
    condition     = can(regex("^ami-[0-9a-f]{8,17}$", var.primary_ami_id))
    error_message = "The primary_ami_id must be an AMI ID such as ami-0123456789abcdef0."
  }
}

variable "failover_ami_id" {
  type        = string
  description = "AMI of the application instances in the failover region (the same image, copied there)."

  validation {
    condition     = can(regex("^ami-[0-9a-f]{8,17}$", var.failover_ami_id))
    error_message = "The failover_ami_id must be an AMI ID such as ami-0123456789abcdef0."
  }
}

variable "instance_type" {
  type        = string
  description = "EC2 instance type of the application instances."
  default     = "m6i.large"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.instance_type))
    error_message = "The instance_type must be an EC2 instance type such as m6i.large."
  }
}

variable "user_data" {
  type        = string
  description = "User data (plain text, for example a cloud-init script) run by the application instances at boot; the module base64-encodes it. It receives nothing secret: instances read the database secret from Secrets Manager."
  default     = ""
}

variable "root_volume_size" {
  type        = number
  description = "Size in GiB of the instances' encrypted gp3 root volume."
  default     = 30

  validation {
    condition     = var.root_volume_size >= 8 && var.root_volume_size <= 16384
    error_message = "The root_volume_size must be between 8 and 16384 GiB."
  }
}

variable "root_device_name" {
  type        = string
  description = "Device name of the AMI's root volume (/dev/xvda for Amazon Linux)."
  default     = "/dev/xvda"
}

variable "app_port" {
  type        = number
  description = "Port the application listens on behind the load balancers."
  default     = 8080

  validation {
    condition     = var.app_port >= 1024 && var.app_port <= 65535 && var.app_port != 5432
    error_message = "The app_port must be an unprivileged port (1024-65535) other than the database port 5432."
  }
}

variable "health_check_path" {
  type        = string
  description = "HTTP path answering 200 when an instance is healthy; used by the target groups and the Route 53 health checks."
  default     = "/health"

  validation {
    condition     = can(regex("^/", var.health_check_path))
    error_message = "The health_check_path must start with \"/\"."
  }
}

variable "min_size" {
  type        = number
  description = "Minimum number of application instances in the primary region."
  default     = 2

  validation {
    condition     = var.min_size >= 2
    error_message = "The min_size must be at least 2, so that the primary region survives the loss of an instance or a zone."
  }
}

variable "max_size" {
  type        = number
  description = "Maximum number of application instances in each region."
  default     = 8

  validation {
    condition     = var.max_size >= 2 && var.max_size <= 1000
    error_message = "The max_size must be between 2 and 1000."
  }
}

variable "failover_min_size" {
  type        = number
  description = "Minimum number of application instances kept warm in the failover region. CPU target tracking scales the group out once traffic arrives; with 0 (pilot light) there is no CPU to track, so raising the group's capacity becomes a step of the failover runbook."
  default     = 1

  validation {
    condition     = var.failover_min_size >= 0
    error_message = "The failover_min_size must not be negative."
  }
}

variable "cpu_target_percent" {
  type        = number
  description = "Average CPU utilisation the Auto Scaling groups keep their instances at."
  default     = 50

  validation {
    condition     = var.cpu_target_percent >= 10 && var.cpu_target_percent <= 90
    error_message = "The cpu_target_percent must be between 10 and 90."
  }
}

# --- Database -----------------------------------------------------------------------------

variable "db_engine_version" {
  type        = string
  description = "Aurora PostgreSQL version of the global database (it must support global databases)."
  default     = "16.4"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+$", var.db_engine_version))
    error_message = "The db_engine_version must be an Aurora PostgreSQL version such as 16.4."
  }
}

variable "db_instance_class" {
  type        = string
  description = "Instance class of every database instance (global databases need memory-optimised classes)."
  default     = "db.r6g.large"

  validation {
    condition     = can(regex("^db\\.r[0-9]", var.db_instance_class))
    error_message = "The db_instance_class must be a memory-optimised (db.r*) class, as Aurora global databases require."
  }
}

variable "db_name" {
  type        = string
  description = "Name of the database created in the cluster."
  default     = "commerce"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.db_name))
    error_message = "The db_name must start with a letter and hold only lower-case letters, digits and underscores (at most 63)."
  }
}

variable "db_master_username" {
  type        = string
  description = "Master user name of the database. Its password is generated and kept in Secrets Manager, never in configuration."
  default     = "commerce_admin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.db_master_username)) && !contains(["postgres", "admin", "rdsadmin"], var.db_master_username)
    error_message = "The db_master_username must start with a letter, hold only lower-case letters, digits and underscores, and not be a reserved name."
  }
}

variable "backup_retention_days" {
  type        = number
  description = "Days of automated database backups."
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 7 && var.backup_retention_days <= 35
    error_message = "The backup_retention_days must be between 7 and 35."
  }
}

variable "failover_db_instance_count" {
  type        = number
  description = "Database instances in the failover region: 0 for a headless secondary (storage replicated, cheapest, slower to promote) or at least 2 in different zones (ready to take writes on promotion)."
  default     = 2

  validation {
    condition     = var.failover_db_instance_count == 0 || (var.failover_db_instance_count >= 2 && var.failover_db_instance_count <= 15)
    error_message = "The failover_db_instance_count must be 0 or between 2 and 15."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the global database, its clusters and the load balancers against deletion."
  default     = true
}

# --- Monitoring ---------------------------------------------------------------------------

variable "replica_lag_alarm_ms" {
  type        = number
  description = "Alarm when a database replica (in-region reader or failover region) lags more than this many milliseconds."
  default     = 2000

  validation {
    condition     = var.replica_lag_alarm_ms >= 100
    error_message = "The replica_lag_alarm_ms must be at least 100."
  }
}

variable "alarm_email_addresses" {
  type        = list(string)
  description = "E-mail addresses subscribed to the alarm topics of every region (each must confirm its subscriptions)."
  default     = []

  validation {
    condition     = alltrue([for address in var.alarm_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", address))])
    error_message = "Every entry of alarm_email_addresses must be an e-mail address."
  }
}
