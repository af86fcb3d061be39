variable "name" {
  type        = string
  description = "Prefix of every child's name (1 to 19 characters)."
  default     = "shop"
}

variable "primary_region" {
  type        = string
  description = "Region that serves traffic and holds the database writer."
  default     = "eu-west-1"
}

variable "failover_region" {
  type        = string
  description = "Region that takes over when the primary fails."
  default     = "eu-west-3"
}

variable "ami_id" {
  type        = string
  description = "AMI of the application servers in the primary region (arm64 for the default t4g type)."
}

variable "failover_ami_id" {
  type        = string
  description = "AMI in the failover region; ami_id when null."
  default     = null
}

variable "instance_type" {
  type        = string
  description = "EC2 instance type of the application servers."
  default     = "t4g.small"
}

variable "min_size" {
  type        = number
  description = "Least instances in the primary region."
  default     = 2
}

variable "failover_min_size" {
  type        = number
  description = "Least instances in the failover region: 0 or 1 while the primary is healthy, min_size when failing over."
  default     = 1
}

variable "nat_gateways" {
  type        = number
  description = "NAT gateways per region: 2 (one per zone) or 1 (cheaper)."
  default     = 2
}

variable "failover_instances" {
  type        = number
  description = "Reader instances of the secondary Aurora cluster (0 to 2)."
  default     = 2
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the database and load balancers (set false, apply, then destroy); false also skips the final snapshot and empties the buckets on destroy."
  default     = true
}

variable "primary_certificate_arn" {
  type        = string
  description = "ACM certificate for the primary load balancer; null serves HTTP only."
  default     = null
}

variable "failover_certificate_arn" {
  type        = string
  description = "ACM certificate for the failover load balancer (with primary_certificate_arn)."
  default     = null
}

variable "cloudfront_certificate_arn" {
  type        = string
  description = "ACM certificate in us-east-1 for domain_name on CloudFront."
  default     = null
}

variable "zone_id" {
  type        = string
  description = "Hosted zone of domain_name; null creates no DNS records (the health checks stay)."
  default     = null
}

variable "domain_name" {
  type        = string
  description = "The shop's domain, in zone_id."
  default     = null
}

variable "routing" {
  type        = string
  description = "failover (PRIMARY/SECONDARY records) or latency."
  default     = "failover"
}

variable "alarm_email" {
  type        = string
  description = "Who receives the alarms."
  default     = "oncall@example.com"
}
