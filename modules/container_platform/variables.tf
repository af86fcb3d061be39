# --- Naming -------------------------------------------------------------------------------

variable "name" {
  type        = string
  description = "Prefix of every resource name, and the EKS cluster's name (3-20 lower-case letters, digits and hyphens)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.name))
    error_message = "The name must be 3-20 characters of lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource that supports them."
  default     = {}
}

# --- Edge: DNS, certificate, WAF ------------------------------------------------------------

variable "domain_name" {
  type        = string
  description = "Domain name the platform is served on (for example app.example.com): static assets at /, the API under /<api_path_prefix>/."

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.domain_name))
    error_message = "The domain_name must be a lower-case fully qualified domain name such as app.example.com."
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

variable "certificate_arn" {
  type        = string
  description = "ARN of an issued ACM certificate for domain_name. CloudFront only accepts certificates from us-east-1."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/.+$", var.certificate_arn))
    error_message = "The certificate_arn must be an ACM certificate ARN in us-east-1."
  }
}

variable "waf_rate_limit" {
  type        = number
  description = "Requests one client IP may send in any 5-minute window before the web ACL blocks it."
  default     = 2000

  validation {
    condition     = var.waf_rate_limit >= 100 && var.waf_rate_limit <= 2000000000
    error_message = "The waf_rate_limit must be between 100 and 2,000,000,000."
  }
}

# --- Network ------------------------------------------------------------------------------

variable "vpc_cidr" {
  type        = string
  description = "CIDR block of the VPC (/16 to /20)."
  default     = "10.30.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr)) && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 20
    error_message = "The vpc_cidr must be an IPv4 CIDR block between /16 and /20."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones to spread subnets, nodes, database and cache over (2 to 4)."

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 4 && length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "The availability_zones must list 2 to 4 distinct availability zones."
  }
}

variable "single_nat_gateway" {
  type        = bool
  description = "Use one NAT gateway instead of one per availability zone: cheaper, but private subnets lose outbound access when that zone fails."
  default     = false
}

variable "log_retention_days" {
  type        = number
  description = "Days to keep VPC flow logs, EKS control plane logs, API access logs and cache slow logs."
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "The log_retention_days must be a retention period CloudWatch Logs supports (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

# --- EKS ----------------------------------------------------------------------------------

variable "kubernetes_version" {
  type        = string
  description = "Kubernetes version of the EKS cluster."
  default     = "1.32"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "The kubernetes_version must look like 1.32."
  }
}

variable "cluster_endpoint_public_access_cidrs" {
  type        = list(string)
  description = "CIDR blocks allowed to reach the Kubernetes API over the internet. Empty (the default) keeps the API endpoint private to the VPC."
  default     = []

  validation {
    condition     = alltrue([for cidr in var.cluster_endpoint_public_access_cidrs : can(cidrnetmask(cidr)) && cidr != "0.0.0.0/0"])
    error_message = "Every entry of cluster_endpoint_public_access_cidrs must be an IPv4 CIDR block narrower than 0.0.0.0/0."
  }
}

variable "node_groups" {
  type = map(object({
    instance_types = list(string)
    capacity_type  = string
    min_size       = number
    max_size       = number
    desired_size   = number
  }))
  description = "Managed node groups by name. Each spans every private subnet (all zones); capacity_type is ON_DEMAND or SPOT."
  default = {
    general = {
      instance_types = ["m6i.large", "m7i.large"]
      capacity_type  = "ON_DEMAND"
      min_size       = 2
      max_size       = 6
      desired_size   = 3
    }
  }

  validation {
    condition = length(var.node_groups) >= 1 && alltrue([
      for group in values(var.node_groups) :
      contains(["ON_DEMAND", "SPOT"], group.capacity_type) && length(group.instance_types) >= 1 && group.min_size >= 1 && group.min_size <= group.desired_size && group.desired_size <= group.max_size
    ])
    error_message = "Give at least one node group; each needs an instance type, capacity_type ON_DEMAND or SPOT, and 1 <= min_size <= desired_size <= max_size."
  }
}

variable "node_ami_type" {
  type        = string
  description = "AMI type of the managed node groups (for example AL2023_x86_64_STANDARD or BOTTLEROCKET_x86_64); null lets EKS choose the default for kubernetes_version."
  default     = null
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

variable "ingress_node_port" {
  type        = number
  description = "NodePort on which the cluster's ingress service (for example an ingress controller's Service of type NodePort) listens; the internal NLB forwards API traffic to it on every node."
  default     = 30080

  validation {
    condition     = var.ingress_node_port >= 30000 && var.ingress_node_port <= 32767
    error_message = "The ingress_node_port must be in the Kubernetes NodePort range 30000-32767."
  }
}

# --- API Gateway --------------------------------------------------------------------------

variable "api_path_prefix" {
  type        = string
  description = "First path segment of the API: CloudFront sends /<prefix>/* to API Gateway, which forwards it unchanged to the cluster."
  default     = "api"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,30}$", var.api_path_prefix))
    error_message = "The api_path_prefix must be 1-31 lower-case letters, digits and hyphens, without slashes."
  }
}

variable "api_throttling_rate_limit" {
  type        = number
  description = "Steady-state requests per second the API stage accepts before it answers 429."
  default     = 500

  validation {
    condition     = var.api_throttling_rate_limit > 0
    error_message = "The api_throttling_rate_limit must be greater than 0."
  }
}

variable "api_throttling_burst_limit" {
  type        = number
  description = "Requests the API stage accepts in a burst above the rate limit."
  default     = 1000

  validation {
    condition     = var.api_throttling_burst_limit > 0 && floor(var.api_throttling_burst_limit) == var.api_throttling_burst_limit
    error_message = "The api_throttling_burst_limit must be a whole number greater than 0."
  }
}

variable "api_jwt_issuer" {
  type        = string
  description = "Issuer URL of the identity provider whose JWTs the API requires (for example a Cognito user pool or an OIDC provider). Null leaves authentication to the application."
  default     = null

  validation {
    condition     = var.api_jwt_issuer == null ? true : can(regex("^https://", var.api_jwt_issuer))
    error_message = "The api_jwt_issuer must be an https:// URL."
  }
}

variable "api_jwt_audience" {
  type        = list(string)
  description = "Accepted audiences (aud or client_id claims) of the JWTs; required when api_jwt_issuer is set."
  default     = []
}

# --- Aurora MySQL and RDS Proxy -----------------------------------------------------------

variable "db_engine_version" {
  type        = string
  description = "Aurora MySQL 3 (MySQL 8.0 compatible) engine version."
  default     = "8.0.mysql_aurora.3.08.0"

  validation {
    condition     = can(regex("^8\\.0\\.mysql_aurora\\.3\\.[0-9]+\\.[0-9]+$", var.db_engine_version))
    error_message = "The db_engine_version must be an Aurora MySQL 3 version such as 8.0.mysql_aurora.3.08.0."
  }
}

variable "db_instance_class" {
  type        = string
  description = "Instance class of the Aurora instances."
  default     = "db.r6g.large"

  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.db_instance_class))
    error_message = "The db_instance_class must be an RDS instance class such as db.r6g.large."
  }
}

variable "db_instance_count" {
  type        = number
  description = "Aurora instances (one writer, the rest readers), spread over the availability zones."
  default     = 2

  validation {
    condition     = var.db_instance_count >= 2 && var.db_instance_count <= 16
    error_message = "The db_instance_count must be between 2 and 16: a single instance cannot fail over to another zone."
  }
}

variable "db_name" {
  type        = string
  description = "Name of the database created in the cluster."
  default     = "app"

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9_]{0,63}$", var.db_name))
    error_message = "The db_name must start with a letter and hold only letters, digits and underscores (at most 64)."
  }
}

variable "db_master_username" {
  type        = string
  description = "Master user name. RDS generates its password and keeps it in Secrets Manager (manage_master_user_password); the proxy reads it from there."
  default     = "app_admin"

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9_]{0,31}$", var.db_master_username)) && !contains(["admin", "rdsadmin", "root"], lower(var.db_master_username))
    error_message = "The db_master_username must start with a letter, hold at most 32 letters, digits and underscores, and not be a reserved name."
  }
}

variable "db_proxy_secret_arns" {
  type        = list(string)
  description = "Further Secrets Manager secrets (username and password of one database user each, for example the application's own user) the proxy may use. Encrypt them with this module's KMS key (output kms_key_arn) or the AWS managed key."
  default     = []

  validation {
    condition     = alltrue([for arn in var.db_proxy_secret_arns : can(regex("^arn:aws[a-z-]*:secretsmanager:", arn))])
    error_message = "Every entry of db_proxy_secret_arns must be a Secrets Manager secret ARN."
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

variable "deletion_protection" {
  type        = bool
  description = "Protect the database cluster against deletion."
  default     = true
}

# --- ElastiCache --------------------------------------------------------------------------

variable "cache_node_type" {
  type        = string
  description = "Node type of the Redis replication group."
  default     = "cache.r7g.large"

  validation {
    condition     = can(regex("^cache\\.[a-z0-9]+\\.[a-z0-9]+$", var.cache_node_type))
    error_message = "The cache_node_type must be an ElastiCache node type such as cache.r7g.large."
  }
}

variable "cache_engine_version" {
  type        = string
  description = "Redis OSS engine version of the replication group."
  default     = "7.1"

  validation {
    condition     = can(regex("^7\\.[0-9]+$", var.cache_engine_version))
    error_message = "The cache_engine_version must be a Redis OSS 7 version such as 7.1 (the parameter group family is redis7)."
  }
}

variable "cache_node_count" {
  type        = number
  description = "Nodes of the replication group (one primary, the rest replicas in other zones)."
  default     = 2

  validation {
    condition     = var.cache_node_count >= 2 && var.cache_node_count <= 6
    error_message = "The cache_node_count must be between 2 and 6: automatic failover needs a replica."
  }
}

variable "cache_snapshot_retention_days" {
  type        = number
  description = "Days of automatic Redis snapshots."
  default     = 7

  validation {
    condition     = var.cache_snapshot_retention_days >= 1 && var.cache_snapshot_retention_days <= 35
    error_message = "The cache_snapshot_retention_days must be between 1 and 35."
  }
}

# --- Static assets ------------------------------------------------------------------------

variable "static_noncurrent_version_days" {
  type        = number
  description = "Days a replaced or deleted static asset version is kept (for rollbacks) before it expires."
  default     = 30

  validation {
    condition     = var.static_noncurrent_version_days >= 1
    error_message = "The static_noncurrent_version_days must be at least 1."
  }
}

# --- Monitoring ---------------------------------------------------------------------------

variable "alarm_email_addresses" {
  type        = list(string)
  description = "E-mail addresses subscribed to the alarm topic (each must confirm its subscription)."
  default     = []

  validation {
    condition     = alltrue([for address in var.alarm_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", address))])
    error_message = "Every entry of alarm_email_addresses must be an e-mail address."
  }
}
