# CloudWatch alarms that page the operators through the encrypted alarm topic: job queue depth
# and age, dead-letter queue depth, MSK consumer lag per topic, and the health of the load
# balancer, Aurora and Redis. (The two alarms that drive worker scaling are in ecs.tf.)

locals {
  alarm_actions = [aws_sns_topic.alarms.arn]

  # ElastiCache publishes per node; the nodes of a replication group are named <group>-001, -002...
  redis_node_ids = [for i in range(var.redis_node_count) : format("%s-%03d", var.name, i + 1)]
}

resource "aws_cloudwatch_metric_alarm" "jobs_depth" {
  alarm_name          = "${var.name}-jobs-depth"
  alarm_description   = "The job queue has held more than queue_depth_alarm_threshold messages for 15 minutes: the workers are not keeping up (at max capacity, or failing)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  threshold           = var.queue_depth_alarm_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  dimensions = {
    QueueName = aws_sqs_queue.jobs.name
  }

  tags = local.tags
}

resource "aws_cloudwatch_metric_alarm" "jobs_age" {
  alarm_name          = "${var.name}-jobs-oldest-age"
  alarm_description   = "The oldest job has waited longer than queue_age_alarm_seconds."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.queue_age_alarm_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  dimensions = {
    QueueName = aws_sqs_queue.jobs.name
  }

  tags = local.tags
}

resource "aws_cloudwatch_metric_alarm" "jobs_dlq_depth" {
  alarm_name          = "${var.name}-jobs-dlq-not-empty"
  alarm_description   = "Jobs failed job_max_receive_count times and are in the dead-letter queue."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  dimensions = {
    QueueName = aws_sqs_queue.jobs_dlq.name
  }

  tags = local.tags
}

# MSK publishes consumer lag at the DEFAULT monitoring level, per consumer group and topic, for
# groups in the STABLE or EMPTY state.
resource "aws_cloudwatch_metric_alarm" "msk_consumer_lag" {
  for_each = toset(var.msk_topics)

  alarm_name          = "${var.name}-msk-lag-${each.value}"
  alarm_description   = "The ${var.msk_consumer_group} consumer group has been more than msk_consumer_lag_alarm_threshold messages behind on ${each.value} for 15 minutes."
  namespace           = "AWS/Kafka"
  metric_name         = "SumOffsetLag"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  threshold           = var.msk_consumer_lag_alarm_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  dimensions = {
    "Cluster Name"   = aws_msk_cluster.this.cluster_name
    "Consumer Group" = var.msk_consumer_group
    "Topic"          = each.value
  }

  tags = local.tags
}

resource "aws_cloudwatch_metric_alarm" "api_5xx" {
  alarm_name          = "${var.name}-api-5xx"
  alarm_description   = "The API tasks answered with 5xx."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HTTPCode_Target_5XX_Count"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 25
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  dimensions = {
    LoadBalancer = aws_lb.this.arn_suffix
  }

  tags = local.tags
}

resource "aws_cloudwatch_metric_alarm" "api_unhealthy_targets" {
  alarm_name          = "${var.name}-api-unhealthy-targets"
  alarm_description   = "At least one API task has failed its load balancer health check for three minutes."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  dimensions = {
    LoadBalancer = aws_lb.this.arn_suffix
    TargetGroup  = aws_lb_target_group.api.arn_suffix
  }

  tags = local.tags
}

resource "aws_cloudwatch_metric_alarm" "db_cpu" {
  alarm_name          = "${var.name}-db-cpu"
  alarm_description   = "Aurora CPU has been above 80% for 15 minutes."
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  dimensions = {
    DBClusterIdentifier = aws_rds_cluster.this.cluster_identifier
  }

  tags = local.tags
}

resource "aws_cloudwatch_metric_alarm" "db_proxy_connections" {
  alarm_name          = "${var.name}-db-proxy-borrow-latency"
  alarm_description   = "Clients have waited more than 100 ms on average for a pooled connection for 15 minutes: the pool is exhausted."
  namespace           = "AWS/RDS"
  metric_name         = "DatabaseConnectionsBorrowLatency"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = 100000
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  dimensions = {
    ProxyName = aws_db_proxy.this.name
  }

  tags = local.tags
}

resource "aws_cloudwatch_metric_alarm" "redis_cpu" {
  for_each = toset(local.redis_node_ids)

  alarm_name          = "${each.value}-engine-cpu"
  alarm_description   = "The Redis engine thread of ${each.value} has been above 80% CPU for 15 minutes."
  namespace           = "AWS/ElastiCache"
  metric_name         = "EngineCPUUtilization"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  dimensions = {
    CacheClusterId = each.value
  }

  depends_on = [aws_elasticache_replication_group.this]

  tags = local.tags
}

resource "aws_cloudwatch_metric_alarm" "redis_memory" {
  for_each = toset(local.redis_node_ids)

  alarm_name          = "${each.value}-memory"
  alarm_description   = "Redis node ${each.value} has used more than 85% of its memory for 15 minutes; evictions follow."
  namespace           = "AWS/ElastiCache"
  metric_name         = "DatabaseMemoryUsagePercentage"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  threshold           = 85
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  dimensions = {
    CacheClusterId = each.value
  }

  depends_on = [aws_elasticache_replication_group.this]

  tags = local.tags
}
