#!/usr/bin/env python3
"""terraform-provider-wellarch benchmark, in one run against moto on 127.0.0.1.

Run after `bash scripts/setup.sh` and `cargo build -p terraform-provider-wellarch`:

    python3 bench/provider.py [--repeat 3] [--binary PATH]

It reports:
- time from process start to the handshake line (the binary alone, AutoMTLS on; median of 20);
- for each of examples/burst_tolerant_api and examples/multiregion_commerce (one composite
  each; the second spans eu-west-1, eu-west-3 and us-east-1):
  - `terraform plan` wall time (Terraform's own start-up included), median of --repeat;
  - `terraform apply` wall time with the default concurrency and with WELLARCH_MAX_PARALLEL=1
    (children one at a time), alternating, each on a freshly reset moto, and their ratio;
- AWS API calls per apply: every HTTP request the provider sends, counted by a pass-through
    proxy in front of moto (waits and retries included).

Results: markdown on stdout, JSON in bench/out/provider.json (git-ignored).
"""
from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("WELLARCH_CACHE") or Path.home() / ".cache" / "wellarch")
COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CountingProxy:
    """Forwards every request to moto and counts them."""

    def __init__(self, upstream_port: int):
        self.count = 0
        lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def forward(self):
                with lock:
                    proxy.count += 1
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = forward

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def wait_ready(port: int) -> None:
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/data.json", timeout=2)
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("moto did not start")


def client_cert_pem() -> str:
    """A self-signed ECDSA P-521 certificate, like the one Terraform presents."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP521R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .sign(key, hashes.SHA512())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def handshake_ms(binary: Path, runs: int = 20) -> float:
    env = dict(os.environ, TF_PLUGIN_MAGIC_COOKIE=COOKIE, PLUGIN_PROTOCOL_VERSIONS="5,6",
               PLUGIN_CLIENT_CERT=client_cert_pem())
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        p = subprocess.Popen([str(binary)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        line = p.stdout.readline()
        times.append((time.perf_counter() - start) * 1000)
        p.kill()
        p.wait()
        if not line.startswith(b"1|6|unix|"):
            sys.exit(f"unexpected handshake line {line!r}")
    return statistics.median(times)


def measure(work: Path, example: str, tf_vars: list[str], *, terraform: Path, env: dict,
            proxy: "CountingProxy", moto_port: int, repeat: int) -> dict:
    """Plan and apply timings of one example, each apply on a freshly reset moto."""
    shutil.copytree(REPO / "examples" / example, work, dirs_exist_ok=True)
    if (work / "handler").exists():
        (work / "build").mkdir(exist_ok=True)
        with zipfile.ZipFile(work / "build" / "handler.zip", "w") as z:
            z.write(work / "handler" / "app.py", "app.py")

    def tf(*cmd: str, extra_env: dict | None = None) -> float:
        start = time.perf_counter()
        r = subprocess.run([str(terraform), *cmd, "-no-color", *tf_vars], cwd=work,
                           env=dict(env, **(extra_env or {})), capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"{example}: terraform {' '.join(cmd)} failed:\n{r.stdout}\n{r.stderr}")
        return time.perf_counter() - start

    def reset() -> None:
        for f in work.glob("terraform.tfstate*"):
            f.unlink()
        req = urllib.request.Request(f"http://127.0.0.1:{moto_port}/moto-api/reset", method="POST")
        urllib.request.urlopen(req, timeout=10)

    plans = [tf("plan") for _ in range(repeat)]
    parallel, serial, calls = [], [], []
    for _ in range(repeat):
        reset()
        before = proxy.count
        parallel.append(tf("apply", "-auto-approve"))
        calls.append(proxy.count - before)
        reset()
        serial.append(tf("apply", "-auto-approve", extra_env={"WELLARCH_MAX_PARALLEL": "1"}))
    reset()
    return {
        "plan_s_median": round(statistics.median(plans), 2),
        "apply_parallel_s_median": round(statistics.median(parallel), 2),
        "apply_serial_s_median": round(statistics.median(serial), 2),
        "serial_over_parallel": round(statistics.median(serial) / statistics.median(parallel), 2),
        "aws_calls_per_apply": calls,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--binary", type=Path,
                    default=Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target") / "debug" / "terraform-provider-wellarch")
    args = ap.parse_args()
    terraform = Path(os.environ.get("WELLARCH_TERRAFORM") or CACHE / "bin" / "terraform")
    moto_server = Path(os.environ.get("WELLARCH_MOTO_SERVER") or CACHE / "venv" / "bin" / "moto_server")
    for p in (args.binary, terraform, moto_server):
        if not p.exists():
            sys.exit(f"missing {p}: run scripts/setup.sh and cargo build -p terraform-provider-wellarch")

    work = Path(tempfile.mkdtemp(prefix="wellarch-bench-"))
    moto_port = free_port()
    moto = subprocess.Popen([str(moto_server), "-H", "127.0.0.1", "-p", str(moto_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(moto_port)
        proxy = CountingProxy(moto_port)
        rc = work / "terraform.rc"
        rc.write_text(
            'provider_installation {\n  dev_overrides {\n    "wellarch/wellarch" = "%s"\n  }\n  direct {}\n}\n'
            % args.binary.parent)
        env = dict(os.environ, TF_CLI_CONFIG_FILE=str(rc), TF_IN_AUTOMATION="1",
                   CHECKPOINT_DISABLE="1", AWS_ENDPOINT_URL=f"http://127.0.0.1:{proxy.port}",
                   AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                   AWS_EC2_METADATA_DISABLED="true")
        common = dict(terraform=terraform, env=env, proxy=proxy, moto_port=moto_port, repeat=args.repeat)
        hs = handshake_ms(args.binary)
        examples = {
            "burst_tolerant_api": measure(work / "burst", "burst_tolerant_api",
                                          ["-var", "deletion_protection=false"], **common),
            "multiregion_commerce": measure(work / "multiregion", "multiregion_commerce",
                                            ["-var", "deletion_protection=false", "-var", "ami_id=ami-12c6146b"],
                                            **common),
        }
        result = {
            "handshake_ms_median": round(hs, 1),
            "examples": examples,
            "binary": str(args.binary),
            "repeat": args.repeat,
        }
    finally:
        moto.terminate()
        moto.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)

    out = REPO / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "provider.json").write_text(json.dumps(result, indent=2))
    names = list(result["examples"])
    print("| measure | " + " | ".join(f"`{n}`" for n in names) + " |")
    print("|---|" + "---|" * len(names))
    print(f"| start → handshake line (median of 20) | {result['handshake_ms_median']} ms |" + " |" * (len(names) - 1))

    def row(label: str, key: str, unit: str) -> None:
        print(f"| {label} | " + " | ".join(f"{result['examples'][n][key]}{unit}" for n in names) + " |")

    row("`terraform plan` (median)", "plan_s_median", " s")
    row("`terraform apply`, default concurrency (median)", "apply_parallel_s_median", " s")
    row("`terraform apply`, WELLARCH_MAX_PARALLEL=1 (median)", "apply_serial_s_median", " s")
    row("serial / parallel", "serial_over_parallel", "×")
    print("| AWS API calls per apply | " + " | ".join(
        ", ".join(map(str, result["examples"][n]["aws_calls_per_apply"])) for n in names) + " |")


if __name__ == "__main__":
    main()
