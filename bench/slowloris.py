#!/usr/bin/env python3
"""Slow clients against `listen` and `emulate`: hold N stalled connections open
(half of them stuck in their headers, half in their body, each re-opened when
the server closes it) while measuring how long valid requests take.

Standard library only; 127.0.0.1 only; bounded in time (--seconds per server)
and count (--stalled, at most 1000).

    python3 bench/slowloris.py                      # scopien-hooks from PATH
    python3 bench/slowloris.py --bin target/release/scopien-hooks --stalled 500 --seconds 30

Prints one line per server: stalled connections held, valid requests answered,
their p50/p99/max latency, and how many stalled connections got a 408.
"""

import argparse
import hashlib
import hmac
import json
import resource
import selectors
import socket
import subprocess
import sys
import threading
import time

HOST = "127.0.0.1"
SECRET = "whsec_slowloris_bench"
KEY = "sk_test_emulator"
HEAD_STALL = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
BODY_STALL = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{\"id\":"


def start(cmd):
    """Starts a server on port 0; returns (process, port) once it prints Ready!."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stderr.readline().decode(errors="replace")
        if not line:
            break
        if line.startswith("Ready!"):
            url = next(w for w in line.split() if w.startswith("http://"))
            port = int(url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
            # Keep draining stderr so the server never blocks on it.
            threading.Thread(target=proc.stderr.read, daemon=True).start()
            return proc, port
    proc.kill()
    sys.exit(f"slowloris: {' '.join(cmd)} printed no Ready! line")


class Stalls:
    """Keeps `count` stalled connections open until stopped."""

    def __init__(self, port, count):
        self.port, self.count = port, count
        self.sel = selectors.DefaultSelector()
        self.timeouts = 0
        self.opened = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def open_one(self, i):
        s = socket.create_connection((HOST, self.port))
        s.sendall(HEAD_STALL if i % 2 == 0 else BODY_STALL)
        s.setblocking(False)
        self.sel.register(s, selectors.EVENT_READ, i)
        self.opened += 1

    def held(self):
        return len(self.sel.get_map())

    def run(self):
        for i in range(self.count):
            self.open_one(i)
        while not self.stop.is_set():
            for key, _ in self.sel.select(timeout=0.2):
                s, i = key.fileobj, key.data
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if data.startswith(b"HTTP/1.1 408"):
                    self.timeouts += 1
                if not data or data.startswith(b"HTTP/"):
                    self.sel.unregister(s)
                    s.close()
                    if not self.stop.is_set():
                        self.open_one(i)
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()


def request(port, raw):
    """Sends one request on a new connection; returns (status, seconds)."""
    t0 = time.perf_counter()
    with socket.create_connection((HOST, port), timeout=30) as s:
        s.sendall(raw)
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    took = time.perf_counter() - t0
    try:
        return int(buf.split(b" ", 2)[1]), took
    except (IndexError, ValueError):
        return 0, took


def delivery(n):
    body = json.dumps(
        {
            "id": f"evt_slowloris{n:015d}",
            "event": "lead.created",
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "data": {"id": "lead_1", "email": "ada@example.com"},
        },
        separators=(",", ":"),
    ).encode()
    sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    head = (
        f"POST / HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
        f"X-Scopien-Signature: {sig}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


def api_get():
    return (
        f"GET /v1/webhooks HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {KEY}\r\nConnection: close\r\n\r\n"
    ).encode()


def pct(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))]


def measure(name, cmd, make_request, stalled, seconds):
    proc, port = start(cmd)
    try:
        stalls = Stalls(port, stalled)
        stalls.thread.start()
        deadline = time.monotonic() + 30
        while stalls.opened < stalled and time.monotonic() < deadline:
            time.sleep(0.05)
        held_min = stalls.held()
        lat, bad, n = [], 0, 0
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            status, took = request(port, make_request(n))
            n += 1
            lat.append(took)
            if status != 200:
                bad += 1
            held_min = min(held_min, stalls.held())
            time.sleep(0.01)
        stalls.stop.set()
        stalls.thread.join(10)
        lat.sort()
        print(
            f"{name:8} stalled={stalled} held_min={held_min} requests={n} non200={bad} "
            f"p50={pct(lat, 0.50) * 1000:.2f}ms p99={pct(lat, 0.99) * 1000:.2f}ms max={lat[-1] * 1000:.2f}ms "
            f"stalled_408={stalls.timeouts}",
            flush=True,
        )
        return bad == 0
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="scopien-hooks", help="the scopien-hooks binary")
    ap.add_argument("--stalled", type=int, default=500, help="stalled connections to hold (at most 1000)")
    ap.add_argument("--seconds", type=float, default=30, help="measuring time per server (at most 300)")
    args = ap.parse_args()
    if not 1 <= args.stalled <= 1000 or not 1 <= args.seconds <= 300:
        sys.exit("slowloris: --stalled must be 1..1000 and --seconds 1..300")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = args.stalled + 256
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    results = []
    for name, cmd, make in [
        ("listen", [args.bin, "listen", "--port", "0", "--host", HOST, "--secret", SECRET, "--no-dedupe"], delivery),
        ("emulate", [args.bin, "emulate", "--port", "0", "--host", HOST, "--in-memory"], lambda n: api_get()),
    ]:
        results.append(measure(name, cmd, make, args.stalled, args.seconds))
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
