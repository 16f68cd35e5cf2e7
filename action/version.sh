#!/usr/bin/env bash
# Identifies the credlint the action runs, from its own checkout (GITHUB_ACTION_PATH). Writes to
# GITHUB_OUTPUT:
#   version  the crate's version in Cargo.toml: the release whose binary install.sh looks for
#   source   a digest of what the binary is built from (Cargo.toml, Cargo.lock, build.rs, src,
#            rules, schema). The release workflow publishes the same digest of the tagged
#            commit, so install.sh takes a release binary only when it was built from exactly
#            this source (an action used from a branch between releases builds instead).
#   key      the cache key: the source digest and the ref the action was used at, so each
#            commit gets its own binary and a moving tag such as v1 never serves a stale one.
# With --source it prints the source digest and nothing else (the release workflow's use).
set -euo pipefail
root="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
cd "$root"
sha256() {
    if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi
}
source_digest="$(
    # (Some of these may not exist: build.rs.)
    { find Cargo.toml Cargo.lock build.rs src rules schema -type f 2>/dev/null || true; } | LC_ALL=C sort |
        while IFS= read -r file; do
            printf '%s ' "$file"
            cksum <"$file"
        done | sha256 | cut -c1-32
)"
if [[ "${1:-}" == "--source" ]]; then
    echo "$source_digest"
    exit 0
fi
key="$(printf 'ref %s\nsource %s\n' "${ACTION_REF:-}" "$source_digest" | sha256 | cut -c1-32)"
# The first `version = "..."` is the package's: it comes before any dependency table.
version="$(sed -n 's/^version *= *"\([^"]*\)".*/\1/p' Cargo.toml | head -n 1)"
echo "credlint action source: $root (version ${version:-unknown}, source $source_digest, key $key)"
{
    echo "version=$version"
    echo "source=$source_digest"
    echo "key=$key"
} >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
