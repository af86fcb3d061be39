# --- Naming -------------------------------------------------------------------------------

variable "name" {
  type        = string
  description = "Prefix of every resource name (lower-case letters, digits and hyphens)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "The name must be 3-32 characters of lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen."
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
  description = "Fully qualified domain name the API is served on (for example api.example.com)."

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.domain_name))
    error_message = "The domain_name must be a lower-case fully qualified domain name such as api.example.com."
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

# --- API ----------------------------------------------------------------------------------

variable "route_key" {
  type        = string
  description = "Route of the HTTP API that enqueues a job, as \"METHOD /path\"."
  default     = "POST /jobs"

  validation {
    condition     = can(regex("^(POST|PUT) /[A-Za-z0-9/_{}+-]*$", var.route_key))
    error_message = "The route_key must be a POST or PUT route such as \"POST /jobs\"."
  }
}

variable "throttling_rate_limit" {
  type        = number
  description = "Steady-state requests per second the API stage accepts before it answers 429."
  default     = 100

  validation {
    condition     = var.throttling_rate_limit > 0
    error_message = "The throttling_rate_limit must be greater than 0."
  }
}

variable "throttling_burst_limit" {
  type        = number
  description = "Requests the API stage accepts in a burst above the rate limit."
  default     = 200

  validation {
    condition     = var.throttling_burst_limit > 0 && floor(var.throttling_burst_limit) == var.throttling_burst_limit
    error_message = "The throttling_burst_limit must be a whole number greater than 0."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Days to keep API access logs and function logs."
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "The log_retention_days must be a retention period CloudWatch Logs supports (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

# --- Queue --------------------------------------------------------------------------------

variable "max_receive_count" {
  type        = number
  description = "Deliveries of a message before it is moved to the dead-letter queue."
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000 && floor(var.max_receive_count) == var.max_receive_count
    error_message = "The max_receive_count must be a whole number between 1 and 1000."
  }
}

variable "queue_visibility_timeout_seconds" {
  type        = number
  description = "Visibility timeout of the job queue. Never below 6 x lambda_timeout + maximum_batching_window_in_seconds (the minimum AWS documents for Lambda consumers): a smaller value is raised to it, and null uses that minimum."
  default     = null

  validation {
    condition     = var.queue_visibility_timeout_seconds == null ? true : (var.queue_visibility_timeout_seconds >= 0 && var.queue_visibility_timeout_seconds <= 43200)
    error_message = "The queue_visibility_timeout_seconds must be between 0 and 43200 (12 hours)."
  }
}

variable "message_retention_seconds" {
  type        = number
  description = "Seconds the job queue keeps a message (the dead-letter queue always keeps 14 days)."
  default     = 345600

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600
    error_message = "The message_retention_seconds must be between 60 and 1209600 (14 days)."
  }
}

# --- Worker function ----------------------------------------------------------------------

variable "lambda_package" {
  type        = string
  description = "Path of the zip archive holding the worker function's code."

  validation {
    condition     = can(regex("\\.zip$", var.lambda_package))
    error_message = "The lambda_package must be the path of a .zip archive."
  }
}

variable "lambda_handler" {
  type        = string
  description = "Entry point of the worker function inside the package."
  default     = "app.handler"
}

variable "lambda_runtime" {
  type        = string
  description = "Lambda runtime of the worker function."
  default     = "python3.12"
}

variable "lambda_timeout" {
  type        = number
  description = "Seconds one invocation of the worker may run."
  default     = 30

  validation {
    condition     = var.lambda_timeout >= 1 && var.lambda_timeout <= 900
    error_message = "The lambda_timeout must be between 1 and 900 seconds."
  }
}

variable "lambda_memory_size" {
  type        = number
  description = "Memory of the worker function in MB (CPU scales with it)."
  default     = 512

  validation {
    condition     = var.lambda_memory_size >= 128 && var.lambda_memory_size <= 10240
    error_message = "The lambda_memory_size must be between 128 and 10240 MB."
  }
}

variable "lambda_reserved_concurrency" {
  type        = number
  description = "Concurrent executions reserved for (and capping) the worker: the most load a burst can put on the table and the bucket. Also the event source mapping's maximum concurrency."
  default     = 10

  validation {
    condition     = var.lambda_reserved_concurrency >= 2 && var.lambda_reserved_concurrency <= 1000 && floor(var.lambda_reserved_concurrency) == var.lambda_reserved_concurrency
    error_message = "The lambda_reserved_concurrency must be a whole number between 2 and 1000 (the range of an SQS event source's maximum concurrency)."
  }
}

variable "lambda_environment" {
  type        = map(string)
  description = "Extra environment variables of the worker function (TABLE_NAME and BUCKET_NAME are always set)."
  default     = {}
}

variable "batch_size" {
  type        = number
  description = "Messages handed to one invocation of the worker. Above 10 requires maximum_batching_window_in_seconds of at least 1."
  default     = 10

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10000 && floor(var.batch_size) == var.batch_size
    error_message = "The batch_size must be a whole number between 1 and 10000."
  }
}

variable "maximum_batching_window_in_seconds" {
  type        = number
  description = "Seconds the event source mapping may wait to fill a batch."
  default     = 0

  validation {
    condition     = var.maximum_batching_window_in_seconds >= 0 && var.maximum_batching_window_in_seconds <= 300
    error_message = "The maximum_batching_window_in_seconds must be between 0 and 300."
  }
}

# --- Data ---------------------------------------------------------------------------------

variable "table_hash_key" {
  type        = string
  description = "Name of the (string) partition key of the jobs table."
  default     = "id"

  validation {
    condition     = length(var.table_hash_key) >= 1 && length(var.table_hash_key) <= 255
    error_message = "The table_hash_key must be 1-255 characters long."
  }
}

variable "payload_noncurrent_version_days" {
  type        = number
  description = "Days a replaced or deleted payload object version is kept before it expires."
  default     = 30

  validation {
    condition     = var.payload_noncurrent_version_days >= 1
    error_message = "The payload_noncurrent_version_days must be at least 1."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the jobs table and the user pool against deletion."
  default     = true
}

# --- Monitoring ---------------------------------------------------------------------------

variable "queue_age_alarm_seconds" {
  type        = number
  description = "Alarm when the oldest message in the job queue is older than this many seconds."
  default     = 300

  validation {
    condition     = var.queue_age_alarm_seconds >= 60
    error_message = "The queue_age_alarm_seconds must be at least 60."
  }
}

variable "alarm_email_addresses" {
  type        = list(string)
  description = "E-mail addresses subscribed to the alarm topic (each must confirm its subscription)."
  default     = []

  validation {
    condition     = alltrue([for address in var.alarm_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", address))])
    error_message = "Every entry of alarm_email_addresses must be an e-mail address."
  }
}
