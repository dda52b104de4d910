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
# With arguments, just the files named (npm test -- test/unit/x.test.ts).
if [ "$#" -gt 0 ]; then
  exec npx mocha "$@"
fi

# The real-network tier (polling and circuit quality in network namespaces) spends its
# 9 minutes mostly waiting on lines, so it runs beside the other tiers in a mocha of its
# own; its report follows theirs, and the closing line adds up both mochas' counts.
REAL_NETWORK=(test/e2e/realNetwork.test.ts test/e2e/realQuality.test.ts)
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT
npx mocha "${REAL_NETWORK[@]}" >"$log_dir/real-network.log" 2>&1 &
real_pid=$!
set +e
npx mocha "${REAL_NETWORK[@]/#/--ignore=}" 'test/unit/**/*.test.ts' 'test/integration/**/*.test.ts' 'test/e2e/**/*.test.ts' | tee "$log_dir/main.log" | grep --line-buffered -Ev '^[0-9]+ passed, [0-9]+ failed'
main_status=${PIPESTATUS[0]}
wait "$real_pid"
real_status=$?
set -e
grep -Ev '^[0-9]+ passed, [0-9]+ failed' "$log_dir/real-network.log"
count() { grep -Eo '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$1" | tail -1; }
main=$(count "$log_dir/main.log") || main=''
real=$(count "$log_dir/real-network.log") || real=''
if [ -z "$main" ] || [ -z "$real" ]; then
  echo "a mocha run ended without its count (main: ${main:-none}, real network: ${real:-none})" >&2
fi
read -r passed failed skipped < <(printf '%s\n%s\n' "${main:-0 passed, 1 failed}" "${real:-0 passed, 1 failed}" |
  awk '{ p += $1; f += $3; s += ($5 == "" ? 0 : $5) } END { print p, f, s }')
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
if [ "$main_status" -ne 0 ] || [ "$real_status" -ne 0 ] || [ "$failed" -gt 0 ]; then exit 1; fi
