#!/usr/bin/env bash
# The last step of the action: fails it with the scan's exit code (1 findings at or above
# fail-on, 2 error). The scan step itself exits 0 so that the SARIF upload still runs.
set -euo pipefail
code="${EXIT_CODE:-}"
case "$code" in
    0) exit 0 ;;
    1) echo "credlint found secrets at or above fail-on; see the annotations and the job summary"; exit 1 ;;
    "") echo "::error title=credlint::the scan step wrote no exit code"; exit 2 ;;
    *) exit "$code" ;;
esac
