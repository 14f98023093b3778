#!/usr/bin/env bash
# Builds the wheel of mz-presync for one target with maturin (`bindings =
# "bin"`: the wheel installs the binary as a console script, with no Python
# code), into OUT_DIR (default wheels/). When the target is this machine's,
# the wheel is then installed in a fresh virtual environment and run.
#
#   scripts/wheel.sh x86_64-unknown-linux-gnu [OUT_DIR]
#
# Linux wheels are linked with zig against glibc 2.17 (manylinux2014), like
# the release archives. Needs `pip install maturin ziglang`.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:?usage: scripts/wheel.sh TARGET [OUT_DIR]}
out=${2:-wheels}

case $target in
  x86_64-unknown-linux-gnu | aarch64-unknown-linux-gnu)
    maturin build --locked --zig --compatibility manylinux2014 --target "$target" --out "$out"
    ;;
  x86_64-apple-darwin | aarch64-apple-darwin)
    MACOSX_DEPLOYMENT_TARGET=${MACOSX_DEPLOYMENT_TARGET:-11.0} \
      maturin build --locked --target "$target" --out "$out"
    ;;
  *)
    echo "wheel.sh: no wheel is built for $target" >&2
    exit 2
    ;;
esac

host=$(rustc -vV | sed -n 's/^host: //p')
if [[ $target != "$host" ]]; then
  echo "wheel.sh: built for $target on $host; not installing it here"
  exit 0
fi
venv=$(mktemp -d)
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-index --find-links "$out" mz-presync
"$venv/bin/mz-presync" --version
