#!/usr/bin/env bash
# The scan step of the credlint GitHub Action (action.yml). It runs on its own too, given the
# environment GitHub provides, which is how tests/action.rs runs it.
#
# What is scanned, from GITHUB_EVENT_NAME and the event JSON at GITHUB_EVENT_PATH:
#   pull_request, pull_request_target   credlint git --range BASE..HEAD (base.sha..head.sha)
#   merge_group                          credlint git --range base_sha..head_sha
#   push                                 credlint git --range BEFORE..AFTER; when BEFORE is all
#                                        zeros (a new branch) or not in the clone (a force push),
#                                        the commits reachable from AFTER and from no other
#                                        remote-tracking branch (see new_commits below);
#                                        BEFORE == AFTER, or a deleted branch, scans nothing
#   anything else (workflow_dispatch,    credlint git: the full history, every ref
#   schedule, ...)
# INPUT_SCAN overrides: "auto" (the above), "full", or a range such as "origin/main..HEAD".
#
# Inputs (all through the environment, never through shell text):
#   INPUT_SCAN, INPUT_SARIF_PATH (default credlint.sarif), INPUT_FAIL_ON, INPUT_ARGS (extra
#   arguments, split on whitespace, no quoting or expansion), INPUT_WORKING_DIRECTORY,
#   CREDLINT (the binary; default: credlint on PATH).
# Outputs (GITHUB_OUTPUT): findings, sarif (absolute path), exit-code.
# Exit status: credlint's (0 clean, 1 findings at or above fail-on, 2 error); 2 also for a
# problem found here (a shallow clone, a bad input).
set -euo pipefail

CREDLINT="${CREDLINT:-credlint}"
zero_sha="0000000000000000000000000000000000000000"

# Step outputs; written once, whatever happens.
outputs_written=""
write_outputs() {
    local findings="$1" code="$2" sarif="$3"
    [[ -n "$outputs_written" ]] && return 0
    outputs_written=1
    if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
        {
            echo "findings=$findings"
            echo "sarif=$sarif"
            echo "exit-code=$code"
        } >>"$GITHUB_OUTPUT"
    fi
}

# A problem with the setup, not with secrets: an annotation, the outputs, exit 2.
fail() {
    local message="$*"
    # Escaped as workflow command data: an input cannot end the command or start another.
    message="${message//%/%25}"
    message="${message//$'\r'/%0D}"
    message="${message//$'\n'/%0A}"
    echo "::error title=credlint::$message"
    if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
        printf '## credlint\n\n**Not scanned:** %s\n' "$message" >>"$GITHUB_STEP_SUMMARY"
    fi
    write_outputs 0 2 ""
    finish 2
}

# Exits with the scan's status, or with 0 when the action asks (CREDLINT_ACTION_DEFER_EXIT):
# its last step fails the job then, after the SARIF upload.
finish() {
    if [[ -n "${CREDLINT_ACTION_DEFER_EXIT:-}" ]]; then
        exit 0
    fi
    exit "$1"
}

# One field of the event payload (a dotted path), empty when absent.
event_field() {
    local path="$1"
    [[ -n "${GITHUB_EVENT_PATH:-}" && -f "${GITHUB_EVENT_PATH}" ]] || return 0
    if command -v jq >/dev/null 2>&1; then
        jq -r ".${path} // empty" "$GITHUB_EVENT_PATH"
    elif command -v python3 >/dev/null 2>&1; then
        python3 - "$GITHUB_EVENT_PATH" "$path" <<'PY'
import json, sys
data = json.load(open(sys.argv[1], encoding="utf-8"))
for key in sys.argv[2].split("."):
    data = data.get(key) if isinstance(data, dict) else None
print("" if data is None else data)
PY
    else
        fail "reading the event needs jq or python3 on the runner"
    fi
}

is_sha() {
    [[ "$1" =~ ^[0-9a-f]{40}([0-9a-f]{24})?$ ]]
}

has_commit() {
    git rev-parse --verify --quiet "$1^{commit}" >/dev/null 2>&1
}

is_shallow() {
    [[ "$(git rev-parse --is-shallow-repository 2>/dev/null)" == "true" ]]
}

shallow_error() {
    fail "$1 The checkout is shallow: set 'fetch-depth: 0' on actions/checkout (with: fetch-depth: 0) so that credlint sees the history it has to scan."
}

# In a shallow checkout, a range whose commits reach the shallow boundary would be scanned
# wrongly: the cut-off commit looks as if it added every file it has. Stops with a message then.
check_range_history() {
    local range="$1" what="$2" shallow_file
    is_shallow || return 0
    shallow_file="$(git rev-parse --git-path shallow)"
    [[ -s "$shallow_file" ]] || return 0
    if grep -qxFf "$shallow_file" < <(git rev-list "$range" 2>/dev/null); then
        shallow_error "The history of $what is cut off by the shallow checkout."
    fi
}

# The commits a new branch brings: reachable from $1 and from no other remote-tracking branch.
# `credlint git --range` takes one BASE, so this picks, among the boundary commits of that set,
# the one that leaves the fewest commits in BASE..AFTER. Any boundary commit is reachable from
# another branch, so BASE..AFTER contains every new commit (and at worst a few more): nothing
# new is missed. Sets scan_mode/scan_range/scan_what.
new_commits() {
    local after="$1" branch="${GITHUB_REF#refs/heads/}" ref
    local -a hide=()
    while IFS= read -r ref; do
        case "$ref" in
            refs/remotes/*/HEAD) continue ;;
        esac
        if [[ -n "$branch" && "$ref" == refs/remotes/*/"$branch" ]]; then
            continue
        fi
        hide+=("$ref")
    done < <(git for-each-ref --format='%(refname)' refs/remotes)
    local -a boundary=()
    local count=0 line
    # (No mapfile: macOS runners may have bash 3.2.)
    while IFS= read -r line; do
        if [[ "$line" == -* ]]; then
            boundary+=("${line#-}")
        elif [[ -n "$line" ]]; then
            count=$((count + 1))
        fi
    done < <(git rev-list --boundary "$after" --not ${hide[@]+"${hide[@]}"})
    if ((count == 0)); then
        scan_mode=range
        scan_range="$after..$after"
        scan_what="nothing: the new branch adds no commit that another branch does not have"
    elif ((${#boundary[@]} == 0)); then
        # No shared history with any other branch (the first push to a repository).
        scan_mode=branch
        scan_range="$after"
        scan_what="the full history of $after (the new branch shares no commit with another branch)"
    else
        local best="" best_count="" b n
        for b in "${boundary[@]}"; do
            n="$(git rev-list --count "$b..$after")"
            if [[ -z "$best" ]] || ((n < best_count)); then
                best="$b"
                best_count="$n"
            fi
        done
        scan_mode=range
        scan_range="$best..$after"
        scan_what="the $count commit(s) of the new branch ($best..$after)"
    fi
}

cd "${GITHUB_WORKSPACE:-.}"
cd "${INPUT_WORKING_DIRECTORY:-.}" || fail "working-directory ${INPUT_WORKING_DIRECTORY:-} does not exist"

sarif="${INPUT_SARIF_PATH:-credlint.sarif}"
[[ "$sarif" == *$'\n'* || "$sarif" == *$'\r'* ]] && fail "sarif-path must be one line"
[[ -n "$sarif" ]] || sarif="credlint.sarif"
mkdir -p "$(dirname "$sarif")"
sarif="$(cd "$(dirname "$sarif")" && pwd)/$(basename "$sarif")"

git rev-parse --git-dir >/dev/null 2>&1 ||
    fail "$(pwd) is not a git repository: check out the code first (actions/checkout with fetch-depth: 0)"

scan="${INPUT_SCAN:-auto}"
scan_mode=""  # full | range | branch
scan_range=""
scan_what=""
# The commit whose .credlint.toml (and baseline) applies: the base of what is scanned.
config_ref=""
event="${GITHUB_EVENT_NAME:-}"

if [[ "$scan" == "auto" ]]; then
    case "$event" in
        pull_request | pull_request_target | merge_group)
            if [[ "$event" == merge_group ]]; then
                base="$(event_field merge_group.base_sha)"
                head="$(event_field merge_group.head_sha)"
            else
                base="$(event_field pull_request.base.sha)"
                head="$(event_field pull_request.head.sha)"
            fi
            is_sha "$base" && is_sha "$head" ||
                fail "the $event event has no base and head commits (GITHUB_EVENT_PATH=${GITHUB_EVENT_PATH:-unset})"
            for commit in "$base" "$head"; do
                if ! has_commit "$commit"; then
                    if is_shallow; then
                        shallow_error "Commit $commit of the pull request is not in the checkout."
                    fi
                    fail "commit $commit of the pull request is not in the checkout; fetch it (actions/checkout with fetch-depth: 0)"
                fi
            done
            scan_mode=range
            scan_range="$base..$head"
            config_ref="$base"
            scan_what="the commits of the pull request ($scan_range)"
            check_range_history "$scan_range" "the pull request"
            ;;
        push)
            before="$(event_field before)"
            after="$(event_field after)"
            is_sha "$after" || fail "the push event has no 'after' commit (GITHUB_EVENT_PATH=${GITHUB_EVENT_PATH:-unset})"
            if [[ "$after" == "$zero_sha" ]]; then
                # A deleted branch: nothing was added.
                scan_mode=range
                scan_range="HEAD..HEAD"
                scan_what="nothing: the push deleted a branch"
            elif [[ "$before" == "$after" ]]; then
                scan_mode=range
                scan_range="$after..$after"
                scan_what="nothing: before and after are the same commit"
            else
                has_commit "$after" || {
                    is_shallow && shallow_error "The pushed commit $after is not in the checkout."
                    fail "the pushed commit $after is not in the checkout"
                }
                if [[ "$before" != "$zero_sha" ]] && is_sha "$before" && has_commit "$before"; then
                    scan_mode=range
                    scan_range="$before..$after"
                    config_ref="$before"
                    scan_what="the pushed commits ($scan_range)"
                    check_range_history "$scan_range" "the push"
                else
                    # A new branch, or a force push whose old tip is gone: which commits are new
                    # needs the whole history.
                    if is_shallow; then
                        if [[ "$before" == "$zero_sha" ]]; then
                            shallow_error "A new branch was pushed and finding its new commits needs the history."
                        fi
                        shallow_error "The commit before the push ($before) is not in the checkout."
                    fi
                    new_commits "$after"
                    if [[ "$before" != "$zero_sha" ]]; then
                        scan_what="$scan_what; the commit before the push ($before) is gone (a force push)"
                    fi
                fi
            fi
            ;;
        *)
            scan_mode=full
            scan_what="the full history (every ref)"
            ;;
    esac
elif [[ "$scan" == "full" ]]; then
    scan_mode=full
    scan_what="the full history (every ref), as the scan input asks"
elif [[ "$scan" == *..* && "$scan" =~ ^[^[:space:]]+$ ]]; then
    left="${scan%%..*}"
    left="${left:-HEAD}"
    if ! has_commit "$left"; then
        is_shallow && shallow_error "The base of the range $scan is not in the checkout."
    fi
    scan_mode=range
    scan_range="$scan"
    scan_what="$scan, as the scan input asks"
    check_range_history "$scan_range" "$scan"
else
    fail "the scan input must be auto, full or a range BASE..HEAD, not '$scan'"
fi

if [[ "$scan_mode" == full ]] && is_shallow; then
    shallow_error "A full-history scan of a shallow checkout would see only its last commits."
fi

args=(git)
case "$scan_mode" in
    range) args+=(--range "$scan_range") ;;
    branch) args+=(--branch "$scan_range") ;;
esac
if [[ -n "$config_ref" && "${INPUT_CONFIG_FROM_BASE:-true}" != "false" ]]; then
    args+=(--config-from-ref "$config_ref")
    scan_what="$scan_what, with the configuration of $config_ref"
fi
counts="$(mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/credlint-findings.XXXXXX")"
trap 'rm -f "$counts"' EXIT
args+=(--format github --report "sarif=$sarif" --report "jsonl=$counts")
if [[ -n "${INPUT_FAIL_ON:-}" ]]; then
    args+=(--fail-on "$INPUT_FAIL_ON")
fi
extra=()
if [[ -n "${INPUT_ARGS:-}" ]]; then
    # Whitespace-separated words; read does no globbing and no expansion.
    read -r -d '' -a extra <<<"$INPUT_ARGS" || true
fi

echo "credlint: scanning $scan_what"
set +e
"$CREDLINT" "${args[@]}" ${extra[@]+"${extra[@]}"}
code=$?
set -e

findings=0
if [[ -s "$counts" ]]; then
    findings="$(grep -c '^{"type":"finding"' "$counts" || true)"
fi
[[ -f "$sarif" ]] || sarif=""
if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
    printf '\nScanned %s (`%s` event).\n' "$scan_what" "${event:-no}" >>"$GITHUB_STEP_SUMMARY"
fi
write_outputs "$findings" "$code" "$sarif"
case "$code" in
    0) echo "credlint: $findings finding(s), none at or above fail-on" ;;
    1) echo "credlint: $findings finding(s); failing because some are at or above fail-on" ;;
    *) echo "credlint: the scan did not complete (exit $code)" ;;
esac
finish "$code"
