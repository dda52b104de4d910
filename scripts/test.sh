#!/usr/bin/env bash
# The README's second command (and CI's): install what is missing, type-check,
# then run every test against real servers the tests start themselves. The
# last line is mocha's own count: "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
echo "Type-checking (tsc --noEmit)"
npx tsc --noEmit -p .
exec npx mocha "$@"
