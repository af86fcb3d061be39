variable "region" {
  type        = string
  description = "AWS region of the application."
  default     = "eu-west-1"
}

variable "name" {
  type        = string
  description = "Prefix of every resource name."
  default     = "orders"
}

variable "azs" {
  type        = list(string)
  description = "Two availability zones."
  default     = ["eu-west-1a", "eu-west-1b"]
}
