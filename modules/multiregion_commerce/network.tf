# A VPC per region over the given zones: public subnets (load balancers, NAT gateways) route
# to the internet gateway; private subnets (instances, database) leave through a NAT gateway
# in their own zone, or through one shared NAT gateway when single_nat_gateway is set.
# Subnets are /20 of a /16: public ones take indexes 0-3, private ones 8-11.
# Every VPC's traffic is recorded in flow logs, and its default security group is emptied.

# --- Primary region -----------------------------------------------------------------------

resource "aws_vpc" "primary" {
  provider = aws.primary

  cidr_block           = var.primary_vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(var.tags, { Name = "${var.name}-primary" })
}

resource "aws_default_security_group" "primary" {
  provider = aws.primary

  vpc_id = aws_vpc.primary.id

  tags = merge(var.tags, { Name = "${var.name}-primary-default-unused" })
}

resource "aws_internet_gateway" "primary" {
  provider = aws.primary

  vpc_id = aws_vpc.primary.id

  tags = merge(var.tags, { Name = "${var.name}-primary" })
}

resource "aws_subnet" "primary_public" {
  provider = aws.primary
  count    = local.primary_az_count

  vpc_id            = aws_vpc.primary.id
  availability_zone = var.primary_availability_zones[count.index]
  cidr_block        = cidrsubnet(var.primary_vpc_cidr, 4, count.index)

  tags = merge(var.tags, { Name = "${var.name}-primary-public-${var.primary_availability_zones[count.index]}", Tier = "public" })
}

resource "aws_subnet" "primary_private" {
  provider = aws.primary
  count    = local.primary_az_count

  vpc_id            = aws_vpc.primary.id
  availability_zone = var.primary_availability_zones[count.index]
  cidr_block        = cidrsubnet(var.primary_vpc_cidr, 4, 8 + count.index)

  tags = merge(var.tags, { Name = "${var.name}-primary-private-${var.primary_availability_zones[count.index]}", Tier = "private" })
}

resource "aws_eip" "primary_nat" {
  provider = aws.primary
  count    = local.primary_nat_count

  domain = "vpc"

  tags = merge(var.tags, { Name = "${var.name}-primary-nat-${count.index}" })

  depends_on = [aws_internet_gateway.primary]
}

resource "aws_nat_gateway" "primary" {
  provider = aws.primary
  count    = local.primary_nat_count

  allocation_id = aws_eip.primary_nat[count.index].id
  subnet_id     = aws_subnet.primary_public[count.index].id

  tags = merge(var.tags, { Name = "${var.name}-primary-${var.primary_availability_zones[count.index]}" })
}

resource "aws_route_table" "primary_public" {
  provider = aws.primary

  vpc_id = aws_vpc.primary.id

  tags = merge(var.tags, { Name = "${var.name}-primary-public" })
}

resource "aws_route" "primary_public_internet" {
  provider = aws.primary

  route_table_id         = aws_route_table.primary_public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.primary.id
}

resource "aws_route_table_association" "primary_public" {
  provider = aws.primary
  count    = local.primary_az_count

  subnet_id      = aws_subnet.primary_public[count.index].id
  route_table_id = aws_route_table.primary_public.id
}

resource "aws_route_table" "primary_private" {
  provider = aws.primary
  count    = local.primary_az_count

  vpc_id = aws_vpc.primary.id

  tags = merge(var.tags, { Name = "${var.name}-primary-private-${var.primary_availability_zones[count.index]}" })
}

resource "aws_route" "primary_private_nat" {
  provider = aws.primary
  count    = local.primary_az_count

  route_table_id         = aws_route_table.primary_private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.primary[var.single_nat_gateway ? 0 : count.index].id
}

resource "aws_route_table_association" "primary_private" {
  provider = aws.primary
  count    = local.primary_az_count

  subnet_id      = aws_subnet.primary_private[count.index].id
  route_table_id = aws_route_table.primary_private[count.index].id
}

resource "aws_cloudwatch_log_group" "primary_flow_logs" {
  provider = aws.primary

  name              = "/vpc/${var.name}-primary/flow-logs"
  retention_in_days = var.flow_log_retention_days
  kms_key_id        = aws_kms_key.primary.arn

  tags = var.tags
}

resource "aws_flow_log" "primary" {
  provider = aws.primary

  vpc_id          = aws_vpc.primary.id
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.primary_flow_logs.arn
  iam_role_arn    = aws_iam_role.flow_logs.arn

  tags = var.tags
}

# --- Failover region ----------------------------------------------------------------------

resource "aws_vpc" "failover" {
  provider = aws.failover

  cidr_block           = var.failover_vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(var.tags, { Name = "${var.name}-failover" })
}

resource "aws_default_security_group" "failover" {
  provider = aws.failover

  vpc_id = aws_vpc.failover.id

  tags = merge(var.tags, { Name = "${var.name}-failover-default-unused" })
}

resource "aws_internet_gateway" "failover" {
  provider = aws.failover

  vpc_id = aws_vpc.failover.id

  tags = merge(var.tags, { Name = "${var.name}-failover" })
}

resource "aws_subnet" "failover_public" {
  provider = aws.failover
  count    = local.failover_az_count

  vpc_id            = aws_vpc.failover.id
  availability_zone = var.failover_availability_zones[count.index]
  cidr_block        = cidrsubnet(var.failover_vpc_cidr, 4, count.index)

  tags = merge(var.tags, { Name = "${var.name}-failover-public-${var.failover_availability_zones[count.index]}", Tier = "public" })
}

resource "aws_subnet" "failover_private" {
  provider = aws.failover
  count    = local.failover_az_count

  vpc_id            = aws_vpc.failover.id
  availability_zone = var.failover_availability_zones[count.index]
  cidr_block        = cidrsubnet(var.failover_vpc_cidr, 4, 8 + count.index)

  tags = merge(var.tags, { Name = "${var.name}-failover-private-${var.failover_availability_zones[count.index]}", Tier = "private" })
}

resource "aws_eip" "failover_nat" {
  provider = aws.failover
  count    = local.failover_nat_count

  domain = "vpc"

  tags = merge(var.tags, { Name = "${var.name}-failover-nat-${count.index}" })

  depends_on = [aws_internet_gateway.failover]
}

resource "aws_nat_gateway" "failover" {
  provider = aws.failover
  count    = local.failover_nat_count

  allocation_id = aws_eip.failover_nat[count.index].id
  subnet_id     = aws_subnet.failover_public[count.index].id

  tags = merge(var.tags, { Name = "${var.name}-failover-${var.failover_availability_zones[count.index]}" })
}

resource "aws_route_table" "failover_public" {
  provider = aws.failover

  vpc_id = aws_vpc.failover.id

  tags = merge(var.tags, { Name = "${var.name}-failover-public" })
}

resource "aws_route" "failover_public_internet" {
  provider = aws.failover

  route_table_id         = aws_route_table.failover_public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.failover.id
}

resource "aws_route_table_association" "failover_public" {
  provider = aws.failover
  count    = local.failover_az_count

  subnet_id      = aws_subnet.failover_public[count.index].id
  route_table_id = aws_route_table.failover_public.id
}

resource "aws_route_table" "failover_private" {
  provider = aws.failover
  count    = local.failover_az_count

  vpc_id = aws_vpc.failover.id

  tags = merge(var.tags, { Name = "${var.name}-failover-private-${var.failover_availability_zones[count.index]}" })
}

resource "aws_route" "failover_private_nat" {
  provider = aws.failover
  count    = local.failover_az_count

  route_table_id         = aws_route_table.failover_private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.failover[var.single_nat_gateway ? 0 : count.index].id
}

resource "aws_route_table_association" "failover_private" {
  provider = aws.failover
  count    = local.failover_az_count

  subnet_id      = aws_subnet.failover_private[count.index].id
  route_table_id = aws_route_table.failover_private[count.index].id
}

resource "aws_cloudwatch_log_group" "failover_flow_logs" {
  provider = aws.failover

  name              = "/vpc/${var.name}-failover/flow-logs"
  retention_in_days = var.flow_log_retention_days
  kms_key_id        = aws_kms_key.failover.arn

  tags = var.tags
}

resource "aws_flow_log" "failover" {
  provider = aws.failover

  vpc_id          = aws_vpc.failover.id
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.failover_flow_logs.arn
  iam_role_arn    = aws_iam_role.flow_logs.arn

  tags = var.tags
}
