# The application tier: an Auto Scaling group per region in the private subnets, registered
# with its region's target group and kept at cpu_target_percent by target tracking. The
# failover region runs warm at failover_min_size and scales out when traffic arrives.
# Instances require IMDSv2, boot from an encrypted gp3 volume, and are reached through SSM
# Session Manager rather than SSH.

locals {
  asg_tags = merge(var.tags, { Application = var.name })
}

# --- Primary region -----------------------------------------------------------------------

resource "aws_launch_template" "primary" {
  provider = aws.primary

  name_prefix            = "${var.name}-primary-"
  description            = "Application instances of ${var.name} in the primary region"
  image_id               = var.primary_ami_id
  instance_type          = var.instance_type
  user_data              = var.user_data == "" ? null : base64encode(var.user_data)
  vpc_security_group_ids = [aws_security_group.primary_app.id]
  update_default_version = true

  iam_instance_profile {
    arn = aws_iam_instance_profile.app.arn
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  monitoring {
    enabled = true
  }

  block_device_mappings {
    device_name = var.root_device_name

    ebs {
      volume_type           = "gp3"
      volume_size           = var.root_volume_size
      encrypted             = true
      delete_on_termination = true
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(local.asg_tags, { Name = "${var.name}-primary-app" })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = merge(local.asg_tags, { Name = "${var.name}-primary-app" })
  }

  tags = var.tags
}

resource "aws_autoscaling_group" "primary" {
  provider = aws.primary

  name                      = "${var.name}-primary-app"
  vpc_zone_identifier       = aws_subnet.primary_private[*].id
  min_size                  = var.min_size
  max_size                  = var.max_size
  target_group_arns         = [aws_lb_target_group.primary.arn]
  health_check_type         = "ELB"
  health_check_grace_period = 300
  enabled_metrics           = ["GroupInServiceInstances", "GroupDesiredCapacity", "GroupPendingInstances", "GroupTerminatingInstances"]

  launch_template {
    id      = aws_launch_template.primary.id
    version = aws_launch_template.primary.latest_version
  }

  instance_refresh {
    strategy = "Rolling"

    preferences {
      min_healthy_percentage = 90
    }
  }

  dynamic "tag" {
    for_each = merge(local.asg_tags, { Name = "${var.name}-primary-app" })

    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = false
    }
  }
}

resource "aws_autoscaling_policy" "primary_cpu" {
  provider = aws.primary

  name                   = "${var.name}-primary-cpu-target"
  autoscaling_group_name = aws_autoscaling_group.primary.name
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {
    target_value = var.cpu_target_percent

    predefined_metric_specification {
      predefined_metric_type = "ASGAverageCPUUtilization"
    }
  }
}

# --- Failover region ----------------------------------------------------------------------

resource "aws_launch_template" "failover" {
  provider = aws.failover

  name_prefix            = "${var.name}-failover-"
  description            = "Application instances of ${var.name} in the failover region"
  image_id               = var.failover_ami_id
  instance_type          = var.instance_type
  user_data              = var.user_data == "" ? null : base64encode(var.user_data)
  vpc_security_group_ids = [aws_security_group.failover_app.id]
  update_default_version = true

  iam_instance_profile {
    arn = aws_iam_instance_profile.app.arn
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  monitoring {
    enabled = true
  }

  block_device_mappings {
    device_name = var.root_device_name

    ebs {
      volume_type           = "gp3"
      volume_size           = var.root_volume_size
      encrypted             = true
      delete_on_termination = true
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(local.asg_tags, { Name = "${var.name}-failover-app" })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = merge(local.asg_tags, { Name = "${var.name}-failover-app" })
  }

  tags = var.tags
}

resource "aws_autoscaling_group" "failover" {
  provider = aws.failover

  name                      = "${var.name}-failover-app"
  vpc_zone_identifier       = aws_subnet.failover_private[*].id
  min_size                  = var.failover_min_size
  max_size                  = var.max_size
  target_group_arns         = [aws_lb_target_group.failover.arn]
  health_check_type         = "ELB"
  health_check_grace_period = 300
  enabled_metrics           = ["GroupInServiceInstances", "GroupDesiredCapacity", "GroupPendingInstances", "GroupTerminatingInstances"]

  launch_template {
    id      = aws_launch_template.failover.id
    version = aws_launch_template.failover.latest_version
  }

  instance_refresh {
    strategy = "Rolling"

    preferences {
      min_healthy_percentage = 90
    }
  }

  dynamic "tag" {
    for_each = merge(local.asg_tags, { Name = "${var.name}-failover-app" })

    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = false
    }
  }
}

resource "aws_autoscaling_policy" "failover_cpu" {
  provider = aws.failover

  name                   = "${var.name}-failover-cpu-target"
  autoscaling_group_name = aws_autoscaling_group.failover.name
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {
    target_value = var.cpu_target_percent

    predefined_metric_specification {
      predefined_metric_type = "ASGAverageCPUUtilization"
    }
  }
}
