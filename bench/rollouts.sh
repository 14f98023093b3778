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

cargo build --release --quiet --bin mz-presync --example synth
BIN=$PWD/$TARGET/release/mz-presync
SYNTH=$PWD/$TARGET/release/examples/synth

REPO=$WORK/history-$FILES-$COMMITS-$SEED
if [ ! -d "$REPO/.git" ]; then
    mkdir -p "$WORK"
    echo "generating $REPO ..." >&2
    "$SYNTH" history --out "$REPO" --files "$FILES" --commits "$COMMITS" --seed "$SEED" 2>/dev/null
fi

now() { date +%s.%N; }
seconds() { python3 -c "print(f'{$2 - $1:.3f}')"; }

# Warm the page cache so the first measurement is not a disk benchmark.
git -C "$REPO" log -p --format=%H >/dev/null

start=$(now)
"$BIN" rollouts --repo "$REPO" --format json --fail-on never HEAD >"$WORK/all.json"
end=$(now)
t_all=$(seconds "$start" "$end")

start=$(now)
"$BIN" rollouts --repo "$REPO" --format json --fail-on never HEAD~10..HEAD >"$WORK/range.json"
end=$(now)
t_range=$(seconds "$start" "$end")

start=$(now)
git -C "$REPO" log -p --format=%H >/dev/null
end=$(now)
t_log=$(seconds "$start" "$end")

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
start=$(now)
for commit in "${naive_commits[@]}"; do
    git -C "$NAIVE" checkout --quiet --detach "$commit"
    "$BIN" hash --format json "$NAIVE" >/dev/null || true
done
end=$(now)
t_naive=$(seconds "$start" "$end")
git -C "$REPO" worktree remove --force "$NAIVE"

python3 - <<EOF
t_all, t_range, t_log, t_naive = $t_all, $t_range, $t_log, $t_naive
commits, naive = $total_commits, ${#naive_commits[@]}
per_commit = t_all / commits
naive_per_commit = t_naive / naive
print(f"history: {commits} commits over $FILES files (synth seed $SEED)")
print(f"rollouts, whole history:   {t_all:8.3f} s  ({per_commit * 1e3:.3f} ms/commit)")
print(f"rollouts, HEAD~10..HEAD:   {t_range:8.3f} s")
print(f"git log -p (floor):        {t_log:8.3f} s")
print(f"naive checkout + hash:     {t_naive:8.3f} s for {naive} commits ({naive_per_commit * 1e3:.1f} ms/commit)")
print(f"naive / rollouts per commit: {naive_per_commit / per_commit:.0f}x")
print(f"naive extrapolated to the whole history: {naive_per_commit * commits:.0f} s")
EOF
