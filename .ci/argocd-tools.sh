#!/usr/bin/env bash
# Makes a kustomize available for tests/argocd_plugin.rs on a fresh Debian 12
# machine: the plugin's kustomize branch runs `kustomize build`, or
# `kubectl kustomize` when kustomize is absent.
#
# Debian 12's only packaged kustomize is the one built into kubectl 1.20
# (package kubernetes-client, kustomize v2.0.3). It works offline, and the
# fixture fixtures/argocd/kustomize-overlay/ is written in the syntax it reads;
# the newer-syntax fixture (kustomize-overlay-patches/) needs kustomize v3 or
# later, and its test says so and skips when only v2.0.3 is present.
set -euo pipefail

has_kustomize() {
  command -v kustomize >/dev/null 2>&1 && return 0
  command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1
}

if has_kustomize; then
  echo "argocd-tools: kustomize available ($(command -v kustomize || command -v kubectl))"
  exit 0
fi

echo "argocd-tools: installing Debian's kubernetes-client for \`kubectl kustomize\`"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null

if ! has_kustomize; then
  echo "argocd-tools: kubectl was installed but \`kubectl kustomize\` does not run" >&2
  exit 1
fi
echo "argocd-tools: $(kubectl version --client 2>/dev/null | head -n 1)"
