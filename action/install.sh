#!/usr/bin/env bash
# Puts credlint in CREDLINT_ROOT/bin (action.yml caches that directory). The release binary of
# the action's own version comes first: it is taken only when the release was built from the
# same source as the action's checkout, and only after its SHA-256 matches the release's
# SHA256SUMS. When there is no such release (no release of this version, an action used from a
# branch between releases, a platform without release binaries) it builds the action's
# checkout with cargo instead. A binary whose checksum does not match is an error, never
# replaced by a build without a word.
#
# Environment:
#   CREDLINT_ROOT        where bin/credlint goes
#   GITHUB_ACTION_PATH   the action's checkout
#   CREDLINT_VERSION, CREDLINT_SOURCE   version and source digest from version.sh
#   CREDLINT_RELEASES    where releases are downloaded from, as
#                        $CREDLINT_RELEASES/v$VERSION/$ASSET (default: the releases of the
#                        action's repository, ACTION_REPOSITORY, else Cargo.toml's repository)
#   RUNNER_OS, RUNNER_ARCH   the platform (default: uname)
set -euo pipefail
root="${CREDLINT_ROOT:?CREDLINT_ROOT is not set}"
action_path="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
version="${CREDLINT_VERSION:-}"
source_digest="${CREDLINT_SOURCE:-}"

build_from_source() {
    echo "credlint: building from the action's checkout ($*)"
    if ! command -v cargo >/dev/null 2>&1; then
        echo "::error title=credlint::there is no release binary to use ($*) and cargo is not installed on this runner; add a Rust toolchain step (for example dtolnay/rust-toolchain@stable) before the credlint action"
        exit 2
    fi
    cargo install --path "$action_path" --locked --root "$root"
    "$root/bin/credlint" --version
    exit 0
}

# The release target of this runner, as the release workflow names its archives.
release_target() {
    case "${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}" in
        Linux/X64 | Linux/x86_64) echo x86_64-unknown-linux-musl ;;
        Linux/ARM64 | Linux/aarch64 | Linux/arm64) echo aarch64-unknown-linux-musl ;;
        macOS/X64 | Darwin/x86_64) echo x86_64-apple-darwin ;;
        macOS/ARM64 | Darwin/arm64) echo aarch64-apple-darwin ;;
        Windows/X64) echo x86_64-pc-windows-msvc ;;
        *) return 1 ;;
    esac
}

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1
    fi
}

# Downloads $1 to $2; curl says why when it cannot. file:// is allowed for a copy of the
# releases on the runner's disk (and for the tests).
fetch() {
    curl --fail --silent --show-error --location --retry 3 --proto '=https,file' \
        --output "$2" "$1"
}

[[ -n "$version" && -n "$source_digest" ]] || build_from_source "the action's version is unknown"
target="$(release_target)" ||
    build_from_source "no release binary for ${RUNNER_OS:-$(uname -s)} ${RUNNER_ARCH:-$(uname -m)}"
command -v curl >/dev/null 2>&1 || build_from_source "curl is not installed"

releases="${CREDLINT_RELEASES:-}"
if [[ -z "$releases" ]]; then
    repository=""
    if [[ -n "${ACTION_REPOSITORY:-}" ]]; then
        repository="${GITHUB_SERVER_URL:-https://github.com}/$ACTION_REPOSITORY"
    else
        repository="$(sed -n 's/^repository *= *"\([^"]*\)".*/\1/p' "$action_path/Cargo.toml" | head -n 1)"
    fi
    [[ -n "$repository" ]] || build_from_source "the action's repository is unknown"
    releases="${repository%/}/releases/download"
fi
base="${releases%/}/v$version"
name="credlint-v$version-$target"
case "$target" in
    *windows*) archive="$name.zip" exe="credlint.exe" ;;
    *) archive="$name.tar.gz" exe="credlint" ;;
esac

work="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/credlint-release.XXXXXX")"
trap 'rm -rf "$work"' EXIT

fetch "$base/credlint-v$version-source-digest.txt" "$work/source-digest" ||
    build_from_source "no release v$version at $releases"
released_source="$(tr -d '[:space:]' <"$work/source-digest")"
if [[ "$released_source" != "$source_digest" ]]; then
    build_from_source "release v$version was built from other sources than this checkout of the action (source $released_source, here $source_digest): the action is used from a commit that is not the release"
fi
fetch "$base/SHA256SUMS" "$work/SHA256SUMS" ||
    build_from_source "release v$version has no SHA256SUMS"
expected="$(awk -v n="$archive" '$2 == n || $2 == "*" n { print $1; exit }' "$work/SHA256SUMS")"
[[ -n "$expected" ]] || build_from_source "release v$version has no $archive"
fetch "$base/$archive" "$work/$archive" ||
    build_from_source "release v$version: $archive could not be downloaded"
actual="$(sha256_of "$work/$archive")"
if [[ "$actual" != "$expected" ]]; then
    echo "::error title=credlint::$archive of release v$version does not match its SHA-256 in SHA256SUMS (expected $expected, got $actual); not using it"
    exit 2
fi
echo "credlint: $archive matches SHA256SUMS ($actual)"

mkdir -p "$work/unpacked"
case "$archive" in
    *.zip) unzip -q "$work/$archive" -d "$work/unpacked" ;;
    *) tar -xzf "$work/$archive" -C "$work/unpacked" ;;
esac
binary="$work/unpacked/$name/$exe"
if [[ ! -f "$binary" ]]; then
    echo "::error title=credlint::$archive of release v$version has no $name/$exe"
    exit 2
fi
mkdir -p "$root/bin"
cp "$binary" "$root/bin/$exe"
chmod +x "$root/bin/$exe"
reported="$("$root/bin/$exe" --version)"
if [[ "$reported" != "credlint $version" ]]; then
    rm -f "$root/bin/$exe"
    echo "::error title=credlint::the binary of release v$version reports '$reported'"
    exit 2
fi
echo "credlint: installed release v$version ($target)"
