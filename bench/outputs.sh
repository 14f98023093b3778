#!/usr/bin/env bash
# Capture what every command prints (stdout, stderr, exit code) on fixed
# inputs, so that a restructuring can be shown to change no byte:
#
#   bench/outputs.sh BIN OUTDIR [HISTORY_REPO]
#   diff -r OUTDIR_BEFORE OUTDIR_AFTER
#
# Inputs: fixtures/repo and fixtures/realworld (validate, migrate --diff,
# render, hash), this repository's own history over a fixed range (rollouts
# in every format), and, when given, the benchmark history of
# bench/rollouts.sh (rollouts --format json over the whole history).
set -uo pipefail

BIN=$(realpath "$1")
OUT=$(realpath -m "$2")
HISTORY=${3:-}
cd "$(dirname "$0")/.."
mkdir -p "$OUT"

# capture NAME CMD...: stdout, stderr and exit code of CMD under NAME.
capture() {
    local name=$1
    shift
    "$@" >"$OUT/$name.stdout" 2>"$OUT/$name.stderr"
    echo $? >"$OUT/$name.rc"
}

export NO_COLOR=1
for dir in fixtures/repo fixtures/realworld; do
    tag=${dir//\//_}
    capture "validate-json-$tag" "$BIN" validate --format json "$dir"
    capture "validate-human-$tag" "$BIN" validate "$dir"
    capture "validate-sarif-$tag" "$BIN" validate --format sarif "$dir"
    capture "validate-github-$tag" "$BIN" validate --format github "$dir"
    capture "migrate-diff-$tag" "$BIN" migrate --diff "$dir"
    capture "migrate-diff-v1-$tag" "$BIN" migrate --diff --to v1 "$dir"
    capture "migrate-check-$tag" "$BIN" migrate --check "$dir"
    capture "render-$tag" "$BIN" render "$dir"
    capture "hash-json-$tag" "$BIN" hash --format json "$dir"
    capture "hash-json-v1-$tag" "$BIN" hash --format json --algorithm v1 "$dir"
    capture "hash-human-$tag" "$BIN" hash "$dir"
done
for dir in fixtures/repo/clean fixtures/repo/kustomize fixtures/repo/clusters; do
    tag=${dir//\//_}
    capture "render-$tag" "$BIN" render "$dir"
done
capture explain-list "$BIN" explain
for rule in $("$BIN" explain | awk 'NR > 1 && /^[a-z0-9-]+  / {print $1}'); do
    capture "explain-$rule" "$BIN" explain "$rule"
done

# This repository's history over commits that landed before any
# restructuring: fixtures, tests and examples change there.
RANGE=c29f974..bf98c68
if git cat-file -e bf98c68 2>/dev/null; then
    for format in json markdown github human; do
        capture "rollouts-$format-self" "$BIN" rollouts --format "$format" --fail-on never "$RANGE"
    done
    capture rollouts-human-verbose-self "$BIN" rollouts --verbose --fail-on never "$RANGE"
    capture rollouts-json-v1-self "$BIN" rollouts --format json --algorithm v1 --fail-on never "$RANGE"
    capture rollouts-json-all-self "$BIN" rollouts --format json --all --fail-on never "$RANGE"
fi

if [ -n "$HISTORY" ]; then
    capture rollouts-json-bench "$BIN" rollouts --repo "$HISTORY" --format json --fail-on never HEAD
    capture rollouts-markdown-bench "$BIN" rollouts --repo "$HISTORY" --format markdown --fail-on never HEAD~50..HEAD
fi
echo "captured $(ls "$OUT" | wc -l) files in $OUT" >&2
