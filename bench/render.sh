#!/usr/bin/env bash
# Benchmark for `mz-presync rollouts --render` (issue 14). Not a timed test:
# it prints wall times and checks the changes found, nothing about speed.
#
#   bench/render.sh [WORKDIR]
#
# 1. Builds (once, kept in WORKDIR) a deploy repository of UNITS (default
#    50) Argo CD Applications, each over a kustomize overlay of one of
#    BASES (default 5) shared bases holding a Materialize object, in the
#    syntax kustomize v2.0.3 reads (`bases:`, `patchesStrategicMerge:`).
# 2. Adds a 10-commit range touching 3 units: each of clusters/c01, c02, c03
#    has its patch changed (c01 twice), the other commits edit files no
#    unit reads.
# 3. Times `rollouts --render BASE..HEAD` (kubectl kustomize or kustomize
#    build, whichever is on PATH) and `rollouts BASE..HEAD` without
#    --render on the same range, best of RUNS (default 3), and prints the
#    ratio and the render/cache counts (`--verbose`).
#
# Environment: UNITS, BASES, RUNS; BIN names a prebuilt binary (else a
# release build); CARGO_TARGET_DIR is honoured.
set -euo pipefail

cd "$(dirname "$0")/.."
UNITS=${UNITS:-50}
BASES=${BASES:-5}
RUNS=${RUNS:-3}
WORK=${1:-${TMPDIR:-/tmp}/mz-presync-bench-render}
TARGET=${CARGO_TARGET_DIR:-target}

if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet --bin mz-presync
fi
BIN=$(realpath "${BIN:-$PWD/$TARGET/release/mz-presync}")

if command -v kustomize >/dev/null 2>&1; then
  TOOL="kustomize build ($(kustomize version 2>/dev/null | head -n 1))"
elif command -v kubectl >/dev/null 2>&1; then
  TOOL="kubectl kustomize ($(kubectl version --client 2>/dev/null | grep -i kustomize || kubectl version --client 2>/dev/null | head -n 1))"
else
  echo "bench/render.sh: neither kustomize nor kubectl is on PATH (run .ci/argocd-tools.sh)" >&2
  exit 2
fi

REPO=$WORK/deploy-$UNITS-$BASES
git_() {
  git -C "$REPO" -c user.name=Bench -c user.email=bench@example.com \
    -c commit.gpgsign=false "$@"
}

patch() { # patch REGION VALUE
  cat <<EOF
apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: materialize
spec:
  podLabels:
    region: $1
    tier: "$2"
EOF
}

if [ ! -d "$REPO/.git" ]; then
  echo "building $REPO ..." >&2
  rm -rf "$REPO"
  mkdir -p "$REPO"
  git init -q "$REPO"
  for b in $(seq 0 $((BASES - 1))); do
    mkdir -p "$REPO/bases/b$b"
    cat >"$REPO/bases/b$b/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - mz.yaml
  - configmap.yaml
EOF
    cat >"$REPO/bases/b$b/mz.yaml" <<EOF
apiVersion: materialize.cloud/v1alpha2
kind: Materialize
metadata:
  name: mz
  namespace: materialize
spec:
  environmentdImageRef: materialize/environmentd:v26.$b.0
  backendSecretName: mz-backend
  balancerdReplicas: 2
EOF
    cat >"$REPO/bases/b$b/configmap.yaml" <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: mz-system-parameters
  namespace: materialize
data:
  max_connections: "1000"
EOF
  done
  mkdir -p "$REPO/argocd" "$REPO/docs"
  for u in $(seq 0 $((UNITS - 1))); do
    c=$(printf 'c%02d' "$u")
    mkdir -p "$REPO/clusters/$c"
    cat >"$REPO/clusters/$c/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
bases:
  - ../../bases/b$((u % BASES))
patchesStrategicMerge:
  - patch.yaml
EOF
    patch "$c" 0 >"$REPO/clusters/$c/patch.yaml"
    cat >"$REPO/argocd/$c.yaml" <<EOF
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: $c
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://example.com/deploy.git
    targetRevision: main
    path: clusters/$c
  destination:
    name: $c
    namespace: materialize
EOF
  done
  echo "# deploy" >"$REPO/README.md"
  git_ add -A
  git_ commit -q -m "50 clusters"
  git_ tag base
  # The range: 10 commits, 4 of them touching 3 units.
  step=0
  commit() { step=$((step + 1)); git_ add -A; git_ commit -q -m "step $step: $1"; }
  patch c01 1 >"$REPO/clusters/c01/patch.yaml"; commit "c01 tier 1"
  echo "notes $step" >>"$REPO/README.md"; commit "readme"
  patch c02 1 >"$REPO/clusters/c02/patch.yaml"; commit "c02 tier 1"
  echo "runbook" >"$REPO/docs/runbook-$step.md"; commit "docs"
  patch c03 1 >"$REPO/clusters/c03/patch.yaml"; commit "c03 tier 1"
  echo "notes $step" >>"$REPO/README.md"; commit "readme"
  patch c01 2 >"$REPO/clusters/c01/patch.yaml"; commit "c01 tier 2"
  echo "runbook" >"$REPO/docs/runbook-$step.md"; commit "docs"
  echo "notes $step" >>"$REPO/README.md"; commit "readme"
  echo "runbook" >"$REPO/docs/runbook-$step.md"; commit "docs"
fi

RANGE=base..HEAD
# best NAME CMD...: the best wall time of RUNS runs (seconds), output kept.
best() {
  local name=$1 best="" t
  shift
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e" -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
    t=$(cat "$WORK/$name.time")
    if [ -z "$best" ] || awk "BEGIN { exit !($t < $best) }"; then best=$t; fi
  done
  echo "$best"
}

plain=$(best plain "$BIN" rollouts --repo "$REPO" --format json "$RANGE")
rendered=$(best rendered "$BIN" rollouts --repo "$REPO" --render --verbose --format json "$RANGE")
changes() {
  python3 -c 'import json,sys
r=json.load(open(sys.argv[1]))
print(sum(len(c["changes"]) for c in r["commits"]), "changes in", len(r["commits"]), "commits:",
      " ".join(sorted({c["file"] for k in r["commits"] for c in k["changes"]})))' "$1"
}
echo "repository: $UNITS units over $BASES bases, range $RANGE ($(git_ rev-list --count $RANGE) commits)"
echo "tool: $TOOL"
echo "rollouts          : ${plain} s  ($(changes "$WORK/plain.out"))"
echo "rollouts --render : ${rendered} s  ($(changes "$WORK/rendered.out"))"
grep -h '^render:' "$WORK/rendered.err" || true
awk "BEGIN { printf \"ratio --render / plain: %.0fx; target < 5 s: %s\n\", $rendered / ($plain > 0 ? $plain : 0.005), ($rendered < 5 ? \"met\" : \"NOT met\") }"
