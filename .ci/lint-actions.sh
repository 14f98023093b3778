#!/usr/bin/env bash
# Static checks of the GitHub Action, the project's workflows, its example
# workflow, the pre-commit hooks, the sidecar image's Dockerfile and the shell
# scripts. No findings allowed; no network (zizmor runs offline, so its online
# audits such as impostor commits are skipped: the pinned SHAs are checked by
# hand, see docs/releasing.md).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "-- zizmor"
# The auditor persona reports everything the pedantic one does, and more.
zizmor --offline --persona auditor --no-progress --quiet \
  action.yml docs/examples/mz-presync.yml .pre-commit-hooks.yaml .github/workflows/

echo "-- actionlint"
# ci.yml runs the action with `uses: ./`, so actionlint checks its inputs
# against action.yml too.
actionlint docs/examples/mz-presync.yml .github/workflows/*.yml

echo "-- hadolint"
hadolint argocd/Dockerfile

echo "-- shellcheck"
shellcheck scripts/action.sh scripts/dist.sh scripts/wheel.sh .ci/tools.sh .ci/lint-actions.sh .ci/argocd-tools.sh .ci/run
