#!/usr/bin/env bash
# The logic of the mz-presync GitHub Action (action.yml). Each step of the
# composite action runs one phase:
#
#   setup     check the inputs, resolve BASE and HEAD, pick how to install
#   install   download the pinned release, or build the source, or use PATH
#   validate  annotations, JSON for the counts, optional SARIF
#   migrate   `migrate --check`, and the diff that `migrate` would make
#   rollouts  annotations, JSON for the outputs, markdown for the summary
#   report    outputs, job summary, the verdict
#   gate      fail the step as `fail-on` asks
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
  local state bin status base head range
  state=$(state_dir)
  bin=$(binary)
  enter_workspace
  local algorithm=()
  [[ -z ${MZ_PRESYNC_ALGORITHM:-} ]] || algorithm=(--algorithm "$MZ_PRESYNC_ALGORITHM")
  base=$(<"$state/base")
  head=$(<"$state/head")
  if [[ -n $base ]]; then range="$base..$head"; else range=$head; fi
  printf '%s\n' "$range" >"$state/range"
  # What merging does is the change along HEAD's first parents down to BASE.
  git rev-list --first-parent "$range" >"$state/first-parent"

  run_binary - "$state/rollouts.stderr" rollouts "$range" ${algorithm[@]+"${algorithm[@]}"} --fail-on never --format github
  fail_unless_ran rollouts "$state/rollouts.stderr"
  print_untrusted "$state/rollouts.stderr"

  run_binary "$state/rollouts.json" "$state/rollouts.json.stderr" --quiet rollouts "$range" ${algorithm[@]+"${algorithm[@]}"} --fail-on never --format json
  fail_unless_ran rollouts "$state/rollouts.json.stderr"
  run_binary "$state/rollouts.md" "$state/rollouts.md.stderr" --quiet rollouts "$range" ${algorithm[@]+"${algorithm[@]}"} --fail-on never --format markdown
  fail_unless_ran rollouts "$state/rollouts.md.stderr"
}

phase_report() {
  local state
  state=$(state_dir)
  enter_workspace
  local paths
  read_paths
  python3 - "$state" "${MZ_PRESYNC_FAIL_ON:-error}" "${paths[@]}" <<'PY'
import json, pathlib, sys

state = pathlib.Path(sys.argv[1])
fail_on = sys.argv[2]
paths = sys.argv[3:]

# GitHub refuses a comment longer than 65,536 characters, and a job summary
# larger than 1 MiB.
COMMENT_LIMIT = 65_000
DIFF_LIMIT = 200_000
LISTED_FINDINGS = 20


def read(name, default=""):
    path = state / name
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else default


def cell(text):
    text = str(text).replace("\r", " ").replace("\n", " ")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def code(text):
    text = cell(text).replace("`", "'")
    return f"`{text}`"


def resource_key(change):
    namespace, name = change.get("namespace"), change.get("name")
    return f"{namespace}/{name}" if namespace else str(name)


def normalized(path):
    path = str(path or "")
    while path.startswith("./"):
        path = path[2:]
    return path


validate = json.loads(read("validate.json"))
findings = validate.get("findings", [])
summary = validate.get("summary", {})
rollouts = json.loads(read("rollouts.json"))
migrate_needed = read("migrate.exit", "0").strip() == "1"
migrate_command = read("migrate.command").strip() or "mz-presync migrate ."
range_text = read("range").strip()
short_range = "..".join(part[:12] for part in range_text.split(".."))

# What merging does to each resource: its hash at BASE (before the first
# change in the range) against its hash at HEAD (after the last one),
# following HEAD's first parents so that the changes compose.
first_parent = set(read("first-parent").split())
on_first_parent = [c for c in rollouts.get("commits", []) if c.get("commit") in first_parent]
resources = {}
for commit in on_first_parent:
    for change in commit.get("changes", []):
        key = resource_key(change)
        entry = resources.setdefault(key, {
            "before": None if change.get("change") == "created" else change.get("old_hash"),
            "file": change.get("file"),
            "commits": [],
        })
        deleted = change.get("change") == "deleted"
        entry["after"] = None if deleted else change.get("new_hash")
        entry["deleted"] = deleted
        entry["file"] = change.get("file") or entry["file"]
        if change.get("rollout"):
            entry["commits"].append(commit.get("commit", "")[:12])
        if change.get("restart") == "yes":
            entry["restart"] = True
        for finding in change.get("findings", []):
            if finding.get("severity") == "error":
                entry.setdefault("errors", []).append((finding.get("rule"), normalized(change.get("file")), finding.get("message")))

rolled_out = sorted(key for key, entry in resources.items()
                    if not entry["deleted"] and entry["after"] and entry["after"] != entry["before"])
# Under the released operator a v1alpha1 object rolls out when its
# requestRollout changes, which no hash shows: the binary's verdicts decide.
if rollouts.get("operator") == "released":
    rolled_out = sorted(key for key, entry in resources.items()
                        if not entry["deleted"] and entry["commits"])
# Every resource with a change that restarts it for certain (restart yes:
# a rollout that changes per-generation inputs, a creation, a deletion).
restarted = sorted(key for key, entry in resources.items() if entry.get("restart"))
hashes = {key: (None if entry["deleted"] else entry["after"]) for key, entry in sorted(resources.items())}

# `rollouts` repeats the single-object checks of `validate` for the new
# version; count those once.
validated = {(f.get("rule"), normalized(f.get("file"))) for f in findings}
range_errors = []
for entry in resources.values():
    for error in entry.get("errors", []):
        if (error[0], error[1]) not in validated and error not in range_errors:
            range_errors.append(error)
error_count = int(summary.get("errors", 0)) + len(range_errors)

lines = ["## mz-presync", ""]
lines += ["| | check | result |", "|---|---|---|"]
where = " ".join(code(p) for p in paths)
files = summary.get("files", 0)
materialize = summary.get("resources", 0)
if summary.get("errors", 0):
    warnings = summary.get("warnings", 0)
    lines.append(f"| ❌ | validate {where} | {summary['errors']} error(s), {warnings} warning(s) in {files} file(s) |")
else:
    lines.append(f"| ✅ | validate {where} | no errors in {files} file(s), {materialize} Materialize resource(s) |")
if migrate_needed:
    lines.append(f"| ❌ | migrate | v1alpha1 manifests left: run {code(migrate_command)} and commit the result |")
else:
    lines.append("| ✅ | migrate | no v1alpha1 manifest left |")
if range_errors:
    lines.append(f"| ❌ | changes {code(short_range)} | {len(range_errors)} error(s) between the two revisions |")
if rolled_out:
    lines.append(f"| 🔄 | rollouts {code(short_range)} | merging rolls out {', '.join(code(k) for k in rolled_out)} |")
else:
    lines.append(f"| ✅ | rollouts {code(short_range)} | merging starts no rollout |")
if restarted:
    model = rollouts.get("operator", "design")
    lines.append(f"| 🔁 | restarts {code(short_range)} | the database restarts for {', '.join(code(k) for k in restarted)} (operator: {cell(model)}) |")
lines.append("")

listed = [f for f in findings if f.get("severity") in ("error", "warning")][:LISTED_FINDINGS]
if listed or range_errors:
    lines += ["### Findings", "", "| severity | where | rule | message |", "|---|---|---|---|"]
    for f in listed:
        location = f"{normalized(f.get('file'))}:{f.get('line')}:{f.get('column')}"
        lines.append(f"| {f.get('severity')} | {code(location)} | {code(f.get('rule'))} | {cell(f.get('message'))} |")
    for rule, file, message in range_errors:
        lines.append(f"| error | {code(file)} | {code(rule)} | {cell(message)} |")
    shown = len([f for f in findings if f.get("severity") in ("error", "warning")])
    if shown > len(listed):
        lines.append("")
        lines.append(f"{shown - len(listed)} more finding(s) are in the annotations and the log.")
    lines.append("")

head = "\n".join(lines) + "\n"
rollout_report = read("rollouts.md").rstrip("\n") + "\n"

diff_part = ""
if migrate_needed and read("migrate.diff"):
    diff = read("migrate.diff")
    if len(diff) > DIFF_LIMIT:
        diff = diff[:DIFF_LIMIT] + "\n… (cut; run the command to see the rest)\n"
    fence = "```"
    while fence in diff:
        fence += "`"
    diff_part = (f"\n<details><summary>What <code>{cell(migrate_command)}</code> changes</summary>\n\n"
                 f"{fence}diff\n{diff.rstrip(chr(10))}\n{fence}\n\n</details>\n")

full = head + "\n" + rollout_report + diff_part
comment = full
if len(comment) > COMMENT_LIMIT:
    comment = head + "\n" + rollout_report
if len(comment) > COMMENT_LIMIT:
    note = "\n\n… The report is cut here to fit a comment; the job summary has all of it.\n"
    comment = comment[:COMMENT_LIMIT - len(note)] + note

(state / "summary.md").write_text(full, encoding="utf-8")
(state / "comment.md").write_text(comment, encoding="utf-8")
outputs = {
    "rollout": "true" if rolled_out else "false",
    "rollout-resources": ",".join(rolled_out),
    "restart": "true" if restarted else "false",
    "restart-resources": ",".join(restarted),
    "hashes": json.dumps(hashes, sort_keys=True, separators=(",", ":")),
    "findings": str(error_count),
}
for name, value in outputs.items():
    (state / f"output.{name}").write_text(value, encoding="utf-8")
verdict = {
    "errors": error_count,
    "migrate": migrate_needed,
    "migrate_command": migrate_command,
    "rollout": rolled_out,
    "restart": restarted,
}
(state / "verdict.json").write_text(json.dumps(verdict), encoding="utf-8")
PY

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

phase_gate() {
  local state fail_on=${MZ_PRESYNC_FAIL_ON:-error}
  state=$(state_dir)
  [[ -f $state/verdict.json ]] || die "no verdict: the report step of the action did not run."
  python3 - "$state/verdict.json" "$fail_on" <<'PY'
import json, sys

verdict = json.load(open(sys.argv[1], encoding="utf-8"))
fail_on = sys.argv[2]


def escape(text):
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


reasons = []
if fail_on in ("error", "rollout", "restart"):
    if verdict["errors"]:
        reasons.append(f"{verdict['errors']} error finding(s): see the annotations and the job summary.")
    if verdict["migrate"]:
        reasons.append(f"v1alpha1 manifests are left: run `{verdict['migrate_command']}` and commit the result.")
if fail_on == "rollout" and verdict["rollout"]:
    reasons.append(f"merging rolls out {', '.join(verdict['rollout'])} (fail-on: rollout).")
if fail_on == "restart" and verdict.get("restart"):
    reasons.append(f"merging restarts {', '.join(verdict['restart'])} (fail-on: restart).")
for reason in reasons:
    print(f"::error title=mz-presync::{escape(reason)}")
if not reasons:
    print(f"mz-presync: nothing to fail on (fail-on: {fail_on}).")
sys.exit(1 if reasons else 0)
PY
}

main() {
  local phase=${1:-}
  # Inputs arrive empty when not set. The binary reads these names as its
  # flags' values (--operator, --algorithm, rollouts --fail-on) and refuses
  # an empty one; unset, --operator falls back to .mz-presync.yaml.
  local name
  for name in MZ_PRESYNC_OPERATOR MZ_PRESYNC_ALGORITHM MZ_PRESYNC_FAIL_ON; do
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
