#!/usr/bin/env python3
"""Per-rule scaling check for wellarch-lint: finds rules whose time grows faster than linearly
with the number of resources in one root module.

    cargo build --release -p wellarch-lint
    python3 bench/rule_scaling.py            # N = 1000 copies, then 2N
    python3 bench/rule_scaling.py -n 500     # smaller / faster
    python3 bench/rule_scaling.py --lint PATH --all   # another binary; every rule in the table

It generates (deterministically) one root module made of N copies of a realistic set of linked
resources (VPC, subnets, route tables, databases, queues, Lambdas, buckets, load balancers, WAF
associations, alarms, DNS failover records, API Gateway, ...), about 10% of them misconfigured so
that rules also take their reporting paths, into
`${WELLARCH_CACHE:-~/.cache/wellarch}/bench/scaling-N`. It then runs
`wellarch-lint DIR --format json` with `WELLARCH_TIMINGS=1` at N and at 2N copies and prints,
per rule, the milliseconds at both sizes and their ratio. A linear rule has a ratio near 2; a
quadratic one near 4. A rule is flagged as superlinear when its ratio is above --max-ratio
(default 3) and it takes more than --min-ms (default 5) ms at 2N. The exit status is 1 when any
rule is flagged, so the script can be used as a check.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("WELLARCH_CACHE") or Path.home() / ".cache" / "wellarch")
GEN_VERSION = "1"  # bump when the generator changes: regenerates the cached trees
COPIES_PER_FILE = 50

HEADER = """terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

resource "aws_wafv2_web_acl" "shared" {
  name  = "shared"
  scope = "REGIONAL"

  default_action {
    allow {}
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "shared"
    sampled_requests_enabled   = true
  }
}
"""


def copy_block(i: int) -> str:
    """One copy of the linked resource set. Every 10th copy is misconfigured in several ways."""
    bad = i % 10 == 7
    db_subnet = f"aws_subnet.pub{i}.id" if bad else f"aws_subnet.priv{i}.id"
    redrive = (
        ""
        if bad
        else f"""
  redrive_policy = jsonencode({{
    deadLetterTargetArn = aws_sqs_queue.dlq{i}.arn
    maxReceiveCount     = 5
  }})"""
    )
    versioning_status = "Suspended" if bad else "Enabled"
    health_check = "" if bad else f"\n  health_check_id = aws_route53_health_check.h{i}.id"
    cluster_count = 1 if bad else 2
    lb_waf = (
        ""
        if bad
        else f"""
resource "aws_wafv2_web_acl_association" "lb{i}" {{
  resource_arn = aws_lb.lb{i}.arn
  web_acl_arn  = aws_wafv2_web_acl.shared.arn
}}
"""
    )
    stage_waf = (
        ""
        if bad
        else f"""
resource "aws_wafv2_web_acl_association" "api{i}" {{
  resource_arn = aws_api_gateway_stage.api{i}.arn
  web_acl_arn  = aws_wafv2_web_acl.shared.arn
}}
"""
    )
    alarm = (
        ""
        if bad
        else f"""
resource "aws_cloudwatch_metric_alarm" "dlq{i}" {{
  alarm_name          = "dlq-{i}-not-empty"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  dimensions = {{
    QueueName = aws_sqs_queue.dlq{i}.name
  }}
}}
"""
    )
    sse = "AES256" if bad else "aws:kms"
    return f"""
# ---- copy {i} ----
resource "aws_vpc" "v{i}" {{
  cidr_block           = "10.{i % 250}.0.0/16"
  enable_dns_hostnames = true
}}

resource "aws_internet_gateway" "igw{i}" {{
  vpc_id = aws_vpc.v{i}.id
}}

resource "aws_subnet" "pub{i}" {{
  vpc_id                  = aws_vpc.v{i}.id
  cidr_block              = "10.{i % 250}.1.0/24"
  map_public_ip_on_launch = true
}}

resource "aws_subnet" "priv{i}" {{
  vpc_id     = aws_vpc.v{i}.id
  cidr_block = "10.{i % 250}.2.0/24"
}}

resource "aws_route_table" "pub{i}" {{
  vpc_id = aws_vpc.v{i}.id

  route {{
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw{i}.id
  }}
}}

resource "aws_route_table_association" "pub{i}" {{
  subnet_id      = aws_subnet.pub{i}.id
  route_table_id = aws_route_table.pub{i}.id
}}

resource "aws_route_table" "priv{i}" {{
  vpc_id = aws_vpc.v{i}.id
}}

resource "aws_route" "priv{i}" {{
  route_table_id         = aws_route_table.priv{i}.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = "nat-0{i:07d}"
}}

resource "aws_route_table_association" "priv{i}" {{
  subnet_id      = aws_subnet.priv{i}.id
  route_table_id = aws_route_table.priv{i}.id
}}

resource "aws_cloudwatch_log_group" "flow{i}" {{
  name              = "/vpc/flow-{i}"
  retention_in_days = 30
}}

resource "aws_flow_log" "v{i}" {{
  vpc_id          = aws_vpc.v{i}.id
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.flow{i}.arn
  iam_role_arn    = aws_iam_role.r{i}.arn
}}

resource "aws_security_group" "db{i}" {{
  name   = "db-{i}"
  vpc_id = aws_vpc.v{i}.id

  ingress {{
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["10.{i % 250}.0.0/16"]
  }}
}}

resource "aws_db_subnet_group" "g{i}" {{
  name       = "db-{i}"
  subnet_ids = [{db_subnet}, aws_subnet.priv{i}.id]
}}

resource "aws_db_instance" "db{i}" {{
  identifier              = "db-{i}"
  engine                  = "postgres"
  instance_class          = "db.t4g.medium"
  allocated_storage       = 20
  db_subnet_group_name    = aws_db_subnet_group.g{i}.name
  vpc_security_group_ids  = [aws_security_group.db{i}.id]
  multi_az                = true
  storage_encrypted       = true
  backup_retention_period = 7
  deletion_protection     = true
}}

resource "aws_rds_cluster" "c{i}" {{
  cluster_identifier          = "cluster-{i}"
  engine                      = "aurora-postgresql"
  master_username             = "admin{i}"
  manage_master_user_password = true
  db_subnet_group_name        = aws_db_subnet_group.g{i}.name
  storage_encrypted           = true
  backup_retention_period     = 7
  deletion_protection         = true
}}

resource "aws_rds_cluster_instance" "c{i}" {{
  count              = {cluster_count}
  identifier         = "cluster-{i}-${{count.index}}"
  cluster_identifier = aws_rds_cluster.c{i}.id
  engine             = aws_rds_cluster.c{i}.engine
  instance_class     = "db.r6g.large"
}}

resource "aws_sqs_queue" "dlq{i}" {{
  name                    = "dlq-{i}"
  sqs_managed_sse_enabled = true
}}

resource "aws_sqs_queue" "q{i}" {{
  name                       = "q-{i}"
  visibility_timeout_seconds = 180
  sqs_managed_sse_enabled    = true{redrive}
}}

resource "aws_iam_role" "r{i}" {{
  name = "role-{i}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ Service = "lambda.amazonaws.com" }}
    }}]
  }})
}}

resource "aws_iam_role_policy" "r{i}" {{
  name = "queue-{i}"
  role = aws_iam_role.r{i}.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
      Resource = aws_sqs_queue.q{i}.arn
    }}]
  }})
}}

resource "aws_lambda_function" "f{i}" {{
  function_name                  = "worker-{i}"
  role                           = aws_iam_role.r{i}.arn
  runtime                        = "python3.12"
  handler                        = "app.handler"
  filename                       = "worker.zip"
  timeout                        = 30
  memory_size                    = 512
  architectures                  = ["arm64"]
  reserved_concurrent_executions = 5

  tracing_config {{
    mode = "Active"
  }}

  dead_letter_config {{
    target_arn = aws_sqs_queue.dlq{i}.arn
  }}
}}

resource "aws_lambda_event_source_mapping" "f{i}" {{
  event_source_arn = aws_sqs_queue.q{i}.arn
  function_name    = aws_lambda_function.f{i}.arn
  batch_size       = 10
}}

resource "aws_sns_topic" "t{i}" {{
  name              = "events-{i}"
  kms_master_key_id = "alias/aws/sns"
}}

resource "aws_sns_topic_subscription" "t{i}" {{
  topic_arn = aws_sns_topic.t{i}.arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.f{i}.arn
}}

resource "aws_s3_bucket" "b{i}" {{
  bucket = "data-{i}"
}}

resource "aws_s3_bucket_versioning" "b{i}" {{
  bucket = aws_s3_bucket.b{i}.id

  versioning_configuration {{
    status = "{versioning_status}"
  }}
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "b{i}" {{
  bucket = aws_s3_bucket.b{i}.id

  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm = "{sse}"
    }}
  }}
}}

resource "aws_s3_bucket_public_access_block" "b{i}" {{
  bucket                  = aws_s3_bucket.b{i}.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}}

resource "aws_s3_bucket_lifecycle_configuration" "b{i}" {{
  bucket = aws_s3_bucket.b{i}.id

  rule {{
    id     = "expire"
    status = "Enabled"

    filter {{}}

    noncurrent_version_expiration {{
      noncurrent_days = 30
    }}
  }}
}}

resource "aws_s3_bucket" "logs{i}" {{
  bucket = "logs-{i}"
}}

resource "aws_s3_bucket_logging" "b{i}" {{
  bucket        = aws_s3_bucket.b{i}.id
  target_bucket = aws_s3_bucket.logs{i}.id
  target_prefix = "access/"
}}

resource "aws_lb" "lb{i}" {{
  name               = "lb-{i}"
  load_balancer_type = "application"
  internal           = false
  subnets            = [aws_subnet.pub{i}.id]

  access_logs {{
    bucket  = aws_s3_bucket.logs{i}.id
    enabled = true
  }}
}}
{lb_waf}{alarm}
resource "aws_dynamodb_table" "t{i}" {{
  name                        = "table-{i}"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "id"
  deletion_protection_enabled = true

  attribute {{
    name = "id"
    type = "S"
  }}

  point_in_time_recovery {{
    enabled = true
  }}

  server_side_encryption {{
    enabled     = true
    kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/k-{i}"
  }}
}}

resource "aws_route53_health_check" "h{i}" {{
  fqdn              = "app{i}.example.com"
  port              = 443
  type              = "HTTPS"
  resource_path     = "/health"
  failure_threshold = 3
  request_interval  = 30
}}

resource "aws_route53_record" "primary{i}" {{
  zone_id        = "Z0123456789"
  name           = "app{i}.example.com"
  type           = "A"
  ttl            = 60
  records        = ["192.0.2.{i % 250}"]
  set_identifier = "primary"{health_check}

  failover_routing_policy {{
    type = "PRIMARY"
  }}
}}

resource "aws_route53_record" "secondary{i}" {{
  zone_id        = "Z0123456789"
  name           = "app{i}.example.com"
  type           = "A"
  ttl            = 60
  records        = ["198.51.100.{i % 250}"]
  set_identifier = "secondary"

  failover_routing_policy {{
    type = "SECONDARY"
  }}
}}

resource "aws_api_gateway_rest_api" "api{i}" {{
  name = "api-{i}"
}}

resource "aws_api_gateway_deployment" "api{i}" {{
  rest_api_id = aws_api_gateway_rest_api.api{i}.id
}}

resource "aws_api_gateway_stage" "api{i}" {{
  rest_api_id          = aws_api_gateway_rest_api.api{i}.id
  deployment_id        = aws_api_gateway_deployment.api{i}.id
  stage_name           = "prod"
  xray_tracing_enabled = true

  access_log_settings {{
    destination_arn = aws_cloudwatch_log_group.flow{i}.arn
    format          = "$context.requestId"
  }}
}}
{stage_waf}
resource "aws_instance" "i{i}" {{
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  subnet_id     = aws_subnet.priv{i}.id

  root_block_device {{
    encrypted = true
  }}
}}

resource "aws_ebs_volume" "i{i}" {{
  availability_zone = "eu-west-1a"
  size              = 20
  type              = "gp3"
  encrypted         = true
}}

resource "aws_cloudfront_distribution" "cdn{i}" {{
  enabled    = true
  web_acl_id = "arn:aws:wafv2:us-east-1:111122223333:global/webacl/cdn/0000"

  origin {{
    domain_name = aws_lb.lb{i}.dns_name
    origin_id   = "lb"
  }}

  default_cache_behavior {{
    target_origin_id       = "lb"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
  }}

  restrictions {{
    geo_restriction {{
      restriction_type = "none"
    }}
  }}

  viewer_certificate {{
    acm_certificate_arn      = "arn:aws:acm:us-east-1:111122223333:certificate/c-{i}"
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }}
}}

resource "aws_elasticache_subnet_group" "ec{i}" {{
  name       = "cache-{i}"
  subnet_ids = [aws_subnet.priv{i}.id]
}}

resource "aws_elasticache_replication_group" "ec{i}" {{
  replication_group_id       = "cache-{i}"
  description                = "cache {i}"
  node_type                  = "cache.t4g.small"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  multi_az_enabled           = true
  subnet_group_name          = aws_elasticache_subnet_group.ec{i}.name
  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
}}
"""


def generate(n: int) -> Path:
    out = CACHE / "bench" / f"scaling-{n}"
    stamp = out / ".generated"
    if stamp.exists() and stamp.read_text() == GEN_VERSION:
        return out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / "main.tf").write_text(HEADER)
    for start in range(0, n, COPIES_PER_FILE):
        body = "".join(copy_block(i) for i in range(start, min(n, start + COPIES_PER_FILE)))
        (out / f"stack_{start // COPIES_PER_FILE:04d}.tf").write_text(body)
    stamp.write_text(GEN_VERSION)
    return out


TIMING = re.compile(r"^\s*([0-9.]+) ms (\S+) ")


def run(lint: Path, directory: Path) -> tuple[dict[str, float], int, float]:
    """Per-rule ms (minimum over --repeat is taken by the caller), resources, wall seconds."""
    env = dict(os.environ, WELLARCH_TIMINGS="1")
    started = time.monotonic()
    proc = subprocess.run(
        [str(lint), str(directory), "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.monotonic() - started
    if proc.returncode not in (0, 1):
        sys.exit(f"{lint} failed with exit {proc.returncode}:\n{proc.stderr[-4000:]}")
    times: dict[str, float] = {}
    for line in proc.stderr.splitlines():
        m = TIMING.match(line)
        if m:
            times[m.group(2)] = times.get(m.group(2), 0.0) + float(m.group(1))
    if not times:
        sys.exit(f"no WELLARCH_TIMINGS lines on stderr of {lint}:\n{proc.stderr[-4000:]}")
    try:
        findings = len(json.loads(proc.stdout).get("findings", []))
    except (ValueError, AttributeError):
        findings = -1
    return times, findings, wall


def measure(lint: Path, directory: Path, repeat: int) -> tuple[dict[str, float], int, float]:
    best: dict[str, float] = {}
    findings = 0
    wall = float("inf")
    for _ in range(repeat):
        times, findings, w = run(lint, directory)
        wall = min(wall, w)
        for code, ms in times.items():
            best[code] = min(best.get(code, ms), ms)
    return best, findings, wall


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=1000, help="copies of the resource set at the small size (default 1000)")
    ap.add_argument("--lint", type=Path, default=REPO / "target" / "release" / "wellarch-lint")
    ap.add_argument("--repeat", type=int, default=3, help="runs per size; the minimum per rule is kept")
    ap.add_argument("--max-ratio", type=float, default=3.0, help="time(2N)/time(N) above this is superlinear")
    ap.add_argument("--min-ms", type=float, default=5.0, help="ignore rules faster than this at 2N (noise)")
    ap.add_argument("--all", action="store_true", help="print every rule, not only those above 1 ms")
    args = ap.parse_args()

    if not args.lint.exists():
        sys.exit(f"{args.lint} not found: run `cargo build --release -p wellarch-lint` first")
    sizes = [args.n, 2 * args.n]
    results = []
    for n in sizes:
        d = generate(n)
        times, findings, wall = measure(args.lint, d, args.repeat)
        results.append(times)
        print(f"N={n}: {d} ({n} copies), wall {wall:.2f} s, {findings} findings", file=sys.stderr)

    small, large = results
    flagged = []
    rows = []
    for code in sorted(set(small) | set(large)):
        a, b = small.get(code, 0.0), large.get(code, 0.0)
        ratio = b / a if a > 0 else float("inf") if b > 0 else 1.0
        bad = ratio > args.max_ratio and b > args.min_ms
        if bad:
            flagged.append(code)
        if args.all or bad or max(a, b) >= 1.0:
            rows.append((code, a, b, ratio, bad))

    print(f"| rule | ms at N={sizes[0]} | ms at 2N={sizes[1]} | ratio | |")
    print("|---|---:|---:|---:|---|")
    for code, a, b, ratio, bad in rows:
        print(f"| {code} | {a:.2f} | {b:.2f} | {ratio:.2f} | {'SUPERLINEAR' if bad else 'ok'} |")
    total_a, total_b = sum(small.values()), sum(large.values())
    print(f"| all rules | {total_a:.2f} | {total_b:.2f} | {total_b / total_a if total_a else 0:.2f} | |")
    if not args.all:
        print("\n(rules under 1 ms at both sizes not shown; --all shows them)")
    if flagged:
        print(f"\nFLAGGED as superlinear (ratio > {args.max_ratio}, > {args.min_ms} ms): {', '.join(flagged)}")
        return 1
    print(f"\nno rule flagged (ratio > {args.max_ratio} and > {args.min_ms} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
