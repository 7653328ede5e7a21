#!/usr/bin/env bash
# Regenerate docs/assets/pr-comment.md: the PR comment `mlgate check` renders for a real pull request on the
# churn example (examples/churn). It builds a throw-away git repository: `main` holds the example, whose
# results the main-branch run caches; the branch `deeper-forest` changes two models' parameters; the PR check
# then re-scores the cached baseline models on the PR's data, trains the candidates and renders the comment.
# Nothing is invented: timings differ from run to run (and machine to machine), quality metrics do not.
# Usage (from the repository root, mlgate installed): bash docs/assets/pr-comment.sh [OUTPUT]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
output=${1:-$root/docs/assets/pr-comment.md}
mlgate=${MLGATE:-mlgate}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

project=$work/project
mkdir "$project"
cp -r "$root/examples/churn/." "$project/"
printf '.mlgate/\n' >"$project/.gitignore"
cd "$project"
export GIT_AUTHOR_NAME=dev GIT_AUTHOR_EMAIL=dev@example.com GIT_COMMITTER_NAME=dev GIT_COMMITTER_EMAIL=dev@example.com
git init -q -b main
git add -A
git commit -q -m "churn project"
base=$(git rev-parse HEAD)
"$mlgate" check --cache --out "$work/main-run" >/dev/null 2>&1  # the main-branch run: fills .mlgate/cache for $base

git checkout -q -b deeper-forest
sed -i -e 's/{n_estimators: 60, max_depth: 6}/{n_estimators: 200, max_depth: 12}/' \
  -e 's/{C: 1.0, max_iter: 500}/{C: 0.05, max_iter: 500}/' mlgate.yaml
git commit -q -am "forest: more and deeper trees; logistic: stronger regularisation"
head=$(git rev-parse HEAD)

printf '{"pull_request": {"number": 42, "head": {"sha": "%s"}, "base": {"ref": "main", "sha": "%s"}}}\n' \
  "$head" "$base" >"$work/event.json"
status=0
GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH=$work/event.json \
  "$mlgate" check --out "$work/pr-run" --format markdown >"$output" || status=$?
echo "wrote $output (mlgate check exited $status)" >&2
