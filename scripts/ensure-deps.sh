#!/usr/bin/env bash
# Installs what nms needs, and only what is missing: Debian packages (as root)
# and the npm modules of package-lock.json. Both README commands call this, so
# a fresh Debian machine needs nothing done by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

# command that must exist -> Debian package that provides it
declare -A PROVIDER=(
  [influxd]=influxdb
  [snmpget]=snmp
  [snmpd]=snmpd
  [snmptrapd]=snmptrapd
  # Tests of the InfluxDB v2 write path run against it (it speaks /api/v2/write).
  [victoria-metrics]=victoria-metrics
  # The console's browser tests (playwright-core drives Debian's Chromium, never a downloaded one).
  [chromium]=chromium
  # The report tests read the PDF's text back with pdftotext.
  [pdftotext]=poppler-utils
  # The circuit-quality prober's ICMP method (many targets in one process, as LibreNMS and Smokeping use it).
  [fping]=fping
  # The circuit-quality tests drop echoes in the kernel with an nftables rule whose counter is their truth.
  [nft]=nftables
  # The message bus between city pollers and the centre (NATS JetStream); its tests run a real cluster.
  [nats-server]=nats-server
)

missing=()
for cmd in "${!PROVIDER[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${PROVIDER[$cmd]}")
done
# Chinese in Chromium (the console's tests, its screenshots, PDF reports) needs a CJK font.
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)

if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "nms needs these Debian packages: ${missing[*]}" >&2
    echo "Run this command as root, or first: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts these packages' services (influxdb on 8086/8088 on every
  # interface); nms runs its own copies on loopback ports, so the system ones
  # are switched off.
  if [ -d /run/systemd/system ]; then
    for service in influxdb snmpd snmptrapd victoria-metrics nats-server; do
      if [[ " ${missing[*]} " == *" $service "* ]]; then systemctl disable --now "$service" >/dev/null 2>&1 || true; fi
    done
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
