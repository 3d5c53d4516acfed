#!/usr/bin/env bash
# End-to-end emulator throughput: `trigger --count N` → emulator (SQLite on disk) → `listen`.
# Prints ingest and end-to-end rates. Uses scopien-hooks from PATH (build with --release).
#   N=20000 ./bench/emulator.sh                    # one webhook, per-webhook cap off
#   N=1000 HOOKS=25 RATE=100 ./bench/emulator.sh   # 25 webhooks at the documented 100 events/s cap
set -euo pipefail
N=${N:-20000}        # events triggered
HOOKS=${HOOKS:-1}    # webhooks subscribed (each gets every event)
RATE=${RATE:-0}      # emulate --max-rate (0: no per-webhook cap)
EMU_PORT=${EMU_PORT:-18300}
SINK_PORT=${SINK_PORT:-18301}
B=${B:-scopien-hooks}

dir=$(mktemp -d)
export SCOPIEN_CONFIG=$dir/config.toml
cleanup() { kill "$(jobs -p)" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

wait_for() { # FILE: until it has a Ready! line (bounded)
  for _ in $(seq 200); do grep -q '^Ready!' "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "bench: no Ready! line in $1" >&2; cat "$1" >&2; exit 1
}

"$B" emulate --port "$EMU_PORT" --db "$dir/emu.db" --max-rate "$RATE" 2>"$dir/emulate.log" &
emu=$!
wait_for "$dir/emulate.log"
export SCOPIEN_API_BASE=http://127.0.0.1:$EMU_PORT/v1 SCOPIEN_API_KEY=sk_test_emulator
total=$((N * HOOKS))
"$B" listen --port "$SINK_PORT" --secret whsec_bench_secret_1 --no-dedupe --json \
  --max-events "$total" --timeout 600s >/dev/null 2>"$dir/listen.log" &
sink=$!
wait_for "$dir/listen.log"
for _ in $(seq "$HOOKS"); do
  "$B" create --url "http://127.0.0.1:$SINK_PORT/" --event '*' --secret whsec_bench_secret_1 >/dev/null 2>&1
done

t0=$(date +%s.%N)
"$B" trigger lead.created --count "$N" >/dev/null 2>&1
t1=$(date +%s.%N)
wait "$sink"
t2=$(date +%s.%N)
rss=$(ps -o rss= -p "$emu")
awk -v n="$N" -v h="$HOOKS" -v a="$t0" -v b="$t1" -v c="$t2" -v rss="$rss" 'BEGIN {
  printf "events %d × webhooks %d = %d deliveries\n", n, h, n * h
  printf "ingest      %.2f s  %8.0f events/s\n", b - a, n / (b - a)
  printf "end to end  %.2f s  %8.0f deliveries/s\n", c - a, n * h / (c - a)
  printf "emulator RSS %.1f MiB\n", rss / 1024 }'
