#!/usr/bin/env bash
# The cache key of the credlint binary: a hash of what it is built from in the action's own
# checkout (GITHUB_ACTION_PATH), so each commit of the action gets its own build and a moving
# tag such as v1 never serves a stale binary. Written to GITHUB_OUTPUT as `key`.
set -euo pipefail
root="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
cd "$root"
sha256() {
    if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi
}
key="$(
    {
        printf 'ref %s\n' "${ACTION_REF:-}"
        # (Some of these may not exist: build.rs.)
        { find Cargo.toml Cargo.lock build.rs src rules schema -type f 2>/dev/null || true; } | LC_ALL=C sort |
            while IFS= read -r file; do
                printf '%s ' "$file"
                cksum <"$file"
            done
    } | sha256 | cut -c1-32
)"
echo "credlint action source: $root (key $key)"
echo "key=$key" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
