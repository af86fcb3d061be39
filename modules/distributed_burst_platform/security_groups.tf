# Who may talk to whom, in one place. The load balancer's rules are in load_balancer.tf.
#
#   clients -> alb :443 -> api :api_container_port
#   api, worker -> db_proxy :5432 -> db :5432 (and db_proxy -> 0.0.0.0/0 :443 for Secrets Manager)
#   api, worker -> redis :6379 (TLS)
#   api, worker -> msk :9098 (SASL/IAM over TLS)
#   api, worker -> 0.0.0.0/0 :443 (AWS APIs through NAT and the S3 endpoint)

resource "aws_security_group" "api" {
  name        = "${var.name}-api"
  description = "API tasks: requests from the load balancer; data tiers and AWS APIs out."
  vpc_id      = aws_vpc.this.id

  tags = merge(local.tags, { Name = "${var.name}-api" })
}

resource "aws_security_group" "worker" {
  name        = "${var.name}-worker"
  description = "Worker tasks: nothing in; data tiers and AWS APIs out."
  vpc_id      = aws_vpc.this.id

  tags = merge(local.tags, { Name = "${var.name}-worker" })
}

resource "aws_security_group" "db_proxy" {
  name        = "${var.name}-db-proxy"
  description = "RDS Proxy: PostgreSQL from the tasks in; PostgreSQL to Aurora and HTTPS to Secrets Manager out."
  vpc_id      = aws_vpc.this.id

  tags = merge(local.tags, { Name = "${var.name}-db-proxy" })
}

resource "aws_security_group" "db" {
  name        = "${var.name}-db"
  description = "Aurora: PostgreSQL from RDS Proxy only."
  vpc_id      = aws_vpc.this.id

  tags = merge(local.tags, { Name = "${var.name}-db" })
}

resource "aws_security_group" "redis" {
  name        = "${var.name}-redis"
  description = "ElastiCache Redis: TLS connections from the tasks only."
  vpc_id      = aws_vpc.this.id

  tags = merge(local.tags, { Name = "${var.name}-redis" })
}

resource "aws_security_group" "msk" {
  name        = "${var.name}-msk"
  description = "MSK brokers: SASL/IAM over TLS from the tasks only."
  vpc_id      = aws_vpc.this.id

  tags = merge(local.tags, { Name = "${var.name}-msk" })
}

resource "aws_vpc_security_group_ingress_rule" "api_from_alb" {
  security_group_id            = aws_security_group.api.id
  description                  = "API port from the load balancer"
  ip_protocol                  = "tcp"
  from_port                    = var.api_container_port
  to_port                      = var.api_container_port
  referenced_security_group_id = aws_security_group.alb.id
}

resource "aws_vpc_security_group_egress_rule" "tasks_https" {
  for_each = {
    api    = aws_security_group.api.id
    worker = aws_security_group.worker.id
  }

  security_group_id = each.value
  description       = "HTTPS to AWS APIs (ECR, CloudWatch, SQS, SNS, S3) through NAT and the S3 endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

locals {
  task_security_groups = {
    api    = aws_security_group.api.id
    worker = aws_security_group.worker.id
  }

  # The data tiers the tasks connect to, with their port.
  data_tiers = {
    db_proxy = { security_group_id = aws_security_group.db_proxy.id, port = 5432 }
    redis    = { security_group_id = aws_security_group.redis.id, port = 6379 }
    msk      = { security_group_id = aws_security_group.msk.id, port = 9098 }
  }

  # Every (task, data tier) pair: "api-to-redis" => { task = "api", tier = "redis" }.
  task_to_data_tier = {
    for pair in flatten([
      for task in keys(local.task_security_groups) : [
        for tier in keys(local.data_tiers) : { task = task, tier = tier }
      ]
    ]) : "${pair.task}-to-${pair.tier}" => pair
  }
}

resource "aws_vpc_security_group_egress_rule" "task_to_data_tier" {
  for_each = local.task_to_data_tier

  security_group_id            = local.task_security_groups[each.value.task]
  description                  = "${each.value.task} tasks to ${each.value.tier}"
  ip_protocol                  = "tcp"
  from_port                    = local.data_tiers[each.value.tier].port
  to_port                      = local.data_tiers[each.value.tier].port
  referenced_security_group_id = local.data_tiers[each.value.tier].security_group_id
}

resource "aws_vpc_security_group_ingress_rule" "data_tier_from_task" {
  for_each = local.task_to_data_tier

  security_group_id            = local.data_tiers[each.value.tier].security_group_id
  description                  = "${each.value.tier} from ${each.value.task} tasks"
  ip_protocol                  = "tcp"
  from_port                    = local.data_tiers[each.value.tier].port
  to_port                      = local.data_tiers[each.value.tier].port
  referenced_security_group_id = local.task_security_groups[each.value.task]
}

resource "aws_vpc_security_group_egress_rule" "db_proxy_to_db" {
  security_group_id            = aws_security_group.db_proxy.id
  description                  = "PostgreSQL to Aurora"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.db.id
}

resource "aws_vpc_security_group_egress_rule" "db_proxy_https" {
  security_group_id = aws_security_group.db_proxy.id
  description       = "HTTPS to Secrets Manager through NAT (the proxy reads its user secrets)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "db_from_db_proxy" {
  security_group_id            = aws_security_group.db.id
  description                  = "PostgreSQL from RDS Proxy"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.db_proxy.id
}
