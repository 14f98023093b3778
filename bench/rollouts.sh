#!/usr/bin/env bash
# Benchmark for `mz-presync rollouts` (issue 5). Not a timed test: it prints
# wall times, it asserts nothing about them.
#
#   bench/rollouts.sh [WORKDIR]
#
# 1. Generates (once, kept in WORKDIR) a history with examples/synth.rs:
#    FILES manifests (default 2,000), COMMITS edit commits (default 10,000).
# 2. Times `rollouts` over the whole history and over a 10-commit range, and
#    `git log -p` over the same history (it reads every changed blob once:
#    the floor the design notes compare against).
# 3. Cross-checks every verdict against the generator's own expectation
#    (each edit line of a commit body ends in [rollout] or [no rollout]).
# 4. Times the naive approach on NAIVE_COMMITS commits (default 50):
#    `git checkout` into a scratch worktree + `mz-presync hash` on the tree,
#    per commit; reports both per-commit costs and their ratio.
#
# Environment: FILES, COMMITS, NAIVE_COMMITS, SEED; CARGO_TARGET_DIR is honoured.
set -euo pipefail

cd "$(dirname "$0")/.."
FILES=${FILES:-2000}
COMMITS=${COMMITS:-10000}
NAIVE_COMMITS=${NAIVE_COMMITS:-50}
SEED=${SEED:-1}
WORK=${1:-${TMPDIR:-/tmp}/mz-presync-bench-rollouts}
TARGET=${CARGO_TARGET_DIR:-target}

# BIN and SYNTH may name prebuilt binaries (bench/run.sh passes its own).
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet --bin mz-presync --example synth
fi
BIN=$(realpath "${BIN:-$PWD/$TARGET/release/mz-presync}")
SYNTH=$(realpath "${SYNTH:-$PWD/$TARGET/release/examples/synth}")

REPO=$WORK/history-$FILES-$COMMITS-$SEED
if [ ! -d "$REPO/.git" ]; then
    mkdir -p "$WORK"
    echo "generating $REPO ..." >&2
    "$SYNTH" history --out "$REPO" --files "$FILES" --commits "$COMMITS" --seed "$SEED" 2>/dev/null
fi

# measure NAME CMD... : runs CMD with stdout to $WORK/NAME.out; sets
# wall_NAME and cpu_NAME (user + system seconds). CPU time is reported next
# to wall time because a shared machine makes wall time noisy.
measure() {
    local name=$1
    shift
    /usr/bin/time -f "%e %U %S" -o "$WORK/$name.time" "$@" >"$WORK/$name.out"
    read -r wall user sys <"$WORK/$name.time"
    printf -v "wall_$name" '%s' "$wall"
    printf -v "cpu_$name" '%s' "$(python3 -c "print(round($user + $sys, 2))")"
}

# Warm the page cache so the first measurement is not a disk benchmark.
git -C "$REPO" log -p --format=%H >/dev/null

measure all "$BIN" rollouts --repo "$REPO" --format json --fail-on never HEAD
measure range "$BIN" rollouts --repo "$REPO" --format json --fail-on never HEAD~10..HEAD
measure log git -C "$REPO" log -p --format=%H
cp "$WORK/all.out" "$WORK/all.json"

total_commits=$(git -C "$REPO" rev-list --count HEAD)

# Cross-check against the generator's expectations.
git -C "$REPO" log --format='%H%x00%B%x01' >"$WORK/log.txt"
python3 - "$WORK/all.json" "$WORK/log.txt" <<'EOF'
import json, re, sys
report = json.load(open(sys.argv[1]))
changes = {c["commit"]: c["changes"] for c in report["commits"]}
expected_rollouts = unexpected = missing = checked = 0
# "- bump environmentd of NS/NAME (path): …", "- set … on NS/NAME (path) …",
# "- migrate NS/NAME (path) to …"
edit = re.compile(r"(?: of | on |^- migrate )(\S+) \(")
for record in open(sys.argv[2]).read().split("\x01"):
    record = record.strip("\n")
    if not record:
        continue
    commit, body = record.split("\x00", 1)
    got = {}
    for c in changes.get(commit, []):
        ns = c["namespace"] or "default"
        got[f"{ns}/{c['name']}"] = c["rollout"]
    for line in body.splitlines():
        if not line.endswith("[rollout]") and not line.endswith("[no rollout]"):
            continue
        m = edit.search(line)
        resource = m.group(1)
        want = line.endswith("[rollout]")
        checked += 1
        if want:
            expected_rollouts += 1
            if got.get(resource) is not True:
                missing += 1
                print(f"MISSING rollout {commit[:7]} {resource}: {line}", file=sys.stderr)
        elif got.get(resource) is True:
            unexpected += 1
            print(f"UNEXPECTED rollout {commit[:7]} {resource}: {line}", file=sys.stderr)
rollouts = sum(1 for cs in changes.values() for c in cs if c["rollout"])
print(f"cross-check: {checked} generator edit lines checked, {expected_rollouts} expected rollouts; "
      f"{missing} missing, {unexpected} unexpected; report: {len(changes)} commits with changes, {rollouts} rollouts")
sys.exit(1 if missing or unexpected else 0)
EOF

# The naive loop: check out each commit into a scratch worktree, hash the tree.
NAIVE=$WORK/naive-worktree
git -C "$REPO" worktree remove --force "$NAIVE" 2>/dev/null || rm -rf "$NAIVE"
git -C "$REPO" worktree prune
git -C "$REPO" worktree add --quiet --detach "$NAIVE" HEAD
mapfile -t naive_commits < <(git -C "$REPO" rev-list --max-count="$NAIVE_COMMITS" HEAD)
printf '%s\n' "${naive_commits[@]}" >"$WORK/naive-commits.txt"
# shellcheck disable=SC2016 # expanded by the inner shell
measure naive bash -c '
    while read -r commit; do
        git -C "$1" checkout --quiet --detach "$commit"
        "$2" hash --format json "$1" || true
    done <"$3"' naive "$NAIVE" "$BIN" "$WORK/naive-commits.txt"
git -C "$REPO" worktree remove --force "$NAIVE"

python3 - <<EOF
wall = dict(all=$wall_all, range=$wall_range, log=$wall_log, naive=$wall_naive)
cpu = dict(all=$cpu_all, range=$cpu_range, log=$cpu_log, naive=$cpu_naive)
commits, naive = $total_commits, ${#naive_commits[@]}
print(f"history: {commits} commits over $FILES files (synth seed $SEED); load average $(cut -d' ' -f1 /proc/loadavg)")
print(f"{'':34}{'wall':>9}{'cpu':>9}")
def row(label, key):
    print(f"{label:34}{wall[key]:8.2f}s{cpu[key]:8.2f}s")
row("rollouts, whole history", "all")
row("rollouts, HEAD~10..HEAD", "range")
row("git log -p (floor)", "log")
row(f"naive checkout + hash, {naive} commits", "naive")
for what, t in (("wall", wall), ("cpu", cpu)):
    per, naive_per = t["all"] / commits, t["naive"] / naive
    print(f"per commit ({what}): rollouts {per * 1e3:.2f} ms, naive {naive_per * 1e3:.0f} ms, "
          f"ratio {naive_per / per:.0f}x; naive for the whole history ~{naive_per * commits:.0f} s")
EOF
