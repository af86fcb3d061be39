#!/usr/bin/env bash
# Runs every test, on a fresh machine as on a warm one: installs the tools the tests need
# (scripts/setup.sh, cached under ~/.cache/wellarch), then format, lint and test gates.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(bash scripts/setup.sh --print-env)"
# Tests that need the Terraform CLI or moto fail instead of skipping when run from here.
export WELLARCH_REQUIRE_TOOLS=1

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
echo "== lint the examples as a user would (examples/insecure must fail, examples/secure pass)"
set +e
cargo run --quiet --locked -p wellarch-lint -- examples/secure
secure=$?
cargo run --quiet --locked -p wellarch-lint -- examples/insecure --format github > /dev/null
insecure=$?
set -e
if [ "$secure" -ne 0 ] || [ "$insecure" -ne 1 ]; then
  echo "expected exit 0 on examples/secure and 1 on examples/insecure, got $secure and $insecure" >&2
  exit 1
fi
echo "all tests passed"
