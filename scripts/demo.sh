#!/usr/bin/env bash
# Applies an example composite against a local AWS emulator (moto on 127.0.0.1), shows the
# plan after apply (no changes), then destroys it. Nothing talks to real AWS.
#
#   bash scripts/demo.sh                        examples/burst_tolerant_api (or: make demo)
#   bash scripts/demo.sh multiregion_commerce   examples/multiregion_commerce (both regions)
#   KEEP=1 bash scripts/demo.sh                 leaves the stack and moto running to explore
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

eval "$(bash scripts/setup.sh --print-env)"
target_dir=${CARGO_TARGET_DIR:-$root/target}
echo "== building terraform-provider-wellarch"
cargo build --quiet --locked -p terraform-provider-wellarch
provider_dir="$target_dir/debug"

example=${1:-burst_tolerant_api}
case "$example" in
  burst_tolerant_api) vars=(-var deletion_protection=false) ;;
  # ami-12c6146b is one of the images moto knows in every region.
  multiregion_commerce) vars=(-var deletion_protection=false -var ami_id=ami-12c6146b) ;;
  *) echo "unknown example $example: burst_tolerant_api or multiregion_commerce" >&2; exit 2 ;;
esac

work=$(mktemp -d)
cp -r "examples/$example/." "$work/"
if [ -d "$work/handler" ]; then
  mkdir -p "$work/build"
  python3 - "$work/handler" "$work/build/handler.zip" <<'PY'
import pathlib, sys, zipfile
src, out = pathlib.Path(sys.argv[1]), sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for f in sorted(src.rglob("*.py")):
        z.write(f, f.relative_to(src))
PY
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$WELLARCH_MOTO_SERVER" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
stop() {
  if [ "${KEEP:-0}" = 1 ]; then
    echo "moto (pid $moto_pid) on http://127.0.0.1:$port, stack in $work"
  else
    kill "$moto_pid" 2>/dev/null || true
    rm -rf "$work"
  fi
}
trap stop EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/moto-api/data.json" >/dev/null 2>&1 && break
  sleep 0.1
done

cat >"$work/terraform.rc" <<RC
provider_installation {
  dev_overrides {
    "wellarch/wellarch" = "$provider_dir"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$work/terraform.rc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export AWS_EC2_METADATA_DISABLED=true

cd "$work"
echo "== terraform apply (moto on 127.0.0.1:$port)"
"$WELLARCH_TERRAFORM" apply -auto-approve "${vars[@]}"
echo "== terraform plan (expect: No changes)"
"$WELLARCH_TERRAFORM" plan "${vars[@]}"
if [ "${KEEP:-0}" != 1 ]; then
  echo "== terraform destroy"
  "$WELLARCH_TERRAFORM" destroy -auto-approve "${vars[@]}"
fi
