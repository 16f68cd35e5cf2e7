#!/usr/bin/env bash
# Builds credlint from the action's own checkout into CREDLINT_ROOT/bin (cached by action.yml).
set -euo pipefail
root="${CREDLINT_ROOT:?CREDLINT_ROOT is not set}"
if ! command -v cargo >/dev/null 2>&1; then
    echo "::error title=credlint::cargo is not installed on this runner; add a Rust toolchain step (for example dtolnay/rust-toolchain@stable) before the credlint action"
    exit 2
fi
cargo install --path "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}" --locked --root "$root"
"$root/bin/credlint" --version
