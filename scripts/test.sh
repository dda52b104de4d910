#!/usr/bin/env bash
# The README's second command (and CI's): install what is missing, type-check,
# then run every test against real servers the tests start themselves. The
# last line is mocha's own count: "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
echo "Type-checking (tsc --noEmit)"
npx tsc --noEmit -p .
# The browser code, with the DOM's types.
npx tsc --noEmit -p web
# With no arguments, every tier; otherwise just the files named (npm test -- test/unit/x.test.ts).
if [ "$#" -eq 0 ]; then
  set -- 'test/unit/**/*.test.ts' 'test/integration/**/*.test.ts' 'test/e2e/**/*.test.ts'
fi
exec npx mocha "$@"
