#!/usr/bin/env bash
# The logic of the mz-presync GitHub Action (action.yml). Each step of the
# composite action runs one phase:
#
#   setup     check the inputs, resolve BASE and HEAD, pick how to install
#   install   download the pinned release, or build the source, or use PATH
#   validate  annotations, JSON for the error count, markdown for the
#             summary, optional SARIF
#   migrate   `migrate --check`, and the diff that `migrate` would make
#   rollouts  annotations and the error verdict, JSON for the outputs,
#             markdown for the summary (scoped to `paths`)
#   report    outputs projected from the JSON; the job summary, which is
#             the binary's markdown plus the migrate line
#   gate      fail the step as `fail-on` asks
#
# Every verdict (what rolls out, what restarts, what is an error) is the
# binary's; this script only carries the binary's answers to the runner.
#
# Inputs arrive as MZ_PRESYNC_* environment variables, never spliced into
# code. Phases hand results to later ones through files in the state
# directory that `setup` creates. tests/action_sh.rs runs every phase the way
# action.yml does, under a simulated runner.
set -euo pipefail
# Paths and refs are data: never let the shell expand them.
set -f

# On stderr, so that it reaches the log even from inside $(...); the runner
# reads workflow commands from both streams.
die() {
  printf '::error title=mz-presync::%s\n' "$(escape_data "$*")" >&2
  exit 2
}

# GitHub's escaping for the message of a workflow command.
escape_data() {
  local s=$1
  s=${s//'%'/'%25'}
  s=${s//$'\r'/'%0D'}
  s=${s//$'\n'/'%0A'}
  printf '%s' "$s"
}

# GitHub's escaping for a property (file=, title=) of a workflow command.
escape_property() {
  local s
  s=$(escape_data "$1")
  s=${s//':'/'%3A'}
  s=${s//','/'%2C'}
  printf '%s' "$s"
}

random_token() {
  od -An -N16 -tx1 /dev/urandom | tr -d ' \n'
}

# Multi-line safe: `name<<DELIMITER`, with a delimiter nobody can predict, so
# that a value cannot end the block early and set other outputs.
set_output() {
  local name=$1 value=$2 delimiter
  delimiter="ghadelimiter_$(random_token)"
  if [[ $value == *"$delimiter"* ]]; then
    die "output $name contains its own delimiter; refusing to write it"
  fi
  if [[ -z ${GITHUB_OUTPUT:-} ]]; then
    printf '%s=%s\n' "$name" "$value"
    return
  fi
  printf '%s<<%s\n%s\n%s\n' "$name" "$delimiter" "$value" "$delimiter" >>"$GITHUB_OUTPUT"
}

# Text that comes from the repository under review (file names, manifest
# content in diffs and messages) must not be able to issue workflow commands.
print_untrusted() {
  local file=$1 token
  [[ -s $file ]] || return 0
  token=$(random_token)
  printf '::stop-commands::%s\n' "$token"
  cat "$file"
  [[ -z $(tail -c 1 "$file") ]] || printf '\n'
  printf '::%s::\n' "$token"
}

require() {
  command -v "$1" >/dev/null 2>&1 || die "$2"
}

check_choice() {
  local input=$1 value=$2 choice
  shift 2
  for choice in "$@"; do
    [[ $value == "$choice" ]] && return 0
  done
  die "input $input is '$value'; it must be one of: $*."
}

enter_workspace() {
  cd "${GITHUB_WORKSPACE:-$PWD}"
}

state_dir() {
  local dir=${MZ_PRESYNC_STATE:-}
  [[ -n $dir && -d $dir ]] || die "the state directory '$dir' is missing: the setup step of the action did not run."
  printf '%s' "$dir"
}

binary() {
  local bin=${MZ_PRESYNC_BIN:-}
  [[ -n $bin && -x $bin ]] || die "no mz-presync binary at '$bin': the install step of the action did not run."
  printf '%s' "$bin"
}

# Fills the array `paths` from MZ_PRESYNC_PATHS (whitespace-separated).
read_paths() {
  paths=()
  local path
  for path in ${MZ_PRESYNC_PATHS:-}; do
    if [[ $path == -* ]]; then
      die "input paths has '$path', which would be read as an option; write it as ./$path."
    fi
    paths+=("$path")
  done
  if ((${#paths[@]} == 0)); then
    paths=(.)
  fi
}

# The command a user runs to fix unmigrated manifests, quoted for a shell.
migrate_command() {
  local command="mz-presync migrate" path
  for path in "${paths[@]}"; do
    command+=" $(printf '%q' "$path")"
  done
  printf '%s' "$command"
}

# Runs the binary; stdout to $1 (or to the log when $1 is "-"), stderr to $2.
# Sets `status` instead of failing the script.
run_binary() {
  local out=$1 err=$2
  shift 2
  status=0
  if [[ $out == - ]]; then
    "$bin" --color never "$@" 2>"$err" || status=$?
  else
    "$bin" --color never "$@" >"$out" 2>"$err" || status=$?
  fi
}

# Exit 2 is mz-presync's "could not run" (usage, I/O): nothing to report on.
fail_unless_ran() {
  local what=$1 err=$2
  if ((status >= 2)); then
    print_untrusted "$err"
    die "mz-presync $what could not run (exit $status); its message is above."
  fi
}

commit_of() {
  git rev-parse --verify --quiet --end-of-options "$1^{commit}"
}

# Reads one string member of the event payload, by dotted path.
event_value() {
  local path=$1
  [[ -n ${GITHUB_EVENT_PATH:-} && -f $GITHUB_EVENT_PATH ]] || return 0
  python3 - "$GITHUB_EVENT_PATH" "$path" <<'PY'
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as handle:
        value = json.load(handle)
except (OSError, ValueError):
    sys.exit(0)
for key in sys.argv[2].split("."):
    value = value.get(key) if isinstance(value, dict) else None
if isinstance(value, str):
    print(value)
PY
}

# Prints "SHA<TAB>where it came from", or nothing when HEAD has no parent.
resolve_base() {
  local head_sha=$1 candidate="" origin="" before
  before=$(event_value before)
  # A push that creates a branch has an all-zero `before`.
  [[ $before == *[!0]* ]] || before=""
  local pr_head
  pr_head=$(event_value pull_request.head.sha)
  if [[ -n ${MZ_PRESYNC_BASE:-} ]]; then
    candidate=$MZ_PRESYNC_BASE origin="input base"
  elif [[ -n $pr_head ]] && [[ $(commit_of "$head_sha^2" 2>/dev/null) == "$pr_head" ]]; then
    # actions/checkout's default on pull_request: the merge of the pull
    # request into its base as it is now. Its first parent is that base.
    candidate="$head_sha^1" origin="the merge commit's first parent"
  elif candidate=$(event_value pull_request.base.sha) && [[ -n $candidate ]]; then
    origin="the pull request's base"
  elif candidate=$(event_value merge_group.base_sha) && [[ -n $candidate ]]; then
    origin="the merge group's base"
  elif [[ -n ${GITHUB_BASE_REF:-} ]] && commit_of "origin/$GITHUB_BASE_REF" >/dev/null; then
    candidate="origin/$GITHUB_BASE_REF" origin="GITHUB_BASE_REF"
  elif [[ -n $before ]]; then
    candidate=$before origin="the commit before the push"
  elif commit_of "$head_sha~1" >/dev/null; then
    candidate="$head_sha~1" origin="HEAD~1"
  else
    return 0
  fi
  local sha
  if ! sha=$(commit_of "$candidate"); then
    local hint="Check out with actions/checkout and fetch-depth: 0, so that the base commit is in the clone."
    if [[ $(git rev-parse --is-shallow-repository) == true ]]; then
      hint="This clone is shallow. $hint"
    fi
    die "the base revision '$candidate' (from $origin) is not a commit in this clone. $hint"
  fi
  printf '%s\t%s\n' "$sha" "$origin"
}

# Hash of everything that can go into a build of the action's source.
source_digest() {
  python3 - "$1" <<'PY'
import hashlib, os, sys
root = sys.argv[1]
digest = hashlib.sha256()
for directory, subdirectories, files in os.walk(root):
    subdirectories[:] = sorted(d for d in subdirectories if d not in ("target", ".git"))
    for name in sorted(files):
        path = os.path.join(directory, name)
        try:
            with open(path, "rb") as handle:
                content = handle.read()
        except OSError:
            continue  # vanished (an editor's temporary file) or unreadable: not a build input
        digest.update(os.path.relpath(path, root).encode() + b"\0")
        digest.update(hashlib.sha256(content).digest())
print(digest.hexdigest())
PY
}

# The release this commit of the action installs by default, as the release
# workflow recorded it: its version, where its archives are, and the SHA-256
# of each archive. A checksum published next to the archives could be
# replaced together with them; one committed here cannot.
release_pins() {
  printf '%s' "${GITHUB_ACTION_PATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}/scripts/release.json"
}

# Prints one field of the pins ("version", "base-url", "repository", or
# "sha256:ARCHIVE"), empty when it is not there.
release_pin() {
  python3 - "$(release_pins)" "$1" <<'PY'
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as handle:
        pins = json.load(handle)
except (OSError, ValueError) as error:
    sys.exit(f"cannot read {sys.argv[1]}: {error}")
field = sys.argv[2]
if field.startswith("sha256:"):
    value = pins.get("sha256", {}).get(field[len("sha256:"):], "")
else:
    value = pins.get(field, "")
print(value if isinstance(value, str) else "")
PY
}

# How the binary is obtained: release, source or path. The default, `release`,
# builds from source while this commit of the action pins no release yet.
install_mode() {
  local version=${MZ_PRESYNC_VERSION:-release} pinned
  case $version in
    source | path)
      printf '%s' "$version"
      return
      ;;
  esac
  pinned=$(release_pin version) || die "the action's scripts/release.json is not readable JSON."
  if [[ $version == release ]]; then
    if [[ -z $pinned ]]; then
      echo "::notice title=mz-presync::This commit of the action pins no mz-presync release yet; building it from source." >&2
      printf 'source'
    else
      printf 'release'
    fi
    return
  fi
  if [[ $version =~ ^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]*)?$ ]]; then
    if [[ -n $pinned && ${version#v} == "$pinned" ]]; then
      printf 'release'
      return
    fi
    die "input version is '$version', but this commit of the action pins the checksums of ${pinned:-no release}. Use the action at the commit that pins $version, or version: source."
  fi
  check_choice version "$version" release source path
}

# The release target of the runner, from RUNNER_OS and RUNNER_ARCH.
release_target() {
  local os=${RUNNER_OS:-} arch=${RUNNER_ARCH:-}
  case "$os/$arch" in
    Linux/X64) printf 'x86_64-unknown-linux-gnu' ;;
    Linux/ARM64) printf 'aarch64-unknown-linux-gnu' ;;
    macOS/X64) printf 'x86_64-apple-darwin' ;;
    macOS/ARM64) printf 'aarch64-apple-darwin' ;;
    *) die "no mz-presync release is built for this runner (RUNNER_OS '$os', RUNNER_ARCH '$arch'); releases exist for Linux and macOS on X64 and ARM64. Use version: source to build it, or version: path." ;;
  esac
}

sha256_of() {
  python3 - "$1" <<'PY'
import hashlib, sys
digest = hashlib.sha256()
with open(sys.argv[1], "rb") as handle:
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
print(digest.hexdigest())
PY
}

# Downloads the pinned release archive for this runner, checks it against the
# committed checksum and unpacks it; prints the path of the binary. It runs
# inside $(...), where `set -e` does not reach: every step that can fail says
# `|| exit` (or dies).
install_release() {
  local version target archive expected base repository
  version=$(release_pin version) || exit
  target=$(release_target) || exit
  archive="mz-presync-$version-$target.tar.gz"
  expected=$(release_pin "sha256:$archive") || exit
  [[ $expected =~ ^[0-9a-f]{64}$ ]] ||
    die "the action's scripts/release.json has no SHA-256 for $archive, so it cannot be verified. Use version: source."
  repository=$(release_pin repository) || exit
  base=$(release_pin base-url) || exit
  # Only for tests: a server on the loopback interface stands in for the
  # release host. The committed checksum is checked all the same.
  local protocols='=https'
  if [[ -n ${MZ_PRESYNC_RELEASE_BASE_URL:-} ]]; then
    base=$MZ_PRESYNC_RELEASE_BASE_URL
    protocols='=http,https'
  fi
  [[ -n $base ]] || die "the action's scripts/release.json has no base-url for release $version."

  local dir
  dir=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/mz-presync-release.XXXXXX") || exit
  echo "Downloading $base/$archive" >&2
  curl --fail --silent --show-error --location --proto "$protocols" --proto-redir "$protocols" \
    --retry 3 --connect-timeout 20 --max-time 300 --output "$dir/$archive" "$base/$archive" >&2 ||
    die "could not download $base/$archive. Retry the job, or use version: source."
  local actual
  actual=$(sha256_of "$dir/$archive") || exit
  if [[ $actual != "$expected" ]]; then
    die "checksum mismatch for $archive: its SHA-256 is $actual, but this action pins $expected (scripts/release.json). The download is not the release this action was committed with; nothing was installed."
  fi
  echo "SHA-256 of $archive matches the action's pin: $actual" >&2

  if [[ ${MZ_PRESYNC_VERIFY_ATTESTATION:-false} == true ]]; then
    require gh "verify-attestation is true, but gh (the GitHub CLI) is not on PATH."
    [[ -n $repository ]] || die "the action's scripts/release.json names no repository to verify the attestation against."
    echo "::group::gh attestation verify $archive --repo $repository" >&2
    gh attestation verify "$dir/$archive" --repo "$repository" >&2 ||
      die "gh attestation verify found no valid build provenance for $archive from $repository."
    echo "::endgroup::" >&2
  fi

  tar -xzf "$dir/$archive" -C "$dir" >&2 || die "could not unpack $archive."
  local bin="$dir/mz-presync-$version-$target/mz-presync"
  [[ -x $bin ]] || die "$archive has no mz-presync-$version-$target/mz-presync."
  printf '%s' "$bin"
}

phase_setup() {
  check_choice fail-on "${MZ_PRESYNC_FAIL_ON:-error}" error rollout restart never
  if [[ -n ${MZ_PRESYNC_ALGORITHM:-} ]]; then
    check_choice algorithm "$MZ_PRESYNC_ALGORITHM" v1alpha2 v1
  fi
  if [[ -n ${MZ_PRESYNC_OPERATOR:-} ]]; then
    check_choice operator "$MZ_PRESYNC_OPERATOR" design released
  fi
  check_choice verify-attestation "${MZ_PRESYNC_VERIFY_ATTESTATION:-false}" true false
  check_choice render "${MZ_PRESYNC_RENDER:-false}" true false
  local mode
  mode=$(install_mode)
  require git "git is not on PATH; mz-presync reads the repository's history with it."
  require python3 "python3 is not on PATH; the action reads JSON with it."
  enter_workspace
  git rev-parse --git-dir >/dev/null 2>&1 ||
    die "$PWD is not a git repository: run actions/checkout (with fetch-depth: 0) before mz-presync."

  local head=${MZ_PRESYNC_HEAD:-HEAD} head_sha base_line base_sha="" base_origin=""
  head_sha=$(commit_of "$head") || die "the head revision '$head' is not a commit in this clone."
  base_line=$(resolve_base "$head_sha")
  if [[ -n $base_line ]]; then
    base_sha=${base_line%%$'\t'*}
    base_origin=${base_line#*$'\t'}
    echo "Rollouts: ${base_sha:0:12}..${head_sha:0:12} (base from $base_origin)"
  else
    echo "Rollouts: the whole history of ${head_sha:0:12} (it has no parent)"
  fi

  local temp=${RUNNER_TEMP:-${TMPDIR:-/tmp}} state
  state=$(mktemp -d "$temp/mz-presync.XXXXXX")
  printf '%s\n' "$head_sha" >"$state/head"
  printf '%s\n' "$base_sha" >"$state/base"

  local key="" root=""
  if [[ $mode == source && -z ${MZ_PRESYNC_BIN:-} ]]; then
    local action_path=${GITHUB_ACTION_PATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)} digest
    digest=$(source_digest "$action_path")
    key="mz-presync-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-$digest"
    root="${RUNNER_TOOL_CACHE:-$HOME/.cache}/mz-presync/${digest:0:16}"
  fi

  set_output state-dir "$state"
  set_output base "$base_sha"
  set_output head "$head_sha"
  set_output cache-key "$key"
  set_output install-root "$root"
  set_output install-mode "$mode"
}

# `rustc --version` at least the crate's rust-version?
toolchain_is_recent_enough() {
  local wanted=$1 have
  have=$(rustc --version 2>/dev/null | awk '{print $2}') || return 1
  [[ -n $have ]] || return 1
  [[ $(printf '%s\n%s\n' "$wanted" "${have%%-*}" | sort -V | head -n1) == "$wanted" ]]
}

phase_install() {
  local bin
  if [[ -n ${MZ_PRESYNC_BIN:-} ]]; then
    bin=$MZ_PRESYNC_BIN
    [[ -x $bin ]] || die "MZ_PRESYNC_BIN is '$bin', which is not an executable file."
  elif [[ ${MZ_PRESYNC_INSTALL_MODE:-} == path ]]; then
    bin=$(command -v mz-presync) ||
      die "version is 'path' but mz-presync is not on PATH. Install it in an earlier step, or use version: source."
  elif [[ ${MZ_PRESYNC_INSTALL_MODE:-} == release ]]; then
    bin=$(install_release)
  elif [[ ${MZ_PRESYNC_INSTALL_MODE:-} != source ]]; then
    die "no install mode: the setup step of the action did not run."
  else
    local root=${MZ_PRESYNC_INSTALL_ROOT:-}
    local action_path=${GITHUB_ACTION_PATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
    [[ -n $root ]] || die "no install root: the setup step of the action did not run."
    bin=$root/bin/mz-presync
    if [[ -x $bin ]] && "$bin" --version >/dev/null 2>&1; then
      echo "Using the cached build in $root."
    else
      require cargo "version: source builds mz-presync with cargo, which is not on PATH. Set up Rust first (for example with rustup), or use version: path."
      local wanted
      wanted=$(sed -n 's/^rust-version *= *"\([^"]*\)".*/\1/p' "$action_path/Cargo.toml" | head -n1)
      if [[ -n $wanted ]] && ! toolchain_is_recent_enough "$wanted"; then
        require rustup "mz-presync needs Rust $wanted or later; the default toolchain is older and rustup is not on PATH."
        echo "::group::rustup toolchain install $wanted"
        rustup toolchain install "$wanted" --profile minimal --no-self-update
        echo "::endgroup::"
        export RUSTUP_TOOLCHAIN=$wanted
      fi
      echo "::group::cargo install --locked --path $action_path"
      cargo install --locked --path "$action_path" --root "$root"
      echo "::endgroup::"
    fi
  fi
  echo "$("$bin" --version) at $bin"
  set_output bin "$bin"
}

phase_validate() {
  local state bin paths status
  state=$(state_dir)
  bin=$(binary)
  enter_workspace
  read_paths
  # Empty: the operator model's algorithm (the binary's default).
  local algorithm=()
  [[ -z ${MZ_PRESYNC_ALGORITHM:-} ]] || algorithm=(--algorithm "$MZ_PRESYNC_ALGORITHM")

  # Annotations go straight to the log, where the runner picks them up.
  run_binary - "$state/validate.stderr" validate ${algorithm[@]+"${algorithm[@]}"} --format github -- "${paths[@]}"
  fail_unless_ran validate "$state/validate.stderr"
  print_untrusted "$state/validate.stderr"

  run_binary "$state/validate.json" "$state/validate.json.stderr" --quiet validate ${algorithm[@]+"${algorithm[@]}"} --format json -- "${paths[@]}"
  fail_unless_ran validate "$state/validate.json.stderr"
  # The first part of the job summary, as the binary writes it.
  run_binary "$state/validate.md" "$state/validate.md.stderr" --quiet validate ${algorithm[@]+"${algorithm[@]}"} --format markdown -- "${paths[@]}"
  fail_unless_ran "validate --format markdown" "$state/validate.md.stderr"

  if [[ -n ${MZ_PRESYNC_SARIF_FILE:-} ]]; then
    mkdir -p -- "$(dirname -- "$MZ_PRESYNC_SARIF_FILE")"
    run_binary "$MZ_PRESYNC_SARIF_FILE" "$state/validate.sarif.stderr" --quiet validate ${algorithm[@]+"${algorithm[@]}"} --format sarif -- "${paths[@]}"
    fail_unless_ran "validate --format sarif" "$state/validate.sarif.stderr"
    echo "SARIF written to $MZ_PRESYNC_SARIF_FILE."
  fi
}

phase_migrate() {
  local state bin paths status command
  state=$(state_dir)
  bin=$(binary)
  enter_workspace
  read_paths
  command=$(migrate_command)
  printf '%s\n' "$command" >"$state/migrate.command"

  run_binary "$state/migrate.stdout" "$state/migrate.stderr" migrate --check -- "${paths[@]}"
  fail_unless_ran "migrate --check" "$state/migrate.stderr"
  print_untrusted "$state/migrate.stderr"
  printf '%s\n' "$status" >"$state/migrate.exit"
  if ((status == 0)); then
    echo "Nothing to migrate: no materialize.cloud/v1alpha1 resource under ${paths[*]}."
    return 0
  fi

  run_binary "$state/migrate.diff" "$state/migrate.diff.stderr" migrate --diff -- "${paths[@]}"
  fail_unless_ran "migrate --diff" "$state/migrate.diff.stderr"

  # One annotation per file, on the first line the migration changes.
  local annotated=0 file="" line
  while IFS=$'\t' read -r file line; do
    printf '::error file=%s,line=%s,title=%s::%s\n' \
      "$(escape_property "$file")" "$line" "$(escape_property "not migrated")" \
      "$(escape_data "$file still uses materialize.cloud/v1alpha1. Run \`$command\` and commit the result.")"
    annotated=$((annotated + 1))
  done < <(first_changed_lines "$state/migrate.diff")
  if ((annotated == 0)); then
    printf '::error title=%s::%s\n' "$(escape_property "not migrated")" \
      "$(escape_data "mz-presync migrate --check found files to migrate or that cannot be migrated safely (see the log). Run \`$command\` and commit the result.")"
  fi
}

# From a unified diff: "FILE<TAB>first line the change touches" per file,
# counted in the old file (the one in the repository).
first_changed_lines() {
  python3 - "$1" <<'PY'
import re, sys
file, line_number, reported = None, None, set()
with open(sys.argv[1], encoding="utf-8", errors="replace") as handle:
    for line in handle:
        if line.startswith("--- "):
            name = line[4:].rstrip("\n").split("\t")[0]
            file = name[2:] if name.startswith(("a/", "b/")) else name
            line_number = None
        elif line.startswith("+++ "):
            continue
        elif match := re.match(r"@@ -(\d+)", line):
            line_number = int(match.group(1))
        elif line_number is not None and file and file not in reported and file != "/dev/null":
            if line.startswith(("-", "+")):
                reported.add(file)
                print(f"{file}\t{max(line_number, 1)}")
            elif line.startswith(" "):
                line_number += 1
PY
}

phase_rollouts() {
  local state bin status base head range paths
  state=$(state_dir)
  bin=$(binary)
  enter_workspace
  read_paths
  local options=()
  [[ -z ${MZ_PRESYNC_ALGORITHM:-} ]] || options+=(--algorithm "$MZ_PRESYNC_ALGORITHM")
  [[ ${MZ_PRESYNC_RENDER:-false} != true ]] || options+=(--render)
  base=$(<"$state/base")
  head=$(<"$state/head")
  if [[ -n $base ]]; then range="$base..$head"; else range=$head; fi
  printf '%s\n' "$range" >"$state/range"

  # `paths` is also the pathspec of the range: the same files validate read.
  # --fail-on error: exit 1 is the binary's verdict that a change of the
  # range has an error finding (also the two-version checks validate cannot
  # make, such as environment-id-changed); the gate reads it.
  run_binary - "$state/rollouts.stderr" rollouts "$range" ${options[@]+"${options[@]}"} --fail-on error --format github -- "${paths[@]}"
  fail_unless_ran rollouts "$state/rollouts.stderr"
  print_untrusted "$state/rollouts.stderr"
  printf '%s\n' "$status" >"$state/rollouts.exit"

  run_binary "$state/rollouts.json" "$state/rollouts.json.stderr" --quiet rollouts "$range" ${options[@]+"${options[@]}"} --fail-on never --format json -- "${paths[@]}"
  fail_unless_ran rollouts "$state/rollouts.json.stderr"
  run_binary "$state/rollouts.md" "$state/rollouts.md.stderr" --quiet rollouts "$range" ${options[@]+"${options[@]}"} --fail-on never --format markdown -- "${paths[@]}"
  fail_unless_ran rollouts "$state/rollouts.md.stderr"
}

# The outputs, projected from the binary's JSON without judging anything:
# rollout / restart come from each entry of `rollouts` `resources` (the net
# verdict of the range per deploy unit, namespace and name), `findings` from
# validate's summary. python3 rather than jq: the setup step already requires
# it (jq is not on every self-hosted runner), and it writes each value to its
# own file, so that names with newlines or commas stay intact.
project_outputs() {
  python3 -c '
import json, pathlib, sys
state = pathlib.Path(sys.argv[1])
resources = json.loads((state / "rollouts.json").read_text(encoding="utf-8"))["resources"]
if resources is None:  # a single revision reaching several shallow boundaries: no net to project
    sys.exit("rollouts has no net verdict for this range: the clone is shallow. Check out with actions/checkout and fetch-depth: 0.")
def qualified(r):  # the binary names each resource (UNIT:NAMESPACE/NAME)
    return r["resource"]
rollout = [qualified(r) for r in resources if r["rollout"]]
restart = [qualified(r) for r in resources if r["restart"] == "yes"]
hashes = {qualified(r): None if r["change"] == "deleted" else r["new_hash"] for r in resources}
errors = json.loads((state / "validate.json").read_text(encoding="utf-8"))["summary"]["errors"]
for name, value in {
    "rollout": json.dumps(bool(rollout)), "rollout-resources": ",".join(rollout),
    "restart": json.dumps(bool(restart)), "restart-resources": ",".join(restart),
    "hashes": json.dumps(hashes, sort_keys=True, separators=(",", ":")), "findings": str(errors),
}.items():
    (state / ("output." + name)).write_text(value, encoding="utf-8")
' "$1" || die "could not read the JSON reports of mz-presync (validate.json, rollouts.json in $1)."
}

# GitHub refuses a comment longer than 65,536 characters, and a job summary
# larger than 1 MiB.
COMMENT_LIMIT=65000
DIFF_LIMIT=200000

# The first $2 characters of $1 (bytes where the locale is not UTF-8, which
# is fewer characters), back to the end of a whole line, so that a cut
# never splits a character.
cut_lines() {
  local text=${1:0:$2}
  if ((${#1} > $2)); then
    text=${text%$'\n'*}
  fi
  printf '%s\n' "$text"
}

# For inline code in markdown: a backtick cannot be escaped there.
markdown_code() {
  local tick='`'
  printf '%s%s%s' "$tick" "${1//"$tick"/"'"}" "$tick"
}

escape_html() {
  local s=$1
  s=${s//'&'/'&amp;'}
  s=${s//'<'/'&lt;'}
  s=${s//'>'/'&gt;'}
  printf '%s' "$s"
}

phase_report() {
  local state
  state=$(state_dir)
  enter_workspace
  project_outputs "$state"

  # The summary is the binaries' markdown as they wrote it, in order:
  # validate, the migrate line, rollouts, and the diff migrating would make.
  local command migrate head rollouts diff_part="" summary comment
  command=$(<"$state/migrate.command")
  if [[ $(<"$state/migrate.exit") == 1 ]]; then
    migrate="❌ **migrate**: \`materialize.cloud/v1alpha1\` manifests are left: run $(markdown_code "$command") and commit the result."
  else
    migrate="✅ **migrate**: no \`materialize.cloud/v1alpha1\` manifest left."
  fi
  head="## mz-presync"$'\n\n'"$(<"$state/validate.md")"$'\n\n'"$migrate"$'\n'
  rollouts=$(<"$state/rollouts.md")$'\n'
  if [[ -s $state/migrate.diff ]]; then
    local diff fence='```'
    diff=$(<"$state/migrate.diff")
    if ((${#diff} > DIFF_LIMIT)); then
      diff="$(cut_lines "$diff" "$DIFF_LIMIT")"$'\n'"… (cut; run the command to see the rest)"
    fi
    while [[ $diff == *"$fence"* ]]; do fence+='`'; done
    diff_part=$'\n'"<details><summary>What <code>$(escape_html "$command")</code> changes</summary>"$'\n\n'"${fence}diff"$'\n'"$diff"$'\n'"$fence"$'\n\n'"</details>"$'\n'
  fi
  summary="$head"$'\n'"$rollouts$diff_part"
  comment=$summary
  if ((${#comment} > COMMENT_LIMIT)); then
    comment="$head"$'\n'"$rollouts"
  fi
  if ((${#comment} > COMMENT_LIMIT)); then
    local note=$'\n\n'"… The report is cut here to fit a comment; the job summary has all of it."$'\n'
    comment="$(cut_lines "$comment" $((COMMENT_LIMIT - ${#note})))$note"
  fi
  printf '%s' "$summary" >"$state/summary.md"
  printf '%s' "$comment" >"$state/comment.md"

  local name
  for name in rollout rollout-resources restart restart-resources hashes findings; do
    set_output "$name" "$(<"$state/output.$name")"
  done
  set_output markdown "$(<"$state/comment.md")"
  set_output summary-file "$state/summary.md"
  if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
    cat "$state/summary.md" >>"$GITHUB_STEP_SUMMARY"
  fi
  # Resource names come from the manifests under review.
  printf 'rollout=%s rollout-resources=%s restart=%s restart-resources=%s findings=%s\n' "$(<"$state/output.rollout")" \
    "$(<"$state/output.rollout-resources")" "$(<"$state/output.restart")" \
    "$(<"$state/output.restart-resources")" "$(<"$state/output.findings")" >"$state/report.log"
  print_untrusted "$state/report.log"
}

# Decides from the report's outputs, validate's error count, the rollouts
# step's error verdict and migrate's status; it judges nothing itself.
phase_gate() {
  local state fail_on=${MZ_PRESYNC_FAIL_ON:-error}
  state=$(state_dir)
  [[ -f $state/output.findings ]] || die "no verdict: the report step of the action did not run."
  local errors reasons=() resources
  errors=$(<"$state/output.findings")
  if [[ $fail_on != never ]]; then
    # The rollouts verdict also counts the single-object errors validate
    # reported already: it adds a reason only when validate found none.
    if ((errors > 0)); then
      reasons+=("$errors error finding(s): see the annotations and the job summary.")
    elif [[ $(<"$state/rollouts.exit") == 1 ]]; then
      reasons+=("the changes of $(<"$state/range") have error findings: see the annotations of the rollout report and the job summary.")
    fi
    if [[ $(<"$state/migrate.exit") == 1 ]]; then
      reasons+=("v1alpha1 manifests are left: run \`$(<"$state/migrate.command")\` and commit the result.")
    fi
  fi
  if [[ $fail_on == rollout && $(<"$state/output.rollout") == true ]]; then
    resources=$(<"$state/output.rollout-resources")
    reasons+=("merging rolls out ${resources//,/, } (fail-on: rollout).")
  fi
  if [[ $fail_on == restart && $(<"$state/output.restart") == true ]]; then
    resources=$(<"$state/output.restart-resources")
    reasons+=("merging restarts ${resources//,/, } (fail-on: restart).")
  fi
  local reason
  for reason in ${reasons[@]+"${reasons[@]}"}; do
    printf '::error title=mz-presync::%s\n' "$(escape_data "$reason")"
  done
  if ((${#reasons[@]} == 0)); then
    echo "mz-presync: nothing to fail on (fail-on: $fail_on)."
    return 0
  fi
  return 1
}

main() {
  local phase=${1:-}
  # Inputs arrive empty when not set. The binary reads these names as its
  # flags' values (--operator, --algorithm, rollouts --fail-on and
  # --render) and refuses an empty one; unset, --operator falls back to
  # .mz-presync.yaml.
  local name
  for name in MZ_PRESYNC_OPERATOR MZ_PRESYNC_ALGORITHM MZ_PRESYNC_FAIL_ON MZ_PRESYNC_RENDER; do
    [[ -n ${!name:-} ]] || unset "$name"
  done
  case $phase in
    setup) phase_setup ;;
    install) phase_install ;;
    validate) phase_validate ;;
    migrate) phase_migrate ;;
    rollouts) phase_rollouts ;;
    report) phase_report ;;
    gate) phase_gate ;;
    *)
      echo "usage: action.sh setup|install|validate|migrate|rollouts|report|gate" >&2
      exit 2
      ;;
  esac
}

main "$@"
