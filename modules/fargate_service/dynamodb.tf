# The service's table: on-demand capacity, encrypted with the module's key, point-in-time
# recovery and deletion protection on.

resource "aws_dynamodb_table" "this" {
  name                        = var.name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = var.dynamodb_hash_key
  range_key                   = var.dynamodb_range_key == "" ? null : var.dynamodb_range_key
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = var.dynamodb_hash_key
    type = "S"
  }

  dynamic "attribute" {
    for_each = var.dynamodb_range_key == "" ? [] : [var.dynamodb_range_key]

    content {
      name = attribute.value
      type = "S"
    }
  }

  dynamic "ttl" {
    for_each = var.dynamodb_ttl_attribute == "" ? [] : [var.dynamodb_ttl_attribute]

    content {
      attribute_name = ttl.value
      enabled        = true
    }
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }

  tags = local.tags
}
