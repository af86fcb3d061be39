# The intake API as one wellarch composite: API Gateway (Cognito auth, throttling, access
# logs) -> SQS with a dead-letter queue -> Lambda -> DynamoDB, S3 and SNS, with alarms.
# wellarch-lint expands it and checks its children like the hand-written resources around it.

resource "wellarch_burst_tolerant_api" "intake" {
  name = "${var.name}-intake"

  handler {
    filename    = "intake.zip"
    runtime     = "python3.12"
    handler     = "intake.handler"
    timeout     = 20
    memory_size = 512
  }

  table {
    hash_key = "request_id"
  }

  api {
    throttling_rate_limit  = 50
    throttling_burst_limit = 100
  }

  tags = {
    application = var.name
  }
}
