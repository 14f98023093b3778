#!/usr/bin/env bash
# Run every fuzz target for a bounded time (default 60 s each), seeded with
# the project's fixtures. Needs `cargo install cargo-fuzz --locked`; works on
# the stable toolchain through RUSTC_BOOTSTRAP.
#
#   bash fuzz/run.sh [SECONDS_PER_TARGET]
#
# New crash reproducers land in fuzz/artifacts/<target>/; copy them into
# fuzz/regressions/<target>/ so that tests/fuzz_regressions.rs replays them.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
export RUSTC_BOOTSTRAP=1
targets=(split_locate validate_bytes migrate_bytes hash_json)

for target in "${targets[@]}"; do
  corpus=corpus/$target
  mkdir -p "$corpus"
  case $target in
    hash_json)
      # One JSON object per golden vector input.
      python3 - "$corpus" <<'PY'
import json, sys, hashlib, pathlib
out = pathlib.Path(sys.argv[1])
for line in open("../fixtures/vectors/golden.jsonl"):
    data = json.dumps(json.loads(line)["input"]).encode()
    (out / hashlib.sha1(data).hexdigest()).write_bytes(data)
PY
      ;;
    *)
      find ../fixtures -name '*.yaml' -size -64k -print0 |
        while IFS= read -r -d '' f; do cp "$f" "$corpus/$(sha1sum "$f" | cut -c1-40)"; done
      ;;
  esac
  cargo fuzz build -O "$target" >/dev/null 2>&1
  echo "== $target: ${seconds}s"
  cargo fuzz run -O "$target" "$corpus" -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 2>&1 |
    grep -E '^#[0-9]+ +DONE|^Done|SUMMARY|panicked|ERROR' || true
done
