#!/usr/bin/env bash
# The README's first command: install what is missing, then bring nms up.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
exec node bin/nms.js up "$@"
