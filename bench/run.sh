#!/usr/bin/env bash
# Benchmarks for issue 8. Every figure is a ratio against a baseline measured
# in the same run on the same data, so that a loaded, shared 2-core machine
# skews both sides alike. Not part of .ci/run (it takes minutes).
#
#   bash bench/run.sh [WORKDIR]      # default: a fresh mktemp -d
#
# Writes a Markdown table on stdout; bench/RESULTS.md holds a recorded run.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d /tmp/mz-presync-bench.XXXXXX)}
runs=${RUNS:-5}

# BIN and SYNTH name prebuilt binaries (to compare two builds on the same
# data in one session); otherwise this checkout is built.
if [ -z "${BIN:-}" ]; then
  cargo build --release --locked --quiet --bin mz-presync --example synth
fi
bin=$(realpath "${BIN:-target/release/mz-presync}")
synth=$(realpath "${SYNTH:-target/release/examples/synth}")
export BIN=$bin SYNTH=$synth

# best-of-N wall time in seconds, and peak RSS in MB of the best run
measure() {
  local best="" best_rss=""
  for _ in $(seq "$runs"); do
    local t rss
    /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >/dev/null 2>&1 || true
    read -r t rss < <(tail -1 "$work/time.txt")
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; best_rss=$rss; fi
  done
  echo "$best $((best_rss / 1024))"
}

ratio() { awk "BEGIN{printf \"%.2f\", $1 / $2}"; }

echo "| benchmark | wall (best of $runs) | peak RSS | baseline | ratio |"
echo "|---|---|---|---|---|"

# validate: 35,000 files (~50,000 resources) against reading + parsing them.
if [ ! -d "$work/validate" ]; then
  "$synth" files --out "$work/validate" --files 35000 --seed 1 2>/dev/null
fi
read -r parse_t parse_m < <(measure "$bin" validate --parse-only --quiet "$work/validate")
read -r val_t val_m < <(measure "$bin" validate --quiet --format json "$work/validate")
echo "| validate 35,000 files | ${val_t} s | ${val_m} MB | parse-only ${parse_t} s | $(ratio "$val_t" "$parse_t")× |"

# migrate: 10,000 files, --check (reads, converts, verifies, writes nothing)
# and in place on a fresh copy each run.
if [ ! -d "$work/migrate" ]; then
  "$synth" files --out "$work/migrate" --files 10000 --seed 2 2>/dev/null
fi
read -r mcheck_t mcheck_m < <(measure "$bin" migrate --check --quiet "$work/migrate")
read -r mparse_t _ < <(measure "$bin" validate --parse-only --quiet "$work/migrate")
echo "| migrate --check 10,000 files | ${mcheck_t} s | ${mcheck_m} MB | parse-only ${mparse_t} s | $(ratio "$mcheck_t" "$mparse_t")× |"
rm -rf "$work/migrate-copy"; cp -r "$work/migrate" "$work/migrate-copy"
/usr/bin/time -f '%e %M' -o "$work/time.txt" "$bin" migrate --quiet "$work/migrate-copy" >/dev/null 2>&1 || true
out=$(tail -1 "$work/time.txt")
echo "| migrate in place 10,000 files (one run) | ${out% *} s | $(( ${out#* } / 1024 )) MB | parse-only ${mparse_t} s | $(ratio "${out% *}" "$mparse_t")× |"

# rollouts: see bench/rollouts.sh (history generation + naive loop baseline).
if [ -x bench/rollouts.sh ] || [ -f bench/rollouts.sh ]; then
  bash bench/rollouts.sh "$work" || echo "| rollouts | failed: see bench/rollouts.sh | | | |"
fi
echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ); data in $work"
