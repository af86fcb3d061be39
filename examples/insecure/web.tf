# SEC003, OPS004: an internet-facing ALB with no WAF and no access logs.
resource "aws_lb" "web" {
  name     = "${var.name}-web"
  internal = false
  subnets  = aws_subnet.data[*].id
}

# SEC002, SEC012, SEC013: no WAF, plain HTTP allowed, the default certificate.
resource "aws_cloudfront_distribution" "web" {
  enabled = true

  origin {
    domain_name = aws_lb.web.dns_name
    origin_id   = "alb"
    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "http-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  default_cache_behavior {
    target_origin_id       = "alb"
    viewer_protocol_policy = "allow-all"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}

# SUS002: a previous-generation instance type.
resource "aws_instance" "bastion" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t2.micro"
  subnet_id     = aws_subnet.data[0].id

  root_block_device {
    encrypted = true
  }
}

resource "aws_route53_health_check" "web" {
  fqdn              = "web.example.com"
  type              = "HTTPS"
  port              = 443
  resource_path     = "/health"
  failure_threshold = 3
  request_interval  = 30
}

# REL012: a failover record without a health check.
resource "aws_route53_record" "primary" {
  zone_id        = "Z0123456789ABCDEFGHIJ"
  name           = "shop.example.com"
  type           = "CNAME"
  ttl            = 60
  records        = [aws_lb.web.dns_name]
  set_identifier = "primary"

  failover_routing_policy {
    type = "PRIMARY"
  }
}
