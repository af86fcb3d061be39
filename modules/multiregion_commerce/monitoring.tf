# Alarms can only notify a topic of their own region, so there is an encrypted alarm topic
# per region (primary, failover) plus one in us-east-1 for the Route 53 health checks.
# Alarms: ALB 5xx (load balancer and targets), unhealthy targets, Aurora replica lag (in the
# primary cluster and across regions), health-check status.

locals {
  alb_5xx_metrics = {
    elb    = "HTTPCode_ELB_5XX_Count"
    target = "HTTPCode_Target_5XX_Count"
  }
}

# --- Topics -------------------------------------------------------------------------------

resource "aws_sns_topic" "primary_alarms" {
  provider = aws.primary

  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.primary.arn

  tags = var.tags
}

resource "aws_sns_topic_subscription" "primary_alarms_email" {
  provider = aws.primary
  for_each = toset(var.alarm_email_addresses)

  topic_arn = aws_sns_topic.primary_alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_sns_topic" "failover_alarms" {
  provider = aws.failover

  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.failover.arn

  tags = var.tags
}

resource "aws_sns_topic_subscription" "failover_alarms_email" {
  provider = aws.failover
  for_each = toset(var.alarm_email_addresses)

  topic_arn = aws_sns_topic.failover_alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_sns_topic" "global_alarms" {
  provider = aws.us_east_1

  name              = "${var.name}-global-alarms"
  kms_master_key_id = aws_kms_key.us_east_1.arn

  tags = var.tags
}

resource "aws_sns_topic_subscription" "global_alarms_email" {
  provider = aws.us_east_1
  for_each = toset(var.alarm_email_addresses)

  topic_arn = aws_sns_topic.global_alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# --- Primary region -----------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "primary_alb_5xx" {
  provider = aws.primary
  for_each = local.alb_5xx_metrics

  alarm_name          = "${var.name}-primary-alb-${each.key}-5xx"
  alarm_description   = "The primary load balancer returns server errors (${each.value})."
  namespace           = "AWS/ApplicationELB"
  metric_name         = each.value
  dimensions          = { LoadBalancer = aws_lb.primary.arn_suffix }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = 10
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.primary_alarms.arn]
  ok_actions          = [aws_sns_topic.primary_alarms.arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "primary_unhealthy_hosts" {
  provider = aws.primary

  alarm_name          = "${var.name}-primary-unhealthy-hosts"
  alarm_description   = "Instances of the primary region fail their health check."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = aws_lb.primary.arn_suffix, TargetGroup = aws_lb_target_group.primary.arn_suffix }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.primary_alarms.arn]
  ok_actions          = [aws_sns_topic.primary_alarms.arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "primary_replica_lag" {
  provider = aws.primary

  alarm_name          = "${var.name}-primary-aurora-replica-lag"
  alarm_description   = "The reader of the primary cluster lags the writer by more than ${var.replica_lag_alarm_ms} ms."
  namespace           = "AWS/RDS"
  metric_name         = "AuroraReplicaLag"
  dimensions          = { DBClusterIdentifier = aws_rds_cluster.primary.cluster_identifier }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = var.replica_lag_alarm_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.primary_alarms.arn]
  ok_actions          = [aws_sns_topic.primary_alarms.arn]

  tags = var.tags
}

# --- Failover region ----------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "failover_alb_5xx" {
  provider = aws.failover
  for_each = local.alb_5xx_metrics

  alarm_name          = "${var.name}-failover-alb-${each.key}-5xx"
  alarm_description   = "The failover load balancer returns server errors (${each.value})."
  namespace           = "AWS/ApplicationELB"
  metric_name         = each.value
  dimensions          = { LoadBalancer = aws_lb.failover.arn_suffix }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = 10
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.failover_alarms.arn]
  ok_actions          = [aws_sns_topic.failover_alarms.arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "failover_unhealthy_hosts" {
  provider = aws.failover

  alarm_name          = "${var.name}-failover-unhealthy-hosts"
  alarm_description   = "Instances of the failover region fail their health check."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = aws_lb.failover.arn_suffix, TargetGroup = aws_lb_target_group.failover.arn_suffix }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.failover_alarms.arn]
  ok_actions          = [aws_sns_topic.failover_alarms.arn]

  tags = var.tags
}

# How far the failover region's copy of the data is behind: the data a failover would lose.
resource "aws_cloudwatch_metric_alarm" "global_replication_lag" {
  provider = aws.failover

  alarm_name          = "${var.name}-aurora-global-replication-lag"
  alarm_description   = "The failover region's cluster lags the primary by more than ${var.replica_lag_alarm_ms} ms: the recovery point of a regional failover."
  namespace           = "AWS/RDS"
  metric_name         = "AuroraGlobalDBReplicationLag"
  dimensions          = { DBClusterIdentifier = aws_rds_cluster.failover.cluster_identifier }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = var.replica_lag_alarm_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.failover_alarms.arn]
  ok_actions          = [aws_sns_topic.failover_alarms.arn]

  tags = var.tags
}

# --- Health checks (us-east-1) ------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "health_check" {
  provider = aws.us_east_1
  for_each = {
    primary  = aws_route53_health_check.primary.id
    failover = aws_route53_health_check.failover.id
  }

  alarm_name          = "${var.name}-${each.key}-health-check"
  alarm_description   = "Route 53 considers the ${each.key} region unhealthy: traffic for origin.${var.domain_name} is moving away from it."
  namespace           = "AWS/Route53"
  metric_name         = "HealthCheckStatus"
  dimensions          = { HealthCheckId = each.value }
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 2
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = [aws_sns_topic.global_alarms.arn]
  ok_actions          = [aws_sns_topic.global_alarms.arn]

  tags = var.tags
}
