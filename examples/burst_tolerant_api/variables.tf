variable "region" {
  type        = string
  description = "Region of every child (the WAF for CloudFront always goes to us-east-1)."
  default     = "eu-west-1"
}

variable "name" {
  type        = string
  description = "Prefix of every child's name."
  default     = "orders"
}

variable "handler_memory" {
  type        = number
  description = "Memory of the consumer function, in MB."
  default     = 256
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the table from deletion (set false, apply, then destroy)."
  default     = true
}

variable "alarm_email" {
  type        = string
  description = "Who receives the alarms."
  default     = "oncall@example.com"
}
