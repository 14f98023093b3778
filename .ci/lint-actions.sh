#!/usr/bin/env bash
# Static checks of the GitHub Action, its example workflow, the pre-commit
# hooks and their shell scripts. No findings allowed; no network (zizmor runs
# offline, so its online audits such as impostor commits are skipped).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "-- zizmor"
zizmor --offline --persona auditor --no-progress --quiet \
  action.yml docs/examples/mz-presync.yml .pre-commit-hooks.yaml

echo "-- actionlint"
actionlint docs/examples/mz-presync.yml

echo "-- shellcheck"
shellcheck scripts/action.sh .ci/tools.sh .ci/lint-actions.sh
