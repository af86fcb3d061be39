# MSK for ordered streams: brokers in the database subnets, clients authenticated with IAM over
# TLS only, storage encrypted with the module's key, broker logs in an encrypted log group.
# Topics are created by the application (automatic topic creation is off).

locals {
  msk_broker_count = var.msk_brokers_per_az * local.az_count

  # Three copies when there are three brokers or more; a write needs all copies but one.
  msk_replication_factor  = min(3, local.msk_broker_count)
  msk_min_insync_replicas = max(1, local.msk_replication_factor - 1)

  # IAM resource names of the topics and the consumer group (kafka-cluster:* actions).
  msk_resource_prefix = "arn:${local.partition}:kafka:${local.region}:${local.account_id}"
  msk_topic_arns = [
    for t in var.msk_topics :
    "${local.msk_resource_prefix}:topic/${aws_msk_cluster.this.cluster_name}/${aws_msk_cluster.this.cluster_uuid}/${t}"
  ]
  msk_group_arn = "${local.msk_resource_prefix}:group/${aws_msk_cluster.this.cluster_name}/${aws_msk_cluster.this.cluster_uuid}/${var.msk_consumer_group}"
}

resource "aws_cloudwatch_log_group" "msk" {
  name              = "/aws/msk/${var.name}/broker"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn

  tags = local.tags
}

resource "aws_msk_configuration" "this" {
  name           = "${var.name}-kafka-${replace(var.kafka_version, ".", "-")}"
  description    = "${var.name}: durable writes, no implicit topics."
  kafka_versions = [var.kafka_version]

  server_properties = <<-PROPERTIES
    auto.create.topics.enable = false
    default.replication.factor = ${local.msk_replication_factor}
    min.insync.replicas = ${local.msk_min_insync_replicas}
    unclean.leader.election.enable = false
    num.partitions = 6
  PROPERTIES

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_msk_cluster" "this" {
  cluster_name           = var.name
  kafka_version          = var.kafka_version
  number_of_broker_nodes = local.msk_broker_count
  enhanced_monitoring    = "PER_BROKER"

  broker_node_group_info {
    instance_type   = var.msk_broker_instance_type
    client_subnets  = aws_subnet.database[*].id
    security_groups = [aws_security_group.msk.id]

    storage_info {
      ebs_storage_info {
        volume_size = var.msk_broker_volume_size
      }
    }
  }

  client_authentication {
    unauthenticated = false

    sasl {
      iam = true
    }
  }

  encryption_info {
    encryption_at_rest_kms_key_arn = aws_kms_key.this.arn

    encryption_in_transit {
      client_broker = "TLS"
      in_cluster    = true
    }
  }

  configuration_info {
    arn      = aws_msk_configuration.this.arn
    revision = aws_msk_configuration.this.latest_revision
  }

  logging_info {
    broker_logs {
      cloudwatch_logs {
        enabled   = true
        log_group = aws_cloudwatch_log_group.msk.name
      }
    }
  }

  tags = local.tags
}
