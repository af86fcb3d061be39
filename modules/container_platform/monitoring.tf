# Alarms on the platform's tiers, fanned out through one encrypted SNS topic: API 5xx,
# ingress targets unhealthy, database CPU and replica lag, cache CPU and memory.

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.this.arn

  tags = var.tags
}

resource "aws_sns_topic_subscription" "alarm_email" {
  for_each = toset(var.alarm_email_addresses)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_cloudwatch_metric_alarm" "api_5xx" {
  alarm_name          = "${var.name}-api-5xx"
  alarm_description   = "The HTTP API answered with server errors (the cluster, or the VPC link to it)."
  namespace           = "AWS/ApiGateway"
  metric_name         = "5xx"
  dimensions          = { ApiId = aws_apigatewayv2_api.this.id, Stage = aws_apigatewayv2_stage.default.name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = 10
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "ingress_unhealthy_hosts" {
  alarm_name          = "${var.name}-ingress-unhealthy-nodes"
  alarm_description   = "Nodes do not answer on the ingress NodePort ${var.ingress_node_port}."
  namespace           = "AWS/NetworkELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = aws_lb.ingress.arn_suffix, TargetGroup = aws_lb_target_group.ingress.arn_suffix }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "db_cpu" {
  alarm_name          = "${var.name}-aurora-cpu"
  alarm_description   = "An Aurora instance of ${var.name} runs above 80% CPU."
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  dimensions          = { DBClusterIdentifier = aws_rds_cluster.this.cluster_identifier }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "db_replica_lag" {
  alarm_name          = "${var.name}-aurora-replica-lag"
  alarm_description   = "Aurora readers lag the writer by more than one second."
  namespace           = "AWS/RDS"
  metric_name         = "AuroraReplicaLagMaximum"
  dimensions          = { DBClusterIdentifier = aws_rds_cluster.this.cluster_identifier }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = 1000
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  tags = var.tags
}

# ElastiCache names the members of a cluster-mode-disabled group <group>-001, -002, ...
locals {
  cache_member_ids = [for index in range(var.cache_node_count) : format("%s-%03d", local.cache_group_id, index + 1)]

  cache_alarms = {
    cpu    = { metric = "EngineCPUUtilization", threshold = 80, what = "Redis engine CPU" }
    memory = { metric = "DatabaseMemoryUsagePercentage", threshold = 80, what = "Redis memory usage" }
  }
}

resource "aws_cloudwatch_metric_alarm" "cache" {
  for_each = {
    for pair in setproduct(keys(local.cache_alarms), range(var.cache_node_count)) :
    "${pair[0]}-${pair[1] + 1}" => { alarm = local.cache_alarms[pair[0]], member = local.cache_member_ids[pair[1]] }
  }

  alarm_name          = "${var.name}-redis-${each.key}"
  alarm_description   = "${each.value.alarm.what} of ${each.value.member} is above ${each.value.alarm.threshold}%."
  namespace           = "AWS/ElastiCache"
  metric_name         = each.value.alarm.metric
  dimensions          = { CacheClusterId = each.value.member }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  threshold           = each.value.alarm.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  tags = var.tags
}
