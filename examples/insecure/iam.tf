resource "aws_iam_role" "worker" {
  name = "${var.name}-worker"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

# SEC016 (s3:*), SEC017 (dynamodb:PutItem on every table).
resource "aws_iam_role_policy" "worker" {
  role = aws_iam_role.worker.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "s3:*", Resource = aws_s3_bucket.invoices.arn },
      { Effect = "Allow", Action = ["dynamodb:PutItem"], Resource = "*" },
    ]
  })
}
