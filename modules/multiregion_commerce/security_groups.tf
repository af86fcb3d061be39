# Three tiers per region, each open only to the one in front of it:
#   ALB  <- internet on 443 (and 80, which only redirects to 443)
#   app  <- ALB on app_port
#   DB   <- app on 5432
# Rules are separate resources so that groups can refer to each other without a cycle.

locals {
  # Port 80 only answers with a redirect to 443.
  internet_ingress = {
    https = 443
    http  = 80
  }
}

# --- Primary region -----------------------------------------------------------------------

resource "aws_security_group" "primary_alb" {
  provider = aws.primary

  name        = "${var.name}-primary-alb"
  description = "Internet-facing load balancer"
  vpc_id      = aws_vpc.primary.id

  tags = merge(var.tags, { Name = "${var.name}-primary-alb" })
}

resource "aws_security_group" "primary_app" {
  provider = aws.primary

  name        = "${var.name}-primary-app"
  description = "Application instances, reachable from the load balancer only"
  vpc_id      = aws_vpc.primary.id

  tags = merge(var.tags, { Name = "${var.name}-primary-app" })
}

resource "aws_security_group" "primary_db" {
  provider = aws.primary

  name        = "${var.name}-primary-db"
  description = "Aurora cluster, reachable from the application instances only"
  vpc_id      = aws_vpc.primary.id

  tags = merge(var.tags, { Name = "${var.name}-primary-db" })
}

resource "aws_vpc_security_group_ingress_rule" "primary_alb_from_internet" {
  provider = aws.primary
  for_each = local.internet_ingress

  security_group_id = aws_security_group.primary_alb.id
  description       = "Viewers, CloudFront and Route 53 health checkers on port ${each.value}"
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "primary_alb_to_app" {
  provider = aws.primary

  security_group_id            = aws_security_group.primary_alb.id
  description                  = "Forward to the application instances"
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
  referenced_security_group_id = aws_security_group.primary_app.id
}

resource "aws_vpc_security_group_ingress_rule" "primary_app_from_alb" {
  provider = aws.primary

  security_group_id            = aws_security_group.primary_app.id
  description                  = "Application traffic from the load balancer only"
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
  referenced_security_group_id = aws_security_group.primary_alb.id
}

resource "aws_vpc_security_group_egress_rule" "primary_app_https" {
  provider = aws.primary

  security_group_id = aws_security_group.primary_app.id
  description       = "HTTPS to AWS APIs (SSM, S3, Secrets Manager) and package mirrors through NAT"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "primary_app_to_db" {
  provider = aws.primary

  security_group_id            = aws_security_group.primary_app.id
  description                  = "PostgreSQL to the Aurora cluster"
  ip_protocol                  = "tcp"
  from_port                    = local.db_port
  to_port                      = local.db_port
  referenced_security_group_id = aws_security_group.primary_db.id
}

resource "aws_vpc_security_group_ingress_rule" "primary_db_from_app" {
  provider = aws.primary

  security_group_id            = aws_security_group.primary_db.id
  description                  = "PostgreSQL from the application instances only"
  ip_protocol                  = "tcp"
  from_port                    = local.db_port
  to_port                      = local.db_port
  referenced_security_group_id = aws_security_group.primary_app.id
}

# --- Failover region ----------------------------------------------------------------------

resource "aws_security_group" "failover_alb" {
  provider = aws.failover

  name        = "${var.name}-failover-alb"
  description = "Internet-facing load balancer"
  vpc_id      = aws_vpc.failover.id

  tags = merge(var.tags, { Name = "${var.name}-failover-alb" })
}

resource "aws_security_group" "failover_app" {
  provider = aws.failover

  name        = "${var.name}-failover-app"
  description = "Application instances, reachable from the load balancer only"
  vpc_id      = aws_vpc.failover.id

  tags = merge(var.tags, { Name = "${var.name}-failover-app" })
}

resource "aws_security_group" "failover_db" {
  provider = aws.failover

  name        = "${var.name}-failover-db"
  description = "Aurora secondary cluster, reachable from the application instances only"
  vpc_id      = aws_vpc.failover.id

  tags = merge(var.tags, { Name = "${var.name}-failover-db" })
}

resource "aws_vpc_security_group_ingress_rule" "failover_alb_from_internet" {
  provider = aws.failover
  for_each = local.internet_ingress

  security_group_id = aws_security_group.failover_alb.id
  description       = "Viewers, CloudFront and Route 53 health checkers on port ${each.value}"
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "failover_alb_to_app" {
  provider = aws.failover

  security_group_id            = aws_security_group.failover_alb.id
  description                  = "Forward to the application instances"
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
  referenced_security_group_id = aws_security_group.failover_app.id
}

resource "aws_vpc_security_group_ingress_rule" "failover_app_from_alb" {
  provider = aws.failover

  security_group_id            = aws_security_group.failover_app.id
  description                  = "Application traffic from the load balancer only"
  ip_protocol                  = "tcp"
  from_port                    = var.app_port
  to_port                      = var.app_port
  referenced_security_group_id = aws_security_group.failover_alb.id
}

resource "aws_vpc_security_group_egress_rule" "failover_app_https" {
  provider = aws.failover

  security_group_id = aws_security_group.failover_app.id
  description       = "HTTPS to AWS APIs (SSM, S3, Secrets Manager) and package mirrors through NAT"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "failover_app_to_db" {
  provider = aws.failover

  security_group_id            = aws_security_group.failover_app.id
  description                  = "PostgreSQL to the Aurora cluster"
  ip_protocol                  = "tcp"
  from_port                    = local.db_port
  to_port                      = local.db_port
  referenced_security_group_id = aws_security_group.failover_db.id
}

resource "aws_vpc_security_group_ingress_rule" "failover_db_from_app" {
  provider = aws.failover

  security_group_id            = aws_security_group.failover_db.id
  description                  = "PostgreSQL from the application instances only"
  ip_protocol                  = "tcp"
  from_port                    = local.db_port
  to_port                      = local.db_port
  referenced_security_group_id = aws_security_group.failover_app.id
}
