#!/usr/bin/env bash
# The README's second command (and CI's): install what is missing, type-check,
# then run every test against real servers the tests start themselves. The
# last line is mocha's own count: "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
echo "Linting and format check (biome check), type-checking every folder (tsc --noEmit)"
npx biome check .
# The browser code is checked with the DOM's types by its own tsconfig.
npm run --silent typecheck
# With arguments, just the files named (npm test -- test/unit/x.test.ts).
if [ "$#" -gt 0 ]; then
  exec npx mocha "$@"
fi

# The real-network tiers (polling, circuit quality and a city's uplink cut, in network
# namespaces) spend their minutes mostly waiting on lines, so each runs beside the other
# tiers in a mocha of its own, with the longest of the other tests that mostly wait (on
# pollers and the bus), so that both cores are busy for about as long; their reports
# follow the main one's, and the closing line adds up every mocha's counts. The simulated
# quality test stays in the main tier: beside the real quality tier its in-process echoes
# are timed late.
SIDE_TIERS=('test/e2e/realNetwork.test.ts test/integration/pollerCentre.test.ts' 'test/e2e/realQuality.test.ts test/e2e/realUdpEcho.test.ts test/e2e/realUplink.test.ts test/e2e/centreConsole.test.ts')
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT
side_files=()
side_pids=()
for i in "${!SIDE_TIERS[@]}"; do
  read -r -a files <<<"${SIDE_TIERS[$i]}"
  side_files+=("${files[@]}")
  npx mocha "${files[@]}" >"$log_dir/side-$i.log" 2>&1 &
  side_pids+=($!)
done
set +e
npx mocha "${side_files[@]/#/--ignore=}" 'test/unit/**/*.test.ts' 'test/integration/**/*.test.ts' 'test/e2e/**/*.test.ts' | tee "$log_dir/main.log" | grep --line-buffered -Ev '^[0-9]+ passed, [0-9]+ failed'
statuses=("${PIPESTATUS[0]}")
for pid in "${side_pids[@]}"; do
  wait "$pid"
  statuses+=($?)
done
set -e
count() { grep -Eo '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$1" | tail -1; }
counts=()
for log in "$log_dir/main.log" "$log_dir"/side-*.log; do
  [ "$log" = "$log_dir/main.log" ] || grep -Ev '^[0-9]+ passed, [0-9]+ failed' "$log"
  c=$(count "$log") || c=''
  if [ -z "$c" ]; then
    echo "a mocha run ended without its count: $(basename "$log")" >&2
    c='0 passed, 1 failed'
  fi
  counts+=("$c")
done
read -r passed failed skipped < <(printf '%s\n' "${counts[@]}" | awk '{ p += $1; f += $3; s += ($5 == "" ? 0 : $5) } END { print p, f, s }')
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
for st in "${statuses[@]}"; do [ "$st" -eq 0 ] || exit 1; done
if [ "$failed" -gt 0 ]; then exit 1; fi
