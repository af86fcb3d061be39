# Who may talk to whom. The nodes use the cluster security group EKS creates; pods on them
# reach the proxy and the cache, and nothing else reaches the database but the proxy:
#
#   VPC link ENIs --80--> NLB --ingress_node_port--> nodes (cluster SG)
#   nodes --3306--> RDS Proxy --3306--> Aurora        nodes --6379--> Redis
#
# The NLB has no security group of its own (so the module works with every 5.x provider) and
# preserves client addresses: nodes accept the NodePort from the VPC's own range only.

locals {
  cluster_security_group_id = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

resource "aws_vpc_security_group_ingress_rule" "nodes_ingress_port" {
  security_group_id = local.cluster_security_group_id
  description       = "NodePort of the ingress service, from the NLB and the VPC link inside the VPC"
  ip_protocol       = "tcp"
  from_port         = var.ingress_node_port
  to_port           = var.ingress_node_port
  cidr_ipv4         = var.vpc_cidr

  tags = var.tags
}

# --- API Gateway VPC link -----------------------------------------------------------------

resource "aws_security_group" "vpc_link" {
  name        = "${var.name}-api-vpc-link"
  description = "API Gateway VPC link: talks to the internal NLB only"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-api-vpc-link" })
}

resource "aws_vpc_security_group_egress_rule" "vpc_link_to_nlb" {
  security_group_id = aws_security_group.vpc_link.id
  description       = "HTTP to the internal NLB listener"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = var.vpc_cidr

  tags = var.tags
}

# --- RDS Proxy and Aurora -----------------------------------------------------------------

resource "aws_security_group" "db_proxy" {
  name        = "${var.name}-db-proxy"
  description = "RDS Proxy: reachable from the EKS nodes only"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-db-proxy" })
}

resource "aws_security_group" "db" {
  name        = "${var.name}-db"
  description = "Aurora MySQL: reachable from the RDS Proxy only"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-db" })
}

resource "aws_vpc_security_group_ingress_rule" "db_proxy_from_nodes" {
  security_group_id            = aws_security_group.db_proxy.id
  description                  = "MySQL from the EKS nodes"
  ip_protocol                  = "tcp"
  from_port                    = local.db_port
  to_port                      = local.db_port
  referenced_security_group_id = local.cluster_security_group_id

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "db_proxy_to_db" {
  security_group_id            = aws_security_group.db_proxy.id
  description                  = "MySQL to the Aurora cluster"
  ip_protocol                  = "tcp"
  from_port                    = local.db_port
  to_port                      = local.db_port
  referenced_security_group_id = aws_security_group.db.id

  tags = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "db_from_proxy" {
  security_group_id            = aws_security_group.db.id
  description                  = "MySQL from the RDS Proxy only"
  ip_protocol                  = "tcp"
  from_port                    = local.db_port
  to_port                      = local.db_port
  referenced_security_group_id = aws_security_group.db_proxy.id

  tags = var.tags
}

# --- ElastiCache --------------------------------------------------------------------------

resource "aws_security_group" "cache" {
  name        = "${var.name}-cache"
  description = "Redis replication group: reachable from the EKS nodes only"
  vpc_id      = aws_vpc.this.id

  tags = merge(var.tags, { Name = "${var.name}-cache" })
}

resource "aws_vpc_security_group_ingress_rule" "cache_from_nodes" {
  security_group_id            = aws_security_group.cache.id
  description                  = "Redis (TLS) from the EKS nodes"
  ip_protocol                  = "tcp"
  from_port                    = local.cache_port
  to_port                      = local.cache_port
  referenced_security_group_id = local.cluster_security_group_id

  tags = var.tags
}
