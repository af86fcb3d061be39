# OPS005: a suppression without a reason is itself a finding (and does not suppress).
# wellarch:ignore REL001
resource "aws_sqs_queue" "audit" {
  name = "${var.name}-audit"
}

# A reviewed exception: stays visible in JSON/SARIF as suppressed.
# wellarch:ignore REL001 -- fire-and-forget metrics; losing a message is acceptable
resource "aws_sqs_queue" "metrics" {
  name = "${var.name}-metrics"
}
