#!/usr/bin/env python3
"""A delay line on a TUN device, for the circuit-quality tests.

This kernel has no netem (CONFIG_NET_SCH_NETEM is off, and there are no
modules), so delay and jitter are added here instead: every packet the
kernel routes into the TUN device is written back into it after
delay +- jitter milliseconds (uniform), and the kernel then routes it on to
the far end. Loss is not done here but in the kernel (an nftables rule with
a counter), so that the kernel's own count is the truth for it.

Settings arrive as JSON lines on stdin ({"delayMs": 30, "jitterMs": 5});
each is acknowledged on stdout as "applied <json>". Every packet's real hold
time is logged on stdout as "held <ms>", so the test knows what was done,
not only what was asked. The process exits when stdin closes, or after
--max-seconds, whichever is first: a test that dies cannot leave it running.
Python, because Node.js cannot open a TUN device (it needs an ioctl).
"""
import argparse
import fcntl
import heapq
import json
import os
import random
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tun", required=True)
    ap.add_argument("--max-seconds", type=float, required=True)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", args.tun.encode(), IFF_TUN | IFF_NO_PI))
    settings = {"delayMs": 0.0, "jitterMs": 0.0}
    queue: list = []  # (due, seq, packet, arrived)
    seq = 0
    deadline = time.monotonic() + args.max_seconds
    print("ready", flush=True)
    stdin_open = True
    pending = b""
    while time.monotonic() < deadline and stdin_open:
        now = time.monotonic()
        timeout = max(0.0, min(queue[0][0] - now, deadline - now)) if queue else max(0.0, deadline - now)
        readable, _, _ = select.select([fd, sys.stdin.fileno()], [], [], min(timeout, 0.5))
        for r in readable:
            if r is fd:
                packet = os.read(fd, 65535)
                arrived = time.monotonic()
                hold = settings["delayMs"] + rnd.uniform(-settings["jitterMs"], settings["jitterMs"])
                seq += 1
                heapq.heappush(queue, (arrived + max(0.0, hold) / 1000.0, seq, packet, arrived))
            else:
                chunk = os.read(sys.stdin.fileno(), 4096)
                if not chunk:
                    stdin_open = False
                    break
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    if line.strip():
                        settings.update({k: float(v) for k, v in json.loads(line).items() if k in settings})
                        print("applied " + json.dumps(settings), flush=True)
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, packet, arrived = heapq.heappop(queue)
            os.write(fd, packet)
            print("held %.3f" % ((time.monotonic() - arrived) * 1000.0), flush=True)


if __name__ == "__main__":
    main()
