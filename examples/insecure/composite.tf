# A composite with its safeguards switched off: the linter expands it and reports the children
# (wellarch_burst_tolerant_api.shortcuts/aws_dynamodb_table.items, …) at this block.
resource "wellarch_burst_tolerant_api" "shortcuts" {
  name = "shortcuts"

  handler {
    filename = "build/handler.zip"
  }

  table {
    point_in_time_recovery = false
    deletion_protection    = false
  }

  edge {}
}
