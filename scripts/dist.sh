#!/usr/bin/env bash
# Builds one release archive: mz-presync-VERSION-TARGET.tar.gz, holding
# mz-presync-VERSION-TARGET/{mz-presync,README.md}, in OUT_DIR (default dist/).
# The release workflow and CI's packaging job both call it, so what CI builds
# on every pull request is what a tag publishes.
#
#   scripts/dist.sh x86_64-unknown-linux-gnu [OUT_DIR]
#
# Linux targets are linked by `cargo zigbuild` against glibc 2.17, so one
# binary runs on every glibc distribution from CentOS 7 on (Argo CD's
# Ubuntu-based images and GitHub's Ubuntu runners included), and an aarch64
# binary can be built on an x86_64 runner. Needs `pip install ziglang
# cargo-zigbuild` and the target's Rust std (`rustup target add TARGET`).
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:?usage: scripts/dist.sh TARGET [OUT_DIR]}
out=${2:-dist}
version=$(sed -n 's/^version *= *"\([^"]*\)".*/\1/p' Cargo.toml | head -n1)

case $target in
  x86_64-unknown-linux-gnu | aarch64-unknown-linux-gnu)
    cargo zigbuild --locked --profile dist --target "$target.2.17"
    ;;
  x86_64-apple-darwin | aarch64-apple-darwin)
    # The oldest macOS that Rust's Apple targets still support.
    MACOSX_DEPLOYMENT_TARGET=${MACOSX_DEPLOYMENT_TARGET:-11.0} \
      cargo build --locked --profile dist --target "$target"
    ;;
  *)
    echo "dist.sh: no release archive is built for $target" >&2
    exit 2
    ;;
esac

bin=target/$target/dist/mz-presync
stem=mz-presync-$version-$target
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
mkdir "$staging/$stem"
cp "$bin" README.md "$staging/$stem/"
mkdir -p "$out"
tar -C "$staging" -czf "$out/$stem.tar.gz" "$stem"

size=$(wc -c <"$bin" | tr -d ' ')
echo "dist.sh: $out/$stem.tar.gz ($bin: $size bytes)"
if ((size > 20 * 1024 * 1024)); then
  echo "dist.sh: $bin is larger than 20 MiB" >&2
  exit 1
fi
if [[ $target == *-linux-gnu ]] && command -v objdump >/dev/null 2>&1; then
  glibc=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -n1)
  echo "dist.sh: newest glibc symbol version needed: $glibc"
  if [[ $(printf '%s\n' "$glibc" GLIBC_2.17 | sort -V | tail -n1) != GLIBC_2.17 ]]; then
    echo "dist.sh: $bin needs $glibc, newer than the 2.17 it is built for" >&2
    exit 1
  fi
fi
