# ---------------------------------------------------------------------------------------------
# Naming and tagging
# ---------------------------------------------------------------------------------------------

variable "name" {
  type        = string
  description = "Name of the platform; prefixes every resource name and tags every resource with Application = name."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.name))
    error_message = "The name must be 3-20 characters of lowercase letters, digits and hyphens, start with a letter and not end with a hyphen."
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
  default     = "10.40.0.0/16"

  validation {
    condition     = can(regex("^([0-9]{1,3}\\.){3}[0-9]{1,3}/(1[6-9]|20)$", var.vpc_cidr)) && can(cidrhost(var.vpc_cidr, 0))
    error_message = "The vpc_cidr must be a valid IPv4 CIDR block from /16 to /20."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones to spread the subnets, tasks, brokers and database instances over. MSK takes two or three."

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 3 && length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "Give two or three distinct availability zones."
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
  description = "Days to keep container, broker, Redis and Aurora logs in CloudWatch Logs."
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "The log_retention_days must be a retention period CloudWatch Logs supports (1, 3, 5, 7, 14, 30, ... 3653)."
  }
}

# ---------------------------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------------------------

variable "domain_name" {
  type        = string
  description = "Public host name of the API (for example jobs.example.com); the load balancer's certificate is issued for it."

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.domain_name))
    error_message = "The domain_name must be a lowercase fully qualified domain name."
  }
}

variable "hosted_zone_id" {
  type        = string
  description = "ID of the public Route 53 hosted zone of domain_name; certificate validation and the alias record are created in it."

  validation {
    condition     = can(regex("^Z[A-Z0-9]{1,31}$", var.hosted_zone_id))
    error_message = "The hosted_zone_id must be a Route 53 hosted zone ID (Z followed by uppercase letters and digits)."
  }
}

variable "allowed_ingress_cidrs" {
  type        = list(string)
  description = "IPv4 CIDR blocks allowed to reach the load balancer on ports 80 (redirected) and 443."
  default     = ["0.0.0.0/0"]

  validation {
    condition     = length(var.allowed_ingress_cidrs) > 0 && alltrue([for c in var.allowed_ingress_cidrs : can(cidrhost(c, 0))])
    error_message = "Give at least one valid IPv4 CIDR block."
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

variable "deletion_protection" {
  type        = bool
  description = "Protect the load balancer and the Aurora cluster from deletion. Turn off only to tear down a non-production copy."
  default     = true
}

# ---------------------------------------------------------------------------------------------
# Containers
# ---------------------------------------------------------------------------------------------

variable "api_container_image" {
  type        = string
  description = "Container image of the API servers, pinned by digest or an immutable tag."

  validation {
    condition     = length(var.api_container_image) > 0 && !can(regex(":latest$", var.api_container_image))
    error_message = "The api_container_image must be set and must not use the mutable latest tag."
  }
}

variable "worker_container_image" {
  type        = string
  description = "Container image of the workers, pinned by digest or an immutable tag."

  validation {
    condition     = length(var.worker_container_image) > 0 && !can(regex(":latest$", var.worker_container_image))
    error_message = "The worker_container_image must be set and must not use the mutable latest tag."
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

variable "cpu_architecture" {
  type        = string
  description = "CPU architecture of all tasks; ARM64 (Graviton) costs less for the same work. The images must be built for it."
  default     = "ARM64"

  validation {
    condition     = contains(["ARM64", "X86_64"], var.cpu_architecture)
    error_message = "The cpu_architecture must be ARM64 or X86_64."
  }
}

variable "api_container_port" {
  type        = number
  description = "Port the API container listens on."
  default     = 8080

  validation {
    condition     = var.api_container_port >= 1024 && var.api_container_port <= 65535
    error_message = "The api_container_port must be an unprivileged port (1024-65535)."
  }
}

variable "api_health_check_path" {
  type        = string
  description = "HTTP path the load balancer probes on each API task."
  default     = "/healthz"

  validation {
    condition     = can(regex("^/", var.api_health_check_path))
    error_message = "The api_health_check_path must start with a slash."
  }
}

variable "api_task_cpu" {
  type        = number
  description = "CPU units of an API task (1024 = one vCPU)."
  default     = 512

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.api_task_cpu)
    error_message = "The api_task_cpu must be a Fargate CPU size: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  }
}

variable "api_task_memory" {
  type        = number
  description = "Memory of an API task in MiB; must be a combination Fargate supports for api_task_cpu."
  default     = 1024

  validation {
    condition     = var.api_task_memory >= 512 && var.api_task_memory <= 122880
    error_message = "The api_task_memory must be between 512 and 122880 MiB."
  }
}

variable "api_min_capacity" {
  type        = number
  description = "Minimum number of API tasks; at least two, in different availability zones."
  default     = 2

  validation {
    condition     = var.api_min_capacity >= 2
    error_message = "The api_min_capacity must be at least 2."
  }
}

variable "api_max_capacity" {
  type        = number
  description = "Maximum number of API tasks."
  default     = 20

  validation {
    condition     = var.api_max_capacity >= 2 && var.api_max_capacity <= 1000
    error_message = "The api_max_capacity must be between 2 and 1000."
  }
}

variable "api_cpu_target_percent" {
  type        = number
  description = "Average CPU utilisation of the API service that target tracking keeps the task count at."
  default     = 60

  validation {
    condition     = var.api_cpu_target_percent >= 10 && var.api_cpu_target_percent <= 90
    error_message = "The api_cpu_target_percent must be between 10 and 90."
  }
}

variable "worker_task_cpu" {
  type        = number
  description = "CPU units of a worker task (1024 = one vCPU)."
  default     = 1024

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.worker_task_cpu)
    error_message = "The worker_task_cpu must be a Fargate CPU size: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  }
}

variable "worker_task_memory" {
  type        = number
  description = "Memory of a worker task in MiB; must be a combination Fargate supports for worker_task_cpu."
  default     = 2048

  validation {
    condition     = var.worker_task_memory >= 512 && var.worker_task_memory <= 122880
    error_message = "The worker_task_memory must be between 512 and 122880 MiB."
  }
}

variable "worker_min_capacity" {
  type        = number
  description = "Minimum number of worker tasks, kept even when the job queue is empty (they also consume the MSK topics)."
  default     = 2

  validation {
    condition     = var.worker_min_capacity >= 1
    error_message = "The worker_min_capacity must be at least 1."
  }
}

variable "worker_max_capacity" {
  type        = number
  description = "Maximum number of worker tasks the queue-depth scaling may add."
  default     = 50

  validation {
    condition     = var.worker_max_capacity >= 1 && var.worker_max_capacity <= 1000
    error_message = "The worker_max_capacity must be between 1 and 1000."
  }
}

variable "worker_scale_out_queue_depth" {
  type        = number
  description = "Visible messages in the job queue at which workers are added: 2 tasks at this depth, 5 at four times it."
  default     = 100

  validation {
    condition     = var.worker_scale_out_queue_depth >= 1
    error_message = "The worker_scale_out_queue_depth must be at least 1."
  }
}

variable "worker_scale_in_queue_depth" {
  type        = number
  description = "Visible messages in the job queue below which, for 10 minutes, one worker at a time is removed."
  default     = 10

  validation {
    condition     = var.worker_scale_in_queue_depth >= 0
    error_message = "The worker_scale_in_queue_depth must not be negative."
  }
}

# ---------------------------------------------------------------------------------------------
# Job queue
# ---------------------------------------------------------------------------------------------

variable "job_visibility_timeout_seconds" {
  type        = number
  description = "Seconds a received job stays invisible to other workers; longer than the slowest job."
  default     = 300

  validation {
    condition     = var.job_visibility_timeout_seconds >= 0 && var.job_visibility_timeout_seconds <= 43200
    error_message = "The job_visibility_timeout_seconds must be between 0 and 43200."
  }
}

variable "job_max_receive_count" {
  type        = number
  description = "Deliveries of a job before it moves to the dead-letter queue."
  default     = 5

  validation {
    condition     = var.job_max_receive_count >= 1 && var.job_max_receive_count <= 1000
    error_message = "The job_max_receive_count must be between 1 and 1000."
  }
}

variable "job_retention_seconds" {
  type        = number
  description = "Seconds an unprocessed job is kept in the queue (the dead-letter queue keeps failures for 14 days)."
  default     = 345600

  validation {
    condition     = var.job_retention_seconds >= 60 && var.job_retention_seconds <= 1209600
    error_message = "The job_retention_seconds must be between 60 and 1209600."
  }
}

variable "queue_depth_alarm_threshold" {
  type        = number
  description = "Visible messages in the job queue that, for 15 minutes, page the operators (workers are not keeping up)."
  default     = 5000

  validation {
    condition     = var.queue_depth_alarm_threshold >= 1
    error_message = "The queue_depth_alarm_threshold must be at least 1."
  }
}

variable "queue_age_alarm_seconds" {
  type        = number
  description = "Age in seconds of the oldest job that pages the operators."
  default     = 900

  validation {
    condition     = var.queue_age_alarm_seconds >= 60
    error_message = "The queue_age_alarm_seconds must be at least 60."
  }
}

variable "payload_retention_days" {
  type        = number
  description = "Days job payloads are kept in the S3 bucket."
  default     = 30

  validation {
    condition     = var.payload_retention_days >= 1
    error_message = "The payload_retention_days must be at least 1."
  }
}

# ---------------------------------------------------------------------------------------------
# MSK (ordered streams)
# ---------------------------------------------------------------------------------------------

variable "kafka_version" {
  type        = string
  description = "Apache Kafka version of the MSK cluster."
  default     = "3.6.0"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+", var.kafka_version))
    error_message = "The kafka_version must look like 3.6.0."
  }
}

variable "msk_broker_instance_type" {
  type        = string
  description = "Instance type of the MSK brokers."
  default     = "kafka.m7g.large"

  validation {
    condition     = can(regex("^kafka\\.", var.msk_broker_instance_type))
    error_message = "The msk_broker_instance_type must start with kafka."
  }
}

variable "msk_brokers_per_az" {
  type        = number
  description = "Brokers in each availability zone (the broker count must be a multiple of the zone count)."
  default     = 1

  validation {
    condition     = var.msk_brokers_per_az >= 1 && floor(var.msk_brokers_per_az) == var.msk_brokers_per_az
    error_message = "The msk_brokers_per_az must be a positive whole number."
  }
}

variable "msk_broker_volume_size" {
  type        = number
  description = "EBS storage of each broker in GiB (encrypted with the module's key)."
  default     = 100

  validation {
    condition     = var.msk_broker_volume_size >= 1 && var.msk_broker_volume_size <= 16384
    error_message = "The msk_broker_volume_size must be between 1 and 16384 GiB."
  }
}

variable "msk_topics" {
  type        = list(string)
  description = "Kafka topics the API produces to and the workers consume; task permissions and consumer-lag alarms are made for each."
  default     = ["events"]

  validation {
    condition     = length(var.msk_topics) > 0 && alltrue([for t in var.msk_topics : can(regex("^[A-Za-z0-9._-]{1,249}$", t))])
    error_message = "Give at least one topic name of letters, digits, dots, underscores and hyphens."
  }
}

variable "msk_consumer_group" {
  type        = string
  description = "Kafka consumer group of the workers."
  default     = "workers"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,249}$", var.msk_consumer_group))
    error_message = "The msk_consumer_group must be letters, digits, dots, underscores and hyphens (MSK publishes no lag metrics for names with a colon)."
  }
}

variable "msk_consumer_lag_alarm_threshold" {
  type        = number
  description = "Total offset lag of the consumer group on a topic (SumOffsetLag) that, for 15 minutes, pages the operators."
  default     = 10000

  validation {
    condition     = var.msk_consumer_lag_alarm_threshold >= 1
    error_message = "The msk_consumer_lag_alarm_threshold must be at least 1."
  }
}

# ---------------------------------------------------------------------------------------------
# Aurora PostgreSQL and RDS Proxy
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

variable "db_proxy_user_secret_arns" {
  type        = list(string)
  description = "Secrets Manager secrets (username and password) of further database users the proxy may log in as, for example an application user created by migrations. The master user is always registered."
  default     = []

  validation {
    condition     = alltrue([for a in var.db_proxy_user_secret_arns : can(regex("^arn:aws[a-z-]*:secretsmanager:", a))])
    error_message = "Every entry must be a Secrets Manager secret ARN."
  }
}

variable "db_app_username" {
  type        = string
  description = "Database user the API and worker tasks connect as through the proxy with IAM authentication; empty for the master user. Its secret must be registered with the proxy."
  default     = ""

  validation {
    condition     = var.db_app_username == "" || can(regex("^[a-z][a-z0-9_]{0,62}$", var.db_app_username))
    error_message = "The db_app_username must be empty or a PostgreSQL user name of lowercase letters, digits and underscores."
  }
}

variable "db_backup_retention_days" {
  type        = number
  description = "Days of automated Aurora backups (point-in-time recovery window)."
  default     = 14

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
  description = "Weekly UTC maintenance window of Aurora and ElastiCache (ddd:hh24:mi-ddd:hh24:mi)."
  default     = "sun:04:00-sun:05:00"

  validation {
    condition     = can(regex("^(mon|tue|wed|thu|fri|sat|sun):[0-2][0-9]:[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):[0-2][0-9]:[0-5][0-9]$", var.db_maintenance_window))
    error_message = "The db_maintenance_window must look like sun:04:00-sun:05:00."
  }
}

# ---------------------------------------------------------------------------------------------
# ElastiCache Redis
# ---------------------------------------------------------------------------------------------

variable "redis_engine_version" {
  type        = string
  description = "Redis OSS engine version of the ElastiCache replication group."
  default     = "7.1"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+$", var.redis_engine_version))
    error_message = "The redis_engine_version must look like 7.1."
  }
}

variable "redis_node_type" {
  type        = string
  description = "Node type of the Redis primary and replicas."
  default     = "cache.r7g.large"

  validation {
    condition     = can(regex("^cache\\.", var.redis_node_type))
    error_message = "The redis_node_type must start with cache."
  }
}

variable "redis_node_count" {
  type        = number
  description = "Redis nodes: one primary and the rest replicas in other zones that take over automatically."
  default     = 2

  validation {
    condition     = var.redis_node_count >= 2 && var.redis_node_count <= 6
    error_message = "The redis_node_count must be between 2 and 6, so the cache survives the loss of a zone."
  }
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
