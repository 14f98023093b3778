#!/usr/bin/env bash
# Makes kubectl (with its built-in `kubectl kustomize`) available for
# tests/argocd_plugin.rs on a fresh Debian 12 machine: the plugin's Kustomize
# branch runs `kustomize build`, or `kubectl kustomize` when kustomize is
# absent, and the sidecar test applies argocd/sidecar.yaml with
# `kubectl patch --local`.
#
# Debian 12's only packaged kustomize is the one built into kubectl 1.20
# (package kubernetes-client, kustomize v2.0.3). It works offline, and the
# fixture fixtures/argocd/kustomize-overlay/ is written in the syntax it reads.
# The fixture in current syntax (kustomize-overlay-patches/) needs kustomize
# v3 or later; its test says so and skips when only v2.0.3 is present.
set -euo pipefail

has_kubectl() {
  command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1
}

if has_kubectl; then
  echo "argocd-tools: kubectl with kustomize found at $(command -v kubectl)"
  exit 0
fi

echo "argocd-tools: installing Debian's kubernetes-client for kubectl and \`kubectl kustomize\`"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends kubernetes-client >/dev/null

if ! has_kubectl; then
  echo "argocd-tools: kubernetes-client was installed, but \`kubectl kustomize\` does not run" >&2
  exit 1
fi
echo "argocd-tools: $(kubectl version --client 2>/dev/null | head -n 1)"
